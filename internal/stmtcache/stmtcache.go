// Package stmtcache keeps each SQLite connection's prepared statements for
// reuse. A read model answers a few hundred query texts again and again,
// and SQLite parsing and planning each afresh was the largest single cost
// of a GraphQL request (a third of its CPU, more than running the
// statements). database/sql cannot keep them itself: a Tx prepares anew
// on every query, and a shared *sql.Stmt used by two resolvers of one
// request at once on one connection is a misuse of SQLite's statement.
//
// NewConnector wraps a connector so that every query a connection runs
// through QueryerContext takes an idle statement prepared earlier for the
// same text on that connection, or prepares one; when the rows are closed
// (which resets the statement) it goes back to the connection's idle set,
// which keeps a bounded number and finalizes the least recently used
// beyond it. A statement is used by one query at a time: a second
// query of the same text while the first's rows are open prepares its own.
// Exec, Prepare and transactions pass through unchanged.
package stmtcache

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"
)

// DefaultSize is how many idle statements a connection keeps when
// NewConnector is given 0: more than the distinct texts one read model's pages
// and look-ups run.
const DefaultSize = 256

// NewConnector wraps a connector (modernc.org/sqlite's NewConnector)
// whose connections implement the context interfaces of database/sql;
// each connection keeps up to size idle statements (DefaultSize when 0).
// Open the database with sql.OpenDB.
func NewConnector(c driver.Connector, size int) driver.Connector {
	if size <= 0 {
		size = DefaultSize
	}
	return connector{in: c, size: size}
}

type connector struct {
	in   driver.Connector
	size int
}

var _ driver.Connector = connector{}

// inner is what a wrapped connection must implement.
type inner interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// Connect opens a connection of the wrapped connector.
func (k connector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := k.in.Connect(ctx)
	if err != nil {
		return nil, err
	}
	in, ok := c.(inner)
	if !ok {
		c.Close()
		return nil, errors.New("stmtcache: the driver's connection lacks the context interfaces")
	}
	return &Conn{in: in, size: k.size, lru: list.New(), idle: map[string][]*list.Element{}}, nil
}

// Driver is the wrapped connector's driver.
func (k connector) Driver() driver.Driver { return k.in.Driver() }

// Conn is one connection with its idle statements.
type Conn struct {
	in   inner
	size int

	mu   sync.Mutex
	lru  *list.List                 // of *stmt, most recently used first
	idle map[string][]*list.Element // by text
	// Prepared counts the statements prepared, Reused those taken idle:
	// what a test or a benchmark reads to see the cache work.
	prepared, reused int64
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
)

type stmt struct {
	text string
	s    driver.Stmt
}

// QueryContext runs query on an idle statement of its text, or on one
// prepared for it. Errors are the wrapped driver's.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.take(query)
	if st == nil {
		s, err := c.in.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		if _, ok := s.(driver.StmtQueryContext); !ok {
			s.Close()
			return c.in.QueryContext(ctx, query, args)
		}
		st = &stmt{text: query, s: s}
		c.mu.Lock()
		c.prepared++
		c.mu.Unlock()
	}
	r, err := st.s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		st.s.Close()
		return nil, err
	}
	return &Rows{Rows: r, c: c, st: st}, nil
}

// take removes and returns an idle statement of text, nil when none.
func (c *Conn) take(text string) *stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.idle[text]
	if len(l) == 0 {
		return nil
	}
	e := l[len(l)-1]
	c.dropIdle(text, len(l)-1)
	c.lru.Remove(e)
	c.reused++
	return e.Value.(*stmt)
}

func (c *Conn) dropIdle(text string, i int) {
	l := c.idle[text]
	l = append(l[:i], l[i+1:]...)
	if len(l) == 0 {
		delete(c.idle, text)
	} else {
		c.idle[text] = l
	}
}

// give puts st back among the idle, finalizing the least recently used
// beyond the connection's size.
func (c *Conn) give(st *stmt) {
	c.mu.Lock()
	c.idle[st.text] = append(c.idle[st.text], c.lru.PushFront(st))
	var evicted *stmt
	if c.lru.Len() > c.size {
		e := c.lru.Back()
		evicted = c.lru.Remove(e).(*stmt)
		for i, x := range c.idle[evicted.text] {
			if x == e {
				c.dropIdle(evicted.text, i)
				break
			}
		}
	}
	c.mu.Unlock()
	if evicted != nil {
		evicted.s.Close()
	}
}

// Stats returns how many statements the connection prepared and how many
// queries took one idle.
func (c *Conn) Stats() (prepared, reused int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.prepared, c.reused
}

// Close finalizes the idle statements, then closes the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	var err error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		err = errors.Join(err, e.Value.(*stmt).s.Close())
	}
	c.lru.Init()
	clear(c.idle)
	c.mu.Unlock()
	return errors.Join(err, c.in.Close())
}

func (c *Conn) Prepare(query string) (driver.Stmt, error) { return c.in.Prepare(query) }
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.in.PrepareContext(ctx, query)
}

// Begin is driver.Conn's; database/sql calls BeginTx.
func (c *Conn) Begin() (driver.Tx, error) { return c.in.Begin() }
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.in.BeginTx(ctx, opts)
}
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.in.ExecContext(ctx, query, args)
}
func (c *Conn) Ping(ctx context.Context) error         { return c.in.Ping(ctx) }
func (c *Conn) ResetSession(ctx context.Context) error { return c.in.ResetSession(ctx) }
func (c *Conn) IsValid() bool                          { return c.in.IsValid() }

// Rows gives its statement back to the connection when closed.
type Rows struct {
	driver.Rows
	c      *Conn
	st     *stmt
	closed bool
}

// Close closes the rows, which resets the statement, and keeps the
// statement for the next query of its text; a statement whose reset
// failed is finalized instead.
func (r *Rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	if err != nil {
		r.st.s.Close()
		return err
	}
	r.c.give(r.st)
	return nil
}

// The column types database/sql's ColumnTypes asks for, from the wrapped
// rows.

func (r *Rows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *Rows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *Rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *Rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *Rows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
