package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestRequestIDs(t *testing.T) {
	n := 0
	w := newWorld(t, nil, Options{NewRequestID: func() string { n++; return fmt.Sprintf("req-%d", n) }})

	t.Run("every answer carries a new id, whatever the route or status", func(t *testing.T) {
		seen := map[string]bool{}
		for _, target := range []string{"/healthz", "/readyz", "/metrics", "/v1/events", "/v1/events?limit=x", "/v1/nothing"} {
			id := w.get(target).Header().Get(HeaderRequestID)
			if id == "" || seen[id] {
				t.Fatalf("%s: id %q (seen %v)", target, id, seen)
			}
			seen[id] = true
		}
	})
	t.Run("an id sent by the client is not taken", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set(HeaderRequestID, "forged")
		if id := w.do(req).Header().Get(HeaderRequestID); id == "forged" {
			t.Fatal("the server answered with the client's id")
		}
	})
	t.Run("without an id source, ids are random text", func(t *testing.T) {
		w := newWorld(t, nil, Options{})
		a, b := w.get("/healthz").Header().Get(HeaderRequestID), w.get("/healthz").Header().Get(HeaderRequestID)
		if len(a) < 20 || a == b {
			t.Fatalf("ids %q and %q", a, b)
		}
	})
}

func TestAccessLog(t *testing.T) {
	w := newWorld(t, nil, Options{})
	w.appendMeeting(t, "meeting-1")
	req := httptest.NewRequest(http.MethodGet, "/v1/events?after=0&limit=1&q=Μαρία+Παπαδοπούλου", nil)
	req.Header.Set("User-Agent", "citizen-browser")
	req.RemoteAddr = "203.0.113.7:5555"
	rec := w.do(req)
	id := rec.Header().Get(HeaderRequestID)
	lines := w.logs.withID(t, id, "http request")
	if len(lines) != 1 {
		t.Fatalf("want one access log line for %s:\n%s", id, w.logs)
	}
	l := lines[0]
	if l["level"] != "INFO" || l["method"] != "GET" || l["route"] != "GET /v1/events" || l["status"] != float64(200) || l["bytes"] != float64(rec.Body.Len()) {
		t.Fatalf("access log line %v", l)
	}
	if _, ok := l["code"]; ok {
		t.Fatalf("a success logged with an error code: %v", l)
	}
	mustContainNone(t, "the log", w.logs.String(), "Μαρία", "Παπαδοπούλου", "q=", "after=", "citizen-browser", "203.0.113.7")

	t.Run("probes are logged at debug level", func(t *testing.T) {
		for _, target := range []string{"/healthz", "/metrics"} {
			rec := w.get(target)
			if lines := w.logs.withID(t, rec.Header().Get(HeaderRequestID), "http request"); len(lines) != 1 || lines[0]["level"] != "DEBUG" {
				t.Fatalf("%s: log:\n%s", target, w.logs)
			}
		}
	})
	t.Run("an unknown path is logged by its route, not as sent", func(t *testing.T) {
		rec := w.get("/v1/people/Μαρία")
		lines := w.logs.withID(t, rec.Header().Get(HeaderRequestID), "http request")
		if len(lines) != 1 || lines[0]["route"] != "unmatched" || lines[0]["status"] != float64(404) {
			t.Fatalf("log:\n%s", w.logs)
		}
		mustContainNone(t, "the log", w.logs.String(), "people", "Μαρία")
	})
}

func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t, nil, Options{})
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	for _, target := range []string{"/healthz", "/metrics", "/v1/events", "/v1/events?after=x", "/nothing"} {
		t.Run(target+" carries the security headers", func(t *testing.T) {
			h := w.get(target).Header()
			for k, v := range want {
				if h.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, h.Get(k), v)
				}
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS over plain HTTP")
			}
		})
	}
}

func TestAPanickingHandlerIsA500WithItsID(t *testing.T) {
	w := newWorld(t, nil, Options{})
	w.srv.handle("GET /v1/boom", func(http.ResponseWriter, *http.Request) error {
		panic("index out of range at " + causePath)
	})
	rec := w.get("/v1/boom")
	d := errorBody(t, rec)
	id := rec.Header().Get(HeaderRequestID)
	if rec.Code != 500 || d.Code != events.CodeInternal || d.Message != "internal error" || d.RequestID != id {
		t.Fatalf("%d %+v", rec.Code, d)
	}
	mustContainNone(t, "the answer", rec.Body.String(), causePath)
	lines := w.logs.withID(t, id, "handler panicked")
	if len(lines) != 1 || !strings.Contains(lines[0]["panic"].(string), causePath) || !strings.Contains(lines[0]["stack"].(string), "goroutine") {
		t.Fatalf("log:\n%s", w.logs)
	}
	if access := w.logs.withID(t, id, "http request"); len(access) != 1 || access[0]["status"] != float64(500) {
		t.Fatalf("log:\n%s", w.logs)
	}
}

func TestBodyLimit(t *testing.T) {
	w := newWorld(t, nil, Options{MaxBodyBytes: 16})
	var read []byte
	w.srv.handle("POST /v1/echo", func(rw http.ResponseWriter, r *http.Request) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return fmt.Errorf("read body: %w", err)
		}
		read = b
		rw.WriteHeader(http.StatusNoContent)
		return nil
	})
	for _, tc := range []struct {
		rule   string
		body   string
		length int64 // -1: unknown, sent chunked
		status int
	}{
		{"a body within the limit is read", "sixteen bytes!!!", 16, 204},
		{"a body declared larger than the limit is refused before the handler runs", strings.Repeat("x", 17), 17, 413},
		{"a body of unknown length that grows past the limit is refused", strings.Repeat("x", 100), -1, 413},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			read = nil
			req := httptest.NewRequest(http.MethodPost, "/v1/echo", strings.NewReader(tc.body))
			req.ContentLength = tc.length
			rec := w.do(req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 413 {
				if d := errorBody(t, rec); d.Code != events.CodeInvalid || d.Message != "the request body is larger than 16 bytes" {
					t.Fatalf("error %+v", d)
				}
				if read != nil {
					t.Fatalf("the handler went on with %d bytes", len(read))
				}
			} else if string(read) != tc.body {
				t.Fatalf("read %q", read)
			}
		})
	}
}

func TestNewRefusesMissingSources(t *testing.T) {
	w := newWorld(t, nil, Options{})
	full := w.srv.src
	for _, tc := range []struct {
		rule string
		edit func(*Sources)
	}{
		{"no log", func(s *Sources) { s.Log = nil }},
		{"no command service", func(s *Sources) { s.Commands = nil }},
		{"no read model", func(s *Sources) { s.ReadModel = nil }},
		{"no runner", func(s *Sources) { s.Projections = nil }},
	} {
		t.Run("a server with "+tc.rule+" is refused", func(t *testing.T) {
			src := full
			tc.edit(&src)
			if _, err := New(src, Options{}); !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("New: %v, want invalid", err)
			}
		})
	}
	t.Run("a CORS origin that is none is refused", func(t *testing.T) {
		if _, err := New(full, Options{CORSOrigins: []string{"data.example.org"}}); !errors.Is(err, events.ErrInvalid) {
			t.Fatalf("New: %v, want invalid", err)
		}
	})
}
