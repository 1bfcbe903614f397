package kurrenttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
)

// These tests speak to the test double with the client alone, so that what
// the adapter relies on is pinned at the wire, apart from the adapter.

func client(t *testing.T) (*kurrenttest.Server, *kurrentdb.Client) {
	t.Helper()
	srv, err := kurrenttest.Start(kurrenttest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg, err := kurrentdb.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = func(kurrentdb.LogLevel, string, ...any) {}
	c, err := kurrentdb.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv, c
}

func ev(typ string) kurrentdb.EventData {
	return kurrentdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: kurrentdb.ContentTypeJson, Data: []byte(`{}`)}
}

func readAll(rs *kurrentdb.ReadStream, err error) ([]*kurrentdb.ResolvedEvent, error) {
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*kurrentdb.ResolvedEvent
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, re)
	}
}

func TestTheTestServerAtTheWire(t *testing.T) {
	ctx := context.Background()
	srv, c := client(t)
	first := ev("vote.opened")
	if _, err := c.AppendToStream(ctx, "vote-1", kurrentdb.AppendToStreamOptions{StreamState: kurrentdb.NoStream{}}, first, ev("vote.ballot_cast")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendToStream(ctx, "body-1", kurrentdb.AppendToStreamOptions{}, ev("body.registered")); err != nil {
		t.Fatal(err)
	}

	t.Run("a wrong expected revision is refused with the current revision in the client's message", func(t *testing.T) {
		_, err := c.AppendToStream(ctx, "vote-1", kurrentdb.AppendToStreamOptions{StreamState: kurrentdb.StreamRevision{Value: 0}}, ev("vote.closed"))
		var ke *kurrentdb.Error
		if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeWrongExpectedVersion || !strings.Contains(err.Error(), "but got '1'") {
			t.Fatalf("append: %v", err)
		}
	})
	t.Run("the same ids after the expected revision are a retry, not new events", func(t *testing.T) {
		if _, err := c.AppendToStream(ctx, "vote-1", kurrentdb.AppendToStreamOptions{StreamState: kurrentdb.NoStream{}}, first); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if srv.Len() != 3 {
			t.Errorf("%d events, want 3", srv.Len())
		}
	})
	t.Run("a stream read sends the commit position as unknown, as a real server's index does", func(t *testing.T) {
		evs, err := readAll(c.ReadStream(ctx, "vote-1", kurrentdb.ReadStreamOptions{}, 10))
		if err != nil || len(evs) != 2 {
			t.Fatalf("read: %v, %d events", err, len(evs))
		}
		if p := evs[0].Event.Position; p.Commit != math.MaxUint64 || p.Prepare == math.MaxUint64 || evs[0].Commit != nil {
			t.Errorf("position %+v, read position %v", p, evs[0].Commit)
		}
	})
	t.Run("a missing stream is not found", func(t *testing.T) {
		_, err := readAll(c.ReadStream(ctx, "vote-404", kurrentdb.ReadStreamOptions{}, 10))
		var ke *kurrentdb.Error
		if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeResourceNotFound {
			t.Fatalf("read: %v", err)
		}
	})
	t.Run("$all reads forwards from a position include it, backwards stop before it", func(t *testing.T) {
		all, err := readAll(c.ReadAll(ctx, kurrentdb.ReadAllOptions{}, 100))
		if err != nil || len(all) != 3 {
			t.Fatalf("read all: %v, %d events", err, len(all))
		}
		at := all[1].Event.Position
		fw, _ := readAll(c.ReadAll(ctx, kurrentdb.ReadAllOptions{From: at}, 100))
		bw, _ := readAll(c.ReadAll(ctx, kurrentdb.ReadAllOptions{From: at, Direction: kurrentdb.Backwards}, 100))
		if len(fw) != 2 || fw[0].Event.EventID != all[1].Event.EventID || len(bw) != 1 || bw[0].Event.EventID != all[0].Event.EventID {
			t.Errorf("forwards %d events, backwards %d", len(fw), len(bw))
		}
		if all[1].Event.Position.Commit == all[0].Event.Position.Commit+1 {
			t.Error("positions are dense; a real server's are not")
		}
	})
	t.Run("a filtered subscription delivers matching events, then live ones, until dropped", func(t *testing.T) {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		sub, err := c.SubscribeToAll(sctx, kurrentdb.SubscribeToAllOptions{From: kurrentdb.Start{},
			Filter: &kurrentdb.SubscriptionFilter{Type: kurrentdb.StreamFilterType, Prefixes: []string{"vote-"}}})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		next := func() *kurrentdb.SubscriptionEvent {
			for {
				se := sub.Recv()
				if se.EventAppeared != nil || se.SubscriptionDropped != nil {
					return se
				}
			}
		}
		for _, want := range []string{"vote.opened", "vote.ballot_cast"} {
			if se := next(); se.EventAppeared == nil || se.EventAppeared.Event.EventType != want {
				t.Fatalf("got %+v, want %s", se, want)
			}
		}
		if _, err := c.AppendToStream(ctx, "body-1", kurrentdb.AppendToStreamOptions{}, ev("body.member_joined")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AppendToStream(ctx, "vote-2", kurrentdb.AppendToStreamOptions{}, ev("vote.opened")); err != nil {
			t.Fatal(err)
		}
		if se := next(); se.EventAppeared == nil || se.EventAppeared.Event.StreamID != "vote-2" {
			t.Fatalf("got %+v, want the live event of vote-2 and not body-1's", se)
		}
		srv.Drop()
		se := next()
		var ke *kurrentdb.Error
		if se.SubscriptionDropped == nil || !errors.As(se.SubscriptionDropped.Error, &ke) || ke.Code() != kurrentdb.ErrorUnavailable {
			t.Fatalf("after Drop: %+v", se)
		}
	})
	t.Run("an append over MaxAppendBytes is refused as invalid", func(t *testing.T) {
		big := ev("decision.adopted")
		big.Data = []byte(`{"t":"` + strings.Repeat("x", 1<<20) + `"}`)
		_, err := c.AppendToStream(ctx, "decision-1", kurrentdb.AppendToStreamOptions{}, big)
		if err == nil || !strings.Contains(err.Error(), "maximum append size") {
			t.Fatalf("append: %v", err)
		}
	})
}

func TestAppendRecordsAtTheWire(t *testing.T) {
	ctx := context.Background()
	srv, c := client(t)
	if _, err := c.AppendToStream(ctx, "fact-1", kurrentdb.AppendToStreamOptions{StreamState: kurrentdb.NoStream{}}, ev("fact.recorded")); err != nil {
		t.Fatal(err)
	}
	rec := func(stream, typ string) kurrentdb.AppendRecord {
		e := ev(typ)
		e.Metadata = []byte(`{"pnyx":"envelope"}`)
		return kurrentdb.AppendRecord{Stream: stream, Record: e}
	}
	at := func(stream string, rev uint64) kurrentdb.StreamStateCheck {
		return kurrentdb.StreamStateCheck{Stream: stream, ExpectedState: kurrentdb.StreamRevision{Value: rev}}
	}
	none := func(stream string) kurrentdb.StreamStateCheck {
		return kurrentdb.StreamStateCheck{Stream: stream, ExpectedState: kurrentdb.NoStream{}}
	}

	t.Run("every failing check is reported, on streams written or only read, and nothing is written", func(t *testing.T) {
		_, err := c.AppendRecords(ctx, []kurrentdb.AppendRecord{rec("cmd-1", "cmd.done")},
			none("cmd-1"), at("fact-1", 3), kurrentdb.StreamStateCheck{Stream: "fact-404", ExpectedState: kurrentdb.StreamExists{}})
		var cv *kurrentdb.AppendConsistencyViolationError
		if !errors.As(err, &cv) || len(cv.Violations) != 2 {
			t.Fatalf("err = %v, want two violations", err)
		}
		if v := cv.Violations[0]; v.CheckIndex != 1 || v.Stream != "fact-1" || v.ActualState != (kurrentdb.StreamRevision{Value: 0}) {
			t.Errorf("first violation %+v", v)
		}
		if v := cv.Violations[1]; v.CheckIndex != 2 || v.ActualState != (kurrentdb.NoStream{}) {
			t.Errorf("second violation %+v", v)
		}
		if srv.Len() != 1 {
			t.Fatalf("%d events, want the fact alone", srv.Len())
		}
	})
	t.Run("records keep the request's order across streams, each with its own position", func(t *testing.T) {
		res, err := c.AppendRecords(ctx, []kurrentdb.AppendRecord{rec("cmd-1", "a"), rec("claim-1", "b"), rec("cmd-1", "c")},
			none("cmd-1"), none("claim-1"), at("fact-1", 0))
		if err != nil {
			t.Fatal(err)
		}
		all, err := readAll(c.ReadAll(ctx, kurrentdb.ReadAllOptions{}, 100))
		if err != nil || len(all) != 4 {
			t.Fatalf("%d events, %v", len(all), err)
		}
		for i, want := range []string{"a", "b", "c"} {
			if e := all[i+1].Event; e.EventType != want || (i > 0 && e.Position.Commit <= all[i].Event.Position.Commit) {
				t.Fatalf("event %d: %s at %+v", i+1, e.EventType, e.Position)
			}
		}
		if res.Position != int64(all[3].Event.Position.Commit) {
			t.Errorf("answered position %d, the last record is at %d", res.Position, all[3].Event.Position.Commit)
		}
		revs := map[string]int64{}
		for _, r := range res.Responses {
			revs[r.Stream] = r.StreamRevision
		}
		if len(revs) != 2 || revs["cmd-1"] != 1 || revs["claim-1"] != 0 {
			t.Errorf("revisions %v; want the streams written only", revs)
		}
	})
	t.Run("a classic read shows the properties as JSON with the server's own keys", func(t *testing.T) {
		evs, err := readAll(c.ReadStream(ctx, "claim-1", kurrentdb.ReadStreamOptions{}, 1))
		if err != nil || len(evs) != 1 {
			t.Fatalf("%v", err)
		}
		var props map[string]string
		if err := json.Unmarshal(evs[0].Event.UserMetadata, &props); err != nil || props["pnyx"] != "envelope" || props["$schema.name"] != "b" ||
			evs[0].Event.ContentType != "application/json" {
			t.Fatalf("metadata %s (%v), content type %s", evs[0].Event.UserMetadata, err, evs[0].Event.ContentType)
		}
	})
	t.Run("a request over MaxAppendBytes is refused whole", func(t *testing.T) {
		big := rec("cmd-2", "big")
		big.Record.Data = []byte(`{"t":"` + strings.Repeat("x", 1<<20) + `"}`)
		_, err := c.AppendRecords(ctx, []kurrentdb.AppendRecord{rec("cmd-2", "small"), big})
		var ke *kurrentdb.Error
		if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeAppendTransactionSizeExceeded || srv.Len() != 4 {
			t.Fatalf("err = %v, %d events", err, srv.Len())
		}
	})
}

func TestAClassicServerHasNoAppendRecords(t *testing.T) {
	srv, err := kurrenttest.Start(kurrenttest.Options{Classic: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg, err := kurrentdb.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = func(kurrentdb.LogLevel, string, ...any) {}
	c, err := kurrentdb.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.AppendRecords(context.Background(), []kurrentdb.AppendRecord{{Stream: "cmd-1", Record: ev("a")}})
	var ke *kurrentdb.Error
	if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeUnsupportedFeature {
		t.Fatalf("err = %v; want the client's unsupported feature", err)
	}
}
