package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

func (s suite) appendAndRead(t *testing.T) {
	t.Run("every envelope field reads back as appended", func(t *testing.T) {
		store := s.newStore(t)
		ctx := context.Background()
		stream := "xdecision-" + unique()
		athens := time.FixedZone("EET", 2*3600)
		sent := events.Event{
			ID:            events.NewEventID(),
			Type:          "xdecision.adopted",
			Schema:        3,
			OccurredAt:    time.Date(2026, 3, 3, 19, 30, 15, 123456789, athens),
			Actor:         events.Actor{TokenID: "tok-1", Role: "secretariat"},
			CausationID:   events.NewEventID(),
			CorrelationID: events.NewEventID(),
			Data:          json.RawMessage(`{"number":"123/2026","text":"adopted"}`),
		}
		before := mustHead(t, store)
		res := mustAppend(t, store, stream, events.NoStream, sent)
		if res.NextVersion != 0 || res.Position <= before {
			t.Fatalf("result %+v after head %d: want version 0 and a position after the head", res, before)
		}

		fromStream, err := store.ReadStream(ctx, stream, events.ReadStreamOptions{})
		if err != nil || len(fromStream) != 1 {
			t.Fatalf("read stream: %v, %d events", err, len(fromStream))
		}
		fromAll, err := store.ReadAll(ctx, events.ReadAllOptions{After: before})
		if err != nil || len(fromAll) != 1 {
			t.Fatalf("read all: %v, %d events", err, len(fromAll))
		}
		for _, got := range []events.RecordedEvent{fromStream[0], fromAll[0]} {
			checkEnvelope(t, sent, got)
			if got.Stream != stream || got.Version != 0 || got.Position != res.Position {
				t.Errorf("got stream %q version %d position %d, want %q 0 %d", got.Stream, got.Version, got.Position, stream, res.Position)
			}
		}
		if h := mustHead(t, store); h != res.Position {
			t.Errorf("head is %d, want the appended position %d", h, res.Position)
		}
		if v, err := store.StreamVersion(ctx, stream); err != nil || v != 0 {
			t.Errorf("stream version: %d, %v; want 0", v, err)
		}
	})

	t.Run("zero id, schema and occurred time are filled in", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xmeeting-" + unique()
		mustAppend(t, store, stream, events.Any, events.Event{Type: "xmeeting.scheduled", Data: json.RawMessage(`{}`)})
		got, err := store.ReadStream(context.Background(), stream, events.ReadStreamOptions{})
		if err != nil || len(got) != 1 {
			t.Fatalf("read: %v, %d events", err, len(got))
		}
		ev := got[0]
		if ev.ID == uuid.Nil {
			t.Error("a zero id was not replaced")
		}
		if ev.Schema != 1 {
			t.Errorf("schema 0 read back as %d, want 1", ev.Schema)
		}
		if ev.RecordedAt.IsZero() || ev.RecordedAt.Location() != time.UTC {
			t.Errorf("recorded at %v: want a UTC time", ev.RecordedAt)
		}
		if !ev.OccurredAt.Equal(ev.RecordedAt) {
			t.Errorf("zero occurred time read back as %v, want the recorded time %v", ev.OccurredAt, ev.RecordedAt)
		}
	})

	t.Run("a batch gets consecutive versions and positions", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xvote-" + unique()
		before := mustHead(t, store)
		res := mustAppend(t, store, stream, events.NoStream, event("xvote.opened", 0), event("xvote.ballot_cast", 1), event("xvote.ballot_cast", 2))
		if res.NextVersion != 2 {
			t.Errorf("next version %d, want 2", res.NextVersion)
		}
		all := readAllAfter(t, store, events.ReadAllOptions{After: before})
		if len(all) != 3 || all[2].Position != res.Position {
			t.Fatalf("read %d events after %d, last at %v; want 3 ending at %d", len(all), before, all, res.Position)
		}
		s.checkOrder(t, all, before)
		if !slices.Equal(versions(all), []int64{0, 1, 2}) {
			t.Errorf("versions %v, want [0 1 2]", versions(all))
		}
	})

	t.Run("concurrent appends to many streams all land in one order", func(t *testing.T) {
		store := s.newStore(t)
		run := unique()
		before := mustHead(t, store)
		const writers, each = 32, 10
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				stream := "xbody-" + run + "-" + string(rune('a'+w%8))
				for i := range each {
					if _, err := store.Append(context.Background(), stream, events.Any, event("xbody.noted", w*each+i)); err != nil {
						t.Errorf("append: %v", err)
					}
				}
			})
		}
		wg.Wait()
		all := readAllAfter(t, store, events.ReadAllOptions{After: before})
		if len(all) != writers*each {
			t.Fatalf("read %d events, want %d", len(all), writers*each)
		}
		s.checkOrder(t, all, before)
		next := map[string]int64{}
		for _, ev := range all {
			if ev.Version != next[ev.Stream] {
				t.Fatalf("stream %s: version %d after %d events", ev.Stream, ev.Version, next[ev.Stream])
			}
			next[ev.Stream]++
		}
	})
}

