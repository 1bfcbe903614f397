package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

// sinkAnswer is a sink in /readyz's answer, as a client reads it.
type sinkAnswer struct {
	Sinks []struct {
		Name     string `json:"name"`
		State    string `json:"state"`
		Position uint64 `json:"position"`
		Head     uint64 `json:"head"`
		Lag      uint64 `json:"lag"`
		Error    string `json:"error"`
	} `json:"sinks"`
	Ready bool `json:"ready"`
}

// waitSink polls /readyz until ok holds of its answer, failing after a
// minute.
func waitSink(t *testing.T, base string, ok func(sinkAnswer) bool) sinkAnswer {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		_, _, body := fetch(t, base+"/readyz")
		var ans sinkAnswer
		if err := json.Unmarshal([]byte(body), &ans); err != nil {
			t.Fatalf("/readyz: %v: %s", err, body)
		}
		if ok(ans) {
			return ans
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never showed the sink as expected: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeWithClickHouseUnreachable(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	// Nothing listens on port 1 of the loopback: every dial is refused.
	base, stop := startServe(t, dir, "--clickhouse-addr", "127.0.0.1:1")

	t.Run("readyz reports the sink retrying with its lag, and stays ready", func(t *testing.T) {
		ans := waitSink(t, base, func(a sinkAnswer) bool {
			return a.Ready && len(a.Sinks) == 1 && a.Sinks[0].State == "retrying" && a.Sinks[0].Lag == 3
		})
		if s := ans.Sinks[0]; s.Name != "clickhouse" || s.Position != 0 || s.Head != 3 || s.Error == "" {
			t.Fatalf("sink %+v", s)
		}
	})
	t.Run("the API serves meanwhile", func(t *testing.T) {
		if code, _, body := fetch(t, base+"/v1/events?after=0&limit=10"); code != 200 || len(readLines(t, body)) != 3 {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("metrics show the sink down and its lag", func(t *testing.T) {
		_, _, body := fetch(t, base+"/metrics")
		for _, want := range []string{`pnyx_analytics_sink_up{sink="clickhouse"} 0`, `pnyx_analytics_sink_lag_events{sink="clickhouse"} 3`} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	})
	if r := stop(); r.err != nil {
		t.Fatalf("serve: %v\n%s", r.err, r.stderr)
	}
}

func TestServeWithClickHouse(t *testing.T) {
	addr := os.Getenv("PNYX_CLICKHOUSE_ADDR")
	if addr == "" {
		if os.Getenv("PNYX_REQUIRE_CLICKHOUSE") == "1" {
			t.Fatal("PNYX_REQUIRE_CLICKHOUSE=1 but PNYX_CLICKHOUSE_ADDR is not set")
		}
		t.Skip("no ClickHouse server: set PNYX_CLICKHOUSE_ADDR (scripts/clickhouse-test-server start DIR prints it)")
	}
	db := "pnyx_serve_" + strings.ToLower(rand.Text()[:8])
	t.Cleanup(func() {
		conn, err := clickhouse.Conn(clickhouse.Options{Addr: addr})
		if err == nil {
			_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
			conn.Close()
		}
	})
	dir := t.TempDir()
	seed(t, dir, 3)
	base, stop := startServe(t, dir, "--clickhouse-addr", addr, "--clickhouse-database", db, "--analytics-engine", "clickhouse")
	ans := waitSink(t, base, func(a sinkAnswer) bool {
		return len(a.Sinks) == 1 && a.Sinks[0].State == "caught_up" && a.Sinks[0].Position == 3
	})
	if ans.Sinks[0].Lag != 0 || ans.Sinks[0].Error != "" {
		t.Fatalf("sink %+v", ans.Sinks[0])
	}
	if r := stop(); r.err != nil {
		t.Fatalf("serve: %v\n%s", r.err, r.stderr)
	}
}
