package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) events.Store {
		return openStore(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	}, storetest.GapFree())
}

func openStore(t testing.TB, path string, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestClockAndTime(t *testing.T) {
	ctx := context.Background()
	athens := time.FixedZone("EEST", 3*3600)
	clock := time.Date(2026, 3, 10, 12, 0, 0, 987654321, athens)
	s := openStore(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{Now: func() time.Time { return clock }})

	t.Run("recorded time is the injected clock's, in UTC, to the nanosecond", func(t *testing.T) {
		occurred := time.Date(2026, 3, 3, 18, 0, 0, 1, athens)
		mustAppend(t, s, "xdecision-1", events.Event{Type: "xdecision.adopted", OccurredAt: occurred, Data: json.RawMessage(`{}`)})
		got := mustRead(t, s, "xdecision-1")[0]
		if got.RecordedAt != clock.UTC() {
			t.Errorf("recorded at %v, want %v", got.RecordedAt, clock.UTC())
		}
		if got.OccurredAt != occurred.UTC() {
			t.Errorf("occurred at %v, want %v", got.OccurredAt, occurred.UTC())
		}
	})
	t.Run("a zero occurred time becomes the recorded time", func(t *testing.T) {
		mustAppend(t, s, "xdecision-2", events.Event{Type: "xdecision.adopted", Data: json.RawMessage(`{}`)})
		if got := mustRead(t, s, "xdecision-2")[0]; got.OccurredAt != clock.UTC() {
			t.Errorf("occurred at %v, want %v", got.OccurredAt, clock.UTC())
		}
	})
	t.Run("an occurred time outside years 1 to 9999 is refused", func(t *testing.T) {
		for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
			_, err := s.Append(ctx, "xdecision-3", events.Any, events.Event{Type: "xdecision.adopted", OccurredAt: at, Data: json.RawMessage(`{}`)})
			if !errors.Is(err, events.ErrInvalid) {
				t.Errorf("occurred %v: %v, want ErrInvalid", at, err)
			}
		}
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "events.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open creates parent directories: %v", err)
	}
	for i := range 5 {
		mustAppend(t, s, "xbody-"+strconv.Itoa(i%2), events.Event{Type: "xbody.registered", Data: json.RawMessage(`{"name":"Δημοτικό Συμβούλιο"}`)})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path, sqlite.Options{})

	t.Run("events survive a close and reopen", func(t *testing.T) {
		if got := mustRead(t, s, "xbody-0"); len(got) != 3 {
			t.Errorf("xbody-0 has %d events, want 3", len(got))
		}
		if res := mustAppend(t, s, "xbody-1", events.Event{Type: "xbody.renamed", Data: json.RawMessage(`{}`)}); res.Position != 6 || res.NextVersion != 2 {
			t.Errorf("append after reopen: %+v, want position 6 version 2", res)
		}
	})
	t.Run("stats count events and streams and measure the files", func(t *testing.T) {
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != 6 || st.Head != 6 || st.Streams != 2 {
			t.Errorf("stats %+v, want 6 events, head 6, 2 streams", st)
		}
		db, _ := os.Stat(path)
		if st.FileBytes <= db.Size() {
			t.Errorf("file bytes %d do not include the write-ahead log (database alone %d)", st.FileBytes, db.Size())
		}
	})
}

func TestClose(t *testing.T) {
	ctx := context.Background()

	t.Run("close waits for appends in flight and refuses later ones", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "events.db")
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		const n = 64
		results := make(chan error, n)
		started := make(chan struct{}, n)
		var ok atomic.Int64
		for i := range n {
			go func() {
				started <- struct{}{}
				_, err := s.Append(ctx, "xmeeting-"+strconv.Itoa(i%4), events.Any, events.Event{Type: "xmeeting.item_added", Data: json.RawMessage(`{}`)})
				if err == nil {
					ok.Add(1)
				}
				results <- err
			}()
		}
		for range n / 2 {
			<-started
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		for range n {
			if err := <-results; err != nil && !errors.Is(err, events.ErrUnavailable) {
				t.Errorf("append during close: %v, want success or ErrUnavailable", err)
			}
		}
		if _, err := s.Append(ctx, "xmeeting-1", events.Any, events.Event{Type: "xmeeting.item_added", Data: json.RawMessage(`{}`)}); !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("append after close: %v, want ErrUnavailable", err)
		}
		if _, err := s.Head(ctx); !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("head after close: %v, want ErrUnavailable", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second close: %v", err)
		}
		reopened := openStore(t, path, sqlite.Options{})
		if st, err := reopened.Stats(ctx); err != nil || st.Events != ok.Load() {
			t.Errorf("after reopen %+v, %v; want the %d acknowledged events", st, err, ok.Load())
		}
	})

	t.Run("close ends a waiting subscription with ErrUnavailable", func(t *testing.T) {
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.SubscribeAll(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := sub.Next(ctx)
			done <- err
		}()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("next: %v, want ErrUnavailable", err)
		}
		if _, err := sub.Next(ctx); !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("next after close: %v, want ErrUnavailable", err)
		}
	})
}

