package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// guard bounds a wait that should end, so a broken store fails the test
// instead of hanging it. It is not a timing assertion.
const guard = 30 * time.Second

func (s suite) subscriptions(t *testing.T) {
	starts := []struct {
		name string
		// after picks where to subscribe, given the head before the
		// existing events and the existing events.
		after func(before events.Position, existing []events.RecordedEvent) events.Position
	}{
		{"from 0", func(events.Position, []events.RecordedEvent) events.Position { return 0 }},
		{"from the middle", func(_ events.Position, existing []events.RecordedEvent) events.Position {
			return existing[len(existing)/2].Position
		}},
		{"from the head", func(_ events.Position, existing []events.RecordedEvent) events.Position {
			return existing[len(existing)-1].Position
		}},
	}
	for _, st := range starts {
		t.Run("a subscription "+st.name+" delivers every event once in order while appends go on", func(t *testing.T) {
			store := s.newStore(t)
			run := unique()
			before := mustHead(t, store)
			for i := range 40 {
				mustAppend(t, store, "xmeeting-"+run+"-old", events.Any, event("xmeeting.item_added", i))
			}
			existing := readAllAfter(t, store, events.ReadAllOptions{After: before})
			after := st.after(before, existing)

			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			sub, err := store.SubscribeAll(ctx, after)
			if err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			defer sub.Close()

			want := map[uuid.UUID]bool{}
			for _, ev := range existing {
				if ev.Position > after {
					want[ev.ID] = true
				}
			}
			const writers, each = 4, 50
			var mu sync.Mutex
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						ev := event("xmeeting.item_added", i)
						ev.ID = events.NewEventID()
						mu.Lock()
						want[ev.ID] = true
						mu.Unlock()
						if _, err := store.Append(ctx, "xmeeting-"+run+"-"+string(rune('a'+w)), events.Any, ev); err != nil {
							t.Errorf("append: %v", err)
						}
					}
				})
			}
			seen := map[uuid.UUID]bool{}
			total := len(existing) - countAtOrBefore(existing, after) + writers*each
			var got []events.RecordedEvent
			for len(seen) < total {
				batch, err := sub.Next(ctx)
				if err != nil {
					t.Fatalf("next after %d of %d events: %v", len(seen), writers*each, err)
				}
				if len(batch) == 0 {
					t.Fatal("next returned an empty batch")
				}
				for _, ev := range batch {
					if seen[ev.ID] {
						t.Fatalf("event %s at %d delivered twice", ev.ID, ev.Position)
					}
					mu.Lock()
					mine := want[ev.ID]
					mu.Unlock()
					if mine {
						seen[ev.ID] = true
					}
				}
				got = append(got, batch...)
			}
			wg.Wait()
			s.checkOrder(t, got, after)
			for id := range want {
				if !seen[id] {
					t.Errorf("event %s never delivered", id)
				}
			}
		})
	}

	t.Run("a caught-up subscription wakes for the next append", func(t *testing.T) {
		store := s.newStore(t)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		sub, err := store.SubscribeAll(ctx, mustHead(t, store))
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		defer sub.Close()
		got := make(chan []events.RecordedEvent, 1)
		go func() {
			batch, err := sub.Next(ctx)
			if err != nil {
				t.Errorf("next: %v", err)
			}
			got <- batch
		}()
		stream := "xvote-" + unique()
		res := mustAppend(t, store, stream, events.NoStream, event("xvote.opened", 1))
		batch := <-got
		if len(batch) != 1 || batch[0].Stream != stream || batch[0].Position != res.Position {
			t.Errorf("delivered %+v, want the one event appended at %d", batch, res.Position)
		}
	})

	t.Run("next on a closed subscription is unavailable", func(t *testing.T) {
		store := s.newStore(t)
		sub, err := store.SubscribeAll(context.Background(), mustHead(t, store))
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		if err := sub.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		if err := sub.Close(); err != nil {
			t.Errorf("second close: %v", err)
		}
		if _, err := sub.Next(context.Background()); !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("next: %v; want ErrUnavailable", err)
		}
	})
}

func countAtOrBefore(evs []events.RecordedEvent, pos events.Position) int {
	n := 0
	for _, ev := range evs {
		if ev.Position <= pos {
			n++
		}
	}
	return n
}

func (s suite) cancellation(t *testing.T) {
	t.Run("next returns the context's error when it is cancelled while waiting", func(t *testing.T) {
		store := s.newStore(t)
		sub, err := store.SubscribeAll(context.Background(), mustHead(t, store))
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		defer sub.Close()
		ctx, cancel := context.WithCancel(context.Background())
		waiting := make(chan error, 1)
		go func() {
			_, err := sub.Next(ctx)
			waiting <- err
		}()
		cancel()
		select {
		case err := <-waiting:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("next: %v; want context.Canceled", err)
			}
		case <-time.After(guard):
			t.Fatal("next did not return after its context was cancelled")
		}
	})

	t.Run("next returns the deadline error when its deadline passes", func(t *testing.T) {
		store := s.newStore(t)
		sub, err := store.SubscribeAll(context.Background(), mustHead(t, store))
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		defer sub.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("next: %v; want context.DeadlineExceeded", err)
		}
	})

	t.Run("an append with a cancelled context returns its error and writes nothing", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xvote-" + unique()
		head := mustHead(t, store)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := store.Append(ctx, stream, events.Any, event("xvote.opened", 1))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("append: %v; want context.Canceled", err)
		}
		requireNotWritten(t, store, head, stream, -1)
	})

	t.Run("reads with a cancelled context return its error", func(t *testing.T) {
		store := s.newStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := store.ReadAll(ctx, events.ReadAllOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("read all: %v; want context.Canceled", err)
		}
		if _, err := store.ReadStream(ctx, "xvote-1", events.ReadStreamOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("read stream: %v; want context.Canceled", err)
		}
	})
}
