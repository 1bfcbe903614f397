package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 2)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		rule   string
		ctx    context.Context
		args   []string
		code   int
		stderr string
	}{
		{"a command that succeeds exits 0", context.Background(), []string{"events", "stats"}, 0, ""},
		{"a refused input exits 2", context.Background(), []string{"events", "read", "--limit", "-1", "--all"}, 2, "pnyx: --limit -1"},
		{"a stream that is not there exits 1", context.Background(), []string{"events", "read", "--stream", "xmeeting-9"}, 1, "stream not found"},
		{"a command cut short by SIGINT or SIGTERM exits 130", cancelled, []string{"events", "read", "--all"}, exitInterrupted, "pnyx: interrupted"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			cleanEnv(t)
			var stdout, stderr bytes.Buffer
			code := run(tc.ctx, &cli{now: fixedClock()}, append(tc.args, "--data-dir", dir, "--log-format", "json"), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit code %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.stderr)
			}
		})
	}
}
