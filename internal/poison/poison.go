// Package poison writes events into the embedded store's SQLite file
// directly, below the store's append checks, for the tests of what the
// system does with an event already in a log that no code can apply (one
// written by an older version or by another tool). Nothing but tests may
// use it: the log is written only through events.Store.
package poison

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/pnyx-civic/pnyx/events"
)

// Write appends one event with type typ, schema and data to stream in the
// embedded store file at path, which must exist and must not be open in a
// store (the store keeps the head and the versions it wrote in memory). It
// returns the event's id and position.
func Write(ctx context.Context, path, stream, typ string, schema int, data string) (uuid.UUID, events.Position, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return uuid.Nil, 0, err
	}
	defer db.Close()
	var version int64
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), -1) + 1 FROM events WHERE stream = ?`, stream).Scan(&version); err != nil {
		return uuid.Nil, 0, fmt.Errorf("poison %s: %w", path, err)
	}
	id := events.NewEventID()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	res, err := db.ExecContext(ctx, `INSERT INTO events (id, stream, version, type, schema, occurred_at, recorded_at, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id[:], stream, version, typ, schema, now, now, data)
	if err != nil {
		return uuid.Nil, 0, fmt.Errorf("poison %s: %w", path, err)
	}
	pos, err := res.LastInsertId()
	if err != nil {
		return uuid.Nil, 0, err
	}
	return id, events.Position(pos), nil
}
