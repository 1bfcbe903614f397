// Package bench owns the benchmarks of the GraphQL API against a running
// server (`pnyx bench graphql`), each beside its baseline in the same run:
//
//   - the heavy query (50 decisions with every ballot of their votes and
//     each voter's name and faction) over HTTP, against the same rows read
//     by one hand-written SQL join over the read model file and encoded as
//     JSON;
//   - a typical page (20 decisions with title, date, item, vote result and
//     counts) from concurrent clients: p50, p99 and throughput;
//   - a repeated anonymous query at an unchanged position (the response
//     cache) against a handler on the same loopback, in a process of its
//     own (Options.ServeFixed), writing the bytes the server sent for it
//     as they went on the wire (the same headers and Content-Encoding, so
//     the client decodes the same answer from both).
//
// The heavy and typical queries are sent with Cache-Control: no-cache, so
// the server runs them afresh. Each pair alternates in rounds, so a change
// of the machine's load during the run weighs on both sides alike; the
// figures to read are the ratios.
package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// HeavyQuery and TypicalQuery are the two queries the goals are stated
// for.
const (
	HeavyQuery   = `{ decisions(first: 50) { edges { node { number title vote { result ballots { choice member { name faction } } } } } } }`
	TypicalQuery = `{ decisions(first: 20) { edges { node { number title adoptedAt item { title } vote { result yes no abstain } } } } }`
)

// Options say what to measure and how long.
type Options struct {
	// URL is the server's GraphQL endpoint, such as
	// http://127.0.0.1:8080/graphql.
	URL string
	// ReadModel is the server's read model file, opened read-only, for
	// the heavy query's baseline.
	ReadModel *sql.DB
	// Duration is how long each side of each pair runs, split in Rounds;
	// Clients is how many clients send the typical page at once.
	Duration time.Duration
	Rounds   int
	Clients  int
	// Progress receives a line as each measurement starts; nil discards.
	Progress io.Writer
	// ServeFixed serves the fixed-bytes baseline: a, to every request,
	// at the URL it returns until stop. It should run in a process of
	// its own, as the server does (see FixedServer): a baseline in the
	// client's own process answers it by a goroutine hand-off, without
	// the wake-up of another process that every request to the server
	// pays, and measured here it took half the time for that alone. Nil
	// serves it in this process.
	ServeFixed func(ctx context.Context, a Answer) (url string, stop func(), err error)
}

// Report is a run's figures.
type Report struct {
	LoadBefore, LoadAfter string // /proc/loadavg, "" where there is none

	HeavyGraphQL, HeavySQL time.Duration // per request
	TypicalClients         int
	TypicalP50, TypicalP99 time.Duration
	TypicalPerSecond       float64
	Cached, FixedBytes     time.Duration // per request
}

// HeavyRatio is the heavy query's time over its baseline's (goal ≤ 3).
func (r Report) HeavyRatio() float64 { return float64(r.HeavyGraphQL) / float64(r.HeavySQL) }

// CachedThroughput is the cached query's throughput as a share of the
// fixed-bytes handler's (goal ≥ 0.5).
func (r Report) CachedThroughput() float64 { return float64(r.FixedBytes) / float64(r.Cached) }

// Run measures the three pairs. It returns an invalid error for options it
// cannot run with, and the first failed request's error (an answer other
// than 200 without errors counts as failed).
func Run(ctx context.Context, o Options) (Report, error) {
	if o.URL == "" || o.ReadModel == nil {
		return Report{}, events.Invalidf("bench: give the server's GraphQL URL and its read model")
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.Clients <= 0 {
		o.Clients = 16
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	r := Report{LoadBefore: loadAverage(), TypicalClients: o.Clients}
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients}}
	defer c.CloseIdleConnections()
	slice := o.Duration / time.Duration(o.Rounds)

	// Warm both sides: the server's caches of parsed queries and pages,
	// and the baseline's.
	if _, err := post(ctx, c, o.URL, HeavyQuery, true); err != nil {
		return r, err
	}
	if _, err := HeavyBySQL(ctx, o.ReadModel); err != nil {
		return r, err
	}
	var gq, sq timing
	for i := range o.Rounds {
		fmt.Fprintf(o.Progress, "heavy query, round %d of %d: GraphQL over HTTP, then SQL join and JSON (%s each)\n", i+1, o.Rounds, slice)
		if err := gq.run(ctx, slice, func() error { _, err := post(ctx, c, o.URL, HeavyQuery, true); return err }); err != nil {
			return r, err
		}
		if err := sq.run(ctx, slice, func() error { _, err := HeavyBySQL(ctx, o.ReadModel); return err }); err != nil {
			return r, err
		}
	}
	r.HeavyGraphQL, r.HeavySQL = gq.mean(), sq.mean()

	fmt.Fprintf(o.Progress, "typical page, %d clients at once for %s\n", o.Clients, o.Duration)
	lat, elapsed, err := concurrently(ctx, o.Clients, o.Duration, func() error {
		_, err := post(ctx, c, o.URL, TypicalQuery, true)
		return err
	})
	if err != nil {
		return r, err
	}
	r.TypicalP50, r.TypicalP99 = lat[len(lat)/2], lat[len(lat)*99/100]
	r.TypicalPerSecond = float64(len(lat)) / elapsed.Seconds()

	fixed, err := wire(ctx, o.URL, TypicalQuery)
	if err != nil {
		return r, err
	}
	serve := o.ServeFixed
	if serve == nil {
		serve = func(_ context.Context, a Answer) (string, func(), error) { return serveFixed(a, nil, nil) }
	}
	fixedURL, stop, err := serve(ctx, fixed)
	if err != nil {
		return r, err
	}
	defer stop()
	var cq, fq timing
	for i := range o.Rounds {
		fmt.Fprintf(o.Progress, "repeated query, round %d of %d: response cache, then fixed bytes (%s each)\n", i+1, o.Rounds, slice)
		if err := cq.run(ctx, slice, func() error { _, err := post(ctx, c, o.URL, TypicalQuery, false); return err }); err != nil {
			return r, err
		}
		if err := fq.run(ctx, slice, func() error { _, err := post(ctx, c, fixedURL, TypicalQuery, false); return err }); err != nil {
			return r, err
		}
	}
	r.Cached, r.FixedBytes = cq.mean(), fq.mean()
	r.LoadAfter = loadAverage()
	return r, nil
}

