package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/server"
)

// seed appends n events to the store in dir before the server opens it.
func seed(t *testing.T, dir string, n int) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"), sqlite.Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(fmt.Sprintf(`{"place":"Συνεδρίαση %d"}`, i))}
		if _, err := s.Append(context.Background(), fmt.Sprintf("meeting-%d", i), events.NoStream, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// startServe runs pnyx serve on a free port until the returned stop is
// called; stop returns serve's result, its log in stderr.
func startServe(t *testing.T, dir string, args ...string) (base string, stop func() result) {
	t.Helper()
	cleanEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	done := make(chan result, 1)
	c := &cli{now: fixedClock(), onListen: func(a net.Addr) { addr <- a }}
	go func() {
		done <- pnyx(t, ctx, c, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--log-format", "json"}, args...)...)
	}()
	select {
	case a := <-addr:
		base = "http://" + a.String()
	case r := <-done:
		cancel()
		t.Fatalf("serve ended before listening: %v\n%s", r.err, r.stderr)
	}
	var (
		stopped bool
		last    result
	)
	stop = func() result {
		if !stopped {
			stopped = true
			cancel()
			last = <-done
		}
		return last
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// fetch GETs url and returns the status, headers and body.
func fetch(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// readyAnswer is the body of /readyz, as a client reads it.
type readyAnswer struct {
	Ready  bool `json:"ready"`
	Checks []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
	ReadModel struct {
		State           string  `json:"state"`
		ServingPosition *uint64 `json:"serving_position"`
		Note            string  `json:"note"`
	} `json:"read_model"`
}

func readyz(t *testing.T, base string) (int, readyAnswer) {
	t.Helper()
	code, _, body := fetch(t, base+"/readyz")
	var ans readyAnswer
	if err := json.Unmarshal([]byte(body), &ans); err != nil || (code != 200 && code != 503) {
		t.Fatalf("/readyz answered %d %s", code, body)
	}
	return code, ans
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	base, stop := startServe(t, dir)

	t.Run("healthz says the process is up", func(t *testing.T) {
		if code, _, body := fetch(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("readyz says the store answers and reports the projections and the read model", func(t *testing.T) {
		// The projections may still be catching up here; that readiness
		// follows the runner is tested in the server package.
		_, ans := readyz(t, base)
		names := map[string]bool{}
		for _, c := range ans.Checks {
			names[c.Name] = true
		}
		if len(ans.Checks) != 2 || ans.Checks[0].Name != "store" || !ans.Checks[0].OK || !names["projections"] {
			t.Fatalf("checks %+v", ans.Checks)
		}
		if ans.ReadModel.State == "" || (ans.ReadModel.ServingPosition == nil && ans.ReadModel.Note != "not built yet") {
			t.Fatalf("read model %+v", ans.ReadModel)
		}
	})
	t.Run("the change feed pages through the log", func(t *testing.T) {
		code, h, body := fetch(t, base+"/v1/events?after=1&limit=1")
		if code != 200 || h.Get(exports.HeaderNextAfter) != "2" || h.Get(exports.HeaderHead) != "3" {
			t.Fatalf("%d %v %s", code, h, body)
		}
		evs := readLines(t, body)
		if len(evs) != 1 || evs[0].Position != 2 || !strings.Contains(string(evs[0].Data), "Συνεδρίαση 1") {
			t.Fatalf("page %+v", evs)
		}
	})
	var refusedID string
	t.Run("the change feed answers bad parameters with a JSON 400 carrying the request id", func(t *testing.T) {
		code, h, body := fetch(t, base+"/v1/events?after=minus")
		var eb server.ErrorBody
		if err := json.Unmarshal([]byte(body), &eb); err != nil || code != 400 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("%d %s", code, body)
		}
		refusedID = h.Get(server.HeaderRequestID)
		if eb.Error.Code != events.CodeInvalid || refusedID == "" || eb.Error.RequestID != refusedID {
			t.Fatalf("error %+v, header id %q", eb.Error, refusedID)
		}
	})
	t.Run("an unknown route is a 404", func(t *testing.T) {
		if code, _, _ := fetch(t, base+"/v1/nothing"); code != 404 {
			t.Fatalf("status %d", code)
		}
	})
	t.Run("metrics count requests by route and show the head position", func(t *testing.T) {
		code, _, body := fetch(t, base+"/metrics")
		for _, want := range []string{
			`pnyx_http_requests_total{code="200",route="GET /healthz"} 1`,
			`pnyx_http_requests_total{code="400",route="GET /v1/events"} 1`,
			`pnyx_http_requests_total{code="404",route="unmatched"} 1`,
			`pnyx_http_request_duration_seconds_count{route="GET /v1/events"} 2`,
			"pnyx_store_head_position 3",
			"pnyx_projection_position",
			"go_goroutines",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if code != 200 {
			t.Fatalf("status %d", code)
		}
	})
	t.Run("cancelling the context shuts the server down cleanly", func(t *testing.T) {
		r := stop()
		if r.err != nil {
			t.Fatalf("serve returned %v", r.err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("the server still answers after shutdown")
		}
		if !strings.Contains(r.stderr, `"request_id":"`+refusedID+`"`) || strings.Contains(r.stderr, "minus") {
			t.Fatalf("the access log should hold the refused request's id and not its query:\n%s", r.stderr)
		}
	})
}

func TestServeOnAFreshDataDirectory(t *testing.T) {
	t.Run("a data directory that does not exist yet is created and served, the read model not built yet or empty", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pnyx-data")
		base, stop := startServe(t, dir)
		code, h, body := fetch(t, base+"/v1/events")
		if code != 200 || body != "" || h.Get(exports.HeaderHead) != "0" {
			t.Fatalf("change feed of an empty log: %d %v %q", code, h, body)
		}
		_, ans := readyz(t, base)
		if rm := ans.ReadModel; (rm.ServingPosition == nil && rm.Note != "not built yet") || (rm.ServingPosition != nil && *rm.ServingPosition != 0) {
			t.Fatalf("read model %+v", rm)
		}
		if r := stop(); r.err != nil {
			t.Fatalf("serve returned %v\n%s", r.err, r.stderr)
		}
	})
}

func TestServeRefusesAnAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cleanEnv(t)
	r := pnyx(t, context.Background(), nil, "serve", "--listen", ln.Addr().String(), "--data-dir", t.TempDir())
	if events.ErrorCode(r.err) != events.CodeUnavailable {
		t.Fatalf("serve returned %v, want unavailable", r.err)
	}
}

func TestServeRefusesATypoInDemo(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv("PNYX_DEMO", "ture")
	r := pnyx(t, context.Background(), nil, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	if exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "demo") {
		t.Fatalf("serve returned %v, want an invalid input naming demo", r.err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*")); len(matches) != 0 {
		t.Fatalf("a refused configuration wrote %v", matches)
	}
}