// checkEnvelope compares what was sent with what was read back.
func checkEnvelope(t *testing.T, sent events.Event, got events.RecordedEvent) {
	t.Helper()
	if got.ID != sent.ID || got.Type != sent.Type || got.Schema != sent.Schema || got.Actor != sent.Actor ||
		got.CausationID != sent.CausationID || got.CorrelationID != sent.CorrelationID {
		t.Errorf("envelope differs:\n got %+v\nsent %+v", got, sent)
	}
	if string(got.Data) != string(sent.Data) {
		t.Errorf("data %s, want %s", got.Data, sent.Data)
	}
	if !got.OccurredAt.Equal(sent.OccurredAt) || got.OccurredAt.Location() != time.UTC {
		t.Errorf("occurred at %v, want %v in UTC", got.OccurredAt, sent.OccurredAt.UTC())
	}
	if got.RecordedAt.IsZero() || got.RecordedAt.Location() != time.UTC {
		t.Errorf("recorded at %v, want a UTC time", got.RecordedAt)
	}
}

func (s suite) expectedVersion(t *testing.T) {
	store := s.newStore(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		existing int // events already in the stream
		expected events.Expected
		actual   int64 // the version reported on refusal; -2 means accepted
	}{
		{"any appends to a new stream", 0, events.Any, -2},
		{"any appends to an existing stream", 2, events.Any, -2},
		{"no-stream appends to a new stream", 0, events.NoStream, -2},
		{"no-stream is refused on an existing stream", 2, events.NoStream, 1},
		{"stream-exists is refused on a new stream", 0, events.StreamExists, -1},
		{"stream-exists appends to an existing stream", 2, events.StreamExists, -2},
		{"the exact current version appends", 2, events.Exact(1), -2},
		{"an older exact version is refused", 2, events.Exact(0), 1},
		{"a newer exact version is refused", 2, events.Exact(5), 1},
		{"an exact version is refused on a new stream", 0, events.Exact(0), -1},
		{"exact -1 appends to a new stream", 0, events.Exact(-1), -2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stream := "xamendment-" + unique()
			for i := range tc.existing {
				mustAppend(t, store, stream, events.Any, event("xamendment.noted", i))
			}
			head := mustHead(t, store)
			res, err := store.Append(ctx, stream, tc.expected, event("xamendment.proposed", 9))
			if tc.actual == -2 {
				if err != nil {
					t.Fatalf("append: %v", err)
				}
				if want := int64(tc.existing); res.NextVersion != want {
					t.Errorf("next version %d, want %d", res.NextVersion, want)
				}
				return
			}
			var wrong *events.WrongExpectedVersionError
			if !errors.Is(err, events.ErrWrongExpectedVersion) || !errors.As(err, &wrong) {
				t.Fatalf("append: %v; want a *WrongExpectedVersionError", err)
			}
			if wrong.Actual != tc.actual || wrong.Stream != stream {
				t.Errorf("error reports stream %q actual %d, want %q %d", wrong.Stream, wrong.Actual, stream, tc.actual)
			}
			if events.ErrorCode(err) != events.CodeConflict {
				t.Errorf("code %q, want conflict", events.ErrorCode(err))
			}
			requireNotWritten(t, store, head, stream, int64(tc.existing)-1)
		})
	}
}

func (s suite) racingWriters(t *testing.T) {
	t.Run("sixteen writers with the same exact version: exactly one wins", func(t *testing.T) {
		store := s.newStore(t)
		stream := "xprocurement-" + unique()
		mustAppend(t, store, stream, events.NoStream, event("xprocurement.planned", 0))
		const racers = 16
		start := make(chan struct{})
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				_, errs[i] = store.Append(context.Background(), stream, events.Exact(0), event("xprocurement.tender_published", i))
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			var wrong *events.WrongExpectedVersionError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &wrong) && wrong.Actual == 1:
			default:
				t.Errorf("a losing writer got %v, want wrong expected version with actual 1", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d writers won, want exactly 1", wins)
		}
		if v, err := store.StreamVersion(context.Background(), stream); err != nil || v != 1 {
			t.Errorf("stream version %d, %v; want 1", v, err)
		}
	})
}
