package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func TestStoredTime(t *testing.T) {
	athens := time.FixedZone("EET", 2*3600)
	cases := []struct {
		name string
		in   time.Time
		want string
	}{
		{"a time with nanoseconds keeps all nine digits", time.Date(2026, 3, 3, 10, 0, 0, 123456789, time.UTC), "2026-03-03T10:00:00.123456789Z"},
		{"a whole second still has nine digits, so text order is time order", time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), "2026-03-03T10:00:00.000000000Z"},
		{"a time in another zone is stored in UTC", time.Date(2026, 3, 3, 0, 30, 0, 1, athens), "2026-03-02T22:30:00.000000001Z"},
		{"year 1 is within range", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00.000000000Z"},
		{"year 9999 is within range", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := formatTime(tc.in)
			if got != tc.want {
				t.Fatalf("formatted %q, want %q", got, tc.want)
			}
			back, err := parseTime([]byte(got))
			if err != nil || back != tc.in.UTC() {
				t.Errorf("parsed back %v, %v; want %v", back, err, tc.in.UTC())
			}
		})
	}

	t.Run("other RFC 3339 shapes are still read", func(t *testing.T) {
		got, err := parseTime([]byte("2026-03-03T12:00:00.5+02:00"))
		if want := time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC); err != nil || !got.Equal(want) {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
	})
	for _, bad := range []string{"", "yesterday", "2026-04-31T00:00:00.000000000Z", "2026-13-01T00:00:00.000000000Z", "2026-01-01T24:00:00.000000000Z", "2026-01-0aT00:00:00.000000000Z"} {
		t.Run("a malformed time is an error: "+bad, func(t *testing.T) {
			if got, err := parseTime([]byte(bad)); err == nil {
				t.Errorf("parsed %q as %v", bad, got)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-03T10:00:00.123456789Z", "2024-02-29T00:00:00.000000000Z", "2026-04-31T00:00:00.000000000Z", "2026-03-03T10:00:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime([]byte(s))
		if err != nil {
			return
		}
		if std, stdErr := time.Parse(time.RFC3339Nano, s); stdErr != nil || !std.Equal(got) {
			t.Fatalf("%q: parsed %v, time.Parse says %v, %v", s, got, std, stdErr)
		}
		if len(s) == len(timeLayout) && s[19] == '.' && s[len(s)-1] == 'Z' && formatTime(got) != s {
			t.Fatalf("%q: formats back as %q", s, formatTime(got))
		}
	})
}

// schemaV1 is the schema of version 1 files, which kept each stream's
// version in a table of its own.
const schemaV1 = `
CREATE TABLE events (
	position INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, stream TEXT NOT NULL, version INTEGER NOT NULL,
	type TEXT NOT NULL, schema INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
	actor_token TEXT NOT NULL DEFAULT '', actor_role TEXT NOT NULL DEFAULT '', causation_id BLOB, correlation_id BLOB,
	data TEXT NOT NULL, UNIQUE (stream, version));
CREATE TABLE streams (stream TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 1;`

func TestSchemaUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, schemaV1); err != nil {
		t.Fatal(err)
	}
	now := formatTime(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	for v := range 3 {
		id := events.NewEventID()
		if _, err := db.ExecContext(ctx, `INSERT INTO events (id, stream, version, type, schema, occurred_at, recorded_at, data)
			VALUES (?, 'xdecision-1', ?, 'xdecision.adopted', 1, ?, ?, '{}')`, id[:], v, now, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO streams VALUES ('xdecision-1', 2)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("a version 1 file opens: %v", err)
	}
	defer s.Close()
	t.Run("a version 1 file keeps its streams' versions", func(t *testing.T) {
		if v, err := s.StreamVersion(ctx, "xdecision-1"); err != nil || v != 2 {
			t.Fatalf("version %d, %v; want 2", v, err)
		}
		res, err := s.Append(ctx, "xdecision-1", events.Exact(2), events.Event{Type: "xdecision.published", Data: json.RawMessage(`{}`)})
		if err != nil || res != (events.AppendResult{NextVersion: 3, Position: 4}) {
			t.Fatalf("append: %+v, %v", res, err)
		}
	})
	t.Run("the upgraded file has no streams table and says version 2", func(t *testing.T) {
		var tables, version int
		if err := s.readDB.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'streams'").Scan(&tables); err != nil || tables != 0 {
			t.Errorf("%d streams tables, %v", tables, err)
		}
		if err := s.readDB.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != schemaVersion {
			t.Errorf("user_version %d, %v; want %d", version, err, schemaVersion)
		}
	})
}

func TestVersionCache(t *testing.T) {
	t.Run("a stream put is found until two generations have passed without it", func(t *testing.T) {
		c := newVersionCache(4) // two entries per generation
		c.put("a", 1)
		c.put("b", 2)
		c.put("c", 3) // a and b become the old generation
		if v, ok := c.get("a"); !ok || v != 1 {
			t.Fatalf("a: %d, %v", v, ok)
		}
		c.put("d", 4)
		c.put("e", 5)
		if _, ok := c.get("b"); ok {
			t.Error("b was kept past two generations")
		}
		for s, want := range map[string]int64{"d": 4, "e": 5} {
			if v, ok := c.get(s); !ok || v != want {
				t.Errorf("%s: %d, %v", s, v, ok)
			}
		}
		if n := len(c.young) + len(c.old); n > 4 {
			t.Errorf("%d entries held, want at most 4", n)
		}
	})
	t.Run("reset forgets every stream", func(t *testing.T) {
		c := newVersionCache(4)
		c.put("a", 1)
		c.reset()
		if _, ok := c.get("a"); ok {
			t.Error("a survived reset")
		}
	})
}
