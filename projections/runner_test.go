package projections_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", path, err)
	}
	if got != string(want) {
		t.Errorf("dump differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRunnerApplies(t *testing.T) {
	t.Run("events are applied in order and the dump matches the golden file", func(t *testing.T) {
		e := newEnv(t)
		e.note(t, "notes-1", "Προϋπολογισμός 2026", "ημερήσια διάταξη")
		last := e.note(t, "notes-2", "agenda", "minutes", "adjourned")
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, last)
		golden(t, "tally.dump", dump(t, e.db))
		s := statusOf(t, r, "tally")
		if s.Position != last || s.ServingPosition != last || s.ServingVersion != 1 || s.Lag != 0 {
			t.Errorf("status = %+v, want position and serving position %d, version 1, no lag", s, last)
		}
	})

	t.Run("a restarted runner continues from its checkpoint without applying twice", func(t *testing.T) {
		e := newEnv(t)
		first := e.note(t, "notes-1", "a", "b", "c")
		r := newRunner(t, e, e.db, &tally{version: 1})
		stop := start(t, r)
		waitFor(t, r, first)
		if err := stop(); err != nil {
			t.Fatalf("run returned %v after cancel, want nil", err)
		}
		last := e.note(t, "notes-1", "d", "e")
		r2 := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r2)
		waitFor(t, r2, last)
		if n := queryInt(t, e.db, `SELECT notes FROM totals WHERE stream = 'notes-1'`); n != 5 {
			t.Errorf("meeting-1 tallied %d notes, want 5", n)
		}
	})

	t.Run("events appended while running reach the read model", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		for i := range 20 {
			waitFor(t, r, e.note(t, "live-1", strings.Repeat("x", i+1)))
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM notes`); n != 20 {
			t.Errorf("%d notes, want 20", n)
		}
		if s := statusOf(t, r, "tally"); s.State != projections.StateCaughtUp {
			t.Errorf("state %s, want caught_up", s.State)
		}
	})

	t.Run("events of unknown types are skipped and counted", func(t *testing.T) {
		e := newEnv(t)
		e.note(t, "notes-1", "a")
		e.appendRaw(t, "future-1", "future.thing_happened", map[string]any{"x": 1})
		e.appendRaw(t, "future-1", "future.thing_happened", map[string]any{"x": 2})
		last := e.note(t, "notes-1", "b")
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, last)
		s := statusOf(t, r, "tally")
		if s.SkippedUnknown != 2 || s.State != projections.StateCaughtUp {
			t.Errorf("status %+v, want 2 skipped and caught_up", s)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM notes`); n != 2 {
			t.Errorf("%d notes, want 2", n)
		}
		if n := queryInt(t, e.db, `SELECT skipped FROM projection_checkpoints WHERE projection = 'tally'`); n != 2 {
			t.Errorf("checkpoint records %d skipped, want 2", n)
		}
	})

	t.Run("readers open the read model read-only while the runner writes", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, e.note(t, "notes-1", "a"))
		ro, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		tx, err := ro.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var before int64
		if err := tx.QueryRow(`SELECT count(*) FROM notes`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		waitFor(t, r, e.note(t, "notes-1", "b", "c")) // the writer is not blocked by the open read
		var during int64
		if err := tx.QueryRow(`SELECT count(*) FROM notes`).Scan(&during); err != nil {
			t.Fatal(err)
		}
		if before != 1 || during != 1 {
			t.Errorf("the reader's snapshot saw %d then %d notes, want 1 and 1", before, during)
		}
		tx.Rollback()
		if n := queryInt(t, ro, `SELECT count(*) FROM notes`); n != 3 {
			t.Errorf("a new read sees %d notes, want 3", n)
		}
		if _, err := ro.Exec(`DELETE FROM notes`); err == nil {
			t.Error("a read-only connection could write")
		}
	})
}

func TestNewRunnerRefusesBadProjections(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		rule  string
		projs []projections.Projection
	}{
		{"a version below 1 is refused", []projections.Projection{&tally{version: 0}}},
		{"the same name twice is refused", []projections.Projection{&tally{version: 1}, &tally{version: 2}}},
		{"a nil projection is refused", []projections.Projection{nil}},
		{"a name that is not a lower-case identifier is refused", []projections.Projection{named{"Tally-1"}}},
		{"a name with a double underscore is refused", []projections.Projection{named{"a__b"}}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := projections.NewRunner(e.db, e.store, tc.projs, projections.Options{})
			if !errors.Is(err, events.ErrInvalid) {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
	t.Run("rebuilding an unknown projection is not found", func(t *testing.T) {
		r := newRunner(t, e, e.db, &tally{version: 1})
		err := r.Rebuild(context.Background(), "nope", nil)
		if events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("err = %v, want not_found", err)
		}
	})
}

type named struct{ name string }

func (n named) Name() string                                                  { return n.name }
func (named) Version() int                                                    { return 1 }
func (named) Setup(context.Context, *projections.Tx) error                    { return nil }
func (named) Apply(context.Context, *projections.Tx, projections.Event) error { return nil }
