package events

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
)

// Payload is the data of one event type of the catalog. EventType returns
// the stable type name, such as "decision.corrected"; it must not depend on
// the receiver's value.
type Payload interface {
	EventType() string
}

// Upcaster turns the JSON data of an event stored at schema N into the data
// of schema N+1. Upcasters run on read, in a chain, so stored events are
// never rewritten.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// EventSpec describes one type of the catalog.
type EventSpec struct {
	Type      string       // stable type name
	Aggregate string       // the aggregate kind whose stream holds it, such as "decision"
	Schema    int          // current schema version, >= 1
	Doc       string       // one sentence for docs/EVENTS.md
	GoType    reflect.Type // the payload's struct type
	upcasters map[int]Upcaster
}

var catalog = struct {
	sync.RWMutex
	specs map[string]*EventSpec
}{specs: map[string]*EventSpec{}}

// Register adds payload type P to the catalog with its current schema
// version and a one-sentence description. It is called from package
// initialisation and panics on a programming error (a duplicate or empty
// type name), never on input. The order of registration does not matter
// (Catalog sorts by name, every lookup is by name), except that a type's
// upcasters are registered after it.
func Register[P Payload](aggregate string, schema int, doc string) {
	var zero P
	t := reflect.TypeOf(zero)
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("events: register %s: payload must be a struct type", t))
	}
	name := zero.EventType()
	catalog.Lock()
	defer catalog.Unlock()
	if name == "" || catalog.specs[name] != nil {
		panic(fmt.Sprintf("events: register %q: empty or duplicate type name", name))
	}
	if schema < 1 {
		schema = 1
	}
	catalog.specs[name] = &EventSpec{Type: name, Aggregate: aggregate, Schema: schema, Doc: doc, GoType: t, upcasters: map[int]Upcaster{}}
}

// RegisterUpcaster adds the step from schema from to from+1 of type name.
func RegisterUpcaster(name string, from int, up Upcaster) {
	catalog.Lock()
	defer catalog.Unlock()
	s := catalog.specs[name]
	if s == nil || from < 1 || from >= s.Schema {
		panic(fmt.Sprintf("events: upcaster %s v%d: unknown type or schema out of range", name, from))
	}
	s.upcasters[from] = up
}

// Catalog returns every registered event type, sorted by name.
func Catalog() []EventSpec {
	catalog.RLock()
	defer catalog.RUnlock()
	out := make([]EventSpec, 0, len(catalog.specs))
	for _, s := range catalog.specs {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// Spec returns the catalog entry of type name.
func Spec(name string) (EventSpec, bool) {
	catalog.RLock()
	defer catalog.RUnlock()
	s, ok := catalog.specs[name]
	if !ok {
		return EventSpec{}, false
	}
	return *s, true
}

// ErrUnknownEventType is returned by Decode for a type not in the catalog.
// Projections skip and count such events.
var ErrUnknownEventType = &Error{Code: CodeInvalid, Message: "unknown event type"}

// Encode turns a payload into an Event of the current schema, ready to
// append. The caller sets ID and metadata.
func Encode(p Payload) (Event, error) {
	name := p.EventType()
	spec, ok := Spec(name)
	if !ok {
		return Event{}, fmt.Errorf("encode %s: %w", name, ErrUnknownEventType)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s: %w", name, err)
	}
	return Event{Type: name, Schema: spec.Schema, Data: data}, nil
}

// Decode returns the payload of a recorded event, upcasting its data from
// the stored schema to the current one. It returns an error matching
// ErrUnknownEventType for types not in the catalog, and an invalid error
// for data that does not fit the type.
func Decode(re RecordedEvent) (Payload, error) {
	catalog.RLock()
	spec, ok := catalog.specs[re.Type]
	catalog.RUnlock()
	if !ok {
		return nil, fmt.Errorf("decode %s: %w", re.Type, ErrUnknownEventType)
	}
	data := re.Data
	schema := max(re.Schema, 1)
	if schema > spec.Schema {
		return nil, Invalidf("decode %s: schema %d is newer than this build knows (%d)", re.Type, schema, spec.Schema)
	}
	for ; schema < spec.Schema; schema++ {
		up := spec.upcasters[schema]
		if up == nil {
			return nil, Invalidf("decode %s: no upcaster from schema %d", re.Type, schema)
		}
		var err error
		if data, err = up(data); err != nil {
			return nil, fmt.Errorf("decode %s: upcast from schema %d: %w", re.Type, schema, err)
		}
	}
	v := reflect.New(spec.GoType)
	// Unmarshal, not a Decoder: stored data is one JSON value (Append
	// checks it), and a Decoder's buffer per event was half of what a
	// projection rebuild allocated to decode.
	if err := json.Unmarshal(data, v.Interface()); err != nil {
		return nil, Invalidf("decode %s: %v", re.Type, err)
	}
	return v.Elem().Interface().(Payload), nil
}
