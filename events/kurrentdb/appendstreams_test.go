package kurrentdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
)

func xev(n int) events.Event {
	return events.Event{Type: "xcmd.happened", Data: json.RawMessage(`{"n":` + itoa(n) + `}`)}
}

// TestAFactThatMovesAfterTheStoreReadIt lets another writer append to a
// stream the command only read, after the store read it and before the
// server evaluates the write: the server's check of that read-only stream
// is what refuses (or, when the caller's condition still holds, sends the
// store to look again).
func TestAFactThatMovesAfterTheStoreReadIt(t *testing.T) {
	ctx := context.Background()
	var moveFact func()
	var requests atomic.Int32
	srv, err := kurrenttest.Start(kurrenttest.Options{MaxAppendBytes: kurrentdb.DefaultMaxAppendBytes, BeforeRecords: func() {
		if requests.Add(1) == 1 && moveFact != nil {
			moveFact()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	other := openStore(t, srv.URL(), kurrentdb.Options{})
	fresh := func(fact string) {
		requests.Store(0)
		moveFact = func() {
			if _, err := other.Append(ctx, fact, events.Any, xev(99)); err != nil {
				t.Errorf("the other writer: %v", err)
			}
		}
	}

	t.Run("an exact version that no longer holds refuses the whole append", func(t *testing.T) {
		fact, cmd := "xfact-1", "xcmd-1"
		mustAppendT(t, s, fact, events.NoStream, xev(0))
		fresh(fact)
		head, _ := s.Head(ctx)
		_, err := s.AppendStreams(ctx,
			events.StreamAppend{Stream: cmd, Expected: events.NoStream, Events: []events.Event{xev(1), xev(2)}},
			events.StreamAppend{Stream: fact, Expected: events.Exact(0)})
		var wrong *events.WrongExpectedVersionError
		if !errors.As(err, &wrong) || wrong.Stream != fact || wrong.Actual != 1 || wrong.Expected != events.Exact(0) {
			t.Fatalf("err = %v, want a wrong expected version on %s at 1", err, fact)
		}
		if requests.Load() != 1 {
			t.Fatalf("%d requests reached the server, want 1 (refused there)", requests.Load())
		}
		if _, err := s.StreamVersion(ctx, cmd); !errors.Is(err, events.ErrStreamNotFound) {
			t.Fatalf("the command's stream: %v, want none", err)
		}
		after, _ := s.ReadAll(ctx, events.ReadAllOptions{After: head})
		if len(after) != 1 || after[0].Stream != fact {
			t.Fatalf("the log after the refusal: %+v; want the other writer's event only", after)
		}
	})
	t.Run("a condition that still holds is checked again at the new version", func(t *testing.T) {
		fact, cmd := "xfact-2", "xcmd-2"
		mustAppendT(t, s, fact, events.NoStream, xev(0))
		fresh(fact)
		res, err := s.AppendStreams(ctx,
			events.StreamAppend{Stream: cmd, Expected: events.NoStream, Events: []events.Event{xev(1)}},
			events.StreamAppend{Stream: fact, Expected: events.StreamExists})
		if err != nil {
			t.Fatal(err)
		}
		if requests.Load() != 2 || res[0].NextVersion != 0 || res[1].NextVersion != 1 || res[1].Position != 0 {
			t.Fatalf("%d requests, results %+v; want 2 requests, the fact at its new version 1", requests.Load(), res)
		}
	})
}

func mustAppendT(t *testing.T, s events.Store, stream string, exp events.Expected, evs ...events.Event) events.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), stream, exp, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

// TestOneAppendIsOneRunOfTheLog appends across streams from several
// writers at once, beside single-stream appends, and follows the log: each
// call's events arrive together, in the call's order, each with its own
// position, ascending, and the positions the calls answered are theirs.
func TestOneAppendIsOneRunOfTheLog(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := s.SubscribeAll(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	const writers, calls = 4, 10
	type call struct {
		ids []uuid.UUID
		res []events.AppendResult
	}
	made := make([][]call, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range calls {
				own := "xcmd-" + itoa(w) + "-" + itoa(c)
				evs := []events.Event{xev(1), xev(2)}
				for i := range evs {
					evs[i].ID = events.NewEventID()
				}
				claim := events.Event{ID: events.NewEventID(), Type: "xclaim.taken", Data: json.RawMessage(`{}`)}
				res, err := s.AppendStreams(ctx,
					events.StreamAppend{Stream: own, Expected: events.NoStream, Events: evs},
					events.StreamAppend{Stream: "xclaim-" + itoa(w) + "-" + itoa(c), Expected: events.NoStream, Events: []events.Event{claim}},
					events.StreamAppend{Stream: "xcounter-" + itoa(w), Expected: events.Any, Events: []events.Event{xev(3)}})
				if err != nil {
					t.Errorf("writer %d call %d: %v", w, c, err)
					return
				}
				made[w] = append(made[w], call{ids: []uuid.UUID{evs[0].ID, evs[1].ID, claim.ID}, res: res})
				if _, err := s.Append(ctx, "xsingle-"+itoa(w), events.Any, xev(4)); err != nil {
					t.Errorf("single append: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	total := writers * calls * (4 + 1)
	var got []events.RecordedEvent
	for len(got) < total {
		batch, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("next after %d of %d: %v", len(got), total, err)
		}
		got = append(got, batch...)
	}
	at := map[uuid.UUID]int{}
	for i, ev := range got {
		if i > 0 && ev.Position <= got[i-1].Position {
			t.Fatalf("event %d at %d after %d: positions do not ascend", i, ev.Position, got[i-1].Position)
		}
		at[ev.ID] = i
	}
	t.Run("each call's events are one run of the log, in order", func(t *testing.T) {
		for w, cs := range made {
			for c, cl := range cs {
				i := at[cl.ids[0]]
				if at[cl.ids[1]] != i+1 || at[cl.ids[2]] != i+2 || !strings.HasPrefix(got[i+3].Stream, "xcounter-") {
					t.Fatalf("writer %d call %d: its events at %d, %d, %d, %d", w, c, i, at[cl.ids[1]], at[cl.ids[2]], i+3)
				}
				if cl.res[0].Position != got[i+1].Position || cl.res[1].Position != got[i+2].Position || cl.res[2].Position != got[i+3].Position {
					t.Fatalf("writer %d call %d answered positions %+v; the log has %d, %d, %d", w, c, cl.res, got[i+1].Position, got[i+2].Position, got[i+3].Position)
				}
			}
		}
	})
	t.Run("a read of the log sees what the subscription saw", func(t *testing.T) {
		all, err := s.ReadAll(ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil || len(all) != len(got) {
			t.Fatalf("%d events, %v; the subscription saw %d", len(all), err, len(got))
		}
		for i := range all {
			if all[i].ID != got[i].ID || all[i].Position != got[i].Position {
				t.Fatalf("event %d differs: %+v, %+v", i, all[i], got[i])
			}
		}
	})
}

func TestAppendStreamsKeepsTheEnvelope(t *testing.T) {
	srv := testServer(t)
	clock := time.Date(2026, 3, 10, 12, 0, 0, 987654321, time.UTC)
	s := openStore(t, srv.URL(), kurrentdb.Options{Now: func() time.Time { return clock }})
	ctx := context.Background()
	ev := events.Event{ID: events.NewEventID(), Type: "xdecision.adopted", Schema: 3, Data: json.RawMessage(`{"text":"Εγκρίνεται ομόφωνα"}`),
		OccurredAt: time.Date(2026, 3, 3, 19, 30, 0, 0, time.UTC), Actor: events.Actor{TokenID: "tok-γραμματεία", Role: "clerk"},
		CausationID: uuid.New(), CorrelationID: uuid.New()}
	if _, err := s.AppendStreams(ctx, events.StreamAppend{Stream: "xdecision-1", Expected: events.NoStream, Events: []events.Event{ev}},
		events.StreamAppend{Stream: "xclaim-1", Expected: events.NoStream, Events: []events.Event{xev(1)}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadStream(ctx, "xdecision-1", events.ReadStreamOptions{})
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	r := got[0]
	if r.ID != ev.ID || r.Type != ev.Type || r.Schema != 3 || !r.OccurredAt.Equal(ev.OccurredAt) || !r.RecordedAt.Equal(clock) ||
		r.Actor != ev.Actor || r.CausationID != ev.CausationID || r.CorrelationID != ev.CorrelationID || string(r.Data) != string(ev.Data) {
		t.Fatalf("read back %+v from %+v", r, ev)
	}
}

func TestStreamsDifferingOnlyInCaseAreRefused(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	ctx := context.Background()
	_, err := s.AppendStreams(ctx, events.StreamAppend{Stream: "xclaim-ada-ΨΩ", Expected: events.NoStream, Events: []events.Event{xev(1)}},
		events.StreamAppend{Stream: "xclaim-ada-ψω", Expected: events.NoStream, Events: []events.Event{xev(2)}})
	if !errors.Is(err, events.ErrInvalid) || srv.Len() != 0 {
		t.Fatalf("err = %v with %d events in the log; want invalid, nothing written", err, srv.Len())
	}
	// Final sigma and sigma are one letter ignoring case.
	_, err = s.AppendStreams(ctx, events.StreamAppend{Stream: "xclaim-όρος", Expected: events.NoStream, Events: []events.Event{xev(1)}},
		events.StreamAppend{Stream: "xclaim-όροσ", Expected: events.NoStream})
	if !errors.Is(err, events.ErrInvalid) || srv.Len() != 0 {
		t.Fatalf("err = %v with %d events in the log; want invalid, nothing written", err, srv.Len())
	}
}

func TestAServerBeforeAppendRecords(t *testing.T) {
	srv, err := kurrenttest.Start(kurrenttest.Options{Classic: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	ctx := context.Background()
	t.Run("an append across streams is refused, naming the version needed, and writes nothing", func(t *testing.T) {
		_, err := s.AppendStreams(ctx, events.StreamAppend{Stream: "xcmd-1", Expected: events.NoStream, Events: []events.Event{xev(1)}},
			events.StreamAppend{Stream: "xfact-1", Expected: events.Any})
		if events.ErrorCode(err) != events.CodeInternal || !strings.Contains(err.Error(), "26.1") || srv.Len() != 0 {
			t.Fatalf("err = %v, %d events; want internal naming KurrentDB 26.1, nothing written", err, srv.Len())
		}
	})
	t.Run("one stream's append works as before", func(t *testing.T) {
		if _, err := s.AppendStreams(ctx, events.StreamAppend{Stream: "xcmd-1", Expected: events.NoStream, Events: []events.Event{xev(1)}}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAnAppendWhoseAnswerIsLost holds the server's answer to an
// AppendRecords request past the store's deadline, then lets the request
// commit: the caller was told the store is unavailable, not that nothing
// was written, and the same call again (same ids) answers the recorded
// events, written once.
func TestAnAppendWhoseAnswerIsLost(t *testing.T) {
	hold := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	defer release()
	var held atomic.Bool
	srv, err := kurrenttest.Start(kurrenttest.Options{MaxAppendBytes: kurrentdb.DefaultMaxAppendBytes, BeforeRecords: func() {
		if held.CompareAndSwap(false, true) {
			<-hold
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s := openStore(t, srv.URL(), kurrentdb.Options{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	a, b := xev(1), xev(2)
	a.ID, b.ID = events.NewEventID(), events.NewEventID()
	parts := []events.StreamAppend{
		{Stream: "xcmd-1", Expected: events.NoStream, Events: []events.Event{a}},
		{Stream: "xclaim-1", Expected: events.NoStream, Events: []events.Event{b}},
	}
	if _, err := s.AppendStreams(ctx, parts...); events.ErrorCode(err) != events.CodeUnavailable {
		t.Fatalf("err = %v; want unavailable", err)
	}
	sub, err := s.SubscribeAll(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	release()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a guard against a hang
	defer cancel()
	for seen := 0; seen < 2; { // the held request commits once released
		batch, err := sub.Next(wctx)
		if err != nil {
			t.Fatalf("waiting for the held request to commit: %v", err)
		}
		seen += len(batch)
	}
	res, err := s.AppendStreams(ctx, parts...)
	if err != nil || res[0].NextVersion != 0 || res[1].NextVersion != 0 || res[1].Position <= res[0].Position || srv.Len() != 2 {
		t.Fatalf("the same call again: %+v, %v, %d events; want the recorded two", res, err, srv.Len())
	}
}
