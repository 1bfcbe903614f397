package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
)

// subscriptionBatch is the most events one Next returns.
const subscriptionBatch = 1000

// maxResubscribeWait caps the wait between attempts to reopen a dropped
// subscription.
const maxResubscribeWait = 5 * time.Second

// SubscribeAll follows the log after position after through one $all
// catch-up subscription, filtered on the server so that only Pnyx's
// events (not the server's "$" events) travel. When the connection drops,
// it subscribes again from the last event it delivered, so the caller
// sees neither a gap nor a duplicate. The subscription lives until Close,
// or until the store closes; ctx only bounds this call.
func (s *Store) SubscribeAll(ctx context.Context, after events.Position) (events.Subscription, error) {
	if _, err := s.current(ctx); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	sub := &subscription{
		s:      s,
		last:   after,
		ctx:    sctx,
		cancel: cancel,
		items:  make(chan item, subscriptionBatch),
		ended:  make(chan struct{}),
	}
	go sub.run()
	return sub, nil
}

type item struct {
	ev  events.RecordedEvent
	err error
}

type subscription struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	items  chan item
	ended  chan struct{} // closed when run returns

	last events.Position // owned by run: the last event put in items

	closeOnce sync.Once
	fatal     error // owned by Next: an error that ends the subscription
}

// Next returns the next non-empty batch, waiting for one if the
// subscription has caught up.
func (sub *subscription) Next(ctx context.Context) ([]events.RecordedEvent, error) {
	if sub.fatal != nil {
		return nil, sub.fatal
	}
	if sub.ctx.Err() != nil {
		return nil, fmt.Errorf("subscription closed: %w", events.ErrUnavailable)
	}
	var first item
	select {
	case first = <-sub.items:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-sub.ctx.Done():
		return nil, fmt.Errorf("subscription closed: %w", events.ErrUnavailable)
	case <-sub.s.done:
		return nil, fmt.Errorf("store closed: %w", events.ErrUnavailable)
	}
	if first.err != nil {
		sub.fatal = first.err
		return nil, first.err
	}
	batch := []events.RecordedEvent{first.ev}
	for len(batch) < subscriptionBatch {
		select {
		case it := <-sub.items:
			if it.err != nil {
				sub.fatal = it.err
				return batch, nil
			}
			batch = append(batch, it.ev)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// Close ends the subscription. It is safe to call more than once.
func (sub *subscription) Close() error {
	sub.closeOnce.Do(sub.cancel)
	<-sub.ended
	return nil
}

// run follows the log, subscribing again after every drop, until the
// subscription or the store is closed, or an event cannot be read.
func (sub *subscription) run() {
	defer close(sub.ended)
	go func() {
		select {
		case <-sub.s.done:
			sub.cancel()
		case <-sub.ctx.Done():
		}
	}()
	wait := sub.s.resubscribe
	for {
		delivered, err := sub.follow()
		if sub.ctx.Err() != nil {
			return
		}
		var fatal *events.Error
		if errors.As(err, &fatal) && fatal.Code == events.CodeInternal {
			select {
			case sub.items <- item{err: err}:
			case <-sub.ctx.Done():
			}
			return
		}
		if delivered {
			wait = sub.s.resubscribe
		}
		sub.s.log.Warn("kurrentdb subscription dropped; subscribing again", "after", uint64(sub.last), "in", wait, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-sub.ctx.Done():
			t.Stop()
			return
		}
		wait = min(wait*2, maxResubscribeWait)
	}
}

// follow opens one server subscription after sub.last and delivers its
// events until it drops. It reports whether it delivered any.
func (sub *subscription) follow() (bool, error) {
	c, err := sub.s.current(sub.ctx)
	if err != nil {
		return false, err
	}
	opts := kurrentdb.SubscribeToAllOptions{
		From:   kurrentdb.Start{},
		Filter: kurrentdb.ExcludeSystemEventsFilter(),
	}
	if sub.last > 0 {
		// A subscription from a position starts after it.
		opts.From = kurrentdb.Position{Commit: uint64(sub.last), Prepare: uint64(sub.last)}
	}
	// The subscription's stream has no deadline (it is meant to live),
	// but waiting for the server to confirm it has one.
	octx, cancel := context.WithCancel(sub.ctx)
	defer cancel()
	timer := time.AfterFunc(sub.s.timeout, cancel)
	ks, err := c.SubscribeToAll(octx, opts)
	if !timer.Stop() && err != nil {
		return false, unavailable(fmt.Errorf("subscribe: the server did not confirm within %s: %w", sub.s.timeout, err))
	}
	if err != nil {
		sub.s.renewIfClosed(c, err)
		return false, mapErr(sub.ctx, "subscribe", err)
	}
	defer ks.Close()
	delivered := false
	for {
		se := ks.Recv()
		switch {
		case se.SubscriptionDropped != nil:
			err := se.SubscriptionDropped.Error
			if err == nil {
				err = errors.New("dropped by the server")
			}
			sub.s.renewIfClosed(c, err)
			return delivered, mapErr(sub.ctx, "subscription", err)
		case se.EventAppeared == nil || se.EventAppeared.Event == nil:
			continue // checkpoints, caught up, fell behind
		}
		raw := se.EventAppeared.Event
		if isServerEvent(raw) || position(raw.Position) <= sub.last {
			continue
		}
		ev, err := recorded(raw)
		if err != nil {
			return delivered, err
		}
		select {
		case sub.items <- item{ev: ev}:
			sub.last = ev.Position
			delivered = true
		case <-sub.ctx.Done():
			return delivered, sub.ctx.Err()
		}
	}
}
