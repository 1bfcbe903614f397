package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

// FuzzRunnerInput appends an event of any type and data the store accepts,
// then a good one, and checks that the runner either applies both (or
// skips the first as unknown) or stops at the first with a failed status:
// never a panic, never a silent skip of a known type.
func FuzzRunnerInput(f *testing.F) {
	f.Add("runnertest.noted", `{"text":"Προϋπολογισμός"}`)
	f.Add("runnertest.noted", `{"text":42}`)
	f.Add("runnertest.noted", `{"text":"poison","poison":true}`)
	f.Add("runnertest.noted", `{"text":"\u0000\ud800"}`)
	f.Add("runnertest.noted", `{}`)
	f.Add("future.unknown", `{"x":[1,2,3]}`)
	f.Fuzz(func(t *testing.T, typ, data string) {
		ctx := context.Background()
		e := newEnv(t)
		if _, err := e.store.Append(ctx, "fuzz-1", events.Any, events.Event{Type: typ, Data: json.RawMessage(data)}); err != nil {
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("append refused with %v, want an invalid error", err)
			}
			return
		}
		last := e.note(t, "fuzz-1", "after")
		r := newRunner(t, e, e.db, &tally{version: 1})
		start(t, r)
		err := r.WaitFor(ctx, last)
		s := statusOf(t, r, "tally")
		_, known := events.Spec(typ)
		switch {
		case err == nil:
			want := uint64(0)
			if !known {
				want = 1
			}
			if s.State != projections.StateCaughtUp || s.SkippedUnknown != want {
				t.Errorf("status %+v, want caught_up with %d skipped", s, want)
			}
		case events.ErrorCode(err) == events.CodeUnavailable:
			if !known || s.State != projections.StateFailed || s.Position != 0 || s.LastError == "" {
				t.Errorf("status %+v after %v, want failed at the fuzzed event of a known type", s, err)
			}
		default:
			t.Fatalf("WaitFor = %v", err)
		}
	})
}
