package sqlite

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// appendRequest is one Append call waiting for the writer. Its events are
// validated and their ids and schemas filled in before it is queued.
type appendRequest struct {
	ctx      context.Context
	stream   string
	expected events.Expected
	evs      []events.Event
	// callerIDs is true when the caller chose the first event's id, so the
	// append may be a retry of one already recorded.
	callerIDs bool
	// parts, when set, make the request an AppendStreams call: each part
	// is a request of its own (without done), all written or none.
	parts []*appendRequest
	done  chan appendOutcome // buffered: the writer never waits on it
}

// bytes is the size of the request's data, for bounding a batch.
func (r *appendRequest) bytes() int {
	n := 0
	for _, ev := range r.evs {
		n += len(ev.Data)
	}
	for _, p := range r.parts {
		n += p.bytes()
	}
	return n
}

// events is the number of events the request writes.
func (r *appendRequest) events() int {
	n := len(r.evs)
	for _, p := range r.parts {
		n += len(p.evs)
	}
	return n
}

type appendOutcome struct {
	res     events.AppendResult
	results []events.AppendResult // of an AppendStreams call
	err     error
}

// Append writes evs to stream atomically and returns once they are durable.
// Concurrent calls are committed together in one transaction (group commit),
// each succeeding or failing on its own. Invalid input is refused with an
// error matching events.ErrInvalid before anything is queued. Once queued,
// an append is either written or refused; an append whose context ends
// before the writer reaches it is dropped and returns the context's error.
func (s *Store) Append(ctx context.Context, stream string, expected events.Expected, evs ...events.Event) (events.AppendResult, error) {
	req, err := s.prepareAppend(ctx, stream, expected, evs)
	if err != nil {
		return events.AppendResult{}, err
	}
	out := s.queue(ctx, req)
	return out.res, out.err
}

// AppendStreams writes every part in one transaction (events.Store's
// contract): the parts are checked and written in order inside one
// savepoint, which a refused part rolls back whole.
func (s *Store) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := events.ValidateAppendStreams(s.maxEventBytes, parts); err != nil {
		return nil, err
	}
	req := &appendRequest{ctx: ctx, stream: parts[0].Stream, done: make(chan appendOutcome, 1)}
	for _, p := range parts {
		pr := &appendRequest{ctx: ctx, stream: p.Stream, expected: p.Expected}
		if len(p.Events) > 0 {
			full, err := s.prepareAppend(ctx, p.Stream, p.Expected, p.Events)
			if err != nil {
				return nil, err
			}
			pr = full
			pr.done = nil
		}
		req.parts = append(req.parts, pr)
	}
	out := s.queue(ctx, req)
	return out.results, out.err
}

// queue hands req to the writer and waits for its answer.
func (s *Store) queue(ctx context.Context, req *appendRequest) appendOutcome {
	stream := req.stream
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return appendOutcome{err: fmt.Errorf("append to %s: store closed: %w", stream, events.ErrUnavailable)}
	}
	select {
	case s.appends <- req:
	case <-ctx.Done():
		s.mu.RUnlock()
		return appendOutcome{err: ctx.Err()}
	}
	s.mu.RUnlock()

	// The writer answers every queued request, so waiting is bounded by one
	// batch; returning early on ctx would hide whether the events were written.
	return <-req.done
}

// prepareAppend validates an append and fills in what the caller may leave
// zero: ids and schema versions.
func (s *Store) prepareAppend(ctx context.Context, stream string, expected events.Expected, evs []events.Event) (*appendRequest, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := events.ValidateAppend(stream, s.maxEventBytes, evs); err != nil {
		return nil, err
	}
	req := &appendRequest{
		ctx:       ctx,
		stream:    stream,
		expected:  expected,
		evs:       make([]events.Event, len(evs)),
		callerIDs: evs[0].ID != uuid.Nil,
		done:      make(chan appendOutcome, 1),
	}
	for i, ev := range evs {
		if !ev.OccurredAt.IsZero() {
			if y := ev.OccurredAt.UTC().Year(); y < 1 || y > 9999 {
				return nil, events.Invalidf("event %d: occurred_at year %d is outside 1-9999", i, y)
			}
		}
		if ev.ID == uuid.Nil {
			ev.ID = events.NewEventID()
		}
		if ev.Schema == 0 {
			ev.Schema = 1
		}
		req.evs[i] = ev
	}
	return req, nil
}
