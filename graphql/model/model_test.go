package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncateKeepsWholeCharacters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"42", "42"},
		{strings.Repeat("α", 40), strings.Repeat("α", 40)},
		{strings.Repeat("α", 41), strings.Repeat("α", 40) + "…"},
		{"x" + strings.Repeat("Ψ", 50), "x" + strings.Repeat("Ψ", 39) + "…"},
	} {
		got := truncate(tc.in)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("truncate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnmarshalPositionRefusesWithAShortMessage(t *testing.T) {
	_, err := UnmarshalPosition("x" + strings.Repeat("Δ", 100))
	if err == nil {
		t.Fatal("a Greek word was taken for a position")
	}
	if msg := err.Error(); !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > 120 {
		t.Errorf("message %q: want valid UTF-8, at most 120 characters", msg)
	}
}
