package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestVersionBump(t *testing.T) {
	t.Run("a new version is rebuilt into fresh tables while the old ones keep serving, then swapped in", func(t *testing.T) {
		e := newEnv(t)
		e.note(t, "notes-1", "a", "b", "c")
		r1 := newRunner(t, e, e.db, &tally{version: 1})
		stop := start(t, r1)
		waitFor(t, r1, 3)
		stop()

		reached, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		v2 := &tally{version: 2, hook: func(ctx context.Context, ev projections.Event) error {
			if ev.Position == 2 {
				once.Do(func() { close(reached) })
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}}
		r2 := newRunner(t, e, e.db, v2)
		start(t, r2)
		<-reached

		ro, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if got := texts(t, ro); got != "a b c" {
			t.Errorf("during the rebuild readers see %q, want the old build's %q", got, "a b c")
		}
		s := statusOf(t, r2, "tally")
		if s.State != projections.StateRebuilding || s.Version != 2 || s.ServingVersion != 1 || s.ServingPosition != 3 {
			t.Errorf("status during the rebuild = %+v", s)
		}
		if err := r2.Ready(context.Background()); err != nil {
			t.Errorf("Ready during a rebuild = %v, want nil: the old build serves", err)
		}
		last := e.note(t, "notes-1", "d") // appended mid-rebuild
		close(release)
		waitFor(t, r2, last)
		if got := texts(t, ro); got != "A B C D" {
			t.Errorf("after the swap readers see %q, want %q", got, "A B C D")
		}
		if n := queryInt(t, ro, `SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\_\_v1\_%' ESCAPE '\'`); n != 0 {
			t.Errorf("%d objects of the old build remain", n)
		}
		if n := queryInt(t, ro, `SELECT count(*) FROM projection_checkpoints`); n != 1 {
			t.Errorf("%d checkpoints, want only the serving build's", n)
		}
	})

	t.Run("a reader's open transaction keeps its snapshot across the swap", func(t *testing.T) {
		e := newEnv(t)
		e.note(t, "notes-1", "a", "b")
		r1 := newRunner(t, e, e.db, &tally{version: 1})
		stop := start(t, r1)
		waitFor(t, r1, 2)
		stop()
		ro, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		tx, err := ro.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var before string
		if err := tx.QueryRow(`SELECT group_concat(text, ' ') FROM (SELECT text FROM notes ORDER BY position)`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		r2 := newRunner(t, e, e.db, &tally{version: 2})
		start(t, r2)
		waitFor(t, r2, 2) // swapped in, old tables dropped
		var during string
		if err := tx.QueryRow(`SELECT group_concat(text, ' ') FROM (SELECT text FROM notes ORDER BY position)`).Scan(&during); err != nil {
			t.Fatal(err)
		}
		if before != "a b" || during != "a b" {
			t.Errorf("the open transaction read %q then %q, want the old build both times", before, during)
		}
		tx.Rollback()
		if got := texts(t, ro); got != "A B" {
			t.Errorf("a new transaction reads %q, want the new build", got)
		}
	})
}

// texts returns the notes readers see, in log order.
func texts(t testing.TB, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT coalesce(group_concat(text, ' '), '') FROM (SELECT text FROM notes ORDER BY position)`).Scan(&s); err != nil {
		t.Fatalf("read notes: %v", err)
	}
	return s
}

func TestRebuildIsDeterministic(t *testing.T) {
	t.Run("rebuilding from scratch twice gives identical read models", func(t *testing.T) {
		e := newEnv(t)
		last := seed(t, e, 300)
		r := newRunner(t, e, e.db, &tally{version: 1})
		var first string
		{
			start(t, r)
			waitFor(t, r, last)
			first = dump(t, e.db)
		}
		before, err := projections.ServingTables(context.Background(), e.db, "tally")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			var seen []events.Position
			if err := r.Rebuild(context.Background(), "tally", func(done, total events.Position) {
				seen = append(seen, done)
				if done > total {
					t.Errorf("progress %d of %d", done, total)
				}
			}); err != nil {
				t.Fatalf("rebuild %d: %v", i, err)
			}
			if got := dump(t, e.db); got != first {
				t.Fatalf("rebuild %d differs:\n%s\n---\n%s", i, got, first)
			}
			if len(seen) < 2 || seen[len(seen)-1] != last {
				t.Errorf("progress reported %v, want it to end at %d", seen, last)
			}
		}
		after, err := projections.ServingTables(context.Background(), e.db, "tally")
		if err != nil {
			t.Fatal(err)
		}
		if before["notes"] == after["notes"] {
			t.Errorf("the rebuild served the same physical table %s, want fresh tables", after["notes"])
		}
	})

	t.Run("rebuilding while events are appended gives the read model of a rebuild from scratch", func(t *testing.T) {
		e := newEnv(t)
		seed(t, e, 300)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range 40 {
				e.note(t, fmt.Sprintf("live-%d", i%3), "live", fmt.Sprintf("νέο %d", i))
			}
		})
		if err := r.Rebuild(context.Background(), "tally", nil); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		head, err := e.store.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, r, head)
		during := dump(t, e.db)

		fresh := openReadModel(t, filepath.Join(t.TempDir(), "readmodel.db"))
		r2 := newRunner(t, e, fresh, &tally{version: 1})
		start(t, r2)
		waitFor(t, r2, head)
		if scratch := dump(t, fresh); scratch != during {
			t.Errorf("rebuild during appends differs from a rebuild from scratch:\n%s\n---\n%s", during, scratch)
		}
		if !strings.Contains(during, "νέο 39") {
			t.Error("the dump misses the last live event")
		}
	})
}

func TestRebuildUnderRun(t *testing.T) {
	t.Run("Run keeps following the log after a Rebuild swaps in a new build under it", func(t *testing.T) {
		e := newEnv(t)
		first := seed(t, e, 50)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, first) // Run has applied, and prepared its statements on, build 1
		if err := r.Rebuild(context.Background(), "tally", nil); err != nil {
			t.Fatal(err)
		}
		last := e.note(t, "notes-9", "after the rebuild")
		waitFor(t, r, last)
		if s := statusOf(t, r, "tally"); s.State != projections.StateCaughtUp || s.LastError != "" {
			t.Errorf("status %+v, want caught_up", s)
		}
		if n := queryInt(t, e.db, `SELECT sum(notes) FROM totals`); n != 51 {
			t.Errorf("tallied %d notes, want 51", n)
		}
	})
}

// seed appends n notes over a few streams, Greek and Latin, and returns
// the last position.
func seed(t testing.TB, e *env, n int) events.Position {
	t.Helper()
	var last events.Position
	for i := 0; i < n; i += 10 {
		texts := make([]string, 0, 10)
		for j := i; j < min(i+10, n); j++ {
			texts = append(texts, fmt.Sprintf("απόφαση %d/2026 item %d", j, j%7))
		}
		last = e.note(t, fmt.Sprintf("notes-%d", i%13), texts...)
	}
	return last
}

// finishing is tally with its text index created once a build has caught
// up (Finisher), or failing to be, when fail is set.
type finishing struct {
	tally
	fail bool
}

func (p *finishing) Finish(ctx context.Context, tx *projections.Tx) error {
	if p.fail {
		return fmt.Errorf("no room for the index")
	}
	_, err := tx.SQL().ExecContext(ctx, `CREATE INDEX `+tx.Table("notes_by_text")+` ON `+tx.Table("notes")+` (text)`)
	return err
}

func TestFinisher(t *testing.T) {
	t.Run("Finish runs once the build has caught up, before readers see it", func(t *testing.T) {
		e := newEnv(t)
		last := seed(t, e, 30)
		r := newRunner(t, e, e.db, &finishing{tally: tally{version: 1}})
		start(t, r)
		waitFor(t, r, last)
		tables, err := projections.ServingTables(context.Background(), e.db, "tally")
		if err != nil {
			t.Fatal(err)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, tables["notes_by_text"]); n != 1 {
			t.Errorf("index %q not created", tables["notes_by_text"])
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM notes`); n != 30 {
			t.Errorf("%d notes, want 30", n)
		}
	})

	t.Run("a failing Finish stops the projection and the previous build keeps serving", func(t *testing.T) {
		e := newEnv(t)
		first := e.note(t, "notes-1", "a", "b")
		r1 := newRunner(t, e, e.db, &tally{version: 1})
		stop := start(t, r1)
		waitFor(t, r1, first)
		stop()
		r2 := newRunner(t, e, e.db, &finishing{tally: tally{version: 2}, fail: true})
		start(t, r2)
		if err := r2.WaitFor(context.Background(), first); err == nil || !strings.Contains(err.Error(), "no room") {
			t.Fatalf("WaitFor = %v, want the Finish failure", err)
		}
		if got := texts(t, e.db); got != "a b" {
			t.Errorf("readers see %q, want the previous build's %q", got, "a b")
		}
	})
}
