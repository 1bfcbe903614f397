package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// ReadModel answers the public queries of the products (GraphQL, exports,
// analytics) from the read model file, opened read-only while a Runner
// writes it, and reads entity histories and past states from the log.
// Queries run in a Snapshot; ReadModel opens them. It is safe for
// concurrent use.
type ReadModel struct {
	db    *sql.DB
	log   StreamReader
	owned bool // db was opened by OpenReadModelQueries
	// wrap, when set, wraps the transaction every Snapshot reads through
	// (tests record query plans with it).
	wrap func(projections.Queryer) projections.Queryer
	// streams keeps the decoded events AsOf read last; nil caches nothing.
	streams *streamCache
	// opener opens citizens' words in AsOf's views (UseVault).
	opener Opener
	// changes and served keep the serving position in memory
	// (FollowChanges); changes is nil when every look-up reads the file.
	changes Changes
	served  atomic.Pointer[servedAt]
}

// Changes tells a ReadModel when the serving position may have moved:
// *projections.Runner implements it. Changed returns a channel closed at
// the writer's next change after the call, which follows the commit of
// every batch and every swap of builds.
type Changes interface {
	Changed() <-chan struct{}
}

// servedAt is a serving position read from the file, valid until changed
// is closed.
type servedAt struct {
	position events.Position
	changed  <-chan struct{}
}

// FollowChanges makes ServingPosition a memory read while c reports no
// change: the position is read from the file once per change c
// announces, not once per call. c must be the writer of this read model
// (the runner of the same process), which announces every commit after
// it; call it before the first query.
func (m *ReadModel) FollowChanges(c Changes) { m.changes = c }

// UseVault makes AsOf open citizens' words through o, the vault, as the
// projection does; call it before the first query. Without it, an entity
// holding sealed words as of a point is an unavailable error.
func (m *ReadModel) UseVault(o Opener) { m.opener = o }

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
	return &ReadModel{db: db, log: log, streams: newStreamCache(asOfCacheEvents)}
}

// Close closes the database if OpenReadModelQueries opened it.
func (m *ReadModel) Close() error {
	if !m.owned {
		return nil
	}
	return m.db.Close()
}

// ServingPosition returns the log position the read model serves: the
// position a Snapshot opened now would report, for ETags and cache keys.
// It is one look-up by primary key and opens no snapshot, or with
// FollowChanges a memory read until the runner commits again. It returns
// an unavailable error while the read model is not built yet.
func (m *ReadModel) ServingPosition(ctx context.Context) (events.Position, error) {
	if m.changes == nil {
		return servingPosition(ctx, m.db)
	}
	if cur := m.served.Load(); cur != nil {
		select {
		case <-cur.changed:
		default:
			return cur.position, nil
		}
	}
	// The channel is taken before the position is read: a commit after
	// the read closes it, so a position kept is never one the file has
	// moved past without the next call seeing it.
	changed := m.changes.Changed()
	pos, err := servingPosition(ctx, m.db)
	if err != nil {
		return 0, err
	}
	m.served.Store(&servedAt{position: pos, changed: changed})
	return pos, nil
}

func servingPosition(ctx context.Context, q projections.Queryer) (events.Position, error) {
	pos, err := projections.ServingPosition(ctx, q, ReadModelName)
	if events.ErrorCode(err) == events.CodeNotFound || (err != nil && strings.Contains(err.Error(), "no such table")) {
		return 0, &events.Error{Code: events.CodeUnavailable, Message: "the read model is not built yet", Err: err}
	}
	if err != nil {
		return 0, readError(err)
	}
	return pos, nil
}

// Snapshot is a read transaction pinned to one serving position of the
// read model: every query of one GraphQL request, or of one export, runs
// in one Snapshot and sees the rows of that position, whatever the runner
// applies or swaps in meanwhile (SQLite's WAL keeps the snapshot's pages).
// It is safe for concurrent use (the resolvers of one request); its
// queries run one at a time on its one connection. Close it when done: an
// open snapshot holds a connection and keeps the WAL from being recycled
// past it, so it is for one request or one export, not for a session.
type Snapshot struct {
	m        *ReadModel
	tx       *sql.Tx
	q        projections.Queryer // tx, or a wrapper in tests
	position events.Position
	readers  datasetReaders // the dataset scans' connections
}

// Snapshot opens a read transaction on the serving build and reads its
// position inside it. The snapshot ends when Close is called or ctx ends.
// It returns an unavailable error while the read model is not built yet
// (no build serving: a fresh data directory whose first build has not
// finished), rather than a snapshot at position 0 whose every query would
// fail.
func (m *ReadModel) Snapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, readError(err)
	}
	var q projections.Queryer = tx
	if m.wrap != nil {
		q = m.wrap(tx)
	}
	// The transaction's first read starts its WAL snapshot: the position
	// is that of the rows every later query reads.
	pos, err := servingPosition(ctx, q)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &Snapshot{m: m, tx: tx, q: q, position: pos}, nil
}

