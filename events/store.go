package events

import "context"

// Store is the event log. Every implementation passes the contract suite in
// events/storetest. All methods are safe for concurrent use.
type Store interface {
	// Append writes evs to stream atomically, after validating them all
	// (ValidateAppend). It returns an error matching ErrInvalid and writes
	// nothing when any event is invalid; an error matching
	// ErrWrongExpectedVersion (a *WrongExpectedVersionError carrying the
	// actual version) when expected does not hold. Re-sending events whose
	// ids are already recorded in stream, in the same order and with the
	// same content, writes nothing and returns the original Result; the same
	// id with other content or in another stream is ErrDuplicateEventID.
	// A nil error means the events are durable.
	Append(ctx context.Context, stream string, expected Expected, evs ...Event) (AppendResult, error)
	// AppendStreams writes the events of every part in one atomic step:
	// all of them or none. Each part's Expected must hold; a part without
	// events only checks it, so a command can rest on facts read from other
	// streams. It returns one AppendResult per part, in order (a part
	// without events gets its stream's current version and a zero
	// Position). It validates every part as Append does and refuses with
	// ErrInvalid a call without events or naming a stream twice; a part
	// whose condition fails makes it write nothing and return a
	// *WrongExpectedVersionError for that part's stream. A retry of a
	// recorded call (the same ids, streams, order and content) writes
	// nothing and returns the original results.
	AppendStreams(ctx context.Context, parts ...StreamAppend) ([]AppendResult, error)

	// ReadStream reads up to opts.Limit events of stream starting at version
	// opts.From, forwards or backwards. It returns ErrStreamNotFound when the
	// stream has no events; reading past its end returns no events.
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]RecordedEvent, error)

	// ReadAll reads up to opts.Limit events of the global log with positions
	// after opts.After, in position order, keeping those that match the
	// filters.
	ReadAll(ctx context.Context, opts ReadAllOptions) ([]RecordedEvent, error)

	// SubscribeAll returns a subscription to every event after position
	// after: it catches up with the log, then follows live appends, without
	// gaps or duplicates.
	SubscribeAll(ctx context.Context, after Position) (Subscription, error)

	// Head returns the position of the last event, 0 for an empty log.
	Head(ctx context.Context) (Position, error)

	// StreamVersion returns the version of stream's last event, or
	// ErrStreamNotFound.
	StreamVersion(ctx context.Context, stream string) (int64, error)
}

// Subscription delivers the global log in order. It is used by one
// goroutine at a time.
type Subscription interface {
	// Next blocks until at least one event is available after the last one
	// delivered, then returns a non-empty batch of at most the store's batch
	// size. It returns ctx.Err() when ctx ends, and ErrUnavailable once the
	// subscription or its store is closed.
	Next(ctx context.Context) ([]RecordedEvent, error)
	// Close ends the subscription. It is safe to call more than once.
	Close() error
}

// StreamAppend is one stream's part of AppendStreams. Without Events it
// only checks Expected.
type StreamAppend struct {
	Stream   string
	Expected Expected
	Events   []Event
}

// ValidateAppendStreams checks a multi-stream append before anything is
// written: at least one event, no stream named twice, each part's stream
// and events as ValidateAppend checks them, and no event id repeated
// across parts.
func ValidateAppendStreams(maxEventBytes int, parts []StreamAppend) error {
	seen := make(map[string]bool, len(parts))
	ids := map[[16]byte]bool{}
	n := 0
	for i, p := range parts {
		if err := ValidateStream(p.Stream); err != nil {
			return err
		}
		if seen[p.Stream] {
			return Invalidf("append: stream %s is named twice", p.Stream)
		}
		seen[p.Stream] = true
		if len(p.Events) == 0 {
			continue
		}
		if err := ValidateAppend(p.Stream, maxEventBytes, p.Events); err != nil {
			return err
		}
		for _, ev := range p.Events {
			if ev.ID != [16]byte{} {
				if ids[ev.ID] {
					return Invalidf("append: part %d: id %s repeated in the call", i, ev.ID)
				}
				ids[ev.ID] = true
			}
		}
		n += len(p.Events)
	}
	if n == 0 {
		return Invalidf("append: no events")
	}
	return nil
}

// AppendResult is what an append wrote: the version of the stream's last
// event and the global position of the last event appended.
type AppendResult struct {
	NextVersion int64    `json:"next_version"`
	Position    Position `json:"position"`
}

// Direction of a stream read.
type Direction uint8

const (
	Forwards Direction = iota
	Backwards
)

// ReadStreamOptions select events of one stream. From is a version; reading
// backwards with From < 0 starts at the stream's last event. Limit <= 0
// means DefaultReadLimit.
type ReadStreamOptions struct {
	From      int64
	Direction Direction
	Limit     int
}

// ReadAllOptions select events of the global log. Limit <= 0 means
// DefaultReadLimit. TypePrefix and StreamPrefix, when set, keep only events
// whose type or stream starts with them.
type ReadAllOptions struct {
	After        Position
	Limit        int
	TypePrefix   string
	StreamPrefix string
}

// DefaultReadLimit is the number of events a read returns when no limit is
// given; MaxReadLimit caps any limit.
const (
	DefaultReadLimit = 1000
	MaxReadLimit     = 100_000
)

// ClampLimit returns the effective limit for a requested one.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultReadLimit
	case n > MaxReadLimit:
		return MaxReadLimit
	}
	return n
}
