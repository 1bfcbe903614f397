package events

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. Adapters translate driver errors into
// codes; the HTTP and GraphQL layers translate codes into statuses in one
// table each.
type Code string

const (
	CodeInvalid   Code = "invalid"
	CodeNotFound  Code = "not_found"
	CodeConflict  Code = "conflict"
	CodeForbidden Code = "forbidden"
	// CodeUnauthenticated: an unknown, expired or revoked token, or none
	// where one is needed.
	CodeUnauthenticated Code = "unauthenticated"
	CodeUnavailable     Code = "unavailable"
	CodeInternal        Code = "internal"
)

// Error is a domain error: a code and a message fit for the person who sent
// the request. Err, if set, is the cause, kept for logs and errors.Is.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes every error of code invalid match ErrInvalid, so callers can test
// for "bad input" without knowing which rule refused it.
func (e *Error) Is(target error) bool {
	return target == ErrInvalid && e.Code == CodeInvalid
}

// Errorf returns a domain error with code and a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first domain error in err's chain,
// CodeInternal for any other non-nil error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var w *WrongExpectedVersionError
	if errors.As(err, &w) {
		return CodeConflict
	}
	return CodeInternal
}

// ErrorMessage returns what a client may read about err: the message of the
// first domain error in err's chain, never the cause it wraps (causes name
// files, drivers and queries, and are for logs only); "internal error" for
// an internal error or an error without a code; "" for nil. A domain error
// with a cause but no message reads as its code's plain meaning.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		switch {
		case e.Code == CodeInternal:
			return internalMessage
		case e.Message != "":
			return e.Message
		}
		return codeMessage(e.Code)
	}
	var w *WrongExpectedVersionError
	if errors.As(err, &w) {
		return fmt.Sprintf("%s has changed since it was read; read it again and retry", w.Stream)
	}
	return internalMessage
}

// internalMessage is all a client learns of an internal error.
const internalMessage = "internal error"

// codeMessage is the message of a domain error that has a cause but no
// message of its own.
func codeMessage(c Code) string {
	switch c {
	case CodeInvalid:
		return "invalid input"
	case CodeNotFound:
		return "not found"
	case CodeConflict:
		return "conflict"
	case CodeForbidden:
		return "forbidden"
	case CodeUnauthenticated:
		return "unauthenticated"
	case CodeUnavailable:
		return "unavailable"
	}
	return internalMessage
}

// Sentinel errors. Match them with errors.Is; each carries its code.
var (
	// ErrWrongExpectedVersion matches any *WrongExpectedVersionError.
	ErrWrongExpectedVersion = &Error{Code: CodeConflict, Message: "wrong expected version"}
	// ErrStreamNotFound is returned when reading a stream with no events.
	ErrStreamNotFound = &Error{Code: CodeNotFound, Message: "stream not found"}
	// ErrDuplicateEventID is returned when an event id already recorded is
	// sent again with different content or to another stream.
	ErrDuplicateEventID = &Error{Code: CodeConflict, Message: "event id already recorded with other content"}
	// ErrInvalid is matched by every validation error of the store.
	ErrInvalid = &Error{Code: CodeInvalid, Message: "invalid input"}
	// ErrUnavailable is returned when a store is closed or cannot be reached.
	ErrUnavailable = &Error{Code: CodeUnavailable, Message: "store unavailable"}
)

// WrongExpectedVersionError reports an append whose expected version did not
// hold. Actual is the stream's current version, -1 when it has no events.
type WrongExpectedVersionError struct {
	Stream   string
	Expected Expected
	Actual   int64
}

func (e *WrongExpectedVersionError) Error() string {
	return fmt.Sprintf("wrong expected version on %s: expected %s, actual %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrWrongExpectedVersion) true.
func (e *WrongExpectedVersionError) Is(target error) bool {
	return target == ErrWrongExpectedVersion
}

// Invalidf returns a validation error: code invalid, matching ErrInvalid.
func Invalidf(format string, args ...any) error {
	return &Error{Code: CodeInvalid, Message: fmt.Sprintf(format, args...)}
}
