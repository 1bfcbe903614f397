package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

// TestEnginesAgreeOnDemo copies a year of the demo municipality into
// ClickHouse and requires the ClickHouse engine to answer every question,
// under every filter, exactly as the embedded engine does over the read
// model of the same log.
func TestEnginesAgreeOnDemo(t *testing.T) {
	addr := serverAddr(t)
	if testing.Short() {
		t.Skip("generates a year of the demo municipality")
	}
	ctx := context.Background()
	fx := analyticstest.Demo(t, 3, 1)
	opts := testOptions(t, addr)
	sink, err := clickhouse.NewSink(fx.Store, opts)
	if err != nil {
		t.Fatal(err)
	}
	runSink(t, sink)
	head, err := fx.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := sink.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	eng, err := clickhouse.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	t.Logf("demo: %d events", fx.Events)
	analyticstest.Compare(t, embedded.New(fx.ReadModel), eng, fx.Now, analyticstest.DemoLocal)

	t.Run("every event is in ClickHouse exactly once", func(t *testing.T) {
		rowsEqualHead(t, opts, head)
	})
	t.Run("a replay of the whole log duplicates nothing in the answers", func(t *testing.T) {
		// Without its checkpoint, a second sink inserts every row again,
		// beside the first: ClickHouse holds each row twice until merges.
		conn, err := clickhouse.Conn(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.Exec(ctx, "DROP TABLE "+opts.Database+".checkpoints"); err != nil {
			t.Fatal(err)
		}
		again, err := clickhouse.NewSink(fx.Store, opts)
		if err != nil {
			t.Fatal(err)
		}
		runSink(t, again)
		if err := again.WaitFor(wctx, head); err != nil {
			t.Fatal(err)
		}
		var raw uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+opts.Database+".ballots").Scan(&raw); err != nil || raw == 0 {
			t.Fatalf("ballot rows %d, %v", raw, err)
		}
		rowsEqualHead(t, opts, head)
		analyticstest.Compare(t, embedded.New(fx.ReadModel), eng, fx.Now, analyticstest.DemoLocal, analyticstest.Filters()[:2]...)
	})
	t.Run("a batch catching up holds at most CatchUpEvents, one within a batch of the head at most 10,000, and a full one is written at once", func(t *testing.T) {
		fresh := testOptions(t, addr)
		fresh.FlushInterval = 0 // the default, 1 s
		fresh.CatchUpEvents = 15_000
		s, err := clickhouse.NewSink(fx.Store, fresh)
		if err != nil {
			t.Fatal(err)
		}
		runSink(t, s)
		if err := s.WaitFor(wctx, head); err != nil {
			t.Fatal(err)
		}
		conn, err := clickhouse.Conn(fresh)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		rows, err := conn.Query(ctx, "SELECT position FROM "+fresh.Database+".checkpoints ORDER BY position")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var prev, full uint64
		for rows.Next() {
			var p uint64
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			limit := uint64(fresh.CatchUpEvents)
			if uint64(head)-prev <= clickhouse.DefaultBatchEvents {
				limit = clickhouse.DefaultBatchEvents
			}
			if p-prev > limit {
				t.Errorf("a batch of %d events, %d to %d, over %d", p-prev, prev+1, p, limit)
			}
			if p-prev == limit {
				full++
			}
			prev = p
		}
		if prev != uint64(head) || full == 0 {
			t.Errorf("last checkpoint %d (head %d), %d full batches", prev, head, full)
		}
	})
}
