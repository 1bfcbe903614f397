package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

func TestBackupWhileWriting(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeFile(t, dir, "vault.key", "0123456789abcdef0123456789abcdef")
	appendOne := func(i int) error {
		_, err := s.Append(context.Background(), fmt.Sprintf("xmeeting-%d", i%5), events.Any,
			events.Event{Type: "xmeeting.item_added", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		return err
	}
	for i := range 200 {
		if err := appendOne(i); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A writer goes on appending during the whole backup.
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 200; ctx.Err() == nil; i++ {
			if err := appendOne(i); err != nil {
				t.Errorf("append during the backup: %v", err)
				return
			}
			if i == 210 {
				close(started)
			}
		}
	})
	<-started
	out := filepath.Join(t.TempDir(), "backup")
	r := pnyx(t, context.Background(), nil, "backup", "--data-dir", dir, "--to", out)
	cancel()
	wg.Wait()
	if r.err != nil {
		t.Fatalf("backup: %v\n%s", r.err, r.stderr)
	}

	t.Run("the copy of the log opens on its own and is gap-free up to where it was taken", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(out, "events.db-wal")); err == nil {
			t.Error("the copy has a -wal file: it is not one complete database")
		}
		got := readSQLite(t, filepath.Join(out, "events.db"))
		if events.Position(len(got)) <= before {
			t.Fatalf("the copy holds %d events, fewer than the %d before the backup began", len(got), before)
		}
		for i, ev := range got {
			if ev.Position != events.Position(i+1) {
				t.Fatalf("event %d at position %d: the copy is not a consistent snapshot", i, ev.Position)
			}
		}
	})
	t.Run("the vault key is copied, readable by its owner only", func(t *testing.T) {
		fi, err := os.Stat(filepath.Join(out, "vault.key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("vault.key: %v, %v", fi, err)
		}
	})
	t.Run("a backup never goes into a directory that is not empty", func(t *testing.T) {
		r := pnyx(t, context.Background(), nil, "backup", "--data-dir", dir, "--to", out)
		if events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("backup: %v; want an invalid error", r.err)
		}
	})
	t.Run("a data directory with nothing to back up is not found", func(t *testing.T) {
		r := pnyx(t, context.Background(), nil, "backup", "--data-dir", t.TempDir(), "--to", filepath.Join(t.TempDir(), "b"))
		if events.ErrorCode(r.err) != events.CodeNotFound {
			t.Fatalf("backup: %v; want not found", r.err)
		}
	})
}
