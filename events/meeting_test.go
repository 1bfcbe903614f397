package events

import (
	"maps"
	"testing"
	"time"
)

const govMeeting = "synedriasi-2026-05"

func govSchedule(at time.Time) ScheduleMeeting {
	return ScheduleMeeting{MeetingID: govMeeting, BodyID: govBody, StartsAt: govMeetingAt, Place: "Αίθουσα Δημοτικού Συμβουλίου",
		Urgency: MeetingRegular, Call: 1, At: at}
}

// govScheduled returns a regular meeting with two items, not yet published.
func govScheduled() []Payload {
	return []Payload{
		MeetingScheduled{MeetingID: govMeeting, BodyID: govBody, StartsAt: govMeetingAt, Place: "Αίθουσα Δημοτικού Συμβουλίου", Urgency: MeetingRegular, Call: 1},
		MeetingItemAdded{ItemID: "it-1", Title: "Έγκριση προϋπολογισμού 2026", QuestionType: "budget", Presenter: "Αντιδήμαρχος Οικονομικών", Documents: []DocumentRef{govDoc("proypologismos")}},
		MeetingItemAdded{ItemID: "it-2", Title: "Ονοματοδοσία οδού", QuestionType: QuestionOrdinary, Presenter: "Πρόεδρος"},
	}
}

// govPublished adds the agenda's publication, consultation closing a day
// before the meeting.
func govPublished() []Payload {
	return append(govScheduled(), MeetingAgendaPublished{ItemIDs: []string{"it-1", "it-2"}, ConsultationClosesAt: govMeetingAt.Add(-24 * time.Hour)})
}

// govPresent returns members m01..mn.
func govPresent(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = govMember(i + 1)
	}
	return out
}

// govConvened adds a sitting with members m01..mn present, m01 presiding.
func govConvened(n int) []Payload {
	return append(govPublished(), MeetingConvened{Call: 1, Present: govPresent(n), PresidingMemberID: govMember(1), Seats: 13, Quorum: Threshold{Numerator: 1, Denominator: 2}})
}

func govMeetingFacts(evs []Payload) Facts {
	return Facts{meetingStream(govMeeting): MeetingDecider.Fold(evs...)}
}

func govFacts(fs ...Facts) Facts {
	out := Facts{}
	for _, f := range fs {
		maps.Copy(out, f)
	}
	return out
}

