package sqlite

import (
	"context"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pnyx-civic/pnyx/events"
)

// mapErr translates a driver error into a domain error: a context error
// stays itself, a unique violation is a conflict, a busy, full, unreadable
// or damaged file is unavailable, anything else is internal (its detail
// kept for logs).
func mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &events.Error{Code: events.CodeConflict, Message: op + ": already recorded", Err: err}
		}
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT,
			sqlite3.SQLITE_PROTOCOL:
			return unavailable(fmt.Errorf("%s: %w", op, err))
		}
	}
	return &events.Error{Code: events.CodeInternal, Message: op, Err: err}
}

// unavailable wraps err so it matches events.ErrUnavailable and shows only
// "store unavailable" to clients.
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", events.ErrUnavailable, err)
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY failure.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
