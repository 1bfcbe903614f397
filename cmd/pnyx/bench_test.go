package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for pnyx where a command starts
// pnyx as a child process (bench graphql's fixed-bytes baseline).
func TestMain(m *testing.M) {
	if len(os.Args) >= 3 && os.Args[1] == "bench" && os.Args[2] == "fixed-bytes" {
		os.Exit(run(context.Background(), &cli{now: time.Now}, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBenchGraphQL runs pnyx bench graphql briefly against a running
// pnyx serve: it prints each goal's figures, and refuses a server that
// does not answer.
func TestBenchGraphQL(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	base, stop := startServe(t, dir)
	defer stop()
	deadline := time.Now().Add(time.Minute)
	for {
		if code, ans := readyz(t, base); code == 200 && ans.Ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve never became ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := pnyx(t, context.Background(), nil, "bench", "graphql", "--data-dir", dir, "--url", base+"/graphql",
		"--duration", "60ms", "--rounds", "2", "--clients", "2")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"heavy query", "ratio", "typical page", "p99", "req/s", "repeated query", "fixed bytes", "load average"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "round 2 of 2") {
		t.Errorf("no progress on the terminal:\n%s", r.stderr)
	}
	r = pnyx(t, context.Background(), nil, "bench", "graphql", "--data-dir", dir, "--url", "http://127.0.0.1:1/graphql", "--duration", "10ms")
	if r.err == nil {
		t.Fatalf("a server that does not answer measured: %s", r.stdout)
	}
}
