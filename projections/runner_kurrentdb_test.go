package projections_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
	"github.com/pnyx-civic/pnyx/projections"
)

// TestRunnerOnKurrentDBAcrossStreams runs the runner on a KurrentDB log
// written, while it follows, by atomic appends across streams beside
// appends to one stream: it applies every event once, in the log's order.
func TestRunnerOnKurrentDBAcrossStreams(t *testing.T) {
	srv, err := kurrenttest.Start(kurrenttest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx := context.Background()
	st, err := kurrentdb.Open(ctx, srv.URL(), kurrentdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db := openReadModel(t, filepath.Join(t.TempDir(), "readmodel.db"))
	r, err := projections.NewRunner(db, st, []projections.Projection{&tally{version: 1}}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	start(t, r)
	note := func(s string) events.Event { return event(t, noted{Text: s}) }
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				tag := fmt.Sprintf("%d-%d", w, i)
				if _, err := st.AppendStreams(ctx,
					events.StreamAppend{Stream: "cmd-" + tag, Expected: events.NoStream, Events: []events.Event{note(tag + "a"), note(tag + "b")}},
					events.StreamAppend{Stream: fmt.Sprintf("counter-%d", w), Expected: events.Any, Events: []events.Event{note(tag)}},
					events.StreamAppend{Stream: "single", Expected: events.Any}); err != nil {
					t.Errorf("append %s: %v", tag, err)
					return
				}
				if _, err := st.Append(ctx, "single", events.Any, note(tag)); err != nil {
					t.Errorf("append %s: %v", tag, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	head, err := st.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, head)
	all, err := st.ReadAll(ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
	if err != nil || len(all) != 3*15*4 {
		t.Fatalf("%d events, %v", len(all), err)
	}
	rows, err := db.QueryContext(ctx, `SELECT position, stream FROM notes ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var pos int64
		var stream string
		if err := rows.Scan(&pos, &stream); err != nil {
			t.Fatal(err)
		}
		if i >= len(all) || events.Position(pos) != all[i].Position || stream != all[i].Stream {
			t.Fatalf("note %d at %d of %s; the log has %+v", i, pos, stream, all[min(i, len(all)-1)])
		}
		i++
	}
	if i != len(all) {
		t.Fatalf("%d notes applied, the log holds %d", i, len(all))
	}
	if n := queryInt(t, db, `SELECT notes FROM totals WHERE stream = 'counter-1'`); n != 15 {
		t.Errorf("counter-1 tallied %d notes, want 15: each applied once", n)
	}
}
