package kurrentdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
	pnyxkurrent "github.com/pnyx-civic/pnyx/events/kurrentdb"
)

// BenchmarkAppend measures the store's single-event append on the test
// double against the client's own append to the same double (the
// baseline), and reports the ratio: the cost of reading the stream first
// (Pnyx's idempotency) and of the metadata. On the in-memory double these
// are not production figures; only the ratio means something, and on a
// real server, where the append's fsync dominates, it is smaller.
func BenchmarkAppend(b *testing.B) {
	srv := testServer(b)
	s := openStore(b, srv.URL(), pnyxkurrent.Options{})
	cfg, err := kurrentdb.ParseConnectionString(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	cfg.Logger = func(kurrentdb.LogLevel, string, ...any) {}
	raw, err := kurrentdb.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	data := json.RawMessage(`{"title":"Συνεδρίαση","item":3}`)
	const perStream = 20 // a stream of an aggregate's size
	var baseline, store float64
	b.Run("client", func(b *testing.B) {
		for i := range b.N {
			_, err := raw.AppendToStream(ctx, fmt.Sprintf("raw-%d", i/perStream), kurrentdb.AppendToStreamOptions{},
				kurrentdb.EventData{EventID: uuid.New(), EventType: "xmeeting.item_added", ContentType: kurrentdb.ContentTypeJson, Data: data})
			if err != nil {
				b.Fatal(err)
			}
		}
		baseline = float64(b.Elapsed()) / float64(b.N)
	})
	b.Run("store", func(b *testing.B) {
		for i := range b.N {
			if _, err := s.Append(ctx, fmt.Sprintf("xmeeting-%d", i/perStream), events.Any, events.Event{Type: "xmeeting.item_added", Data: data}); err != nil {
				b.Fatal(err)
			}
		}
		store = float64(b.Elapsed()) / float64(b.N)
		if baseline > 0 {
			b.ReportMetric(store/baseline, "x-client")
		}
	})
}

// BenchmarkReadAll measures reading the log through the store against the
// client's own $all read of the same events.
func BenchmarkReadAll(b *testing.B) {
	srv := testServer(b)
	s := openStore(b, srv.URL(), pnyxkurrent.Options{})
	ctx := context.Background()
	const n = 5000
	batch := make([]events.Event, 100)
	for i := range n / len(batch) {
		for j := range batch {
			batch[j] = events.Event{Type: "xmeeting.item_added", Data: json.RawMessage(`{"title":"Συνεδρίαση"}`)}
		}
		if _, err := s.Append(ctx, fmt.Sprintf("xmeeting-%d", i), events.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		var after events.Position
		got := 0
		for {
			page, err := s.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: 1000})
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			got += len(page)
			after = page[len(page)-1].Position
		}
		if got != n {
			b.Fatalf("read %d events, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
