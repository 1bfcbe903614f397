package readmodel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
)

// TestAsOfCachedStreams checks AsOf answers from its cache of decoded
// streams against a ReadModel that has read nothing yet.
func TestAsOfCachedStreams(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	marks := e.scenario(t, 1)
	e.sync(t)
	asJSON := func(t *testing.T) func(readmodel.EntityState, error) string {
		return func(st readmodel.EntityState, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	cold := func(t *testing.T, stream string, at readmodel.Point) string {
		t.Helper()
		st, err := readmodel.NewReadModelQueries(e.db, e.store).AsOf(ctx, stream, at)
		return asJSON(t)(st, err)
	}

	t.Run("an earlier point after reading the whole stream folds only up to it", func(t *testing.T) {
		now := asJSON(t)(e.rm.AsOf(ctx, "decision-d1", readmodel.Point{}))
		at := readmodel.Point{Position: marks.beforeCorrection}
		if got, want := asJSON(t)(e.rm.AsOf(ctx, "decision-d1", at)), cold(t, "decision-d1", at); got != want {
			t.Errorf("cached:\n%s\nwant:\n%s", got, want)
		}
		if again := asJSON(t)(e.rm.AsOf(ctx, "decision-d1", readmodel.Point{})); again != now {
			t.Errorf("now read again:\n%s\nfirst:\n%s", again, now)
		}
	})
	t.Run("events appended after a read are folded in the next", func(t *testing.T) {
		before := asJSON(t)(e.rm.AsOf(ctx, "decision-d1", readmodel.Point{}))
		e.add(t, "decision-d1", day(4, 1), events.DecisionCorrected{Version: 3, Reason: "Τρίτη διόρθωση", Title: "Προϋπολογισμός 2027",
			Text: "Εγκρίνεται ο προϋπολογισμός, τρίτη έκδοση."})
		after := asJSON(t)(e.rm.AsOf(ctx, "decision-d1", readmodel.Point{}))
		if after == before {
			t.Fatal("the appended correction is missing")
		}
		if want := cold(t, "decision-d1", readmodel.Point{}); after != want {
			t.Errorf("cached:\n%s\nwant:\n%s", after, want)
		}
	})
	t.Run("concurrent reads at every point agree with cold reads", func(t *testing.T) {
		hist, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rm := readmodel.NewReadModelQueries(e.db, e.store)
		got := make([]string, len(hist))
		var wg sync.WaitGroup
		for round := range 4 {
			for i := range hist {
				wg.Go(func() {
					st, err := rm.AsOf(ctx, "decision-d1", readmodel.Point{Position: hist[(i+round)%len(hist)].Position})
					if err != nil {
						t.Error(err)
						return
					}
					if round == 0 {
						b, _ := json.Marshal(st)
						got[i] = string(b)
					}
				})
			}
		}
		wg.Wait()
		for i, h := range hist {
			if want := cold(t, "decision-d1", readmodel.Point{Position: h.Position}); got[i] != want {
				t.Errorf("%s:\n%s\nwant:\n%s", fmt.Sprint("as of ", h.Position), got[i], want)
			}
		}
	})
}
