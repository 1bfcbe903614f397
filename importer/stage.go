package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Store is the part of the log an import writes through: what the command
// service uses (events.ServiceStore), whose AppendStreams writes every part
// or none.
type Store = events.ServiceStore

// stage is the log as an import sees it while it decides records: the
// store's events, and after them the events the command service appended
// for records not yet committed. A record's commands are handled against
// the stage one by one, so each sees what the ones before it decided;
// then the record is either kept (and later committed with others in one
// AppendStreams, all or nothing) or rolled back, leaving no trace. So a
// process is never half imported, whatever step of it the rules refuse.
//
// The stage reads each stream from the store once between commits and
// answers later reads of it itself (the command service brings every fact
// up to date before each command: the importing token's grant, a body, a
// supplier), so the stage is a snapshot of the store as first read. Commit
// checks that no other writer appended to a stream it read or wrote
// meanwhile: one that did (a revocation of the importing token, a clerk's
// append) makes Commit fail with a conflict, writing nothing, and the
// import is simply run again.
type stage struct {
	store Store
	// base is what the stage reads beneath its own events: the store, or
	// while the previous batch is being written (inflight), that batch's
	// stage over the store.
	base     Store
	inflight chan error
	now      func() time.Time
	streams  map[string]*stagedStream
	order    []string   // streams in the order first written or checked
	log      []stagedOp // appends in order, for rollback
}

type stagedStream struct {
	base    int64 // version in the store when first read; -1 none
	events  []events.RecordedEvent
	checked bool // read at base: commit checks it is still there
}

type stagedOp struct {
	stream string
	n      int
}

func newStage(base Store, now func() time.Time) *stage {
	return &stage{store: base, base: base, now: now, streams: map[string]*stagedStream{}}
}

var _ events.ServiceStore = (*stage)(nil)

// stream returns the staged view of name, reading its version from the
// store the first time.
func (s *stage) stream(ctx context.Context, name string) (*stagedStream, error) {
	if st, ok := s.streams[name]; ok {
		return st, nil
	}
	v, err := s.base.StreamVersion(ctx, name)
	if errors.Is(err, events.ErrStreamNotFound) {
		v, err = -1, nil
	}
	if err != nil {
		return nil, err
	}
	st := &stagedStream{base: v}
	s.streams[name] = st
	s.order = append(s.order, name)
	return st, nil
}

func (st *stagedStream) version() int64 { return st.base + int64(len(st.events)) }

// Append stages evs on stream.
func (s *stage) Append(ctx context.Context, stream string, expected events.Expected, evs ...events.Event) (events.AppendResult, error) {
	res, err := s.AppendStreams(ctx, events.StreamAppend{Stream: stream, Expected: expected, Events: evs})
	if err != nil {
		return events.AppendResult{}, err
	}
	return res[0], nil
}

// AppendStreams stages every part or none, after the checks the store
// would make (events.ValidateAppendStreams and each part's Expected).
func (s *stage) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if err := events.ValidateAppendStreams(0, parts); err != nil {
		return nil, err
	}
	staged := make([]*stagedStream, len(parts))
	for i, p := range parts {
		if _, seen := s.streams[p.Stream]; !seen && p.Expected.IsNoStream() && strings.HasPrefix(p.Stream, events.StreamName("provenance", "")) {
			// A command's provenance is named for its first event, whose
			// id its idempotency key derives: had the store the stream, it
			// would have the event, and the command would be a replay. The
			// commit checks it is absent.
			s.streams[p.Stream] = &stagedStream{base: -1}
			s.order = append(s.order, p.Stream)
		}
		st, err := s.stream(ctx, p.Stream)
		if err != nil {
			return nil, err
		}
		if !p.Expected.Holds(st.version()) {
			return nil, &events.WrongExpectedVersionError{Stream: p.Stream, Expected: p.Expected, Actual: st.version()}
		}
		staged[i] = st
	}
	now := s.now().UTC()
	results := make([]events.AppendResult, len(parts))
	for i, p := range parts {
		st := staged[i]
		if len(p.Events) == 0 {
			if len(st.events) == 0 {
				st.checked = true
			}
			results[i] = events.AppendResult{NextVersion: st.version()}
			continue
		}
		for _, ev := range p.Events {
			if ev.ID == [16]byte{} {
				ev.ID = events.NewEventID()
			}
			at := ev.OccurredAt
			if at.IsZero() {
				at = now
			}
			st.events = append(st.events, events.RecordedEvent{ID: ev.ID, Stream: p.Stream, Version: st.version() + 1,
				Type: ev.Type, Schema: max(ev.Schema, 1), OccurredAt: at.UTC(), RecordedAt: now, Actor: ev.Actor,
				CausationID: ev.CausationID, CorrelationID: ev.CorrelationID, Data: ev.Data})
		}
		s.log = append(s.log, stagedOp{stream: p.Stream, n: len(p.Events)})
		results[i] = events.AppendResult{NextVersion: st.version()}
	}
	return results, nil
}

