package events

import "strings"

// ErrRecordedByCommands is matched by every refusal of CheckRawAppend: the
// events of the catalog, and the streams of the aggregates, are written
// only by commands through the command service, which checks each against
// the rules. Its code is forbidden.
var ErrRecordedByCommands = &Error{Code: CodeForbidden, Message: "the record is written only by commands"}

// CheckRawAppend refuses an append that would write the record behind the
// rules' back, for a path that appends events without deciding them (pnyx
// events append): an event of a catalog type, wherever it goes (a made-up
// decision.adopted, an access.granted granted by nobody), and any event to
// the stream of an aggregate (its decider folds every event of it). What
// stays writable are events outside the catalog in streams of no
// aggregate: the notes of other tools, test and benchmark events. A path
// that can read the log should also refuse a stream that already holds an
// event of the catalog (a counter, such as a body's decision numbers).
func CheckRawAppend(stream string, evs []Event) error {
	kind, _, _ := strings.Cut(stream, "-")
	if hasDecider(kind) {
		return rawRefusal("%s is a stream of the %s aggregate: its events are recorded by the commands of the command service, never appended raw", stream, kind)
	}
	for i, ev := range evs {
		if _, ok := Spec(ev.Type); ok {
			return rawRefusal("event %d: %s is an event of the catalog: it is recorded by a command of the command service, which checks it against the rules, never appended raw", i, ev.Type)
		}
	}
	return nil
}

// RawStreamRefusal is the error of a raw append to stream when the stream
// already holds an event of the catalog of type typ.
func RawStreamRefusal(stream, typ string) error {
	return rawRefusal("%s holds events of the catalog (%s): it is written only by the commands of the command service", stream, typ)
}

func rawRefusal(format string, args ...any) error {
	e := Errorf(CodeForbidden, format, args...).(*Error)
	e.Err = ErrRecordedByCommands
	return e
}
