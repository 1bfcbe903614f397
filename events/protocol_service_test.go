package events_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestProtocolNumbersPerRegistryAndYear(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	number := func(id, registry string, d int) int64 {
		t.Helper()
		h, err := s.Handle(ctx, events.RegisterProtocolEntry{EntryID: id, Registry: registry, Direction: events.ProtocolIncoming,
			Subject: "Έγγραφο " + id, Correspondent: "Αποκεντρωμένη Διοίκηση", At: psAt(d)})
		if err != nil {
			t.Fatal(err)
		}
		return h.Number
	}
	got := []int64{number("p-1", "geniko", 0), number("p-2", "geniko", 1), number("p-3", "dimarchos", 1), number("p-4", "geniko", 2)}
	if want := []int64{1, 2, 1, 3}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("numbers %v, want %v: each registry numbers its own entries", got, want)
	}
	before := psHead(t, st)
	if _, err := s.Handle(ctx, events.RegisterProtocolEntry{EntryID: "p-1", Registry: "geniko", Direction: events.ProtocolIncoming, Subject: "x", At: psAt(3)}); events.ErrorCode(err) != events.CodeConflict {
		t.Fatalf("an entry id used twice: %v", err)
	}
	if psHead(t, st) != before {
		t.Fatal("a refused entry wrote to the log")
	}
}
