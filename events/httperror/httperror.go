// Package httperror owns the one table that turns the code of a domain error
// (events.Code) into an HTTP status, and the JSON body every Pnyx HTTP
// handler sends with it. Keeping the table in one place means a conflict is a
// 409 on the change feed, the GraphQL endpoint's transport and the download
// handler alike.
package httperror

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/pnyx-civic/pnyx/events"
)

// statusOf is the table. A code missing from it is served as a 500.
var statusOf = map[events.Code]int{
	events.CodeInvalid:     http.StatusBadRequest,
	events.CodeNotFound:    http.StatusNotFound,
	events.CodeConflict:    http.StatusConflict,
	events.CodeForbidden:   http.StatusForbidden,
	events.CodeUnavailable: http.StatusServiceUnavailable,
	events.CodeInternal:    http.StatusInternalServerError,
}

// Status returns the HTTP status of err: by its domain code, 500 for an
// error without one, 200 for nil.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if s, ok := statusOf[events.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Body is the JSON a client receives with an error status.
type Body struct {
	Error Detail `json:"error"`
}

// Detail names the code and says what went wrong, fit for the client:
// internal errors read "internal error".
type Detail struct {
	Code    events.Code `json:"code"`
	Message string      `json:"message"`
}

// Write sends err as a JSON error with its status. Internal and unavailable
// errors are logged with their detail on log (if not nil); the client sees
// only the public message.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := events.ErrorCode(err)
	status := Status(err)
	if status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "code", string(code), "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Body{Error: Detail{Code: code, Message: Message(err)}})
}

// Message is what a client may read about err: the domain message, and
// "internal error" for anything internal, whatever its cause says.
func Message(err error) string {
	if events.ErrorCode(err) == events.CodeInternal {
		return "internal error"
	}
	return events.ErrorMessage(err)
}
