package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/graphql/bench"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The benchmarks run on the fixture municipality (one demo year, 39k
// events) over loopback HTTP, each beside its baseline in the same run:
//
//	go test -run '^$' -bench . -benchtime 1s -v ./graphql
//
// (-v prints each pair's ratio.)
//
// docs/BENCHMARKS.md records their figures.

const (
	heavyQuery   = bench.HeavyQuery
	typicalQuery = bench.TypicalQuery
)

// benchReadModel opens the fixture's read model as pnyx serve does,
// without the statement counting of the tests, its serving position kept
// in memory: the fixture has no writer once built, so its position never
// moves (noWriter announces no change).
func benchReadModel(b *testing.B, e *env) *readmodel.ReadModel {
	rm, err := readmodel.OpenReadModelQueries(context.Background(), filepath.Join(e.dir, "readmodel.db"), e.store)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rm.Close() })
	rm.UseVault(e.vault)
	rm.FollowChanges(noWriter{})
	return rm
}

// noWriter is the writer of a read model nothing writes.
type noWriter struct{}

func (noWriter) Changed() <-chan struct{} { return nil }

func httpServer(b *testing.B, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv
}

func postHTTP(b *testing.B, c *http.Client, url, query string) []byte {
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
		b.Fatalf("%d %v %.300s", resp.StatusCode, err, out)
	}
	return out
}

// BenchmarkHeavyDecisions (pnyx bench graphql measures the same against a
// running server) compares the heavy query (50 decisions with
// every ballot of their votes and each voter's name and faction) over
// HTTP with the same rows read by one hand-written SQL join and encoded
// as JSON by hand. The goal is at most 3 times the baseline.
func BenchmarkHeavyDecisions(b *testing.B) {
	e := demoEnv(b)
	var graphqlNs, sqlNs float64
	b.Run("graphql over HTTP", func(b *testing.B) {
		h := graphql.New(benchReadModel(b, e), e.store, graphql.Options{NoResponseCache: true})
		srv := httpServer(b, h)
		c := srv.Client()
		b.ResetTimer()
		for b.Loop() {
			postHTTP(b, c, srv.URL, heavyQuery)
		}
		graphqlNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("hand-written SQL and JSON", func(b *testing.B) {
		db, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			if _, err := bench.HeavyBySQL(context.Background(), db); err != nil {
				b.Fatal(err)
			}
		}
		sqlNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if sqlNs > 0 {
		b.Logf("graphql %.2f ms, SQL+JSON %.2f ms: %.2f×", graphqlNs/1e6, sqlNs/1e6, graphqlNs/sqlNs)
	}
}

// BenchmarkTypicalPage16Clients runs a typical page (20 decisions with
// title, date, item, vote result and counts) from 16 concurrent clients
// over loopback, uncached, and reports p50, p99 and throughput. The goal
// is p99 under 20 ms.
func BenchmarkTypicalPage16Clients(b *testing.B) {
	e := demoEnv(b)
	h := graphql.New(benchReadModel(b, e), e.store, graphql.Options{NoResponseCache: true})
	srv := httpServer(b, h)
	const clients = 16
	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism((clients + 1) / 2) // GOMAXPROCS 2 here: 16 goroutines
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := srv.Client()
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			postHTTP(b, c, srv.URL, typicalQuery)
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		b.ReportMetric(float64(latencies[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[n*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
	}
}

// BenchmarkCachedQuery compares a repeated anonymous query at an
// unchanged position (answered from the response cache) with a handler
// that writes the same bytes and does nothing else. The goal is at least
// half its throughput.
func BenchmarkCachedQuery(b *testing.B) {
	e := demoEnv(b)
	h := graphql.New(benchReadModel(b, e), e.store, graphql.Options{})
	fixed := postHTTP(b, httpServer(b, h).Client(), httpServer(b, h).URL, typicalQuery)
	var cachedNs, fixedNs float64
	b.Run("cached graphql", func(b *testing.B) {
		srv := httpServer(b, h)
		c := srv.Client()
		for b.Loop() {
			postHTTP(b, c, srv.URL, typicalQuery)
		}
		cachedNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("fixed bytes", func(b *testing.B) {
		srv := httpServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/graphql-response+json")
			_, _ = w.Write(fixed)
		}))
		c := srv.Client()
		for b.Loop() {
			postHTTP(b, c, srv.URL, typicalQuery)
		}
		fixedNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if cachedNs > 0 {
		b.Logf("cached %.0f µs, fixed bytes %.0f µs: %.2f× the fixed handler's throughput", cachedNs/1e3, fixedNs/1e3, fixedNs/cachedNs)
	}
}
