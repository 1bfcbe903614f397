package graphql

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"time"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/pnyx-civic/pnyx/events"
)

// The codes of extensions.code. Every error a client sees carries one.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeNotFound        = "NOT_FOUND"
	CodeConflict        = "CONFLICT"
	CodeForbidden       = "FORBIDDEN"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeRateLimited     = "RATE_LIMITED"
	CodeTimeout         = "TIMEOUT"
	CodeUnavailable     = "UNAVAILABLE"
	CodeInternal        = "INTERNAL"
)

// codeOf is the one table from a domain error's code to extensions.code.
// A code missing from it is INTERNAL.
var codeOf = map[events.Code]string{
	events.CodeInvalid:         CodeBadUserInput,
	events.CodeNotFound:        CodeNotFound,
	events.CodeConflict:        CodeConflict,
	events.CodeForbidden:       CodeForbidden,
	events.CodeUnauthenticated: CodeUnauthenticated,
	events.CodeUnavailable:     CodeUnavailable,
}

// apiError is a refusal of the API itself rather than of the domain: a
// request without the token a mutation needs, or over its client's rate.
// Its code is one of extensions.code's.
type apiError struct {
	code, message string
	// retryAfter is how long a rate-limited client should wait.
	retryAfter time.Duration
}

func (e *apiError) Error() string { return e.message }

var (
	errNoToken = &apiError{code: CodeUnauthenticated,
		message: "this mutation records on behalf of an official: send a token as `Authorization: Bearer <secret>`"}
	errMalformedAuth = &apiError{code: CodeUnauthenticated,
		message: "the Authorization header must read `Bearer <secret>`"}
	errNoTokens = &events.Error{Code: events.CodeUnavailable, Message: "this server checks no tokens: it records nothing on behalf of an official"}
	errNoWrites = &events.Error{Code: events.CodeUnavailable, Message: "this server records nothing: it serves queries only"}
)

// requestIDKey carries the server's request id into the error presenter.
type requestIDKey struct{}

// present turns an error into what the client reads: the domain message
// and extensions.code, never a cause; an internal error reads "internal
// error", and its cause goes to the log with the request's id.
func (h *Handler) present(ctx context.Context, err error) *gqlerror.Error {
	out := gql.DefaultErrorPresenter(ctx, err)
	if out.Extensions == nil {
		out.Extensions = map[string]any{}
	}
	if _, set := out.Extensions["code"]; set && out.Err == nil {
		// Parse and validation errors, and the limits': the client's.
		if c := out.Extensions["code"]; c != CodeInternal && c != CodeTimeout {
			out.Extensions["code"] = CodeBadUserInput
		}
		return out
	}
	cause := out.Err
	if cause == nil {
		cause = err
	}
	var code string
	var refusal *apiError
	switch {
	case errors.As(cause, &refusal):
		code, out.Message = refusal.code, refusal.message
		if refusal.retryAfter > 0 {
			out.Extensions["retryAfterSeconds"] = int64(math.Ceil(refusal.retryAfter.Seconds()))
		}
	case errors.Is(cause, context.DeadlineExceeded):
		code, out.Message = CodeTimeout, "the request took longer than its time limit"
	case errors.Is(cause, context.Canceled):
		code, out.Message = CodeTimeout, "the request was cancelled"
	default:
		var ok bool
		if code, ok = codeOf[events.ErrorCode(cause)]; ok {
			out.Message = events.ErrorMessage(cause)
		} else {
			code, out.Message = CodeInternal, "internal error"
		}
	}
	if code == CodeInternal || code == CodeUnavailable {
		id, _ := ctx.Value(requestIDKey{}).(string)
		h.log.LogAttrs(ctx, slog.LevelError, "graphql field failed", slog.String("request_id", id),
			slog.String("path", out.Path.String()), slog.String("code", code), slog.Any("err", cause))
	}
	out.Extensions["code"] = code
	out.Err = nil
	return out
}

// recover turns a panic in a resolver into an internal error; the panic
// goes to the log.
func (h *Handler) recover(ctx context.Context, p any) error {
	id, _ := ctx.Value(requestIDKey{}).(string)
	h.log.ErrorContext(ctx, "graphql resolver panicked", "request_id", id, "panic", p)
	return &events.Error{Code: events.CodeInternal, Message: "internal error"}
}

// limitError is a refusal before execution: the client's, with a message.
func limitError(format string, args ...any) *gqlerror.Error {
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": CodeBadUserInput}
	return e
}

func errNotFound(name string) error {
	return events.Errorf(events.CodeNotFound, "the explorer has no file %s", name)
}
