package ledger

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Run follows the log from the tree's last leaf, appending every event
// and signing checkpoints, until ctx ends; then it returns nil. Errors of
// the store or of the ledger file are retried with a growing pause; an
// event the ledger cannot take (LeafError) stops it there, logged, until
// ctx ends. Run must not be called twice at once.
func (l *Ledger) Run(ctx context.Context, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pause := l.opts.RetryAfter
	for ctx.Err() == nil {
		err := l.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		l.mu.Lock()
		l.failure = err
		l.mu.Unlock()
		var leaf *LeafError
		if errors.As(err, &leaf) {
			logger.Error("ledger stopped at an event it cannot hash", "position", uint64(leaf.Position), "error", leaf.Err)
			<-ctx.Done()
			return nil
		}
		logger.Warn("ledger paused, will retry", "error", err, "retry_in", pause)
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
		pause = min(2*pause, 32*l.opts.RetryAfter)
	}
	return nil
}

type fetched struct {
	evs []events.RecordedEvent
	err error
}

// follow appends the log's batches as they come, and signs the whole tree
// every Interval while it grows.
func (l *Ledger) follow(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Another process (pnyx export beside pnyx serve) may have appended
	// leaves since: start from what the file holds.
	if err := l.reload(ctx); err != nil {
		return err
	}
	sub, err := l.log.SubscribeAll(ctx, l.Tree().Position)
	if err != nil {
		return err
	}
	defer sub.Close()
	batches := make(chan fetched, 64)
	go func() {
		for {
			evs, err := sub.Next(ctx)
			select {
			case batches <- fetched{evs, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(l.opts.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if err := l.signDue(ctx); err != nil {
				return err
			}
		case f := <-batches:
			evs, err := f.evs, f.err
			// Batches already waiting join this transaction.
		gather:
			for err == nil && len(evs) < maxTxEvents {
				select {
				case g := <-batches:
					evs, err = append(slices.Clip(evs), g.evs...), g.err
				default:
					break gather
				}
			}
			if len(evs) > 0 {
				if aerr := l.appendBatch(ctx, evs); aerr != nil {
					return aerr
				}
			}
			if err != nil {
				return err
			}
		}
	}
}

// signDue signs the whole tree when it has grown since the newest
// checkpoint and Interval has passed since that one was signed.
func (l *Ledger) signDue(ctx context.Context) error {
	t := l.Tree()
	l.mu.Lock()
	due := t.Size > l.signed && l.opts.Now().Sub(l.signedAt) >= l.opts.Interval
	l.mu.Unlock()
	if !due {
		return nil
	}
	return l.sign(ctx, t)
}

// WaitFor returns once the tree holds every event up to position pos, or
// ctx.Err(); the error Run last met while not progressing, as an
// unavailable error, when ctx ends first.
func (l *Ledger) WaitFor(ctx context.Context, pos events.Position) error {
	for {
		l.mu.Lock()
		done, changed, failure := l.last >= pos, l.changed, l.failure
		l.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			if failure != nil {
				return &events.Error{Code: events.CodeUnavailable, Message: "ledger is behind the log", Err: failure}
			}
			return ctx.Err()
		case <-changed:
		}
	}
}

// reload reads the tree's state back from the file, under the writer's
// lock.
func (l *Ledger) reload(ctx context.Context) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	grew := false
	before := l.size
	if err := l.load(ctx); err != nil {
		return unavailable(err)
	}
	grew = l.size != before
	if grew {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return nil
}
