package httperror_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/httperror"
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
		{"an error without a code is 500", errors.New("boom"), http.StatusInternalServerError},
		{"an unknown code is 500", events.Errorf("teapot", "?"), http.StatusInternalServerError},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := httperror.Status(tc.err); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Run("a domain error reaches the client with its code and message", func(t *testing.T) {
		rec := httptest.NewRecorder()
		httperror.Write(rec, httptest.NewRequest("GET", "/", nil), nil, events.Invalidf("after %q: want a position", "x"))
		var body httperror.Body
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if rec.Code != 400 || body.Error.Code != events.CodeInvalid || body.Error.Message != `after "x": want a position` {
			t.Fatalf("got %d %+v", rec.Code, body)
		}
	})
	t.Run("an internal error's detail stays out of the answer", func(t *testing.T) {
		for _, err := range []error{
			errors.New("open /var/lib/pnyx/events.db: permission denied"),
			&events.Error{Code: events.CodeInternal, Message: "scan", Err: errors.New("/var/lib/pnyx")},
		} {
			rec := httptest.NewRecorder()
			httperror.Write(rec, httptest.NewRequest("GET", "/", nil), nil, err)
			if rec.Code != 500 || strings.Contains(rec.Body.String(), "/var/lib") || !strings.Contains(rec.Body.String(), `"internal error"`) {
				t.Fatalf("answer %d %s", rec.Code, rec.Body)
			}
		}
	})
}
