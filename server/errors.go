package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pnyx-civic/pnyx/events"
)

// statusOf is the one table from the code of a domain error to an HTTP
// status. A code missing from it is served as a 500.
var statusOf = map[events.Code]int{
	events.CodeInvalid:         http.StatusBadRequest,
	events.CodeNotFound:        http.StatusNotFound,
	events.CodeConflict:        http.StatusConflict,
	events.CodeForbidden:       http.StatusForbidden,
	events.CodeUnauthenticated: http.StatusUnauthorized,
	events.CodeUnavailable:     http.StatusServiceUnavailable,
	events.CodeInternal:        http.StatusInternalServerError,
}

// Status returns the HTTP status of err: by its domain code, 413 for a
// request body over the limit and 405 for a method a path does not serve
// (invalid inputs the status can say more precisely), 500 for an error without a known code, 200 for nil.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	var method *methodNotAllowed
	if errors.As(err, &method) {
		return http.StatusMethodNotAllowed
	}
	if s, ok := statusOf[events.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// methodNotAllowed is a request whose path an endpoint serves, with
// another method: an invalid request (err), answered 405.
type methodNotAllowed struct{ err *events.Error }

func (e *methodNotAllowed) Error() string { return e.err.Error() }
func (e *methodNotAllowed) Unwrap() error { return e.err }

// ErrorBody is the JSON a client receives with an error status:
// {"error":{"code":"...","message":"...","request_id":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the code, says what went wrong in words fit for the
// client (internal errors read "internal error"), and gives the request id
// under which the server logged the cause.
type ErrorDetail struct {
	Code      events.Code `json:"code"`
	Message   string      `json:"message"`
	RequestID string      `json:"request_id"`
}

// detailOf is what a client may read of err: its code and domain message,
// never its cause.
func detailOf(err error) ErrorDetail {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return ErrorDetail{Code: events.CodeInvalid, Message: fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit)}
	}
	code := events.ErrorCode(err)
	if _, known := statusOf[code]; !known {
		code = events.CodeInternal
	}
	msg := events.ErrorMessage(err)
	if code == events.CodeInternal {
		msg = "internal error"
	}
	return ErrorDetail{Code: code, Message: msg}
}

// fail answers err for a handler that returned it. A handler returns an
// error having written nothing; should one return an error after its
// answer began, the status is sent already and the error can only be
// logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if ex := exchangeOf(r.Context()); ex != nil && ex.rec.wroteHeader {
		s.log.ErrorContext(r.Context(), "answer failed after it began", "request_id", ex.id, "route", r.Pattern,
			"code", string(events.ErrorCode(err)), "err", err)
		return
	}
	s.writeError(w, r, err)
}

// writeError sends err as a JSON error with its status and the request's
// id, and logs its cause under the same id: every server-side failure
// (5xx) as an error, a conflict as a warning. Other refusals (bad input,
// not found, forbidden) are the client's to read and show in the access
// log by their code only, since their messages may echo what the client
// sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	d := detailOf(err)
	status := Status(err)
	ex := exchangeOf(ctx)
	if ex != nil {
		d.RequestID = ex.id
		ex.code = d.Code
	}
	switch {
	case status >= 500 && ctx.Err() != nil:
		s.log.InfoContext(ctx, "request ended by the client", "request_id", d.RequestID, "route", r.Pattern, "err", err)
	case status >= 500:
		s.log.ErrorContext(ctx, "request failed", "request_id", d.RequestID, "route", r.Pattern, "code", string(d.Code), "err", err)
	case status == http.StatusConflict:
		s.log.WarnContext(ctx, "request refused", "request_id", d.RequestID, "route", r.Pattern, "code", string(d.Code), "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: d})
}

// ctxKey is the context key of a request's exchange.
type ctxKey struct{}

// exchangeOf returns the exchange of the request whose context is ctx, nil
// outside the server's handler.
func exchangeOf(ctx context.Context) *exchange {
	ex, _ := ctx.Value(ctxKey{}).(*exchange)
	return ex
}