// timing sums the requests of one side of a pair over its rounds.
type timing struct {
	n       int
	elapsed time.Duration
}

func (t *timing) run(ctx context.Context, d time.Duration, fn func() error) error {
	start := time.Now()
	for time.Since(start) < d {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
		t.n++
	}
	t.elapsed += time.Since(start)
	return nil
}

func (t *timing) mean() time.Duration {
	if t.n == 0 {
		return 0
	}
	return t.elapsed / time.Duration(t.n)
}

// concurrently runs fn from clients goroutines for d and returns every
// request's latency, sorted, and the time it took.
func concurrently(ctx context.Context, clients int, d time.Duration, fn func() error) ([]time.Duration, time.Duration, error) {
	var mu sync.Mutex
	var all []time.Duration
	var first error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Since(start) < d && ctx.Err() == nil {
				t0 := time.Now()
				if err := fn(); err != nil {
					mu.Lock()
					first = cmpOr(first, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first == nil {
		first = ctx.Err()
	}
	if first == nil && len(all) == 0 {
		first = events.Errorf(events.CodeUnavailable, "bench: no request finished in %s", d)
	}
	slices.Sort(all)
	return all, elapsed, first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// post sends query and returns the answer's body; fresh asks the server
// not to answer from its response cache.
func post(ctx context.Context, c *http.Client, url, query string, fresh bool) ([]byte, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, events.Invalidf("bench: url %q: %v", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if fresh {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, &events.Error{Code: events.CodeUnavailable, Message: "bench: the server does not answer", Err: err}
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
		return nil, &events.Error{Code: events.CodeUnavailable,
			Message: fmt.Sprintf("bench: %s answered %d: %.300s", url, resp.StatusCode, out), Err: err}
	}
	return out, nil
}

// Answer is one answer as it went on the wire: its headers and its body
// still encoded.
type Answer struct {
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// wire posts query as post does, with the Accept-Encoding that post's
// client sends, and returns the answer undecoded: what the fixed-bytes
// baseline sends back.
func wire(ctx context.Context, url, query string) (Answer, error) {
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer c.CloseIdleConnections()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, events.Invalidf("bench: url %q: %v", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "gzip") // what net/http's transport adds to post's requests
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, &events.Error{Code: events.CodeUnavailable, Message: "bench: the server does not answer", Err: err}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return Answer{}, &events.Error{Code: events.CodeUnavailable,
			Message: fmt.Sprintf("bench: %s answered %d", url, resp.StatusCode), Err: err}
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Vary"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	return Answer{Header: h, Body: out}, nil
}

// serveFixed serves a to every request on a loopback port (ln, or a new
// one when nil), after reading the request's body as the API does, on a
// server made by newServer (a bare one when nil).
func serveFixed(a Answer, ln net.Listener, newServer func(http.Handler) *http.Server) (string, func(), error) {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return "", nil, &events.Error{Code: events.CodeUnavailable, Message: "bench: listen on the loopback", Err: err}
		}
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range a.Header {
			w.Header()[k] = v
		}
		_, _ = w.Write(a.Body)
	})
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: h}
	if newServer != nil {
		srv = newServer(h)
	}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/graphql", func() { _ = srv.Close() }, nil
}

// FixedServer is the fixed-bytes baseline's own process (`pnyx bench
// fixed-bytes`, which the bench starts): it reads an Answer as one JSON
// line from in, serves it on a loopback port on a server made by
// newServer (the API's: server.NewHTTPServer), writes the URL to out as a
// line, and serves until in ends. It returns an invalid error for input
// that is not an Answer.
func FixedServer(in io.Reader, out io.Writer, newServer func(http.Handler) *http.Server) error {
	dec := json.NewDecoder(in)
	var a Answer
	if err := dec.Decode(&a); err != nil {
		return events.Invalidf("bench: the answer to serve: %v", err)
	}
	url, stop, err := serveFixed(a, nil, newServer)
	if err != nil {
		return err
	}
	defer stop()
	if _, err := fmt.Fprintln(out, url); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, in) // until the bench closes its end
	return nil
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
