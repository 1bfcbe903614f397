package events_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

func handle(t testing.TB, s *events.Service, cmd events.Command, opts ...events.HandleOption) events.Handled {
	t.Helper()
	h, err := s.Handle(context.Background(), cmd, opts...)
	if err != nil {
		t.Fatalf("handle %T: %v", cmd, err)
	}
	return h
}

func TestServiceDecidesOnTheFoldedStream(t *testing.T) {
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	ctx := context.Background()

	t.Run("a new stream is created and later commands see its state", func(t *testing.T) {
		h := handle(t, s, openLedger{ID: "l1", Name: "Ταμείο", At: day(1)})
		if h.Result.NextVersion != 0 || len(h.EventIDs) != 1 || h.Replayed {
			t.Fatalf("open: %+v", h)
		}
		handle(t, s, postToLedger{ID: "l1", Amount: 600, At: day(2)})
		if _, err := s.Handle(ctx, postToLedger{ID: "l1", Amount: 500, At: day(3)}); events.ErrorCode(err) != events.CodeConflict {
			t.Fatalf("posting over the ceiling: got %v, want a conflict", err)
		}
		h = handle(t, s, postToLedger{ID: "l1", Amount: 400, At: day(3)})
		if h.Result.NextVersion != 2 {
			t.Fatalf("next version %d, want 2", h.Result.NextVersion)
		}
		if got := foldLedger(t, st, "l1"); got.Total != 1000 || got.Postings != 2 {
			t.Fatalf("folded ledger %+v", got)
		}
	})

	t.Run("a service without a cache folds from the log every time", func(t *testing.T) {
		cold := events.Unguarded(events.NewService(st, events.ServiceOptions{StateCacheSize: -1}))
		if _, err := cold.Handle(ctx, postToLedger{ID: "l1", Amount: 1, At: day(4)}); events.ErrorCode(err) != events.CodeConflict {
			t.Fatalf("the ledger is full: got %v, want a conflict", err)
		}
		handle(t, cold, closeLedger{ID: "l1", At: day(4)})
		if _, err := s.Handle(ctx, closeLedger{ID: "l1", At: day(5)}); events.ErrorCode(err) != events.CodeConflict {
			t.Fatalf("closing twice through a service with a stale cache: got %v, want a conflict", err)
		}
	})
}

func TestServiceRefusalsWriteNothing(t *testing.T) {
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	handle(t, s, openLedger{ID: "open", Name: "Α", At: day(1)})
	handle(t, s, openLedger{ID: "closed", Name: "Β", At: day(1)})
	handle(t, s, closeLedger{ID: "closed", At: day(2)})
	before := readAll(t, st)

	var nilCmd events.Command
	tests := []struct {
		name string
		cmd  events.Command
		code events.Code
	}{
		{"no command is invalid", nilCmd, events.CodeInvalid},
		{"a stream of no known aggregate is invalid", unknownKind{}, events.CodeInvalid},
		{"an empty stream name is invalid", emptyStream{}, events.CodeInvalid},
		{"a command without its time is invalid", postToLedger{ID: "open", Amount: 5}, events.CodeInvalid},
		{"a malformed amount is invalid", postToLedger{ID: "open", Amount: -5, At: day(3)}, events.CodeInvalid},
		{"posting to a missing ledger is not found", postToLedger{ID: "nope", Amount: 5, At: day(3)}, events.CodeNotFound},
		{"posting to a closed ledger is a conflict", postToLedger{ID: "closed", Amount: 5, At: day(3)}, events.CodeConflict},
		{"opening twice is a conflict", openLedger{ID: "open", Name: "Γ", At: day(3)}, events.CodeConflict},
		{"a motion on a missing ledger is not found", adoptMotion{ID: "m1", Ledger: "nope", Year: 2026, At: day(3)}, events.CodeNotFound},
		{"a motion on an open ledger is a conflict", adoptMotion{ID: "m1", Ledger: "open", Year: 2026, At: day(3)}, events.CodeConflict},
		{"a panicking rule is an internal error", explodeLedger{ID: "open", At: day(3)}, events.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := s.Handle(context.Background(), tt.cmd, events.WithIdempotencyKey("refused-"+tt.name))
			if got := events.ErrorCode(err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			}
			if len(h.EventIDs) != 0 || len(h.Payloads) != 0 {
				t.Fatalf("refused command returned events: %+v", h)
			}
			if after := readAll(t, st); len(after) != len(before) {
				t.Fatalf("log grew from %d to %d events", len(before), len(after))
			}
		})
	}
}

