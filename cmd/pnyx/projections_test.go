package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestProjectionsCommands(t *testing.T) {
	t.Run("rebuild builds the read model and status reports it caught up", func(t *testing.T) {
		cleanEnv(t)
		dir := t.TempDir()
		seed(t, dir, 3)
		r := pnyx(t, context.Background(), nil, "projections", "rebuild", "--data-dir", dir, "--log-format", "json")
		if r.err != nil {
			t.Fatalf("rebuild: %v\n%s", r.err, r.stderr)
		}
		if !strings.Contains(r.stdout, "readmodel: rebuilt 3 events") {
			t.Errorf("rebuild printed %q", r.stdout)
		}
		if !strings.Contains(r.stderr, `"msg":"rebuild ended"`) {
			t.Errorf("off a terminal, rebuild should log its progress; stderr:\n%s", r.stderr)
		}
		r = pnyx(t, context.Background(), nil, "projections", "status", "--data-dir", dir)
		if r.err != nil {
			t.Fatalf("status: %v\n%s", r.err, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") {
			t.Fatalf("status printed:\n%s", r.stdout)
		}
		fields := strings.Fields(lines[1])
		if fields[0] != "readmodel" || fields[2] != "caught_up" || fields[3] != "3" || fields[4] != "3" || fields[5] != "0" {
			t.Errorf("status line %q, want readmodel caught_up at 3 of 3, lag 0", lines[1])
		}
	})

	t.Run("rebuilding an unknown projection is refused", func(t *testing.T) {
		cleanEnv(t)
		r := pnyx(t, context.Background(), nil, "projections", "rebuild", "nope", "--data-dir", t.TempDir())
		if events.ErrorCode(r.err) != events.CodeNotFound {
			t.Errorf("err = %v, want not_found", r.err)
		}
	})

	t.Run("more than one name is an invalid input", func(t *testing.T) {
		cleanEnv(t)
		r := pnyx(t, context.Background(), nil, "projections", "rebuild", "a", "b", "--data-dir", t.TempDir())
		if exitCode(r.err) != 2 {
			t.Errorf("err = %v, want an invalid input", r.err)
		}
	})
}

func TestServeFollowsAppendsOfAnotherProcess(t *testing.T) {
	t.Run("an append by another process, as pnyx events append makes, reaches the read model of pnyx serve", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		log := slog.New(slog.DiscardHandler)
		c := &cli{now: time.Now, log: log, cfg: config{DataDir: dir, Store: storeSetting{Path: filepath.Join(dir, "events.db")}, PollInterval: 20 * time.Millisecond}}
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

		// A second Store on the same file stands for the other process: its
		// commits do not wake the server's subscribers, only polling finds them.
		other, err := sqlite.Open(ctx, c.storePath(), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{"place":"Έκτακτη συνεδρίαση"}`)}
		res, err := other.Append(ctx, "meeting-2", events.NoStream, ev)
		if err != nil {
			t.Fatal(err)
		}
		wait, stop := context.WithTimeout(ctx, 30*time.Second) // a guard against a hang, not a timing assertion
		defer stop()
		if err := r.WaitFor(wait, res.Position); err != nil {
			t.Fatalf("the read model never reached position %d: %v", res.Position, err)
		}
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("runner ended with %v, want a clean stop", err)
		}
	})
}
