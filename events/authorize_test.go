package events_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// The expected permissions, written out: who may record each command,
// and whether it is a command of a body (a token scoped to a body records
// it for that body only). This table is the specification the matrix
// checks the service against; it is not derived from the code's table.
var wantPermissions = []struct {
	name   string
	roles  string // space-separated; "public" and "installer" are the actors without a token
	scoped bool
	cmd    func(body, token string, at time.Time) events.Command
}{
	{"GrantAccess", "admin", false, func(_, tok string, at time.Time) events.Command {
		return events.GrantAccess{TokenID: "tok-new-" + uuid.NewString()[:8], Role: events.AccessClerk, Scope: events.ScopeAll, GrantedBy: tok, At: at}
	}},
	{"GrantAccess of the first admin", "installer", false, func(_, _ string, at time.Time) events.Command {
		return events.GrantAccess{TokenID: "tok-first-" + uuid.NewString()[:8], Role: events.AccessAdmin, Scope: events.ScopeAll, GrantedBy: events.InstallerTokenID, At: at}
	}},
	{"RevokeAccess", "admin", false, func(_, tok string, at time.Time) events.Command {
		return events.RevokeAccess{TokenID: "tok-nobody", Reason: "r", RevokedBy: tok, At: at}
	}},
	{"SkipEvent", "admin", false, func(_, tok string, at time.Time) events.Command {
		return events.SkipEvent{EventID: uuid.New(), Position: 1, EventStream: "notes-1", EventType: "notes.noted", Reason: "r", SkippedBy: tok, At: at}
	}},
	{"RecordForgetting", "admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RecordForgetting{ErasureID: "erasure-" + strings.ReplaceAll(uuid.NewString(), "-", ""), Reason: "r", At: at}
	}},

	{"RegisterBody", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RegisterBody{BodyID: b, Name: "Σώμα", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: at}
	}},
	{"ChangeBodySettings", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeBodySettings{BodyID: b, Settings: events.DefaultBodySettings(13), Reason: "r", At: at}
	}},
	{"AddMember", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AddMember{BodyID: b, MemberID: "mem-" + uuid.NewString()[:8], Name: "Μέλος", Role: events.RoleMember, At: at}
	}},
	{"RemoveMember", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RemoveMember{BodyID: b, MemberID: "mem-1", Reason: "r", At: at}
	}},
	{"ChangeMemberRole", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeMemberRole{BodyID: b, MemberID: "mem-1", Role: events.RoleChair, At: at}
	}},
	{"ChangeMemberFaction", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeMemberFaction{BodyID: b, MemberID: "mem-1", FactionID: "f-" + b, At: at}
	}},
	{"FormFaction", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.FormFaction{FactionID: "f-new-" + uuid.NewString()[:8], BodyID: b, Name: "Παράταξη", ShortName: "Π", Colour: "#0072b2", Role: events.FactionOpposition, At: at}
	}},
	{"ChangeFactionDetails", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeFactionDetails{FactionID: "f-" + b, Name: "Νέα Παράταξη", ShortName: "ΝΠ", Colour: "#e69f00", At: at}
	}},
	{"ChangeFactionLeader", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeFactionLeader{FactionID: "f-" + b, MemberID: "mem-1", At: at}
	}},
	{"ChangeFactionRole", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeFactionRole{FactionID: "f-" + b, Role: events.FactionMajority, Reason: "r", At: at}
	}},
	{"DissolveFaction", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.DissolveFaction{FactionID: "f-" + b, Reason: "r", At: at}
	}},

	{"ScheduleMeeting", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ScheduleMeeting{MeetingID: "m-new-" + b, BodyID: b, StartsAt: at.Add(240 * time.Hour), Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: at}
	}},
	{"AddItem", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AddItem{MeetingID: "m-" + b, ItemID: "x-" + uuid.NewString()[:8], Title: "Θέμα", At: at}
	}},
	{"WithdrawItem", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.WithdrawItem{MeetingID: "m-" + b, ItemID: "i-" + b, Reason: "r", At: at}
	}},
	{"PublishAgenda", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.PublishAgenda{MeetingID: "m-" + b, BodyID: b, At: at}
	}},
	{"ConveneMeeting", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ConveneMeeting{MeetingID: "m-" + b, BodyID: b, Present: []string{"mem-1"}, PresidingMemberID: "mem-1", At: at}
	}},
	{"RecordQuorumFailure", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RecordQuorumFailure{MeetingID: "m-" + b, BodyID: b, At: at}
	}},
	{"RecordArrival", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RecordArrival{MeetingID: "m-" + b, BodyID: b, MemberID: "mem-1", At: at}
	}},
	{"RecordDeparture", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RecordDeparture{MeetingID: "m-" + b, MemberID: "mem-1", At: at}
	}},
	{"AdjournMeeting", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AdjournMeeting{MeetingID: "m-" + b, At: at}
	}},
	{"PublishMinutes", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.PublishMinutes{MeetingID: "m-" + b, At: at}
	}},
	{"PostponeMeeting", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.PostponeMeeting{MeetingID: "m-" + b, StartsAt: at.Add(480 * time.Hour), Reason: "r", At: at}
	}},
	{"CancelMeeting", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CancelMeeting{MeetingID: "m-" + b, Reason: "r", At: at}
	}},
	{"StepOut", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.StepOut{MeetingID: "m-" + b, ItemID: "i-" + b, MemberID: "mem-1", At: at}
	}},
	{"DeclareConflict", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.DeclareConflict{MeetingID: "m-" + b, BodyID: b, ItemID: "i-" + b, MemberID: "mem-1", Reason: "συγγένεια με τον ανάδοχο", At: at}
	}},
	{"JustifyAbsence", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.JustifyAbsence{MeetingID: "m-" + b, BodyID: b, MemberID: "mem-1", Reason: "ασθένεια", At: at}
	}},
	{"SeatSubstitute", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.SeatSubstitute{MeetingID: "m-" + b, BodyID: b, SubstituteID: "mem-2", ForMemberID: "mem-1", At: at}
	}},
	{"DraftMinutes", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.DraftMinutes{MeetingID: "m-next-" + b, BodyID: b, Documents: []events.DocumentRef{authDocument}, At: at}
	}},
	{"CorrectMinutes", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CorrectMinutes{MeetingID: "m-" + b, Reason: "r", Documents: []events.DocumentRef{authDocument}, At: at}
	}},
	{"ApproveMinutes", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ApproveMinutes{MeetingID: "m-" + b, ApprovingMeetingID: "m-next-" + b, VoteID: "v-" + b, At: at}
	}},

	{"OpenVote", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.OpenVote{VoteID: "v-new-" + uuid.NewString()[:8], BodyID: b, MeetingID: "m-" + b, ItemID: "i-" + b, Question: "Ναι;", Method: events.VoteRollCall, At: at}
	}},
	{"CastBallot", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CastBallot{VoteID: "v-" + b, BodyID: b, MeetingID: "m-" + b, MemberID: "mem-1", Choice: events.BallotYes, At: at}
	}},
	{"ChangeBallot", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ChangeBallot{VoteID: "v-" + b, MemberID: "mem-1", Choice: events.BallotNo, At: at}
	}},
	{"CloseVote", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CloseVote{VoteID: "v-" + b, BodyID: b, MeetingID: "m-" + b, At: at}
	}},

	{"AdoptDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AdoptDecision{DecisionID: "d-new-" + uuid.NewString()[:8], BodyID: b, MeetingID: "m-" + b, ItemID: "i-" + b, VoteID: "v-" + b, Year: at.Year(),
			Title: "Απόφαση", Text: "Κείμενο", LegalBasis: "ν. 3852/2010", At: at}
	}},
	{"PublishDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.PublishDecision{DecisionID: "d-" + b, RegisterID: "ΨΩ1Α46ΜΤΛ6-ΑΒΓ", DocumentSHA256: strings.Repeat("ab", 32), At: at}
	}},
	{"CorrectDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CorrectDecision{DecisionID: "d-" + b, Reason: "r", Title: "Νέος τίτλος", At: at}
	}},
	{"ReissueDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ReissueDecision{DecisionID: "d-" + b, RegisterID: "ΨΩ1Α46ΜΤΛ6-ΔΕΖ", DocumentSHA256: strings.Repeat("cd", 32), Reason: "r", At: at}
	}},
	{"RevokeDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RevokeDecision{DecisionID: "d-" + b, Reason: "r", RevokingDecisionID: "d-none", At: at}
	}},
	{"AnnulDecision", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AnnulDecision{DecisionID: "d-" + b, Reason: "r", Authority: "Αποκεντρωμένη Διοίκηση", At: at}
	}},

	{"OpenConsultation", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.OpenConsultation{ItemID: "i-new-" + b, MeetingID: "m-" + b, At: at}
	}},
	{"SubmitComment", "public", true, func(b, _ string, at time.Time) events.Command {
		return events.SubmitComment{ItemID: "i-" + b, CommentID: "c-" + uuid.NewString()[:8], Kind: events.CommentKind("comment"), Text: "Σχόλιο", At: at}
	}},
	{"ModerateComment", "moderator admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ModerateComment{ItemID: "i-" + b, CommentID: "c-1", Reason: "r", At: at}
	}},
	{"WithdrawComment", "public", true, func(b, _ string, at time.Time) events.Command {
		return events.WithdrawComment{ItemID: "i-" + b, CommentID: "c-1", At: at}
	}},
	{"CloseConsultation", "secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.CloseConsultation{ItemID: "i-" + b, Reason: "r", At: at}
	}},

	{"ProposeAmendment", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.ProposeAmendment{AmendmentID: "a-new-" + uuid.NewString()[:8], BodyID: b, MeetingID: "m-" + b, ItemID: "i-" + b, ProposerID: "mem-1", Text: "Τροπολογία", At: at}
	}},
	{"WithdrawAmendment", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.WithdrawAmendment{AmendmentID: "a-" + b, Reason: "r", At: at}
	}},
	{"AcceptAmendment", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.AcceptAmendment{AmendmentID: "a-" + b, Note: "ο εισηγητής", At: at}
	}},
	{"RejectAmendment", "clerk secretariat admin", true, func(b, _ string, at time.Time) events.Command {
		return events.RejectAmendment{AmendmentID: "a-" + b, Reason: "r", At: at}
	}},

	{"RegisterProtocolEntry", "clerk secretariat request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RegisterProtocolEntry{EntryID: "prot-" + uuid.NewString()[:8], Registry: "geniko-protokollo", Direction: events.ProtocolIncoming,
			Subject: "Εγκύκλιος", Correspondent: "Υπουργείο Εσωτερικών", Documents: []events.DocumentRef{authDocument}, At: at}
	}},

	{"PlanProcurement", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.PlanProcurement{OCID: "ocds-213czf-" + uuid.NewString()[:8], Title: "Προμήθεια", At: at}
	}},
	{"PublishTender", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.PublishTender{OCID: "ocds-213czf-1", Deadline: at.Add(240 * time.Hour), At: at}
	}},
	{"AmendTender", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AmendTender{OCID: "ocds-213czf-1", Reason: "r", DecisionID: "d-none", At: at}
	}},
	{"RecordBid", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RecordBid{OCID: "ocds-213czf-1", BidID: "bid-1", SupplierID: "094014201", At: at}
	}},
	{"AwardProcurement", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AwardProcurement{OCID: "ocds-213czf-1", AwardID: "aw-1", SupplierID: "094014201", DecisionID: "d-none", At: at}
	}},
	{"ChangeBidStatus", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.ChangeBidStatus{OCID: "ocds-213czf-1", BidID: "bid-1", Status: events.BidWithdrawn, Reason: "r", At: at}
	}},
	{"RecordCommitment", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RecordCommitment{OCID: "ocds-213czf-1", CommitmentID: "aay-1", At: at}
	}},
	{"RecordEvaluation", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RecordEvaluation{OCID: "ocds-213czf-1", EvaluationID: "ev-1", At: at}
	}},
	{"LodgeAppeal", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.LodgeAppeal{OCID: "ocds-213czf-1", AppealID: "ap-1", At: at}
	}},
	{"DecideAppeal", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.DecideAppeal{OCID: "ocds-213czf-1", AppealID: "ap-1", At: at}
	}},
	{"SignContract", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.SignContract{OCID: "ocds-213czf-1", ContractID: "ct-1", At: at}
	}},
	{"AmendContract", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AmendContract{OCID: "ocds-213czf-1", Reason: "r", DecisionID: "d-none", At: at}
	}},
	{"RecordPayment", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RecordPayment{OCID: "ocds-213czf-1", PaymentID: "pay-1", InvoiceRef: "inv-1", At: at}
	}},
	{"CancelProcurement", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.CancelProcurement{OCID: "ocds-213czf-1", Reason: "r", At: at}
	}},
	{"CompleteProcurement", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.CompleteProcurement{OCID: "ocds-213czf-1", At: at}
	}},
	{"RegisterSupplier", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RegisterSupplier{VATID: "094014201", At: at}
	}},
	{"ChangeSupplierDetails", "procurement_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.ChangeSupplierDetails{VATID: "094014201", Reason: "r", At: at}
	}},

	{"SubmitRequest on the web", "public", false, func(_, _ string, at time.Time) events.Command {
		return events.SubmitRequest{RequestID: "req-" + uuid.NewString()[:8], Category: events.RequestInformation, Subject: "Αίτημα", Channel: events.RequestViaWeb, At: at}
	}},
	{"SubmitRequest at a service centre", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.SubmitRequest{RequestID: "req-" + uuid.NewString()[:8], Category: events.RequestInformation, Subject: "Αίτημα",
			Channel: events.RequestViaServiceCentre, AssistedBy: "kep-1", At: at}
	}},
	{"AcknowledgeRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AcknowledgeRequest{RequestID: "req-1", ResponseDays: 20, At: at}
	}},
	{"AssignRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AssignRequest{RequestID: "req-1", Department: "Τεχνική Υπηρεσία", At: at}
	}},
	{"AnswerRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.AnswerRequest{RequestID: "req-1", Summary: "Απάντηση", At: at}
	}},
	{"ExtendRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.ExtendRequest{RequestID: "req-1", Days: 5, Reason: "r", At: at}
	}},
	{"ForwardRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.ForwardRequest{RequestID: "req-1", To: "Περιφέρεια", Reason: "r", At: at}
	}},
	{"RejectRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.RejectRequest{RequestID: "req-1", LegalBasis: "ν. 2690/1999", Reason: "r", At: at}
	}},
	{"CloseRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.CloseRequest{RequestID: "req-1", At: at}
	}},
	{"ReopenRequest", "request_officer admin", false, func(_, _ string, at time.Time) events.Command {
		return events.ReopenRequest{RequestID: "req-1", Reason: "r", ResponseDays: 20, At: at}
	}},
}

