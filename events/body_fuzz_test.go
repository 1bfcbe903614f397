package events

import (
	"testing"
	"time"
)

// FuzzGovernanceDeciders sends commands built from arbitrary ids, text,
// counts and times to the body, meeting, consultation, amendment, vote and
// decision deciders, on empty and on lived-in states: a decider must never
// panic, must refuse only with a domain code, and what it accepts must
// encode, decode and fold.
func FuzzGovernanceDeciders(f *testing.F) {
	f.Add(uint8(0), govBody, "it-1", "Ελληνικό κείμενο", 3, int64(0))
	f.Add(uint8(7), govMeeting, "it-9", "", 0, int64(-1))
	f.Add(uint8(19), "v-1", govMember(3), "yes", 9, int64(3600))
	f.Add(uint8(33), "d-1", "\x00", "  ", -5, int64(1<<40))
	f.Add(uint8(41), "am-1", "mayor", "present", 1<<30, int64(-1<<40))

	meeting := MeetingDecider.Fold(govConvened(9)...)
	body := BodyDecider.Fold(govCouncil()...)
	vote := VoteDecider.Fold(append([]Payload{govOpened(VoteRollCall, QuestionOrdinary)}, govBallots(BallotYes, BallotNo)...)...)
	facts := Facts{
		StreamName("body", govBody): body,
		meetingStream(govMeeting):   meeting,
		voteStream("v-1"):           vote,
		amendmentStream("am-1"):     AmendmentState{ID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Status: AmendmentIsProposed},
		decisionStream("d-2"):       DecisionState{ID: "d-2", Status: DecisionIsAdopted},
	}
	type target struct {
		decide func(Command) ([]Payload, error)
		fold   func([]Payload)
	}
	targets := []target{}
	add := func(d Aggregate, states ...any) {
		for _, s := range states {
			targets = append(targets, target{
				decide: func(c Command) ([]Payload, error) { return d.Decide(s, c, facts) },
				fold: func(ps []Payload) {
					st := s
					for _, p := range ps {
						st = d.Evolve(st, p)
					}
				},
			})
		}
	}
	erase := func(kind string) Aggregate { a, _ := AggregateOf(kind + "-x"); return a }
	add(erase("body"), BodyState{}, body)
	add(erase("meeting"), MeetingState{}, MeetingDecider.Fold(govScheduled()...), meeting)
	add(erase("vote"), VoteState{}, vote)
	add(erase("consultation"), ConsultationState{}, ConsultationDecider.Fold(append(govConsultation(), govComment("c-1", subjA))...))
	add(erase("amendment"), AmendmentState{}, AmendmentDecider.Fold(AmendmentProposed{AmendmentID: "am-1", ItemID: "it-1"}))
	add(erase("decision"), DecisionState{}, DecisionDecider.Fold(govAdopted()...))

	f.Fuzz(func(t *testing.T, which uint8, id, ref, text string, n int, offset int64) {
		at := govMeetingAt.Add(time.Duration(offset) * time.Second)
		docs := []DocumentRef{{Title: text, MediaType: ref, Size: int64(n), SHA256: text, URL: ref}}
		tally := &VoteTally{Yes: n, No: n / 2, Abstain: -n, Present: 1}
		settings := DefaultBodySettings(n)
		settings.Quorum = Threshold{Numerator: n, Denominator: n - 1}
		cmds := []Command{
			RegisterBody{BodyID: id, Name: text, Kind: BodyKind(ref), Settings: settings, At: at},
			ChangeBodySettings{BodyID: id, Settings: DefaultBodySettings(n), Reason: text, At: at},
			AddMember{BodyID: id, MemberID: ref, Name: text, FactionID: text, Role: MemberRole(text), At: at},
			RemoveMember{BodyID: id, MemberID: ref, Reason: text, At: at},
			ChangeMemberRole{BodyID: id, MemberID: ref, Role: MemberRole(text), At: at},
			ChangeMemberFaction{BodyID: id, MemberID: ref, FactionID: text, At: at},
			ScheduleMeeting{MeetingID: id, BodyID: ref, StartsAt: at, Place: text, Urgency: MeetingUrgency(text), UrgencyReason: text, Call: n, PreviousMeetingID: ref, At: govT0},
			AddItem{MeetingID: id, ItemID: ref, Title: text, Description: text, QuestionType: QuestionType(text), Documents: docs, Presenter: text, UrgentVoteID: ref, At: at},
			WithdrawItem{MeetingID: id, ItemID: ref, Reason: text, At: at},
			PublishAgenda{MeetingID: id, BodyID: ref, ConsultationClosesAt: at, At: govT0},
			ConveneMeeting{MeetingID: id, BodyID: ref, Present: []string{ref, text, id}, PresidingMemberID: text, At: at},
			RecordQuorumFailure{MeetingID: id, BodyID: ref, Present: []string{text}, At: at},
			RecordArrival{MeetingID: id, BodyID: ref, MemberID: text, At: at},
			RecordDeparture{MeetingID: id, MemberID: ref, At: at},
			AdjournMeeting{MeetingID: id, At: at},
			PublishMinutes{MeetingID: id, Documents: docs, At: at},
			PostponeMeeting{MeetingID: id, StartsAt: at, Reason: text, At: govT0},
			CancelMeeting{MeetingID: id, Reason: text, At: at},
			OpenConsultation{ItemID: id, MeetingID: ref, At: at},
			SubmitComment{ItemID: id, CommentID: ref, Kind: CommentKind(text), Text: text, SubjectRef: SubjectRef(ref), At: at},
			ModerateComment{ItemID: id, CommentID: ref, Reason: text, At: at},
			WithdrawComment{ItemID: id, CommentID: ref, SubjectRef: SubjectRef(text), At: at},
			CloseConsultation{ItemID: id, Reason: text, At: at},
			ProposeAmendment{AmendmentID: id, BodyID: govBody, MeetingID: ref, ItemID: text, ProposerID: ref, Text: text, At: at},
			WithdrawAmendment{AmendmentID: id, Reason: text, At: at},
			AcceptAmendment{AmendmentID: id, VoteID: ref, Note: text, At: at},
			RejectAmendment{AmendmentID: id, VoteID: ref, Reason: text, At: at},
			OpenVote{VoteID: id, BodyID: govBody, MeetingID: ref, ItemID: text, AmendmentID: ref, Question: text, QuestionType: QuestionType(text), Method: VoteMethod(text), At: at},
			CastBallot{VoteID: id, BodyID: govBody, MeetingID: ref, MemberID: text, Choice: BallotChoice(text), At: at},
			ChangeBallot{VoteID: id, MemberID: ref, Choice: BallotChoice(text), At: at},
			CloseVote{VoteID: id, BodyID: govBody, MeetingID: govMeeting, Tally: tally, At: at},
			CloseVote{VoteID: id, BodyID: govBody, MeetingID: govMeeting, At: at},
			AdoptDecision{DecisionID: id, BodyID: govBody, Number: int64(n), Year: n, VoteID: ref, Title: text, Text: text, LegalBasis: text, Documents: docs, At: at},
			AdoptDecision{DecisionID: id, BodyID: govBody, Number: int64(n), Exception: &DecisionException{Kind: ref, LegalBasis: text}, Title: text, Text: text, LegalBasis: text, At: at},
			PublishDecision{DecisionID: id, Register: ref, RegisterID: text, DocumentSHA256: text, At: at},
			CorrectDecision{DecisionID: id, Reason: text, Title: text, Text: ref, Documents: docs, At: at},
			RevokeDecision{DecisionID: id, Reason: text, RevokingDecisionID: ref, At: at},
			AnnulDecision{DecisionID: id, Reason: text, Authority: ref, At: at},
		}
		cmd := cmds[int(which)%len(cmds)]
		for _, tg := range targets {
			ps, err := tg.decide(cmd)
			if err != nil {
				switch ErrorCode(err) {
				case CodeInvalid, CodeConflict, CodeNotFound, CodeForbidden:
				default:
					t.Fatalf("%T refused with %q: %v", cmd, ErrorCode(err), err)
				}
				if len(ps) != 0 {
					t.Fatalf("%T refused but returned events", cmd)
				}
				continue
			}
			for _, p := range ps {
				ev, err := Encode(p)
				if err != nil {
					t.Fatalf("encode %T: %v", p, err)
				}
				if _, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data}); err != nil {
					t.Fatalf("decode %s: %v", ev.Data, err)
				}
			}
			tg.fold(ps)
		}
	})
}
