package clickhouse_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

// serverAddr is the ClickHouse server the tests use, from
// PNYX_CLICKHOUSE_ADDR (scripts/clickhouse-test-server starts one). Without
// it a test skips, saying so, or fails when PNYX_REQUIRE_CLICKHOUSE=1.
func serverAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("PNYX_CLICKHOUSE_ADDR")
	if addr == "" {
		if os.Getenv("PNYX_REQUIRE_CLICKHOUSE") == "1" {
			t.Fatal("PNYX_REQUIRE_CLICKHOUSE=1 but PNYX_CLICKHOUSE_ADDR is not set: start a server with scripts/clickhouse-test-server")
		}
		t.Skip("no ClickHouse server: set PNYX_CLICKHOUSE_ADDR (scripts/clickhouse-test-server start DIR prints it)")
	}
	return addr
}

// testOptions are sink options for a database of the test's own, dropped
// when the test ends.
func testOptions(t testing.TB, addr string) clickhouse.Options {
	t.Helper()
	db := fmt.Sprintf("pnyx_test_%s", rand.Text()[:10])
	opts := clickhouse.Options{Addr: addr, Database: db, FlushInterval: 50 * time.Millisecond}
	conn, err := clickhouse.Conn(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
			t.Logf("drop %s: %v", db, err)
		}
		conn.Close()
	})
	return opts
}

// runSink runs a sink until the test ends.
func runSink(t testing.TB, s *clickhouse.Sink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sink: %v", err)
		}
		s.Close()
	})
}
