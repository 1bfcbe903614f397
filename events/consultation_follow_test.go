package events

import (
	"testing"
	"time"
)

// onStreams returns the events a decision writes to other streams, by
// stream.
func onStreams(evs []Payload) map[string]Payload {
	out := map[string]Payload{}
	for _, p := range evs {
		if o, ok := p.(OnStream); ok {
			out[o.Stream] = o.Payload
		}
	}
	return out
}

func TestConsultationsFollowTheirItem(t *testing.T) {
	body := govBodyFacts()
	closes := govMeetingAt.Add(-24 * time.Hour)
	publish := PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: closes, At: govT0}
	open := func(item string) ConsultationState {
		return ConsultationDecider.Fold(ConsultationOpened{ItemID: item, MeetingID: govMeeting, ClosesAt: closes})
	}
	t.Run("publishing the agenda opens the consultation on each item", func(t *testing.T) {
		cmd := publish
		if got := cmd.NeedsGiven(MeetingDecider.Fold(govScheduled()...)); len(got) != 2 || got[0] != consultationStream("it-1") {
			t.Fatalf("needs %v", got)
		}
		evs := govDecide(t, MeetingDecider, govScheduled(), body, cmd)
		on := onStreams(evs)
		for _, it := range []string{"it-1", "it-2"} {
			if o, ok := on[consultationStream(it)].(ConsultationOpened); !ok || o.MeetingID != govMeeting || !o.ClosesAt.Equal(closes) {
				t.Fatalf("consultation on %s: %v", it, on)
			}
		}
	})
	t.Run("a postponement closes the open consultations and a publication for the new date reopens them", func(t *testing.T) {
		later := govMeetingAt.Add(7 * 24 * time.Hour)
		facts := Facts{consultationStream("it-1"): open("it-1"), consultationStream("it-2"): open("it-2")}
		postpone := PostponeMeeting{MeetingID: govMeeting, StartsAt: later, Reason: "Εθνικό πένθος", At: govT0}
		evs := govDecide(t, MeetingDecider, govPublished(), facts, postpone)
		on := onStreams(evs)
		if c, ok := on[consultationStream("it-1")].(ConsultationClosed); !ok || c.Reason == "" || len(on) != 2 {
			t.Fatalf("postponement closed %v", on)
		}
		given := append(govPublished(), evs[0])
		s := MeetingDecider.Fold(given...)
		if it, _ := s.Item("it-1"); !it.Postponed || !s.hasPublishedAgenda() {
			t.Fatalf("postponed item %+v", it)
		}
		closed := Facts{consultationStream("it-1"): ConsultationDecider.Evolve(open("it-1"), ConsultationClosed{Reason: "x"}),
			consultationStream("it-2"): ConsultationDecider.Evolve(open("it-2"), ConsultationClosed{Reason: "x"})}
		again := PublishAgenda{MeetingID: govMeeting, BodyID: govBody, ConsultationClosesAt: later.Add(-24 * time.Hour), At: govT0.Add(time.Hour)}
		evs = govDecide(t, MeetingDecider, given, govFacts(body, closed), again)
		on = onStreams(evs)
		if r, ok := on[consultationStream("it-2")].(ConsultationReopened); !ok || !r.ClosesAt.Equal(later.Add(-24*time.Hour)) {
			t.Fatalf("republication reopened %v", on)
		}
		cs := ConsultationDecider.Evolve(closed[consultationStream("it-2")].(ConsultationState), on[consultationStream("it-2")])
		if cs.Status != ConsultationIsOpen || cs.openAt(later.Add(-48*time.Hour)) != nil {
			t.Fatalf("reopened consultation %+v", cs)
		}
	})
	t.Run("a cancellation closes the open consultations", func(t *testing.T) {
		facts := Facts{consultationStream("it-1"): open("it-1")}
		evs := govDecide(t, MeetingDecider, govPublished(), facts, CancelMeeting{MeetingID: govMeeting, Reason: "Πλημμύρα", At: govT0})
		if _, ok := onStreams(evs)[consultationStream("it-1")].(ConsultationClosed); !ok {
			t.Fatalf("cancellation wrote %v", evs)
		}
	})
	t.Run("a consultation already closed, or of another meeting, is left alone", func(t *testing.T) {
		other := ConsultationDecider.Fold(ConsultationOpened{ItemID: "it-1", MeetingID: "elsewhere", ClosesAt: closes})
		facts := Facts{consultationStream("it-1"): other, consultationStream("it-2"): ConsultationDecider.Evolve(open("it-2"), ConsultationClosed{})}
		evs := govDecide(t, MeetingDecider, govPublished(), facts, CancelMeeting{MeetingID: govMeeting, Reason: "x", At: govT0})
		if len(onStreams(evs)) != 0 {
			t.Fatalf("cancellation wrote %v", evs)
		}
	})
	govCheckRefusals(t, MeetingDecider, []govRefusal{
		{name: "publishing again with nothing postponed is a conflict", given: govPublished(), facts: body, cmd: publish, want: CodeConflict},
	})
}