type unknownKind struct{}

func (unknownKind) Stream() string { return "nosuchkind-1" }

type emptyStream struct{}

func (emptyStream) Stream() string { return "" }

func TestServiceRetriesConflicts(t *testing.T) {
	ctx := context.Background()

	t.Run("a concurrent append is absorbed by deciding again on the new state", func(t *testing.T) {
		st := openStore(t)
		racy := &interceptor{Store: st, stream: "svcledger-l"}
		s := events.Unguarded(events.NewService(racy, events.ServiceOptions{}))
		other := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})
		var once sync.Once
		racy.setBefore(func() { once.Do(func() { handle(t, other, postToLedger{ID: "l", Amount: 300, At: day(2)}) }) })
		racy.appends.Store(0)

		handle(t, s, postToLedger{ID: "l", Amount: 700, At: day(2)})
		if n := racy.appends.Load(); n != 2 {
			t.Fatalf("%d appends, want 2 (one conflict, one retry)", n)
		}
		if got := foldLedger(t, st, "l"); got.Total != 1000 || got.Postings != 2 {
			t.Fatalf("folded %+v, want both postings", got)
		}
	})

	t.Run("the retry decides on the new state and may refuse", func(t *testing.T) {
		st := openStore(t)
		racy := &interceptor{Store: st, stream: "svcledger-l"}
		s := events.Unguarded(events.NewService(racy, events.ServiceOptions{}))
		other := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})
		var once sync.Once
		racy.setBefore(func() { once.Do(func() { handle(t, other, postToLedger{ID: "l", Amount: 600, At: day(2)}) }) })

		_, err := s.Handle(ctx, postToLedger{ID: "l", Amount: 700, At: day(2)})
		if events.ErrorCode(err) != events.CodeConflict || errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("got %v, want the ceiling's refusal", err)
		}
		if got := foldLedger(t, st, "l"); got.Total != 600 {
			t.Fatalf("folded %+v, want only the other posting", got)
		}
	})

	t.Run("a stream that keeps changing ends in a conflict after the retries", func(t *testing.T) {
		st := openStore(t)
		racy := &interceptor{Store: st, stream: "svcledger-l"}
		s := events.Unguarded(events.NewService(racy, events.ServiceOptions{}))
		other := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})
		racy.setBefore(func() { handle(t, other, postToLedger{ID: "l", Amount: 1, At: day(2)}) })
		racy.appends.Store(0)

		_, err := s.Handle(ctx, postToLedger{ID: "l", Amount: 100, At: day(2)})
		if events.ErrorCode(err) != events.CodeConflict || !errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("got %v, want a version conflict", err)
		}
		if n := racy.appends.Load(); n != 1+events.MaxConflictRetries {
			t.Fatalf("%d appends, want %d", n, 1+events.MaxConflictRetries)
		}
		if got := foldLedger(t, st, "l"); got.Total != int64(1+events.MaxConflictRetries) {
			t.Fatalf("folded %+v: only the competing postings may be recorded", got)
		}
	})

	t.Run("an explicit expected version is honoured and never retried", func(t *testing.T) {
		st := openStore(t)
		racy := &interceptor{Store: st, stream: "svcledger-l"}
		s := events.Unguarded(events.NewService(racy, events.ServiceOptions{}))
		other := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})

		h := handle(t, s, postToLedger{ID: "l", Amount: 10, At: day(2)}, events.WithExpectedVersion(events.Exact(0)))
		if h.Result.NextVersion != 1 {
			t.Fatalf("next version %d, want 1", h.Result.NextVersion)
		}
		racy.appends.Store(0)
		_, err := s.Handle(ctx, postToLedger{ID: "l", Amount: 10, At: day(2)}, events.WithExpectedVersion(events.Exact(0)))
		if events.ErrorCode(err) != events.CodeConflict || !errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("stale expected version: got %v, want a version conflict", err)
		}
		if n := racy.appends.Load(); n != 0 {
			t.Fatalf("%d appends for a stale expectation, want none", n)
		}

		racy.setBefore(func() { handle(t, other, postToLedger{ID: "l", Amount: 1, At: day(2)}) })
		_, err = s.Handle(ctx, postToLedger{ID: "l", Amount: 10, At: day(2)}, events.WithExpectedVersion(events.Exact(1)))
		if events.ErrorCode(err) != events.CodeConflict || !errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("raced expected version: got %v, want a version conflict", err)
		}
		if n := racy.appends.Load(); n != 1 {
			t.Fatalf("%d appends, want exactly one attempt", n)
		}
		if got := foldLedger(t, st, "l"); got.Total != 11 {
			t.Fatalf("folded %+v", got)
		}
	})

	t.Run("two services racing on one stream lose no update", func(t *testing.T) {
		st := openStore(t)
		a := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		b := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		handle(t, a, openLedger{ID: "l", Name: "Α", At: day(1)})
		var mu sync.Mutex
		var posted int64
		var wg sync.WaitGroup
		for _, s := range []*events.Service{a, b, a, b} {
			wg.Go(func() {
				for range 20 {
					_, err := s.Handle(ctx, postToLedger{ID: "l", Amount: 3, At: day(2)})
					switch events.ErrorCode(err) {
					case "":
						mu.Lock()
						posted += 3
						mu.Unlock()
					case events.CodeConflict:
					default:
						t.Errorf("post: %v", err)
					}
				}
			})
		}
		wg.Wait()
		if got := foldLedger(t, st, "l"); got.Total != posted || posted == 0 {
			t.Fatalf("folded total %d, acknowledged %d", got.Total, posted)
		}
	})
}

func TestServiceIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	first := handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)}, events.WithIdempotencyKey("req-open"))
	if !events.SameKey(first.EventIDs[0], events.DeterministicID("req-open", 0)) {
		t.Fatalf("event id %s is not derived from the key", first.EventIDs[0])
	}
	post := handle(t, s, postToLedger{ID: "l", Amount: 10, At: day(2)}, events.WithIdempotencyKey("req-post"))
	n := len(readAll(t, st))

	cases := []struct {
		name string
		s    *events.Service
		cmd  events.Command
		key  string
		want events.Handled
	}{
		{"a retried creation returns the original outcome", s, openLedger{ID: "l", Name: "Α", At: day(1)}, "req-open", first},
		{"a retried posting writes nothing though the rules would accept it", s, postToLedger{ID: "l", Amount: 10, At: day(2)}, "req-post", post},
		{"a retry through another service finds the original in the log", events.Unguarded(events.NewService(st, events.ServiceOptions{})), postToLedger{ID: "l", Amount: 10, At: day(2)}, "req-post", post},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.s.Handle(ctx, tc.cmd, events.WithIdempotencyKey(tc.key))
			if err != nil {
				t.Fatal(err)
			}
			if !h.Replayed || !slices.Equal(h.EventIDs, tc.want.EventIDs) || h.Result != tc.want.Result {
				t.Fatalf("got %+v, want a replay of %+v", h, tc.want)
			}
			if fmt.Sprint(h.Payloads) != fmt.Sprint(tc.want.Payloads) {
				t.Fatalf("payloads %v, want %v", h.Payloads, tc.want.Payloads)
			}
			if after := len(readAll(t, st)); after != n {
				t.Fatalf("log grew from %d to %d", n, after)
			}
		})
	}

	for _, tc := range []struct {
		name string
		s    *events.Service
		cmd  events.Command
	}{
		{"the key reused with other content is a conflict", s, postToLedger{ID: "l", Amount: 99, At: day(2)}},
		{"the key reused with another command type is a conflict", s, closeLedger{ID: "l", At: day(2)}},
		{"the key reused through another service is a conflict", events.Unguarded(events.NewService(st, events.ServiceOptions{})), postToLedger{ID: "l", Amount: 99, At: day(2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.Handle(ctx, tc.cmd, events.WithIdempotencyKey("req-post"))
			if events.ErrorCode(err) != events.CodeConflict || !strings.Contains(events.ErrorMessage(err), "already used") {
				t.Fatalf("err = %v, want a conflict saying the key was used for another command", err)
			}
			if after := len(readAll(t, st)); after != n {
				t.Fatalf("log grew from %d to %d", n, after)
			}
		})
	}

	t.Run("a retry after other commands still finds the original", func(t *testing.T) {
		handle(t, s, postToLedger{ID: "l", Amount: 1, At: day(3)})
		n := len(readAll(t, st))
		h := handle(t, s, postToLedger{ID: "l", Amount: 10, At: day(2)}, events.WithIdempotencyKey("req-post"))
		if !h.Replayed || h.Result != post.Result {
			t.Fatalf("got %+v", h)
		}
		if after := len(readAll(t, st)); after != n {
			t.Fatalf("log grew from %d to %d", n, after)
		}
	})

	t.Run("a retried numbered command takes no second number", func(t *testing.T) {
		handle(t, s, closeLedger{ID: "l", At: day(4)})
		m := handle(t, s, adoptMotion{ID: "m", Ledger: "l", Year: 2026, At: day(5)}, events.WithIdempotencyKey("req-motion"))
		if m.Number != 1 {
			t.Fatalf("number %d, want 1", m.Number)
		}
		again := handle(t, s, adoptMotion{ID: "m", Ledger: "l", Year: 2026, At: day(5)}, events.WithIdempotencyKey("req-motion"))
		if !again.Replayed || again.EventIDs[0] != m.EventIDs[0] {
			t.Fatalf("got %+v", again)
		}
		v, err := st.StreamVersion(ctx, "counter-svcmotion-2026")
		if err != nil || v != 0 {
			t.Fatalf("counter version %d (%v), want 0: one number taken", v, err)
		}
	})
}

