// Package projections owns the runner that turns the event log into SQLite
// tables: the projection contract and its Tx, checkpoints, builds and
// rebuilds, status and metrics. It subscribes from a checkpoint, applies in
// batches, checkpoints in the same transaction and rebuilds on a version
// bump. What the tables hold belongs to each projection's own package (the
// public read model is projections/readmodel).
//
// The tables live in their own SQLite file (readmodel.db, WAL), separate
// from the log, so they can be deleted and rebuilt from the log at any
// time. Readers open it read-only while the runner writes.
//
// # Builds, physical tables and views
//
// Each time a projection is built from position 0 it gets a new build
// number, and its tables are physical tables named for that build
// ("decisions__v3_7": table decisions, projection version 3, build 7). Readers
// never name physical tables: they query a view with the logical name
// ("decisions") that selects from the serving build. When a new build has
// caught up with the log, the runner re-points every view and drops the old
// build's tables in one transaction, so a reader sees either the old read
// model or the new one, never a half-built one, and the old tables keep
// serving for the whole rebuild.
//
// One file with versioned tables, rather than one file per build, was chosen
// because the swap is then one SQLite transaction (atomic and durable with
// the checkpoint), readers keep one connection and one file name, and
// projections can share the file's page cache and WAL. Virtual tables (FTS5)
// work the same way; a reader that needs the physical name (MATCH on an FTS5
// table, bm25) asks ServingTables.
//
// # Exactly once
//
// Every batch of events is applied inside one SQLite transaction that also
// advances the projection's checkpoint with a compare-and-set on the
// previous position, so a crash or an Apply error rolls back the writes and
// the checkpoint together, and two runners on the same file can never apply
// an event twice.
//
// # Passing over an event that cannot be applied
//
// The log is immutable, so an event that a projection cannot apply (data
// an older version or another tool wrote, which no code decodes) would stop
// it for good: at every restart and every rebuild it fails at the same
// event. The way back is a skip: an administrator's command records, as an
// event of its own (events.EventSkipped, in stream skip-<event id>), that
// the projections pass over that event, with the reason.
//
// The runner honours a skip only where it is needed: when an event fails
// (its decoding or the projection's Apply), the runner reads the failing
// event's skip stream, one stream read, and when a skip is there it rolls
// the batch back, applies it again passing over that event, and records
// the event, the skip's position and its reason beside the checkpoint in
// the same transaction (Status.PassedOver). An event that applies is never
// passed over, so a skip recorded by mistake changes nothing, and every
// projection that can apply the event (a ledger over the whole log, say)
// still does. Events that apply cost nothing: no skip is looked up.
//
// Order: a skip is always appended after the event it names, usually long
// after. A rebuild meets the event first and finds the skip by reading its
// stream, however far ahead in the log it is. A live projection stopped at
// the event waits for the skip: it reads the log's head, looks for the
// skip stream (one recorded before that head is found here), then follows
// the log from that head until an event of the skip stream arrives (one
// recorded after it), and then applies from its checkpoint again. Nothing
// polls, and no log is scanned.
package projections

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pnyx-civic/pnyx/events"
)

// Projection turns events into tables of the read model. The runner calls
// its methods from one goroutine at a time per build, always inside a
// transaction it commits or rolls back.
type Projection interface {
	// Name identifies the projection in checkpoints, status and metrics:
	// lower-case ASCII letters, digits and underscores, starting with a
	// letter. It never changes.
	Name() string
	// Version is the schema version of the projection's tables and of what
	// Apply writes. Changing it makes the runner rebuild the projection from
	// position 0 into fresh tables while the old ones keep serving.
	Version() int
	// Setup creates the projection's tables and indexes for a new build,
	// naming every schema object with tx.Table. It runs once per build,
	// before the first Apply.
	Setup(ctx context.Context, tx *Tx) error
	// Apply writes the effect of one event. It receives only events whose
	// type is in the catalog, decoded (unknown types are skipped and
	// counted by the runner). Apply must be deterministic: the same events
	// must give the same tables. An error stops the projection at that
	// event with status failed, until a skip of the event is recorded (see
	// the package doc); the whole batch, checkpoint included, is rolled
	// back.
	Apply(ctx context.Context, tx *Tx, ev Event) error
}

// Event is a recorded event with its payload decoded and upcasted to the
// current schema.
type Event struct {
	events.RecordedEvent
	Payload events.Payload
}

