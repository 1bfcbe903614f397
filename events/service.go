package events

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
)

// MaxConflictRetries is how many times Handle reloads and decides again
// when another writer appended to the stream between its read and its
// append.
const MaxConflictRetries = 3

// DefaultStateCacheSize is the number of folded stream states a Service
// keeps in memory unless ServiceOptions says otherwise.
const DefaultStateCacheSize = 50_000

// ServiceStore is the part of the log the command service uses.
type ServiceStore interface {
	// Append writes evs atomically when expected holds. It returns an error
	// matching ErrWrongExpectedVersion when it does not, and the original
	// result, writing nothing, when the events' ids are already recorded in
	// stream with the same content (ErrDuplicateEventID otherwise).
	Append(ctx context.Context, stream string, expected Expected, evs ...Event) (AppendResult, error)
	// ReadStream reads events of stream from opts.From; ErrStreamNotFound
	// when the stream has no events.
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]RecordedEvent, error)
	// StreamVersion returns the version of stream's last event, or
	// ErrStreamNotFound.
	StreamVersion(ctx context.Context, stream string) (int64, error)
}

// ServiceOptions configure a Service.
type ServiceOptions struct {
	// StateCacheSize bounds the folded states kept in memory between
	// commands. Zero means DefaultStateCacheSize; negative disables the
	// cache.
	StateCacheSize int
	// SoleWriter promises that every append to the store goes through this
	// Service (one process, one Service: the demo generator, an embedded
	// single-process server). The streams a command Needs are then read
	// from the cache without asking the store for newer events. Without
	// the promise, each is brought up to date from the store first.
	SoleWriter bool
	// Sealer protects commands that concern a citizen (see Sealer): the
	// vault. Without it such commands are refused with ErrNoVault.
	Sealer Sealer
}

// Service runs commands: it folds the command's stream (and the streams the
// command Needs) from the log, lets the aggregate's decider decide, and
// appends the result with the exact version it decided on. It is safe for
// concurrent use; commands on the same stream from one Service run one at a
// time, commands on different streams in parallel.
//
// The cache of folded states stays coherent because every append names the
// exact version it decided on: a stale state makes the append fail, which
// drops the entry and decides again on a fresh fold. States are never
// mutated in place (deciders' Evolve returns new values), so a cached state
// can be shared.
type Service struct {
	store      ServiceStore
	cache      *stateCache
	soleWriter bool
	sealer     Sealer
	locks      [256]chanMutex
}

// chanMutex is a mutex that can be given up when a context ends.
type chanMutex chan struct{}

// NewService returns a Service writing to store.
func NewService(store ServiceStore, opts ServiceOptions) *Service {
	s := &Service{store: store, cache: newStateCache(opts.StateCacheSize), soleWriter: opts.SoleWriter, sealer: opts.Sealer}
	for i := range s.locks {
		s.locks[i] = make(chanMutex, 1)
	}
	return s
}

// Handled is the outcome of a command.
type Handled struct {
	// Stream is the command's stream.
	Stream string
	// Result holds the version of the stream's last event and the global
	// position of the last event written (or, for a replay, recorded).
	Result AppendResult
	// EventIDs and Payloads are the events the command produced, in order.
	EventIDs []uuid.UUID
	Payloads []Payload
	// Number is the number a Sequenced command took, 0 otherwise or on a
	// replay.
	Number int64
	// Replayed is true when the idempotency key had already been handled:
	// nothing was written, and the fields describe the original events.
	Replayed bool
}

// HandleOption sets metadata or conditions of one command.
type HandleOption func(*handleConfig)

type handleConfig struct {
	actor       Actor
	correlation uuid.UUID
	causation   uuid.UUID
	key         string
	expected    Expected
	hasExpected bool
}

// WithActor records who sent the command: the access token's id and role.
func WithActor(a Actor) HandleOption { return func(c *handleConfig) { c.actor = a } }

// WithCorrelationID sets the correlation id of the events; by default it is
// the id of the command's first event.
func WithCorrelationID(id uuid.UUID) HandleOption {
	return func(c *handleConfig) { c.correlation = id }
}

// WithCausationID records the id of the event or request that caused the
// command.
func WithCausationID(id uuid.UUID) HandleOption { return func(c *handleConfig) { c.causation = id } }

// WithIdempotencyKey derives the events' ids from key (DeterministicID), so
// that handling the same command again with the same key writes nothing and
// returns the original outcome with Replayed set.
func WithIdempotencyKey(key string) HandleOption { return func(c *handleConfig) { c.key = key } }

// WithExpectedVersion makes the command conditional on the version of its
// stream, as the caller last saw it. When the condition does not hold the
// command is refused with a conflict, never retried. Any removes the
// condition.
func WithExpectedVersion(e Expected) HandleOption {
	return func(c *handleConfig) { c.expected, c.hasExpected = e, !e.IsAny() }
}

