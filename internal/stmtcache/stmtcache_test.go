package stmtcache_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"modernc.org/sqlite"

	"github.com/pnyx-civic/pnyx/internal/stmtcache"
)

// open opens a file database of n rows through the cache, with one
// connection so that every query lands on the connection stats reads.
func open(t *testing.T, size int) *sql.DB {
	t.Helper()
	k, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(stmtcache.NewConnector(k, size))
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
		INSERT INTO t (id, name) VALUES (1, 'Αθήνα'), (2, 'Βόλος'), (3, 'Καλαμάτα')`); err != nil {
		t.Fatal(err)
	}
	return db
}

func stats(t *testing.T, db *sql.DB) (prepared, reused int64) {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Raw(func(dc any) error {
		prepared, reused = dc.(*stmtcache.Conn).Stats()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return prepared, reused
}

func names(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, query string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAQueryReusesItsStatement(t *testing.T) {
	db := open(t, 0)
	for i := range 50 {
		id := i%3 + 1
		got := names(t, db, `SELECT name FROM t WHERE id = ?`, id)
		if want := []string{"Αθήνα", "Βόλος", "Καλαμάτα"}[id-1]; len(got) != 1 || got[0] != want {
			t.Fatalf("query %d: got %q, want %q: a reused statement kept an old binding", i, got, want)
		}
	}
	if p, r := stats(t, db); p != 1 || r != 49 {
		t.Errorf("prepared %d, reused %d: want 1 and 49", p, r)
	}
	// A query that finds nothing gives its statement back too.
	for range 3 {
		if got := names(t, db, `SELECT name FROM t WHERE id = ?`, 9); len(got) != 0 {
			t.Fatalf("got %q for no row", got)
		}
	}
	if p, r := stats(t, db); p != 1 || r != 52 {
		t.Errorf("prepared %d, reused %d: want 1 and 52", p, r)
	}
}

// Two queries of one text at once in one transaction (two resolvers of
// one request) each get a statement of their own.
func TestTheSameTextTwiceAtOnce(t *testing.T) {
	db := open(t, 0)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT name FROM t WHERE id >= ? ORDER BY id`
	outer, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var a string
		if err := outer.Scan(&a); err != nil {
			t.Fatal(err)
		}
		for _, b := range names(t, tx, q, 3) {
			pairs = append(pairs, a+"/"+b)
		}
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pairs) != "[Αθήνα/Καλαμάτα Βόλος/Καλαμάτα Καλαμάτα/Καλαμάτα]" {
		t.Errorf("nested reads of one text: %q", pairs)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The outer query and the first inner one prepared; the two other
	// inner ones took the first inner's statement back.
	if p, r := stats(t, db); p != 2 || r != 2 {
		t.Errorf("prepared %d, reused %d: want 2 and 2", p, r)
	}
}

func TestTheLeastRecentlyUsedIsFinalized(t *testing.T) {
	db := open(t, 2)
	for _, id := range []int{1, 2, 3, 1} { // three texts for two places: the first is gone when asked again
		names(t, db, fmt.Sprintf(`SELECT name FROM t WHERE id = %d`, id))
	}
	if p, r := stats(t, db); p != 4 || r != 0 {
		t.Errorf("prepared %d, reused %d: want 4 and 0", p, r)
	}
	names(t, db, `SELECT name FROM t WHERE id = 1`) // kept this time
	if p, r := stats(t, db); p != 4 || r != 1 {
		t.Errorf("prepared %d, reused %d: want 4 and 1", p, r)
	}
}

// A kept statement sees the schema as it is when it runs: SQLite
// prepares it again after a change.
func TestAKeptStatementFollowsTheSchema(t *testing.T) {
	db := open(t, 0)
	const q = `SELECT * FROM t WHERE id = 1`
	cols := func() []string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := cols(); len(c) != 2 {
		t.Fatalf("columns %q", c)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN region TEXT NOT NULL DEFAULT 'Θεσσαλία'`); err != nil {
		t.Fatal(err)
	}
	if c := cols(); len(c) != 3 || c[2] != "region" {
		t.Errorf("columns after the change %q: want the new column", c)
	}
	if _, err := db.Exec(`DROP TABLE t`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Query(q); err == nil {
		t.Error("a kept statement of a dropped table ran")
	}
}

func TestErrorsAreTheDrivers(t *testing.T) {
	db := open(t, 0)
	if _, err := db.Query(`SELECT nope FROM t`); err == nil {
		t.Error("a query of no column ran")
	}
	if _, err := db.Query(`SELECT name FROM t WHERE id = ?`, struct{}{}); err == nil {
		t.Error("an argument of no SQL type was bound")
	}
	// The connection works after both, and column types come through.
	rows, err := db.Query(`SELECT id, name FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ct, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	if ct[0].DatabaseTypeName() != "INTEGER" || ct[1].DatabaseTypeName() != "TEXT" {
		t.Errorf("column types %q %q", ct[0].DatabaseTypeName(), ct[1].DatabaseTypeName())
	}
}

// Many goroutines on a pool of connections, each query checked: run with
// -race to see the cache's own state is guarded.
func TestConcurrentQueries(t *testing.T) {
	db := open(t, 4)
	db.SetMaxOpenConns(4)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := (g+i)%3 + 1
				var name string
				q := fmt.Sprintf(`SELECT name FROM t WHERE id = ? AND %d = %d`, i%6, i%6) // more texts than places
				if err := db.QueryRow(q, id).Scan(&name); err != nil {
					errs <- err
					return
				}
				if want := []string{"Αθήνα", "Βόλος", "Καλαμάτα"}[id-1]; name != want {
					errs <- fmt.Errorf("id %d: got %q, want %q", id, name, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
