package ledger

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
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
	p := &canonParser{data: data}
	b, err := p.value(b, 0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.data) {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return b, nil
}

// member is an object member in canonical form.
type member struct {
	name  string
	value []byte
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// canonParser reads JSON and writes its canonical form in one pass.
type canonParser struct {
	data []byte
	i    int
}

var errSyntax = errors.New("invalid JSON")

func (p *canonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *canonParser) value(b []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested too deeply")
	}
	p.space()
	if p.i >= len(p.data) {
		return nil, errSyntax
	}
	switch c := p.data[p.i]; {
	case c == '{':
		p.i++
		var members []member
		p.space()
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			return append(b, "{}"...), nil
		}
		for {
			p.space()
			if p.i >= len(p.data) || p.data[p.i] != '"' {
				return nil, errSyntax
			}
			name, err := p.str()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.data) || p.data[p.i] != ':' {
				return nil, errSyntax
			}
			p.i++
			v, err := p.value(nil, depth+1)
			if err != nil {
				return nil, err
			}
			members = append(members, member{name, v})
			p.space()
			if p.i >= len(p.data) {
				return nil, errSyntax
			}
			if p.data[p.i] == ',' {
				p.i++
				continue
			}
			if p.data[p.i] != '}' {
				return nil, errSyntax
			}
			p.i++
			break
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
	case c == '[':
		p.i++
		b = append(b, '[')
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			return append(b, ']'), nil
		}
		for n := 0; ; n++ {
			if n > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = p.value(b, depth+1); err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.data) {
				return nil, errSyntax
			}
			if p.data[p.i] == ',' {
				p.i++
				continue
			}
			if p.data[p.i] != ']' {
				return nil, errSyntax
			}
			p.i++
			return append(b, ']'), nil
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return appendString(b, s), nil
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(p.data[p.i:min(p.i+5, len(p.data))]), lit) {
				p.i += len(lit)
				return append(b, lit...), nil
			}
		}
		return nil, errSyntax
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		if !p.number() {
			return nil, errSyntax
		}
		return appendNumber(b, string(p.data[start:p.i]))
	}
	return nil, errSyntax
}

// number scans a number by JSON's grammar.
func (p *canonParser) number() bool {
	d := p.data
	digits := func() int {
		n := 0
		for p.i < len(d) && d[p.i] >= '0' && d[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if d[p.i] == '-' {
		p.i++
	}
	if p.i < len(d) && d[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return false
	}
	if p.i < len(d) && d[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return false
		}
	}
	if p.i < len(d) && (d[p.i] == 'e' || d[p.i] == 'E') {
		p.i++
		if p.i < len(d) && (d[p.i] == '+' || d[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// str reads a string at p.i (its opening quote) and returns its value.
// A lone surrogate escape reads as U+FFFD, as encoding/json reads it.
func (p *canonParser) str() (string, error) {
	d := p.data
	p.i++
	start := p.i
	for p.i < len(d) && d[p.i] != '"' && d[p.i] != '\\' && d[p.i] >= 0x20 {
		p.i++
	}
	if p.i < len(d) && d[p.i] == '"' {
		s := string(d[start:p.i])
		p.i++
		return s, nil
	}
	out := append([]byte(nil), d[start:p.i]...)
	for p.i < len(d) {
		c := d[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", errSyntax
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(d) {
			return "", errSyntax
		}
		e := d[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", errSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := unicode.ReplacementChar
				if p.i+1 < len(d) && d[p.i] == '\\' && d[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok {
						if dec := utf16.DecodeRune(r, lo); dec != unicode.ReplacementChar {
							r2 = dec
						} else {
							p.i = save
						}
					} else {
						return "", errSyntax
					}
				}
				r = r2
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errSyntax
		}
	}
	return "", errSyntax
}

func (p *canonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
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

func hasHighRunes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xEE {
			return true
		}
	}
	return false
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// sorts member names.
func compareUTF16(a, b string) int {
	// UTF-8 bytes order as UTF-16 code units do, but for characters from
	// U+E000 (lead bytes 0xEE and up) against those beyond U+FFFF.
	if !hasHighRunes(a) || !hasHighRunes(b) {
		return strings.Compare(a, b)
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}
