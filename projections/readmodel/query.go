package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// ReadModel answers the public queries of the GraphQL API from the read
// model file, opened read-only while a Runner writes it, and reads entity
// histories and past states from the log. It is safe for concurrent use.
type ReadModel struct {
	db    *sql.DB
	q     projections.Queryer // db, or a wrapper in tests
	log   StreamReader
	owned bool // db was opened by OpenReadModelQueries
	// streams keeps the decoded events AsOf read last; nil caches nothing.
	streams *streamCache
}

// StreamReader is the part of the event log a ReadModel reads for
// histories and past states: events.Store satisfies it.
type StreamReader interface {
	// ReadStream reads up to opts.Limit events of stream from version
	// opts.From; it returns events.ErrStreamNotFound for a stream with no
	// events.
	ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error)
}

// OpenReadModelQueries opens the read model at path read-only, with log for
// History and AsOf. The file must exist (a Runner creates it).
func OpenReadModelQueries(ctx context.Context, path string, log StreamReader) (*ReadModel, error) {
	db, err := projections.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	m := NewReadModelQueries(db, log)
	m.owned = true
	return m, nil
}

// NewReadModelQueries queries an already open read model database (see
// OpenReadOnly), with log for History and AsOf. The caller keeps db.
func NewReadModelQueries(db *sql.DB, log StreamReader) *ReadModel {
	return &ReadModel{db: db, q: db, log: log, streams: newStreamCache(asOfCacheEvents)}
}

// Close closes the database if OpenReadModelQueries opened it.
func (m *ReadModel) Close() error {
	if !m.owned {
		return nil
	}
	return m.db.Close()
}

// Page bounds a list query. Limit <= 0 means DefaultPageLimit; a limit above
// MaxPageLimit or a negative offset is invalid.
type Page struct {
	Limit  int
	Offset int
}

const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

func (p Page) bounds() (int, int, error) {
	switch {
	case p.Limit > MaxPageLimit:
		return 0, 0, events.Invalidf("limit %d is over the maximum of %d", p.Limit, MaxPageLimit)
	case p.Offset < 0:
		return 0, 0, events.Invalidf("offset %d is negative", p.Offset)
	case p.Limit <= 0:
		return DefaultPageLimit, p.Offset, nil
	}
	return p.Limit, p.Offset, nil
}

// TimeRange selects times From (inclusive) to To (exclusive); a zero end is
// open.
type TimeRange struct {
	From, To time.Time
}

func (r TimeRange) validate(what string) error {
	if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		return events.Invalidf("%s: the range ends before it starts", what)
	}
	return nil
}

// MoneyRange selects amounts in cents, Min and Max inclusive; nil ends are
// open.
type MoneyRange struct {
	Min, Max *int64
}

func (r MoneyRange) validate(what string) error {
	if r.Min != nil && r.Max != nil && *r.Max < *r.Min {
		return events.Invalidf("%s: the range ends below its start", what)
	}
	return nil
}

// query builds a WHERE clause from optional filters.
type query struct {
	conds []string
	args  []any
}

func (q *query) where(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// eq adds column = value unless value is empty.
func (q *query) eq(column, value string) {
	if value != "" {
		q.where(column+" = ?", value)
	}
}

func (q *query) timeRange(column string, r TimeRange) {
	if !r.From.IsZero() {
		q.where(column+" >= ?", timeText(r.From))
	}
	if !r.To.IsZero() {
		q.where(column+" < ?", timeText(r.To))
	}
}

func (q *query) moneyRange(column string, r MoneyRange) {
	if r.Min != nil {
		q.where(column+" >= ?", *r.Min)
	}
	if r.Max != nil {
		q.where(column+" <= ?", *r.Max)
	}
}

func (q *query) String() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

type scanner interface{ Scan(dest ...any) error }

// queryRows runs a query and scans every row with scan.
func queryRows[T any](ctx context.Context, q projections.Queryer, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, readError(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, readError(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, readError(err)
	}
	return out, nil
}

// queryOne returns the single row query finds, or a not_found error naming
// what (such as "decision 12") when there is none.
func queryOne[T any](ctx context.Context, q projections.Queryer, what, query string, args []any, scan func(scanner) (T, error)) (T, error) {
	rows, err := queryRows(ctx, q, query, args, scan)
	if err != nil {
		var zero T
		return zero, err
	}
	if len(rows) == 0 {
		var zero T
		return zero, events.Errorf(events.CodeNotFound, "%s not found", what)
	}
	return rows[0], nil
}

// readError turns a driver error into a domain error: a read model not
// built yet (no such table) is unavailable, anything else internal.
func readError(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "no such table") {
		return &events.Error{Code: events.CodeUnavailable, Message: "the read model is not built yet", Err: err}
	}
	return fmt.Errorf("read model: %w", err)
}