// Handle runs cmd. It returns a domain error and writes nothing when the
// command is malformed (CodeInvalid), refused by the rules of the current
// state (CodeConflict), refers to an aggregate that does not exist
// (CodeNotFound) or is not allowed (CodeForbidden). When another writer
// appends to the stream concurrently, Handle decides again on the new state,
// up to MaxConflictRetries times, then returns a conflict; with
// WithExpectedVersion it never retries.
func (s *Service) Handle(ctx context.Context, cmd Command, opts ...HandleOption) (h Handled, err error) {
	var cfg handleConfig
	for _, o := range opts {
		o(&cfg)
	}
	defer func() {
		if p := recover(); p != nil {
			h, err = Handled{}, &Error{Code: CodeInternal, Message: "command failed", Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	if cmd == nil {
		return Handled{}, Invalidf("no command")
	}
	stream := cmd.Stream()
	if err := ValidateStream(stream); err != nil {
		return Handled{}, err
	}
	agg, err := AggregateOf(stream)
	if err != nil {
		return Handled{}, err
	}
	if t, ok := cmd.(Timed); ok && t.OccurredAt().IsZero() {
		return Handled{}, Invalidf("%s: the time it happened (At) is not set", stream)
	}
	if cmd, err = s.protect(ctx, cmd); err != nil {
		return Handled{}, err
	}
	for try := 0; ; try++ {
		h, err = s.attempt(ctx, agg, stream, cmd, &cfg)
		if err == nil {
			return h, nil
		}
		if ctx.Err() != nil {
			return Handled{}, err
		}
		if cfg.key != "" {
			if r, ok, lerr := s.replay(ctx, stream, cfg.key); lerr != nil {
				return Handled{}, lerr
			} else if ok {
				return r, nil
			}
		}
		if !errors.Is(err, ErrWrongExpectedVersion) {
			return Handled{}, err
		}
		if cfg.hasExpected && isTargetConflict(err, stream) {
			return Handled{}, &Error{Code: CodeConflict, Message: fmt.Sprintf("%s has changed since version %s", stream, cfg.expected), Err: err}
		}
		if try == MaxConflictRetries {
			return Handled{}, &Error{Code: CodeConflict, Message: fmt.Sprintf("%s kept changing while the command was decided; tried %d times", stream, try+1), Err: err}
		}
	}
}

func isTargetConflict(err error, stream string) bool {
	var w *WrongExpectedVersionError
	return errors.As(err, &w) && w.Stream == stream
}

// attempt reads, decides and appends once.
func (s *Service) attempt(ctx context.Context, agg Aggregate, stream string, cmd Command, cfg *handleConfig) (Handled, error) {
	seq, sequenced := cmd.(Sequenced)
	var counter string
	if sequenced {
		counter = seq.CounterStream()
		if err := ValidateStream(counter); err != nil {
			return Handled{}, err
		}
	}
	unlock, err := s.lock(ctx, stream, counter)
	if err != nil {
		return Handled{}, err
	}
	defer unlock()

	var watch uuid.UUID
	if cfg.key != "" {
		watch = DeterministicID(cfg.key, 0)
	}
	target, err := s.load(ctx, agg, stream, false, watch)
	if err != nil {
		return Handled{}, err
	}
	if target.seen {
		return Handled{}, errAlreadyHandled
	}
	if cfg.hasExpected && !cfg.expected.Holds(target.version) && target.cached {
		if target, err = s.load(ctx, agg, stream, true, watch); err != nil {
			return Handled{}, err
		}
	}
	if cfg.hasExpected && !cfg.expected.Holds(target.version) {
		return Handled{}, &WrongExpectedVersionError{Stream: stream, Expected: cfg.expected, Actual: target.version}
	}
	facts, err := s.facts(ctx, cmd)
	if err != nil {
		return Handled{}, err
	}
	var counterVersion, number int64
	if sequenced {
		if counterVersion, err = s.counterVersion(ctx, counter); err != nil {
			return Handled{}, err
		}
		number = counterVersion + 2
		cmd = seq.WithNumber(number)
	}
	payloads, err := decide(agg, target.state, cmd, facts)
	if err != nil && target.cached {
		// A refusal must rest on the current state, not a cached one.
		fresh, ferr := s.load(ctx, agg, stream, true, watch)
		if ferr != nil {
			return Handled{}, ferr
		}
		if fresh.seen {
			return Handled{}, errAlreadyHandled
		}
		if fresh.version != target.version {
			return Handled{}, &WrongExpectedVersionError{Stream: stream, Expected: Exact(target.version), Actual: fresh.version}
		}
	}
	if err != nil {
		return Handled{}, err
	}
	if len(payloads) == 0 {
		return Handled{Stream: stream, Result: AppendResult{NextVersion: target.version}}, nil
	}
	evs, err := s.encode(payloads, cmd, cfg)
	if err != nil {
		return Handled{}, err
	}
	if sequenced {
		ce, err := Encode(CounterAdvanced{Number: number, For: stream})
		if err != nil {
			return Handled{}, err
		}
		withMetadata(&ce, evs[0], cfg)
		ce.ID = NewEventID()
		if cfg.key != "" {
			ce.ID = DeterministicID(cfg.key+"\x00"+counter, int(number))
		}
		if _, err := s.store.Append(ctx, counter, Exact(counterVersion), ce); err != nil {
			s.cache.drop(counter)
			return Handled{}, fmt.Errorf("reserve number %d of %s: %w", number, counter, err)
		}
		s.cache.put(counter, cachedState{version: counterVersion + 1})
	}
	res, err := s.store.Append(ctx, stream, Exact(target.version), evs...)
	if err != nil {
		s.cache.drop(stream)
		return Handled{}, err
	}
	h := Handled{Stream: stream, Result: res, Payloads: payloads, Number: number, EventIDs: make([]uuid.UUID, len(evs))}
	for i, ev := range evs {
		h.EventIDs[i] = ev.ID
	}
	if res.NextVersion != target.version+int64(len(evs)) {
		// The store recognised the ids: this is a replay of an earlier append.
		s.cache.drop(stream)
		h.Replayed, h.Number = true, 0
		return h, nil
	}
	state := target.state
	for _, p := range payloads {
		state = agg.Evolve(state, p)
	}
	s.cache.put(stream, cachedState{state: state, version: res.NextVersion})
	return h, nil
}

// errAlreadyHandled makes Handle look up the original outcome of an
// idempotency key found in the stream.
var errAlreadyHandled = &Error{Code: CodeConflict, Message: "command already handled"}

func (s *Service) encode(payloads []Payload, cmd Command, cfg *handleConfig) ([]Event, error) {
	var occurred time.Time
	if t, ok := cmd.(Timed); ok {
		occurred = t.OccurredAt().UTC()
	}
	evs := make([]Event, len(payloads))
	for i, p := range payloads {
		ev, err := Encode(p)
		if err != nil {
			return nil, &Error{Code: CodeInternal, Message: "encode event", Err: err}
		}
		if cfg.key != "" {
			ev.ID = DeterministicID(cfg.key, i)
		} else {
			ev.ID = NewEventID()
		}
		ev.OccurredAt = occurred
		evs[i] = ev
	}
	for i := range evs {
		withMetadata(&evs[i], evs[0], cfg)
	}
	return evs, nil
}

// withMetadata copies the command's metadata onto ev; the correlation id
// defaults to the id of the command's first event.
func withMetadata(ev *Event, first Event, cfg *handleConfig) {
	ev.Actor = cfg.actor
	ev.CausationID = cfg.causation
	ev.CorrelationID = cfg.correlation
	if ev.CorrelationID == uuid.Nil {
		ev.CorrelationID = first.ID
	}
	ev.OccurredAt = first.OccurredAt
}

// decide calls the decider, turning a panic or an error without a code into
// an internal error.
func decide(agg Aggregate, state any, cmd Command, facts Facts) (payloads []Payload, err error) {
	defer func() {
		if p := recover(); p != nil {
			payloads, err = nil, &Error{Code: CodeInternal, Message: "decide " + agg.Kind, Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	payloads, err = agg.Decide(state, cmd, facts)
	if err != nil {
		var de *Error
		if !errors.As(err, &de) {
			return nil, &Error{Code: CodeInternal, Message: "decide " + agg.Kind, Err: err}
		}
		return nil, err
	}
	return payloads, nil
}

// facts folds each stream cmd Needs, current as of now.
func (s *Service) facts(ctx context.Context, cmd Command) (Facts, error) {
	dep, ok := cmd.(Dependent)
	if !ok {
		return nil, nil
	}
	needs := dep.Needs()
	facts := make(Facts, len(needs))
	for _, stream := range needs {
		if _, done := facts[stream]; done {
			continue
		}
		if err := ValidateStream(stream); err != nil {
			return nil, err
		}
		agg, err := AggregateOf(stream)
		if err != nil {
			return nil, err
		}
		l, err := s.load(ctx, agg, stream, !s.soleWriter, uuid.Nil)
		if err != nil {
			return nil, err
		}
		if l.version >= 0 {
			facts[stream] = l.state
		}
	}
	return facts, nil
}

// loaded is a stream's folded state at version (-1: no events). cached
// tells it came from memory without asking the store; seen tells the
// watched event id was among the events read during this load.
type loaded struct {
	state   any
	version int64
	cached  bool
	seen    bool
}

// readPage is the number of events read per query while folding.
const readPage = 4096

// load returns the folded state of stream. From the cache, it asks the
// store for newer events only when fresh is set; otherwise it reads the
// stream from its start. It reports whether an event read has id watch.
func (s *Service) load(ctx context.Context, agg Aggregate, stream string, fresh bool, watch uuid.UUID) (loaded, error) {
	l := loaded{state: agg.Initial(), version: -1}
	if c, ok := s.cache.get(stream); ok {
		l.state, l.version, l.cached = c.state, c.version, true
		if !fresh {
			return l, nil
		}
		l.cached = false
	}
	start := l.version
	for {
		page, err := s.store.ReadStream(ctx, stream, ReadStreamOptions{From: l.version + 1, Limit: readPage})
		if errors.Is(err, ErrStreamNotFound) {
			if start >= 0 {
				s.cache.drop(stream)
				return loaded{}, &Error{Code: CodeInternal, Message: fmt.Sprintf("%s vanished from the log", stream)}
			}
			return l, nil
		}
		if err != nil {
			return loaded{}, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, re := range page {
			if re.Version != l.version+1 {
				return loaded{}, &Error{Code: CodeInternal, Message: fmt.Sprintf("read %s: version %d follows %d", stream, re.Version, l.version)}
			}
			p, err := Decode(re)
			if err != nil {
				return loaded{}, &Error{Code: CodeInternal, Message: fmt.Sprintf("fold %s at version %d", stream, re.Version), Err: err}
			}
			if l.state, err = evolve(agg, l.state, p); err != nil {
				return loaded{}, err
			}
			l.version = re.Version
			l.seen = l.seen || (watch != uuid.Nil && re.ID == watch)
		}
		if len(page) < readPage {
			break
		}
	}
	if l.version >= 0 && l.version != start {
		s.cache.put(stream, cachedState{state: l.state, version: l.version})
	}
	return l, nil
}

func evolve(agg Aggregate, state any, p Payload) (next any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Code: CodeInternal, Message: "evolve " + agg.Kind + " with " + p.EventType(), Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	return agg.Evolve(state, p), nil
}

// counterVersion returns the version of a counter stream, -1 when no number
// was taken yet.
func (s *Service) counterVersion(ctx context.Context, counter string) (int64, error) {
	if c, ok := s.cache.get(counter); ok {
		return c.version, nil
	}
	v, err := s.store.StreamVersion(ctx, counter)
	if errors.Is(err, ErrStreamNotFound) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", counter, err)
	}
	s.cache.put(counter, cachedState{version: v})
	return v, nil
}

// replay looks for the events written under key in stream and, when the key
// was handled before, returns that outcome.
func (s *Service) replay(ctx context.Context, stream, key string) (Handled, bool, error) {
	want := DeterministicID(key, 0)
	h := Handled{Stream: stream, Replayed: true}
	for from := int64(0); ; {
		page, err := s.store.ReadStream(ctx, stream, ReadStreamOptions{From: from, Limit: readPage})
		if errors.Is(err, ErrStreamNotFound) {
			return Handled{}, false, nil
		}
		if err != nil {
			return Handled{}, false, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, re := range page {
			if re.ID != want {
				if len(h.EventIDs) > 0 {
					return h, true, nil
				}
				continue
			}
			p, err := Decode(re)
			if err != nil {
				return Handled{}, false, &Error{Code: CodeInternal, Message: fmt.Sprintf("replay %s at version %d", stream, re.Version), Err: err}
			}
			h.EventIDs = append(h.EventIDs, re.ID)
			h.Payloads = append(h.Payloads, p)
			h.Result = AppendResult{NextVersion: re.Version, Position: re.Position}
			want = DeterministicID(key, len(h.EventIDs))
		}
		if len(page) < readPage {
			return h, len(h.EventIDs) > 0, nil
		}
		from = page[len(page)-1].Version + 1
	}
}

// lock takes the in-process locks of the streams a command writes, always
// in the same order, so that commands of one Service on the same stream do
// not race each other into conflicts.
func (s *Service) lock(ctx context.Context, streams ...string) (func(), error) {
	idx := make([]int, 0, 2)
	for _, st := range streams {
		if st == "" {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(st))
		i := int(h.Sum32() % uint32(len(s.locks)))
		switch {
		case len(idx) == 1 && idx[0] == i:
			continue
		case len(idx) == 1 && idx[0] > i:
			idx = []int{i, idx[0]}
		default:
			idx = append(idx, i)
		}
	}
	held := idx[:0:0]
	unlock := func() {
		for j := len(held) - 1; j >= 0; j-- {
			<-s.locks[held[j]]
		}
	}
	for _, i := range idx {
		select {
		case s.locks[i] <- struct{}{}:
			held = append(held, i)
		case <-ctx.Done():
			unlock()
			return nil, ctx.Err()
		}
	}
	return unlock, nil
}
