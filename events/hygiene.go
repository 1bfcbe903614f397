package events

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every command passes the same hygiene on the way in, before any decider
// sees it: each string it carries, at any depth, is put in NFC and trimmed
// (NormalizeText) and must be valid UTF-8 without control characters other
// than newline and tab and without bidirectional controls; each time it
// carries must lie in the bounds of the record (TimeBounds). Deciders then
// apply each field's own rule (ValidateID, ValidateText, ValidateLongText)
// with its length limit.

// DefaultEarliest is the earliest time of the record unless ServiceOptions
// say otherwise: old enough for imported history.
var DefaultEarliest = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultFutureAllowance is how far past the service's clock a fact may be
// said to have happened (clocks differ; a clerk records the evening's vote
// in another time zone).
const DefaultFutureAllowance = 24 * time.Hour

// MaxAhead bounds the times a command plans (a meeting's start, a tender's
// deadline, a contract's end) past its clock, so that every deadline
// computed from them stays encodable.
const MaxAhead = 100 * 365 * 24 * time.Hour

// TimeBounds are the bounds of the times of the record.
type TimeBounds struct {
	// Earliest is the earliest time any command may carry.
	Earliest time.Time
	// Allowance is how far past Now a command's occurred-at time may be.
	Allowance time.Duration
}

// check refuses a command whose time it happened is outside
// [Earliest, now+Allowance] or which plans a time outside
// [Earliest, now+MaxAhead].
func (b TimeBounds) check(cmd Command, now time.Time) error {
	if t, ok := cmd.(Timed); ok {
		at := t.OccurredAt()
		if at.Before(b.Earliest) {
			return Invalidf("the time it happened, %s, is before the earliest date of the record, %s", at.UTC().Format(time.RFC3339), b.Earliest.UTC().Format(time.DateOnly))
		}
		if latest := now.Add(b.Allowance); at.After(latest) {
			return Invalidf("the time it happened, %s, is in the future (after %s)", at.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
		}
	}
	var err error
	walkTimes(reflect.ValueOf(cmd), "", func(field string, t time.Time) {
		if err != nil || t.IsZero() {
			return
		}
		if t.Before(b.Earliest) || t.After(now.Add(MaxAhead)) {
			err = Invalidf("%s %s is outside the dates of the record (%s to %d years ahead)", field, t.UTC().Format(time.RFC3339),
				b.Earliest.UTC().Format(time.DateOnly), int(MaxAhead/(365*24*time.Hour)))
		}
	})
	return err
}

var timeType = reflect.TypeOf(time.Time{})

// stampNow sets the time of a Timed command whose time is not set to now:
// its field At, the one every command's OccurredAt reports. A command of
// another shape is an internal error (TestStampNowSetsEveryCommandsTime).
func stampNow(cmd Command, now time.Time) (Command, error) {
	t, ok := cmd.(Timed)
	if !ok || !t.OccurredAt().IsZero() {
		return cmd, nil
	}
	now = now.UTC()
	v := reflect.ValueOf(cmd)
	if v.Kind() == reflect.Struct {
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		if f := c.FieldByName("At"); f.IsValid() && f.Type() == timeType && f.CanSet() {
			f.Set(reflect.ValueOf(now))
			if out, ok := c.Interface().(Timed); ok && out.OccurredAt().Equal(now) {
				return out.(Command), nil
			}
		}
	}
	return nil, &Error{Code: CodeInternal, Message: "internal error", Err: fmt.Errorf("%T takes its time from no field At", cmd)}
}

func walkTimes(v reflect.Value, path string, f func(string, time.Time)) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			f(fieldName(path), v.Interface().(time.Time))
			return
		}
		for i := range v.NumField() {
			if sf := v.Type().Field(i); sf.IsExported() {
				walkTimes(v.Field(i), joinPath(path, sf.Name), f)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkTimes(v.Elem(), path, f)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkTimes(v.Index(i), path, f)
		}
	}
}

// normalizeCommand returns cmd with every string normalized
// (NormalizeText), or an invalid error naming the first string that is not
// valid UTF-8 or carries a control or bidirectional control character. The
// caller's values are never modified: slices, maps and pointers on the way
// are copied.
func normalizeCommand(cmd Command) (Command, error) {
	v := reflect.ValueOf(cmd)
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	if err := normalizeValue(c, ""); err != nil {
		return nil, err
	}
	out, ok := c.Interface().(Command)
	if !ok {
		return cmd, nil
	}
	return out, nil
}

func normalizeValue(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if err := checkString(fieldName(path), s); err != nil {
			return err
		}
		if n := NormalizeText(s); n != s && v.CanSet() {
			v.SetString(n)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return nil
		}
		for i := range v.NumField() {
			if sf := v.Type().Field(i); sf.IsExported() {
				if err := normalizeValue(v.Field(i), joinPath(path, sf.Name)); err != nil {
					return err
				}
			}
		}
	case reflect.Pointer:
		if v.IsNil() || !v.CanSet() {
			return nil
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		if err := normalizeValue(c.Elem(), path); err != nil {
			return err
		}
		v.Set(c)
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() || v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			if err := normalizeValue(c.Index(i), path); err != nil {
				return err
			}
		}
		v.Set(c)
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return nil
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			if err := normalizeValue(k, path); err != nil {
				return err
			}
			if err := normalizeValue(e, path); err != nil {
				return err
			}
			c.SetMapIndex(k, e)
		}
		v.Set(c)
	}
	return nil
}

// checkString refuses what no text of the record may hold.
func checkString(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalidf("%s is not valid UTF-8 (byte %d)", field, invalidUTF8At(s)+1)
	}
	n := 0
	for _, r := range s {
		n++
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return Invalidf("%s: character %d (%U) is a control character", field, n, r)
		}
		if isBidiControl(r) {
			return Invalidf("%s: character %d (%U) is a bidirectional control character", field, n, r)
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldName turns a Go field path ("Exception.LegalBasis") into the words
// of a message ("exception legal basis").
func fieldName(path string) string {
	var b strings.Builder
	for i, r := range path {
		switch {
		case r == '.':
			b.WriteByte(' ')
		case unicode.IsUpper(r):
			if i > 0 && path[i-1] != '.' && !unicode.IsUpper(rune(path[i-1])) {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "text"
	}
	return b.String()
}
