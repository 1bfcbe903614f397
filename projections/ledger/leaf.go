package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// Leaf returns the canonical bytes of ev, the leaf the tree holds for it:
// a JSON object of the envelope fields named below, keys in this order
// (which is their sorted order, so the object is also its RFC 8785 form),
// no insignificant white space:
//
//	actor          {"role": string, "token_id": string}, both always present
//	causation_id   UUID, lower-case hex with hyphens
//	correlation_id UUID, lower-case hex with hyphens
//	data           the payload in canonical JSON (see canonicalJSON)
//	id             UUID, lower-case hex with hyphens
//	occurred_at    RFC 3339 in UTC with the fraction's trailing zeros cut
//	recorded_at    as occurred_at
//	schema         integer
//	stream         string
//	type           string
//	version        integer
//
// The position is not in the leaf: the leaf's index in the tree is its
// place in the log, and each store numbers positions its own way, so a
// log migrated between stores keeps its tree. Fields the envelope gains
// later are not in the leaf until this function and docs/LEDGER.md say so:
// a leaf is fixed forever once published. It returns an invalid error when
// ev's data is not one JSON value.
func Leaf(ev events.RecordedEvent) ([]byte, error) {
	b := make([]byte, 0, 256+len(ev.Data))
	b = append(b, `{"actor":{"role":`...)
	b = appendString(b, ev.Actor.Role)
	b = append(b, `,"token_id":`...)
	b = appendString(b, ev.Actor.TokenID)
	b = append(b, `},"causation_id":"`...)
	b = append(b, ev.CausationID.String()...)
	b = append(b, `","correlation_id":"`...)
	b = append(b, ev.CorrelationID.String()...)
	b = append(b, `","data":`...)
	var err error
	if b, err = appendCanonicalJSON(b, ev.Data); err != nil {
		return nil, events.Invalidf("event %s at position %d: data: %v", ev.ID, ev.Position, err)
	}
	b = append(b, `,"id":"`...)
	b = append(b, ev.ID.String()...)
	b = append(b, `","occurred_at":`...)
	b = appendString(b, formatTime(ev.OccurredAt))
	b = append(b, `,"recorded_at":`...)
	b = appendString(b, formatTime(ev.RecordedAt))
	b = append(b, `,"schema":`...)
	b = strconv.AppendInt(b, int64(ev.Schema), 10)
	b = append(b, `,"stream":`...)
	b = appendString(b, ev.Stream)
	b = append(b, `,"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, ev.Version, 10)
	b = append(b, '}')
	return b, nil
}

// LeafHash is the RFC 6962 hash of ev's leaf: SHA-256 of a zero byte and
// Leaf(ev).
func LeafHash(ev events.RecordedEvent) (tlog.Hash, error) {
	leaf, err := Leaf(ev)
	if err != nil {
		return tlog.Hash{}, err
	}
	return tlog.RecordHash(leaf), nil
}

// formatTime is RFC 3339 in UTC with nanoseconds and no trailing zeros,
// the form Go's encoding/json gives a UTC time.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// appendCanonicalJSON appends the canonical form of the JSON value data:
// RFC 8785 (JSON Canonicalization Scheme) but for integers, which keep
// every digit, and for repeated member names, which RFC 8785 refuses and
// which are kept here in their order (so every valid JSON value has a
// canonical form, and different values have different forms). Object
// members are sorted by the UTF-16 code units of their names, a stable
// sort; strings escape only '"', '\\' and control characters (\b \t \n
// \f \r, others as \u00xx in lower-case hex), everything else literal
// UTF-8; a number without fraction or exponent is written as its decimal
// digits ("-0" as "0"); any other number as ECMAScript writes the nearest
// double. Invalid UTF-8 is refused.
func appendCanonicalJSON(b, data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	b, err := appendValue(b, dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return b, nil
}

// member is an object member in canonical form.
type member struct {
	name  string
	value []byte
}

// appendValue appends the canonical form of the next value of dec.
func appendValue(b []byte, dec *json.Decoder) ([]byte, error) {
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
				if b, err = appendValue(b, dec); err != nil {
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
				value, err := appendValue(nil, dec)
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

// appendNumber writes a JSON number literal canonically.
func appendNumber(b []byte, lit string) ([]byte, error) {
	if !strings.ContainsAny(lit, ".eE") {
		if lit == "-0" {
			return append(b, '0'), nil
		}
		return append(b, lit...), nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s is out of range", lit)
	}
	if f == 0 {
		return append(b, '0'), nil
	}
	// ECMAScript's Number.prototype.toString: the shortest digits that
	// round-trip, in plain notation for 1e-6 <= |f| < 1e21.
	abs := math.Abs(f)
	if abs < 1e21 && abs >= 1e-6 {
		return strconv.AppendFloat(b, f, 'f', -1, 64), nil
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	// Go writes e+21 and e-07; ECMAScript writes e+21 and e-7.
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	b = append(b, mant...)
	b = append(b, 'e', sign)
	return append(b, exp...), nil
}

// appendString writes s as RFC 8785 does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= 0x20:
			b = append(b, c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	return append(b, '"')
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// sorts member names.
func compareUTF16(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}
