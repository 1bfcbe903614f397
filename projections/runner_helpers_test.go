package projections_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/internal/poison"
	"github.com/pnyx-civic/pnyx/projections"
)

// noted is the one event type of the runner's test projection.
type noted struct {
	Text   string `json:"text"`
	Poison bool   `json:"poison,omitempty"`
}

func (noted) EventType() string { return "runnertest.noted" }

func init() {
	events.Register[noted]("runnertest", 1, "A note, for the projection runner's tests.")
}

// tally is the runner's test projection: every note as a row, and per
// stream a count that an event applied twice would make wrong. Version 2
// writes notes upper-cased, so a reader can tell the builds apart.
type tally struct {
	version int
	// hook, if set, runs before each event is applied; an error fails it.
	hook func(ctx context.Context, ev projections.Event) error
	// failAfterWrite, if set, fails the events it picks after their rows
	// are written, to show that those writes are rolled back.
	failAfterWrite func(ev projections.Event) bool
	// tolerant tallies poisoned notes instead of failing on them: the fixed
	// code of a projection that failed.
	tolerant bool
}

func (p *tally) Name() string { return "tally" }
func (p *tally) Version() int { return p.version }

func (p *tally) Setup(ctx context.Context, tx *projections.Tx) error {
	_, err := tx.SQL().ExecContext(ctx, fmt.Sprintf(`
		CREATE TABLE %s (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, text TEXT NOT NULL);
		CREATE INDEX %[2]s ON %[1]s (stream);
		CREATE TABLE %[3]s (stream TEXT PRIMARY KEY, notes INTEGER NOT NULL, last TEXT NOT NULL);`,
		tx.Table("notes"), tx.Table("notes_by_stream"), tx.Table("totals")))
	return err
}

func (p *tally) Apply(ctx context.Context, tx *projections.Tx, ev projections.Event) error {
	if p.hook != nil {
		if err := p.hook(ctx, ev); err != nil {
			return err
		}
	}
	n, ok := ev.Payload.(noted)
	if !ok {
		return nil // another event of the catalog, such as a skip
	}
	if n.Poison && !p.tolerant {
		return errors.New("a poisoned note cannot be tallied")
	}
	text := n.Text
	if p.version >= 2 {
		text = strings.ToUpper(text)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+tx.Table("notes")+` (position, stream, text) VALUES (?, ?, ?)`,
		ev.Position, ev.Stream, text); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+tx.Table("totals")+` (stream, notes, last) VALUES (?, 1, ?)
		ON CONFLICT (stream) DO UPDATE SET notes = notes + 1, last = excluded.last`, ev.Stream, text)
	if err == nil && p.failAfterWrite != nil && p.failAfterWrite(ev) {
		err = errors.New("failed after writing")
	}
	return err
}

// env is a log and a read model in a test's temporary directory.
type env struct {
	dir   string
	store *sqlite.Store
	db    *sql.DB
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return &env{dir: dir, store: store, db: openReadModel(t, filepath.Join(dir, "readmodel.db"))}
}

func openReadModel(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := projections.OpenReadModel(context.Background(), path)
	if err != nil {
		t.Fatalf("open read model: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// note appends one note per text to stream and returns the last position.
func (e *env) note(t testing.TB, stream string, texts ...string) events.Position {
	t.Helper()
	evs := make([]events.Event, len(texts))
	for i, text := range texts {
		evs[i] = event(t, noted{Text: text, Poison: text == "poison"})
	}
	res, err := e.store.Append(context.Background(), stream, events.Any, evs...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return res.Position
}

func event(t testing.TB, p events.Payload) events.Event {
	t.Helper()
	ev, err := events.Encode(p)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return ev
}

// appendRaw appends an event of any type, known to the catalog or not.
func (e *env) appendRaw(t testing.TB, stream, typ string, data any) events.Position {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.store.Append(context.Background(), stream, events.Any, events.Event{Type: typ, Data: raw})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return res.Position
}

// poison writes an event into the store's file below the store's append
// checks, as an older version or another tool could have, reopening the
// store around it, and returns its id and position. Call it before any
// runner uses e.store.
func (e *env) poison(t testing.TB, stream, typ, data string) (uuid.UUID, events.Position) {
	t.Helper()
	path := filepath.Join(e.dir, "events.db")
	e.store.Close()
	id, pos, err := poison.Write(context.Background(), path, stream, typ, 1, data)
	if err != nil {
		t.Fatal(err)
	}
	if e.store, err = sqlite.Open(context.Background(), path, sqlite.Options{}); err != nil {
		t.Fatalf("reopen store: %v", err)
	}
	t.Cleanup(func() { e.store.Close() })
	return id, pos
}

func newRunner(t testing.TB, e *env, db *sql.DB, projs ...projections.Projection) *projections.Runner {
	t.Helper()
	r, err := projections.NewRunner(db, e.store, projs, projections.Options{})
	if err != nil {
		t.Fatalf("new runner: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// start runs r until the returned stop is called (or the test ends) and
// returns Run's result from stop.
func start(t testing.TB, r *projections.Runner) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// waitForRecovery waits until every projection of r, failed or not, has
// applied pos.
func waitForRecovery(t testing.TB, r *projections.Runner, pos events.Position) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang, not a timing assertion
	defer cancel()
	for {
		changed := r.Changed()
		err := r.WaitFor(ctx, pos)
		if err == nil {
			return
		}
		if events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("wait for %d: %v", pos, err)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("wait for %d: %v", pos, err)
		}
	}
}

func waitFor(t testing.TB, r *projections.Runner, pos events.Position) {
	t.Helper()
	if err := r.WaitFor(context.Background(), pos); err != nil {
		t.Fatalf("wait for %d: %v", pos, err)
	}
}

func dump(t testing.TB, db *sql.DB, names ...string) string {
	t.Helper()
	var b bytes.Buffer
	if err := projections.Dump(context.Background(), db, &b, names...); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return b.String()
}

func statusOf(t testing.TB, r *projections.Runner, name string) projections.Status {
	t.Helper()
	for _, s := range r.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no status for %s", name)
	return projections.Status{}
}

func queryInt(t testing.TB, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// physical returns the physical table of logical in the newest build, which
// readers do not see until it is swapped in.
func physical(t testing.TB, db *sql.DB, logical string) string {
	t.Helper()
	var name string
	if err := db.QueryRow(`SELECT physical FROM projection_tables WHERE logical = ? ORDER BY build DESC LIMIT 1`, logical).Scan(&name); err != nil {
		t.Fatalf("physical table of %s: %v", logical, err)
	}
	return name
}
