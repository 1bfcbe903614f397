// Package analyticstest holds what every analytics.Engine is checked
// with: Compare, which asks two engines every question over a set of
// filters and requires identical answers, and Demo, a log and read model
// of the demo municipality to ask them over.
package analyticstest

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// RatioPrecision is how close two engines' ratios must be. Every ratio is
// computed in Go from the engines' integers, so equal integers give equal
// ratios and any difference is a difference of the integers.
const RatioPrecision = 1e-12

// DemoLocal is the demo's municipality, the one its local suppliers are
// seated in.
const DemoLocal = "Δήμος Καλλιθέας Αιγαίου"

// Fixture is a log of the demo municipality with its read model built.
type Fixture struct {
	Dir       string
	Store     *sqlite.Store
	ReadModel *readmodel.ReadModel
	Runner    *projections.Runner
	// Vault keeps the demo's citizens of every seed generated; the read
	// model opens their words through it.
	Vault  *vault.Vault
	Events int64
	// Now is after every event of the demo: the "now" of request
	// questions.
	Now time.Time
}

// Demo generates years of the demo municipality of seed into a fresh
// SQLite store in a temporary directory and builds its read model.
func Demo(t testing.TB, seed uint64, years int) *Fixture {
	t.Helper()
	fx := Open(t)
	fx.Generate(t, seed, years)
	fx.Sync(t)
	return fx
}

// Open makes an empty SQLite store in a temporary directory, with a read
// model runner following it and the read model's queries open.
func Open(t testing.TB) *Fixture {
	t.Helper()
	return OpenIn(t, t.TempDir())
}

// OpenIn is Open on the store, read model and vault in dir, which it
// creates when missing and leaves when the test ends: a benchmark
// generating a large log once runs over it again.
func OpenIn(t testing.TB, dir string) *Fixture {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	recorded := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{Now: func() time.Time { return recorded }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	path := filepath.Join(dir, "readmodel.db")
	db, err := projections.OpenReadModel(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	people, err := vault.Open(ctx, filepath.Join(dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(dir, "vault-keys.db"), Now: func() time.Time { return recorded }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { people.Close() })
	runner, err := projections.NewRunner(db, store, []projections.Projection{readmodel.NewReadModelProjection(people)}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		runner.Close()
	})
	fx := &Fixture{Dir: dir, Store: store, Runner: runner, Vault: people, Now: recorded}
	fx.Sync(t)
	rm, err := readmodel.OpenReadModelQueries(ctx, path, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rm.Close() })
	rm.UseVault(people)
	fx.ReadModel = rm
	return fx
}

// GenerateEvents appends about n events of the demo municipality of seed
// (as many years as make them).
func (fx *Fixture) GenerateEvents(t testing.TB, seed uint64, n int64) {
	fx.generate(t, seed, demo.Options{Seed: seed, Events: n})
}

// Generate appends years of the demo municipality of seed through the
// command service. It is safe to call from another goroutine than the
// test's, and reports a failure with t.Error.
func (fx *Fixture) Generate(t testing.TB, seed uint64, years int) {
	fx.generate(t, seed, demo.Options{Seed: seed, Years: years})
}

func (fx *Fixture) generate(t testing.TB, seed uint64, opts demo.Options) {
	ctx := context.Background()
	stats, err := demo.Generate(ctx, fx.Store, fx.Vault, opts)
	if err != nil {
		t.Error(err)
		return
	}
	fx.Events += stats.Events
}

// Sync waits until the read model has applied the whole log.
func (fx *Fixture) Sync(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	head, err := fx.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.Runner.WaitFor(ctx, head); err != nil {
		t.Fatalf("read model: %v", err)
	}
}

// Filters are the filters Compare asks every question with: none, one
// body, one period, and each category the demo has.
func Filters() []analytics.Filter {
	q1 := analytics.Filter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}
	return []analytics.Filter{
		{},
		q1,
		{From: q1.To},
		{To: q1.To},
		{BodyID: "kal-dimotiko-symvoulio"},
		{Category: "45"}, // CPV division: construction work
		{Category: string(events.RequestInformation)},
		{Category: string(events.CommentObjection)},
		{Category: string(events.QuestionOrdinary)},
	}
}

