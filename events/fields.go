package events

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxIDBytes is the longest caller-chosen aggregate id.
const MaxIDBytes = 100

// ValidateID checks a caller-chosen id (a meeting's, a member's, an item's,
// a contracting process's ocid): one alphabet for every id a command
// carries, so that an id is safe as a URL path segment, a file name in an
// export release and a part of a stream name. An id is at most MaxIDBytes
// of letters, decimal digits and the separators '-', '_', '.' and ':', in
// NFC; it neither starts nor ends with a separator and holds no "..". what
// names the id in the message ("meeting id"). VAT ids have their own
// format (ValidateVATID).
func ValidateID(what, id string) error {
	switch {
	case id == "":
		return Invalidf("%s is empty", what)
	case len(id) > MaxIDBytes:
		return Invalidf("%s is %d bytes, over the limit of %d", what, len(id), MaxIDBytes)
	case !utf8.ValidString(id):
		return Invalidf("%s is not valid UTF-8", what)
	case !norm.NFC.IsNormalString(id):
		return Invalidf("%s %q is not in Unicode normal form C", what, id)
	case strings.Contains(id, ".."):
		return Invalidf("%s %q contains \"..\"", what, id)
	}
	n := 0
	for _, r := range id {
		n++
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Nd, r):
		case isIDSeparator(r):
			if n == 1 {
				return Invalidf("%s %q starts with a separator", what, id)
			}
		default:
			return Invalidf("%s: character %d (%U) is not a letter, a digit or one of - _ . :", what, n, r)
		}
	}
	if last, _ := utf8.DecodeLastRuneInString(id); isIDSeparator(last) {
		return Invalidf("%s %q ends with a separator", what, id)
	}
	return nil
}

func isIDSeparator(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ':' }

// ValidateText checks a line of human text of the record (a title, a name,
// a place): valid UTF-8 in NFC, not blank, no leading or trailing space, no
// control character (C0, DEL or C1, newline and tab included) and no
// bidirectional embedding, override or isolate character (they can make
// text read other than it is stored), at most maxRunes characters. Greek
// text counts by characters, not bytes. what names the field; a refusal
// names the offending character's position (1-based, in characters).
func ValidateText(what, s string, maxRunes int) error {
	return validateText(what, s, maxRunes, false)
}

// ValidateLongText is ValidateText for text of several lines (a
// description, a decision's text, a reason, a comment): newline and tab
// are allowed, nothing else of the above.
func ValidateLongText(what, s string, maxRunes int) error {
	return validateText(what, s, maxRunes, true)
}

func validateText(what, s string, maxRunes int, multiline bool) error {
	switch {
	case !utf8.ValidString(s):
		return Invalidf("%s is not valid UTF-8 (byte %d)", what, invalidUTF8At(s)+1)
	case isBlank(s):
		return Invalidf("%s is empty", what)
	case strings.TrimSpace(s) != s:
		return Invalidf("%s has leading or trailing space", what)
	case !norm.NFC.IsNormalString(s):
		return Invalidf("%s is not in Unicode normal form C", what)
	}
	n := 0
	for _, r := range s {
		n++
		if n > maxRunes {
			return Invalidf("%s is over the limit of %d characters", what, maxRunes)
		}
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return Invalidf("%s: character %d (%U) is a control character", what, n, r)
		}
		if isBidiControl(r) {
			return Invalidf("%s: character %d (%U) is a bidirectional control character", what, n, r)
		}
	}
	return nil
}

// isBidiControl reports the embedding, override and isolate characters of
// the Unicode bidirectional algorithm (U+202A to U+202E, U+2066 to
// U+2069), the ones that reorder the text around them.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}

// NormalizeText is what the command service does to every string of a
// command on the way in: valid UTF-8 is put in NFC and trimmed of leading
// and trailing space; invalid UTF-8 is left for validation to refuse.
func NormalizeText(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.TrimSpace(norm.NFC.String(s))
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
