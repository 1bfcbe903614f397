package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pnyx-civic/pnyx/events"
)

// orderedLog stands between the demo's command service and the store. The
// generator decides one command at a time, in an order that is a function
// of the seed; the log takes each command's append at once, checking its
// conditions against the versions it holds, and one goroutine writes the
// appends to the store in the order they were taken, many commands to one
// atomic call. So the store gives every event the same position in every
// run of a seed, while its writes overlap the deciding.
//
// Only the demo writes while it runs (the service's SoleWriter promise), so
// the versions the log holds are the store's once the writes are done. An
// append the store refuses is a bug of the demo: the first such error stops
// the run, and every later append and close return it.
type orderedLog struct {
	store events.ServiceStore
	ctx   context.Context

	mu sync.Mutex
	// changed is signalled when pending gains appends, when a write ends
	// and when the log closes.
	changed *sync.Cond
	// versions holds the version of every stream appended through the log,
	// and -1 for a stream the store was found not to hold: with no other
	// writer, it stays absent until the log takes an append to it, so
	// deciding a new record's first command asks the store once.
	versions map[string]int64
	// pending are the appends taken and not yet written, in order; queued
	// counts their events.
	pending []taken
	queued  int
	// unwritten counts, per stream, the appends taken and not yet written.
	unwritten map[string]int
	closed    bool
	err       error
	done      chan struct{}
}

// taken is one command's append: its parts that carry events.
type taken struct {
	parts []events.StreamAppend
	n     int
}

// Bounds of the log's work: a write call carries at most writeEvents
// events; deciding waits while more than maxQueued events wait to be
// written.
const (
	writeEvents = 8192
	maxQueued   = 4 * writeEvents
)

var _ events.ServiceStore = (*orderedLog)(nil)

func newOrderedLog(ctx context.Context, st events.ServiceStore) *orderedLog {
	l := &orderedLog{store: st, ctx: ctx, versions: map[string]int64{}, unwritten: map[string]int{}, done: make(chan struct{})}
	l.changed = sync.NewCond(&l.mu)
	go l.write()
	return l
}

// Append takes one stream's append; see AppendStreams.
func (l *orderedLog) Append(ctx context.Context, stream string, expected events.Expected, evs ...events.Event) (events.AppendResult, error) {
	res, err := l.AppendStreams(ctx, events.StreamAppend{Stream: stream, Expected: expected, Events: evs})
	if err != nil {
		return events.AppendResult{}, err
	}
	return res[0], nil
}

// AppendStreams checks every part's condition against the versions the
// log holds and takes the parts with events for writing, all or none: a
// failing condition is a *events.WrongExpectedVersionError for that part's
// stream, taking nothing. The results carry the streams' versions; their
// positions are zero, since the store gives positions when it writes.
func (l *orderedLog) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.err == nil && l.queued > maxQueued {
		l.changed.Wait()
	}
	if l.err != nil {
		return nil, l.err
	}
	if l.closed {
		return nil, fmt.Errorf("demo log closed: %w", events.ErrUnavailable)
	}
	results := make([]events.AppendResult, len(parts))
	for i, p := range parts {
		v, err := l.version(ctx, p.Stream)
		if err != nil {
			return nil, err
		}
		if !p.Expected.Holds(v) {
			return nil, &events.WrongExpectedVersionError{Stream: p.Stream, Expected: p.Expected, Actual: v}
		}
		results[i] = events.AppendResult{NextVersion: v}
	}
	t := taken{}
	for i, p := range parts {
		if len(p.Events) == 0 {
			continue
		}
		results[i].NextVersion += int64(len(p.Events))
		l.versions[p.Stream] = results[i].NextVersion
		l.unwritten[p.Stream]++
		t.parts = append(t.parts, p)
		t.n += len(p.Events)
	}
	if t.n == 0 {
		return nil, events.Invalidf("append: no events")
	}
	l.pending = append(l.pending, t)
	l.queued += t.n
	l.changed.Broadcast()
	return results, nil
}