// authDocument is a document the rows of minutes and the protocol attach.
var authDocument = events.DocumentRef{Title: "Πρακτικό", URL: "https://example.org/praktiko.pdf", SHA256: strings.Repeat("ef", 32)}

// outcome is what the authorization step answers a cell.
type outcome string

const (
	authorized      outcome = "authorized" // it passes to the rules of the record, whatever they answer
	forbidden       outcome = "forbidden"  // CodeForbidden matching ErrNotPermitted
	unauthenticated outcome = "unauthenticated"
	notGrantable    outcome = "not grantable" // the token itself cannot be granted (a scope for a role without body commands)
)

func outcomeOf(err error) outcome {
	switch {
	case events.ErrorCode(err) == events.CodeUnauthenticated:
		return unauthenticated
	case errors.Is(err, events.ErrNotPermitted):
		return forbidden
	}
	return authorized
}

// authFixture is a log with two bodies, "own" and "other", each with a
// meeting and its minutes, a later meeting, an item's consultation, a
// vote, a decision and an amendment,
// and tokens of every role, scope and state, recorded through a
// guarded Service whose clock the test moves.
type authFixture struct {
	store *sqlite.Store
	svc   *events.Service
	mu    sync.Mutex
	now   time.Time
	admin events.Actor
}

var authT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func (f *authFixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *authFixture) set(t time.Time)  { f.mu.Lock(); f.now = t; f.mu.Unlock() }

