package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
)

// Head returns the position of the last Pnyx event, 0 for an empty log.
// Server events (types and streams starting with "$") are not Pnyx's and
// are passed over.
func (s *Store) Head(ctx context.Context) (events.Position, error) {
	var from kurrentdb.AllPosition = kurrentdb.End{}
	const page = 32
	for {
		var found *kurrentdb.RecordedEvent
		var n int
		var last kurrentdb.Position
		err := s.call(ctx, "read head", func(ctx context.Context, c *kurrentdb.Client) error {
			return s.recvAll(ctx, c, kurrentdb.ReadAllOptions{Direction: kurrentdb.Backwards, From: from}, page,
				func(re *kurrentdb.ResolvedEvent) bool {
					n++
					if re.Event == nil {
						return true
					}
					last = re.Event.Position
					if isServerEvent(re.Event) {
						return true
					}
					found = re.Event
					return false
				})
		})
		switch {
		case err != nil:
			return 0, err
		case found != nil:
			return position(found.Position), nil
		case n < page:
			return 0, nil
		}
		from = last
	}
}

// StreamVersion returns the version of stream's last event, or
// events.ErrStreamNotFound.
func (s *Store) StreamVersion(ctx context.Context, stream string) (int64, error) {
	if err := events.ValidateStream(stream); err != nil {
		return 0, err
	}
	evs, err := s.ReadStream(ctx, stream, events.ReadStreamOptions{From: -1, Direction: events.Backwards, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, fmt.Errorf("%s: %w", stream, events.ErrStreamNotFound)
	}
	return evs[0].Version, nil
}

// ReadStream reads up to opts.Limit events of stream from version
// opts.From, forwards or backwards.
func (s *Store) ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	limit := events.ClampLimit(opts.Limit)
	ro := kurrentdb.ReadStreamOptions{Direction: kurrentdb.Forwards, From: kurrentdb.Start{}}
	switch {
	case opts.Direction == events.Backwards && opts.From < 0:
		ro.Direction, ro.From = kurrentdb.Backwards, kurrentdb.End{}
	case opts.Direction == events.Backwards:
		ro.Direction, ro.From = kurrentdb.Backwards, kurrentdb.Revision(uint64(opts.From))
	case opts.From > 0:
		ro.From = kurrentdb.Revision(uint64(opts.From))
	}
	ro.Deadline = s.deadline()
	out := make([]events.RecordedEvent, 0, min(limit, 64))
	var decodeErr error
	err := s.call(ctx, "read "+stream, func(ctx context.Context, c *kurrentdb.Client) error {
		rs, err := c.ReadStream(ctx, stream, ro, uint64(limit))
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			re, err := recv(rs)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if re.Event == nil || isServerEvent(re.Event) {
				continue
			}
			ev, err := recorded(re.Event)
			if err != nil {
				decodeErr = err
				return nil
			}
			out = append(out, ev)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, decodeErr
}

// ReadAll reads up to opts.Limit Pnyx events after opts.After in log
// order. The client has no filtered read of $all (only filtered
// subscriptions), so the prefixes are applied here, page by page.
func (s *Store) ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := events.ClampLimit(opts.Limit)
	page := min(max(limit, 64), 4096)
	if opts.TypePrefix != "" || opts.StreamPrefix != "" {
		page = 4096
	}
	var from kurrentdb.AllPosition = kurrentdb.Start{}
	after := kurrentdb.Position{Commit: uint64(opts.After), Prepare: uint64(opts.After)}
	if opts.After > 0 {
		from = after
	}
	var out []events.RecordedEvent
	for len(out) < limit {
		n := 0
		var decodeErr error
		err := s.call(ctx, "read all", func(ctx context.Context, c *kurrentdb.Client) error {
			return s.recvAll(ctx, c, kurrentdb.ReadAllOptions{Direction: kurrentdb.Forwards, From: from}, uint64(page),
				func(re *kurrentdb.ResolvedEvent) bool {
					n++
					if re.Event == nil {
						return true
					}
					pos := re.Event.Position
					if opts.After > 0 && !later(pos, after) {
						return true // reads are inclusive of From; Pnyx reads after it
					}
					after, from = pos, pos
					if isServerEvent(re.Event) ||
						!strings.HasPrefix(re.Event.EventType, opts.TypePrefix) ||
						!strings.HasPrefix(re.Event.StreamID, opts.StreamPrefix) {
						return true
					}
					ev, err := recorded(re.Event)
					if err != nil {
						decodeErr = err
						return false
					}
					out = append(out, ev)
					return len(out) < limit
				})
		})
		if err != nil {
			return nil, err
		}
		if decodeErr != nil {
			return nil, decodeErr
		}
		if opts.After == 0 && n > 0 {
			opts.After = events.Position(after.Commit) // from now on, skip the page's last event
		}
		if n < page {
			break
		}
	}
	return out, nil
}

// later reports whether a comes after b in $all.
func later(a, b kurrentdb.Position) bool {
	return a.Commit > b.Commit || (a.Commit == b.Commit && a.Prepare > b.Prepare)
}

// recvAll reads $all with opts and gives each event to keep until keep
// returns false or the read ends.
func (s *Store) recvAll(ctx context.Context, c *kurrentdb.Client, opts kurrentdb.ReadAllOptions, count uint64, keep func(*kurrentdb.ResolvedEvent) bool) error {
	opts.Deadline = s.deadline()
	rs, err := c.ReadAll(ctx, opts, count)
	if err != nil {
		return err
	}
	defer rs.Close()
	for {
		re, err := recv(rs)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !keep(re) {
			return nil
		}
	}
}

// recv reads one event. The client panics ("unreachable code") on a read
// message it does not know, such as the stream positions a server sends
// when asked for them; that is a server this store cannot read, not a
// crash.
func recv(rs *kurrentdb.ReadStream) (re *kurrentdb.ResolvedEvent, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, err = nil, fmt.Errorf("the client could not read the server's answer: %v", r)
		}
	}()
	return rs.Recv()
}

