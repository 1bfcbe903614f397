package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// TestEventsAppendKeepsOutOfTheRecord reproduces the raw appends of issue 9,
// case 11: each is refused as forbidden and writes nothing.
func TestEventsAppendKeepsOutOfTheRecord(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	// A log with a counter already started (as the command service starts
	// one with a decision's number) and one note of another tool.
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	counter, err := events.Encode(events.CounterAdvanced{Number: 1, For: "decision-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, "decisionnumber-ds-2026", events.NoStream, counter); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, "import-1", events.NoStream, events.Event{Type: "import.noted", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	head := func() events.Position {
		t.Helper()
		r := pnyx(t, ctx, nil, "events", "stats", "--data-dir", dir)
		var st storeStats
		if err := json.Unmarshal([]byte(r.stdout), &st); r.err != nil || err != nil {
			t.Fatalf("stats: %v %v", r.err, err)
		}
		return st.Head
	}
	before := head()

	for _, tc := range []struct {
		rule string
		args []string
	}{
		{"a made-up decision with no vote is refused",
			[]string{"--stream", "decision-fake-1", "--type", "decision.adopted", "--schema", "2",
				"--data", `{"decision_id":"fake-1","body_id":"ds","number":999,"year":2026,"title":"Ψεύτικη","text":"x","legal_basis":"x","documents":[]}`}},
		{"an admin role granted by nobody is refused",
			[]string{"--stream", "access-intruder", "--type", "access.granted",
				"--data", `{"token_id":"intruder","role":"admin","scope":"*","granted_by":""}`}},
		{"a catalog event that does not decode is refused",
			[]string{"--stream", "decision-2", "--type", "decision.adopted", "--schema", "1", "--data", `{"number":12}`}},
		{"a catalog event outside its aggregate's streams is refused",
			[]string{"--stream", "import-2", "--type", "decision.adopted", "--data", `{}`}},
		{"an event outside the catalog in an aggregate's stream is refused",
			[]string{"--stream", "meeting-1", "--type", "import.noted", "--data", `{}`}},
		{"an event in a stream that holds the catalog's events is refused",
			[]string{"--stream", "decisionnumber-ds-2026", "--type", "import.noted", "--data", `{}`}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := pnyx(t, ctx, nil, append([]string{"events", "append", "--data-dir", dir}, tc.args...)...)
			if events.ErrorCode(r.err) != events.CodeForbidden || !errors.Is(r.err, events.ErrRecordedByCommands) {
				t.Fatalf("append: %v; want forbidden, ErrRecordedByCommands", r.err)
			}
			if exitCode(r.err) != 1 || r.stdout != "" {
				t.Errorf("exit code %d, stdout %q", exitCode(r.err), r.stdout)
			}
			if got := head(); got != before {
				t.Errorf("head moved from %d to %d: something was written", before, got)
			}
		})
	}
	t.Run("an event outside the catalog in a stream of no aggregate is appended", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "events", "append", "--data-dir", dir, "--stream", "import-1", "--type", "import.noted", "--data", `{"n":2}`)
		if r.err != nil || head() != before+1 {
			t.Fatalf("append: %v, head %d", r.err, head())
		}
	})
}
