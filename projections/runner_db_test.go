package projections_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestOpenReadOnlyOnAFreshDataDirectory(t *testing.T) {
	ctx := context.Background()

	t.Run("before the runner's open there is no file: unavailable, the path only in the cause", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "readmodel.db")
		db, err := projections.OpenReadOnly(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("a read-only open created or found a read model that is not there")
		}
		if events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("error %v, want unavailable", err)
		}
		if msg := events.ErrorMessage(err); strings.Contains(msg, path) || msg != "read model unavailable" {
			t.Fatalf("message %q: want %q without the path", msg, "read model unavailable")
		}
		if !strings.Contains(err.Error(), path) {
			t.Fatalf("error %q: the cause should name the file for the log", err)
		}
	})

	t.Run("after the runner's open creates the file, a read-only open reads it, empty", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "readmodel.db")
		openReadModel(t, path)
		ro, err := projections.OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatalf("read-only open after the runner's: %v", err)
		}
		defer ro.Close()
		var tables int
		if err := ro.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
			t.Fatalf("query an empty read model: %v", err)
		}
		if tables != 0 {
			t.Fatalf("%d tables in a read model nothing has built", tables)
		}
		if _, err := ro.ExecContext(ctx, "CREATE TABLE t (x)"); err == nil {
			t.Fatal("the read-only open wrote")
		}
	})

	t.Run("a file the runner opened and closed again opens read-only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "readmodel.db")
		w, err := projections.OpenReadModel(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ExecContext(ctx, "CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		w.Close()
		ro, err := projections.OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatalf("read-only open of a closed read model: %v", err)
		}
		defer ro.Close()
		var n int
		if err := ro.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
			t.Fatalf("read %d rows, err %v", n, err)
		}
	})
}
