package events

import "strconv"

// Expected is the condition an append places on its stream's current
// version. The zero value is Any.
type Expected struct {
	kind    expectedKind
	version int64
}

type expectedKind uint8

const (
	expectAny expectedKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

var (
	// Any appends whatever the stream's state.
	Any = Expected{kind: expectAny}
	// NoStream appends only if the stream has no events.
	NoStream = Expected{kind: expectNoStream}
	// StreamExists appends only if the stream has at least one event.
	StreamExists = Expected{kind: expectStreamExists}
)

// Exact appends only if the stream's last event has version v (0-based).
// Exact(-1) is the same as NoStream.
func Exact(v int64) Expected {
	if v < 0 {
		return NoStream
	}
	return Expected{kind: expectExact, version: v}
}

// Holds reports whether the condition holds for a stream whose current
// version is current (-1 when the stream has no events).
func (e Expected) Holds(current int64) bool {
	switch e.kind {
	case expectNoStream:
		return current < 0
	case expectStreamExists:
		return current >= 0
	case expectExact:
		return current == e.version
	default:
		return true
	}
}

// ExactVersion returns the version of an Exact condition and true, or false
// for the other kinds.
func (e Expected) ExactVersion() (int64, bool) {
	return e.version, e.kind == expectExact
}

// IsAny, IsNoStream and IsStreamExists tell the kind of a condition, for
// stores that translate it into their own.
func (e Expected) IsAny() bool          { return e.kind == expectAny }
func (e Expected) IsNoStream() bool     { return e.kind == expectNoStream }
func (e Expected) IsStreamExists() bool { return e.kind == expectStreamExists }

func (e Expected) String() string {
	switch e.kind {
	case expectNoStream:
		return "no-stream"
	case expectStreamExists:
		return "stream-exists"
	case expectExact:
		return strconv.FormatInt(e.version, 10)
	default:
		return "any"
	}
}

// ParseExpected parses the String form: any, no-stream, stream-exists or a
// version number.
func ParseExpected(s string) (Expected, error) {
	switch s {
	case "", "any":
		return Any, nil
	case "no-stream":
		return NoStream, nil
	case "stream-exists":
		return StreamExists, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < -1 {
		return Any, Invalidf("expected version %q: want any, no-stream, stream-exists or a version", s)
	}
	return Exact(v), nil
}
