package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// catalog checks that a store takes an event of the catalog only when its
// readers can decode it (events.ValidateAppend): an event in the log that
// no code can apply would stop the projections, and the deciders, at it
// for good.
func (s suite) catalog(t *testing.T) {
	store := s.newStore(t)
	ctx := context.Background()
	raw := func(typ string, schema int, data string) events.Event {
		return events.Event{Type: typ, Schema: schema, Data: json.RawMessage(data)}
	}
	adopted, err := events.Encode(events.DecisionAdopted{DecisionID: "d", BodyID: "ds", Number: 12, Year: 2026,
		Title: "Έγκριση προϋπολογισμού", Text: "Εγκρίνει τον προϋπολογισμό.", LegalBasis: "ν. 3852/2010"})
	if err != nil {
		t.Fatal(err)
	}
	counter, err := events.Encode(events.CounterAdvanced{Number: 1, For: "decision-d"})
	if err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name   string
		stream string
		evs    []events.Event
	}{
		{"data of an old schema that does not upcast is refused (decision.adopted v1 with a numeric number)",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 1, `{"number":12}`)}},
		{"data of the current schema of the wrong type is refused",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 2, `{"number":"12/2026"}`)}},
		{"a field the current schema lacks is refused",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 2, `{"number":12,"year":2026,"approved_by":"nobody"}`)}},
		{"a schema newer than the catalog's is refused",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 99, `{}`)}},
		{"data that is not valid UTF-8 is refused",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 2, "{\"title\":\"\xff\"}")}},
		{"an event of the catalog in another aggregate's stream is refused",
			"meeting-" + unique(), []events.Event{adopted}},
		{"an event of the catalog in a stream of no aggregate is refused",
			"x" + unique() + "-1", []events.Event{adopted}},
		{"an event outside the catalog in an aggregate's stream is refused",
			"decision-" + unique(), []events.Event{event("xdecision.noted", 1)}},
		{"one event that does not fit in a batch writes none of it",
			"decision-" + unique(), []events.Event{adopted, raw("decision.published", 1, `{"version":"1"}`)}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			head := mustHead(t, store)
			_, err := store.Append(ctx, tc.stream, events.Any, tc.evs...)
			if !errors.Is(err, events.ErrCatalogData) || events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("append: %v; want an invalid error matching ErrCatalogData", err)
			}
			requireNotWritten(t, store, head, tc.stream, -1)
		})
	}

	accepted := []struct {
		name   string
		stream string
		evs    []events.Event
	}{
		{"an event as the command service encodes it is appended", "decision-" + unique(), []events.Event{adopted}},
		{"data of an old schema that upcasts is appended (history copied from another store)",
			"decision-" + unique(), []events.Event{raw("decision.adopted", 1, `{"number":"12/2026","title":"Απόφαση"}`)}},
		{"a counter's event is appended to the stream the counter is named by", "decisionnumber-" + unique(), []events.Event{counter}},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			res := mustAppend(t, store, tc.stream, events.NoStream, tc.evs...)
			got, err := store.ReadStream(ctx, tc.stream, events.ReadStreamOptions{})
			if err != nil || len(got) != len(tc.evs) || got[len(got)-1].Position != res.Position {
				t.Fatalf("read back %d events (%v), want %d", len(got), err, len(tc.evs))
			}
			if _, err := events.Decode(got[0]); err != nil {
				t.Errorf("the appended event does not decode: %v", err)
			}
		})
	}
}
