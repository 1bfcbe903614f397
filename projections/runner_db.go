package projections

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"modernc.org/sqlite" // the read model's SQLite driver

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/internal/stmtcache"
)

// OpenReadModel opens (creating if needed) the read model file at path for
// the runner: WAL, so readers are never blocked, and synchronous=NORMAL,
// since a lost last transaction after power loss loses its checkpoint with
// it and is simply applied again. The runner writes through one connection.
func OpenReadModel(ctx context.Context, path string) (*sql.DB, error) {
	return openSQLite(ctx, path, false)
}

// OpenReadOnly opens the read model at path for queries while a runner
// writes it. Every connection is read-only, so it cannot create the file:
// open the runner's database first (OpenReadModel creates it, empty, on a
// fresh data directory), then this one. A missing or unreadable file is an
// unavailable error whose message is "read model unavailable"; the path and
// the driver's error are its cause, for logs.
func OpenReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	return openSQLite(ctx, path, true)
}

// readIdleConns is how many read connections stay open between queries:
// more than the concurrent requests a server on a few cores runs at once.
const readIdleConns = 32

func openSQLite(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	if path == "" {
		return nil, events.Invalidf("read model path is empty")
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(0)")
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// Words of a citizen who was forgotten must leave the file, not
		// linger in freed pages (docs/PRIVACY.md).
		q.Add("_pragma", "secure_delete(ON)")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	var db *sql.DB
	if readOnly {
		// The readers run a few hundred texts again and again: each
		// connection keeps its statements prepared (internal/stmtcache).
		k, err := sqlite.NewConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("open read model %s: %w", path, err)
		}
		db = sql.OpenDB(stmtcache.NewConnector(k, 0))
	} else {
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, fmt.Errorf("open read model %s: %w", path, err)
		}
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, &events.Error{Code: events.CodeUnavailable, Message: "read model unavailable", Err: fmt.Errorf("open %s: %w", path, err)}
	}
	if readOnly {
		// A new connection parses the whole schema before its first
		// statement (a third of a GraphQL request's CPU when database/sql's
		// default of 2 idle connections closed the rest after each request
		// of 16 concurrent clients): keep the connections readers reopen.
		db.SetMaxIdleConns(readIdleConns)
	}
	return db, nil
}

// buildRef names one build of one projection.
type buildRef struct {
	projection string
	version    int
	build      int64
}

// physical returns the name of logical object name in this build. It is on
// the path of every statement a projection runs, so it avoids fmt.
func (b buildRef) physical(name string) string {
	return name + "__v" + strconv.Itoa(b.version) + "_" + strconv.FormatInt(b.build, 10)
}

// maxLogicalName keeps physical names well below any identifier limit.
const maxLogicalName = 48

// validLogicalName accepts [a-z][a-z0-9]*(_[a-z0-9]+)*: no double
// underscore, so a logical name can never look like a physical one.
func validLogicalName(name string) error {
	if name == "" || len(name) > maxLogicalName {
		return events.Invalidf("name %q must be 1 to %d bytes", name, maxLogicalName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		case c == '_' && i > 0 && i < len(name)-1 && name[i-1] != '_':
		default:
			return events.Invalidf("name %q: use lower-case ASCII letters, digits and single underscores, starting with a letter", name)
		}
	}
	return nil
}

// stmtCache keeps the statements of one build, prepared on the runner's
// writer connection and reused by every batch.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache() *stmtCache { return &stmtCache{stmts: map[string]*sql.Stmt{}} }

func (c *stmtCache) get(ctx context.Context, conn *sql.Conn, query string) (*sql.Stmt, error) {
	return c.getAs(ctx, conn, query, func() string { return query })
}

// getAs returns the statement kept under key, preparing the text text()
// returns on first use: a projection may key statements by a template of
// its own rather than by the text it expands to.
func (c *stmtCache) getAs(ctx context.Context, conn *sql.Conn, key string, text func() string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[key]; st != nil {
		return st, nil
	}
	st, err := conn.PrepareContext(ctx, text())
	if err != nil {
		return nil, err
	}
	c.stmts[key] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}