func TestServiceFacts(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	other := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})

	t.Run("a rule on another stream reads that stream's state", func(t *testing.T) {
		if _, err := s.Handle(ctx, adoptMotion{ID: "m", Ledger: "l", Year: 2026, At: day(2)}); events.ErrorCode(err) != events.CodeConflict {
			t.Fatalf("motion on an open ledger: got %v, want a conflict", err)
		}
	})
	t.Run("a fact changed by another writer is read fresh, not from the cache", func(t *testing.T) {
		handle(t, other, closeLedger{ID: "l", At: day(3)})
		h := handle(t, s, adoptMotion{ID: "m", Ledger: "l", Year: 2026, At: day(4)})
		if h.Number != 1 || h.Payloads[0] != (svcMotionAdopted{Number: 1, Ledger: "l"}) {
			t.Fatalf("got %+v", h)
		}
	})
	t.Run("a refusal on a stale cached state is checked against the log", func(t *testing.T) {
		handle(t, s, openLedger{ID: "l2", Name: "Β", At: day(5)})
		handle(t, s, closeLedger{ID: "l2", At: day(5)}) // s caches a closed ledger
		handle(t, other, reopenLedger{ID: "l2", At: day(6)})
		h := handle(t, s, postToLedger{ID: "l2", Amount: 1, At: day(6)})
		if h.Result.NextVersion != 3 {
			t.Fatalf("got %+v", h)
		}
	})
}

