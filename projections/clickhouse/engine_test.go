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
}
