package events

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxIDBytes is the longest caller-chosen aggregate id.
const MaxIDBytes = 100

// ValidateID checks a caller-chosen aggregate id, such as a meeting's or a
// member's: non-empty, at most MaxIDBytes of UTF-8, no spaces or control
// characters. what names the id in the message ("meeting id").
func ValidateID(what, id string) error {
	switch {
	case id == "":
		return Invalidf("%s is empty", what)
	case len(id) > MaxIDBytes:
		return Invalidf("%s is %d bytes, over the limit of %d", what, len(id), MaxIDBytes)
	case !utf8.ValidString(id):
		return Invalidf("%s is not valid UTF-8", what)
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return Invalidf("%s %q contains a space or control character", what, id)
		}
	}
	return nil
}

// ValidateText checks free text of the record (a title, a reason, a
// comment): valid UTF-8, not blank, at most maxRunes characters. Greek text
// counts by characters, not bytes.
func ValidateText(what, s string, maxRunes int) error {
	switch {
	case !utf8.ValidString(s):
		return Invalidf("%s is not valid UTF-8", what)
	case isBlank(s):
		return Invalidf("%s is empty", what)
	case utf8.RuneCountInString(s) > maxRunes:
		return Invalidf("%s is over the limit of %d characters", what, maxRunes)
	}
	return nil
}

// needTime refuses a command without the time its fact happened.
func needTime(at time.Time) error {
	if at.IsZero() {
		return Invalidf("the time the fact happened is missing")
	}
	return nil
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// Text limits of the record, in characters.
const (
	MaxTitleRunes  = 500
	MaxReasonRunes = 2000
	MaxTextRunes   = 100_000
)
