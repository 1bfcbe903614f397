package readmodel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/projections"
)

// TestReadModelOnDemoMunicipality builds the read model of a year of the
// demo municipality while the demo appends it, then rebuilds it twice from
// the finished log: the three dumps must be identical, the projection must
// never fail, and no public table may hold a citizen's subject reference.
func TestReadModelOnDemoMunicipality(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year of the demo municipality")
	}
	ctx := context.Background()
	e := newRMEnv(t) // the runner follows the log from the first append
	v := e.vault
	stats, err := demo.Generate(ctx, e.store, v, demo.Options{Seed: 7, Years: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.sync(t)
	during := readModelDump(t, e)
	t.Logf("demo: %d events, read model dump %d bytes", stats.Events, len(during))

	t.Run("the projection applied every event without failing", func(t *testing.T) {
		for _, s := range e.runner.Status() {
			if s.LastError != "" || s.State == projections.StateFailed {
				t.Errorf("%s: %s %s", s.Name, s.State, s.LastError)
			}
		}
		ds, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{})
		if err != nil || len(ds.Items) == 0 {
			t.Errorf("decisions: %d, %v", len(ds.Items), err)
		}
		ps, err := e.snap(t).Procurements(ctx, readmodel.ProcurementFilter{})
		if err != nil || len(ps.Items) == 0 {
			t.Errorf("procurements: %d, %v", len(ps.Items), err)
		}
	})
	t.Run("the demo records procurement and requests under the law", func(t *testing.T) {
		s := e.snap(t)
		y := stats.From.Year()
		direct, err := s.Procurement(ctx, fmt.Sprintf("ocds-kal4ai-%d-n4412-1", y))
		if err != nil || direct.ProcedureType != "direct_award" || direct.Budget.Cents < 29_000_00 || direct.Budget.Cents > direct.DirectAwardLimit.Cents {
			t.Errorf("direct award near the threshold: %+v, %v", direct, err)
		}
		lots, err := s.Procurement(ctx, fmt.Sprintf("ocds-kal4ai-%d-n4412-2", y))
		if err != nil || lots.Lots != 2 || lots.LotsAwarded != 2 || lots.Committed.Cents == 0 {
			t.Errorf("procedure in lots: %+v, %v", lots, err)
		}
		appeals, err := s.ProcurementAppeals(ctx, lots.OCID)
		if err != nil || len(appeals) != 1 || appeals[0].Status != "dismissed" {
			t.Errorf("appeals: %+v, %v", appeals, err)
		}
		if evs, err := s.ProcurementEvaluations(ctx, lots.OCID); err != nil || len(evs) != 2 {
			t.Errorf("evaluations: %+v, %v", evs, err)
		}
		forwarded, err := s.Request(ctx, fmt.Sprintf("kal-%d-law-1", y))
		if err != nil || forwarded.ForwardClock != "restarted" {
			t.Errorf("forwarded request: %+v, %v", forwarded, err)
		}
		extended, err := s.Request(ctx, fmt.Sprintf("kal-%d-law-2", y))
		if err != nil || extended.ExtendedDays != 10 {
			t.Errorf("extended request: %+v, %v", extended, err)
		}
		partial, err := s.Request(ctx, fmt.Sprintf("kal-%d-law-3", y))
		if err != nil || partial.Access != "partial" {
			t.Errorf("partial access: %+v, %v", partial, err)
		}
	})
	t.Run("no table holds a subject reference of the vault", func(t *testing.T) {
		if strings.Contains(during, "subj-") {
			i := strings.Index(during, "subj-")
			t.Fatalf("a subject reference in the read model: %q", during[max(0, i-200):i+40])
		}
		if !strings.Contains(during, "comments") {
			t.Fatal("the dump holds no comments: the test would prove nothing")
		}
	})
	// Last: the rebuilds replace the env's runner and queries.
	t.Run("rebuilding from the finished log gives the dump built during the appends", func(t *testing.T) {
		e.startReadModel(t, "rebuild-1.db")
		first := readModelDump(t, e)
		if first != during {
			t.Errorf("rebuild differs from the read model built during appends:\n%s", firstDifference(during, first))
		}
		e.startReadModel(t, "rebuild-2.db")
		if second := readModelDump(t, e); second != first {
			t.Errorf("second rebuild differs:\n%s", firstDifference(first, second))
		}
	})
}
