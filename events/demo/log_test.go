package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

func note(n int) events.Event {
	return events.Event{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "note-%d", n)), Type: "import.noted",
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestOrderedLogWritesInTheOrderTaken takes appends of several streams, a
// stream more than once, more than a write call holds and a multi-stream
// append, and finds every event at the position of the order it was taken
// in.
func TestOrderedLogWritesInTheOrderTaken(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	l := newOrderedLog(ctx, st)
	var want []string // stream of each event, in the order taken
	n := 0
	take := func(parts ...events.StreamAppend) {
		t.Helper()
		if _, err := l.AppendStreams(ctx, parts...); err != nil {
			t.Fatalf("take %d: %v", n, err)
		}
		for _, p := range parts {
			for range p.Events {
				want = append(want, p.Stream)
			}
		}
	}
	versions := map[string]int64{}
	part := func(stream string, k int) events.StreamAppend {
		p := events.StreamAppend{Stream: stream, Expected: events.Exact(versions[stream] - 1)}
		for range k {
			n++
			p.Events = append(p.Events, note(n))
		}
		versions[stream] += int64(k)
		return p
	}
	for i := range 3 * writeEvents / 2 {
		take(part(fmt.Sprintf("import-%d", i%7), 1+i%2))
		if i%100 == 0 {
			take(part("import-a", 1), part("import-b", 2), events.StreamAppend{Stream: "import-0", Expected: events.Exact(versions["import-0"] - 1)})
		}
	}
	if v, err := l.StreamVersion(ctx, "import-a"); err != nil || v != versions["import-a"]-1 {
		t.Fatalf("StreamVersion(import-a) = %d, %v; want %d", v, err, versions["import-a"]-1)
	}
	got, err := l.ReadStream(ctx, "import-3", events.ReadStreamOptions{From: 0, Limit: events.MaxReadLimit})
	if err != nil || int64(len(got)) != versions["import-3"] {
		t.Fatalf("ReadStream(import-3) = %d events, %v; want every one taken, %d", len(got), err, versions["import-3"])
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	var log []events.RecordedEvent
	for after := events.Position(0); ; {
		page, err := st.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		log = append(log, page...)
		after = page[len(page)-1].Position
	}
	if len(log) != len(want) {
		t.Fatalf("%d events written, %d taken", len(log), len(want))
	}
	for i, re := range log {
		if re.Stream != want[i] || re.ID != note(i+1).ID {
			t.Fatalf("position %d holds %s %s, want %s %s", re.Position, re.Stream, re.ID, want[i], note(i+1).ID)
		}
	}
}

func TestOrderedLogRefusesAFailingConditionTakingNothing(t *testing.T) {
	ctx := context.Background()
	l := newOrderedLog(ctx, openStore(t))
	if _, err := l.Append(ctx, "import-1", events.NoStream, note(1)); err != nil {
		t.Fatal(err)
	}
	_, err := l.AppendStreams(ctx, events.StreamAppend{Stream: "import-2", Expected: events.NoStream, Events: []events.Event{note(2)}},
		events.StreamAppend{Stream: "import-1", Expected: events.NoStream})
	var wrong *events.WrongExpectedVersionError
	if !errors.As(err, &wrong) || wrong.Stream != "import-1" || wrong.Actual != 0 {
		t.Fatalf("append on a stale fact = %v, want a wrong expected version of import-1 at 0", err)
	}
	if _, err := l.StreamVersion(ctx, "import-2"); !errors.Is(err, events.ErrStreamNotFound) {
		t.Fatalf("the refused append's stream: %v, want not found", err)
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
}

// TestOrderedLogStopsAtTheFirstRefusedWrite takes an append the store
// refuses (an event whose id another stream holds) and finds its error in
// every later append and in close.
func TestOrderedLogStopsAtTheFirstRefusedWrite(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := st.Append(ctx, "import-0", events.NoStream, note(1)); err != nil {
		t.Fatal(err)
	}
	l := newOrderedLog(ctx, st)
	if _, err := l.Append(ctx, "import-1", events.NoStream, note(1)); err != nil {
		t.Fatal(err)
	}
	if err := l.close(); !errors.Is(err, events.ErrDuplicateEventID) {
		t.Fatalf("close = %v, want the store's refusal", err)
	}
	if _, err := l.Append(ctx, "import-2", events.NoStream, note(2)); !errors.Is(err, events.ErrDuplicateEventID) {
		t.Fatalf("a later append = %v, want the store's refusal", err)
	}
}
