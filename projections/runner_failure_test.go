package projections_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestFailingEvent(t *testing.T) {
	t.Run("a failing event stops the projection with a clear status and keeps the events before it", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a", "b", "poison", "c")
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		err := r.WaitFor(context.Background(), last)
		if events.ErrorCode(err) != events.CodeUnavailable || !strings.Contains(err.Error(), "event 3") {
			t.Fatalf("WaitFor = %v, want unavailable naming event 3", err)
		}
		s := statusOf(t, r, "tally")
		if s.State != projections.StateFailed || s.Position != 2 || !strings.Contains(s.LastError, "poisoned") {
			t.Errorf("status = %+v, want failed at position 2 with the Apply error", s)
		}
		if err := r.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "tally failed") {
			t.Errorf("Ready = %v, want tally failed", err)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM `+physical(t, e.db, "notes")); n != 2 {
			t.Errorf("%d notes, want the 2 before the failing event", n)
		}
		if n := queryInt(t, e.db, `SELECT failed_position FROM projection_checkpoints WHERE projection = 'tally'`); n != 3 {
			t.Errorf("checkpoint records failure at %d, want 3", n)
		}
	})

	t.Run("an Apply error rolls back its writes and the checkpoint, and fixed code resumes exactly once", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a", "b", "c", "d")
		failing := &tally{version: 1, failAfterWrite: func(ev projections.Event) bool { return ev.Position == 3 }}
		r := newRunner(t, e, e.db, failing)
		stop := start(t, r)
		if err := r.WaitFor(context.Background(), last); err == nil {
			t.Fatal("WaitFor succeeded past a failing event")
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM `+physical(t, e.db, "notes")+` WHERE position = 3`); n != 0 {
			t.Error("the failing event's row was committed")
		}
		if n := queryInt(t, e.db, `SELECT position FROM projection_checkpoints WHERE projection = 'tally'`); n != 2 {
			t.Errorf("checkpoint at %d, want 2", n)
		}
		stop()

		r2 := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r2)
		waitFor(t, r2, last)
		if n := queryInt(t, e.db, `SELECT notes FROM totals WHERE stream = 'notes-1'`); n != 4 {
			t.Errorf("tallied %d notes, want each of 4 exactly once", n)
		}
		if s := statusOf(t, r2, "tally"); s.State != projections.StateCaughtUp || s.LastError != "" {
			t.Errorf("status after the fix = %+v, want caught_up without error", s)
		}
	})

	t.Run("a panic in Apply is a failing event, not a crash", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a", "b")
		p := &tally{version: 1, hook: func(_ context.Context, ev projections.Event) error {
			if ev.Position == 2 {
				var m map[string]int
				m["boom"]++ // nil map: panics
			}
			return nil
		}}
		r := newRunner(t, e, e.db, p)
		start(t, r)
		if err := r.WaitFor(context.Background(), last); err == nil || !strings.Contains(err.Error(), "panic") {
			t.Fatalf("WaitFor = %v, want the panic reported", err)
		}
		if s := statusOf(t, r, "tally"); s.Position != 1 {
			t.Errorf("position %d, want 1", s.Position)
		}
	})

	t.Run("data that does not fit its type is a failing event", func(t *testing.T) {
		e := newEnv(t)
		_, last := e.poison(t, "notes-1", "runnertest.noted", `{"text":42}`)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		if err := r.WaitFor(context.Background(), last); events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("WaitFor = %v, want unavailable", err)
		}
		if s := statusOf(t, r, "tally"); s.State != projections.StateFailed {
			t.Errorf("state %s, want failed", s.State)
		}
	})

	t.Run("a failing Setup stops the projection and writes nothing", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a")
		r := newRunner(t, e, e.db, badSetup{})
		start(t, r)
		err := r.WaitFor(context.Background(), last)
		if err == nil || !strings.Contains(err.Error(), "setup") {
			t.Fatalf("WaitFor = %v, want the setup failure", err)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM projection_checkpoints`); n != 0 {
			t.Errorf("%d checkpoints written, want none", n)
		}
	})
}

type badSetup struct{}

func (badSetup) Name() string { return "bad_setup" }
func (badSetup) Version() int { return 1 }
func (badSetup) Setup(ctx context.Context, tx *projections.Tx) error {
	_, err := tx.SQL().ExecContext(ctx, `CREATE TABLE `+tx.Table("t")+` (x INTEGER); CREATE TABLE oops (`)
	return err
}
func (badSetup) Apply(context.Context, *projections.Tx, projections.Event) error { return nil }

func TestCancellation(t *testing.T) {
	t.Run("Run returns nil when its context ends mid-batch, and the batch is rolled back", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a", "b", "c")
		reached := make(chan struct{})
		p := &tally{version: 1, hook: func(ctx context.Context, ev projections.Event) error {
			if ev.Position == 2 {
				close(reached)
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}}
		r := newRunner(t, e, e.db, p)
		stop := start(t, r)
		<-reached
		if err := stop(); err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM `+physical(t, e.db, "notes")); n != 0 {
			t.Errorf("%d notes committed from a cancelled batch", n)
		}
		if n := queryInt(t, e.db, `SELECT coalesce(max(position), 0) FROM projection_checkpoints WHERE error IS NOT NULL`); n != 0 {
			t.Error("a cancellation was recorded as a failure")
		}
		r2 := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r2)
		waitFor(t, r2, last)
		if n := queryInt(t, e.db, `SELECT notes FROM totals`); n != 3 {
			t.Errorf("tallied %d, want 3", n)
		}
	})

	t.Run("WaitFor returns the context's error when it ends first", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := r.WaitFor(ctx, 1_000_000); !errors.Is(err, context.Canceled) {
			t.Errorf("WaitFor = %v, want context.Canceled", err)
		}
	})

	t.Run("a second Run at once is refused", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, e.note(t, "m-1", "a")) // the first Run is running
		if err := r.Run(context.Background()); events.ErrorCode(err) != events.CodeConflict {
			t.Errorf("second Run = %v, want conflict", err)
		}
	})

	t.Run("Ready says not running before Run", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		if err := r.Ready(context.Background()); events.ErrorCode(err) != events.CodeUnavailable {
			t.Errorf("Ready = %v, want unavailable", err)
		}
	})
}
