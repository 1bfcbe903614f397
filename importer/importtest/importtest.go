// Package importtest holds what the importers' tests share: a real
// embedded store in a test's directory, and a fixed clock.
package importtest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// Now is the clock of the importers' tests.
var Now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// Clock returns Now.
func Clock() time.Time { return Now }

// Store opens an embedded store in t's directory, closed at the end of
// the test, holding only its first admin token (Admin).
func Store(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"), sqlite.Options{Now: Clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	Admin(t, st)
	return st
}

// Head returns the store's head position.
func Head(t testing.TB, st events.Store) events.Position {
	t.Helper()
	h, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Stream reads every event of stream, none when it does not exist.
func Stream(t testing.TB, st events.Store, stream string) []events.RecordedEvent {
	t.Helper()
	evs, err := st.ReadStream(context.Background(), stream, events.ReadStreamOptions{Limit: events.MaxReadLimit})
	if err != nil && !errors.Is(err, events.ErrStreamNotFound) {
		t.Fatal(err)
	}
	return evs
}
