package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/internal/poison"
	"github.com/pnyx-civic/pnyx/projections"
)

// TestPoisonedLogRecovers shows the way back of issue 9, Deliver 6: an
// event no code decodes, written into the log file below the store's
// checks, stops the read model; an administrator's pnyx projections skip
// lets the running projections resume past it, and a rebuild passes over
// it too.
func TestPoisonedLogRecovers(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(dir, "events.db")
	seed(t, dir, 2)
	admin := adminToken(t, dir)
	// decision.adopted at schema 1 with a numeric number: no upcaster reads it.
	id, bad, err := poison.Write(ctx, path, "decision-old-1", "decision.adopted", 1, `{"number":12,"title":"Παλιά εισαγωγή"}`)
	if err != nil {
		t.Fatal(err)
	}
	after := appendMeetings(t, path, "meeting-after")

	log := slog.New(slog.DiscardHandler)
	c := &cli{now: time.Now, log: log, cfg: config{DataDir: dir, Store: storeSetting{Path: path}, PollInterval: 20 * time.Millisecond}}
	file, err := c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, db, err := openRunner(ctx, c.cfg, file, nil, projections.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer r.Close()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	t.Run("the poisoned event stops the read model", func(t *testing.T) {
		if err := r.WaitFor(ctx, after); events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("WaitFor = %v, want unavailable", err)
		}
		st := r.Status()[0]
		if st.State != projections.StateFailed || st.Position != bad-1 || !strings.Contains(st.LastError, fmt.Sprintf("event %d", bad)) {
			t.Fatalf("status %+v, want failed at event %d", st, bad)
		}
	})

	const reason = "εισήχθη από παλιό εργαλείο με αριθμό χωρίς έτος"
	var out skipOutput
	t.Run("pnyx projections skip records who, when and why as an event of the log", func(t *testing.T) {
		res := pnyx(t, ctx, &cli{now: fixedClock()}, "projections", "skip", fmt.Sprint(bad), "--reason", reason,
			"--token", admin, "--data-dir", dir)
		if res.err != nil {
			t.Fatalf("skip: %v\n%s", res.err, res.stderr)
		}
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
			t.Fatalf("skip printed %q: %v", res.stdout, err)
		}
		if out.Skipped != bad || out.EventID != id || out.Decodes || out.Replayed || out.Position <= after {
			t.Fatalf("skip printed %+v", out)
		}
		evs := readLines(t, pnyx(t, ctx, nil, "events", "read", "--all", "--from", fmt.Sprint(out.Position), "--data-dir", dir).stdout)
		if len(evs) != 1 || evs[0].Type != "skip.recorded" || evs[0].Actor != (events.Actor{TokenID: tokenIDOf(admin), Role: "admin"}) ||
			!strings.Contains(string(evs[0].Data), reason) || evs[0].OccurredAt.IsZero() {
			t.Fatalf("the log holds %+v", evs)
		}
	})

	t.Run("recording it again writes nothing", func(t *testing.T) {
		res := pnyx(t, ctx, &cli{now: fixedClock()}, "projections", "skip", fmt.Sprint(bad), "--reason", reason,
			"--token", admin, "--data-dir", dir)
		var again skipOutput
		if res.err != nil || json.Unmarshal([]byte(res.stdout), &again) != nil || !again.Replayed || again.Position != out.Position {
			t.Fatalf("skip again: %v %s", res.err, res.stdout)
		}
	})

	t.Run("the running read model resumes past the event", func(t *testing.T) {
		guard, stop := context.WithTimeout(ctx, time.Minute) // a guard against a hang, not a timing assertion
		defer stop()
		for {
			changed := r.Changed()
			err := r.WaitFor(guard, out.Position)
			if err == nil {
				break
			}
			select {
			case <-changed:
			case <-guard.Done():
				t.Fatalf("the read model never resumed: %v", err)
			}
		}
		st := r.Status()[0]
		if st.State != projections.StateCaughtUp || len(st.PassedOver) != 1 || st.PassedOver[0].Position != bad {
			t.Fatalf("status %+v", st)
		}
	})
	cancel()
	<-done

	status := func(t *testing.T) {
		res := pnyx(t, context.Background(), nil, "projections", "status", "--data-dir", dir)
		lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
		if res.err != nil || len(lines) != 3 || !strings.Contains(lines[0], "PASSED OVER") {
			t.Fatalf("status: %v\n%s", res.err, res.stdout)
		}
		if f := strings.Fields(lines[1]); f[2] != "caught_up" || f[len(f)-1] != fmt.Sprint(bad) {
			t.Errorf("status line %q, want caught_up, passed over %d", lines[1], bad)
		}
		if want := fmt.Sprintf("readmodel passed over event %d (decision.adopted, %s): skip at %d: %s", bad, id, out.Position, reason); lines[2] != want {
			t.Errorf("status reason line %q, want %q", lines[2], want)
		}
	}
	t.Run("pnyx projections status shows the position passed over and the skip's reason", status)

	t.Run("a rebuild passes over the event too", func(t *testing.T) {
		res := pnyx(t, context.Background(), nil, "projections", "rebuild", "--data-dir", dir, "--log-format", "json")
		if res.err != nil {
			t.Fatalf("rebuild: %v\n%s", res.err, res.stderr)
		}
		status(t)
	})

	t.Run("a skip of a position with no event is not found", func(t *testing.T) {
		res := pnyx(t, context.Background(), nil, "projections", "skip", "999", "--reason", "x", "--data-dir", dir)
		if events.ErrorCode(res.err) != events.CodeNotFound {
			t.Fatalf("skip: %v, want not_found", res.err)
		}
	})
	t.Run("a skip without a reason is refused", func(t *testing.T) {
		res := pnyx(t, context.Background(), nil, "projections", "skip", fmt.Sprint(bad), "--data-dir", dir)
		if exitCode(res.err) != 2 {
			t.Fatalf("skip: %v, want an invalid input", res.err)
		}
	})
}

// appendMeetings appends a meeting.scheduled to each stream of the store
// file at path and returns the last position.
func appendMeetings(t *testing.T, path string, streams ...string) events.Position {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var last events.Position
	for _, stream := range streams {
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{"place":"Δημαρχείο"}`)}
		res, err := s.Append(context.Background(), stream, events.NoStream, ev)
		if err != nil {
			t.Fatal(err)
		}
		last = res.Position
	}
	return last
}
