package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestDemoRefusesBadInput(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	// fixedClock reads 2026-03-10: the default world, ending 2026-01-01,
	// is in its past.
	for _, tc := range []struct {
		rule string
		args []string
	}{
		{"a world ending after now is refused: it would be recorded before it happened", []string{"demo", "--end", "2026-06-01"}},
		{"an end that is not a date is refused", []string{"demo", "--end", "1/1/2026"}},
		{"years and events together are refused", []string{"demo", "--years", "1", "--events", "10"}},
		{"negative years are refused", []string{"demo", "--years", "-1"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := pnyx(t, ctx, nil, append(tc.args, "--data-dir", dir)...)
			if !errors.Is(r.err, events.ErrInvalid) || exitCode(r.err) != 2 {
				t.Fatalf("error %v, want an invalid input (exit code 2)", r.err)
			}
			if _, err := os.Stat(filepath.Join(dir, "events.db")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("an event store was created: %v", err)
			}
		})
	}
}