func TestServiceNumbersAreUniqueAndConsecutive(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	handle(t, s, openLedger{ID: "l", Name: "Α", At: day(1)})
	handle(t, s, closeLedger{ID: "l", At: day(1)})

	const n = 16
	numbers := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			h, err := s.Handle(ctx, adoptMotion{ID: fmt.Sprint("m", i), Ledger: "l", Year: 2026, At: day(2)})
			if err != nil {
				t.Error(err)
				return
			}
			numbers[i] = h.Number
		})
	}
	wg.Wait()
	slices.Sort(numbers)
	for i, got := range numbers {
		if got != int64(i+1) {
			t.Fatalf("numbers %v, want 1..%d", numbers, n)
		}
	}

	t.Run("each number in the counter names the stream that took it", func(t *testing.T) {
		counter, err := st.ReadStream(ctx, "counter-svcmotion-2026", events.ReadStreamOptions{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(counter) != n {
			t.Fatalf("%d counter events, want %d", len(counter), n)
		}
		for _, re := range counter {
			p, err := events.Decode(re)
			if err != nil {
				t.Fatal(err)
			}
			adv := p.(events.CounterAdvanced)
			if adv.Number != re.Version+1 {
				t.Fatalf("counter version %d holds number %d", re.Version, adv.Number)
			}
			m, err := st.ReadStream(ctx, adv.For, events.ReadStreamOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := events.Decode(m[0])
			if got.(svcMotionAdopted).Number != adv.Number {
				t.Fatalf("%s has number %d, counter says %d", adv.For, got.(svcMotionAdopted).Number, adv.Number)
			}
		}
	})

	t.Run("numbers of another year start again at one", func(t *testing.T) {
		h := handle(t, s, adoptMotion{ID: "next-year", Ledger: "l", Year: 2027, At: day(3)})
		if h.Number != 1 {
			t.Fatalf("number %d", h.Number)
		}
	})
}

func TestServiceRecordsMetadata(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	actor := events.Actor{TokenID: "tok-7", Role: "clerk"}
	corr, cause := uuid.MustParse("0190d6a4-0000-7000-8000-000000000001"), uuid.MustParse("0190d6a4-0000-7000-8000-000000000002")
	at := time.Date(2026, 3, 3, 14, 30, 0, 0, time.FixedZone("EET", 2*60*60))

	t.Run("actor, correlation, causation and both times are recorded", func(t *testing.T) {
		h := handle(t, s, openLedger{ID: "l", Name: "Δημοτικό Ταμείο", At: at},
			events.WithActor(actor), events.WithCorrelationID(corr), events.WithCausationID(cause))
		re := readAll(t, st)[0]
		if re.ID != h.EventIDs[0] || re.Actor != actor || re.CorrelationID != corr || re.CausationID != cause {
			t.Fatalf("recorded %+v", re)
		}
		if !re.OccurredAt.Equal(at) || re.OccurredAt.Location() != time.UTC {
			t.Fatalf("occurred_at %v, want %v in UTC", re.OccurredAt, at)
		}
		if !re.RecordedAt.Equal(recordedAt) {
			t.Fatalf("recorded_at %v, want the store's clock %v", re.RecordedAt, recordedAt)
		}
	})
	t.Run("the correlation id defaults to the command's first event", func(t *testing.T) {
		h := handle(t, s, postToLedger{ID: "l", Amount: 5, At: day(4)})
		all := readAll(t, st)
		re := all[len(all)-1]
		if re.CorrelationID != h.EventIDs[0] || re.CausationID != uuid.Nil || re.Actor != (events.Actor{}) {
			t.Fatalf("recorded %+v", re)
		}
	})
	t.Run("the counter event shares the command's metadata", func(t *testing.T) {
		handle(t, s, closeLedger{ID: "l", At: day(5)})
		h := handle(t, s, adoptMotion{ID: "m", Ledger: "l", Year: 2026, At: day(6)}, events.WithActor(actor), events.WithCausationID(cause))
		c, err := st.ReadStream(ctx, "counter-svcmotion-2026", events.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c[0].Actor != actor || c[0].CausationID != cause || c[0].CorrelationID != h.EventIDs[0] || !c[0].OccurredAt.Equal(day(6)) {
			t.Fatalf("counter event %+v", c[0])
		}
	})
}
