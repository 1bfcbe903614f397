package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/changefeed"
	"github.com/pnyx-civic/pnyx/events/sqlite"
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
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(fmt.Sprintf(`{"title":"Συνεδρίαση %d"}`, i))}
		if _, err := s.Append(context.Background(), fmt.Sprintf("meeting-%d", i), events.NoStream, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// startServe runs pnyx serve on a free port until the returned stop is
// called; stop returns serve's error.
func startServe(t *testing.T, dir string, args ...string) (base string, stop func() error) {
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
	var stopped bool
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return (<-done).err
	}
	t.Cleanup(func() { _ = stop() })
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

func TestServe(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	base, stop := startServe(t, dir)

	t.Run("healthz says the process is up", func(t *testing.T) {
		if code, _, body := fetch(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("readyz says the store answers", func(t *testing.T) {
		code, _, body := fetch(t, base+"/readyz")
		var ans readyAnswer
		if err := json.Unmarshal([]byte(body), &ans); err != nil || (code != 200 && code != 503) {
			t.Fatalf("%d %s", code, body)
		}
		// The projections check may still be catching up here; that it
		// turns ready is tested in projections_test.go.
		names := map[string]bool{}
		for _, c := range ans.Checks {
			names[c.Name] = true
		}
		if len(ans.Checks) < 2 || ans.Checks[0] != (checkStatus{Name: "store", OK: true}) || !names["projections"] {
			t.Fatalf("checks %+v", ans.Checks)
		}
	})
	t.Run("the change feed pages through the log", func(t *testing.T) {
		code, h, body := fetch(t, base+"/v1/events?after=1&limit=1")
		if code != 200 || h.Get(changefeed.HeaderNextAfter) != "2" || h.Get(changefeed.HeaderHead) != "3" {
			t.Fatalf("%d %v %s", code, h, body)
		}
		evs := readLines(t, body)
		if len(evs) != 1 || evs[0].Position != 2 || !strings.Contains(string(evs[0].Data), "Συνεδρίαση 1") {
			t.Fatalf("page %+v", evs)
		}
	})
	t.Run("the change feed answers bad parameters with a JSON 400", func(t *testing.T) {
		code, h, body := fetch(t, base+"/v1/events?after=minus")
		if code != 400 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !strings.Contains(body, `"invalid"`) {
			t.Fatalf("%d %s", code, body)
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
		if err := stop(); err != nil {
			t.Fatalf("serve returned %v", err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("the server still answers after shutdown")
		}
	})
}

func TestServeHooks(t *testing.T) {
	saved := serveHooks
	t.Cleanup(func() { serveHooks = saved })

	t.Run("a hook mounts routes, adds readiness checks and runs components until shutdown", func(t *testing.T) {
		stopped := make(chan struct{})
		serveHooks = []func(context.Context, *server) error{func(_ context.Context, s *server) error {
			s.Handle("GET /v1/hello", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "γεια") }))
			s.Ready("projections", func(context.Context) error {
				return events.Errorf(events.CodeUnavailable, "projections are catching up")
			})
			s.Run("runner", func(ctx context.Context) error {
				<-ctx.Done()
				close(stopped)
				return ctx.Err()
			})
			return nil
		}}
		base, stop := startServe(t, t.TempDir())
		if code, _, body := fetch(t, base+"/v1/hello"); code != 200 || body != "γεια" {
			t.Fatalf("%d %q", code, body)
		}
		code, _, body := fetch(t, base+"/readyz")
		if code != 503 || !strings.Contains(body, `{"name":"projections","ok":false,"error":"projections are catching up"}`) {
			t.Fatalf("%d %s", code, body)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		<-stopped
	})

	t.Run("a failing component stops the server with its error", func(t *testing.T) {
		boom := errors.New("boom")
		serveHooks = []func(context.Context, *server) error{func(_ context.Context, s *server) error {
			s.Run("broken", func(context.Context) error { return boom })
			return nil
		}}
		cleanEnv(t)
		r := pnyx(t, context.Background(), &cli{now: fixedClock()}, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
		if !errors.Is(r.err, boom) || !strings.Contains(r.err.Error(), "broken") {
			t.Fatalf("serve returned %v", r.err)
		}
	})

	t.Run("appends through the server's store are counted", func(t *testing.T) {
		serveHooks = []func(context.Context, *server) error{func(ctx context.Context, s *server) error {
			ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{}`)}
			if _, err := s.store.Append(ctx, "meeting-1", events.NoStream, ev, ev); err != nil {
				return err
			}
			if _, err := s.store.Append(ctx, "meeting-1", events.NoStream, ev); !errors.Is(err, events.ErrWrongExpectedVersion) {
				return fmt.Errorf("second append: %v, want a conflict", err)
			}
			return nil
		}}
		base, _ := startServe(t, t.TempDir())
		_, _, body := fetch(t, base+"/metrics")
		for _, want := range []string{
			`pnyx_store_appends_total{result="ok"} 1`,
			`pnyx_store_appends_total{result="conflict"} 1`,
			"pnyx_store_appended_events_total 2",
			"pnyx_store_head_position 2",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
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

func TestReadiness(t *testing.T) {
	t.Run("an internal failure is reported as internal error, its detail only logged", func(t *testing.T) {
		r := newReadiness(time.Second, slog.New(slog.DiscardHandler))
		r.Add("store", func(context.Context) error { return nil })
		r.Add("vault", func(context.Context) error { return errors.New("open /srv/vault.db: permission denied") })
		ans := r.run(context.Background())
		want := readyAnswer{Ready: false, Checks: []checkStatus{{Name: "store", OK: true}, {Name: "vault", OK: false, Error: "internal error"}}}
		if fmt.Sprint(ans) != fmt.Sprint(want) {
			t.Fatalf("got %+v, want %+v", ans, want)
		}
	})
	t.Run("a check that does not answer in time fails with its context", func(t *testing.T) {
		r := newReadiness(time.Millisecond, slog.New(slog.DiscardHandler))
		r.Add("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if ans := r.run(context.Background()); ans.Ready {
			t.Fatalf("ready with a check that never answered: %+v", ans)
		}
	})
	t.Run("with no checks the server is ready", func(t *testing.T) {
		if ans := newReadiness(time.Second, slog.New(slog.DiscardHandler)).run(context.Background()); !ans.Ready {
			t.Fatalf("%+v", ans)
		}
	})
}
