package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		rule string
		err  error
		want int
	}{
		{"no error is 200", nil, http.StatusOK},
		{"invalid input is 400", events.Invalidf("bad"), http.StatusBadRequest},
		{"a missing stream is 404", fmt.Errorf("read x: %w", events.ErrStreamNotFound), http.StatusNotFound},
		{"a wrong expected version is 409", &events.WrongExpectedVersionError{Stream: "s", Expected: events.NoStream, Actual: 3}, http.StatusConflict},
		{"forbidden is 403", events.Errorf(events.CodeForbidden, "no"), http.StatusForbidden},
		{"an unavailable store is 503", fmt.Errorf("closed: %w", events.ErrUnavailable), http.StatusServiceUnavailable},
		{"a body over the limit is 413", fmt.Errorf("read body: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge},
		{"an error without a code is 500", errors.New("boom"), http.StatusInternalServerError},
		{"an unknown code is 500", events.Errorf("teapot", "?"), http.StatusInternalServerError},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := Status(tc.err); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

// The causes below are what a store or a driver wraps into a domain error:
// a file path, a SQLite driver message. None may reach a client.
const (
	causePath   = "/var/lib/pnyx/events.db"
	causeDriver = "sqlite: constraint failed: UNIQUE constraint failed: events.id (2067)"
)

func TestErrorsNeverCarryTheirCauseToTheClient(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		err     error
		status  int
		code    events.Code
		message string
	}{
		{"a conflict wrapping a driver error shows the domain message",
			&events.Error{Code: events.CodeConflict, Message: "append: already recorded", Err: errors.New(causeDriver)},
			409, events.CodeConflict, "append: already recorded"},
		{"an unavailable store wrapping a file it cannot open shows the store's message",
			fmt.Errorf("%w: %w", events.ErrUnavailable, fmt.Errorf("read head: unable to open database file %s", causePath)),
			503, events.CodeUnavailable, "store unavailable"},
		{"an unavailable read model wrapping its path and driver error shows its message",
			&events.Error{Code: events.CodeUnavailable, Message: "read model unavailable", Err: fmt.Errorf("open %s: %s", causePath, causeDriver)},
			503, events.CodeUnavailable, "read model unavailable"},
		{"an internal error whose message names a file says internal error",
			&events.Error{Code: events.CodeInternal, Message: "scan " + causePath, Err: errors.New(causeDriver)},
			500, events.CodeInternal, "internal error"},
		{"an error without a code says internal error",
			fmt.Errorf("read %s: %s", causePath, causeDriver),
			500, events.CodeInternal, "internal error"},
		{"an error of an unknown code is internal",
			&events.Error{Code: "teapot", Message: "brewing at " + causePath},
			500, events.CodeInternal, "internal error"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			w := newWorld(t, failingLog{err: tc.err}, Options{})
			rec := w.get("/v1/events")
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			d := errorBody(t, rec)
			id := rec.Header().Get(HeaderRequestID)
			if d.Code != tc.code || d.Message != tc.message || id == "" || d.RequestID != id {
				t.Fatalf("error %+v with header id %q; want code %s, message %q and the header's id", d, id, tc.code, tc.message)
			}
			mustContainNone(t, "the answer", rec.Body.String(), causePath, causeDriver, "sqlite", "constraint", "/var/lib")
			mustContainNone(t, "the headers", fmt.Sprint(rec.Header()), causePath, causeDriver)

			level := map[int]string{409: "WARN", 503: "ERROR", 500: "ERROR"}[tc.status]
			msg := map[int]string{409: "request refused", 503: "request failed", 500: "request failed"}[tc.status]
			lines := w.logs.withID(t, id, msg)
			if len(lines) != 1 || lines[0]["level"] != level || !strings.Contains(lines[0]["err"].(string), tc.err.Error()) {
				t.Fatalf("want one %s line %q with request id %s and the cause; log:\n%s", level, msg, id, w.logs)
			}
			if access := w.logs.withID(t, id, "http request"); len(access) != 1 || access[0]["code"] != string(tc.code) {
				t.Fatalf("want the access log line of %s with code %s; log:\n%s", id, tc.code, w.logs)
			}
		})
	}
}

func TestAClosedStoreIsUnavailableWithoutItsPath(t *testing.T) {
	w := newWorld(t, nil, Options{})
	w.appendMeeting(t, "meeting-1")
	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	rec := w.get("/v1/events")
	d := errorBody(t, rec)
	if rec.Code != 503 || d.Code != events.CodeUnavailable || d.Message != "store unavailable" {
		t.Fatalf("%d %+v", rec.Code, d)
	}
	mustContainNone(t, "the answer", rec.Body.String(), w.dir)
}

func TestRefusalsAreNotLoggedAsFailures(t *testing.T) {
	t.Run("a bad parameter is a 400 whose message the client reads; the log has its code, not its text", func(t *testing.T) {
		w := newWorld(t, nil, Options{})
		rec := w.get("/v1/events?after=Παπαδόπουλος")
		d := errorBody(t, rec)
		if rec.Code != 400 || d.Code != events.CodeInvalid || !strings.Contains(d.Message, "after") {
			t.Fatalf("%d %+v", rec.Code, d)
		}
		id := rec.Header().Get(HeaderRequestID)
		if n := len(w.logs.withID(t, id, "request failed")) + len(w.logs.withID(t, id, "request refused")); n != 0 {
			t.Fatalf("a client's mistake logged as a failure:\n%s", w.logs)
		}
		if access := w.logs.withID(t, id, "http request"); len(access) != 1 || access[0]["code"] != "invalid" || access[0]["status"] != float64(400) {
			t.Fatalf("access log:\n%s", w.logs)
		}
		mustContainNone(t, "the log", w.logs.String(), "Παπαδόπουλος", "after=")
	})
}

func TestAHandlerThatFailsAfterItBeganIsOnlyLogged(t *testing.T) {
	w := newWorld(t, nil, Options{})
	w.srv.handle("GET /v1/half", func(rw http.ResponseWriter, _ *http.Request) error {
		rw.Header().Set("Content-Type", "application/x-ndjson")
		_, _ = rw.Write([]byte("{}\n"))
		return fmt.Errorf("encode: %s", causeDriver)
	})
	rec := w.get("/v1/half")
	if rec.Code != 200 || rec.Body.String() != "{}\n" {
		t.Fatalf("%d %q: the answer already begun must stay as it was", rec.Code, rec.Body)
	}
	id := rec.Header().Get(HeaderRequestID)
	if lines := w.logs.withID(t, id, "answer failed after it began"); len(lines) != 1 || !strings.Contains(lines[0]["err"].(string), causeDriver) {
		t.Fatalf("log:\n%s", w.logs)
	}
}

func TestUnmatchedRoutesAnswerJSON(t *testing.T) {
	w := newWorld(t, nil, Options{})
	for _, c := range []struct {
		name, method, target string
		status               int
		code                 events.Code
		allow                string
	}{
		{"a path no endpoint serves is a 404", http.MethodGet, "/v1/nothing", http.StatusNotFound, events.CodeNotFound, ""},
		{"the root is a 404", http.MethodGet, "/", http.StatusNotFound, events.CodeNotFound, ""},
		{"a method the endpoint does not serve is a 405 naming those it does", http.MethodPost, "/v1/events", http.StatusMethodNotAllowed, events.CodeInvalid, "GET, HEAD"},
		{"a delete of the health probe is a 405", http.MethodDelete, "/healthz", http.StatusMethodNotAllowed, events.CodeInvalid, "GET, HEAD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := w.do(httptest.NewRequest(c.method, c.target, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != c.allow {
				t.Fatalf("Allow %q, want %q", got, c.allow)
			}
			var body ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q is not a JSON error: %v", rec.Body, err)
			}
			if body.Error.Code != c.code || body.Error.Message == "" || body.Error.RequestID != rec.Header().Get(HeaderRequestID) {
				t.Fatalf("error %+v (request id header %q)", body.Error, rec.Header().Get(HeaderRequestID))
			}
		})
	}
}