// View runs fn in a new Snapshot and closes it: the convenience for a
// caller with one query to run. It returns Snapshot's errors and fn's.
func (m *ReadModel) View(ctx context.Context, fn func(*Snapshot) error) error {
	s, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// Position is the log position of every row the snapshot reads.
func (s *Snapshot) Position() events.Position { return s.position }

// Close ends the snapshot's read transaction. Closing it again is a no-op.
func (s *Snapshot) Close() error {
	s.readers.close()
	if err := s.tx.Rollback(); err != nil && err != sql.ErrTxDone {
		return readError(err)
	}
	return nil
}

// Page asks a list query for one page: up to First rows (DefaultPageSize
// when 0) after the row the cursor After points at ("" for the first
// page). With Total set the List also counts every row the filters select,
// at the cost of reading them all; without it the page reads only its own
// rows. A First that is negative or over MaxPageSize, or an After that is
// not a cursor of the same list in the same direction, is an invalid
// error.
type Page struct {
	First int
	After string
	Total bool
	// Desc reads the list in reverse order (newest first for the lists by
	// time), with cursors of that order.
	Desc bool
}

const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

func (p Page) size() (int, error) {
	switch {
	case p.First > MaxPageSize:
		return 0, events.Invalidf("first %d is over the maximum of %d", p.First, MaxPageSize)
	case p.First < 0:
		return 0, events.Invalidf("first %d is negative", p.First)
	case p.First == 0:
		return DefaultPageSize, nil
	}
	return p.First, nil
}

// List is one page of a list query. Items come in the list's order, a
// deterministic order of columns that do not change once written, ending
// with the primary key (each list's doc names it). Next is the cursor of
// the last item, to pass as Page.After for the rows that follow; on an
// empty page it is the After asked. Next is set also when HasMore is
// false, so a caller can continue later from where it is. A cursor
// continues the same way in a later snapshot: no row it was before is
// seen again, none after it is skipped, and rows added meanwhile appear
// if they sort after it (most do: the orders are by when things happened)
// and do not shift the pages if they sort before. HasMore reports whether
// the snapshot held more rows after this page. Total, asked with
// Page.Total, counts every row the filters select, in the same snapshot.
type List[T any] struct {
	Items   []T    `json:"items"`
	Next    string `json:"next,omitempty"`
	HasMore bool   `json:"has_more"`
	Total   *int   `json:"total,omitempty"`
	// keys are the sort keys of Items, for Cursor; name is the list's.
	keys [][]any
	name string
}

// Cursor returns the cursor of Items[i]: passed as Page.After, it continues
// after that item, as Next does after the last. A list that keeps no keys
// has the cursor of its last item only, and "" for the others.
func (l List[T]) Cursor(i int) string {
	if i < len(l.keys) && l.keys[i] != nil {
		if c, err := encodeCursor(l.name, l.keys[i]); err == nil {
			return c
		}
	}
	if i == len(l.Items)-1 {
		return l.Next
	}
	return ""
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

func (r TimeRange) isZero() bool { return r.From.IsZero() && r.To.IsZero() }

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

func (r MoneyRange) isZero() bool { return r.Min == nil && r.Max == nil }

// query builds a WHERE clause from optional filters. It remembers the
// columns fixed by equality: a list's cursor condition leaves them out, so
// it continues along the index that serves the filter.
type query struct {
	conds []string
	args  []any
	fixed map[string]bool
	// bounded are the columns a range bounds, which no NULL passes.
	bounded map[string]bool
}

func (q *query) bound(column string) {
	if q.bounded == nil {
		q.bounded = map[string]bool{}
	}
	q.bounded[column] = true
}

func (q *query) where(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// eq adds column = value unless value is empty.
func (q *query) eq(column, value string) {
	if value != "" {
		q.equal(column, value)
	}
}

// equal adds column = value.
func (q *query) equal(column string, value any) {
	q.where(column+" = ?", value)
	if q.fixed == nil {
		q.fixed = map[string]bool{}
	}
	q.fixed[column] = true
}

// prefix adds "column starts with p" as a range an index serves, unless
// p is empty.
func (q *query) prefix(column, p string) {
	if p == "" {
		return
	}
	if end, ok := prefixEnd(p); ok {
		q.where(column+" >= ? AND "+column+" < ?", p, end)
	} else {
		q.where(column+" >= ?", p)
	}
	q.bound(column)
}

// prefixEnd returns the least string greater than every string that
// starts with p, in SQLite's binary order of UTF-8 bytes; false when there
// is none (p is all 0xff bytes).
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func (q *query) timeRange(column string, r TimeRange) {
	if !r.isZero() {
		q.bound(column)
	}
	if !r.From.IsZero() {
		q.where(column+" >= ?", timeText(r.From))
	}
	if !r.To.IsZero() {
		q.where(column+" < ?", timeText(r.To))
	}
}

func (q *query) moneyRange(column string, r MoneyRange) {
	if r.Min != nil || r.Max != nil {
		q.bound(column)
	}
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
