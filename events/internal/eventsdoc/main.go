// Command eventsdoc writes docs/EVENTS.md, the reference of the event
// catalog, from events.Catalog(): every type with its aggregate, schema,
// meaning and JSON fields. The catalog in code is the source of truth; the
// document is generated so the two cannot drift (a test fails when the
// committed document is stale).
//
//	go run ./events/internal/eventsdoc > docs/EVENTS.md
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func main() {
	w := bufio.NewWriter(os.Stdout)
	if err := render(w, events.Catalog()); err != nil {
		fmt.Fprintln(os.Stderr, "eventsdoc:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "eventsdoc:", err)
		os.Exit(1)
	}
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	sealedType = reflect.TypeFor[events.Sealed]()
	authorType = reflect.TypeFor[events.AuthorRef]()
)

// render writes the Markdown reference of specs, which Catalog sorts by
// type name.
func render(w io.Writer, specs []events.EventSpec) error {
	p := &printer{w: w}
	p.line("# Event catalog")
	p.line("")
	p.line("Generated from `events.Catalog()` by `go run ./events/internal/eventsdoc > docs/EVENTS.md`; do not edit by hand.")
	p.line("")
	p.line("Every event is stored in the envelope described in DESIGN.md (id, stream, version, position, type, schema,")
	p.line("occurred_at, recorded_at, actor, causation and correlation ids); `data` is a JSON object with the fields")
	p.line("below. Times are RFC 3339 in UTC, money is integer cents with an ISO 4217 currency. No field carries a")
	p.line("citizen's personal data: a citizen appears only as an `author` reference that differs for every")
	p.line("comment and request, and what they wrote is **sealed** (AES-256-GCM under their own key in the vault,")
	p.line("the entity as associated data; base64 in JSON): only the vault opens it, and never once they are")
	p.line("forgotten (docs/PRIVACY.md).")
	p.line("An event stored at an older schema is upcast on read, so readers always see the current schema.")
	p.line("")

	byAgg := map[string][]events.EventSpec{}
	var aggs []string
	for _, s := range specs {
		if byAgg[s.Aggregate] == nil {
			aggs = append(aggs, s.Aggregate)
		}
		byAgg[s.Aggregate] = append(byAgg[s.Aggregate], s)
	}
	slices.Sort(aggs)

	p.line("| aggregate | stream | events |")
	p.line("|---|---|---|")
	for _, a := range aggs {
		var names []string
		for _, s := range byAgg[a] {
			names = append(names, "`"+s.Type+"`")
		}
		stream := "`" + a + "-<id>`"
		if a == "counter" {
			// Counters are written by the command service for Sequenced
			// commands, on streams the command names.
			stream = "a counter stream, such as `decisionnumber-<body>-<year>`"
		}
		p.line("| %s | %s | %s |", a, stream, strings.Join(names, ", "))
	}
	p.line("")

	values := map[reflect.Type]bool{}
	for _, a := range aggs {
		p.line("## %s", a)
		p.line("")
		for _, s := range byAgg[a] {
			p.line("### %s", s.Type)
			p.line("")
			p.line("%s", s.Doc)
			p.line("")
			if s.Schema > 1 {
				p.line("Schema %d (events stored at older schemas are upcast on read). Go type `%s`.", s.Schema, s.GoType)
			} else {
				p.line("Schema %d. Go type `%s`.", s.Schema, s.GoType)
			}
			p.line("")
			p.fields(s.GoType, values)
		}
	}

	if len(values) > 0 {
		p.line("## Value types")
		p.line("")
		p.line("Structured values used in the fields above.")
		p.line("")
		done := map[reflect.Type]bool{}
		for len(done) < len(values) {
			var next []reflect.Type
			for t := range values {
				if !done[t] {
					next = append(next, t)
				}
			}
			slices.SortFunc(next, func(a, b reflect.Type) int { return strings.Compare(a.String(), b.String()) })
			for _, t := range next {
				done[t] = true
				p.line("### %s", t)
				p.line("")
				p.fields(t, values)
			}
		}
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// fields writes the JSON fields of struct type t and notes the struct
// types they use in values.
func (p *printer) fields(t reflect.Type, values map[reflect.Type]bool) {
	type row struct{ name, typ, note string }
	var rows []row
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var notes []string
		if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			notes = append(notes, "optional")
		}
		switch f.Type {
		case sealedType:
			notes = append(notes, "**sealed**: a citizen's words, opened only by the vault")
		case authorType:
			notes = append(notes, "the citizen's reference for this entity only")
		}
		rows = append(rows, row{name: name, typ: typeName(f.Type), note: strings.Join(notes, ", ")})
		noteValues(f.Type, values)
	}
	if len(rows) == 0 {
		p.line("No fields.")
		p.line("")
		return
	}
	p.line("| field | type | |")
	p.line("|---|---|---|")
	for _, r := range rows {
		p.line("| `%s` | `%s` | %s |", r.name, r.typ, r.note)
	}
	p.line("")
}

// typeName is the Go type, with the underlying kind of named scalar types
// such as events.BodyKind (string).
func typeName(t reflect.Type) string {
	s := t.String()
	if t.Name() != "" && t.PkgPath() != "" && t != timeType && t.Kind() != reflect.Struct {
		s += " (" + t.Kind().String() + ")"
	}
	return s
}

func noteValues(t reflect.Type, values map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		noteValues(t.Elem(), values)
	case reflect.Map:
		noteValues(t.Key(), values)
		noteValues(t.Elem(), values)
	case reflect.Struct:
		if t == timeType || values[t] {
			return
		}
		values[t] = true
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				noteValues(f.Type, values)
			}
		}
	}
}