// version returns the version of stream's last event, -1 for none; l.mu
// is held.
func (l *orderedLog) version(ctx context.Context, stream string) (int64, error) {
	if v, ok := l.versions[stream]; ok {
		return v, nil
	}
	v, err := l.store.StreamVersion(ctx, stream)
	switch {
	case errors.Is(err, events.ErrStreamNotFound):
		l.versions[stream] = -1
		return -1, nil
	case err != nil:
		return 0, err
	}
	return v, nil
}

// ReadStream reads the store once every append taken for stream is
// written; a stream known to be absent is not found without asking it.
func (l *orderedLog) ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	l.mu.Lock()
	for l.err == nil && l.unwritten[stream] > 0 {
		l.changed.Wait()
	}
	err := l.err
	v, known := l.versions[stream]
	l.mu.Unlock()
	switch {
	case err != nil:
		return nil, err
	case known && v < 0:
		return nil, fmt.Errorf("stream %s: %w", stream, events.ErrStreamNotFound)
	}
	evs, err := l.store.ReadStream(ctx, stream, opts)
	if errors.Is(err, events.ErrStreamNotFound) {
		l.mu.Lock()
		if _, taken := l.versions[stream]; !taken {
			l.versions[stream] = -1 // no append taken to it meanwhile
		}
		l.mu.Unlock()
	}
	return evs, err
}

// StreamVersion answers from the versions the log holds, or the store.
func (l *orderedLog) StreamVersion(ctx context.Context, stream string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, l.err
	}
	v, err := l.version(ctx, stream)
	if err == nil && v < 0 {
		return 0, fmt.Errorf("stream %s: %w", stream, events.ErrStreamNotFound)
	}
	return v, err
}

// close waits until every append taken is written and returns the first
// error of any write.
func (l *orderedLog) close() error {
	l.mu.Lock()
	l.closed = true
	l.changed.Broadcast()
	l.mu.Unlock()
	<-l.done
	return l.err
}

// write is the log's one writer: it takes the pending appends in order and
// writes them in calls of consecutive commands that name no stream twice.
func (l *orderedLog) write() {
	defer close(l.done)
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.closed && l.err == nil {
			l.changed.Wait()
		}
		if l.err != nil || len(l.pending) == 0 {
			l.mu.Unlock()
			return
		}
		batch := l.pending
		l.pending = nil
		l.mu.Unlock()
		for len(batch) > 0 {
			n := l.group(batch)
			err := l.writeGroup(batch[:n])
			l.mu.Lock()
			for _, t := range batch[:n] {
				l.queued -= t.n
				for _, p := range t.parts {
					if l.unwritten[p.Stream]--; l.unwritten[p.Stream] == 0 {
						delete(l.unwritten, p.Stream)
					}
				}
			}
			if err != nil && l.err == nil {
				l.err = fmt.Errorf("demo: write to the store: %w", err)
			}
			l.changed.Broadcast()
			stop := l.err != nil
			l.mu.Unlock()
			if stop {
				return
			}
			batch = batch[n:]
		}
	}
}

// group returns how many of the first appends of batch make one write
// call: consecutive ones naming no stream twice, at most writeEvents
// events unless the first alone has more.
func (l *orderedLog) group(batch []taken) int {
	seen := map[string]bool{}
	events := 0
	for i, t := range batch {
		if i > 0 && events+t.n > writeEvents {
			return i
		}
		for _, p := range t.parts {
			if seen[p.Stream] {
				return i
			}
		}
		for _, p := range t.parts {
			seen[p.Stream] = true
		}
		events += t.n
	}
	return len(batch)
}

// writeGroup writes the appends of group in one atomic call.
func (l *orderedLog) writeGroup(group []taken) error {
	var parts []events.StreamAppend
	for _, t := range group {
		parts = append(parts, t.parts...)
	}
	return l.call(parts)
}

func (l *orderedLog) call(parts []events.StreamAppend) error {
	if len(parts) == 1 {
		_, err := l.store.Append(l.ctx, parts[0].Stream, parts[0].Expected, parts[0].Events...)
		return err
	}
	_, err := l.store.AppendStreams(l.ctx, parts...)
	return err
}