func TestMeetingRules(t *testing.T) {
	body := govBodyFacts()
	before := govMeetingAt.Add(-7 * 24 * time.Hour)
	sitting := govMeetingAt.Add(10 * time.Minute)
	urgentSched := govSchedule(govT0)
	urgentSched.Urgency = MeetingUrgent
	regularWithReason := govSchedule(govT0)
	regularWithReason.UrgencyReason = "πλημμύρες"
	call2NoPrev := govSchedule(govT0)
	call2NoPrev.Call = 2
	call4 := govSchedule(govT0)
	call4.Call, call4.PreviousMeetingID = 4, "prev"
	secondCall := govSchedule(govT0)
	secondCall.MeetingID, secondCall.Call, secondCall.PreviousMeetingID = "second", 2, govMeeting
	noStart := govSchedule(govT0)
	noStart.StartsAt = time.Time{}
	item := func(id string, at time.Time) AddItem {
		return AddItem{MeetingID: govMeeting, ItemID: id, Title: "Τεχνική έκθεση", Presenter: "Τεχνική Υπηρεσία", At: at}
	}
	badDoc := item("it-9", before)
	badDoc.Documents = []DocumentRef{{Title: "x", MediaType: "application/pdf", SHA256: "00", URL: "https://x"}}
	urgencyItem := item("it-9", before)
	urgencyItem.QuestionType = QuestionUrgency
	outOfAgenda := item("it-9", sitting)
	outOfAgenda.UrgentVoteID = "v-urg"
	urgentFailed := govFacts(govMeetingFacts(govConvened(9)), Facts{voteStream("v-urg"): VoteDecider.Fold(
		VoteOpened{VoteID: "v-urg", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-9", Question: "Κατεπείγον;", QuestionType: QuestionUrgency, Method: VoteRollCall},
		VoteClosed{Yes: 4, No: 5, Result: VoteFailed})})
	thirdCall := append(govScheduled(), MeetingAgendaPublished{ItemIDs: []string{"it-1"}, ConsultationClosesAt: govMeetingAt},
		MeetingConvened{Call: 3, Present: govPresent(5), PresidingMemberID: govMember(1)})
	thirdCall[0] = MeetingScheduled{MeetingID: govMeeting, BodyID: govBody, StartsAt: govMeetingAt, Place: "x", Urgency: MeetingRegular, Call: 3, PreviousMeetingID: "p"}
	publish := func(at, closes time.Time) PublishAgenda {
		return PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: closes, At: at}
	}
	convene := func(present []string, presiding string, at time.Time) ConveneMeeting {
		return ConveneMeeting{MeetingID: govMeeting, BodyID: govBody, Present: present, PresidingMemberID: presiding, At: at}
	}
	withMayor := append(govPresent(6), "mayor")
	docs := []DocumentRef{govDoc("praktika")}

	govCheckRefusals(t, MeetingDecider, []govRefusal{
		{name: "a meeting id with a control character is invalid", facts: body, cmd: ScheduleMeeting{MeetingID: "a\x00", BodyID: govBody, StartsAt: govMeetingAt, Place: "x", Urgency: MeetingRegular, At: govT0}, want: CodeInvalid},
		{name: "a meeting without a start time is invalid", facts: body, cmd: noStart, want: CodeInvalid},
		{name: "an urgent meeting without a stated reason is invalid", facts: body, cmd: urgentSched, want: CodeInvalid},
		{name: "a regular meeting with an urgency reason is invalid", facts: body, cmd: regularWithReason, want: CodeInvalid},
		{name: "a second call without the previous meeting is invalid", facts: body, cmd: call2NoPrev, want: CodeInvalid},
		{name: "a fourth call is invalid", facts: body, cmd: call4, want: CodeInvalid},
		{name: "scheduling a meeting twice is a conflict", given: govScheduled(), facts: body, cmd: govSchedule(govT0), want: CodeConflict},
		{name: "a meeting starting before it is called is a conflict", facts: body, cmd: govSchedule(govMeetingAt.Add(time.Hour)), want: CodeConflict},
		{name: "a meeting of an unknown body is not found", cmd: govSchedule(govT0), want: CodeNotFound},
		{name: "a second call after a meeting that sat is a conflict", facts: govFacts(body, govMeetingFacts(govConvened(9))), cmd: secondCall, want: CodeConflict},
		{name: "an item of an unscheduled meeting is not found", cmd: item("it-9", before), want: CodeNotFound},
		{name: "an item without a title is invalid", given: govScheduled(), cmd: AddItem{MeetingID: govMeeting, ItemID: "it-9", Presenter: "x", At: before}, want: CodeInvalid},
		{name: "an item with a malformed document is invalid", given: govScheduled(), cmd: badDoc, want: CodeInvalid},
		{name: "an item whose question is its own urgency is invalid", given: govScheduled(), cmd: urgencyItem, want: CodeInvalid},
		{name: "an item id used twice is a conflict", given: govScheduled(), cmd: item("it-1", before), want: CodeConflict},
		{name: "an item added once the meeting's time has come is a conflict", given: govScheduled(), cmd: item("it-9", govMeetingAt), want: CodeConflict},
		{name: "an item added to a sitting meeting without an urgency vote is a conflict", given: govConvened(9), cmd: item("it-9", sitting), want: CodeConflict},
		{name: "an item out of the agenda before the meeting sits is a conflict", given: govPublished(), facts: urgentFailed, cmd: outOfAgenda, want: CodeConflict},
		{name: "an item out of the agenda whose urgency vote is unknown is not found", given: govConvened(9), cmd: outOfAgenda, want: CodeNotFound},
		{name: "an item out of the agenda whose urgency vote failed is a conflict", given: govConvened(9), facts: urgentFailed, cmd: outOfAgenda, want: CodeConflict},
		{name: "an item out of the agenda at a third call is a conflict", given: thirdCall, facts: urgentFailed, cmd: outOfAgenda, want: CodeConflict},
		{name: "withdrawing an unknown item is not found", given: govScheduled(), cmd: WithdrawItem{MeetingID: govMeeting, ItemID: "it-9", Reason: "x", At: before}, want: CodeNotFound},
		{name: "withdrawing without a reason is invalid", given: govScheduled(), cmd: WithdrawItem{MeetingID: govMeeting, ItemID: "it-1", At: before}, want: CodeInvalid},
		{name: "withdrawing an item twice is a conflict", given: append(govScheduled(), MeetingItemWithdrawn{ItemID: "it-1", Reason: "x"}), cmd: WithdrawItem{MeetingID: govMeeting, ItemID: "it-1", Reason: "x", At: before}, want: CodeConflict},
		{name: "withdrawing an item at a sitting meeting is a conflict", given: govConvened(9), cmd: WithdrawItem{MeetingID: govMeeting, ItemID: "it-1", Reason: "x", At: sitting}, want: CodeConflict},
		{name: "publishing a regular agenda with less than the notice days is a conflict", given: govScheduled(), facts: body, cmd: publish(govMeetingAt.Add(-4*24*time.Hour), govMeetingAt), want: CodeConflict},
		{name: "a consultation closing after the meeting starts is a conflict", given: govScheduled(), facts: body, cmd: publish(govT0, govMeetingAt.Add(time.Minute)), want: CodeConflict},
		{name: "a consultation closing before publication is a conflict", given: govScheduled(), facts: body, cmd: publish(govT0, govT0.Add(-time.Minute)), want: CodeConflict},
		{name: "publishing with nothing new to publish is a conflict", given: govPublished(), facts: body, cmd: publish(govT0, govMeetingAt), want: CodeConflict},
		{name: "publishing without a consultation closing time is invalid", given: govScheduled(), facts: body, cmd: publish(govT0, time.Time{}), want: CodeInvalid},
		{name: "publishing under another body is invalid", given: govScheduled(), facts: body, cmd: PublishAgenda{MeetingID: govMeeting, BodyID: "other", ConsultationClosesAt: govMeetingAt, At: govT0}, want: CodeInvalid},
		{name: "convening before the meeting's time is a conflict", given: govPublished(), facts: body, cmd: convene(govPresent(9), govMember(1), govMeetingAt.Add(-time.Minute)), want: CodeConflict},
		{name: "convening with half the seats is a conflict", given: govPublished(), facts: body, cmd: convene(govPresent(6), govMember(1), sitting), want: CodeConflict},
		{name: "the mayor does not count toward quorum", given: govPublished(), facts: body, cmd: convene(withMayor, govMember(1), sitting), want: CodeConflict},
		{name: "a presiding member who is absent is invalid", given: govPublished(), facts: body, cmd: convene(govPresent(9), govMember(12), sitting), want: CodeInvalid},
		{name: "a member listed twice is invalid", given: govPublished(), facts: body, cmd: convene(append(govPresent(9), govMember(1)), govMember(1), sitting), want: CodeInvalid},
		{name: "an attendee who does not sit in the body is not found", given: govPublished(), facts: body, cmd: convene(append(govPresent(9), "stranger"), govMember(1), sitting), want: CodeNotFound},
		{name: "convening before the agenda is published is a conflict", given: govScheduled(), facts: body, cmd: convene(govPresent(9), govMember(1), sitting), want: CodeConflict},
		{name: "convening twice is a conflict", given: govConvened(9), facts: body, cmd: convene(govPresent(9), govMember(1), sitting), want: CodeConflict},
		{name: "recording a failed call that had quorum is a conflict", given: govPublished(), facts: body, cmd: RecordQuorumFailure{MeetingID: govMeeting, BodyID: govBody, Present: govPresent(7), At: sitting}, want: CodeConflict},
		{name: "an arrival at a meeting not sitting is a conflict", given: govPublished(), facts: body, cmd: RecordArrival{MeetingID: govMeeting, BodyID: govBody, MemberID: govMember(10), At: sitting}, want: CodeConflict},
		{name: "an arrival of a member already present is a conflict", given: govConvened(9), facts: body, cmd: RecordArrival{MeetingID: govMeeting, BodyID: govBody, MemberID: govMember(3), At: sitting}, want: CodeConflict},
		{name: "an arrival of a stranger is not found", given: govConvened(9), facts: body, cmd: RecordArrival{MeetingID: govMeeting, BodyID: govBody, MemberID: "stranger", At: sitting}, want: CodeNotFound},
		{name: "a departure of an absent member is a conflict", given: govConvened(9), cmd: RecordDeparture{MeetingID: govMeeting, MemberID: govMember(12), At: sitting}, want: CodeConflict},
		{name: "the presiding member cannot depart", given: govConvened(9), cmd: RecordDeparture{MeetingID: govMeeting, MemberID: govMember(1), At: sitting}, want: CodeConflict},
		{name: "adjourning a meeting not sitting is a conflict", given: govPublished(), cmd: AdjournMeeting{MeetingID: govMeeting, At: sitting}, want: CodeConflict},
		{name: "minutes before adjournment are a conflict", given: govConvened(9), cmd: PublishMinutes{MeetingID: govMeeting, Documents: docs, At: sitting}, want: CodeConflict},
		{name: "minutes without documents are invalid", given: append(govConvened(9), MeetingAdjourned{}), cmd: PublishMinutes{MeetingID: govMeeting, At: sitting}, want: CodeInvalid},
		{name: "minutes published twice are a conflict", given: append(govConvened(9), MeetingAdjourned{}, MeetingMinutesPublished{Documents: docs}), cmd: PublishMinutes{MeetingID: govMeeting, Documents: docs, At: sitting}, want: CodeConflict},
		{name: "postponing to an earlier time is a conflict", given: govPublished(), cmd: PostponeMeeting{MeetingID: govMeeting, StartsAt: govMeetingAt.Add(-time.Hour), Reason: "x", At: govT0}, want: CodeConflict},
		{name: "postponing without a reason is invalid", given: govPublished(), cmd: PostponeMeeting{MeetingID: govMeeting, StartsAt: govMeetingAt.Add(time.Hour), At: govT0}, want: CodeInvalid},
		{name: "postponing a meeting that sat is a conflict", given: govConvened(9), cmd: PostponeMeeting{MeetingID: govMeeting, StartsAt: govMeetingAt.Add(time.Hour), Reason: "x", At: sitting}, want: CodeConflict},
		{name: "cancelling a meeting that sat is a conflict", given: govConvened(9), cmd: CancelMeeting{MeetingID: govMeeting, Reason: "x", At: sitting}, want: CodeConflict},
		{name: "cancelling without a reason is invalid", given: govPublished(), cmd: CancelMeeting{MeetingID: govMeeting, At: govT0}, want: CodeInvalid},
		{name: "a command of another aggregate is invalid", given: govPublished(), cmd: OpenVote{VoteID: "v"}, want: CodeInvalid},
	})
}

