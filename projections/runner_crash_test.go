package projections_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/projections"
)

// crashDirEnv tells the test binary, started again by
// TestCrashMidBatch, to run the runner in that directory and kill itself
// in the middle of a batch.
const crashDirEnv = "PNYX_PROJECTIONS_CRASH_DIR"

func TestCrashMidBatch(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashingRunner(dir)
		return
	}
	t.Run("a process killed mid-batch applies nothing twice after restart", func(t *testing.T) {
		e := newEnv(t)
		last := seed(t, e, 2500) // several batches of the store
		e.store.Close()
		e.db.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidBatch$")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+e.dir)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("the crashing runner ended with %v, want exit status 3:\n%s", err, out)
		}

		store, err := sqlite.Open(context.Background(), filepath.Join(e.dir, "events.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		db := openReadModel(t, filepath.Join(e.dir, "readmodel.db"))
		// The checkpoint stands at the end of a committed batch before the
		// crash, and exactly its events are in the tables.
		at := queryInt(t, db, `SELECT position FROM projection_checkpoints`)
		if at < 1 || at >= 1500 {
			t.Fatalf("checkpoint after the crash at %d, want a batch end before 1500", at)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM `+physical(t, db, "notes")); n != at {
			t.Fatalf("%d notes after the crash, want the %d before the checkpoint", n, at)
		}
		e2 := &env{dir: e.dir, store: store, db: db}
		r := newRunner(t, e2, db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, last)
		if n := queryInt(t, db, `SELECT sum(notes) FROM totals`); n != 2500 {
			t.Errorf("tallied %d notes, want each of 2500 exactly once", n)
		}
	})
}

// crashingRunner runs the tally projection and exits the process, without
// any cleanup, while applying the middle of the second batch.
func crashingRunner(dir string) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		os.Exit(1)
	}
	db, err := projections.OpenReadModel(ctx, filepath.Join(dir, "readmodel.db"))
	if err != nil {
		os.Exit(1)
	}
	p := &tally{version: 1, hook: func(_ context.Context, ev projections.Event) error {
		if ev.Position == 1500 {
			os.Exit(3)
		}
		return nil
	}}
	r, err := projections.NewRunner(db, store, []projections.Projection{p}, projections.Options{})
	if err != nil {
		os.Exit(1)
	}
	r.Run(ctx)
	os.Exit(2)
}
