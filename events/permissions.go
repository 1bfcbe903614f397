package events

import (
	"reflect"
	"slices"
	"strings"
)

// Permissions are per command: each command names the roles that may
// record it. A citizen's own acts (a comment, its withdrawal, a request on
// the web) are the public's alone: no official records them as if a
// citizen; an official records a request only as the staff who assisted
// at a service centre or on the phone.

var (
	byOfficials   = []AccessRole{AccessClerk, AccessSecretariat, AccessAdmin}
	bySecretariat = []AccessRole{AccessSecretariat, AccessAdmin}
	byProcurement = []AccessRole{AccessProcurementOfficer, AccessAdmin}
	byRequests    = []AccessRole{AccessRequestOfficer, AccessAdmin}
	byAdmin       = []AccessRole{AccessAdmin}
	byPublic      = []AccessRole{AccessPublic}
)

// permissions is the one table of who may record each command.
var permissions = map[reflect.Type][]AccessRole{}

func permit[C Command](roles []AccessRole) {
	var zero C
	permissions[reflect.TypeOf(zero)] = roles
}

func init() {
	permit[GrantAccess](byAdmin)
	permit[RevokeAccess](byAdmin)
	permit[SkipEvent](byAdmin)
	permit[RecordForgetting](byAdmin)

	permit[RegisterBody](bySecretariat)
	permit[ChangeBodySettings](bySecretariat)
	permit[AddMember](bySecretariat)
	permit[RemoveMember](bySecretariat)
	permit[ChangeMemberRole](bySecretariat)
	permit[ChangeMemberFaction](bySecretariat)
	permit[FormFaction](bySecretariat)
	permit[ChangeFactionDetails](bySecretariat)
	permit[ChangeFactionLeader](bySecretariat)
	permit[ChangeFactionRole](bySecretariat)
	permit[DissolveFaction](bySecretariat)

	for _, f := range []func([]AccessRole){
		permit[ScheduleMeeting], permit[AddItem], permit[WithdrawItem], permit[PublishAgenda], permit[ConveneMeeting],
		permit[RecordQuorumFailure], permit[RecordArrival], permit[RecordDeparture], permit[AdjournMeeting],
		permit[PublishMinutes], permit[PostponeMeeting], permit[CancelMeeting],
		permit[OpenVote], permit[CastBallot], permit[ChangeBallot], permit[CloseVote],
		permit[ProposeAmendment], permit[WithdrawAmendment], permit[AcceptAmendment], permit[RejectAmendment],
		permit[StepOut], permit[DeclareConflict], permit[JustifyAbsence], permit[SeatSubstitute],
	} {
		f(byOfficials)
	}
	for _, f := range []func([]AccessRole){
		permit[AdoptDecision], permit[PublishDecision], permit[CorrectDecision], permit[RevokeDecision], permit[AnnulDecision],
		permit[OpenConsultation], permit[CloseConsultation],
		permit[ReissueDecision], permit[DraftMinutes], permit[CorrectMinutes], permit[ApproveMinutes],
	} {
		f(bySecretariat)
	}
	// The protocol is the municipality's register, not a body's: its
	// office (clerks) registers what comes in and goes out, the
	// secretariat the decisions it sends, the request officers the
	// protocol number of a citizen's request; only with tokens of every
	// body, since no entry belongs to one.
	permit[RegisterProtocolEntry]([]AccessRole{AccessClerk, AccessSecretariat, AccessRequestOfficer, AccessAdmin})
	permit[ModerateComment]([]AccessRole{AccessModerator, AccessAdmin})
	permit[SubmitComment](byPublic)
	permit[WithdrawComment](byPublic)

	for _, f := range []func([]AccessRole){
		permit[PlanProcurement], permit[PublishTender], permit[AmendTender], permit[RecordBid], permit[AwardProcurement],
		permit[ChangeBidStatus], permit[SignContract], permit[AmendContract], permit[RecordPayment],
		permit[CancelProcurement], permit[CompleteProcurement], permit[RegisterSupplier], permit[ChangeSupplierDetails],
		permit[RecordCommitment], permit[RecordEvaluation], permit[LodgeAppeal], permit[DecideAppeal],
	} {
		f(byProcurement)
	}
	// SubmitRequest is refined by its channel in Allowed.
	permit[SubmitRequest]([]AccessRole{AccessPublic, AccessRequestOfficer, AccessAdmin})
	for _, f := range []func([]AccessRole){
		permit[AcknowledgeRequest], permit[AssignRequest], permit[AnswerRequest], permit[RejectRequest],
		permit[CloseRequest], permit[ReopenRequest], permit[ExtendRequest], permit[ForwardRequest],
	} {
		f(byRequests)
	}
}

// kindRoles answers for a command of this package missing from
// permissions (one added since), by the kind of its aggregate, so that it
// is not open to all; TestEveryCommandHasItsPermission lists any such
// command, to be given its row above.
var kindRoles = map[string][]AccessRole{
	"meeting": byOfficials, "amendment": byOfficials, "vote": byOfficials,
	"body": bySecretariat, "decision": bySecretariat, "consultation": bySecretariat, "minutes": bySecretariat,
	"procurement": byProcurement, "supplier": byProcurement, "request": byRequests,
}

// Allowed reports whether role may record cmd. A request on the web is
// the public's; one at a service centre or on the phone is recorded by the
// staff who assisted.
func Allowed(role AccessRole, cmd Command) bool {
	if sr, ok := cmd.(SubmitRequest); ok && (sr.Channel == RequestViaWeb) != (role == AccessPublic) {
		return false
	}
	if sr, ok := cmd.(*SubmitRequest); ok && sr != nil && (sr.Channel == RequestViaWeb) != (role == AccessPublic) {
		return false
	}
	return slices.Contains(rolesOf(cmd), role)
}

// rolesOf returns the roles that may record cmd.
func rolesOf(cmd Command) []AccessRole {
	t := reflect.TypeOf(cmd)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if roles, ok := permissions[t]; ok {
		return roles
	}
	if t.PkgPath() != reflect.TypeFor[GrantAccess]().PkgPath() {
		return nil
	}
	kind, _, _ := strings.Cut(cmd.Stream(), "-")
	return kindRoles[kind]
}

// CommandsWithoutPermission lists the commands of Rules that have no row
// of their own in the permission table (they fall back to their kind's
// roles until given one).
func CommandsWithoutPermission() []string {
	listed := map[string]bool{}
	for t := range permissions {
		listed[t.Name()] = true
	}
	var missing []string
	for _, r := range Rules() {
		if !listed[r.Command] {
			missing = append(missing, r.Command)
		}
	}
	return missing
}
