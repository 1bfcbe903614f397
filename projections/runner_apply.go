package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// EventError reports the event that stopped a projection: its Apply (or
// the decoding of its payload) failed. The batch it was in is rolled back
// to just before it, and the projection stays stopped at Position-1 until
// a skip of the event is recorded (see runner_skip.go), or the fixed code
// is restarted.
type EventError struct {
	Projection string
	Position   events.Position
	EventID    uuid.UUID
	Type       string
	Err        error
}

func (e *EventError) Error() string {
	return fmt.Sprintf("projection %s: event %d (%s): %v", e.Projection, e.Position, e.Type, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// follow applies the log to build cp from its checkpoint on, batch by
// batch. For a serving build it returns only on an error; for a building
// build it returns nil once the build has caught up with the head and been
// swapped in. progress, if set, is told the position and head after every
// batch.
func (r *Runner) follow(ctx context.Context, t *track, cp checkpoint, progress func(done, total events.Position)) error {
	building := cp.status == statusBuilding
	r.setActive(t, cp.build, true)
	defer r.setActive(t, cp.build, false)

	pos := cp.position
	head, err := r.log.Head(ctx)
	if err != nil {
		return err
	}
	r.advanced(t, cp.build, pos, head, 0, 0)
	if progress != nil {
		progress(pos, head)
	}
	if building && pos >= head {
		return r.swap(ctx, t, cp.buildRef)
	}
	sub, err := r.log.SubscribeAll(ctx, pos)
	if err != nil {
		return err
	}
	fetched, stop := prefetch(ctx, sub)
	defer stop()
	cache := r.cache(t, cp.build)
	// One buffer gathers the batches of every transaction: growing a new
	// one to tens of thousands of events each time cost the writer more
	// than copying into this one.
	var gathered []decoded
	for {
		var batch []decoded
		var fetchErr error
		select {
		case f := <-fetched:
			batch, fetchErr = f.events, f.err
		case <-ctx.Done():
			return ctx.Err()
		}
		// Batches already fetched join this transaction: fewer, larger
		// commits while catching up, one batch at a time when live.
	group:
		for fetchErr == nil && len(batch) < r.maxTxEvents {
			select {
			case f := <-fetched:
				if len(gathered) == 0 {
					if cap(gathered) == 0 {
						gathered = make([]decoded, 0, r.maxTxEvents+2*len(batch))
					}
					gathered = append(gathered, batch...)
				}
				gathered, fetchErr = append(gathered, f.events...), f.err
				batch = gathered
			default:
				break group
			}
		}
		if len(batch) > 0 {
			next, skipped, err := r.applyBatch(ctx, t, cp.buildRef, building, cache, pos, batch)
			if err != nil {
				return err
			}
			if head, err = r.log.Head(ctx); err != nil {
				return err
			}
			r.advanced(t, cp.build, next, head, uint64(len(batch))-skipped, skipped)
			pos = next
			if progress != nil {
				progress(pos, max(head, pos))
			}
			if building && pos >= head {
				return r.swap(ctx, t, cp.buildRef)
			}
		}
		clear(gathered) // the events are applied: let them go
		gathered = gathered[:0]
		if fetchErr != nil {
			return fetchErr
		}
	}
}

// decoded is a recorded event with its payload decoded, or the decoding
// error.
type decoded struct {
	events.RecordedEvent
	payload events.Payload
	err     error
	pass    *PassedOver // set once the event failed and a skip of it was found
}

// prefetchBatches is how many subscription batches prefetch may hold
// decoded: 64 batches of the embedded store's 1,000 events cover the
// default MaxTxEvents, in some 40 MB for events of the demo's size.
const prefetchBatches = 64

type fetchedBatch struct {
	events []decoded
	err    error
}

// prefetch reads and decodes the subscription's batches in a goroutine of
// its own, up to prefetchBatches ahead of the transaction applying them, so
// reading the log and writing the read model use both cores, and a build
// catching up finds enough batches waiting to fill a transaction of
// MaxTxEvents. stop ends the goroutine and closes the subscription.
func prefetch(ctx context.Context, sub events.Subscription) (<-chan fetchedBatch, func()) {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan fetchedBatch, prefetchBatches)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			batch, err := sub.Next(ctx)
			f := fetchedBatch{err: err}
			if err == nil {
				f.events = make([]decoded, len(batch))
				for i, re := range batch {
					p, err := events.Decode(re)
					f.events[i] = decoded{RecordedEvent: re, payload: p, err: err}
				}
			}
			select {
			case out <- f:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, func() {
		cancel()
		<-done
		sub.Close()
	}
}

// applyBatch applies batch to build b in one transaction that moves the
// checkpoint from `from` to the batch's last position. When an event fails,
// it rolls back, applies and commits the events before it, records the
// failure in the checkpoint and returns an *EventError.
func (r *Runner) applyBatch(ctx context.Context, t *track, b buildRef, building bool, cache *stmtCache, from events.Position, batch []decoded) (events.Position, uint64, error) {
	last := from
	for _, re := range batch {
		if re.Position <= last {
			return from, 0, &events.Error{Code: events.CodeInternal,
				Message: fmt.Sprintf("projection %s: the log delivered position %d after %d", b.projection, re.Position, last)}
		}
		last = re.Position
	}
	var skipped uint64
	var failed *EventError
	var passed []PassedOver
	failedAt := -1
	err := r.withTx(ctx, func(c *sql.Conn) error {
		// The build must still be where this runner left it before its
		// statements run: a swap (under the same lock) may have retired it
		// and closed its statements.
		var at events.Position
		err := c.QueryRowContext(ctx, `SELECT position FROM projection_checkpoints
			WHERE projection = ? AND build = ?`, b.projection, b.build).Scan(&at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errCheckpointMoved
		case err != nil:
			return err
		case at != from:
			return errCheckpointMoved
		}
		tx := &Tx{conn: c, build: b, stmts: cache, building: building}
		for i, re := range batch {
			if re.pass != nil {
				passed = append(passed, *re.pass)
				continue
			}
			err := re.err
			if errors.Is(err, events.ErrUnknownEventType) {
				skipped++
				continue
			}
			if err == nil {
				err = callApply(ctx, t.p, tx, Event{RecordedEvent: re.RecordedEvent, Payload: re.payload})
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				failed = &EventError{Projection: b.projection, Position: re.Position, EventID: re.ID, Type: re.Type, Err: err}
				failedAt = i
				return failed
			}
		}
		if err := callFlushes(ctx, tx); err != nil {
			return fmt.Errorf("projection %s: before commit: %w", b.projection, err)
		}
		if err := recordPassedOver(ctx, c, b, passed); err != nil {
			return err
		}
		res, err := c.ExecContext(ctx, `UPDATE projection_checkpoints SET position = ?, skipped = skipped + ?,
			error = NULL, failed_position = NULL, updated_at = ?
			WHERE projection = ? AND build = ? AND position = ?`,
			last, skipped, stamp(r.now()), b.projection, b.build, from)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errCheckpointMoved
		}
		return nil
	})
	if failed == nil {
		if err != nil {
			return from, 0, err
		}
		r.passedOver(t, b.build, passed)
		return last, skipped, nil
	}
	// A skip of the failing event, recorded after it, lets the batch
	// through: apply it again, passing over that event.
	skip, found, err := r.skipOf(ctx, batch[failedAt].RecordedEvent)
	if err != nil {
		return from, 0, err
	}
	if found {
		r.logger.Warn("projection passes over a failing event, as a skip records", "projection", b.projection,
			"position", uint64(skip.Position), "type", skip.Type, "skip_position", uint64(skip.SkipPosition), "error", failed.Err)
		batch[failedAt].pass = &skip
		return r.applyBatch(ctx, t, b, building, cache, from, batch)
	}
	pos, skipped := from, uint64(0)
	if failedAt > 0 {
		if pos, skipped, err = r.applyBatch(ctx, t, b, building, cache, from, batch[:failedAt]); err != nil {
			return from, 0, err
		}
		r.advanced(t, b.build, pos, 0, uint64(failedAt)-skipped, skipped)
	}
	if err := r.recordFailure(ctx, t, b, failed); err != nil {
		return pos, skipped, err
	}
	return pos, skipped, failed
}

// callApply runs p.Apply, turning a panic of the projection's code into an
// error: input must never crash the runner.
func callApply(ctx context.Context, p Projection, tx *Tx, ev Event) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("panic: %v", rec)
		}
	}()
	return p.Apply(ctx, tx, ev)
}

