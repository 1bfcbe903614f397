package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The catalog is the public contract of the log: every type must belong to
// an aggregate that decides it, say what it means, survive a round trip,
// and keep citizens' personal data out.

// serviceWritten are aggregate kinds whose events the command service
// writes itself, without a decider.
var serviceWritten = map[string]bool{"counter": true}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// personalFields are JSON field names that would carry a citizen's
// personal data. Events refer to citizens through per-entity author references only.
var personalFields = map[string]bool{
	"email": true, "e_mail": true, "phone": true, "telephone": true, "mobile": true,
	"display_name": true, "first_name": true, "last_name": true, "full_name": true, "surname": true,
	"birth_date": true, "date_of_birth": true, "home_address": true, "postal_address": true,
	"citizen_name": true, "requester_name": true, "author_name": true, "commenter_name": true,
	"id_card": true, "amka": true, "afm_citizen": true,
}

func TestCatalog(t *testing.T) {
	specs := Catalog()
	if len(specs) == 0 {
		t.Fatal("the catalog is empty")
	}
	for _, spec := range specs {
		t.Run(spec.Type, func(t *testing.T) {
			t.Run("belongs to an aggregate with a decider", func(t *testing.T) {
				if serviceWritten[spec.Aggregate] {
					return
				}
				a, err := AggregateOf(StreamName(spec.Aggregate, "x"))
				if err != nil || a.Kind != spec.Aggregate {
					t.Fatalf("aggregate %q has no decider: %v", spec.Aggregate, err)
				}
				if !strings.HasPrefix(spec.Type, spec.Aggregate+".") {
					t.Fatalf("type %q is not named after its aggregate %q", spec.Type, spec.Aggregate)
				}
			})
			t.Run("folds onto an empty state without a panic", func(t *testing.T) {
				a, err := AggregateOf(StreamName(spec.Aggregate, "x"))
				if err != nil {
					return // service-written, checked above
				}
				// A stream read from a damaged or partial log must fold.
				_ = a.Evolve(a.Initial(), samplePayload(spec.GoType))
			})
			t.Run("has one sentence of documentation", func(t *testing.T) {
				if len(spec.Doc) < 10 || !strings.HasSuffix(spec.Doc, ".") {
					t.Fatalf("doc %q", spec.Doc)
				}
			})
			t.Run("has an upcaster for every older schema", func(t *testing.T) {
				for s := 1; s < spec.Schema; s++ {
					if spec.upcasters[s] == nil {
						t.Fatalf("no upcaster from schema %d to %d", s, s+1)
					}
				}
			})
			t.Run("has snake_case JSON fields and none for personal data", func(t *testing.T) {
				checkFields(t, spec.GoType, spec.Type)
			})
			t.Run("round-trips through Encode and Decode", func(t *testing.T) {
				p := samplePayload(spec.GoType)
				ev, err := Encode(p)
				if err != nil {
					t.Fatal(err)
				}
				if ev.Type != spec.Type || ev.Schema != spec.Schema {
					t.Fatalf("encoded as %s v%d", ev.Type, ev.Schema)
				}
				if err := ValidateAppend(StreamName(spec.Aggregate, "1"), 0, []Event{ev}); err != nil {
					t.Fatalf("encoded event is not appendable: %v", err)
				}
				got, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, p) {
					t.Fatalf("decoded %#v\nwant %#v", got, p)
				}
			})
		})
	}
}

func checkFields(t *testing.T, typ reflect.Type, path string) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map || typ.Kind() == reflect.Array {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() {
		return
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			t.Errorf("%s.%s has no json tag", path, f.Name)
			continue
		}
		if !snakeCase.MatchString(name) {
			t.Errorf("%s.%s: json name %q is not snake_case", path, f.Name, name)
		}
		if f.Type == reflect.TypeFor[SubjectRef]() || name == "subject_ref" {
			t.Errorf("%s.%s: the vault's subject reference links a person's acts; events carry an AuthorRef", path, f.Name)
		}
		if personalFields[name] {
			t.Errorf("%s.%s: %q would carry a citizen's personal data; use an author reference and sealed text", path, f.Name, name)
		}
		checkFields(t, f.Type, path+"."+name)
	}
}

// samplePayload returns a value of payload type typ with every field set,
// so a field lost in encoding shows up.
func samplePayload(typ reflect.Type) Payload {
	v := reflect.New(typ).Elem()
	fillSample(v, 0)
	return v.Interface().(Payload)
}

var sampleTime = time.Date(2026, 3, 12, 9, 30, 0, 0, time.UTC)

func fillSample(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(sampleTime))
		return
	case v.Type() == reflect.TypeFor[json.RawMessage]():
		v.SetBytes([]byte(`{"k":1}`))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("δείγμα-" + v.Type().Name())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillSample(v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillSample(v.Index(0), depth+1)
	case reflect.Array:
		for i := range v.Len() {
			fillSample(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillSample(k, depth+1)
		fillSample(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.IsExported() && tag != "-" {
				fillSample(v.Field(i), depth+1)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Run("an unknown type matches ErrUnknownEventType", func(t *testing.T) {
		_, err := Decode(RecordedEvent{Type: "meeting.teleported", Schema: 1, Data: json.RawMessage(`{}`)})
		if !errors.Is(err, ErrUnknownEventType) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("a schema newer than this build is invalid", func(t *testing.T) {
		_, err := Decode(RecordedEvent{Type: "vote.closed", Schema: 9, Data: json.RawMessage(`{}`)})
		if ErrorCode(err) != CodeInvalid {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("data of the wrong shape is invalid", func(t *testing.T) {
		_, err := Decode(RecordedEvent{Type: "vote.closed", Schema: 1, Data: json.RawMessage(`{"yes":"many"}`)})
		if ErrorCode(err) != CodeInvalid {
			t.Fatalf("error %v", err)
		}
	})
}

// FuzzDecode feeds arbitrary data under every catalog type and schema:
// Decode must never panic, must fail only with an invalid error, and what
// it accepts must encode and decode to the same JSON.
func FuzzDecode(f *testing.F) {
	specs := Catalog()
	for i, spec := range specs {
		ev, err := Encode(samplePayload(spec.GoType))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint16(i), ev.Schema, []byte(ev.Data))
	}
	f.Add(uint16(0), 1, []byte(`{"number":"123/2026"}`))
	f.Add(uint16(0), 1, []byte(`null`))
	f.Add(uint16(0), 0, []byte(`{"starts_at":"not a time","documents":[{"size":-1}]}`))
	f.Fuzz(func(t *testing.T, typeIndex uint16, schema int, data []byte) {
		spec := specs[int(typeIndex)%len(specs)]
		re := RecordedEvent{Type: spec.Type, Schema: schema, Data: json.RawMessage(data)}
		p, err := Decode(re)
		if err != nil {
			if code := ErrorCode(err); code != CodeInvalid {
				t.Fatalf("Decode(%s v%d, %q) error code %q: %v", spec.Type, schema, data, code, err)
			}
			return
		}
		ev, err := Encode(p)
		if err != nil {
			t.Fatalf("re-encode %T: %v", p, err)
		}
		again, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data})
		if err != nil {
			t.Fatalf("decode of re-encoded %s: %v", ev.Data, err)
		}
		b1, _ := json.Marshal(p)
		b2, _ := json.Marshal(again)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("round trip changed\n%s\n%s", b1, b2)
		}
	})
}
