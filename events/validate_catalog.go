package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// ErrCatalogData is matched by every refusal of validateCatalogAppend: an
// append that would put into the log an event of the catalog that its
// readers cannot decode, or an event outside the catalog into the stream of
// one of its aggregates. Its code is invalid.
var ErrCatalogData = &Error{Code: CodeInvalid, Message: "event does not fit the catalog"}

// validateCatalogAppend keeps the catalog's promise at every store's append
// boundary (ValidateAppend calls it), because an event the deciders and
// projections cannot read, once in the immutable log, would stop them at
// that event for good:
//
//   - an event of a catalog type whose aggregate has a decider is in a
//     stream of that aggregate (decision.adopted in decision-<id>);
//   - a catalog event is at a schema this build knows, its data is valid
//     UTF-8 (a decoder would silently turn invalid bytes
//     into U+FFFD, so the record and what readers show would differ) and
//     decodes, upcast from older schemas, into the type's payload;
//   - at the current schema, the data has no field the payload lacks: a
//     field every reader drops is text the public feed shows and no
//     product does. Older schemas are history (an upcaster may leave a
//     retired field in place), so they need only decode;
//   - the stream of an aggregate with a decider holds only catalog events
//     of that aggregate: the decider folds every one of them.
//
// Events of other types in other streams are not the catalog's business
// and pass. The events the command service writes (Encode of a payload)
// always pass.
func validateCatalogAppend(stream string, evs []Event) error {
	kind, _, _ := strings.Cut(stream, "-")
	owned := hasDecider(kind)
	for i, ev := range evs {
		spec, ok := Spec(ev.Type)
		if !ok {
			if owned {
				return catalogRefusal("event %d: %s is a stream of the %s aggregate, which holds only its events of the catalog; %q is not one", i, stream, kind, ev.Type)
			}
			continue
		}
		if spec.Aggregate != kind && (owned || hasDecider(spec.Aggregate)) {
			return catalogRefusal("event %d: %s is an event of the %s aggregate and belongs in a stream %s-<id>, not %s", i, ev.Type, spec.Aggregate, spec.Aggregate, stream)
		}
		if err := checkCatalogData(spec, ev); err != nil {
			return catalogRefusal("event %d: %s at schema %d: %s", i, ev.Type, max(ev.Schema, 1), err)
		}
	}
	return nil
}

// hasDecider reports whether kind is an aggregate with a decider, whose
// streams the command service folds. (Counters, such as a body's decision
// numbers, have catalog events but no decider: their streams are named
// for what they count.)
func hasDecider(kind string) bool {
	aggregates.RLock()
	defer aggregates.RUnlock()
	_, ok := aggregates.kinds[kind]
	return ok
}

// checkCatalogData decodes ev's data as spec's payload, strictly at the
// current schema. The error's text is fit for the person who sent it.
func checkCatalogData(spec EventSpec, ev Event) error {
	if !utf8.Valid(ev.Data) {
		return Invalidf("data is not valid UTF-8")
	}
	schema := max(ev.Schema, 1)
	if schema < spec.Schema {
		if _, err := Decode(RecordedEvent{Type: ev.Type, Schema: schema, Data: ev.Data}); err != nil {
			return Invalidf("%s", strings.TrimPrefix(ErrorMessage(err), "decode "+ev.Type+": "))
		}
		return nil
	}
	if schema > spec.Schema {
		return Invalidf("this build knows schemas up to %d", spec.Schema)
	}
	d := json.NewDecoder(bytes.NewReader(ev.Data))
	d.DisallowUnknownFields()
	if err := d.Decode(reflect.New(spec.GoType).Interface()); err != nil {
		return Invalidf("data does not decode: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func catalogRefusal(format string, args ...any) error {
	e := Invalidf(format, args...).(*Error)
	e.Err = ErrCatalogData
	return e
}
