package events

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/pnyx-civic/pnyx/internal/cputime"
)

// FuzzValidateCatalogAppend appends arbitrary data under every type of the
// catalog, to its own aggregate's streams and others: the check never
// panics, refuses only with ErrCatalogData (or another invalid error of
// ValidateAppend), and whatever it accepts as a catalog event decodes,
// which is the promise that keeps the projections from stopping at it.
func FuzzValidateCatalogAppend(f *testing.F) {
	f.Add(uint8(0), false, 1, `{}`)
	f.Add(uint8(3), false, 1, `{"number":12}`)
	f.Add(uint8(5), true, 2, `{"number":"12/2026"}`)
	f.Add(uint8(9), false, 0, `{"title":"\u202e","x":1}`)
	f.Add(uint8(200), false, 99, "{\"a\":\"\xff\"}")
	specs := Catalog()
	f.Fuzz(func(t *testing.T, pick uint8, elsewhere bool, schema int, data string) {
		spec := specs[int(pick)%len(specs)]
		stream := StreamName(spec.Aggregate, "f-1")
		if elsewhere {
			stream = StreamName(specs[(int(pick)+1)%len(specs)].Aggregate, "f-1")
		}
		ev := Event{Type: spec.Type, Schema: schema, Data: json.RawMessage(data)}
		err := ValidateAppend(stream, 0, []Event{ev})
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("refused with %v, code %s; want invalid", err, ErrorCode(err))
			}
			return
		}
		if _, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data}); err != nil {
			t.Fatalf("accepted %s v%d %s in %s, which does not decode: %v", ev.Type, schema, data, stream, err)
		}
	})
}

func TestValidateCatalogAppend(t *testing.T) {
	for _, tc := range []struct {
		rule   string
		stream string
		ev     Event
		ok     bool
	}{
		{"an event outside the catalog in a stream of no aggregate passes", "import-1", Event{Type: "import.noted", Data: json.RawMessage(`{"x":1}`)}, true},
		{"a counter's event passes in the stream it counts", "decisionnumber-ds-2026", Event{Type: "counter.advanced", Schema: 1, Data: json.RawMessage(`{"number":1,"for":"decision-1"}`)}, true},
		{"schema 0 reads as 1", "decision-1", Event{Type: "decision.adopted", Data: json.RawMessage(`{"number":"1/2026"}`)}, true},
		{"a counter's event with data that does not decode is refused", "decisionnumber-ds-2026", Event{Type: "counter.advanced", Schema: 1, Data: json.RawMessage(`{"number":"one"}`)}, false},
		{"trailing data after the object is refused", "skip-1", Event{Type: "skip.recorded", Schema: 1, Data: json.RawMessage(`{} {}`)}, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			err := ValidateAppend(tc.stream, 0, []Event{tc.ev})
			if tc.ok != (err == nil) {
				t.Fatalf("ValidateAppend = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("refused with %v, want an invalid error", err)
			}
		})
	}
}

// BenchmarkValidateAppend measures the catalog check on an append of one
// decision as the command service writes it, beside the checks every
// append already made (the baseline: the same event outside the catalog).
func BenchmarkValidateAppend(b *testing.B) {
	ev, err := Encode(DecisionAdopted{DecisionID: "d-1", BodyID: "ds", Number: 12, Year: 2026,
		Title:      "Έγκριση του προϋπολογισμού του Δήμου για το οικονομικό έτος 2026",
		Text:       "Το Δημοτικό Συμβούλιο εγκρίνει τον προϋπολογισμό όπως τον εισηγήθηκε η Οικονομική Επιτροπή.",
		LegalBasis: "άρθρο 65 ν. 3852/2010", Documents: []DocumentRef{{Title: "Εισήγηση", SHA256: "ab"}}})
	if err != nil {
		b.Fatal(err)
	}
	outside := ev
	outside.Type = "import.noted"
	for _, c := range []struct {
		name, stream string
		ev           Event
	}{{"baseline outside the catalog", "import-1", outside}, {"catalog event", "decision-d-1", ev}} {
		b.Run(c.name, func(b *testing.B) {
			evs := []Event{c.ev}
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if err := ValidateAppend(c.stream, 0, evs); err != nil {
					b.Fatal(err)
				}
			}
			// Processor time, which other processes on a shared machine
			// inflate less than wall time.
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