// callFlushes runs the functions the batch's Apply calls registered with
// Tx.BeforeCommit, turning a panic into an error like callApply.
func callFlushes(ctx context.Context, tx *Tx) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("panic: %v", rec)
		}
	}()
	for _, flush := range tx.flushes {
		if err := flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// recordFailure writes the failing event into the build's checkpoint, so
// the status survives a restart, and into the track.
func (r *Runner) recordFailure(ctx context.Context, t *track, b buildRef, f *EventError) error {
	msg := fmt.Sprintf("event %d (%s): %v", f.Position, f.Type, f.Err)
	err := r.withTx(ctx, func(c *sql.Conn) error {
		_, err := c.ExecContext(ctx, `UPDATE projection_checkpoints SET error = ?, failed_position = ?, updated_at = ?
			WHERE projection = ? AND build = ?`, msg, f.Position, stamp(r.now()), b.projection, b.build)
		return err
	})
	r.mu.Lock()
	if bs := t.builds[b.build]; bs != nil {
		bs.err, bs.failedPosition = msg, f.Position
	}
	r.notifyLocked()
	r.mu.Unlock()
	return err
}

// swap makes build b serving (see swapIn) and retires the previous
// serving build in the track.
func (r *Runner) swap(ctx context.Context, t *track, b buildRef) error {
	err := r.withTx(ctx, func(c *sql.Conn) error {
		if f, ok := t.p.(Finisher); ok {
			tx := &Tx{conn: c, build: b, created: map[string]bool{}}
			if err := callFinish(ctx, t.p, f, tx); err != nil {
				return err
			}
			if err := recordTables(ctx, c, b, tx.created); err != nil {
				return err
			}
		}
		return swapIn(ctx, c, b, r.now())
	})
	if err != nil {
		return fmt.Errorf("swap in %s build %d: %w", b.projection, b.build, err)
	}
	r.logger.Info("projection build swapped in", "projection", b.projection, "version", b.version, "build", b.build)
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, bs := range t.builds {
		switch {
		case id == b.build:
			bs.status = statusServing
		case bs.status == statusServing:
			delete(t.builds, id)
			if c := t.caches[id]; c != nil {
				c.close()
				delete(t.caches, id)
			}
		}
	}
	r.notifyLocked()
	return nil
}

func (r *Runner) cache(t *track, build int64) *stmtCache {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := t.caches[build]
	if c == nil {
		c = newStmtCache()
		t.caches[build] = c
	}
	return c
}

// passedOver adds to build's status the events a committed batch passed
// over.
func (r *Runner) passedOver(t *track, build int64, passed []PassedOver) {
	if len(passed) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if bs := t.builds[build]; bs != nil {
		bs.passed = append(bs.passed, passed...)
	}
	r.notifyLocked()
}

func (r *Runner) setActive(t *track, build int64, active bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if bs := t.builds[build]; bs != nil {
		bs.active = active
	}
	r.notifyLocked()
}

// advanced records progress of a build: its new position, the head seen
// (0 for unknown), and the events applied and skipped since last time.
func (r *Runner) advanced(t *track, build int64, pos, head events.Position, applied, skipped uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if bs := t.builds[build]; bs != nil {
		bs.position = pos
		bs.skipped += skipped
		if applied+skipped > 0 {
			bs.err, bs.failedPosition = "", 0
		}
	}
	r.head = max(r.head, head, pos)
	t.applied += applied + skipped
	t.rate.add(r.now(), applied+skipped)
	t.lastErr = ""
	r.notifyLocked()
}
