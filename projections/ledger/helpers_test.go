package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// testKey is a fixed key for "test.example/pnyx", so checkpoints in
// tests are the same bytes on every run.
func testKey(t testing.TB, origin string) Key {
	t.Helper()
	skey, _, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte(origin), 64)), origin)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const testOrigin = "test.example/pnyx"

// testClock is a clock that moves one second on each reading.
func testClock() func() time.Time {
	t := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// newStore opens an embedded store in a temporary directory, its
// recorded times from a fixed clock.
func newStore(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.db")
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// appendEvents appends n events of an unknown type (the ledger takes
// every event, known or not) over a few streams, with Greek text.
func appendEvents(t testing.TB, st events.Store, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		data, _ := json.Marshal(map[string]any{"n": i, "title": fmt.Sprintf("Προϋπολογισμός %d", i), "amount": map[string]any{"cents": 100 * i, "currency": "EUR"}})
		ev := events.Event{
			ID:         uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "ledger-test-%d", i)),
			Type:       "test.noted",
			Schema:     1,
			OccurredAt: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC),
			Actor:      events.Actor{TokenID: "tok-1", Role: "clerk"},
			Data:       data,
		}
		if _, err := st.Append(ctx, fmt.Sprintf("test-%d", i%3), events.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// openTestLedger opens a ledger over log (a fresh store when nil) in a
// temporary directory.
func openTestLedger(t testing.TB, log Log, opts Options) *Ledger {
	t.Helper()
	if log == nil {
		log, _ = newStore(t)
	}
	if opts.Key.Signer == nil {
		opts.Key = testKey(t, testOrigin)
	}
	if opts.Now == nil {
		opts.Now = testClock()
	}
	l, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"), log, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// running runs l until the test ends.
func running(t testing.TB, l *Ledger) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx, nil) }()
	t.Cleanup(func() { cancel(); <-done })
}

// caughtUp waits until l holds the log's head.
func caughtUp(t testing.TB, l *Ledger, log Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	head, err := log.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.WaitFor(ctx, head); err != nil {
		t.Fatalf("ledger did not reach position %d: %v", head, err)
	}
}
