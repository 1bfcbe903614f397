package clickhouse

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// TestFactTypesAreTheTypesWithFactRows keeps factTypes in step with add:
// every type of the catalog whose payload makes a fact row is decoded,
// and every type decoded makes one.
func TestFactTypesAreTheTypesWithFactRows(t *testing.T) {
	for _, spec := range events.Catalog() {
		p := reflect.New(spec.GoType).Elem().Interface().(events.Payload)
		if _, ok := p.(events.MeetingConvened); ok {
			p = events.MeetingConvened{Present: []string{"m-1"}}
		}
		b := newBatch(newFactState(), 0)
		if err := b.add(t.Context(), events.RecordedEvent{ID: uuid.New(), Stream: "x-1", Position: 1, Type: spec.Type, Schema: spec.Schema, Data: []byte(`{}`)}, p); err != nil {
			t.Fatal(err)
		}
		if makes := len(b.rows) > 0; makes != factTypes[spec.Type] {
			t.Errorf("%s makes fact rows: %t; in factTypes: %t", spec.Type, makes, factTypes[spec.Type])
		}
	}
}

// TestEventRowsFillEveryColumnOfItsType keeps putEvent, which appends the
// events table's row without boxing, in step with the table's declared
// columns: each column gets one value per event, in the slice of its type.
func TestEventRowsFillEveryColumnOfItsType(t *testing.T) {
	c := newColumns(&eventsTable, 0)
	c.putEvent(events.RecordedEvent{ID: uuid.New(), Stream: "x-1", Position: 1, Type: "x.y", Schema: 1, Data: []byte(`{}`)})
	c.putEvent(events.RecordedEvent{ID: uuid.New(), Stream: "x-2", Position: 2, Type: "x.y", Schema: 1, Data: []byte(`{}`)})
	for i, col := range eventsTable.columns {
		if n := reflect.ValueOf(c.slice(i)).Len(); n != 2 {
			t.Errorf("column %s (%s): %d values for 2 events", col.name, col.typ, n)
		}
	}
}
