// Package source holds what the importers' decoders share to read messy
// files: values that arrive as strings or numbers, dates in the shapes
// publishers write them, and the sniffing of a file's shape.
package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Text is a JSON value read as text: a string, a number (as written) or
// a boolean; null and absence are empty.
type Text string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(strings.TrimSpace(s))
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("want a string or a number, got %.20s", b)
	default:
		*t = Text(b)
	}
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Time reads a date or time as publishers write it: RFC 3339 (with or
// without seconds or zone), a date alone (2006-01-02, 02/01/2006,
// 02-01-2006, 02.01.2006), or milliseconds since 1970 (the Diavgeia API).
// A time without a zone is read in loc. The empty text is the zero time
// with no error.
func Time(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if isDigits(s) && len(s) >= 11 {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
		"02/01/2006", "2/1/2006", "02-01-2006", "02.01.2006", "02/01/2006 15:04", "02/01/2006 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is in no known shape (want RFC 3339, 2006-01-02 or 02/01/2006)", s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Cents reads an amount in major units ("1234.5", "1.234,50", 1234.5 as
// written in JSON) into integer cents, exactly: no float is involved. At
// most two decimals; a thousands separator is a dot or a comma followed by
// exactly three digits.
func Cents(s string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	if s == "" {
		return 0, fmt.Errorf("amount is empty")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("amount %q in exponent notation", s)
	}
	// The decimal separator is the last of . and , when two or fewer
	// digits follow it.
	intPart, frac := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i-1 <= 2 {
		intPart, frac = s[:i], s[i+1:]
	}
	intPart = strings.NewReplacer(".", "", ",", "").Replace(intPart)
	if intPart == "" {
		intPart = "0"
	}
	if !isDigits(intPart) || (frac != "" && !isDigits(frac)) || len(intPart) > 15 {
		return 0, fmt.Errorf("amount %q is not a number of at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %v", s, err)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// FirstByte returns the first byte of r that is not white space or a
// byte order mark, without consuming it; 0 at the end.
func FirstByte(r *bufio.Reader) byte {
	for {
		b, err := r.Peek(1)
		if err != nil {
			return 0
		}
		if unicode.IsSpace(rune(b[0])) {
			r.ReadByte()
			continue
		}
		if bom, _ := r.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
			r.Discard(3)
			continue
		}
		return b[0]
	}
}
