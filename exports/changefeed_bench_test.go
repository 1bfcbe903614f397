package exports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
)

// BenchmarkChangeFeedPage serves pages of 1,000 events and compares each
// with the store's ReadAll of the same page, the baseline, in the same run:
// feed/readall is what parsing, headers and NDJSON encoding add.
func BenchmarkChangeFeedPage(b *testing.B) {
	s := openStore(b)
	ctx := context.Background()
	for batch := range 10 {
		evs := make([]events.Event, 100)
		for i := range evs {
			evs[i] = events.Event{
				Type: "decision.adopted",
				Data: json.RawMessage(fmt.Sprintf(`{"number":"%d/2026","text":"Εγκρίνεται ο προϋπολογισμός του Δήμου για το οικονομικό έτος 2026."}`, batch*100+i)),
			}
		}
		if _, err := s.Append(ctx, fmt.Sprintf("decision-%d", batch), events.NoStream, evs...); err != nil {
			b.Fatal(err)
		}
	}
	h := exports.NewChangeFeed(s, exports.ChangeFeedOptions{MaxLimit: 1000})
	req := httptest.NewRequest(http.MethodGet, "/v1/events?after=0&limit=1000", nil)
	var base, feed time.Duration
	for b.Loop() {
		t0 := time.Now()
		evs, err := s.ReadAll(ctx, events.ReadAllOptions{Limit: 1000})
		if err != nil || len(evs) != 1000 {
			b.Fatalf("read %d events: %v", len(evs), err)
		}
		t1 := time.Now()
		rec := httptest.NewRecorder()
		if err := h.Serve(rec, req); err != nil || rec.Code != http.StatusOK {
			b.Fatalf("status %d, error %v", rec.Code, err)
		}
		feed += time.Since(t1)
		base += t1.Sub(t0)
	}
	b.ReportMetric(float64(feed)/float64(base), "feed/readall")
	b.ReportMetric(float64(feed.Nanoseconds())/float64(b.N)/1e6, "ms/page")
}
