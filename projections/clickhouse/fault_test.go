package clickhouse_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
	"github.com/pnyx-civic/pnyx/server"
)

// ownServer starts a ClickHouse server of the test's own with
// scripts/clickhouse-test-server, for a test that stops and restarts it;
// it returns its address and functions that halt it (keeping its data)
// and start it again. The server is stopped and its folder removed when
// the test ends. Without clickhouse-server the test skips, or fails with
// PNYX_REQUIRE_CLICKHOUSE=1.
func ownServer(t *testing.T) (addr string, halt, restart func()) {
	t.Helper()
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if os.Getenv("PNYX_REQUIRE_CLICKHOUSE") == "1" {
			t.Fatal("PNYX_REQUIRE_CLICKHOUSE=1 but clickhouse-server is not installed (Debian package clickhouse-server)")
		}
		t.Skip("clickhouse-server is not installed: the fault test starts and stops a server of its own")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "clickhouse-test-server"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "clickhouse")
	port := freePorts(t, 3)
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(script, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("clickhouse-test-server %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("start", dir, fmt.Sprint(port))
	t.Cleanup(func() { _ = exec.Command(script, "stop", dir).Run() })
	return fmt.Sprintf("127.0.0.1:%d", port), func() { run("halt", dir) }, func() { run("start", dir, fmt.Sprint(port)) }
}

// freePorts finds n consecutive free loopback ports and returns the first.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		first := ln.Addr().(*net.TCPAddr).Port
		ok, held := true, []net.Listener{ln}
		for i := 1; i < n && ok; i++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", first+i))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatal("no free ports")
	return 0
}

// TestSinkSurvivesClickHouseStopping stops ClickHouse while the sink
// ingests the demo as it is generated, starts it again, and requires
// every event exactly once and the same answers as the embedded engine,
// while appends and the API went on throughout.
func TestSinkSurvivesClickHouseStopping(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year of the demo municipality")
	}
	addr, halt, restart := ownServer(t)
	ctx := context.Background()
	fx := analyticstest.Open(t)
	opts := clickhouse.Options{Addr: addr, Database: "pnyx_fault", FlushInterval: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	sink, err := clickhouse.NewSink(fx.Store, opts)
	if err != nil {
		t.Fatal(err)
	}
	runSink(t, sink)

	// The API, probed all along: the change feed must answer every time.
	srv, err := server.New(server.Sources{Log: fx.Store, Commands: events.NewService(fx.Store, events.ServiceOptions{}),
		ReadModel: fx.ReadModel, Projections: fx.Runner, Sinks: []server.Sink{sink}}, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv.Handler())
	defer api.Close()
	var probes, failures, probesWhileDown atomic.Int64
	var down atomic.Bool
	stopProbes := make(chan struct{})
	var probing sync.WaitGroup
	probing.Go(func() {
		for {
			select {
			case <-stopProbes:
				return
			case <-time.After(20 * time.Millisecond):
			}
			resp, err := http.Get(api.URL + "/v1/events?after=0&limit=10")
			probes.Add(1)
			if down.Load() {
				probesWhileDown.Add(1)
			}
			if err != nil || resp.StatusCode != 200 {
				failures.Add(1)
			}
			if resp != nil {
				resp.Body.Close()
			}
		}
	})

	generated := make(chan struct{})
	go func() {
		defer close(generated)
		fx.Generate(t, 3, 1)
	}()
	waitUntil(t, "the sink to commit part of the demo", func() bool { return sink.Status().Position >= 5000 })
	halt()
	down.Store(true)
	t.Logf("ClickHouse stopped with the sink at %d", sink.Status().Position)

	<-generated // the demo's appends went on while ClickHouse was down
	head, err := fx.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the sink to report retrying", func() bool { return sink.Status().State == clickhouse.StateRetrying })
	if st := sink.Status(); st.Lag == 0 || st.LastError == "" || st.Position >= head {
		t.Errorf("while ClickHouse is down: %+v", st)
	}
	code, body := get(t, api.URL+"/readyz")
	if !strings.Contains(body, `"state":"retrying"`) || !strings.Contains(body, `"lag":`) {
		t.Errorf("/readyz while ClickHouse is down: %d %s", code, body)
	}
	restart()
	down.Store(false)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := sink.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	close(stopProbes)
	probing.Wait()
	if failures.Load() != 0 || probesWhileDown.Load() == 0 {
		t.Errorf("the change feed failed %d of %d probes (%d while ClickHouse was down)", failures.Load(), probes.Load(), probesWhileDown.Load())
	}
	fx.Sync(t)

	t.Run("every event is in ClickHouse exactly once", func(t *testing.T) {
		rowsEqualHead(t, opts, head)
	})
	t.Run("the answers are the embedded engine's", func(t *testing.T) {
		eng, err := clickhouse.NewEngine(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		// The whole record and one period: the full set of filters runs in
		// TestEnginesAgreeOnDemo.
		analyticstest.Compare(t, embedded.New(fx.ReadModel), eng, fx.Now, analyticstest.DemoLocal, analyticstest.Filters()[:2]...)
	})
}

// rowsEqualHead requires the events table, read with FINAL, to hold the
// positions 1 to head once each.
func rowsEqualHead(t *testing.T, opts clickhouse.Options, head events.Position) {
	t.Helper()
	conn, err := clickhouse.Conn(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n, distinct, lo, hi uint64
	row := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(position), min(position), max(position) FROM "+opts.Database+".events FINAL")
	if err := row.Scan(&n, &distinct, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if n != uint64(head) || distinct != n || lo != 1 || hi != uint64(head) {
		t.Fatalf("events: %d rows, %d positions, %d to %d; want %d once each", n, distinct, lo, hi, head)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}
