package events

import (
	"fmt"
	"testing"
	"time"
)

var govSitting = govMeetingAt.Add(10 * time.Minute)

func govOpened(method VoteMethod, q QuestionType) VoteOpened {
	return VoteOpened{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Question: "Εγκρίνεται ο προϋπολογισμός;", QuestionType: q, Method: method}
}

// govBallots returns the cast events of choices, by m01, m02, ...
func govBallots(choices ...BallotChoice) []Payload {
	out := make([]Payload, len(choices))
	for i, c := range choices {
		out[i] = VoteBallotCast{MemberID: govMember(i + 1), Choice: c}
	}
	return out
}

func govRepeat(c BallotChoice, n int) []BallotChoice {
	out := make([]BallotChoice, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func govJoin(parts ...[]BallotChoice) []BallotChoice {
	var out []BallotChoice
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestVoteRules(t *testing.T) {
	sitting := govFacts(govBodyFacts(), govMeetingFacts(govConvened(9)))
	open := []Payload{govOpened(VoteRollCall, QuestionOrdinary)}
	secret := []Payload{govOpened(VoteSecret, QuestionOrdinary)}
	closed := append(govBallots(BallotYes), VoteClosed{Result: VoteNoQuorum})
	closed = append([]Payload{govOpened(VoteRollCall, QuestionOrdinary)}, closed...)
	openVote := func(mut func(*OpenVote)) OpenVote {
		c := OpenVote{VoteID: "v-2", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-2", Question: "Εγκρίνεται;", Method: VoteRollCall, At: govSitting}
		mut(&c)
		return c
	}
	cast := func(member string, choice BallotChoice) CastBallot {
		return CastBallot{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, MemberID: member, Choice: choice, At: govSitting}
	}
	closeVote := CloseVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, At: govSitting}
	withTally := closeVote
	withTally.Tally = &VoteTally{Yes: 5}
	negative := closeVote
	negative.Tally = &VoteTally{Yes: 5, No: -1}
	tooMany := closeVote
	tooMany.Tally = &VoteTally{Yes: 10, No: 4}
	amend := func(a AmendmentState) Facts { return govFacts(sitting, Facts{amendmentStream("am-1"): a}) }
	proposed := AmendmentState{ID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Status: AmendmentIsProposed}
	withdrawn := proposed
	withdrawn.Status = AmendmentIsWithdrawn
	elsewhere := proposed
	elsewhere.MeetingID = "other"
	thirdCall := govFacts(govBodyFacts(), govMeetingFacts(append(govPublished(), MeetingConvened{Call: 3, Present: govPresent(5), PresidingMemberID: govMember(1)})))
	withdrawnItem := govFacts(govBodyFacts(), govMeetingFacts(append(govConvened(9), MeetingItemWithdrawn{ItemID: "it-2", Reason: "x"})))
	unpublished := govFacts(govBodyFacts(), govMeetingFacts(append(govScheduled(), MeetingConvened{Call: 1, Present: govPresent(9), PresidingMemberID: govMember(1)})))

	govCheckRefusals(t, VoteDecider, []govRefusal{
		{name: "a vote on neither item nor amendment is invalid", facts: sitting, cmd: openVote(func(c *OpenVote) { c.ItemID = "" }), want: CodeInvalid},
		{name: "a vote without a question is invalid", facts: sitting, cmd: openVote(func(c *OpenVote) { c.Question = "" }), want: CodeInvalid},
		{name: "an unknown voting method is invalid", facts: sitting, cmd: openVote(func(c *OpenVote) { c.Method = "acclamation" }), want: CodeInvalid},
		{name: "opening a vote twice is a conflict", given: open, facts: sitting, cmd: openVote(func(c *OpenVote) { c.VoteID = "v-1" }), want: CodeConflict},
		{name: "a vote at an unknown meeting is not found", facts: govBodyFacts(), cmd: openVote(func(*OpenVote) {}), want: CodeNotFound},
		{name: "a vote at a meeting that is not sitting is a conflict", facts: govMeetingFacts(govPublished()), cmd: openVote(func(*OpenVote) {}), want: CodeConflict},
		{name: "a vote naming another body is invalid", facts: sitting, cmd: openVote(func(c *OpenVote) { c.BodyID = "other" }), want: CodeInvalid},
		{name: "a vote on an item not on the agenda is not found", facts: sitting, cmd: openVote(func(c *OpenVote) { c.ItemID = "it-9" }), want: CodeNotFound},
		{name: "a vote on a withdrawn item is a conflict", facts: withdrawnItem, cmd: openVote(func(*OpenVote) {}), want: CodeConflict},
		{name: "a vote on an item never published is a conflict", facts: unpublished, cmd: openVote(func(*OpenVote) {}), want: CodeConflict},
		{name: "an urgency vote on an item already on the agenda is a conflict", facts: sitting, cmd: openVote(func(c *OpenVote) { c.QuestionType = QuestionUrgency }), want: CodeConflict},
		{name: "an urgency vote at a third call is a conflict", facts: thirdCall, cmd: openVote(func(c *OpenVote) { c.ItemID, c.QuestionType = "it-9", QuestionUrgency }), want: CodeConflict},
		{name: "a vote on an unknown amendment is not found", facts: sitting, cmd: openVote(func(c *OpenVote) { c.ItemID, c.AmendmentID = "", "am-1" }), want: CodeNotFound},
		{name: "a vote on a withdrawn amendment is a conflict", facts: amend(withdrawn), cmd: openVote(func(c *OpenVote) { c.ItemID, c.AmendmentID = "", "am-1" }), want: CodeConflict},
		{name: "a vote on an amendment of another meeting is invalid", facts: amend(elsewhere), cmd: openVote(func(c *OpenVote) { c.ItemID, c.AmendmentID = "", "am-1" }), want: CodeInvalid},
		{name: "a ballot in an unknown vote is not found", facts: sitting, cmd: cast(govMember(2), BallotYes), want: CodeNotFound},
		{name: "a ballot after close is refused", given: closed, facts: sitting, cmd: cast(govMember(2), BallotYes), want: CodeConflict},
		{name: "a second ballot by the same member is refused; it must be a change", given: append(open, govBallots(BallotYes)...), facts: sitting, cmd: cast(govMember(1), BallotNo), want: CodeConflict},
		{name: "a ballot by a non-member is refused", given: open, facts: sitting, cmd: cast("stranger", BallotYes), want: CodeNotFound},
		{name: "a ballot by the mayor, who has no vote, is forbidden", given: open, facts: sitting, cmd: cast("mayor", BallotYes), want: CodeForbidden},
		{name: "a ballot by a member absent from the meeting is forbidden", given: open, facts: sitting, cmd: cast(govMember(12), BallotYes), want: CodeForbidden},
		{name: "a ballot in a secret vote is refused", given: secret, facts: sitting, cmd: cast(govMember(2), BallotYes), want: CodeConflict},
		{name: "an unknown ballot choice is invalid", given: open, facts: sitting, cmd: cast(govMember(2), "maybe"), want: CodeInvalid},
		{name: "a ballot naming another meeting is invalid", given: open, facts: sitting, cmd: CastBallot{VoteID: "v-1", BodyID: govBody, MeetingID: "other", MemberID: govMember(2), Choice: BallotYes}, want: CodeInvalid},
		{name: "changing a ballot never cast is not found", given: open, cmd: ChangeBallot{VoteID: "v-1", MemberID: govMember(2), Choice: BallotNo}, want: CodeNotFound},
		{name: "changing a ballot to the same choice is a conflict", given: append(open, govBallots(BallotYes)...), cmd: ChangeBallot{VoteID: "v-1", MemberID: govMember(1), Choice: BallotYes}, want: CodeConflict},
		{name: "changing a ballot after close is refused", given: closed, cmd: ChangeBallot{VoteID: "v-1", MemberID: govMember(1), Choice: BallotNo}, want: CodeConflict},
		{name: "closing a vote twice is a conflict", given: closed, facts: sitting, cmd: closeVote, want: CodeConflict},
		{name: "closing a secret vote without a tally is invalid", given: secret, facts: sitting, cmd: closeVote, want: CodeInvalid},
		{name: "closing an open vote with a tally is invalid", given: open, facts: sitting, cmd: withTally, want: CodeInvalid},
		{name: "a negative tally is invalid", given: secret, facts: sitting, cmd: negative, want: CodeInvalid},
		{name: "a tally with more ballots than voting members is invalid", given: secret, facts: sitting, cmd: tooMany, want: CodeInvalid},
		{name: "closing without the body's facts is not found", given: open, facts: govMeetingFacts(govConvened(9)), cmd: closeVote, want: CodeNotFound},
		{name: "a command of another aggregate is invalid", given: open, cmd: AdjournMeeting{MeetingID: govMeeting}, want: CodeInvalid},
	})
}

func TestVoteCount(t *testing.T) {
	qualified := DefaultBodySettings(13)
	qualified.Majorities["budget"] = MajorityRule{Kind: MajorityQualified, Fraction: Threshold{Numerator: 2, Denominator: 3, Inclusive: true}}
	qualified.Majorities["loan"] = MajorityRule{Kind: MajorityQualified, Fraction: Threshold{Numerator: 2, Denominator: 3, Inclusive: true}, OfSeats: true}
	simple := DefaultBodySettings(13)
	simple.Majority = MajorityRule{Kind: MajoritySimple}
	castBase := DefaultBodySettings(13)
	castBase.Majority = MajorityRule{Kind: MajorityAbsolute, Base: BaseCast}
	y, n, a, p := BallotYes, BallotNo, BallotAbstain, BallotPresent
	for _, tc := range []struct {
		name     string
		settings BodySettings
		method   VoteMethod
		question QuestionType
		call     int
		present  int
		ballots  []BallotChoice
		tally    *VoteTally
		want     VoteResult
		tieBreak bool
	}{
		{name: "seven yes of nine cast pass by absolute majority", ballots: govJoin(govRepeat(y, 7), govRepeat(n, 2)), want: VotePassed},
		{name: "abstentions count against an absolute majority", ballots: govJoin(govRepeat(y, 5), govRepeat(n, 4), govRepeat(a, 3)), present: 12, want: VoteFailed},
		{name: "abstentions do not count against a simple majority", settings: simple, ballots: govJoin(govRepeat(y, 5), govRepeat(n, 4), govRepeat(a, 3)), present: 12, want: VotePassed},
		{name: "present ballots count toward quorum and toward those present", present: 7, ballots: govJoin(govRepeat(y, 4), govRepeat(n, 1), govRepeat(p, 2)), want: VotePassed},
		{name: "an absolute majority counts those present, not the votes cast: 4 yes, 3 no, 1 present of 9 present fail", ballots: govJoin(govRepeat(y, 4), govRepeat(n, 3), govRepeat(p, 1)), want: VoteFailed},
		{name: "a body counting votes cast passes 4 yes, 3 no, 1 present of 9 present", settings: castBase, ballots: govJoin(govRepeat(y, 4), govRepeat(n, 3), govRepeat(p, 1)), want: VotePassed},
		{name: "3 yes, 3 no and 2 abstentions are no tie of the law and fail without a tie-break", present: 8, ballots: govJoin(govRepeat(y, 3), govRepeat(n, 3), govRepeat(a, 2)), want: VoteFailed},
		{name: "a member present who does not vote breaks the law's tie", ballots: govJoin(govRepeat(y, 4), govRepeat(n, 4)), want: VoteFailed},
		{name: "without the present ballots the same vote has no quorum", ballots: govJoin(govRepeat(y, 4), govRepeat(n, 1)), want: VoteNoQuorum},
		{name: "a tie in an open roll call is broken by the presiding member's yes", present: 8, ballots: govJoin(govRepeat(y, 4), govRepeat(n, 4)), want: VotePassed, tieBreak: true},
		{name: "a tie in an open roll call is broken by the presiding member's no", present: 8, ballots: govJoin(govRepeat(n, 4), govRepeat(y, 4)), want: VoteFailed, tieBreak: true},
		{name: "a tie by show of hands is not broken and fails", method: VoteShowOfHands, present: 8, ballots: govJoin(govRepeat(y, 4), govRepeat(n, 4)), want: VoteFailed},
		{name: "a tie is not broken when the presiding member abstained", ballots: govJoin([]BallotChoice{a}, govRepeat(y, 4), govRepeat(n, 4)), want: VoteFailed},
		{name: "a qualified two-thirds majority of votes cast passes at exactly two thirds", settings: qualified, question: "budget", ballots: govJoin(govRepeat(y, 6), govRepeat(n, 3)), want: VotePassed},
		{name: "a qualified majority is not reached below two thirds", settings: qualified, question: "budget", ballots: govJoin(govRepeat(y, 5), govRepeat(n, 3), govRepeat(a, 1)), want: VoteFailed},
		{name: "a qualified tie is never broken by the chair", settings: qualified, question: "budget", ballots: govJoin(govRepeat(y, 4), govRepeat(n, 4)), want: VoteFailed},
		{name: "a qualified majority of seats counts against all seats", settings: qualified, question: "loan", ballots: govJoin(govRepeat(y, 8), govRepeat(n, 1)), want: VoteFailed},
		{name: "a qualified majority of seats passes with enough seats", settings: qualified, question: "loan", present: 12, ballots: govJoin(govRepeat(y, 9), govRepeat(n, 3)), want: VotePassed},
		{name: "at a third call a third of the seats is a quorum", call: 3, present: 5, ballots: govJoin(govRepeat(y, 3), govRepeat(n, 2)), want: VotePassed},
		{name: "a secret vote is counted from its tally", method: VoteSecret, tally: &VoteTally{Yes: 6, No: 3}, want: VotePassed},
		{name: "a secret tie is not broken", method: VoteSecret, tally: &VoteTally{Yes: 4, No: 4}, want: VoteFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.settings.Seats == 0 {
				tc.settings = DefaultBodySettings(13)
			}
			if tc.method == "" {
				tc.method = VoteRollCall
			}
			if tc.question == "" {
				tc.question = QuestionOrdinary
			}
			if tc.call == 0 {
				tc.call = 1
			}
			if tc.present == 0 {
				tc.present = 9
			}
			body := govBodyFacts(BodySettingsChanged{Settings: tc.settings, Reason: "test"})
			meeting := govMeetingFacts(append(govPublished(), MeetingConvened{Call: tc.call, Present: govPresent(tc.present), PresidingMemberID: govMember(1)}))
			given := append([]Payload{govOpened(tc.method, tc.question)}, govBallots(tc.ballots...)...)
			evs := govDecide(t, VoteDecider, given, govFacts(body, meeting), CloseVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, Tally: tc.tally, At: govSitting})
			c := evs[0].(VoteClosed)
			if c.Result != tc.want || c.ChairTieBreak != tc.tieBreak {
				t.Fatalf("result %s tie-break %v, want %s %v (%+v)", c.Result, c.ChairTieBreak, tc.want, tc.tieBreak, c)
			}
			if sum := c.Yes + c.No + c.Abstain + c.Present + c.Absent; sum != 13 {
				t.Fatalf("counts add to %d, want the 13 voting members", sum)
			}
			if c.Majority != tc.settings.MajorityFor(tc.question) || c.Quorum != tc.settings.QuorumFor(tc.call) || c.Seats != 13 {
				t.Fatalf("rules recorded %+v", c)
			}
			if s := VoteDecider.Fold(append(given, c)...); s.Status != VoteIsClosed || s.Result != tc.want {
				t.Fatalf("folded %+v", s)
			}
		})
	}
}

func TestVoteLifecycle(t *testing.T) {
	facts := govFacts(govBodyFacts(), govMeetingFacts(govConvened(9)))
	t.Run("members vote, one changes their ballot, and the count uses the last ballot", func(t *testing.T) {
		given := govDecide(t, VoteDecider, nil, facts, OpenVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Question: "Εγκρίνεται ο προϋπολογισμός 2026;", Method: VoteRollCall, At: govSitting})
		if o := given[0].(VoteOpened); o.QuestionType != "budget" {
			t.Fatalf("question type %q, want the item's", o.QuestionType)
		}
		for i := 1; i <= 9; i++ {
			choice := BallotYes
			if i > 6 {
				choice = BallotNo
			}
			given = append(given, govDecide(t, VoteDecider, given, facts, CastBallot{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, MemberID: govMember(i), Choice: choice, At: govSitting})...)
		}
		given = append(given, govDecide(t, VoteDecider, given, facts, ChangeBallot{VoteID: "v-1", MemberID: govMember(9), Choice: BallotYes, At: govSitting})...)
		if ch := given[len(given)-1].(VoteBallotChanged); ch.Previous != BallotNo {
			t.Fatalf("change %+v", ch)
		}
		evs := govDecide(t, VoteDecider, given, facts, CloseVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, At: govSitting})
		c := evs[0].(VoteClosed)
		if c.Yes != 7 || c.No != 2 || c.Absent != 4 || c.Result != VotePassed {
			t.Fatalf("closed %+v", c)
		}
	})
	t.Run("a vote on an amendment takes the amendment's item", func(t *testing.T) {
		f := govFacts(facts, Facts{amendmentStream("am-1"): AmendmentState{ID: "am-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-2", Status: AmendmentIsProposed}})
		evs := govDecide(t, VoteDecider, nil, f, OpenVote{VoteID: "v-3", BodyID: govBody, MeetingID: govMeeting, AmendmentID: "am-1", Question: "Γίνεται δεκτή η τροπολογία;", Method: VoteShowOfHands, At: govSitting})
		if o := evs[0].(VoteOpened); o.ItemID != "it-2" || o.AmendmentID != "am-1" {
			t.Fatalf("opened %+v", o)
		}
	})
	t.Run("an urgency vote is opened on an item not yet on the agenda", func(t *testing.T) {
		evs := govDecide(t, VoteDecider, nil, facts, OpenVote{VoteID: "v-urg", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-9", Question: "Είναι κατεπείγον το θέμα;", QuestionType: QuestionUrgency, Method: VoteRollCall, At: govSitting})
		if o := evs[0].(VoteOpened); o.QuestionType != QuestionUrgency {
			t.Fatalf("opened %+v", o)
		}
	})
	t.Run("a ballot of a member who left the body before the close still counts", func(t *testing.T) {
		given := append([]Payload{govOpened(VoteRollCall, QuestionOrdinary)}, govBallots(govRepeat(BallotYes, 9)...)...)
		left := govFacts(govBodyFacts(BodyMemberLeft{MemberID: govMember(9), Reason: "Παραίτηση"}), govMeetingFacts(govConvened(9)))
		evs := govDecide(t, VoteDecider, given, left, CloseVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, At: govSitting})
		if c := evs[0].(VoteClosed); c.Yes != 9 || c.Absent != 3 || c.Result != VotePassed {
			t.Fatalf("closed %+v", c)
		}
	})
	t.Run("evolving never mutates the state it was given", func(t *testing.T) {
		before := VoteDecider.Fold(append([]Payload{govOpened(VoteRollCall, QuestionOrdinary)}, govBallots(BallotYes)...)...)
		_ = VoteDecider.Evolve(before, VoteBallotChanged{MemberID: govMember(1), Previous: BallotYes, Choice: BallotNo})
		_ = VoteDecider.Evolve(before, VoteBallotCast{MemberID: govMember(2), Choice: BallotNo})
		if before.Ballots[govMember(1)] != BallotYes || len(before.Ballots) != 1 {
			t.Fatal(fmt.Sprint("the input state changed: ", before.Ballots))
		}
	})
}