// Tx is the transaction of one batch (or of Setup) of one build of a
// projection. It is not safe for concurrent use and is valid only until the
// call that received it returns.
type Tx struct {
	conn     *sql.Conn
	build    buildRef
	stmts    *stmtCache      // nil during Setup: DDL is not worth keeping
	created  map[string]bool // logical names asked for during Setup
	building bool            // the build is not swapped in yet
	locals   map[any]any
	flushes  []func(context.Context) error
}

// Table returns the physical name, in the build being applied, of the
// schema object (table, virtual table, index or trigger) with logical name
// name. Logical names are lower-case ASCII letters, digits and single
// underscores, at most 48 bytes; the returned name is safe to splice into
// SQL. A name asked for during Setup (or Finish, see Finisher) that turns
// out to be a table becomes a reader-facing view named name when the build
// is swapped in. Table panics on an invalid name: names are constants of
// the projection's code, never input.
func (t *Tx) Table(name string) string {
	if err := validLogicalName(name); err != nil {
		panic(fmt.Sprintf("projections: %s: %v", t.build.projection, err))
	}
	if t.created != nil {
		t.created[name] = true
	}
	return t.build.physical(name)
}

// Exec executes a statement in the transaction. Statements are prepared
// once per build and reused across batches, so pass values as arguments,
// never spliced into the query text.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.stmts == nil {
		return t.conn.ExecContext(ctx, query, args...)
	}
	st, err := t.stmts.get(ctx, t.conn, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// Query runs a query in the transaction, with the same statement reuse as
// Exec. The caller closes the rows before the next statement.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.stmts == nil {
		return t.conn.QueryContext(ctx, query, args...)
	}
	st, err := t.stmts.get(ctx, t.conn, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRow runs a query expected to return at most one row; errors are
// reported by Scan.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if t.stmts != nil {
		if st, err := t.stmts.get(ctx, t.conn, query); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return t.conn.QueryRowContext(ctx, query, args...)
}

// ExecAs executes the statement kept under key, prepared from text() on
// its first use in the build and reused across batches like Exec's. A
// projection whose statements are templates keys them by the template, so
// it does not build the statement's text for every event. In Setup and
// Finish, where statements are not kept, it runs text() once.
func (t *Tx) ExecAs(ctx context.Context, key string, text func() string, args ...any) (sql.Result, error) {
	if t.stmts == nil {
		return t.conn.ExecContext(ctx, text(), args...)
	}
	st, err := t.stmts.getAs(ctx, t.conn, key, text)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowAs runs the query kept under key as ExecAs does; errors are
// reported by Scan.
func (t *Tx) QueryRowAs(ctx context.Context, key string, text func() string, args ...any) *sql.Row {
	if t.stmts != nil {
		if st, err := t.stmts.getAs(ctx, t.conn, key, text); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return t.conn.QueryRowContext(ctx, text(), args...)
}

// SQL returns the connection the transaction runs on, for statements not
// worth preparing, such as Setup's DDL. Never run BEGIN, COMMIT or ROLLBACK
// through it: the runner owns the transaction.
func (t *Tx) SQL() Execer { return t.conn }

// Building reports whether the build being applied is still catching up:
// it is not swapped in yet, so readers do not see it and, for a projection
// that is a Finisher, Finish will run before they do. Such a projection may
// leave to Finish what is cheaper done once in bulk (secondary indexes, a
// search index) and must do it in Apply when Building is false. Building
// is false in Setup and Finish.
func (t *Tx) Building() bool { return t.building }

// Local returns the value kept under key for the rest of the transaction,
// calling create to make it on first use. With BeforeCommit it lets a
// projection gather rows in memory during a batch and write each once:
// the value is dropped with the transaction, so a batch rolled back never
// leaves state behind.
func (t *Tx) Local(key any, create func() any) any {
	if v, ok := t.locals[key]; ok {
		return v
	}
	if t.locals == nil {
		t.locals = map[any]any{}
	}
	v := create()
	t.locals[key] = v
	return v
}

// BeforeCommit registers fn to run after the last Apply of the batch and
// before its checkpoint is written, in the same transaction; functions run
// in the order registered. An error from fn rolls the whole batch back and
// is retried like an error of the store, so fn must only write what Apply
// has already validated.
func (t *Tx) BeforeCommit(fn func(ctx context.Context) error) {
	t.flushes = append(t.flushes, fn)
}

// Projection returns the name, version and build number being applied.
func (t *Tx) Projection() (name string, version int, build int64) {
	return t.build.projection, t.build.version, t.build.build
}
