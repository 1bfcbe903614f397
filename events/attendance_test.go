package events

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// govSubstituteBody is the fixture council with substitutes allowed and
// one substitute, "sub".
func govSubstituteBody() Facts {
	s := DefaultBodySettings(13)
	s.Substitutes = true
	return govBodyFacts(BodySettingsChanged{Settings: s, Reason: "Κανονισμός λειτουργίας"},
		BodyMemberJoined{MemberID: "sub", Name: "Αναπληρωματικό μέλος", Role: RoleSubstitute})
}

func TestAttendanceRules(t *testing.T) {
	body := govBodyFacts()
	subs := govSubstituteBody()
	sitting := govSitting
	conflicted := append(govConvened(9), MeetingConflictDeclared{ItemID: "it-1", MemberID: govMember(3), Reason: "Συγγένεια με τον ανάδοχο"})
	steppedOut := append(govConvened(9), MeetingMemberSteppedOut{ItemID: "it-1", MemberID: govMember(4)})
	withdrawn := append(govPublished(), MeetingItemWithdrawn{ItemID: "it-2", Reason: "x"})
	justified := append(govConvened(9), MeetingAbsenceJustified{MemberID: govMember(12), Reason: "Ασθένεια"})
	seated := append(govPublished(), MeetingSubstituteSeated{SubstituteID: "sub", ForMemberID: govMember(12)})
	conflict := func(item, member, reason string) DeclareConflict {
		return DeclareConflict{MeetingID: govMeeting, BodyID: govBody, ItemID: item, MemberID: member, Reason: reason, At: sitting}
	}
	stepOut := func(item, member string) StepOut {
		return StepOut{MeetingID: govMeeting, ItemID: item, MemberID: member, At: sitting}
	}
	justify := func(member, reason string) JustifyAbsence {
		return JustifyAbsence{MeetingID: govMeeting, BodyID: govBody, MemberID: member, Reason: reason, At: sitting}
	}
	seat := func(sub, member string) SeatSubstitute {
		return SeatSubstitute{MeetingID: govMeeting, BodyID: govBody, SubstituteID: sub, ForMemberID: member, At: sitting}
	}
	govCheckRefusals(t, MeetingDecider, []govRefusal{
		{name: "stepping out of an item before the sitting is a conflict", given: govPublished(), cmd: stepOut("it-1", govMember(2)), want: CodeConflict},
		{name: "stepping out of an unknown item is not found", given: govConvened(9), cmd: stepOut("it-9", govMember(2)), want: CodeNotFound},
		{name: "an absent member stepping out is a conflict", given: govConvened(9), cmd: stepOut("it-1", govMember(12)), want: CodeConflict},
		{name: "stepping out of an item twice is a conflict", given: steppedOut, cmd: stepOut("it-1", govMember(4)), want: CodeConflict},
		{name: "stepping out of an item one is recused from is a conflict", given: conflicted, cmd: stepOut("it-1", govMember(3)), want: CodeConflict},
		{name: "stepping out with a malformed member id is invalid", given: govConvened(9), cmd: stepOut("it-1", "a b"), want: CodeInvalid},
		{name: "a conflict of interest without a reason is invalid", given: govConvened(9), facts: body, cmd: conflict("it-1", govMember(3), ""), want: CodeInvalid},
		{name: "a conflict of interest of a stranger is not found", given: govConvened(9), facts: body, cmd: conflict("it-1", "stranger", "x"), want: CodeNotFound},
		{name: "a conflict of interest on an unknown item is not found", given: govConvened(9), facts: body, cmd: conflict("it-9", govMember(3), "x"), want: CodeNotFound},
		{name: "a conflict of interest on a withdrawn item is a conflict", given: withdrawn, facts: body, cmd: conflict("it-2", govMember(3), "x"), want: CodeConflict},
		{name: "a conflict of interest declared twice is a conflict", given: conflicted, facts: body, cmd: conflict("it-1", govMember(3), "x"), want: CodeConflict},
		{name: "a conflict of interest after the meeting is a conflict", given: append(govConvened(9), MeetingAdjourned{}), facts: body, cmd: conflict("it-1", govMember(3), "x"), want: CodeConflict},
		{name: "a conflict of interest under another body is invalid", given: govConvened(9), facts: body, cmd: DeclareConflict{MeetingID: govMeeting, BodyID: "other", ItemID: "it-1", MemberID: govMember(3), Reason: "x", At: sitting}, want: CodeInvalid},
		{name: "justifying the absence of a member present is a conflict", given: govConvened(9), facts: body, cmd: justify(govMember(3), "x"), want: CodeConflict},
		{name: "justifying an absence twice is a conflict", given: justified, facts: body, cmd: justify(govMember(12), "x"), want: CodeConflict},
		{name: "justifying an absence without a reason is invalid", given: govConvened(9), facts: body, cmd: justify(govMember(12), ""), want: CodeInvalid},
		{name: "justifying an absence from a cancelled meeting is a conflict", given: append(govPublished(), MeetingCancelled{Reason: "x"}), facts: body, cmd: justify(govMember(12), "x"), want: CodeConflict},
		{name: "justifying the absence of a stranger is not found", given: govConvened(9), facts: body, cmd: justify("stranger", "x"), want: CodeNotFound},
		{name: "a substitute in a body without substitutes is a conflict", given: govPublished(), facts: body, cmd: seat("sub", govMember(12)), want: CodeConflict},
		{name: "a substitute who is an ordinary member is a conflict", given: govPublished(), facts: subs, cmd: seat(govMember(11), govMember(12)), want: CodeConflict},
		{name: "a substitute who does not sit in the body is not found", given: govPublished(), facts: subs, cmd: seat("nobody", govMember(12)), want: CodeNotFound},
		{name: "a substitute for the mayor, who has no vote, is not found", given: govPublished(), facts: subs, cmd: seat("sub", "mayor"), want: CodeNotFound},
		{name: "a substitute for a member present is a conflict", given: govConvened(9), facts: subs, cmd: seat("sub", govMember(3)), want: CodeConflict},
		{name: "a substitute seated twice is a conflict", given: seated, facts: subs, cmd: seat("sub", govMember(13)), want: CodeConflict},
		{name: "a substitute after the meeting is a conflict", given: append(govConvened(9), MeetingAdjourned{}), facts: subs, cmd: seat("sub", govMember(12)), want: CodeConflict},
		{name: "a substituted member's arrival is a conflict", given: append(seated[:len(seated):len(seated)], MeetingConvened{Call: 1, Present: append(govPresent(9), "sub"), PresidingMemberID: govMember(1)}), facts: subs, cmd: RecordArrival{MeetingID: govMeeting, BodyID: govBody, MemberID: govMember(12), At: sitting}, want: CodeConflict},
		{name: "a substituted member in the attendance is a conflict", given: seated, facts: subs, cmd: ConveneMeeting{MeetingID: govMeeting, BodyID: govBody, Present: append(govPresent(9), govMember(12)), PresidingMemberID: govMember(1), At: sitting}, want: CodeConflict},
	})

	vote := VoteDecider.Fold(govOpened(VoteRollCall, QuestionOrdinary))
	ballot := func(member string) CastBallot {
		return CastBallot{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, MemberID: member, Choice: BallotYes, At: sitting}
	}
	for _, tc := range []struct {
		name    string
		meeting []Payload
		body    Facts
		member  string
	}{
		{"a ballot of a member recused from the item is forbidden", conflicted, body, govMember(3)},
		{"a ballot of a member who stepped out of the item is forbidden", steppedOut, body, govMember(4)},
		{"a ballot of a substitute not seated is forbidden", append(govConvened(9), MeetingMemberArrived{MemberID: "sub"}), subs, "sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			facts := govFacts(tc.body, govMeetingFacts(tc.meeting))
			got, err := VoteDecider.Decide(vote, ballot(tc.member), facts)
			if ErrorCode(err) != CodeForbidden || len(got) != 0 {
				t.Fatalf("%v, %v: want forbidden and no events", got, err)
			}
		})
	}
}

