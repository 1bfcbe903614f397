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

// BenchmarkAppendStreams measures a command's atomic append across
// streams, shaped as a decision's (its event, its number's counter, its
// claim, and two facts it read), through the store against the client's
// own AppendRecords of the same records and checks (the baseline). The
// store reads each of the five streams first and the positions after.
func BenchmarkAppendStreams(b *testing.B) {
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
	for _, fact := range []string{"xvote-1", "xmeeting-1"} {
		if _, err := s.Append(ctx, fact, events.NoStream, events.Event{Type: "xfact.recorded", Data: json.RawMessage(`{}`)}); err != nil {
			b.Fatal(err)
		}
	}
	data := json.RawMessage(`{"number":"12/2026","text":"Εγκρίνεται ο προϋπολογισμός"}`)
	rec := func(stream string) kurrentdb.AppendRecord {
		return kurrentdb.AppendRecord{Stream: stream, Record: kurrentdb.EventData{EventID: uuid.New(), EventType: "xdecision.adopted",
			ContentType: kurrentdb.ContentTypeJson, Data: data, Metadata: []byte(`{"pnyx":"{}"}`)}}
	}
	var baseline, store float64
	next := 0 // streams of every round of the benchmark, never reused
	b.Run("client", func(b *testing.B) {
		for range b.N {
			next++
			i := next
			_, err := raw.AppendRecords(ctx, []kurrentdb.AppendRecord{rec(fmt.Sprintf("rawdecision-%d", i)), rec("rawcounter-1"), rec(fmt.Sprintf("rawclaim-%d", i))},
				kurrentdb.StreamStateCheck{Stream: fmt.Sprintf("rawdecision-%d", i), ExpectedState: kurrentdb.NoStream{}},
				kurrentdb.StreamStateCheck{Stream: fmt.Sprintf("rawclaim-%d", i), ExpectedState: kurrentdb.NoStream{}},
				kurrentdb.StreamStateCheck{Stream: "xvote-1", ExpectedState: kurrentdb.StreamRevision{Value: 0}},
				kurrentdb.StreamStateCheck{Stream: "xmeeting-1", ExpectedState: kurrentdb.StreamRevision{Value: 0}})
			if err != nil {
				b.Fatal(err)
			}
		}
		baseline = float64(b.Elapsed()) / float64(b.N)
	})
	b.Run("store", func(b *testing.B) {
		ev := func() []events.Event { return []events.Event{{Type: "xdecision.adopted", Data: data}} }
		for range b.N {
			next++
			i := next
			if _, err := s.AppendStreams(ctx,
				events.StreamAppend{Stream: fmt.Sprintf("xdecision-%d", i), Expected: events.NoStream, Events: ev()},
				events.StreamAppend{Stream: "xcounter-1", Expected: events.Any, Events: ev()},
				events.StreamAppend{Stream: fmt.Sprintf("xclaim-%d", i), Expected: events.NoStream, Events: ev()},
				events.StreamAppend{Stream: "xvote-1", Expected: events.Exact(0)},
				events.StreamAppend{Stream: "xmeeting-1", Expected: events.Exact(0)}); err != nil {
				b.Fatal(err)
			}
		}
		store = float64(b.Elapsed()) / float64(b.N)
		if baseline > 0 {
			b.ReportMetric(store/baseline, "x-client")
		}
	})
}
