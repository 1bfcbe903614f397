package events

import (
	"context"
	"crypto/sha256"
	"encoding/json"
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

// MaxFactConflictRetries is how many times Handle decides again when only
// a fact it read (another aggregate's stream, a counter, a claim) changed
// before its append: a busy meeting changes under its votes' ballots
// often, and each retry reads the facts afresh.
const MaxFactConflictRetries = 32

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
	// AppendStreams is Append over several streams in one atomic step
	// (Store.AppendStreams): a command's events with its number, its claims
	// and the versions of the facts it read.
	AppendStreams(ctx context.Context, parts ...StreamAppend) ([]AppendResult, error)
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
	// Now is the clock that bounds the time a command says its fact
	// happened; nil means time.Now.
	Now func() time.Time
	// Earliest is the earliest time of the record; zero means
	// DefaultEarliest.
	Earliest time.Time
	// FutureAllowance is how far past Now a fact may be said to have
	// happened; zero means DefaultFutureAllowance.
	FutureAllowance time.Duration
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
	now        func() time.Time
	bounds     TimeBounds
	sealer     Sealer
	locks      [256]chanMutex
	// unguarded skips the authorization step: only the tests of this
	// package set it (export_test.go), for aggregates of their own.
	unguarded bool
}

// chanMutex is a mutex that can be given up when a context ends.
type chanMutex chan struct{}

