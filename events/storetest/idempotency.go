package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func (s suite) idempotency(t *testing.T) {
	ctx := context.Background()
	withIDs := func(evs ...events.Event) []events.Event {
		for i := range evs {
			evs[i].ID = events.NewEventID()
		}
		return evs
	}

	t.Run("re-sending the same ids returns the first result and writes nothing", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xrequest-" + unique()
		batch := withIDs(event("xrequest.submitted", 0), event("xrequest.acknowledged", 1), event("xrequest.assigned", 2))
		first := mustAppend(t, store, stream, events.NoStream, batch...)
		head := mustHead(t, store)
		// The retry's expected version no longer holds; a retry still gets
		// the original answer, as the first attempt may have been lost in
		// transit.
		for _, expected := range []events.Expected{events.NoStream, events.Any, events.Exact(-1)} {
			again, err := store.Append(ctx, stream, expected, batch...)
			if err != nil || again != first {
				t.Fatalf("retry with %s: %+v, %v; want the first result %+v", expected, again, err, first)
			}
		}
		requireNotWritten(t, store, head, stream, 2)
	})

	t.Run("a retry after later appends still returns the first result", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xrequest-" + unique()
		batch := withIDs(event("xrequest.submitted", 0))
		first := mustAppend(t, store, stream, events.NoStream, batch...)
		mustAppend(t, store, stream, events.Exact(0), event("xrequest.answered", 1))
		head := mustHead(t, store)
		again, err := store.Append(ctx, stream, events.NoStream, batch...)
		if err != nil || again != first {
			t.Fatalf("retry: %+v, %v; want %+v", again, err, first)
		}
		requireNotWritten(t, store, head, stream, 1)
	})

	t.Run("appends after a retry or a conflicting id land at the next position and version", func(t *testing.T) {
		store := s.newStore(t)
		stream, other := "xrequest-"+unique(), "xrequest-"+unique()
		before := mustHead(t, store)
		batch := withIDs(event("xrequest.submitted", 0), event("xrequest.acknowledged", 1))
		first := mustAppend(t, store, stream, events.NoStream, batch...)
		if again, err := store.Append(ctx, stream, events.Any, batch...); err != nil || again != first {
			t.Fatalf("retry: %+v, %v; want %+v", again, err, first)
		}
		clash := batch[0]
		clash.Data = json.RawMessage(`{"n":"other"}`)
		if _, err := store.Append(ctx, stream, events.Any, clash); !errors.Is(err, events.ErrDuplicateEventID) {
			t.Fatalf("the same id with other data: %v; want ErrDuplicateEventID", err)
		}
		next := mustAppend(t, store, stream, events.Exact(1), event("xrequest.assigned", 2))
		if next.NextVersion != 2 || next.Position <= first.Position {
			t.Errorf("append after the retry: %+v; want version 2 after position %d", next, first.Position)
		}
		elsewhere := mustAppend(t, store, other, events.NoStream, event("xrequest.submitted", 0))
		if elsewhere.NextVersion != 0 || elsewhere.Position <= next.Position {
			t.Errorf("append to another stream: %+v; want version 0 after position %d", elsewhere, next.Position)
		}
		all := readAllAfter(t, store, events.ReadAllOptions{After: before})
		s.checkOrder(t, all, before)
		if len(all) != 4 || all[2].Position != next.Position || all[3].Position != elsewhere.Position {
			t.Errorf("read %d events after %d; want the 2 first, then the append at %d and at %d", len(all), before, next.Position, elsewhere.Position)
		}
	})

	t.Run("concurrent retries of one append write it once", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xrequest-" + unique()
		batch := withIDs(event("xrequest.submitted", 0), event("xrequest.closed", 1))
		before := mustHead(t, store)
		results := make(chan error, 8)
		for range 8 {
			go func() {
				_, err := store.Append(ctx, stream, events.Any, batch...)
				results <- err
			}()
		}
		for range 8 {
			if err := <-results; err != nil {
				t.Errorf("retry: %v", err)
			}
		}
		if all := readAllAfter(t, store, events.ReadAllOptions{After: before}); len(all) != 2 {
			t.Errorf("%d events written, want 2", len(all))
		}
	})

	conflicts := []struct {
		name        string
		otherStream bool
		retry       func(sent []events.Event, stream string) (string, []events.Event)
	}{
		{"the same id with other data is a conflict", false, func(sent []events.Event, stream string) (string, []events.Event) {
			ev := sent[0]
			ev.Data = json.RawMessage(`{"n":"other"}`)
			return stream, []events.Event{ev}
		}},
		{"the same id with another type is a conflict", false, func(sent []events.Event, stream string) (string, []events.Event) {
			ev := sent[0]
			ev.Type = "xrequest.rejected"
			return stream, []events.Event{ev}
		}},
		{"the same id in another stream is a conflict", true, func(sent []events.Event, stream string) (string, []events.Event) {
			return stream + "-other", sent[:1]
		}},
		{"a batch with a recorded id after a new one is a conflict", false, func(sent []events.Event, stream string) (string, []events.Event) {
			return stream, []events.Event{{ID: events.NewEventID(), Type: "xrequest.reopened", Data: json.RawMessage(`{}`)}, sent[0]}
		}},
		{"recorded ids in another order are a conflict", false, func(sent []events.Event, stream string) (string, []events.Event) {
			return stream, []events.Event{sent[1], sent[0]}
		}},
	}
	for _, tc := range conflicts {
		t.Run(tc.name, func(t *testing.T) {
			if tc.otherStream && s.idsPerStream {
				t.Skip("this store finds a reused id within its stream only: its server has no index of ids across streams")
			}
			store := s.newStore(t)
			stream := "xrequest-" + unique()
			sent := withIDs(event("xrequest.submitted", 0), event("xrequest.acknowledged", 1))
			mustAppend(t, store, stream, events.NoStream, sent...)
			head := mustHead(t, store)
			target, retry := tc.retry(sent, stream)
			_, err := store.Append(ctx, target, events.Any, retry...)
			if !errors.Is(err, events.ErrDuplicateEventID) || events.ErrorCode(err) != events.CodeConflict {
				t.Fatalf("append: %v; want ErrDuplicateEventID with code conflict", err)
			}
			requireNotWritten(t, store, head, stream, 1)
			if target != stream {
				requireNotWritten(t, store, head, target, -1)
			}
		})
	}
}
