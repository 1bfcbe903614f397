package exports_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
)

// FuzzParseOpen311Query: any query string gives a window that does not end
// before it starts, or an invalid error; never a panic.
func FuzzParseOpen311Query(f *testing.F) {
	for _, s := range []string{"", "start_date=2025-01-01T00:00:00Z&end_date=2025-03-01T00:00:00Z", "status=open,closed",
		"service_code=complaint&status=x", "start_date=yesterday", "end_date=2025-01-01T00:00:00Z&start_date=2026-01-01T00:00:00Z"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := exports.ParseOpen311Query(q, now)
		if err != nil {
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if got.End.Before(got.Start) {
			t.Fatalf("%q: window %v to %v", raw, got.Start, got.End)
		}
	})
}
