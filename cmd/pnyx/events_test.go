package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// readLines decodes NDJSON output into recorded events.
func readLines(t *testing.T, out string) []events.RecordedEvent {
	t.Helper()
	var evs []events.RecordedEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var ev events.RecordedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestVersion(t *testing.T) {
	cleanEnv(t)
	t.Run("version names the build and the Go release", func(t *testing.T) {
		r := pnyx(t, context.Background(), nil, "version")
		if r.err != nil || r.stdout != "pnyx dev "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n" {
			t.Fatalf("got %q, err %v", r.stdout, r.err)
		}
	})
	t.Run("version works even when pnyx.yaml is broken", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		writeFile(t, dir, "pnyx.yaml", "nonsense: [\n")
		if r := pnyx(t, context.Background(), nil, "version"); r.err != nil {
			t.Fatal(r.err)
		}
		if r := pnyx(t, context.Background(), nil, "events", "stats"); !errors.Is(r.err, events.ErrInvalid) {
			t.Fatalf("stats with a broken pnyx.yaml: %v, want an invalid error", r.err)
		}
	})
}

func TestEventsCommands(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	run := func(args ...string) result {
		return pnyx(t, ctx, nil, append(args, "--data-dir", dir)...)
	}

	appends := []struct {
		stream, typ, data, expected, want string
	}{
		{"xdecision-1", "xdecision.adopted", `{"number":"12/2026","text":"Έγκριση προϋπολογισμού"}`, "no-stream", `{"next_version":0,"position":1}`},
		{"xmeeting-7", "xmeeting.scheduled", `{"title":"Τακτική συνεδρίαση"}`, "any", `{"next_version":0,"position":2}`},
		{"xdecision-1", "xdecision.published", `{"ada":"ΨΘ2Ω46ΜΓΘΓ-ΑΒΓ"}`, "0", `{"next_version":1,"position":3}`},
		{"xdecision-1", "xdecision.corrected", `{"version":2,"reason":"τυπογραφικό λάθος"}`, "stream-exists", `{"next_version":2,"position":4}`},
	}
	t.Run("append prints the append result as JSON", func(t *testing.T) {
		for _, a := range appends {
			r := run("events", "append", "--stream", a.stream, "--type", a.typ, "--data", a.data, "--expected", a.expected)
			if r.err != nil {
				t.Fatalf("append %s: %v", a.typ, r.err)
			}
			if got := strings.TrimSpace(r.stdout); got != a.want {
				t.Fatalf("append %s printed %s, want %s", a.typ, got, a.want)
			}
		}
	})

	t.Run("append --data - reads data of exactly the size limit from standard input", func(t *testing.T) {
		// 1 MiB does not fit on a command line (Linux allows 128 KiB per argument).
		const head, tail = `{"text":"`, `"}`
		body := strings.Repeat("Δήμος ", (events.DefaultMaxEventBytes-len(head)-len(tail))/len("Δήμος "))
		body += strings.Repeat("x", events.DefaultMaxEventBytes-len(head)-len(tail)-len(body))
		data := head + body + tail
		dir := filepath.Join(t.TempDir(), "data") // its own log: the subtests below count events
		r := pnyxWithInput(t, ctx, nil, strings.NewReader(data+"\n"),
			"events", "append", "--stream", "xminutes-1", "--type", "xmeeting.minutes_published", "--data", "-", "--data-dir", dir)
		if r.err != nil {
			t.Fatalf("append: %v", r.err)
		}
		var res events.AppendResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("append printed %q: %v", r.stdout, err)
		}
		r = pnyx(t, ctx, nil, "events", "read", "--stream", "xminutes-1", "--data-dir", dir)
		var ev events.RecordedEvent
		if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil || string(ev.Data) != data || ev.Position != res.Position {
			t.Fatalf("read back %d bytes at %d (%v); want the %d bytes appended at %d", len(ev.Data), ev.Position, err, len(data), res.Position)
		}
	})
	t.Run("read --stream writes the stream as NDJSON from a version", func(t *testing.T) {
		evs := readLines(t, run("events", "read", "--stream", "xdecision-1").stdout)
		if len(evs) != 3 || evs[0].Type != "xdecision.adopted" || evs[2].Version != 2 {
			t.Fatalf("read %+v", evs)
		}
		if !strings.Contains(string(evs[0].Data), "Έγκριση προϋπολογισμού") {
			t.Fatalf("Greek text changed: %s", evs[0].Data)
		}
		if evs[0].Actor != (events.Actor{TokenID: "cli", Role: "operator"}) || evs[0].RecordedAt.IsZero() {
			t.Fatalf("envelope %+v", evs[0])
		}
		evs = readLines(t, run("events", "read", "--stream", "xdecision-1", "--from", "1", "--limit", "1").stdout)
		if len(evs) != 1 || evs[0].Version != 1 {
			t.Fatalf("read from version 1, limit 1: %+v", evs)
		}
	})

	t.Run("read --all --from N starts at position N", func(t *testing.T) {
		evs := readLines(t, run("events", "read", "--all", "--from", "2").stdout)
		if len(evs) != 3 || evs[0].Position != 2 || evs[2].Position != 4 {
			t.Fatalf("read %+v", evs)
		}
		if evs := readLines(t, run("events", "read", "--all").stdout); len(evs) != 4 {
			t.Fatalf("read all: %d events, want 4", len(evs))
		}
		if evs := readLines(t, run("events", "read", "--all", "--from", "5").stdout); len(evs) != 0 {
			t.Fatalf("read past the head: %+v", evs)
		}
	})

	t.Run("read --all filters by type and stream prefix", func(t *testing.T) {
		evs := readLines(t, run("events", "read", "--all", "--type-prefix", "xdecision.").stdout)
		if len(evs) != 3 {
			t.Fatalf("type prefix xdecision.: %d events, want 3", len(evs))
		}
		evs = readLines(t, run("events", "read", "--all", "--stream-prefix", "xmeeting-", "--limit", "5").stdout)
		if len(evs) != 1 || evs[0].Stream != "xmeeting-7" {
			t.Fatalf("stream prefix xmeeting-: %+v", evs)
		}
	})

	t.Run("stats counts events and streams and measures the file", func(t *testing.T) {
		r := run("events", "stats")
		var st storeStats
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("stats %q: %v (err %v)", r.stdout, err, r.err)
		}
		if st.Events != 4 || st.Head != 4 || st.Streams != 2 || st.FileBytes <= 0 || st.Path != filepath.Join(dir, "events.db") {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("an append with the same id is idempotent", func(t *testing.T) {
		args := []string{"events", "append", "--stream", "xmeeting-8", "--type", "xmeeting.scheduled", "--data", `{}`,
			"--id", "0195a6f0-0000-7000-8000-000000000001", "--occurred-at", "2026-03-03T18:00:00+02:00"}
		first, second := run(args...), run(args...)
		if first.err != nil || second.err != nil || first.stdout != second.stdout {
			t.Fatalf("first %q %v, second %q %v", first.stdout, first.err, second.stdout, second.err)
		}
		evs := readLines(t, run("events", "read", "--stream", "xmeeting-8").stdout)
		if len(evs) != 1 || evs[0].OccurredAt.Format("15:04Z07:00") != "16:00Z" {
			t.Fatalf("read %+v", evs)
		}
	})

	t.Run("a wrong expected version is a conflict and writes nothing", func(t *testing.T) {
		r := run("events", "append", "--stream", "xdecision-1", "--type", "x.y", "--data", `{}`, "--expected", "no-stream")
		if !errors.Is(r.err, events.ErrWrongExpectedVersion) || exitCode(r.err) != 1 {
			t.Fatalf("error %v, want a wrong expected version", r.err)
		}
		if evs := readLines(t, run("events", "read", "--stream", "xdecision-1").stdout); len(evs) != 3 {
			t.Fatalf("stream now has %d events, want 3", len(evs))
		}
	})

	t.Run("reading a stream that does not exist is not found", func(t *testing.T) {
		r := run("events", "read", "--stream", "xdecision-404")
		if events.ErrorCode(r.err) != events.CodeNotFound {
			t.Fatalf("error %v, want not found", r.err)
		}
	})
}

func TestEventsCommandsRefuseBadInput(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	ok := []string{"--stream", "xdecision-1", "--type", "xdecision.adopted", "--data", `{"a":1}`}
	with := func(flag, value string) []string {
		args := append([]string{"events", "append"}, ok...)
		for i := range args {
			if args[i] == flag {
				args[i+1] = value
				return args
			}
		}
		return append(args, flag, value)
	}
	for _, tc := range []struct {
		rule string
		args []string
	}{
		{"data that is not JSON is refused", with("--data", "{not json")},
		{"data that is not an object is refused", with("--data", `[1,2]`)},
		{"an empty type is refused", with("--type", "")},
		{"a type with a space is refused", with("--type", "decision adopted")},
		{"an expected version that is not one is refused", with("--expected", "latest")},
		{"an id that is not a UUID is refused", with("--id", "42")},
		{"an occurred-at that is not RFC 3339 is refused", with("--occurred-at", "3/3/2026")},
		{"data over the size limit is refused", with("--max-event-bytes", "4")},
		{"data on standard input over the size limit is refused", append(with("--data", "-"), "--max-event-bytes", "4")},
		{"a missing stream is refused", []string{"events", "append", "--type", "a.b", "--data", "{}"}},
		{"an unknown flag is refused", with("--strem", "x")},
		{"an argument is refused", append(with("--type", "a.b"), "extra")},
		{"read needs --stream or --all", []string{"events", "read"}},
		{"read takes --stream or --all, not both", []string{"events", "read", "--all", "--stream", "s"}},
		{"a negative --from is refused", []string{"events", "read", "--all", "--from", "-1"}},
		{"a negative --limit is refused", []string{"events", "read", "--all", "--limit", "-1"}},
		{"prefixes filter --all only", []string{"events", "read", "--stream", "s", "--type-prefix", "a"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			r := pnyx(t, ctx, nil, append(tc.args, "--data-dir", dir)...)
			if !errors.Is(r.err, events.ErrInvalid) || exitCode(r.err) != 2 {
				t.Fatalf("error %v, want an invalid input (exit code 2)", r.err)
			}
			if r.stdout != "" {
				t.Fatalf("printed %q", r.stdout)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the data directory was created: %v", err)
			}
		})
	}

	t.Run("standard input far over the size limit is refused without reading it all", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		endless := io.MultiReader(strings.NewReader(`{"text":"`), neverEnding('a'))
		r := pnyxWithInput(t, ctx, nil, endless, append(with("--data", "-"), "--max-event-bytes", "1024", "--data-dir", dir)...)
		if !errors.Is(r.err, events.ErrInvalid) || !strings.Contains(r.err.Error(), "over the limit of 1024") {
			t.Fatalf("error %v, want an invalid input over the limit", r.err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the data directory was created: %v", err)
		}
	})

	t.Run("read and stats do not create a store that is missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		for _, args := range [][]string{{"events", "stats"}, {"events", "read", "--all"}} {
			r := pnyx(t, ctx, nil, append(args, "--data-dir", dir)...)
			if events.ErrorCode(r.err) != events.CodeNotFound {
				t.Fatalf("%v: error %v, want not found", args, r.err)
			}
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the data directory was created: %v", err)
		}
	})
}

// neverEnding is a reader of one byte repeated without end.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
