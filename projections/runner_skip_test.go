package projections_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/internal/tokentest"
	"github.com/pnyx-civic/pnyx/projections"
)

// recordSkip runs the admin's command that passes over the event id at pos
// and returns the skip's position.
func (e *env) recordSkip(t *testing.T, id uuid.UUID, pos events.Position, reason string) events.Position {
	t.Helper()
	ctx := context.Background()
	svc := events.NewService(e.store, events.ServiceOptions{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	admin := tokentest.New(ctx, t, svc, at.Add(-time.Hour)).Admin()
	h, err := svc.Handle(ctx, events.SkipEvent{EventID: id, Position: pos, EventStream: "notes-bad",
		EventVersion: 0, EventType: "runnertest.noted", Reason: reason, SkippedBy: admin.TokenID, At: at}, events.WithActor(admin))
	if err != nil {
		t.Fatalf("record a skip: %v", err)
	}
	return h.Result.Position
}

func TestSkipPassesOverAPoisonedEvent(t *testing.T) {
	const reason = "written by an old import tool with a numeric text"
	// poisoned returns a log whose event 2, written below the store's
	// checks, no code decodes, and the position of its last note.
	poisoned := func(t *testing.T) (*env, uuid.UUID, events.Position, events.Position) {
		e := newEnv(t)
		e.note(t, "notes-1", "before")
		id, bad := e.poison(t, "notes-bad", "runnertest.noted", `{"text":42}`)
		last := e.note(t, "notes-1", "after", "and after")
		return e, id, bad, last
	}

	t.Run("a live projection stopped at the event resumes once a skip is recorded", func(t *testing.T) {
		e, id, bad, last := poisoned(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		if err := r.WaitFor(context.Background(), last); events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("WaitFor = %v, want unavailable: the log is poisoned", err)
		}
		if s := statusOf(t, r, "tally"); s.State != projections.StateFailed || s.Position != bad-1 {
			t.Fatalf("status %+v, want failed before event %d", s, bad)
		}
		skipAt := e.recordSkip(t, id, bad, reason)
		waitForRecovery(t, r, skipAt)
		s := statusOf(t, r, "tally")
		want := []projections.PassedOver{{Position: bad, EventID: id, Type: "runnertest.noted", SkipPosition: skipAt, Reason: reason}}
		if s.State != projections.StateCaughtUp || s.LastError != "" || !slices.Equal(s.PassedOver, want) {
			t.Fatalf("status %+v, want caught up, passed over %+v", s, want)
		}
		reg := prometheus.NewRegistry()
		if err := r.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		if got := gather(t, reg)["pnyx_projection_passed_over/"]; got != 1 {
			t.Errorf("pnyx_projection_passed_over = %v, want 1", got)
		}
		if n := queryInt(t, e.db, `SELECT notes FROM totals WHERE stream = 'notes-1'`); n != 3 {
			t.Errorf("tallied %d notes of notes-1, want the 3 around the poisoned event", n)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM notes WHERE position = ?`, bad); n != 0 {
			t.Errorf("the poisoned event left %d rows", n)
		}

		t.Run("a rebuild passes over it too, to the same tables", func(t *testing.T) {
			live := dump(t, e.db)
			if err := r.Rebuild(context.Background(), "tally", nil); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if got := dump(t, e.db); got != live {
				t.Errorf("the rebuild differs from the live build:\n%s\n---\n%s", got, live)
			}
			if s := statusOf(t, r, "tally"); !slices.Equal(s.PassedOver, want) {
				t.Errorf("passed over %+v after the rebuild, want %+v", s.PassedOver, want)
			}
		})
	})

	t.Run("a rebuild finds a skip recorded after the event", func(t *testing.T) {
		e, id, bad, last := poisoned(t)
		skipAt := e.recordSkip(t, id, bad, reason)
		r := newRunner(t, e, e.db, &tally{version: 1})
		if err := r.Rebuild(context.Background(), "tally", nil); err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		st, err := r.Inspect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st[0].ServingPosition != skipAt || len(st[0].PassedOver) != 1 || st[0].PassedOver[0].Position != bad {
			t.Fatalf("status %+v, want serving at %d, passed over %d", st[0], skipAt, bad)
		}
		if n := queryInt(t, e.db, `SELECT count(*) FROM notes WHERE position <= ?`, last); n != 3 {
			t.Errorf("%d notes, want 3", n)
		}
	})

	t.Run("without a skip a rebuild stops at the event", func(t *testing.T) {
		e, _, bad, _ := poisoned(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		err := r.Rebuild(context.Background(), "tally", nil)
		var failed *projections.EventError
		if !errors.As(err, &failed) || failed.Position != bad {
			t.Fatalf("rebuild = %v, want the event error at %d", err, bad)
		}
	})

	t.Run("a skip of an event that applies changes nothing", func(t *testing.T) {
		e := newEnv(t)
		last := e.note(t, "notes-1", "a", "b")
		evs, err := e.store.ReadStream(context.Background(), "notes-1", events.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		skipAt := e.recordSkip(t, evs[1].ID, last, "by mistake")
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		waitFor(t, r, skipAt)
		if s := statusOf(t, r, "tally"); len(s.PassedOver) != 0 {
			t.Errorf("passed over %+v, want nothing", s.PassedOver)
		}
		if n := queryInt(t, e.db, `SELECT notes FROM totals WHERE stream = 'notes-1'`); n != 2 {
			t.Errorf("tallied %d notes, want both", n)
		}
	})
}
