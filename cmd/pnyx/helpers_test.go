package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// cleanEnv hides PNYX_* variables of the machine running the tests: an
// empty variable counts as unset.
func cleanEnv(t *testing.T) {
	t.Helper()
	t.Setenv(configEnv, "")
	for _, s := range settings {
		t.Setenv(s.Env(), "")
	}
}

// fixedClock starts at a fixed instant and advances a second per reading.
// Like time.Now it is safe for concurrent use: the server's parts share it.
func fixedClock() func() time.Time {
	var (
		mu sync.Mutex
		t  = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// result is what one pnyx invocation printed and returned.
type result struct {
	stdout, stderr string
	err            error
}

// pnyx executes the command tree with args, as main does, capturing output.
func pnyx(t *testing.T, ctx context.Context, c *cli, args ...string) result {
	t.Helper()
	return pnyxWithInput(t, ctx, c, strings.NewReader(""), args...)
}

// pnyxWithInput is pnyx with stdin as the standard input.
func pnyxWithInput(t *testing.T, ctx context.Context, c *cli, stdin io.Reader, args ...string) result {
	t.Helper()
	if c == nil {
		c = &cli{now: fixedClock()}
	}
	var out, errb bytes.Buffer
	root := newRootCommand(c)
	root.SetIn(stdin)
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(ctx)
	return result{stdout: out.String(), stderr: errb.String(), err: err}
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// adminToken records the first admin token of the data directory dir (by
// the installer, as pnyx token create does) and returns its secret.
func adminToken(t *testing.T, dir string) string {
	t.Helper()
	r := pnyx(t, context.Background(), nil, "token", "create", "--role", "admin", "--label", "test", "--data-dir", dir)
	if r.err != nil {
		t.Fatalf("pnyx token create: %v\n%s", r.err, r.stderr)
	}
	var out struct{ Secret string }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Secret == "" {
		t.Fatalf("pnyx token create printed %q: %v", r.stdout, err)
	}
	return out.Secret
}

// tokenIDOf is the id of the token whose secret is secret.
func tokenIDOf(secret string) string {
	rest := strings.TrimPrefix(secret, "pnyx.")
	return rest[:strings.LastIndexByte(rest, '.')]
}
