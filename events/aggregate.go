package events

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"
)

// Command is a request to change one aggregate. Stream names the stream of
// that aggregate, "kind-id".
type Command interface {
	Stream() string
}

// Dependent is implemented by commands whose rules span aggregates. Needs
// lists the other streams whose folded state the decider must see; the
// command service reads them from the log, never from a projection.
type Dependent interface {
	Needs() []string
}

// Timed is implemented by commands that say when their fact happened in the
// world; the command service records it as the events' occurred_at. Rules
// that depend on time compare against OccurredAt, never a clock, so
// deciders stay pure.
type Timed interface {
	OccurredAt() time.Time
}

// Facts holds the folded state of each stream a command Needs, keyed by
// stream name. A stream with no events is absent.
type Facts map[string]any

// FactOf returns the state of stream in f as S.
func FactOf[S any](f Facts, stream string) (S, bool) {
	s, ok := f[stream].(S)
	return s, ok
}

// Decider holds the pure rules of one aggregate kind: Evolve folds an event
// into the state, Decide turns a command into new events or refuses it with
// a domain error. Neither does I/O.
type Decider[S any] struct {
	Kind    string // stream prefix, such as "meeting" for "meeting-<id>"
	Initial func() S
	Evolve  func(S, Payload) S
	Decide  func(S, Command, Facts) ([]Payload, error)
}

// cloneOrMake returns a copy of m to write to, a new map when m is nil (a
// stream whose first event is missing must fold, not panic).
func cloneOrMake[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return maps.Clone(m)
}

// Aggregate is a Decider with its state type erased, as the command service
// uses it.
type Aggregate struct {
	Kind    string
	Initial func() any
	Evolve  func(any, Payload) any
	Decide  func(any, Command, Facts) ([]Payload, error)
}

var aggregates = struct {
	sync.RWMutex
	kinds map[string]Aggregate
}{kinds: map[string]Aggregate{}}

// RegisterDecider adds d to the aggregates the command service knows.
// It panics on a duplicate kind, a programming error.
func RegisterDecider[S any](d Decider[S]) {
	a := Aggregate{
		Kind:    d.Kind,
		Initial: func() any { return d.Initial() },
		Evolve:  func(s any, p Payload) any { return d.Evolve(s.(S), p) },
		Decide:  func(s any, c Command, f Facts) ([]Payload, error) { return d.Decide(s.(S), c, f) },
	}
	aggregates.Lock()
	defer aggregates.Unlock()
	if _, dup := aggregates.kinds[d.Kind]; dup || d.Kind == "" {
		panic(fmt.Sprintf("events: decider %q registered twice or unnamed", d.Kind))
	}
	aggregates.kinds[d.Kind] = a
}

// AggregateOf returns the aggregate that owns stream, by its kind prefix.
func AggregateOf(stream string) (Aggregate, error) {
	kind, _, _ := strings.Cut(stream, "-")
	aggregates.RLock()
	a, ok := aggregates.kinds[kind]
	aggregates.RUnlock()
	if !ok {
		return Aggregate{}, Invalidf("stream %q belongs to no known aggregate", stream)
	}
	return a, nil
}

// StreamName returns "kind-id".
func StreamName(kind, id string) string { return kind + "-" + id }

// Sequenced is implemented by commands that need the next number of a
// counter, such as a decision's "123/2026", unique per body and year and
// never reused. The command service reads CounterStream's version v,
// decides with WithNumber(v+2) (numbers start at 1), then appends a
// CounterAdvanced event to the counter with Exact(v) before appending the
// command's events, retrying from the start on a conflict. A number whose
// command then fails stays recorded in the counter with the stream it was
// reserved for, so a gap is explained, never filled.
type Sequenced interface {
	Command
	CounterStream() string
	WithNumber(n int64) Command
}

// CounterAdvanced records that number N of a counter stream was taken for
// the events of stream For.
type CounterAdvanced struct {
	Number int64  `json:"number"`
	For    string `json:"for"`
}

func (CounterAdvanced) EventType() string { return "counter.advanced" }

func init() {
	Register[CounterAdvanced]("counter", 1, "A number of a counter (such as decision numbers of a body and year) was taken.")
}
