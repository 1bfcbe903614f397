package sqlite

import (
	"testing"
	"time"
)

func TestStoredTime(t *testing.T) {
	athens := time.FixedZone("EET", 2*3600)
	cases := []struct {
		name string
		in   time.Time
		want string
	}{
		{"a time with nanoseconds keeps all nine digits", time.Date(2026, 3, 3, 10, 0, 0, 123456789, time.UTC), "2026-03-03T10:00:00.123456789Z"},
		{"a whole second still has nine digits, so text order is time order", time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), "2026-03-03T10:00:00.000000000Z"},
		{"a time in another zone is stored in UTC", time.Date(2026, 3, 3, 0, 30, 0, 1, athens), "2026-03-02T22:30:00.000000001Z"},
		{"year 1 is within range", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00.000000000Z"},
		{"year 9999 is within range", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := formatTime(tc.in)
			if got != tc.want {
				t.Fatalf("formatted %q, want %q", got, tc.want)
			}
			back, err := parseTime([]byte(got))
			if err != nil || back != tc.in.UTC() {
				t.Errorf("parsed back %v, %v; want %v", back, err, tc.in.UTC())
			}
		})
	}

	t.Run("other RFC 3339 shapes are still read", func(t *testing.T) {
		got, err := parseTime([]byte("2026-03-03T12:00:00.5+02:00"))
		if want := time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC); err != nil || !got.Equal(want) {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
	})
	for _, bad := range []string{"", "yesterday", "2026-04-31T00:00:00.000000000Z", "2026-13-01T00:00:00.000000000Z", "2026-01-01T24:00:00.000000000Z", "2026-01-0aT00:00:00.000000000Z"} {
		t.Run("a malformed time is an error: "+bad, func(t *testing.T) {
			if got, err := parseTime([]byte(bad)); err == nil {
				t.Errorf("parsed %q as %v", bad, got)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-03T10:00:00.123456789Z", "2024-02-29T00:00:00.000000000Z", "2026-04-31T00:00:00.000000000Z", "2026-03-03T10:00:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime([]byte(s))
		if err != nil {
			return
		}
		if std, stdErr := time.Parse(time.RFC3339Nano, s); stdErr != nil || !std.Equal(got) {
			t.Fatalf("%q: parsed %v, time.Parse says %v, %v", s, got, std, stdErr)
		}
		if len(s) == len(timeLayout) && s[19] == '.' && s[len(s)-1] == 'Z' && formatTime(got) != s {
			t.Fatalf("%q: formats back as %q", s, formatTime(got))
		}
	})
}
