package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
	"github.com/pnyx-civic/pnyx/exports"
)

// kurrentServer starts the in-process KurrentDB test double, with the
// append limit docs/DEPLOYMENT.md asks of a real server.
func kurrentServer(t *testing.T) *kurrenttest.Server {
	t.Helper()
	srv, err := kurrenttest.Start(kurrenttest.Options{MaxAppendBytes: kurrentdb.DefaultMaxAppendBytes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// seedKurrent appends n meetings to the server at url and returns their
// positions.
func seedKurrent(t *testing.T, url string, n int) []events.Position {
	t.Helper()
	ctx := context.Background()
	s, err := kurrentdb.Open(ctx, url, kurrentdb.Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pos []events.Position
	for i := range n {
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(fmt.Sprintf(`{"place":"Συνεδρίαση %d"}`, i))}
		res, err := s.Append(ctx, fmt.Sprintf("meeting-%d", i), events.NoStream, ev)
		if err != nil {
			t.Fatal(err)
		}
		pos = append(pos, res.Position)
	}
	return pos
}

func TestServeOnKurrentDB(t *testing.T) {
	srv := kurrentServer(t)
	pos := seedKurrent(t, srv.URL(), 3)
	base, stop := startServe(t, t.TempDir(), "--store", srv.URL())

	t.Run("the change feed pages through the log by its positions, which have gaps", func(t *testing.T) {
		after := strconv.FormatUint(uint64(pos[0]), 10)
		code, h, body := fetch(t, base+"/v1/events?after="+after+"&limit=1")
		if code != 200 || h.Get(exports.HeaderNextAfter) != strconv.FormatUint(uint64(pos[1]), 10) ||
			h.Get(exports.HeaderHead) != strconv.FormatUint(uint64(pos[2]), 10) {
			t.Fatalf("%d %v %s", code, h, body)
		}
		evs := readLines(t, body)
		if len(evs) != 1 || evs[0].Position != pos[1] || !strings.Contains(string(evs[0].Data), "Συνεδρίαση 1") {
			t.Fatalf("page %+v", evs)
		}
		if pos[1] == pos[0]+1 {
			t.Fatalf("positions %v are dense: the test double should leave gaps", pos)
		}
	})
	t.Run("the projections catch up with the head and the read model serves it", func(t *testing.T) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, ans := readyz(t, base)
			if code == 200 && ans.ReadModel.ServingPosition != nil && *ans.ReadModel.ServingPosition == uint64(pos[2]) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("readyz %d %+v: the read model never served the head %d", code, ans, pos[2])
			}
			time.Sleep(20 * time.Millisecond) // polling an HTTP answer: there is no signal to wait on
		}
	})
	t.Run("an event appended while serving reaches the feed and the read model", func(t *testing.T) {
		more := seedKurrentStream(t, srv.URL(), "meeting-live")
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, ans := readyz(t, base)
			if code == 200 && ans.ReadModel.ServingPosition != nil && *ans.ReadModel.ServingPosition == uint64(more) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("readyz %+v: the read model never reached %d", ans, more)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("serve stops cleanly", func(t *testing.T) {
		if r := stop(); r.err != nil {
			t.Fatalf("serve returned %v\n%s", r.err, r.stderr)
		}
	})
}

func seedKurrentStream(t *testing.T, url, stream string) events.Position {
	t.Helper()
	s, err := kurrentdb.Open(context.Background(), url, kurrentdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Append(context.Background(), stream, events.NoStream,
		events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{"place":"Έκτακτη συνεδρίαση"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Position
}

func TestServeRefusesABadStoreSetting(t *testing.T) {
	cleanEnv(t)
	r := pnyx(t, context.Background(), nil, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--store", "mysql://db")
	if events.ErrorCode(r.err) != events.CodeInvalid || !strings.Contains(r.err.Error(), "store") {
		t.Fatalf("serve: %v; want an invalid store setting", r.err)
	}
}

func TestEventsCommandsOnKurrentDB(t *testing.T) {
	cleanEnv(t)
	srv := kurrentServer(t)
	ctx := context.Background()
	run := func(args ...string) result {
		return pnyx(t, ctx, nil, append(args, "--data-dir", t.TempDir(), "--store", srv.URL())...)
	}
	t.Run("events append writes to the server and events read reads it back", func(t *testing.T) {
		r := run("events", "append", "--stream", "xdecision-1", "--type", "xdecision.adopted", "--expected", "no-stream", "--data", `{"number":"12/2026"}`)
		if r.err != nil {
			t.Fatalf("append: %v\n%s", r.err, r.stderr)
		}
		r = run("events", "read", "--stream", "xdecision-1")
		evs := readLines(t, r.stdout)
		if r.err != nil || len(evs) != 1 || evs[0].Type != "xdecision.adopted" || !strings.Contains(string(evs[0].Data), "12/2026") {
			t.Fatalf("read: %v %+v", r.err, evs)
		}
		r = run("events", "read", "--all")
		if evs := readLines(t, r.stdout); r.err != nil || len(evs) != 1 {
			t.Fatalf("read --all: %v %+v", r.err, evs)
		}
	})
	t.Run("a wrong expected version is refused as a conflict", func(t *testing.T) {
		r := run("events", "append", "--stream", "xdecision-1", "--type", "xdecision.adopted", "--expected", "no-stream", "--data", `{}`)
		if events.ErrorCode(r.err) != events.CodeConflict {
			t.Fatalf("append: %v; want a conflict", r.err)
		}
	})
	t.Run("events stats measures the embedded file only and says so", func(t *testing.T) {
		if r := run("events", "stats"); events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("stats: %v; want invalid", r.err)
		}
	})
}
