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
		b := newBatch()
		b.add(events.RecordedEvent{ID: uuid.New(), Stream: "x-1", Position: 1, Type: spec.Type, Schema: spec.Schema, Data: []byte(`{}`)}, p)
		if makes := len(b.rows) > 0; makes != factTypes[spec.Type] {
			t.Errorf("%s makes fact rows: %t; in factTypes: %t", spec.Type, makes, factTypes[spec.Type])
		}
	}
}
