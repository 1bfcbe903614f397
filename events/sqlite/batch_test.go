package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// TestGroupCommit drives the writer with a batch made on purpose: the first
// append holds the writer while the others queue, so they are committed
// together.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "events.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	recorded := events.Event{ID: events.NewEventID(), Type: "xvote.opened", Data: json.RawMessage(`{}`)}
	if _, err := s.Append(ctx, "xvote-1", events.NoStream, recorded); err != nil {
		t.Fatal(err)
	}

	batches := make(chan []*appendRequest, 4)
	release := make(chan struct{})
	s.onBatch = func(b []*appendRequest) {
		batches <- append([]*appendRequest(nil), b...)
		<-release
	}
	prepare := func(stream string, expected events.Expected, evs ...events.Event) *appendRequest {
		t.Helper()
		req, err := s.prepareAppend(ctx, stream, expected, evs)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	ev := func(typ string) events.Event {
		return events.Event{Type: typ, Data: json.RawMessage(`{"σχόλιο":"ναι"}`)}
	}

	holder := prepare("xvote-1", events.Exact(0), ev("xvote.ballot_cast"))
	s.appends <- holder
	if b := <-batches; len(b) != 1 {
		t.Fatalf("first batch has %d appends, want the holder alone", len(b))
	}
	group := []*appendRequest{
		prepare("xvote-2", events.NoStream, ev("xvote.opened"), ev("xvote.ballot_cast")),
		prepare("xvote-1", events.NoStream, ev("xvote.ballot_cast")),                          // wrong version
		prepare("xvote-3", events.Any, ev("xvote.opened"), recorded),                          // second id recorded
		prepare("xvote-1", events.Exact(0), ev("xvote.ballot_cast")),                          // the holder moved it to 1
		prepare("xvote-1", events.Exact(1), ev("xvote.ballot_cast"), ev("xvote.ballot_cast")), // sees the holder
		prepare("xvote-2", events.Exact(1), ev("xvote.closed")),                               // sees the first of the group
		prepare("xvote-1", events.NoStream, recorded),                                         // an idempotent retry
	}
	for _, req := range group {
		s.appends <- req
	}
	close(release)
	if b := <-batches; len(b) != len(group) {
		t.Fatalf("second batch has %d appends, want the %d queued together", len(b), len(group))
	}

	if out := <-holder.done; out.err != nil {
		t.Fatalf("holder: %v", out.err)
	}
	want := []struct {
		name string
		err  error
		res  events.AppendResult
	}{
		{"a new stream in the group is written", nil, events.AppendResult{NextVersion: 1, Position: 4}},
		{"a wrong version fails alone", events.ErrWrongExpectedVersion, events.AppendResult{}},
		{"a recorded id later in a batch fails alone and writes none of it", events.ErrDuplicateEventID, events.AppendResult{}},
		{"a stale exact version fails alone", events.ErrWrongExpectedVersion, events.AppendResult{}},
		{"an append sees the one committed before the group", nil, events.AppendResult{NextVersion: 3, Position: 6}},
		{"an append sees an earlier one of the same group", nil, events.AppendResult{NextVersion: 2, Position: 7}},
		{"an idempotent retry in the group returns the first result", nil, events.AppendResult{NextVersion: 0, Position: 1}},
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			out := <-group[i].done
			if w.err == nil && (out.err != nil || out.res != w.res) {
				t.Errorf("got %+v, %v; want %+v", out.res, out.err, w.res)
			}
			if w.err != nil && !errors.Is(out.err, w.err) {
				t.Errorf("got %v, want %v", out.err, w.err)
			}
		})
	}

	t.Run("the log stays gap-free after failures inside a group", func(t *testing.T) {
		all, err := s.ReadAll(ctx, events.ReadAllOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 7 {
			t.Fatalf("%d events, want 7", len(all))
		}
		for i, ev := range all {
			if ev.Position != events.Position(i+1) {
				t.Fatalf("event %d at position %d", i, ev.Position)
			}
		}
		if _, err := s.StreamVersion(ctx, "xvote-3"); !errors.Is(err, events.ErrStreamNotFound) {
			t.Errorf("xvote-3: %v, want not found", err)
		}
	})
}