// Compare asks want and got every question with each of filters (all of
// Filters when none is given; the first should be the whole record) and
// reports each answer that differs. It fails too when want answers a
// question with the first filter with nothing, where the comparison would
// prove nothing.
func Compare(t *testing.T, want, got analytics.Engine, now time.Time, local string, filters ...analytics.Filter) {
	t.Helper()
	ctx := context.Background()
	type question struct {
		name string
		ask  func(analytics.Engine, analytics.Filter) (any, error)
	}
	qs := []question{
		{"supplier shares", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.SupplierShares(ctx, f, local) }},
		{"member agreement", func(e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Agreement(ctx, f, analytics.ByMember)
		}},
		{"faction agreement", func(e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Agreement(ctx, f, analytics.ByFaction)
		}},
		{"faction votes", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.FactionVotes(ctx, f) }},
		{"dissent", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.Dissent(ctx, f) }},
		{"member attendance", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.MemberAttendance(ctx, f) }},
		{"meeting attendance", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.MeetingAttendance(ctx, f) }},
		{"meeting decisions", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.MeetingDecisions(ctx, f) }},
		{"decision changes", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.DecisionChanges(ctx, f) }},
		{"request times", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.RequestTimes(ctx, f, now) }},
		{"participation", func(e analytics.Engine, f analytics.Filter) (any, error) { return e.Participation(ctx, f) }},
	}
	for _, by := range []analytics.SpendingKey{analytics.BySupplier, analytics.ByCPVDivision, analytics.ByProcedure, analytics.ByYear} {
		qs = append(qs, question{"spending by " + string(by), func(e analytics.Engine, f analytics.Filter) (any, error) { return e.Spending(ctx, f, by) }})
	}
	if len(filters) == 0 {
		filters = Filters()
	}
	for _, q := range qs {
		t.Run(q.name, func(t *testing.T) {
			for i, f := range filters {
				w, err := q.ask(want, f)
				if err != nil {
					t.Fatalf("filter %d %+v: reference engine: %v", i, f, err)
				}
				g, err := q.ask(got, f)
				if err != nil {
					t.Fatalf("filter %d %+v: %v", i, f, err)
				}
				if i == 0 && reflect.ValueOf(w).Len() == 0 {
					t.Fatalf("the reference engine answers nothing about the whole record: the comparison would prove nothing")
				}
				if d := diff(w, g); d != "" {
					t.Errorf("filter %d %+v: answers differ: %s", i, f, d)
				}
			}
		})
	}
}

// diff describes the first difference between two answers (slices of
// the same type), comparing the ratios of their rows too.
func diff(want, got any) string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	if wv.Len() != gv.Len() {
		return fmt.Sprintf("%d rows, want %d (first rows: got %s, want %s)", gv.Len(), wv.Len(), first(gv), first(wv))
	}
	for i := range wv.Len() {
		w, g := wv.Index(i).Interface(), gv.Index(i).Interface()
		if !reflect.DeepEqual(normal(w), normal(g)) {
			return fmt.Sprintf("row %d: got %+v, want %+v", i, g, w)
		}
		for _, name := range []string{"Rate", "Rice", "OverdueShare", "AssistedShare", "ResponseToDeadline"} {
			wm, gm := wv.Index(i).MethodByName(name), gv.Index(i).MethodByName(name)
			if !wm.IsValid() {
				continue
			}
			wr, gr := wm.Call(nil)[0].Float(), gm.Call(nil)[0].Float()
			if math.Abs(wr-gr) > RatioPrecision {
				return fmt.Sprintf("row %d: %s %v, want %v", i, name, gr, wr)
			}
		}
	}
	return ""
}

// normal makes times comparable with DeepEqual (their location aside).
func normal(v any) any {
	switch r := v.(type) {
	case analytics.FactionVote:
		r.OpenedAt = r.OpenedAt.UTC()
		return r
	case analytics.MeetingAttendance:
		r.ConvenedAt = r.ConvenedAt.UTC()
		return r
	}
	return v
}

func first(v reflect.Value) string {
	if v.Len() == 0 {
		return "none"
	}
	return fmt.Sprintf("%+v", v.Index(0).Interface())
}
