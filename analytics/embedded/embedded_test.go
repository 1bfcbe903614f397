package embedded_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestEmbeddedOnDemo asks the embedded engine every question about a year
// of the demo municipality and checks what must hold between the answers
// and against the read model's own typed queries.
func TestEmbeddedOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year of the demo municipality")
	}
	ctx := context.Background()
	fx := analyticstest.Demo(t, 3, 1)
	e := embedded.New(fx.ReadModel)
	all := analytics.Filter{}

	t.Run("spending by every key sums to the same totals as the supplier shares", func(t *testing.T) {
		shares, err := e.SupplierShares(ctx, all, analyticstest.DemoLocal)
		if err != nil || len(shares) != 1 || shares[0].Currency != "EUR" {
			t.Fatalf("shares %+v, %v", shares, err)
		}
		s := shares[0]
		if s.Awarded.TotalCents <= 0 || s.Paid.TotalCents <= 0 || s.Awarded.CooperativeCents <= 0 || s.Awarded.SMECents <= 0 {
			t.Fatalf("the demo awards and pays to cooperatives and small firms: %+v", s)
		}
		if s.Awarded.LocalCents != s.Awarded.TotalCents {
			t.Errorf("every demo supplier is seated in the municipality: local %d of %d", s.Awarded.LocalCents, s.Awarded.TotalCents)
		}
		for _, by := range []analytics.SpendingKey{analytics.BySupplier, analytics.ByCPVDivision, analytics.ByProcedure, analytics.ByYear} {
			rows, err := e.Spending(ctx, all, by)
			if err != nil {
				t.Fatal(err)
			}
			var awarded, paid int64
			for _, r := range rows {
				awarded += r.AwardedCents
				paid += r.PaidCents
			}
			if awarded != s.Awarded.TotalCents || paid != s.Paid.TotalCents {
				t.Errorf("by %s: awarded %d paid %d, want %d and %d", by, awarded, paid, s.Awarded.TotalCents, s.Paid.TotalCents)
			}
		}
	})
	t.Run("a period's spending is a part of the whole", func(t *testing.T) {
		whole, _ := e.Spending(ctx, all, analytics.ByYear)
		q1, err := e.Spending(ctx, analyticstest.Filters()[1], analytics.ByYear)
		if err != nil || len(q1) == 0 || len(whole) == 0 || q1[0].AwardedCents >= whole[len(whole)-1].AwardedCents+whole[0].AwardedCents {
			t.Errorf("q1 %+v of %+v, %v", q1, whole, err)
		}
	})
	t.Run("agreements, dissent and attendance are counts within their bounds", func(t *testing.T) {
		for _, level := range []analytics.Level{analytics.ByMember, analytics.ByFaction} {
			rows, err := e.Agreement(ctx, all, level)
			if err != nil || len(rows) == 0 {
				t.Fatalf("%s: %d rows, %v", level, len(rows), err)
			}
			for _, r := range rows {
				if r.A >= r.B || r.Agreed > r.Votes || r.Votes == 0 {
					t.Fatalf("%s: %+v", level, r)
				}
			}
		}
		votes, err := e.FactionVotes(ctx, all)
		if err != nil || len(votes) == 0 {
			t.Fatalf("faction votes: %d, %v", len(votes), err)
		}
		for _, c := range analytics.Cohesion(votes) {
			if c.Mean < 0 || c.Mean > 1 || c.Votes == 0 {
				t.Errorf("cohesion %+v", c)
			}
		}
		dissent, err := e.Dissent(ctx, all)
		if err != nil || len(dissent) == 0 {
			t.Fatalf("dissent: %d, %v", len(dissent), err)
		}
		members, err := e.MemberAttendance(ctx, all)
		if err != nil || len(members) == 0 {
			t.Fatalf("member attendance: %d, %v", len(members), err)
		}
		for _, m := range members {
			if m.Present > m.Meetings {
				t.Errorf("%+v", m)
			}
		}
		meetings, err := e.MeetingAttendance(ctx, all)
		if err != nil || len(meetings) == 0 {
			t.Fatalf("meeting attendance: %d, %v", len(meetings), err)
		}
		for _, m := range meetings {
			if m.Present == 0 || m.Seats == 0 { // the mayor attends beside the seats: present may exceed them
				t.Errorf("%+v", m)
			}
		}
	})
	t.Run("every adopted decision counts once, in its meeting and its month", func(t *testing.T) {
		var want int
		err := fx.ReadModel.View(ctx, func(s *readmodel.Snapshot) error {
			page, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 1, Total: true}})
			if page.Total != nil {
				want = int(*page.Total)
			}
			return err
		})
		if err != nil || want == 0 {
			t.Fatalf("decisions: %d, %v", want, err)
		}
		months, err := e.DecisionChanges(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		var adopted, corrected, revoked int64
		for _, m := range months {
			adopted, corrected, revoked = adopted+m.Adopted, corrected+m.Corrected, revoked+m.Revoked
		}
		if adopted != int64(want) || corrected == 0 || revoked == 0 {
			t.Errorf("adopted %d (want %d), corrected %d, revoked %d", adopted, want, corrected, revoked)
		}
		per, err := e.MeetingDecisions(ctx, all)
		if err != nil || len(per) == 0 {
			t.Fatalf("per meeting: %d, %v", len(per), err)
		}
		var inMeetings int64
		for _, m := range per {
			inMeetings += m.Decisions
			if m.WithAgenda > 0 && m.MeanAgendaToDecision() <= 0 {
				t.Errorf("a decision before its agenda: %+v", m)
			}
		}
		if inMeetings > adopted {
			t.Errorf("%d decisions in meetings of %d", inMeetings, adopted)
		}
	})
	t.Run("requests are answered, some late, some assisted, on every channel", func(t *testing.T) {
		rows, err := e.RequestTimes(ctx, all, fx.Now)
		if err != nil || len(rows) == 0 {
			t.Fatalf("request times: %d, %v", len(rows), err)
		}
		channels := map[string]bool{}
		var assisted, overdue int64
		for _, r := range rows {
			channels[r.Channel] = true
			assisted, overdue = assisted+r.Assisted, overdue+r.Overdue
			if r.Answered > r.Requests || r.Overdue > r.WithDueDate || r.ResponseSeconds < 0 {
				t.Errorf("%+v", r)
			}
		}
		if len(channels) < 2 || assisted == 0 || overdue == 0 {
			t.Errorf("channels %v, assisted %d, overdue %d", channels, assisted, overdue)
		}
	})
	t.Run("comments count per item and per meeting", func(t *testing.T) {
		items, err := e.Participation(ctx, all)
		if err != nil || len(items) == 0 {
			t.Fatalf("participation: %d, %v", len(items), err)
		}
		var total int64
		for _, p := range items {
			total += p.Comments
			if p.Proposals+p.Objections+p.Remarks != p.Comments {
				t.Errorf("%+v", p)
			}
		}
		var perMeeting int64
		for _, m := range analytics.PerMeeting(items) {
			perMeeting += m.Comments
		}
		if perMeeting != total {
			t.Errorf("per meeting %d, per item %d", perMeeting, total)
		}
	})
	t.Run("an aggregate query cannot reach the private tables", func(t *testing.T) {
		err := fx.ReadModel.View(ctx, func(s *readmodel.Snapshot) error {
			rows, err := s.QueryAggregate(ctx, "SELECT count(*) FROM Private_Comment_Authors")
			if err == nil {
				rows.Close()
			}
			return err
		})
		if !errors.Is(err, events.ErrInvalid) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a period that ends before it starts is invalid", func(t *testing.T) {
		_, err := e.Spending(ctx, analytics.Filter{From: time.Now(), To: time.Now().Add(-time.Hour)}, analytics.ByYear)
		if !errors.Is(err, events.ErrInvalid) {
			t.Errorf("got %v", err)
		}
		_, err = e.Spending(ctx, all, "colour")
		if !errors.Is(err, events.ErrInvalid) {
			t.Errorf("got %v", err)
		}
	})
}
