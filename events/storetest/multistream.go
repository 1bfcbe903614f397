package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// multiStream checks AppendStreams: all parts or none, check-only parts,
// conflicts naming the part's stream, validation, retries, and racing
// callers resting on the same fact.
func (s suite) multiStream(t *testing.T) {
	ctx := context.Background()
	st := s.newStore(t)
	typ := "multi" + unique() + ".happened"
	cmd, fact, claim := "cmd-"+unique(), "fact-"+unique(), "multiclaim-"+unique()
	mustAppend(t, st, fact, events.NoStream, event(typ, 0))

	t.Run("every part is written, check-only parts answer their version", func(t *testing.T) {
		head := mustHead(t, st)
		res, err := st.AppendStreams(ctx,
			events.StreamAppend{Stream: cmd, Expected: events.NoStream, Events: []events.Event{event(typ, 1), event(typ, 2)}},
			events.StreamAppend{Stream: fact, Expected: events.Exact(0)},
			events.StreamAppend{Stream: claim, Expected: events.NoStream, Events: []events.Event{event(typ, 3)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 || res[0].NextVersion != 1 || res[1].NextVersion != 0 || res[2].NextVersion != 0 {
			t.Fatalf("results %+v", res)
		}
		if res[0].Position <= head || res[2].Position <= res[0].Position {
			t.Fatalf("positions %d, %d after head %d", res[0].Position, res[2].Position, head)
		}
		all := readAllAfter(t, st, events.ReadAllOptions{After: head})
		if len(all) != 3 || all[0].Stream != cmd || all[2].Stream != claim {
			t.Fatalf("log after the append: %+v", all)
		}
	})
	t.Run("a fact that moved refuses the whole append with the fact's stream", func(t *testing.T) {
		mustAppend(t, st, fact, events.Exact(0), event(typ, 4))
		head := mustHead(t, st)
		_, err := st.AppendStreams(ctx,
			events.StreamAppend{Stream: cmd, Expected: events.Exact(1), Events: []events.Event{event(typ, 5)}},
			events.StreamAppend{Stream: fact, Expected: events.Exact(0)})
		var wrong *events.WrongExpectedVersionError
		if !errors.As(err, &wrong) || wrong.Stream != fact || wrong.Actual != 1 {
			t.Fatalf("err = %v, want a wrong expected version on %s at 1", err, fact)
		}
		requireNotWritten(t, st, head, cmd, 1)
	})
	t.Run("a later part refused undoes the earlier parts", func(t *testing.T) {
		head := mustHead(t, st)
		_, err := st.AppendStreams(ctx,
			events.StreamAppend{Stream: cmd, Expected: events.Exact(1), Events: []events.Event{event(typ, 6)}},
			events.StreamAppend{Stream: claim, Expected: events.NoStream, Events: []events.Event{event(typ, 7)}})
		if !errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("err = %v", err)
		}
		requireNotWritten(t, st, head, cmd, 1)
		requireNotWritten(t, st, head, claim, 0)
	})
	t.Run("malformed calls are invalid and write nothing", func(t *testing.T) {
		head := mustHead(t, st)
		for name, parts := range map[string][]events.StreamAppend{
			"no parts":       nil,
			"no events":      {{Stream: fact, Expected: events.Any}},
			"a stream twice": {{Stream: cmd, Expected: events.Any, Events: []events.Event{event(typ, 8)}}, {Stream: cmd, Expected: events.Any}},
			"a bad event":    {{Stream: cmd, Expected: events.Any, Events: []events.Event{{Type: typ, Data: []byte("[1]")}}}, {Stream: fact, Expected: events.Any}},
		} {
			if _, err := st.AppendStreams(ctx, parts...); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("%s: err = %v, want invalid", name, err)
			}
		}
		requireNotWritten(t, st, head, cmd, 1)
	})
	t.Run("a retry of a recorded call writes nothing and answers the original results", func(t *testing.T) {
		stream, other := "retry-"+unique(), "retry-"+unique()
		parts := []events.StreamAppend{
			{Stream: stream, Expected: events.NoStream, Events: []events.Event{withID(event(typ, 9))}},
			{Stream: other, Expected: events.NoStream, Events: []events.Event{withID(event(typ, 10))}},
		}
		first, err := st.AppendStreams(ctx, parts...)
		if err != nil {
			t.Fatal(err)
		}
		head := mustHead(t, st)
		again, err := st.AppendStreams(ctx, parts...)
		if err != nil || len(again) != 2 || again[0] != first[0] || again[1] != first[1] {
			t.Fatalf("retry answered %+v, %v; first %+v", again, err, first)
		}
		requireNotWritten(t, st, head, stream, 0)
	})
	t.Run("of racing callers resting on the same fact, one succeeds", func(t *testing.T) {
		gate := "gate-" + unique()
		mustAppend(t, st, gate, events.NoStream, event(typ, 11))
		const racers = 8
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = st.AppendStreams(ctx,
					events.StreamAppend{Stream: "racer-" + unique(), Expected: events.NoStream, Events: []events.Event{event(typ, 12)}},
					events.StreamAppend{Stream: gate, Expected: events.Exact(0), Events: []events.Event{event(typ, 13)}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, events.ErrWrongExpectedVersion):
				t.Errorf("racer: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d racers succeeded, want 1", ok)
		}
	})
	t.Run("no caller resting on a fact only read lands after the fact moved", func(t *testing.T) {
		fact := "readfact-" + unique()
		mustAppend(t, st, fact, events.NoStream, event(typ, 14))
		const racers = 8
		var wg sync.WaitGroup
		res := make([][]events.AppendResult, racers)
		errs := make([]error, racers)
		var moved events.AppendResult
		var moveErr error
		wg.Add(racers + 1)
		go func() {
			defer wg.Done()
			moved, moveErr = st.Append(ctx, fact, events.Exact(0), event(typ, 15))
		}()
		for i := range racers {
			go func() {
				defer wg.Done()
				res[i], errs[i] = st.AppendStreams(ctx,
					events.StreamAppend{Stream: "reader-" + unique(), Expected: events.NoStream, Events: []events.Event{event(typ, 16)}},
					events.StreamAppend{Stream: fact, Expected: events.Exact(0)})
			}()
		}
		wg.Wait()
		if moveErr != nil {
			t.Fatal(moveErr)
		}
		for i, err := range errs {
			var wrong *events.WrongExpectedVersionError
			switch {
			case err == nil && res[i][0].Position >= moved.Position:
				t.Errorf("racer %d landed at %d, after the fact moved at %d", i, res[i][0].Position, moved.Position)
			case err != nil && (!errors.As(err, &wrong) || wrong.Stream != fact || wrong.Actual != 1):
				t.Errorf("racer %d: %v, want a wrong expected version on %s at 1", i, err, fact)
			}
		}
	})
}

func withID(ev events.Event) events.Event {
	ev.ID = uuid.Must(uuid.NewV7())
	return ev
}
