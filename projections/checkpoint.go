package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// checkpointSchema is the runner's own bookkeeping in the read model file.
// A row of projection_checkpoints is one build of a projection: status
// "building" while it catches up, "serving" once its tables are behind the
// reader-facing views. error and failed_position record the event that
// stopped it. projection_tables lists the schema objects each build named
// through Tx.Table during Setup.
const checkpointSchema = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
	projection      TEXT    NOT NULL,
	build           INTEGER NOT NULL,
	version         INTEGER NOT NULL,
	position        INTEGER NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('building', 'serving')),
	error           TEXT,
	failed_position INTEGER,
	skipped         INTEGER NOT NULL DEFAULT 0,
	updated_at      TEXT    NOT NULL,
	PRIMARY KEY (projection, build)
);
CREATE TABLE IF NOT EXISTS projection_tables (
	projection TEXT    NOT NULL,
	build      INTEGER NOT NULL,
	logical    TEXT    NOT NULL,
	physical   TEXT    NOT NULL,
	PRIMARY KEY (projection, build, logical)
);` + passedOverSchema

const (
	statusBuilding = "building"
	statusServing  = "serving"
)

// checkpoint is one row of projection_checkpoints.
type checkpoint struct {
	buildRef
	position       events.Position
	status         string
	err            string
	failedPosition events.Position
	skipped        uint64
	passed         []PassedOver // loaded by reload, not loadCheckpoints
}

// errCheckpointMoved reports that a build's checkpoint is not where this
// runner left it: another runner (or a Rebuild) wrote or retired it. The
// batch is rolled back and the runner reloads.
var errCheckpointMoved = &events.Error{Code: events.CodeConflict, Message: "checkpoint moved under the runner"}

// loadCheckpoints returns the builds of projection, serving first.
func loadCheckpoints(ctx context.Context, q Queryer, projection string) ([]checkpoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT build, version, position, status, coalesce(error, ''),
		coalesce(failed_position, 0), skipped FROM projection_checkpoints
		WHERE projection = ? ORDER BY status DESC, build`, projection)
	if err != nil {
		return nil, fmt.Errorf("load checkpoints of %s: %w", projection, err)
	}
	defer rows.Close()
	var out []checkpoint
	for rows.Next() {
		c := checkpoint{buildRef: buildRef{projection: projection}}
		if err := rows.Scan(&c.build, &c.version, &c.position, &c.status, &c.err, &c.failedPosition, &c.skipped); err != nil {
			return nil, fmt.Errorf("load checkpoints of %s: %w", projection, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Queryer is what reading the read model needs: *sql.DB, *sql.Tx and
// *sql.Conn all satisfy it.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Execer is Queryer plus statements that write.
type Execer interface {
	Queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// newBuild creates a building checkpoint for p at position 0, runs Setup
// and records the objects Setup named. It runs inside the caller's
// transaction on conn.
func newBuild(ctx context.Context, conn *sql.Conn, p Projection, now time.Time) (buildRef, error) {
	var last int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(build), 0) FROM projection_checkpoints`).Scan(&last); err != nil {
		return buildRef{}, err
	}
	b := buildRef{projection: p.Name(), version: p.Version(), build: last + 1}
	if _, err := conn.ExecContext(ctx, `INSERT INTO projection_checkpoints
		(projection, build, version, position, status, updated_at) VALUES (?, ?, ?, 0, ?, ?)`,
		b.projection, b.build, b.version, statusBuilding, stamp(now)); err != nil {
		return buildRef{}, err
	}
	tx := &Tx{conn: conn, build: b, created: map[string]bool{}}
	if err := callSetup(ctx, p, tx); err != nil {
		return buildRef{}, err
	}
	if err := recordTables(ctx, conn, b, tx.created); err != nil {
		return buildRef{}, err
	}
	return b, nil
}

// recordTables lists the logical names a build asked for in
// projection_tables, refusing a name that belongs to another projection:
// both would want the reader-facing view of that name.
func recordTables(ctx context.Context, conn *sql.Conn, b buildRef, created map[string]bool) error {
	names := make([]string, 0, len(created))
	for logical := range created {
		names = append(names, logical)
	}
	slices.Sort(names)
	for _, logical := range names {
		var owner string
		err := conn.QueryRowContext(ctx, `SELECT projection FROM projection_tables
			WHERE logical = ? AND projection <> ? LIMIT 1`, logical, b.projection).Scan(&owner)
		switch {
		case err == nil:
			return &SetupError{Projection: b.projection,
				Err: events.Errorf(events.CodeConflict, "table %s belongs to projection %s", logical, owner)}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT OR IGNORE INTO projection_tables (projection, build, logical, physical)
			VALUES (?, ?, ?, ?)`, b.projection, b.build, logical, b.physical(logical)); err != nil {
			return err
		}
	}
	return nil
}

// Finisher is implemented by projections that defer work until a build has
// caught up with the log, such as creating secondary indexes or a search
// index after the bulk of a rebuild. Finish runs once per build, in the
// transaction that swaps the build in, before readers see it; objects it
// names with tx.Table belong to the build like Setup's. An error stops the
// projection like a Setup error, and the previous build keeps serving.
type Finisher interface {
	Finish(ctx context.Context, tx *Tx) error
}

// callFinish runs f.Finish like callSetup runs Setup.
func callFinish(ctx context.Context, p Projection, f Finisher, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &SetupError{Projection: p.Name(), Err: fmt.Errorf("finish: panic: %v", r)}
		}
	}()
	if err := f.Finish(ctx, tx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SetupError{Projection: p.Name(), Err: fmt.Errorf("finish: %w", err)}
	}
	return nil
}