// NewService returns a Service writing to store.
func NewService(store ServiceStore, opts ServiceOptions) *Service {
	s := &Service{store: store, cache: newStateCache(opts.StateCacheSize), soleWriter: opts.SoleWriter, sealer: opts.Sealer,
		now: opts.Now, bounds: TimeBounds{Earliest: opts.Earliest, Allowance: opts.FutureAllowance}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.bounds.Earliest.IsZero() {
		s.bounds.Earliest = DefaultEarliest
	}
	if s.bounds.Allowance == 0 {
		s.bounds.Allowance = DefaultFutureAllowance
	}
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
	grant       AccessState // the actor's, as authorize found it
	correlation uuid.UUID
	causation   uuid.UUID
	key         string
	hash        [32]byte // of the command, with a key
	expected    Expected
	hasExpected bool
	provenance  *Provenance // WithImport
	timeNow     bool        // WithTimeNow
}

// WithActor says who sends the command: an access token's id (the role
// is the token's grant; a role given must match it), PublicActor or
// InstallerActor. Handle records it on the events. Without it a command
// is refused as unauthenticated.
func WithActor(a Actor) HandleOption { return func(c *handleConfig) { c.actor = a } }

// WithCorrelationID sets the correlation id of the events; by default it is
// the id of the command's first event.
func WithCorrelationID(id uuid.UUID) HandleOption {
	return func(c *handleConfig) { c.correlation = id }
}

// WithCausationID records the id of the event or request that caused the
// command.
func WithCausationID(id uuid.UUID) HandleOption { return func(c *handleConfig) { c.causation = id } }

// WithIdempotencyKey derives the events' ids from key and the command
// (CommandEventID), so that handling the same command again with the same
// key writes nothing and returns the original outcome with Replayed set,
// and the key reused on the stream with another command is a conflict.
func WithIdempotencyKey(key string) HandleOption { return func(c *handleConfig) { c.key = key } }

// WithTimeNow records a command whose time (At) is not set as happening
// now, by the service's clock, the one that also bounds every command's
// time. With an idempotency key the events' ids derive from the command
// without that time, so a retry sent later is the same command and
// replays the first outcome, time included. A command whose time is set
// keeps it.
func WithTimeNow() HandleOption { return func(c *handleConfig) { c.timeNow = true } }

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
// (CodeNotFound) or is not allowed (CodeForbidden). Before anything, it
// checks the actor's grant (authorize): CodeUnauthenticated for no actor,
// or a token unknown, expired or revoked; CodeForbidden, matching
// ErrNotPermitted, for a token whose role may not record the command or
// whose scope is another body. When another writer
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
	// Who sends the command is checked first: a caller without the right
	// learns nothing of the record, not even whether the command is valid.
	if !s.unguarded {
		if cfg.actor, cfg.grant, err = s.authorize(ctx, cmd, cfg.actor); err != nil {
			return Handled{}, err
		}
	}
	if cmd, err = normalizeCommand(cmd); err != nil {
		return Handled{}, err
	}
	if cfg.key != "" {
		cfg.hash = commandHash(cmd)
	}
	if cfg.timeNow {
		if cmd, err = stampNow(cmd, s.now()); err != nil {
			return Handled{}, err
		}
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
	if err := s.bounds.check(cmd, s.now()); err != nil {
		return Handled{}, err
	}
	if cmd, err = s.protect(ctx, cmd); err != nil {
		return Handled{}, err
	}
	for try, factTries := 0, 0; ; try++ {
		h, err = s.attempt(ctx, agg, stream, cmd, &cfg, try+factTries > 0)
		if err == nil {
			return h, nil
		}
		if ctx.Err() != nil {
			return Handled{}, err
		}
		if cfg.key != "" {
			if r, ok, lerr := s.replay(ctx, stream, cfg.key, cfg.hash); lerr != nil {
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
		if !isTargetConflict(err, stream) && factTries < MaxFactConflictRetries {
			factTries++
			try-- // a fact's change does not spend the stream's retries
			continue
		}
		if try >= MaxConflictRetries {
			changing := stream
			var w *WrongExpectedVersionError
			if errors.As(err, &w) {
				changing = w.Stream
			}
			return Handled{}, &Error{Code: CodeConflict, Message: fmt.Sprintf("%s kept changing while the command on %s was decided; tried %d times, try again", changing, stream, try+1), Err: err}
		}
	}
}

func isTargetConflict(err error, stream string) bool {
	var w *WrongExpectedVersionError
	return errors.As(err, &w) && w.Stream == stream
}

// attempt reads, decides and appends once. The command's events, the
// number it took (if Sequenced), the claims it took and the versions of
// every fact it read are appended in one atomic step (AppendStreams), so
// a rule across aggregates never rests on a fact that changed meanwhile,
// and a refused or conflicting command takes no number.
func (s *Service) attempt(ctx context.Context, agg Aggregate, stream string, cmd Command, cfg *handleConfig, retry bool) (Handled, error) {
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
		watch = CommandEventID(cfg.key, cfg.hash, 0)
	}
	target, err := s.load(ctx, agg, stream, false, watch)
	if err != nil {
		return Handled{}, err
	}
	if cfg.key != "" && target.cached && target.seen == uuid.Nil {
		// The events read may not reach back to the key's use: the stream's
		// key index does, or else the stream is read.
		if target.keys != nil {
			target.seen = target.keys.find(watch)
		} else if target.seen, err = s.keyUsed(ctx, stream, watch); err != nil {
			return Handled{}, err
		}
	}
	if err := seenKey(target.seen, watch, cfg.key, stream); err != nil {
		return Handled{}, err
	}
	if !s.unguarded {
		if err := s.checkScope(ctx, cmd, cfg.grant, target.state); err != nil {
			return Handled{}, err
		}
	}
	if cfg.hasExpected && !cfg.expected.Holds(target.version) && target.cached {
		if target, err = s.load(ctx, agg, stream, true, watch); err != nil {
			return Handled{}, err
		}
	}
	if cfg.hasExpected && !cfg.expected.Holds(target.version) {
		return Handled{}, &WrongExpectedVersionError{Stream: stream, Expected: cfg.expected, Actual: target.version}
	}
	facts, read, err := s.facts(ctx, cmd, target.state, stream, counter, retry)
	if err != nil {
		return Handled{}, err
	}
	if cfg.provenance != nil {
		if facts == nil {
			facts = Facts{}
		}
		facts[importedFact] = *cfg.provenance
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
	if err == nil && cfg.provenance == nil { // an import may arrive out of order
		err = timeOrder(stream, cmd, target, read)
	}
	if err != nil && target.cached {
		// A refusal must rest on the current state, not a cached one.
		fresh, ferr := s.load(ctx, agg, stream, true, watch)
		if ferr != nil {
			return Handled{}, ferr
		}
		if err := seenKey(fresh.seen, watch, cfg.key, stream); err != nil {
			return Handled{}, err
		}
		if fresh.version != target.version {
			return Handled{}, &WrongExpectedVersionError{Stream: stream, Expected: Exact(target.version), Actual: fresh.version}
		}
	}
	if err != nil {
		return Handled{}, err
	}
	own, elsewhere, err := splitPayloads(agg, payloads, read)
	if err != nil {
		return Handled{}, err
	}
	if len(own) == 0 {
		return Handled{Stream: stream, Result: AppendResult{NextVersion: target.version}}, nil
	}
	evs, err := s.encode(own, cmd, cfg)
	if err != nil {
		return Handled{}, err
	}
	parts := []StreamAppend{{Stream: stream, Expected: Exact(target.version), Events: evs}}
	if cfg.provenance != nil {
		pe, err := provenanceEvent(*cfg.provenance, stream, evs, cfg)
		if err != nil {
			return Handled{}, err
		}
		parts = append(parts, StreamAppend{Stream: ProvenanceStream(evs[0].ID), Expected: NoStream, Events: []Event{pe}})
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
		parts = append(parts, StreamAppend{Stream: counter, Expected: Exact(counterVersion), Events: []Event{ce}})
	}
	for _, fs := range read.order {
		part := StreamAppend{Stream: fs, Expected: Exact(read.streams[fs].version)}
		for i, p := range elsewhere[fs] {
			ev, err := Encode(p)
			if err != nil {
				return Handled{}, &Error{Code: CodeInternal, Message: "encode event", Err: err}
			}
			withMetadata(&ev, evs[0], cfg)
			ev.ID = NewEventID()
			if cfg.key != "" {
				ev.ID = DeterministicID(cfg.key+"\x00"+fs, i)
			}
			part.Events = append(part.Events, ev)
		}
		parts = append(parts, part)
	}
	res, err := s.appendParts(ctx, parts)
	if err != nil {
		for _, p := range parts {
			s.cache.drop(p.Stream)
		}
		return Handled{}, err
	}
	h := Handled{Stream: stream, Result: res, Payloads: own, Number: number, EventIDs: make([]uuid.UUID, len(evs))}
	for i, ev := range evs {
		h.EventIDs[i] = ev.ID
	}
	for fs := range elsewhere {
		s.cache.drop(fs)
	}
	if res.NextVersion != target.version+int64(len(evs)) {
		// The store recognised the ids: this is a replay of an earlier append.
		s.cache.drop(stream)
		s.cache.drop(counter)
		h.Replayed, h.Number = true, 0
		return h, nil
	}
	if sequenced {
		s.cache.put(counter, cachedState{version: counterVersion + 1})
	}
	state := target.state
	for _, p := range own {
		state = agg.Evolve(state, p)
	}
	last := target.lastAt
	for _, ev := range evs {
		if !entryTypes[ev.Type] && ev.OccurredAt.After(last) {
			last = ev.OccurredAt
		}
	}
	for _, ev := range evs {
		target.keys.add(ev.ID)
	}
	s.cache.put(stream, cachedState{state: state, version: res.NextVersion, lastAt: last, keys: target.keys})
	return h, nil
}

// provenanceEvent is the provenance.recorded event of an imported
// command's events evs, with an id derived from the first event's, so a
// retry writes it again identically.
func provenanceEvent(p Provenance, stream string, evs []Event, cfg *handleConfig) (Event, error) {
	if err := ValidateText("source", p.Source, MaxTitleRunes); err != nil {
		return Event{}, err
	}
	if err := ValidateText("source id", p.SourceID, MaxTitleRunes); err != nil {
		return Event{}, err
	}
	if p.RetrievedAt.IsZero() {
		return Event{}, Invalidf("provenance of %s: the time the source was retrieved is missing", stream)
	}
	rec := ProvenanceRecorded{Source: p.Source, SourceID: p.SourceID, SourceURL: p.SourceURL, RetrievedAt: p.RetrievedAt.UTC(),
		Stream: stream, EventIDs: make([]uuid.UUID, len(evs))}
	for i, ev := range evs {
		rec.EventIDs[i] = ev.ID
	}
	pe, err := Encode(rec)
	if err != nil {
		return Event{}, &Error{Code: CodeInternal, Message: "encode event", Err: err}
	}
	withMetadata(&pe, evs[0], cfg)
	pe.ID = DeterministicID("provenance\x00"+evs[0].ID.String(), 0)
	return pe, nil
}

// appendParts appends the command's parts: with Append when it touches its
// own stream alone, with AppendStreams otherwise. It returns the result of
// the command's own stream.
func (s *Service) appendParts(ctx context.Context, parts []StreamAppend) (AppendResult, error) {
	if len(parts) == 1 {
		return s.store.Append(ctx, parts[0].Stream, parts[0].Expected, parts[0].Events...)
	}
	results, err := s.store.AppendStreams(ctx, parts...)
	if err != nil {
		return AppendResult{}, err
	}
	if len(results) != len(parts) {
		return AppendResult{}, &Error{Code: CodeInternal, Message: "append", Err: fmt.Errorf("store answered %d results for %d parts", len(results), len(parts))}
	}
	return results[0], nil
}

// splitPayloads separates the payloads of the command's own stream from
// those a decider returned for the facts it read (OnStream).
func splitPayloads(agg Aggregate, payloads []Payload, read factVersions) ([]Payload, map[string][]Payload, error) {
	var own []Payload
	var elsewhere map[string][]Payload
	for _, p := range payloads {
		o, ok := p.(OnStream)
		if !ok {
			own = append(own, p)
			continue
		}
		if _, isFact := read.streams[o.Stream]; !isFact || o.Payload == nil {
			return nil, nil, &Error{Code: CodeInternal, Message: "decide " + agg.Kind, Err: fmt.Errorf("event for %s, which the command does not Need", o.Stream)}
		}
		if elsewhere == nil {
			elsewhere = map[string][]Payload{}
		}
		elsewhere[o.Stream] = append(elsewhere[o.Stream], o.Payload)
	}
	if len(own) == 0 && len(elsewhere) > 0 {
		return nil, nil, &Error{Code: CodeInternal, Message: "decide " + agg.Kind, Err: fmt.Errorf("events for other streams without events of its own")}
	}
	return own, elsewhere, nil
}

// StateDependent is implemented by commands whose facts depend on their
// own aggregate's state (closing a vote takes the claim of the item it was
// on). NeedsGiven receives the folded state of the command's stream and
// lists more streams to read as facts, like Dependent.Needs.
type StateDependent interface {
	NeedsGiven(state any) []string
}

// FollowsFacts is implemented by commands whose fact cannot have happened
// before the latest event of some of the streams they Need (a decision
// follows the close of its vote). The command service refuses one whose
// time is earlier.
type FollowsFacts interface {
	Follows() []string
}

// entryTypes are the events that are entries of their aggregate rather
// than steps of its lifecycle: comments in a consultation, ballots in a
// vote, bids (and their status) and payments in a procurement, members joining and leaving a
// body, arriving and leaving a meeting. Entries are independent of each
// other and may be recorded in any order of their times; each still
// follows every step before it.
var entryTypes = map[string]bool{
	"consultation.comment_submitted": true, "consultation.comment_moderated": true, "consultation.comment_withdrawn": true,
	"vote.ballot_cast": true, "vote.ballot_changed": true,
	"procurement.bid_received": true, "procurement.payment_made": true, "procurement.bid_status_changed": true,
	"body.member_joined": true, "body.member_left": true, "body.member_role_changed": true, "body.member_faction_changed": true,
	"meeting.member_arrived": true, "meeting.member_departed": true,
}

// timeOrder is the rule of time within a lifecycle: a command's fact does
// not happen before the latest step of its own stream (every step of an
// aggregate follows the ones it was decided on; entries, entryTypes, do
// not count as steps), nor before the latest step of the facts it
// Follows.
func timeOrder(stream string, cmd Command, target loaded, read factVersions) error {
	t, ok := cmd.(Timed)
	if !ok {
		return nil
	}
	at := t.OccurredAt()
	if at.Before(target.lastAt) {
		return Errorf(CodeConflict, "%s: %s is before the latest step of its record, at %s; a record runs forward in time",
			stream, at.UTC().Format(time.RFC3339), target.lastAt.UTC().Format(time.RFC3339))
	}
	if f, ok := cmd.(FollowsFacts); ok {
		for _, fs := range f.Follows() {
			if l, ok := read.streams[fs]; ok && at.Before(l.lastAt) {
				return Errorf(CodeConflict, "%s: %s is before the latest step of %s, at %s, which it follows",
					stream, at.UTC().Format(time.RFC3339), fs, l.lastAt.UTC().Format(time.RFC3339))
			}
		}
	}
	return nil
}

// seenKey answers a command whose idempotency key was found used in its
// stream: by the same command, errAlreadyHandled (Handle answers the
// original outcome); by another, a conflict.
func seenKey(seen, watch uuid.UUID, key, stream string) error {
	switch {
	case seen == uuid.Nil:
		return nil
	case seen == watch:
		return errAlreadyHandled
	}
	return Errorf(CodeConflict, "idempotency key %q was already used on %s for another command; a retry must send the same command, a new command a new key", key, stream)
}

// keyUsed looks through stream for an event derived from watch's key.
func (s *Service) keyUsed(ctx context.Context, stream string, watch uuid.UUID) (uuid.UUID, error) {
	for from := int64(0); ; {
		page, err := s.store.ReadStream(ctx, stream, ReadStreamOptions{From: from, Limit: readPage})
		if errors.Is(err, ErrStreamNotFound) {
			return uuid.Nil, nil
		}
		if err != nil {
			return uuid.Nil, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, re := range page {
			if SameKey(re.ID, watch) {
				return re.ID, nil
			}
		}
		if len(page) < readPage {
			return uuid.Nil, nil
		}
		from = page[len(page)-1].Version + 1
	}
}

// commandHash is the SHA-256 of a command's type and JSON, as it came in
// (normalized, before the service numbers it), leaving out a citizen's
// vault reference (personal.withoutSubject).
func commandHash(cmd Command) [32]byte {
	if p, ok := cmd.(personal); ok {
		cmd = p.withoutSubject()
	}
	if c, ok := cmd.(SubmitComment); ok {
		cmd = c.withoutReceipt()
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		b = fmt.Appendf(nil, "%#v", cmd)
	}
	return sha256.Sum256(append(fmt.Appendf(nil, "%T\x00", cmd), b...))
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
			ev.ID = CommandEventID(cfg.key, cfg.hash, i)
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

// factVersions are the streams a command read as facts, in the order it
// Needs them, with the version and time each was read at.
type factVersions struct {
	order   []string
	streams map[string]loaded
}

// facts folds each stream cmd Needs, current as of now (from the cache for
// a SoleWriter, unless retrying after a conflict: a state cached while
// another command appended may be stale), skipping the command's own
// stream and counter.
func (s *Service) facts(ctx context.Context, cmd Command, state any, own, counter string, retry bool) (Facts, factVersions, error) {
	var needs []string
	if dep, ok := cmd.(Dependent); ok {
		needs = dep.Needs()
	}
	if dep, ok := cmd.(StateDependent); ok {
		needs = append(needs, dep.NeedsGiven(state)...)
	}
	if len(needs) == 0 {
		return nil, factVersions{}, nil
	}
	facts := make(Facts, len(needs))
	read := factVersions{streams: make(map[string]loaded, len(needs))}
	for _, stream := range needs {
		if _, done := read.streams[stream]; done || stream == own || stream == counter {
			continue
		}
		if err := ValidateStream(stream); err != nil {
			return nil, factVersions{}, err
		}
		agg, err := AggregateOf(stream)
		if err != nil {
			return nil, factVersions{}, err
		}
		l, err := s.load(ctx, agg, stream, !s.soleWriter || retry, uuid.Nil)
		if err != nil {
			return nil, factVersions{}, err
		}
		if l.version >= 0 {
			facts[stream] = l.state
		}
		read.order = append(read.order, stream)
		read.streams[stream] = l
	}
	return facts, read, nil
}

// loaded is a stream's folded state at version (-1: no events). cached
// tells it came from memory without asking the store; seen is the id of
// an event read during this load derived from the watched id's key.
type loaded struct {
	state   any
	version int64
	lastAt  time.Time // occurred_at of the latest step (not entry)
	cached  bool
	seen    uuid.UUID // the id of an event read that SameKey as watch
	keys    *keyIndex // complete up to version, when not nil
}

// readPage is the number of events read per query while folding.
const readPage = 4096

// load returns the folded state of stream. From the cache, it asks the
// store for newer events only when fresh is set; otherwise it reads the
// stream from its start. It reports an event read whose id has watch's key.
func (s *Service) load(ctx context.Context, agg Aggregate, stream string, fresh bool, watch uuid.UUID) (loaded, error) {
	l := loaded{state: agg.Initial(), version: -1}
	if c, ok := s.cache.get(stream); ok {
		l.state, l.version, l.lastAt, l.keys, l.cached = c.state, c.version, c.lastAt, c.keys, true
		if !fresh {
			return l, nil
		}
		l.cached = false
	}
	start := l.version
	if start < 0 {
		l.keys = &keyIndex{}
	}
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
			if !entryTypes[re.Type] && re.OccurredAt.After(l.lastAt) {
				l.lastAt = re.OccurredAt
			}
			l.keys.add(re.ID)
			if watch != uuid.Nil && l.seen == uuid.Nil && SameKey(re.ID, watch) {
				l.seen = re.ID
			}
		}
		if len(page) < readPage {
			break
		}
	}
	if l.version >= 0 && l.version != start {
		s.cache.put(stream, cachedState{state: l.state, version: l.version, lastAt: l.lastAt, keys: l.keys})
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
func (s *Service) replay(ctx context.Context, stream, key string, hash [32]byte) (Handled, bool, error) {
	want := CommandEventID(key, hash, 0)
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
			want = CommandEventID(key, hash, len(h.EventIDs))
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
