package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestHealthz(t *testing.T) {
	w := newWorld(t, nil, Options{})
	if rec := w.get("/healthz"); rec.Code != 200 || rec.Body.String() != "{\"status\":\"ok\"}\n" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// readyAnswerOf decodes /readyz.
func readyAnswerOf(t *testing.T, w *world) (int, readyAnswer) {
	t.Helper()
	rec := w.get("/readyz")
	var ans readyAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatalf("/readyz %d %s: %v", rec.Code, rec.Body, err)
	}
	return rec.Code, ans
}

func TestReadyzFollowsTheRunner(t *testing.T) {
	w := newWorld(t, nil, Options{})

	t.Run("before the runner starts, on a fresh data directory: 503, the read model not built yet", func(t *testing.T) {
		code, ans := readyAnswerOf(t, w)
		want := readyAnswer{Ready: false,
			Checks:    []checkStatus{{Name: "store", OK: true}, {Name: "projections", OK: false, Error: "projections are not running"}},
			ReadModel: readModelStatus{State: projections.StateStarting, Note: "not built yet"}}
		if code != 503 || fmt.Sprint(ans) != fmt.Sprint(want) {
			t.Fatalf("%d %+v, want 503 %+v", code, ans, want)
		}
	})
	t.Run("once the read model has applied an event: 200, with its serving position", func(t *testing.T) {
		w.run(t)
		pos := w.appendMeeting(t, "meeting-1")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a guard against a hang
		defer cancel()
		if err := w.runner.WaitFor(ctx, pos); err != nil {
			t.Fatal(err)
		}
		code, ans := readyAnswerOf(t, w)
		if code != 200 || !ans.Ready || ans.ReadModel.ServingPosition == nil || *ans.ReadModel.ServingPosition != pos || ans.ReadModel.Note != "" {
			t.Fatalf("%d %+v (serving %v), want ready at %d", code, ans, ans.ReadModel.ServingPosition, pos)
		}
	})
}

func TestReadinessChecks(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	w := newWorld(t, nil, Options{})
	t.Run("a failing check shows its domain message, never its cause", func(t *testing.T) {
		r := newReadiness(time.Second, quiet, w.runner)
		r.add("store", func(context.Context) error { return nil })
		r.add("vault", func(context.Context) error { return errors.New("open /srv/vault.db: permission denied") })
		r.add("read model", func(context.Context) error {
			return &events.Error{Code: events.CodeUnavailable, Message: "projection readmodel failed", Err: errors.New("apply 12: " + causeDriver)}
		})
		ans := r.run(context.Background())
		want := []checkStatus{{Name: "store", OK: true}, {Name: "vault", OK: false, Error: "internal error"},
			{Name: "read model", OK: false, Error: "projection readmodel failed"}}
		if ans.Ready || fmt.Sprint(ans.Checks) != fmt.Sprint(want) {
			t.Fatalf("got %+v, want %+v", ans.Checks, want)
		}
	})
	t.Run("a check that does not answer in time fails with its context", func(t *testing.T) {
		r := newReadiness(time.Millisecond, quiet, w.runner)
		r.add("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if ans := r.run(context.Background()); ans.Ready {
			t.Fatalf("ready with a check that never answered: %+v", ans)
		}
	})
	t.Run("with no checks the server is ready", func(t *testing.T) {
		if ans := newReadiness(time.Second, quiet, w.runner).run(context.Background()); !ans.Ready {
			t.Fatalf("%+v", ans)
		}
	})
}