// TestSecondOpener stands in for another process on the same file: a second
// Store shares no memory with the first, so it only sees the file.
func TestSecondOpener(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	writer := openStore(t, path, sqlite.Options{})
	reader := openStore(t, path, sqlite.Options{PollInterval: 5 * time.Millisecond})

	t.Run("a subscription on another opener finds appends by polling", func(t *testing.T) {
		sub, err := reader.SubscribeAll(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := make(chan []events.RecordedEvent, 1)
		go func() {
			batch, err := sub.Next(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- batch
		}()
		mustAppend(t, writer, "xrequest-1", events.Event{Type: "xrequest.submitted", Data: json.RawMessage(`{}`)})
		if batch := <-got; len(batch) != 1 || batch[0].Position != 1 {
			t.Errorf("delivered %+v, want the event at position 1", batch)
		}
	})

	t.Run("two openers appending at once keep the log gap-free", func(t *testing.T) {
		var wg sync.WaitGroup
		for _, s := range []*sqlite.Store{writer, reader} {
			for range 4 {
				wg.Go(func() {
					for range 25 {
						if _, err := s.Append(ctx, "xrequest-2", events.Any, events.Event{Type: "xrequest.noted", Data: json.RawMessage(`{}`)}); err != nil {
							t.Error(err)
						}
					}
				})
			}
		}
		wg.Wait()
		all, err := writer.ReadAll(ctx, events.ReadAllOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 201 {
			t.Fatalf("%d events, want 201", len(all))
		}
		for i, ev := range all {
			if ev.Position != events.Position(i+1) {
				t.Fatalf("event %d at position %d", i, ev.Position)
			}
			if ev.Stream == "xrequest-2" && ev.Version != int64(i-1) {
				t.Fatalf("xrequest-2 event at %d has version %d", ev.Position, ev.Version)
			}
		}
	})
}

func mustAppend(t testing.TB, s *sqlite.Store, stream string, evs ...events.Event) events.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), stream, events.Any, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

func mustRead(t testing.TB, s *sqlite.Store, stream string) []events.RecordedEvent {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), stream, events.ReadStreamOptions{})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return evs
}

func TestOpenPaths(t *testing.T) {
	ctx := context.Background()
	paths := []struct{ name, path string }{
		{"a path with spaces, Greek letters and URI characters opens that very file", filepath.Join(t.TempDir(), "Δήμος Αθηναίων #1 ?x=1&y%20", "events.db")},
		{"a relative path opens under the working directory", filepath.Join("pnyx-data", "events.db")},
	}
	t.Chdir(t.TempDir())
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			s := openStore(t, p.path, sqlite.Options{})
			mustAppend(t, s, "xbody-1", events.Event{Type: "xbody.registered", Data: json.RawMessage(`{}`)})
			if fi, err := os.Stat(p.path); err != nil || fi.Size() == 0 {
				t.Fatalf("the store is not at %q: %v", p.path, err)
			}
			if _, err := os.Stat(p.path + "-wal"); err != nil {
				t.Errorf("no write-ahead log next to %q: %v", p.path, err)
			}
		})
	}
	t.Run("an empty path is invalid", func(t *testing.T) {
		if _, err := sqlite.Open(ctx, "", sqlite.Options{}); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("open: %v, want ErrInvalid", err)
		}
	})
	t.Run("a path under a file is unavailable", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sqlite.Open(ctx, filepath.Join(file, "events.db"), sqlite.Options{})
		if !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("open: %v, want ErrUnavailable", err)
		}
	})
	t.Run("a file that is not a database is unavailable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "events.db")
		if err := os.WriteFile(path, []byte("this is not an SQLite database, just text long enough to have a header"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sqlite.Open(ctx, path, sqlite.Options{})
		if !errors.Is(err, events.ErrUnavailable) {
			t.Errorf("open: %v, want ErrUnavailable", err)
		}
	})
}