// callSetup runs p.Setup, turning a panic of the projection's code (such as
// an invalid table name) into an error so the runner reports it.
func callSetup(ctx context.Context, p Projection, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &SetupError{Projection: p.Name(), Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	if err := p.Setup(ctx, tx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SetupError{Projection: p.Name(), Err: err}
	}
	return nil
}

// SetupError reports that a projection's Setup failed: its code is wrong
// for the read model, and retrying will not help. The projection stops
// with status failed.
type SetupError struct {
	Projection string
	Err        error
}

func (e *SetupError) Error() string {
	return fmt.Sprintf("setup of projection %s: %v", e.Projection, e.Err)
}

func (e *SetupError) Unwrap() error { return e.Err }

// dropBuild drops every table of build b and its checkpoint.
func dropBuild(ctx context.Context, conn Execer, b buildRef) error {
	rows, err := conn.QueryContext(ctx, `SELECT t.physical FROM projection_tables t
		JOIN sqlite_schema s ON s.name = t.physical AND s.type = 'table'
		WHERE t.projection = ? AND t.build = ? ORDER BY t.physical`, b.projection, b.build)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS "`+t+`"`); err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM projection_tables WHERE projection = ? AND build = ?`, b.projection, b.build); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM projection_passed_over WHERE projection = ? AND build = ?`, b.projection, b.build); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE projection = ? AND build = ?`, b.projection, b.build)
	return err
}

// swapIn makes build b the serving build of its projection: it drops the
// views and tables of the previous serving build, creates a view for each
// table of b, and marks b serving. It runs inside the caller's
// transaction, so readers see the old read model or the new one.
func swapIn(ctx context.Context, conn Execer, b buildRef, now time.Time) error {
	builds, err := loadCheckpoints(ctx, conn, b.projection)
	if err != nil {
		return err
	}
	for _, old := range builds {
		if old.status != statusServing {
			continue
		}
		views, err := stringsOf(ctx, conn, `SELECT logical FROM projection_tables
			WHERE projection = ? AND build = ? ORDER BY logical`, b.projection, old.build)
		if err != nil {
			return err
		}
		for _, v := range views {
			if _, err := conn.ExecContext(ctx, `DROP VIEW IF EXISTS "`+v+`"`); err != nil {
				return fmt.Errorf("drop view %s: %w", v, err)
			}
		}
		if err := dropBuild(ctx, conn, old.buildRef); err != nil {
			return err
		}
	}
	tables, err := stringsOf(ctx, conn, `SELECT t.logical FROM projection_tables t
		JOIN sqlite_schema s ON s.name = t.physical AND s.type = 'table'
		WHERE t.projection = ? AND t.build = ? ORDER BY t.logical`, b.projection, b.build)
	if err != nil {
		return err
	}
	for _, logical := range tables {
		if _, err := conn.ExecContext(ctx, `CREATE VIEW "`+logical+`" AS SELECT * FROM "`+b.physical(logical)+`"`); err != nil {
			return fmt.Errorf("create view %s: %w", logical, err)
		}
	}
	res, err := conn.ExecContext(ctx, `UPDATE projection_checkpoints SET status = ?, updated_at = ?
		WHERE projection = ? AND build = ? AND status = ?`, statusServing, stamp(now), b.projection, b.build, statusBuilding)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errCheckpointMoved
	}
	return nil
}

func stringsOf(ctx context.Context, q Queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ServingTables returns, for projection, the physical name of each logical
// table of its serving build, for readers that need the table itself rather
// than its view (MATCH and bm25 on an FTS5 table). It returns an
// events.Error with code not_found when the projection has no serving build
// yet. Resolve the names inside the read transaction that
// uses them: a swap may retire them afterwards.
func ServingTables(ctx context.Context, q Queryer, projection string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.logical, t.physical FROM projection_tables t
		JOIN projection_checkpoints c ON c.projection = t.projection AND c.build = t.build
		WHERE t.projection = ? AND c.status = ?`, projection, statusServing)
	if err != nil {
		return nil, fmt.Errorf("serving tables of %s: %w", projection, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var l, p string
		if err := rows.Scan(&l, &p); err != nil {
			return nil, err
		}
		out[l] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, events.Errorf(events.CodeNotFound, "projection %s has no serving tables yet", projection)
	}
	return out, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