// ReadStream reads the store's events of stream, then the staged ones.
// Only forward reads are served: the command service reads no other way.
func (s *stage) ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	if opts.Direction != events.Forwards {
		return nil, &events.Error{Code: events.CodeInternal, Message: "import stage", Err: fmt.Errorf("backward read of %s", stream)}
	}
	st, ok := s.streams[stream]
	if !ok {
		return s.first(ctx, stream, opts)
	}
	limit := events.ClampLimit(opts.Limit)
	var out []events.RecordedEvent
	if opts.From <= st.base {
		page, err := s.base.ReadStream(ctx, stream, events.ReadStreamOptions{From: opts.From, Limit: limit})
		if err != nil {
			return nil, err
		}
		for _, re := range page {
			if re.Version <= st.base {
				out = append(out, re)
			}
		}
		if len(out) == limit {
			return out, nil
		}
	}
	first := max(opts.From, st.base+1) - (st.base + 1)
	for i := first; i < int64(len(st.events)) && len(out) < limit; i++ {
		out = append(out, st.events[i])
	}
	return out, nil
}

// first reads stream from the store the first time the stage is asked
// for it, and keeps the version read: later reads past it (the command
// service bringing a cached fold up to date) are answered from the stage
// without asking the store, and commit checks the stream is still there.
func (s *stage) first(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	page, err := s.base.ReadStream(ctx, stream, opts)
	if err != nil && !errors.Is(err, events.ErrStreamNotFound) {
		return nil, err
	}
	if err == nil && (len(page) == 0 || len(page) == events.ClampLimit(opts.Limit)) {
		// The version is not in the page (it starts past the end, or there
		// is more): the store says it. A newer one hides what follows the
		// page until the commit, as if read at once.
		st, err := s.stream(ctx, stream)
		if err != nil {
			return nil, err
		}
		st.checked = true
		return page, nil
	}
	v := int64(-1)
	if len(page) > 0 {
		v = page[len(page)-1].Version
	}
	s.streams[stream] = &stagedStream{base: v, checked: true}
	s.order = append(s.order, stream)
	return page, err
}

// StreamVersion is the version of stream with its staged events.
func (s *stage) StreamVersion(ctx context.Context, stream string) (int64, error) {
	st, err := s.stream(ctx, stream)
	if err != nil {
		return 0, err
	}
	if st.version() < 0 {
		return 0, events.ErrStreamNotFound
	}
	return st.version(), nil
}

// mark is a point of the stage to roll back to.
type mark int

func (s *stage) mark() mark { return mark(len(s.log)) }

// rollback drops the events staged since m.
func (s *stage) rollback(m mark) {
	for len(s.log) > int(m) {
		op := s.log[len(s.log)-1]
		s.log = s.log[:len(s.log)-1]
		st := s.streams[op.stream]
		st.events = st.events[:len(st.events)-op.n]
	}
}

// staged returns the number of events staged.
func (s *stage) staged() int {
	n := 0
	for _, op := range s.log {
		n += op.n
	}
	return n
}

// commit starts appending every staged event to the store in one
// AppendStreams, each stream expected at the version first read, with the
// streams read checked at theirs, once the previous commit has ended; it
// returns that one's error. The stage starts afresh over the batch being
// written, so the next records are decided while it is written; wait ends
// it.
func (s *stage) commit(ctx context.Context) error {
	if err := s.wait(); err != nil {
		return err
	}
	if s.staged() == 0 {
		s.streams, s.order, s.log = map[string]*stagedStream{}, nil, nil
		return nil
	}
	var parts []events.StreamAppend
	for _, name := range s.order {
		st := s.streams[name]
		if len(st.events) == 0 && !st.checked {
			continue
		}
		p := events.StreamAppend{Stream: name, Expected: events.Exact(st.base)}
		for _, re := range st.events {
			p.Events = append(p.Events, events.Event{ID: re.ID, Type: re.Type, Schema: re.Schema, OccurredAt: re.OccurredAt,
				Actor: re.Actor, CausationID: re.CausationID, CorrelationID: re.CorrelationID, Data: re.Data})
		}
		parts = append(parts, p)
	}
	// Only this goroutine reads the batch's stage from now on; the
	// writer has its parts.
	writing := &stage{store: s.store, base: s.store, now: s.now, streams: s.streams, order: s.order, log: s.log}
	done := make(chan error, 1)
	go func() {
		_, err := s.store.AppendStreams(ctx, parts...)
		done <- err
	}()
	s.base, s.inflight = writing, done
	s.streams, s.order, s.log = map[string]*stagedStream{}, nil, nil
	return nil
}

// wait waits for the commit being written, if any, and then reads the
// store beneath the stage again. When that commit failed, what was staged
// since is dropped too (it was decided over events that were not
// written), and the error returned.
func (s *stage) wait() error {
	if s.inflight == nil {
		return nil
	}
	err := <-s.inflight
	s.base, s.inflight = s.store, nil
	if err != nil {
		s.streams, s.order, s.log = map[string]*stagedStream{}, nil, nil
		return fmt.Errorf("commit the import: %w", err)
	}
	return nil
}