func TestItemAttendance(t *testing.T) {
	body := govBodyFacts()
	sitting := govSitting
	t.Run("a conflict of interest keeps the member out of the item's vote, quorum and majority", func(t *testing.T) {
		meeting := append(govConvened(9), MeetingConflictDeclared{ItemID: "it-1", MemberID: govMember(3), Reason: "Μέτοχος της αναδόχου εταιρείας"},
			MeetingMemberSteppedOut{ItemID: "it-1", MemberID: govMember(4)})
		facts := govFacts(body, govMeetingFacts(meeting), Facts{itemQuestionClaim(govMeeting, "it-1"): ClaimState{}})
		opened := govDecide(t, VoteDecider, nil, facts, OpenVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Question: "Εγκρίνεται;", Method: VoteRollCall, At: sitting})
		o := opened[0].(VoteOpened)
		if slices.Contains(o.Attending, govMember(3)) || slices.Contains(o.Attending, govMember(4)) || len(o.Attending) != 7 || !slices.Equal(o.Recused, []string{govMember(3)}) {
			t.Fatalf("attending %v, recused %v", o.Attending, o.Recused)
		}
		// Four of the seven attending vote yes: more than half of those
		// attending, though not of the nine present.
		given := append([]Payload{o}, govBallots(BallotYes, BallotYes)...)
		given = append(given, VoteBallotCast{MemberID: govMember(5), Choice: BallotYes}, VoteBallotCast{MemberID: govMember(6), Choice: BallotYes},
			VoteBallotCast{MemberID: govMember(7), Choice: BallotNo}, VoteBallotCast{MemberID: govMember(8), Choice: BallotNo}, VoteBallotCast{MemberID: govMember(9), Choice: BallotNo})
		closed := govDecide(t, VoteDecider, given, facts, CloseVote{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, At: sitting.Add(time.Minute)})
		c := closed[0].(VoteClosed)
		if c.Result != VotePassed || c.Recused != 1 || c.Absent != 5 {
			t.Fatalf("closed %+v", c)
		}
		if s := MeetingDecider.Fold(meeting...); s.Attends("it-2", govMember(3)) != true || s.Attends("it-1", govMember(3)) {
			t.Fatal("the conflict of interest reached another item, or not its own")
		}
	})
	t.Run("a substitute sits, counts toward quorum and votes in the seat of an absent member", func(t *testing.T) {
		subs := govSubstituteBody()
		meeting := govPublished()
		meeting = append(meeting, govDecide(t, MeetingDecider, meeting, subs, SeatSubstitute{MeetingID: govMeeting, BodyID: govBody, SubstituteID: "sub", ForMemberID: govMember(12), At: govMeetingAt.Add(-time.Hour)})...)
		// Six members and the substitute are seven of thirteen: quorum.
		meeting = append(meeting, govDecide(t, MeetingDecider, meeting, subs, ConveneMeeting{MeetingID: govMeeting, BodyID: govBody, Present: append(govPresent(6), "sub"), PresidingMemberID: govMember(1), At: sitting})...)
		facts := govFacts(subs, govMeetingFacts(meeting))
		evs := govDecide(t, VoteDecider, []Payload{govOpened(VoteRollCall, QuestionOrdinary)}, facts, CastBallot{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, MemberID: "sub", Choice: BallotYes, At: sitting})
		if b := evs[0].(VoteBallotCast); b.MemberID != "sub" {
			t.Fatalf("ballot %+v", b)
		}
	})
	t.Run("a justified absence is kept with its reason", func(t *testing.T) {
		evs := govDecide(t, MeetingDecider, govConvened(9), body, JustifyAbsence{MeetingID: govMeeting, BodyID: govBody, MemberID: govMember(12), Reason: "Υπηρεσιακή υποχρέωση", At: sitting})
		if s := MeetingDecider.Fold(append(govConvened(9), evs...)...); s.Attendance.Justified[govMember(12)] != "Υπηρεσιακή υποχρέωση" {
			t.Fatalf("justified %v", s.Attendance.Justified)
		}
	})
	t.Run("a vote opened at schema 1 reads with its attendance not recorded", func(t *testing.T) {
		data, _ := json.Marshal(map[string]any{"vote_id": "v-1", "body_id": govBody, "meeting_id": govMeeting, "item_id": "it-1", "question": "q", "question_type": "ordinary", "method": "roll_call"})
		p, err := Decode(RecordedEvent{Type: "vote.opened", Schema: 1, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if o := p.(VoteOpened); o.Attending != nil || o.VoteID != "v-1" {
			t.Fatalf("upcast %+v", o)
		}
	})
	t.Run("evolving attendance never mutates the state it was given", func(t *testing.T) {
		before := MeetingDecider.Fold(govConvened(9)...)
		_ = MeetingDecider.Evolve(before, MeetingConflictDeclared{ItemID: "it-1", MemberID: govMember(2), Reason: "x"})
		_ = MeetingDecider.Evolve(before, MeetingSubstituteSeated{SubstituteID: "sub", ForMemberID: govMember(12)})
		if !before.Attends("it-1", govMember(2)) || before.IsPresent("sub") {
			t.Fatal("the input state changed")
		}
	})
}