// isServerEvent reports whether ev is the server's own (statistics, stream
// metadata, projections' links), not Pnyx's.
func isServerEvent(ev *kurrentdb.RecordedEvent) bool {
	return strings.HasPrefix(ev.EventType, "$") || strings.HasPrefix(ev.StreamID, "$")
}

// noPosition is what the server sends for a position it does not know
// (ulong.MaxValue, -1 in .NET).
const noPosition = math.MaxUint64

// position is Pnyx's position of an event read from the server: its $all
// commit position. A stream read comes from the server's index, which
// knows an event's log (prepare) position but not its commit position,
// and sends the commit position as unknown; for an event written by the
// gRPC append (no explicit transactions) the two are equal, so the
// prepare position stands in. When neither is known the position is 0,
// "unknown"; the contract suite run on a real server
// (PNYX_TEST_KURRENTDB_URL) checks that stream reads and $all reads agree.
func position(p kurrentdb.Position) events.Position {
	switch {
	case p.Commit != noPosition:
		return events.Position(p.Commit)
	case p.Prepare != noPosition:
		return events.Position(p.Prepare)
	}
	return 0
}

// recorded turns a server event into Pnyx's envelope.
func recorded(ev *kurrentdb.RecordedEvent) (events.RecordedEvent, error) {
	m, err := decodeMetadata(ev.UserMetadata)
	if err != nil {
		return events.RecordedEvent{}, &events.Error{Code: events.CodeInternal,
			Message: fmt.Sprintf("read event %s of %s", ev.EventID, ev.StreamID), Err: err}
	}
	re := events.RecordedEvent{
		ID:         ev.EventID,
		Stream:     ev.StreamID,
		Version:    int64(ev.EventNumber),
		Position:   position(ev.Position),
		Type:       ev.EventType,
		Schema:     m.Schema,
		OccurredAt: m.OccurredAt,
		RecordedAt: m.RecordedAt,
		Actor:      m.Actor,
		Data:       ev.Data,
	}
	if m.CausationID != nil {
		re.CausationID = *m.CausationID
	}
	if m.CorrelationID != nil {
		re.CorrelationID = *m.CorrelationID
	}
	return re, nil
}
