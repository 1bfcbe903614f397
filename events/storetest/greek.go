package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func (s suite) greekText(t *testing.T) {
	t.Run("greek data, actor and stream names read back unchanged", func(t *testing.T) {
		store := s.newStore(t)
		ctx := context.Background()
		stream := "δήμος-Αθηναίων-" + unique()
		sent := events.Event{
			ID:         events.NewEventID(),
			Type:       "xdecision.adopted",
			Schema:     1,
			OccurredAt: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC),
			Actor:      events.Actor{TokenID: "κλειδί-Δ1", Role: "γραμματεία"},
			Data:       json.RawMessage(`{"title":"Προϋπολογισμός 2026","note":"ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ, ΐ ΰ ς — «εγκρίθηκε»"}`),
		}
		before := mustHead(t, store)
		mustAppend(t, store, stream, events.NoStream, sent)
		got, err := store.ReadStream(ctx, stream, events.ReadStreamOptions{})
		if err != nil || len(got) != 1 {
			t.Fatalf("read stream: %v, %d events", err, len(got))
		}
		checkEnvelope(t, sent, got[0])
		if got[0].Stream != stream {
			t.Errorf("stream %q, want %q", got[0].Stream, stream)
		}
		byPrefix, err := store.ReadAll(ctx, events.ReadAllOptions{After: before, StreamPrefix: "δήμος-Αθηναίων-"})
		if err != nil || len(byPrefix) != 1 || byPrefix[0].ID != sent.ID {
			t.Errorf("read all by a greek stream prefix: %v, %d events", err, len(byPrefix))
		}
	})
}
