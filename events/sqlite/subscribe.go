package sqlite

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// subscriptionBatch is the most events one Next returns.
const subscriptionBatch = 1000

// SubscribeAll follows the log from after position after. Appends in this
// process wake it at once; appends by another process on the same file are
// found by polling every Options.PollInterval.
func (s *Store) SubscribeAll(ctx context.Context, after events.Position) (events.Subscription, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	return &subscription{s: s, after: after, closed: make(chan struct{})}, nil
}

type subscription struct {
	s     *Store
	after events.Position

	closeOnce sync.Once
	closed    chan struct{}
}

// Next returns the next non-empty batch of events, waiting for one if the
// subscription has caught up.
func (sub *subscription) Next(ctx context.Context) ([]events.RecordedEvent, error) {
	var poll *time.Timer
	defer func() {
		if poll != nil {
			poll.Stop()
		}
	}()
	for {
		select {
		case <-sub.closed:
			return nil, fmt.Errorf("subscription closed: %w", events.ErrUnavailable)
		default:
		}
		wake := sub.s.waitChan() // before reading, so no commit is missed
		evs, err := sub.s.ReadAll(ctx, events.ReadAllOptions{After: sub.after, Limit: subscriptionBatch})
		if err != nil {
			select {
			case <-sub.s.done:
				return nil, fmt.Errorf("store closed: %w", events.ErrUnavailable)
			default:
				return nil, err
			}
		}
		if len(evs) > 0 {
			sub.after = evs[len(evs)-1].Position
			return evs, nil
		}
		if poll == nil {
			poll = time.NewTimer(sub.s.pollInterval)
		} else {
			poll.Reset(sub.s.pollInterval)
		}
		select {
		case <-wake:
		case <-poll.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-sub.closed:
			return nil, fmt.Errorf("subscription closed: %w", events.ErrUnavailable)
		case <-sub.s.done:
			return nil, fmt.Errorf("store closed: %w", events.ErrUnavailable)
		}
	}
}

// Close ends the subscription; a Next in progress returns
// events.ErrUnavailable.
func (sub *subscription) Close() error {
	sub.closeOnce.Do(func() { close(sub.closed) })
	return nil
}
