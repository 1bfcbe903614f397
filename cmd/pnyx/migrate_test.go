package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// seedMigration writes a log with what a migration must keep: batches,
// many streams, Greek text, actors, causation and correlation ids, and
// occurred times apart from recorded ones.
func seedMigration(t *testing.T, path string) []events.RecordedEvent {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	athens := time.FixedZone("EET", 2*3600)
	for i := range 30 {
		stream := fmt.Sprintf("xmeeting-%d", i%7)
		n := 1 + i%3
		batch := make([]events.Event, n)
		for j := range batch {
			batch[j] = events.Event{
				ID:            events.NewEventID(),
				Type:          "xmeeting.item_added",
				Schema:        1 + j%2,
				OccurredAt:    time.Date(2026, 2, 1+i%27, 18, 0, j, 123456789, athens),
				Actor:         events.Actor{TokenID: "tok-" + fmt.Sprint(i%4), Role: "γραμματεία"},
				CausationID:   events.NewEventID(),
				CorrelationID: events.NewEventID(),
				Data:          json.RawMessage(fmt.Sprintf(`{"title":"Θέμα %d.%d — Προϋπολογισμός"}`, i, j)),
			}
		}
		if _, err := s.Append(ctx, stream, events.Any, batch...); err != nil {
			t.Fatal(err)
		}
	}
	return readWholeLog(t, s)
}

func readWholeLog(t *testing.T, s events.Store) []events.RecordedEvent {
	t.Helper()
	cur := &logCursor{store: s}
	var all []events.RecordedEvent
	for {
		ev, ok, err := cur.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return all
		}
		all = append(all, ev)
	}
}

func readSQLite(t *testing.T, path string) []events.RecordedEvent {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return readWholeLog(t, s)
}

func TestMigrateRoundTrip(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	srv := kurrentServer(t)
	src := filepath.Join(dir, "source.db")
	back := filepath.Join(dir, "back.db")
	want := seedMigration(t, src)
	ctx := context.Background()

	t.Run("sqlite to kurrentdb copies every event and the hashes agree", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "migrate", "--data-dir", dir, "--from", "sqlite:"+src, "--to", srv.URL())
		if r.err != nil {
			t.Fatalf("migrate: %v\n%s", r.err, r.stderr)
		}
		if srv.Len() != len(want) || !strings.Contains(r.stderr, fmt.Sprintf("migrate: %d events, %d copied now; both logs hash to sha256:", len(want), len(want))) {
			t.Fatalf("%d events on the server, want %d; stderr:\n%s", srv.Len(), len(want), r.stderr)
		}
	})
	t.Run("kurrentdb back to sqlite gives the same log, positions included", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "migrate", "--data-dir", dir, "--from", srv.URL(), "--to", "sqlite:"+back)
		if r.err != nil {
			t.Fatalf("migrate: %v\n%s", r.err, r.stderr)
		}
		got := readSQLite(t, back)
		if !reflect.DeepEqual(got, want) {
			if len(got) != len(want) {
				t.Fatalf("%d events back, want %d", len(got), len(want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("event %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		}
	})
	t.Run("running it again copies nothing and still checks", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "migrate", "--data-dir", dir, "--from", "sqlite:"+src, "--to", srv.URL())
		if r.err != nil || !strings.Contains(r.stderr, ", 0 copied now;") {
			t.Fatalf("migrate: %v\n%s", r.err, r.stderr)
		}
	})
}

func TestMigrateResumes(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "source.db"), filepath.Join(dir, "target.db")
	want := seedMigration(t, src)

	ctx, cancel := context.WithCancel(context.Background())
	c := &cli{now: fixedClock(), onMigrated: func(n int64) {
		if n >= 10 {
			cancel()
		}
	}}
	r := pnyx(t, ctx, c, "migrate", "--data-dir", dir, "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if r.err == nil {
		t.Fatal("the interrupted migration succeeded")
	}
	partial := len(readSQLite(t, dst))
	if partial == 0 || partial >= len(want) {
		t.Fatalf("the interrupted migration copied %d of %d events", partial, len(want))
	}

	t.Run("an interrupted migration resumes where the target stopped", func(t *testing.T) {
		r := pnyx(t, context.Background(), nil, "migrate", "--data-dir", dir, "--from", "sqlite:"+src, "--to", "sqlite:"+dst)
		if r.err != nil {
			t.Fatalf("migrate: %v\n%s", r.err, r.stderr)
		}
		if !strings.Contains(r.stderr, fmt.Sprintf("%d copied now", len(want)-partial)) {
			t.Errorf("stderr %s; want %d copied", r.stderr, len(want)-partial)
		}
		if got := readSQLite(t, dst); !reflect.DeepEqual(got, want) {
			t.Errorf("the resumed copy differs from the source (%d events, want %d)", len(got), len(want))
		}
	})
}

