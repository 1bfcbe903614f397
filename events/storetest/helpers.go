package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// event returns a valid event of type typ whose data names n.
func event(typ string, n int) events.Event {
	return events.Event{Type: typ, Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

func mustAppend(t *testing.T, s events.Store, stream string, expected events.Expected, evs ...events.Event) events.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), stream, expected, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

func mustHead(t *testing.T, s events.Store) events.Position {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return h
}

// readAllAfter reads every event after pos, page by page.
func readAllAfter(t *testing.T, s events.Store, opts events.ReadAllOptions) []events.RecordedEvent {
	t.Helper()
	var out []events.RecordedEvent
	for {
		page, err := s.ReadAll(context.Background(), opts)
		if err != nil {
			t.Fatalf("read all after %d: %v", opts.After, err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		opts.After = page[len(page)-1].Position
	}
}

// requireNotWritten checks that the log's head and stream did not move.
func requireNotWritten(t *testing.T, s events.Store, head events.Position, stream string, version int64) {
	t.Helper()
	if got := mustHead(t, s); got != head {
		t.Errorf("head moved from %d to %d: something was written", head, got)
	}
	if stream == "" || events.ValidateStream(stream) != nil {
		return
	}
	got, err := s.StreamVersion(context.Background(), stream)
	switch {
	case version < 0 && !errors.Is(err, events.ErrStreamNotFound):
		t.Errorf("stream %s: got version %d, err %v; want ErrStreamNotFound", stream, got, err)
	case version >= 0 && (err != nil || got != version):
		t.Errorf("stream %s: got version %d, err %v; want %d", stream, got, err, version)
	}
}

// checkOrder checks that positions ascend, and are consecutive when the
// store promises a gap-free log; from is the position before the first.
func (s suite) checkOrder(t *testing.T, evs []events.RecordedEvent, from events.Position) {
	t.Helper()
	prev := from
	for i, ev := range evs {
		if ev.Position <= prev {
			t.Fatalf("event %d at position %d after position %d: not ascending", i, ev.Position, prev)
		}
		if s.gapFree && ev.Position != prev+1 {
			t.Fatalf("event %d at position %d after position %d: a gap in a gap-free log", i, ev.Position, prev)
		}
		prev = ev.Position
	}
}

func versions(evs []events.RecordedEvent) []int64 {
	v := make([]int64, len(evs))
	for i, ev := range evs {
		v[i] = ev.Version
	}
	return v
}
