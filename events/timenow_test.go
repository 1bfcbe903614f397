package events_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func TestStampNowSetsEveryCommandsTime(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 15, 500, time.FixedZone("EET", 2*3600))
	cmds := events.PermittedCommands()
	if len(cmds) < 57 {
		t.Fatalf("%d commands in the permissions table: the scan is broken", len(cmds))
	}
	for _, typ := range cmds {
		cmd := reflect.New(typ).Elem().Interface().(events.Command)
		timed, ok := cmd.(events.Timed)
		if !ok {
			continue
		}
		t.Run(typ.Name(), func(t *testing.T) {
			got, err := events.StampNow(cmd, now)
			if err != nil {
				t.Fatal(err)
			}
			if at := got.(events.Timed).OccurredAt(); !at.Equal(now) || at.Location() != time.UTC {
				t.Errorf("stamped %s, want %s in UTC", at, now.UTC())
			}
			if !timed.OccurredAt().IsZero() {
				t.Errorf("the command given was changed")
			}
			set := reflect.New(typ).Elem()
			set.FieldByName("At").Set(reflect.ValueOf(now.Add(-time.Hour)))
			kept, err := events.StampNow(set.Interface().(events.Command), now)
			if err != nil || !kept.(events.Timed).OccurredAt().Equal(now.Add(-time.Hour)) {
				t.Errorf("a time already set: %v, %v; want it kept", kept, err)
			}
		})
	}
}

func TestWithTimeNow(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clock := day(5)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{Now: func() time.Time { return clock }}))
	handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})

	t.Run("a command without a time happens now, by the service's clock", func(t *testing.T) {
		h := handle(t, s, postToLedger{ID: "l", Amount: 1}, events.WithTimeNow())
		evs := readAll(t, st)
		if last := evs[len(evs)-1]; last.ID != h.EventIDs[0] || !last.OccurredAt.Equal(clock) {
			t.Fatalf("occurred at %s, want %s", last.OccurredAt, clock)
		}
	})
	t.Run("a retry sent later with the same key replays the first outcome", func(t *testing.T) {
		first := handle(t, s, postToLedger{ID: "l", Amount: 2}, events.WithTimeNow(), events.WithIdempotencyKey("post-2"))
		n := len(readAll(t, st))
		clock = clock.Add(time.Minute)
		again := handle(t, s, postToLedger{ID: "l", Amount: 2}, events.WithTimeNow(), events.WithIdempotencyKey("post-2"))
		if !again.Replayed || again.EventIDs[0] != first.EventIDs[0] || len(readAll(t, st)) != n {
			t.Fatalf("retry %+v, first %+v: want a replay writing nothing", again, first)
		}
		if _, err := s.Handle(ctx, postToLedger{ID: "l", Amount: 3}, events.WithTimeNow(), events.WithIdempotencyKey("post-2")); events.ErrorCode(err) != events.CodeConflict {
			t.Fatalf("the key with other content: %v, want a conflict", err)
		}
	})
	t.Run("a time given is kept", func(t *testing.T) {
		handle(t, s, postToLedger{ID: "l", Amount: 4, At: clock.Add(-time.Second)}, events.WithTimeNow())
		evs := readAll(t, st)
		if last := evs[len(evs)-1]; !last.OccurredAt.Equal(clock.Add(-time.Second)) {
			t.Fatalf("occurred at %s, want the time given", last.OccurredAt)
		}
	})
}