func TestMeetingLifecycle(t *testing.T) {
	body := govBodyFacts()
	sitting := govMeetingAt.Add(10 * time.Minute)
	t.Run("a regular meeting is scheduled, published, sits, ends and has minutes", func(t *testing.T) {
		var given []Payload
		step := func(f Facts, c Command) {
			t.Helper()
			for _, p := range govDecide(t, MeetingDecider, given, f, c) {
				if _, claim := p.(OnStream); !claim {
					given = append(given, p)
				}
			}
		}
		step(body, govSchedule(govT0))
		step(nil, AddItem{MeetingID: govMeeting, ItemID: "it-1", Title: "Έγκριση προϋπολογισμού", QuestionType: "budget", Presenter: "Αντιδήμαρχος", Documents: []DocumentRef{govDoc("p")}, At: govT0})
		step(nil, AddItem{MeetingID: govMeeting, ItemID: "it-2", Title: "Ονοματοδοσία", Presenter: "Πρόεδρος", At: govT0})
		step(nil, WithdrawItem{MeetingID: govMeeting, ItemID: "it-2", Reason: "Χρειάζεται γνωμοδότηση", At: govT0})
		step(body, PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: govMeetingAt.Add(-24 * time.Hour), At: govMeetingAt.Add(-5 * 24 * time.Hour)})
		step(body, ConveneMeeting{MeetingID: govMeeting, BodyID: govBody, Present: append(govPresent(7), "mayor"), PresidingMemberID: govMember(1), At: sitting})
		step(body, RecordArrival{MeetingID: govMeeting, BodyID: govBody, MemberID: govMember(8), At: sitting})
		step(nil, RecordDeparture{MeetingID: govMeeting, MemberID: govMember(3), At: sitting})
		step(nil, AdjournMeeting{MeetingID: govMeeting, At: sitting.Add(3 * time.Hour)})
		step(nil, PublishMinutes{MeetingID: govMeeting, Documents: []DocumentRef{govDoc("praktika")}, At: sitting.Add(48 * time.Hour)})
		s := MeetingDecider.Fold(given...)
		it1, _ := s.Item("it-1")
		it2, _ := s.Item("it-2")
		if s.Status != MeetingIsAdjourned || len(s.Minutes) != 1 || !it1.Published || it2.Published || !it2.Withdrawn {
			t.Fatalf("state %+v", s)
		}
		if !it1.ConsultationClosesAt.Equal(govMeetingAt.Add(-24*time.Hour)) || it1.QuestionType != "budget" {
			t.Fatalf("item %+v", it1)
		}
		if !s.IsPresent(govMember(8)) || s.IsPresent(govMember(3)) || !s.IsPresent("mayor") || s.PresidingMemberID != govMember(1) {
			t.Fatalf("attendance %v", s.Present)
		}
		conv := given[5].(MeetingConvened)
		if conv.Call != 1 || conv.Seats != 13 || conv.Quorum != (Threshold{Numerator: 1, Denominator: 2}) {
			t.Fatalf("convened %+v", conv)
		}
	})
	t.Run("an urgent meeting publishes its agenda a day ahead", func(t *testing.T) {
		c := govSchedule(govT0)
		c.Urgency, c.UrgencyReason = MeetingUrgent, "Κήρυξη κατάστασης έκτακτης ανάγκης λόγω πλημμυρών"
		given := govDecide(t, MeetingDecider, nil, body, c)
		given = append(given, MeetingItemAdded{ItemID: "it-1", Title: "Αποκατάσταση ζημιών", QuestionType: QuestionOrdinary, Presenter: "Δήμαρχος"})
		evs := govDecide(t, MeetingDecider, given, body, PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: govMeetingAt.Add(-time.Hour), At: govMeetingAt.Add(-24 * time.Hour)})
		if p := evs[0].(MeetingAgendaPublished); len(p.ItemIDs) != 1 {
			t.Fatalf("published %+v", p)
		}
	})
	t.Run("an item added after publication waits for a supplementary agenda", func(t *testing.T) {
		given := append(govPublished(), MeetingItemAdded{ItemID: "it-3", Title: "Συμπληρωματικό", QuestionType: QuestionOrdinary, Presenter: "x"})
		if it, _ := MeetingDecider.Fold(given...).Item("it-3"); it.Published {
			t.Fatal("item published before its publication")
		}
		evs := govDecide(t, MeetingDecider, given, body, PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: govMeetingAt, At: govMeetingAt.Add(-6 * 24 * time.Hour)})
		if p := evs[0].(MeetingAgendaPublished); len(p.ItemIDs) != 1 || p.ItemIDs[0] != "it-3" {
			t.Fatalf("supplementary agenda %+v", p)
		}
	})
	t.Run("two failed calls lead to a third call that sits with a third of the seats", func(t *testing.T) {
		first := govDecide(t, MeetingDecider, govPublished(), body, RecordQuorumFailure{MeetingID: govMeeting, BodyID: govBody, Present: govPresent(4), At: sitting})
		if f := first[0].(MeetingQuorumFailed); f.Call != 1 || len(f.Present) != 4 {
			t.Fatalf("failed call %+v", f)
		}
		prev := govFacts(body, govMeetingFacts(append(govPublished(), first...)))
		second := ScheduleMeeting{MeetingID: "call-2", BodyID: govBody, StartsAt: govMeetingAt.Add(7 * 24 * time.Hour), Place: "x", Urgency: MeetingRegular, Call: 2, PreviousMeetingID: govMeeting, At: sitting}
		evs := govDecide(t, MeetingDecider, nil, prev, second)
		call2 := append(evs, MeetingItemAdded{ItemID: "it-1", Title: "x", QuestionType: QuestionOrdinary, Presenter: "x"},
			MeetingAgendaPublished{ItemIDs: []string{"it-1"}, ConsultationClosesAt: second.StartsAt}, MeetingQuorumFailed{Call: 2})
		third := ScheduleMeeting{MeetingID: "call-3", BodyID: govBody, StartsAt: govMeetingAt.Add(14 * 24 * time.Hour), Place: "x", Urgency: MeetingRegular, Call: 3, PreviousMeetingID: "call-2", At: sitting}
		evs = govDecide(t, MeetingDecider, nil, govFacts(body, Facts{meetingStream("call-2"): MeetingDecider.Fold(call2...)}), third)
		call3 := append(evs, MeetingItemAdded{ItemID: "it-1", Title: "x", QuestionType: QuestionOrdinary, Presenter: "x"},
			MeetingAgendaPublished{ItemIDs: []string{"it-1"}, ConsultationClosesAt: third.StartsAt})
		evs = govDecide(t, MeetingDecider, call3, body, ConveneMeeting{MeetingID: "call-3", BodyID: govBody, Present: govPresent(5), PresidingMemberID: govMember(1), At: third.StartsAt})
		if c := evs[0].(MeetingConvened); c.Call != 3 || c.Quorum != DefaultBodySettings(13).ThirdCallQuorum {
			t.Fatalf("third call %+v", c)
		}
	})
	t.Run("an item out of the agenda is added after its urgency vote passed", func(t *testing.T) {
		vote := VoteDecider.Fold(
			VoteOpened{VoteID: "v-urg", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-9", Question: "Είναι κατεπείγον;", QuestionType: QuestionUrgency, Method: VoteRollCall},
			VoteClosed{Yes: 8, No: 1, Result: VotePassed})
		cmd := AddItem{MeetingID: govMeeting, ItemID: "it-9", Title: "Έκτακτη χρηματοδότηση", Presenter: "Δήμαρχος", UrgentVoteID: "v-urg", At: sitting}
		evs := govDecide(t, MeetingDecider, govConvened(9), Facts{voteStream("v-urg"): vote}, cmd)
		s := MeetingDecider.Fold(append(govConvened(9), evs...)...)
		if it, ok := s.Item("it-9"); !ok || it.UrgentVoteID != "v-urg" || it.QuestionType != QuestionOrdinary {
			t.Fatalf("item %+v", it)
		}
	})
	t.Run("a postponed meeting keeps its agenda and moves its start", func(t *testing.T) {
		later := govMeetingAt.Add(48 * time.Hour)
		evs := govDecide(t, MeetingDecider, govPublished(), nil, PostponeMeeting{MeetingID: govMeeting, StartsAt: later, Reason: "Απεργία ΜΜΜ", At: govT0})
		s := MeetingDecider.Fold(append(govPublished(), evs...)...)
		if !s.StartsAt.Equal(later) || s.Status != MeetingIsScheduled || !s.hasPublishedAgenda() {
			t.Fatalf("state %+v", s)
		}
	})
	t.Run("evolving never mutates the state it was given", func(t *testing.T) {
		before := MeetingDecider.Fold(govConvened(9)...)
		_ = MeetingDecider.Evolve(before, MeetingItemWithdrawn{ItemID: "it-1"})
		_ = MeetingDecider.Evolve(before, MeetingMemberDeparted{MemberID: govMember(2)})
		_ = MeetingDecider.Evolve(before, MeetingItemAdded{ItemID: "it-7"})
		if it, _ := before.Item("it-1"); it.Withdrawn || !before.IsPresent(govMember(2)) || len(before.Items) != 2 {
			t.Fatal("the input state changed")
		}
	})
}
