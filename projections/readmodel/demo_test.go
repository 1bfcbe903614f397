package readmodel_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/vault"
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
	v, err := vault.Open(ctx, filepath.Join(e.dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		Random: rand.NewChaCha8([32]byte{7}), Now: func() time.Time { return recordedStart }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	stats, err := demo.Generate(ctx, events.NewService(e.store, events.ServiceOptions{SoleWriter: true}), v, demo.Options{Seed: 7, Years: 1})
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
	t.Run("no public table holds a subject reference of the log", func(t *testing.T) {
		refs := map[string]bool{}
		for after := events.Position(0); ; {
			page, err := e.store.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, re := range page {
				var d struct {
					SubjectRef string `json:"subject_ref"`
				}
				if json.Unmarshal(re.Data, &d) == nil && d.SubjectRef != "" {
					refs[d.SubjectRef] = true
				}
			}
			after = page[len(page)-1].Position
		}
		if len(refs) == 0 {
			t.Fatal("the demo log holds no subject references: the test would prove nothing")
		}
		for _, block := range strings.Split(during, "## ") {
			if strings.HasPrefix(block, readmodel.ReadModelName+".private_") {
				continue
			}
			for _, field := range strings.FieldsFunc(block, func(r rune) bool { return r == '\t' || r == '\n' || r == '"' }) {
				if refs[field] {
					t.Fatalf("subject reference %s in %s", field, strings.SplitN(block, "\n", 2)[0])
				}
			}
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