func newAuthFixture(t *testing.T, soleWriter bool) *authFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &authFixture{store: st, now: authT0}
	f.svc = events.NewService(st, events.ServiceOptions{SoleWriter: soleWriter, Now: f.clock})
	for _, b := range []string{"own", "other"} {
		raw := map[string]events.Payload{
			"body-" + b:               events.BodyRegistered{BodyID: b, Name: "Σώμα " + b, Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13)},
			"meeting-m-" + b:          events.MeetingScheduled{MeetingID: "m-" + b, BodyID: b, StartsAt: authT0.Add(240 * time.Hour), Place: "Δ", Urgency: events.MeetingRegular, Call: 1},
			"consultation-i-" + b:     events.ConsultationOpened{ItemID: "i-" + b, MeetingID: "m-" + b, ClosesAt: authT0.Add(200 * time.Hour)},
			"vote-v-" + b:             events.VoteOpened{VoteID: "v-" + b, BodyID: b, MeetingID: "m-" + b, ItemID: "i-" + b, Question: "Ναι;", Method: events.VoteRollCall},
			"decision-d-" + b:         events.DecisionAdopted{DecisionID: "d-" + b, BodyID: b, Number: 1, Year: 2026, Title: "Α", Text: "Κ", LegalBasis: "ν."},
			"amendment-a-" + b:        events.AmendmentProposed{AmendmentID: "a-" + b, BodyID: b, MeetingID: "m-" + b, ItemID: "i-" + b, ProposerID: "mem-1", Text: "Τ"},
			"meeting-m-next-" + b:     events.MeetingScheduled{MeetingID: "m-next-" + b, BodyID: b, StartsAt: authT0.Add(480 * time.Hour), Place: "Δ", Urgency: events.MeetingRegular, Call: 1},
			"minutes-m-" + b:          events.MinutesDrafted{MeetingID: "m-" + b, BodyID: b, Version: 1, Documents: []events.DocumentRef{authDocument}},
			"faction-f-" + b:          events.FactionFormed{FactionID: "f-" + b, BodyID: b, Name: "Παράταξη " + b, ShortName: "Π", Colour: "#009e73", Role: events.FactionOpposition},
			"consultation-i-new-" + b: nil,
		}
		for stream, p := range raw {
			if p == nil {
				continue
			}
			ev, err := events.Encode(p)
			if err != nil {
				t.Fatal(err)
			}
			ev.OccurredAt = authT0.Add(-time.Hour)
			if _, err := st.Append(ctx, stream, events.NoStream, ev); err != nil {
				t.Fatalf("%s: %v", stream, err)
			}
		}
	}
	if _, err := f.svc.Handle(ctx, events.GrantAccess{TokenID: "tok-admin", Role: events.AccessAdmin, Scope: events.ScopeAll,
		GrantedBy: events.InstallerTokenID, At: authT0}, events.WithActor(events.InstallerActor)); err != nil {
		t.Fatalf("the first admin: %v", err)
	}
	f.admin = events.Actor{TokenID: "tok-admin", Role: "admin"}
	return f
}

