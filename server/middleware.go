package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// exchange is one request as the server follows it, from its id to its
// line in the access log.
type exchange struct {
	id    string
	start time.Time
	rec   *recorder
	// route is the ServeMux pattern that answered ("unmatched" for none,
	// "preflight" for a CORS preflight the server answered itself).
	route string
	// code is the domain code of the error answered, "" for none.
	code events.Code
}

// serveHTTP is what every route shares, outermost first: the request id
// (header and context), security headers, the access log and request
// metrics (with a panic turned into a logged 500), CORS, the body-size
// limit, and gzip; then the route.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{id: s.newID(), start: s.now(), rec: &recorder{ResponseWriter: w, status: http.StatusOK}}
	// The copy carries the exchange; ServeMux sets Pattern on it.
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ex))
	h := ex.rec.Header()
	h.Set(HeaderRequestID, ex.id)
	setSecurityHeaders(h, r)
	defer s.finish(r, ex)

	if s.cors.handle(ex.rec, r) {
		ex.route = "preflight"
		return
	}
	if r.ContentLength > s.maxBody {
		s.writeError(ex.rec, r, &http.MaxBytesError{Limit: s.maxBody})
		return
	}
	r.Body = http.MaxBytesReader(ex.rec, r.Body, s.maxBody)
	gz := newGzipWriter(ex.rec, r)
	defer gz.close()
	if h, pattern := s.mux.Handler(r); pattern == "" {
		s.unmatched(gz, r, h)
		return
	}
	s.mux.ServeHTTP(gz, r)
}

// unmatched answers a request no route serves as a JSON error like every
// other: 404 for a path no endpoint serves, 405 (with Allow) for a method
// its endpoint does not serve. The mux's own answer h, run into a
// discarded response, tells which.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &muxAnswer{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status != http.StatusMethodNotAllowed {
		s.writeError(w, r, events.Errorf(events.CodeNotFound, "no endpoint serves this path"))
		return
	}
	allow := probe.header.Get("Allow")
	w.Header().Set("Allow", allow)
	s.writeError(w, r, &methodNotAllowed{&events.Error{Code: events.CodeInvalid, Message: "this path serves only " + allow}})
}

// muxAnswer keeps the status and headers of the mux's answer to a request
// it has no route for, and drops its plain-text body.
type muxAnswer struct {
	header http.Header
	status int
}

func (a *muxAnswer) Header() http.Header { return a.header }
func (a *muxAnswer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return len(b), nil
}
func (a *muxAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

// finish runs once the route has answered or panicked: a panic becomes a
// 500 (when nothing was sent yet) and a log line with its stack; then the
// request is counted, timed and written to the access log. The access log
// holds the request id, method, route pattern, status, error code, size and
// duration: never the path as sent, the query, the body, headers or the
// client's address, any of which may carry personal data.
func (s *Server) finish(r *http.Request, ex *exchange) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		s.log.ErrorContext(r.Context(), "handler panicked", "request_id", ex.id, "route", r.Pattern,
			"panic", logValue(p), "stack", string(debug.Stack()))
		if !ex.rec.wroteHeader {
			s.writeError(ex.rec, r, events.Errorf(events.CodeInternal, "handler panicked"))
		}
	}
	if ex.route == "" {
		ex.route = r.Pattern
	}
	if ex.route == "" {
		ex.route = "unmatched"
	}
	took := s.now().Sub(ex.start)
	s.metrics.observe(ex.route, ex.rec.status, took)
	attrs := []any{"request_id", ex.id, "method", r.Method, "route", ex.route, "status", ex.rec.status,
		"bytes", ex.rec.bytes, "duration", took}
	if ex.code != "" {
		attrs = append(attrs, "code", string(ex.code))
	}
	level := slog.LevelInfo
	if probeRoutes[ex.route] && ex.rec.status < 500 {
		level = slog.LevelDebug // probes and scrapes come every few seconds
	}
	s.log.Log(r.Context(), level, "http request", attrs...)
}

// probeRoutes are the routes that monitoring calls, not people: their
// access log lines are at debug level unless they fail.
var probeRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// setSecurityHeaders sets what every answer carries so a browser treats it
// as data: never sniffed into another type, never framed, no referrer
// sent on, no script or style run from it. A product that serves a page
// (the GraphQL explorer) sets its own Content-Security-Policy over this
// one. Over TLS, browsers are told to keep to it.
func setSecurityHeaders(h http.Header, r *http.Request) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// recorder remembers the status a handler sent and the bytes it wrote.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (w *recorder) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	w.wroteHeader = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush sends what is buffered, for handlers that stream.
func (w *recorder) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach deadlines and the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logValue keeps a panic's value printable in a log line.
func logValue(v any) slog.Value { return slog.StringValue(fmt.Sprint(v)) }