func TestMigrateRefuses(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "source.db")
	seedMigration(t, src)
	other := filepath.Join(dir, "other.db")
	s, err := sqlite.Open(context.Background(), other, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(context.Background(), "xvote-1", events.NoStream, events.Event{Type: "xvote.opened", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cases := []struct {
		name string
		args []string
		code events.Code
	}{
		{"a target holding other events is refused", []string{"--from", "sqlite:" + src, "--to", "sqlite:" + other}, events.CodeConflict},
		{"a source shorter than the target is refused", []string{"--from", "sqlite:" + other, "--to", "sqlite:" + src}, events.CodeConflict},
		{"the same store on both sides is refused", []string{"--from", "sqlite:" + src, "--to", "sqlite:" + src}, events.CodeInvalid},
		{"a missing --to is refused", []string{"--from", "sqlite:" + src}, events.CodeInvalid},
		{"a bad store is refused", []string{"--from", "sqlite:" + src, "--to", "ftp://x"}, events.CodeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(readSQLite(t, other))
			r := pnyx(t, context.Background(), nil, append([]string{"migrate", "--data-dir", dir}, tc.args...)...)
			if events.ErrorCode(r.err) != tc.code {
				t.Fatalf("migrate: %v; want code %s", r.err, tc.code)
			}
			if after := len(readSQLite(t, other)); after != before {
				t.Errorf("the refused migration wrote %d events", after-before)
			}
		})
	}
}

func TestCanonicalFormCoversEveryFieldButPosition(t *testing.T) {
	base := events.RecordedEvent{
		ID: events.NewEventID(), Stream: "xvote-1", Version: 2, Position: 9, Type: "xvote.closed", Schema: 1,
		OccurredAt: time.Unix(100, 0).UTC(), RecordedAt: time.Unix(200, 0).UTC(),
		Actor: events.Actor{TokenID: "t", Role: "r"}, CausationID: events.NewEventID(), CorrelationID: events.NewEventID(),
		Data: json.RawMessage(`{"a":1}`),
	}
	changes := []struct {
		name   string
		change func(*events.RecordedEvent)
		same   bool
	}{
		{"the position does not count", func(e *events.RecordedEvent) { e.Position = 12345 }, true},
		{"the id counts", func(e *events.RecordedEvent) { e.ID = events.NewEventID() }, false},
		{"the stream counts", func(e *events.RecordedEvent) { e.Stream = "xvote-2" }, false},
		{"the version counts", func(e *events.RecordedEvent) { e.Version = 3 }, false},
		{"the type counts", func(e *events.RecordedEvent) { e.Type = "xvote.opened" }, false},
		{"the schema counts", func(e *events.RecordedEvent) { e.Schema = 2 }, false},
		{"the occurred time counts", func(e *events.RecordedEvent) { e.OccurredAt = e.OccurredAt.Add(time.Nanosecond) }, false},
		{"the recorded time counts", func(e *events.RecordedEvent) { e.RecordedAt = e.RecordedAt.Add(time.Nanosecond) }, false},
		{"the actor counts", func(e *events.RecordedEvent) { e.Actor.Role = "x" }, false},
		{"the causation counts", func(e *events.RecordedEvent) { e.CausationID = events.NewEventID() }, false},
		{"the correlation counts", func(e *events.RecordedEvent) { e.CorrelationID = events.NewEventID() }, false},
		{"the data's bytes count", func(e *events.RecordedEvent) { e.Data = json.RawMessage(`{"a": 1}`) }, false},
		{"moving bytes between fields counts", func(e *events.RecordedEvent) { e.Actor = events.Actor{TokenID: "tr"} }, false},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			ev := base
			tc.change(&ev)
			if same := string(canonical(ev)) == string(canonical(base)); same != tc.same {
				t.Errorf("same form: %v, want %v", same, tc.same)
			}
		})
	}
}