// grant records a token of role and scope by the admin, expiring at exp
// when set; it returns the grant's error.
func (f *authFixture) grant(t *testing.T, id string, role events.AccessRole, scope string, exp time.Time) error {
	t.Helper()
	_, err := f.svc.Handle(context.Background(), events.GrantAccess{TokenID: id, Role: role, Scope: scope, GrantedBy: f.admin.TokenID,
		ExpiresAt: exp, At: f.clock()}, events.WithActor(f.admin))
	return err
}

func (f *authFixture) revoke(t *testing.T, id string) {
	t.Helper()
	if _, err := f.svc.Handle(context.Background(), events.RevokeAccess{TokenID: id, Reason: "r", RevokedBy: f.admin.TokenID, At: f.clock()},
		events.WithActor(f.admin)); err != nil {
		t.Fatalf("revoke %s: %v", id, err)
	}
}

// TestTokenMatrix asserts every cell: every role × every command × scope
// (own body, another body, all) × token state (valid, expired, revoked,
// unknown, none), and the public and installer actors × every command.
func TestTokenMatrix(t *testing.T) {
	f := newAuthFixture(t, true)
	ctx := context.Background()
	// The scope of a cell: the token's scope and the body whose record the
	// command addresses.
	scopes := []struct{ name, token, body string }{
		{"own body", "own", "own"}, {"another body", "own", "other"}, {"all bodies", events.ScopeAll, "own"}}
	states := []string{"valid", "expired", "revoked", "unknown", "none"}
	tokenID := func(role events.AccessRole, state, scope string) string {
		return fmt.Sprintf("tok-%s-%s-%s", role, state, strings.ReplaceAll(scope, "*", "all"))
	}

	// Tokens of every role, scope and state; a scope for a role without
	// body commands is not grantable, and that is its cells' outcome.
	grantable := map[string]bool{}
	for _, role := range events.AccessRoles {
		for _, scope := range []string{"own", events.ScopeAll} {
			for _, state := range []string{"valid", "expired", "revoked"} {
				id := tokenID(role, state, scope)
				var exp time.Time
				if state == "expired" {
					exp = authT0.Add(time.Hour)
				}
				err := f.grant(t, id, role, scope, exp)
				bodyRole := role == events.AccessClerk || role == events.AccessSecretariat || role == events.AccessModerator
				if scope != events.ScopeAll && !bodyRole {
					if events.ErrorCode(err) != events.CodeInvalid {
						t.Fatalf("a %s token scoped to a body: %v; want it refused as invalid", role, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("grant %s: %v", id, err)
				}
				grantable[id] = true
				if state == "revoked" {
					f.revoke(t, id)
				}
			}
		}
	}
	// The matrix runs two hours later: the expiring tokens have expired.
	f.set(authT0.Add(2 * time.Hour))
	at := f.clock()

	run := func(t *testing.T, actor events.Actor, cmd events.Command) outcome {
		t.Helper()
		var opts []events.HandleOption
		if actor != (events.Actor{}) {
			opts = append(opts, events.WithActor(actor))
		}
		_, err := f.svc.Handle(ctx, cmd, opts...)
		return outcomeOf(err)
	}
	cells, asserted := 0, 0
	for _, row := range wantPermissions {
		roles := strings.Fields(row.roles)
		t.Run(row.name, func(t *testing.T) {
			for _, role := range events.AccessRoles {
				for _, sc := range scopes {
					for _, state := range states {
						cells++
						id := tokenID(role, state, sc.token)
						actor := events.Actor{TokenID: id, Role: string(role)}
						want := authorized
						switch {
						case state == "none":
							actor, want = events.Actor{}, unauthenticated
						case state == "unknown":
							actor.TokenID, want = "tok-never-granted", unauthenticated
						case !grantable[id]:
							want = notGrantable
						case state != "valid":
							want = unauthenticated
						case !slices.Contains(roles, string(role)):
							want = forbidden
						case sc.token != events.ScopeAll && !row.scoped:
							want = forbidden
						case sc.token != events.ScopeAll && sc.body != sc.token:
							want = forbidden
						}
						if want == notGrantable {
							asserted++ // asserted when granting
							continue
						}
						asserted++
						if got := run(t, actor, row.cmd(sc.body, actor.TokenID, at)); got != want {
							t.Errorf("%s %s token, %s: %s; want %s", state, role, sc.name, got, want)
						}
					}
				}
			}
			// The actors without a token.
			for _, a := range []struct {
				name  string
				actor events.Actor
			}{{"public", events.PublicActor}, {"installer", events.InstallerActor}} {
				want := forbidden
				switch {
				case slices.Contains(roles, a.name):
					want = authorized
				case a.name == "public":
					want = unauthenticated
				}
				cells++
				asserted++
				if got := run(t, a.actor, row.cmd("own", a.actor.TokenID, at)); got != want {
					t.Errorf("%s: %s; want %s", a.name, got, want)
				}
			}
		})
	}
	if asserted != cells {
		t.Fatalf("%d of %d cells asserted", asserted, cells)
	}
	t.Logf("%d cells over %d commands", cells, len(wantPermissions))
}

// TestEveryCommandHasItsPermission keeps the permission table and the
// matrix complete: every command of the catalog's rules has a row of its
// own in both.
func TestEveryCommandHasItsPermission(t *testing.T) {
	inMatrix := map[string]bool{}
	for _, row := range wantPermissions {
		name, _, _ := strings.Cut(row.name, " ")
		inMatrix[name] = true
	}
	for _, r := range events.Rules() {
		if !inMatrix[r.Command] {
			t.Errorf("%s has no row in the token matrix (wantPermissions)", r.Command)
		}
	}
	if missing := events.CommandsWithoutPermission(); len(missing) > 0 {
		t.Errorf("commands without a row in events/permissions.go: %v", missing)
	}
}
