package events

import (
	"testing"
	"time"
)

const govNextMeeting = "synedriasi-2026-06"

// govMinutesVote is the passed vote of the next meeting approving minutes.
func govMinutesVote(q QuestionType, result VoteResult) Facts {
	return Facts{voteStream("v-pr"): VoteDecider.Fold(
		VoteOpened{VoteID: "v-pr", BodyID: govBody, MeetingID: govNextMeeting, ItemID: "next-1", Question: "Επικυρώνονται τα πρακτικά;", QuestionType: q, Method: VoteShowOfHands},
		VoteClosed{Yes: 9, Result: result})}
}

func govNextMeetingFacts(body string) Facts {
	return Facts{meetingStream(govNextMeeting): MeetingDecider.Fold(
		MeetingScheduled{MeetingID: govNextMeeting, BodyID: body, StartsAt: govMeetingAt.Add(14 * 24 * time.Hour), Place: "x", Urgency: MeetingRegular, Call: 1})}
}

func TestMinutesRules(t *testing.T) {
	adjourned := append(govConvened(9), MeetingAdjourned{})
	docs := []DocumentRef{govDoc("praktika")}
	after := govSitting.Add(48 * time.Hour)
	decision := func(meeting string) Facts {
		return Facts{decisionStream("d-1"): DecisionDecider.Fold(DecisionAdopted{DecisionID: "d-1", BodyID: govBody, Number: 1, Year: 2026, MeetingID: meeting, Title: "x"})}
	}
	draft := func(decisions ...string) DraftMinutes {
		return DraftMinutes{MeetingID: govMeeting, BodyID: govBody, Documents: docs, DecisionIDs: decisions, At: after}
	}
	drafted := []Payload{MinutesDrafted{MeetingID: govMeeting, BodyID: govBody, Version: 1, Documents: docs, DecisionIDs: []string{"d-1"}}}
	approved := append(drafted, MinutesApproved{Version: 1, MeetingID: govNextMeeting, VoteID: "v-pr"})
	approve := ApproveMinutes{MeetingID: govMeeting, ApprovingMeetingID: govNextMeeting, VoteID: "v-pr", At: after.Add(14 * 24 * time.Hour)}
	ok := govFacts(govNextMeetingFacts(govBody), govMinutesVote(QuestionMinutes, VotePassed))
	taken := govFacts(ok, Facts{voteDecisionClaim("v-pr"): ClaimState{By: "decision-x"}})
	atOwn := approve
	atOwn.ApprovingMeetingID = govMeeting
	govCheckRefusals(t, MinutesDecider, []govRefusal{
		{name: "minutes without documents are invalid", facts: govMeetingFacts(adjourned), cmd: DraftMinutes{MeetingID: govMeeting, BodyID: govBody, At: after}, want: CodeInvalid},
		{name: "minutes naming a decision twice are invalid", facts: govMeetingFacts(adjourned), cmd: draft("d-1", "d-1"), want: CodeInvalid},
		{name: "minutes of a meeting still sitting are a conflict", facts: govMeetingFacts(govConvened(9)), cmd: draft(), want: CodeConflict},
		{name: "minutes of an unknown meeting are not found", cmd: draft(), want: CodeNotFound},
		{name: "minutes under another body are invalid", facts: govMeetingFacts(adjourned), cmd: DraftMinutes{MeetingID: govMeeting, BodyID: "other", Documents: docs, At: after}, want: CodeInvalid},
		{name: "minutes drafted twice are a conflict", given: drafted, facts: govMeetingFacts(adjourned), cmd: draft(), want: CodeConflict},
		{name: "minutes naming an unknown decision are not found", facts: govMeetingFacts(adjourned), cmd: draft("d-1"), want: CodeNotFound},
		{name: "minutes naming a decision of another meeting are a conflict", facts: govFacts(govMeetingFacts(adjourned), decision("elsewhere")), cmd: draft("d-1"), want: CodeConflict},
		{name: "correcting minutes never drafted is not found", cmd: CorrectMinutes{MeetingID: govMeeting, Reason: "x", Documents: docs, At: after}, want: CodeNotFound},
		{name: "a correction without a reason is invalid", given: drafted, cmd: CorrectMinutes{MeetingID: govMeeting, Documents: []DocumentRef{govDoc("v2")}, At: after}, want: CodeInvalid},
		{name: "a correction that changes nothing is a conflict", given: drafted, cmd: CorrectMinutes{MeetingID: govMeeting, Reason: "x", Documents: docs, At: after}, want: CodeConflict},
		{name: "approving minutes never drafted is not found", facts: ok, cmd: approve, want: CodeNotFound},
		{name: "approving minutes twice is a conflict", given: approved, facts: ok, cmd: approve, want: CodeConflict},
		{name: "approving minutes at their own meeting is a conflict", given: drafted, facts: ok, cmd: atOwn, want: CodeConflict},
		{name: "approving minutes at another body's meeting is invalid", given: drafted, facts: govFacts(govNextMeetingFacts("other"), govMinutesVote(QuestionMinutes, VotePassed)), cmd: approve, want: CodeInvalid},
		{name: "approving minutes by an ordinary vote is a conflict", given: drafted, facts: govFacts(govNextMeetingFacts(govBody), govMinutesVote(QuestionOrdinary, VotePassed)), cmd: approve, want: CodeConflict},
		{name: "approving minutes by a failed vote is a conflict", given: drafted, facts: govFacts(govNextMeetingFacts(govBody), govMinutesVote(QuestionMinutes, VoteFailed)), cmd: approve, want: CodeConflict},
		{name: "approving minutes by a vote that decided something else is a conflict", given: drafted, facts: taken, cmd: approve, want: CodeConflict},
		{name: "approving minutes by an unknown vote is not found", given: drafted, facts: govNextMeetingFacts(govBody), cmd: approve, want: CodeNotFound},
	})
}

