package events

import (
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
