package clickhouse_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

func TestOptionsOutOfRangeAreInvalid(t *testing.T) {
	for _, tc := range []struct {
		rule string
		opts clickhouse.Options
	}{
		{"an address is required", clickhouse.Options{}},
		{"a database is a name, never SQL", clickhouse.Options{Addr: "127.0.0.1:9000", Database: "pnyx; DROP TABLE x"}},
		{"a database does not start with a digit", clickhouse.Options{Addr: "127.0.0.1:9000", Database: "1pnyx"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if _, err := clickhouse.NewSink(nil, tc.opts); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("sink: %v", err)
			}
			if _, err := clickhouse.NewEngine(tc.opts); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("engine: %v", err)
			}
		})
	}
}

// FuzzFacts feeds the sink's decoding of events into rows any type and
// data: whatever the log holds, gathering its rows never panics.
func FuzzFacts(f *testing.F) {
	for _, spec := range events.Catalog() {
		f.Add(spec.Type, `{}`)
	}
	f.Add("procurement.planned", `{"cpv":["4"],"budget":{"cents":1,"currency":"EUR"}}`)
	f.Add("meeting.convened", `{"present":["a","b"],"seats":3}`)
	f.Add("request.submitted", `{"assisted_by":"x","submitted_at":"0001-01-01T00:00:00Z"}`)
	f.Fuzz(func(t *testing.T, typ, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		re := events.RecordedEvent{ID: uuid.New(), Stream: "x-1", Position: 1, Type: typ, Schema: 1, Data: json.RawMessage(data)}
		clickhouse.GatherForTest(re)
	})
}