func TestMinutesLifecycle(t *testing.T) {
	adjourned := append(govConvened(9), MeetingAdjourned{})
	after := govSitting.Add(48 * time.Hour)
	facts := govFacts(govMeetingFacts(adjourned), Facts{decisionStream("d-1"): DecisionDecider.Fold(DecisionAdopted{DecisionID: "d-1", BodyID: govBody, Number: 1, Year: 2026, MeetingID: govMeeting, Title: "x"})})
	given := govDecide(t, MinutesDecider, nil, facts, DraftMinutes{MeetingID: govMeeting, BodyID: govBody, Documents: []DocumentRef{govDoc("praktika")}, DecisionIDs: []string{"d-1"}, At: after})
	given = append(given, govDecide(t, MinutesDecider, given, nil, CorrectMinutes{MeetingID: govMeeting, Reason: "Παράλειψη τοποθέτησης συμβούλου", Documents: []DocumentRef{govDoc("praktika-v2")}, At: after})...)
	evs := govDecide(t, MinutesDecider, given, govFacts(govNextMeetingFacts(govBody), govMinutesVote(QuestionMinutes, VotePassed)),
		ApproveMinutes{MeetingID: govMeeting, ApprovingMeetingID: govNextMeeting, VoteID: "v-pr", At: after})
	if c, ok := evs[1].(OnStream); !ok || c.Stream != voteDecisionClaim("v-pr") {
		t.Fatalf("approval took no claim on its vote: %v", evs)
	}
	s := MinutesDecider.Fold(append(given, evs[0])...)
	if s.Status != MinutesAreApproved || s.Approved.Version != 2 || len(s.Versions) != 2 || s.DecisionIDs[0] != "d-1" {
		t.Fatalf("state %+v", s)
	}
	s = MinutesDecider.Evolve(s, MinutesCorrected{Version: 3, Reason: "x", Documents: []DocumentRef{govDoc("v3")}})
	if s.Status != MinutesAreDrafted || s.Approved.Version != 2 {
		t.Fatalf("corrected approved minutes need a new approval: %+v", s)
	}
}
