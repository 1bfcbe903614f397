package ledger

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"members sorted, white space dropped", `{ "b": 1, "a": [true, false, null] }`, `{"a":[true,false,null],"b":1}`},
		{"members sorted by UTF-16 code units", `{"\ud83d\ude00":1,"\ufb01":2,"z":3}`, `{"z":3,"😀":1,"ﬁ":2}`},
		{"nested objects sorted too", `{"x":{"d":1,"c":{"f":1,"e":2}}}`, `{"x":{"c":{"e":2,"f":1},"d":1}}`},
		{"repeated names kept in order", `{"a":2,"b":0,"a":1}`, `{"a":2,"a":1,"b":0}`},
		{"integers keep every digit", `{"n":12345678901234567890123}`, `{"n":12345678901234567890123}`},
		{"minus zero is zero", `[-0, -0.0, 0e5]`, `[0,0,0]`},
		{"other numbers as ECMAScript writes them", `[1.0, 1.50, 1e2, 1E-7, 0.000001, 1e21, 123e18, -2.5e-10]`, `[1,1.5,100,1e-7,0.000001,1e+21,123000000000000000000,-2.5e-10]`},
		{"strings escape only what they must", `"\u00e9\u03c0 \/ <&> \u2028 \"q\" \\ \t\n\u0001\u001f"`, `"éπ / <&> ` + "\u2028" + ` \"q\" \\ \t\n\u0001\u001f"`},
		{"Greek text stays literal", `{"t":"Προϋπολογισμός"}`, `{"t":"Προϋπολογισμός"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendCanonicalJSON(nil, []byte(tc.in))
			if err != nil || string(got) != tc.want {
				t.Errorf("canonical(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{``, `{`, `{"a":1} {"b":2}`, `1e400`, "\"\xff\"", `{"a":}`} {
		if got, err := appendCanonicalJSON(nil, []byte(bad)); err == nil {
			t.Errorf("canonical(%q) = %s, want an error", bad, got)
		}
	}
}

// goldenEvent is an event with every envelope field set.
func goldenEvent() events.RecordedEvent {
	return events.RecordedEvent{
		ID:            uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057"),
		Stream:        "decision-123-2026",
		Version:       2,
		Position:      4711,
		Type:          "decision.corrected",
		Schema:        1,
		OccurredAt:    time.Date(2026, 3, 3, 10, 0, 0, 0, time.FixedZone("EET", 2*3600)),
		RecordedAt:    time.Date(2026, 3, 10, 8, 15, 30, 123450000, time.UTC),
		Actor:         events.Actor{TokenID: "tok-7", Role: "secretariat"},
		CausationID:   uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8056"),
		CorrelationID: uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8055"),
		Data:          json.RawMessage(`{"reason": "Διόρθωση\tσφάλματος", "version": 2, "amount": {"currency": "EUR", "cents": 1250000}}`),
	}
}

// TestLeafGolden pins the leaf of an event byte for byte: a change here
// changes every published tree, so it must be a decision recorded in
// docs/LEDGER.md, not an accident.
func TestLeafGolden(t *testing.T) {
	ev := goldenEvent()
	leaf, err := Leaf(ev)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := LeafHash(ev)
	got := append(append(leaf, '\n'), []byte(h.String()+"\n")...)
	path := filepath.Join("testdata", "leaf.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("leaf changed:\n got %s\nwant %s", got, want)
	}
	t.Run("the position is not in the leaf", func(t *testing.T) {
		moved := ev
		moved.Position = 1
		if l2, _ := Leaf(moved); !bytes.Equal(l2, leaf) {
			t.Error("the leaf depends on the position")
		}
	})
	t.Run("every other field is", func(t *testing.T) {
		for name, change := range map[string]func(*events.RecordedEvent){
			"id":             func(e *events.RecordedEvent) { e.ID[15]++ },
			"stream":         func(e *events.RecordedEvent) { e.Stream += "x" },
			"version":        func(e *events.RecordedEvent) { e.Version++ },
			"type":           func(e *events.RecordedEvent) { e.Type += "x" },
			"schema":         func(e *events.RecordedEvent) { e.Schema++ },
			"occurred_at":    func(e *events.RecordedEvent) { e.OccurredAt = e.OccurredAt.Add(time.Nanosecond) },
			"recorded_at":    func(e *events.RecordedEvent) { e.RecordedAt = e.RecordedAt.Add(time.Second) },
			"actor.token_id": func(e *events.RecordedEvent) { e.Actor.TokenID += "x" },
			"actor.role":     func(e *events.RecordedEvent) { e.Actor.Role = "" },
			"causation_id":   func(e *events.RecordedEvent) { e.CausationID = uuid.Nil },
			"correlation_id": func(e *events.RecordedEvent) { e.CorrelationID[0]++ },
			"data":           func(e *events.RecordedEvent) { e.Data = json.RawMessage(`{"version":3}`) },
		} {
			e := goldenEvent()
			change(&e)
			if l2, _ := Leaf(e); bytes.Equal(l2, leaf) {
				t.Errorf("changing %s leaves the leaf as it was", name)
			}
		}
	})
	t.Run("the change feed's line gives the same leaf", func(t *testing.T) {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var back events.RecordedEvent
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatal(err)
		}
		if l2, err := Leaf(back); err != nil || !bytes.Equal(l2, leaf) {
			t.Errorf("leaf from the feed line %s\ndiffers: %s", line, l2)
		}
	})
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5,"x"],"b":{"c":null}}`, `{"a":1,"a":2}`, `[1e300,-0]`, `"\u2028"`, `"\ud800"`, `"\ud83d\ude00x"`, `"\ud800\u0041"`, `[[[]],{"":{}}]`, `-0.0e-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := appendCanonicalJSON(nil, data)
		if _, rerr := canonicalReference(nil, data); (err == nil) != (rerr == nil) {
			t.Fatalf("%q: the parser says %v, the reference %v", data, err, rerr)
		}
		if err != nil {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form of %q is not JSON: %q", data, c)
		}
		if ref, err := canonicalReference(nil, data); err != nil || !bytes.Equal(ref, c) {
			t.Fatalf("canonical form of %q is %q, the reference reads %q (%v)", data, c, ref, err)
		}
		// Canonical is a fixed point.
		c2, err := appendCanonicalJSON(nil, c)
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("canonical form of %q is not canonical: %q then %q (%v)", data, c, c2, err)
		}
	})
}

// canonicalReference is the canonical form read through encoding/json's
// tokens: the plain reading of the rule that the one-pass parser must
// match.
func canonicalReference(b, data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	b, err := referenceValue(b, dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return b, nil
}

// member is an object member in canonical form.

// appendValue appends the canonical form of the next value of dec.
func referenceValue(b []byte, dec *json.Decoder) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return appendString(b, v), nil
	case json.Number:
		return appendNumber(b, string(v))
	case json.Delim:
		switch v {
		case '[':
			b = append(b, '[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b = append(b, ',')
				}
				if b, err = referenceValue(b, dec); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return append(b, ']'), nil
		case '{':
			var members []member
			for dec.More() {
				name, err := dec.Token()
				if err != nil {
					return nil, err
				}
				value, err := referenceValue(nil, dec)
				if err != nil {
					return nil, err
				}
				members = append(members, member{name.(string), value})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			slices.SortStableFunc(members, func(a, b member) int { return compareUTF16(a.name, b.name) })
			b = append(b, '{')
			for i, m := range members {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, m.name)
				b = append(b, ':')
				b = append(b, m.value...)
			}
			return append(b, '}'), nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
