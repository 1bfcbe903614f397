package readmodel_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// pageAll reads every page of a list of size first in one direction and
// returns the keys of its rows in order, with the cursors of each row.
func pageAll[T any](t *testing.T, first int, desc bool, read func(readmodel.Page) (readmodel.List[T], error), key func(T) string) ([]string, map[string]string) {
	t.Helper()
	var keys []string
	cursors := map[string]string{}
	p := readmodel.Page{First: first, Desc: desc}
	for range 1000 {
		l, err := read(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range l.Items {
			keys = append(keys, key(it))
			cursors[key(it)] = l.Cursor(i)
		}
		if !l.HasMore {
			return keys, cursors
		}
		p.After = l.Next
	}
	t.Fatal("the pages never end")
	return nil, nil
}

// TestReverseOrder pages lists both ways and requires the reverse order to
// be exactly the list's order backwards, whatever the page size, with each
// row's cursor continuing after that row, and a cursor of one direction
// refused in the other.
func TestReverseOrder(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	for n := 1; n <= 3; n++ {
		e.scenario(t, n)
	}
	// Ties on the adoption time, broken by id both ways.
	e.add(t, "decision-d0", day(2, 26), adopted("d0", 90))
	e.add(t, "decision-d25", day(2, 26), adopted("d25", 91))
	e.add(t, "decision-early", day(1, 10), adopted("early", 92))
	e.add(t, "decision-late", day(6, 1), adopted("late", 93))
	e.sync(t)
	s := e.snap(t)

	type list struct {
		name string
		keys func(t *testing.T, first int, desc bool) ([]string, map[string]string)
		read func(readmodel.Page) error
	}
	lists := []list{
		{"decisions", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Decision], error) {
				return s.Decisions(ctx, readmodel.DecisionFilter{Page: p})
			}, func(d readmodel.Decision) string { return d.ID })
		}, func(p readmodel.Page) error {
			_, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: p})
			return err
		}},
		{"decisions of a body in a period", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Decision], error) {
				return s.Decisions(ctx, readmodel.DecisionFilter{BodyID: "council1", Adopted: readmodel.TimeRange{From: day(1, 1)}, Page: p})
			}, func(d readmodel.Decision) string { return d.ID })
		}, nil},
		{"memberships", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Membership], error) {
				return s.Memberships(ctx, readmodel.MembershipFilter{Page: p})
			}, func(m readmodel.Membership) string {
				return m.BodyID + "/" + m.MemberID + "/" + string(rune('0'+m.Period))
			})
		}, nil},
		{"meetings", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Meeting], error) {
				return s.Meetings(ctx, readmodel.MeetingFilter{Page: p})
			}, func(m readmodel.Meeting) string { return m.ID })
		}, nil},
		{"agenda items of a meeting", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.AgendaItem], error) {
				return s.AgendaItems(ctx, readmodel.AgendaItemFilter{MeetingID: "m1", Page: p})
			}, func(i readmodel.AgendaItem) string { return i.ID })
		}, nil},
		{"votes", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Vote], error) {
				return s.Votes(ctx, readmodel.VoteFilter{Page: p})
			}, func(v readmodel.Vote) string { return v.ID })
		}, nil},
		{"procurements", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Procurement], error) {
				return s.Procurements(ctx, readmodel.ProcurementFilter{Page: p})
			}, func(p readmodel.Procurement) string { return p.OCID })
		}, nil},
		{"requests", func(t *testing.T, first int, desc bool) ([]string, map[string]string) {
			return pageAll(t, first, desc, func(p readmodel.Page) (readmodel.List[readmodel.Request], error) {
				return s.Requests(ctx, readmodel.RequestFilter{Page: p})
			}, func(r readmodel.Request) string { return r.ID })
		}, nil},
	}
	for _, l := range lists {
		t.Run(l.name+" in reverse is its order backwards", func(t *testing.T) {
			forward, _ := l.keys(t, 1000, false)
			if len(forward) < 2 {
				t.Fatalf("%d rows: the scenario proves nothing", len(forward))
			}
			want := slices.Clone(forward)
			slices.Reverse(want)
			for first := 1; first <= 3; first++ {
				got, _ := l.keys(t, first, true)
				if !slices.Equal(got, want) {
					t.Errorf("pages of %d: %s, want %s", first, strings.Join(got, " "), strings.Join(want, " "))
				}
			}
		})
	}
	t.Run("each row's cursor continues after that row", func(t *testing.T) {
		keys, cursors := lists[0].keys(t, 3, true)
		for i, k := range keys {
			l, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 1, Desc: true, After: cursors[k]}})
			if err != nil {
				t.Fatal(err)
			}
			if i+1 < len(keys) && (len(l.Items) != 1 || l.Items[0].ID != keys[i+1]) {
				t.Errorf("after %s: %s, want %s", k, decisionIDs(l), keys[i+1])
			}
			if i+1 == len(keys) && len(l.Items) != 0 {
				t.Errorf("after the last: %s", decisionIDs(l))
			}
		}
	})
	t.Run("a cursor of one direction is refused in the other", func(t *testing.T) {
		for _, desc := range []bool{false, true} {
			l, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 1, Desc: desc}})
			if err != nil {
				t.Fatal(err)
			}
			err = lists[0].read(readmodel.Page{First: 1, Desc: !desc, After: l.Next})
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("a cursor of desc=%v read with desc=%v: %v, want an invalid error", desc, !desc, err)
			}
		}
	})
	t.Run("search has no reverse order", func(t *testing.T) {
		_, err := s.Search(ctx, "προϋπολογισμός", readmodel.SearchOptions{Page: readmodel.Page{Desc: true}})
		if events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("%v, want an invalid error", err)
		}
	})
}
