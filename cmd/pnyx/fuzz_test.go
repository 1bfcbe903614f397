package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// FuzzConfigFile feeds arbitrary pnyx.yaml contents to the configuration:
// the answer is a configuration or an invalid error, never a panic.
func FuzzConfigFile(f *testing.F) {
	for _, seed := range []string{
		layeredYAML,
		"listen: [\n",
		"log: debug\n",
		"store:\n  max_event_bytes: -1\n",
		"feed:\n  max_limit: 1e3\n",
		"http:\n  shutdown_timeout: 1h\n",
		"data_dir: !!binary aGVsbG8=\n",
		"{{{{",
		"\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, content string) {
		p := writeFile(t, t.TempDir(), "pnyx.yaml", content)
		_, err := loadFor(t, "--config", p)
		if err != nil && !errors.Is(err, events.ErrInvalid) {
			t.Fatalf("error %v does not match ErrInvalid", err)
		}
	})
}

// FuzzEventsAppend runs pnyx events append with arbitrary stream, type,
// data and expected version on a real store: it appends, or refuses with an
// invalid input or a conflict; never a panic or an internal error.
func FuzzEventsAppend(f *testing.F) {
	for _, seed := range [][4]string{
		{"xdecision-1", "xdecision.adopted", `{"text":"Έγκριση"}`, "any"},
		{"", "x", "{}", "no-stream"},
		{"s\x00", "a b", "[]", "-2"},
		{"μητρώο-1", "τύπος.γεγονότος", `{"a":` + "\"\xff\"}", "0"},
		{"s", "t", `{"a":1} {"b":2}`, "stream-exists"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	dir := filepath.Join(f.TempDir(), "data")
	f.Fuzz(func(t *testing.T, stream, typ, data, expected string) {
		r := pnyx(t, context.Background(), &cli{now: fixedClock()}, "events", "append", "--data-dir", dir,
			"--stream", stream, "--type", typ, "--data", data, "--expected", expected)
		switch events.ErrorCode(r.err) {
		case "", events.CodeInvalid, events.CodeConflict:
		default:
			t.Fatalf("append %q %q %q %q: %v", stream, typ, data, expected, r.err)
		}
	})
}
