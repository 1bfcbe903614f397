package events

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	driver := errors.New("sqlite: database is locked (5) at /var/lib/pnyx/events.db")
	for _, tc := range []struct {
		rule string
		err  error
		want string
	}{
		{"no error has no message", nil, ""},
		{"a domain error shows its message", Invalidf("after %q: want a position", "x"), `after "x": want a position`},
		{"a conflict shows its message, not the driver error it wraps",
			&Error{Code: CodeConflict, Message: "append: already recorded", Err: driver}, "append: already recorded"},
		{"an unavailable error shows its message, not the file it could not open",
			&Error{Code: CodeUnavailable, Message: "read model unavailable", Err: errors.New("open /srv/pnyx/readmodel.db: permission denied")}, "read model unavailable"},
		{"a wrapped domain error shows the domain message only",
			fmt.Errorf("read head: %w", &Error{Code: CodeNotFound, Message: "stream not found", Err: driver}), "stream not found"},
		{"a store error joined to its cause shows the sentinel's message",
			fmt.Errorf("%w: %w", ErrUnavailable, driver), "store unavailable"},
		{"an internal error says internal error, whatever its message",
			&Error{Code: CodeInternal, Message: "scan /var/lib/pnyx", Err: driver}, "internal error"},
		{"an error without a code is internal", driver, "internal error"},
		{"a domain error with a cause and no message reads as its code",
			&Error{Code: CodeUnavailable, Err: driver}, "unavailable"},
		{"a wrong expected version names the stream and what to do, not the versions",
			&WrongExpectedVersionError{Stream: "vote-1", Expected: NoStream, Actual: 2}, "vote-1 has changed since it was read; read it again and retry"},
		{"a conflict wrapping a version conflict and an event id shows only its own message",
			&Error{Code: CodeConflict, Message: "vote-1 kept changing", Err: fmt.Errorf("append 0190a1b2-0000-7000-8000-000000000000: %w", &WrongExpectedVersionError{Stream: "vote-1", Actual: 2})}, "vote-1 kept changing"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := ErrorMessage(tc.err); got != tc.want {
				t.Fatalf("ErrorMessage = %q, want %q", got, tc.want)
			}
		})
	}
}
