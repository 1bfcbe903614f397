package events

import "testing"

func TestAmendmentRules(t *testing.T) {
	facts := govFacts(govBodyFacts(), govMeetingFacts(govConvened(9)))
	propose := func(mut func(*ProposeAmendment)) ProposeAmendment {
		c := ProposeAmendment{AmendmentID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", ProposerID: govMember(4),
			Text: "Αύξηση του κονδυλίου για παιδικές χαρές κατά 20.000 €", At: govSitting}
		if mut != nil {
			mut(&c)
		}
		return c
	}
	proposed := []Payload{AmendmentProposed{AmendmentID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", ProposerID: govMember(4), Text: "x"}}
	voteFacts := func(v VoteState) Facts { return Facts{voteStream("v-am"): v} }
	passed := VoteState{ID: "v-am", AmendmentID: "am-1", Status: VoteIsClosed, Result: VotePassed}
	failed := VoteState{ID: "v-am", AmendmentID: "am-1", Status: VoteIsClosed, Result: VoteFailed}
	stillOpen := VoteState{ID: "v-am", AmendmentID: "am-1", Status: VoteIsOpen}
	otherAmendment := VoteState{ID: "v-am", AmendmentID: "am-2", Status: VoteIsClosed, Result: VotePassed}
	withdrawnItem := govFacts(govBodyFacts(), govMeetingFacts(append(govPublished(), MeetingItemWithdrawn{ItemID: "it-1", Reason: "x"})))
	adjourned := govFacts(govBodyFacts(), govMeetingFacts(append(govConvened(9), MeetingAdjourned{})))
	cancelled := govFacts(govBodyFacts(), govMeetingFacts(append(govPublished(), MeetingCancelled{Reason: "x"})))

	govCheckRefusals(t, AmendmentDecider, []govRefusal{
		{name: "an amendment without text is invalid", facts: facts, cmd: propose(func(c *ProposeAmendment) { c.Text = "" }), want: CodeInvalid},
		{name: "an amendment without a proposer is invalid", facts: facts, cmd: propose(func(c *ProposeAmendment) { c.ProposerID = "" }), want: CodeInvalid},
		{name: "proposing an amendment twice is a conflict", given: proposed, facts: facts, cmd: propose(nil), want: CodeConflict},
		{name: "an amendment at an unknown meeting is not found", facts: govBodyFacts(), cmd: propose(nil), want: CodeNotFound},
		{name: "an amendment to an item not on the agenda is not found", facts: facts, cmd: propose(func(c *ProposeAmendment) { c.ItemID = "it-9" }), want: CodeNotFound},
		{name: "an amendment to a withdrawn item is a conflict", facts: withdrawnItem, cmd: propose(nil), want: CodeConflict},
		{name: "an amendment at an adjourned meeting is a conflict", facts: adjourned, cmd: propose(nil), want: CodeConflict},
		{name: "an amendment at a cancelled meeting is a conflict", facts: cancelled, cmd: propose(nil), want: CodeConflict},
		{name: "an amendment by someone who does not sit in the body is forbidden", facts: facts, cmd: propose(func(c *ProposeAmendment) { c.ProposerID = "citizen" }), want: CodeForbidden},
		{name: "an amendment naming another body is invalid", facts: facts, cmd: propose(func(c *ProposeAmendment) { c.BodyID = "other" }), want: CodeInvalid},
		{name: "withdrawing an unknown amendment is not found", cmd: WithdrawAmendment{AmendmentID: "am-1", Reason: "x"}, want: CodeNotFound},
		{name: "withdrawing without a reason is invalid", given: proposed, cmd: WithdrawAmendment{AmendmentID: "am-1"}, want: CodeInvalid},
		{name: "accepting a withdrawn amendment is a conflict", given: append(proposed, AmendmentWithdrawn{Reason: "x"}), cmd: AcceptAmendment{AmendmentID: "am-1", Note: "x"}, want: CodeConflict},
		{name: "accepting without a vote needs a note", given: proposed, cmd: AcceptAmendment{AmendmentID: "am-1"}, want: CodeInvalid},
		{name: "accepting by a vote that failed is a conflict", given: proposed, facts: voteFacts(failed), cmd: AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am"}, want: CodeConflict},
		{name: "accepting by a vote still open is a conflict", given: proposed, facts: voteFacts(stillOpen), cmd: AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am"}, want: CodeConflict},
		{name: "accepting by a vote on another amendment is a conflict", given: proposed, facts: voteFacts(otherAmendment), cmd: AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am"}, want: CodeConflict},
		{name: "accepting by an unknown vote is not found", given: proposed, cmd: AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am"}, want: CodeNotFound},
		{name: "rejecting by a vote that passed is a conflict", given: proposed, facts: voteFacts(passed), cmd: RejectAmendment{AmendmentID: "am-1", VoteID: "v-am"}, want: CodeConflict},
		{name: "rejecting without a vote needs a reason", given: proposed, cmd: RejectAmendment{AmendmentID: "am-1"}, want: CodeInvalid},
		{name: "rejecting an accepted amendment is a conflict", given: append(proposed, AmendmentAccepted{Note: "x"}), cmd: RejectAmendment{AmendmentID: "am-1", Reason: "x"}, want: CodeConflict},
		{name: "a command of another aggregate is invalid", given: proposed, cmd: AdjournMeeting{MeetingID: govMeeting}, want: CodeInvalid},
	})
}

func TestAmendmentLifecycle(t *testing.T) {
	facts := govFacts(govBodyFacts(), govMeetingFacts(govPublished()))
	t.Run("a member proposes an amendment before the meeting and a vote accepts it", func(t *testing.T) {
		given := govDecide(t, AmendmentDecider, nil, facts, ProposeAmendment{AmendmentID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", ProposerID: "mayor", Text: "Νέο άρθρο 3", At: govT0})
		v := VoteState{ID: "v-am", AmendmentID: "am-1", Status: VoteIsClosed, Result: VotePassed}
		given = append(given, govDecide(t, AmendmentDecider, given, Facts{voteStream("v-am"): v}, AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am", At: govSitting})...)
		s := AmendmentDecider.Fold(given...)
		if s.Status != AmendmentIsAccepted || s.VoteID != "v-am" || s.ProposerID != "mayor" {
			t.Fatalf("state %+v", s)
		}
	})
	t.Run("the presenter takes an amendment into the proposal without a vote", func(t *testing.T) {
		given := []Payload{AmendmentProposed{AmendmentID: "am-2", ItemID: "it-1"}}
		evs := govDecide(t, AmendmentDecider, given, nil, AcceptAmendment{AmendmentID: "am-2", Note: "Η εισηγήτρια την ενσωμάτωσε", At: govSitting})
		if a := evs[0].(AmendmentAccepted); a.VoteID != "" || a.Note == "" {
			t.Fatalf("accepted %+v", a)
		}
	})
	t.Run("a vote that failed rejects an amendment", func(t *testing.T) {
		given := []Payload{AmendmentProposed{AmendmentID: "am-1", ItemID: "it-1"}}
		v := VoteState{ID: "v-am", AmendmentID: "am-1", Status: VoteIsClosed, Result: VoteFailed}
		evs := govDecide(t, AmendmentDecider, given, Facts{voteStream("v-am"): v}, RejectAmendment{AmendmentID: "am-1", VoteID: "v-am", At: govSitting})
		if s := AmendmentDecider.Fold(append(given, evs...)...); s.Status != AmendmentIsRejected {
			t.Fatalf("state %+v", s)
		}
	})
}
