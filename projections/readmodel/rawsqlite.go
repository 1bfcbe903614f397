package readmodel

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawConn is a read-only connection to the read model's file through
// SQLite's C API as modernc.org/sqlite translates it to Go, below
// database/sql: the dataset scans read whole tables through it (see
// datasetReaders). It is opened SQLITE_OPEN_NOMUTEX, so none of its calls
// enters a mutex, and it is not safe for concurrent use: one scan at a
// time. Values are read in place, with no Go allocation per value.
type rawConn struct {
	tls *libc.TLS
	db  uintptr
}

// cPointer is the address p of C memory as a pointer: modernc's libc
// allocates that memory outside the Go heap, where the collector never
// moves or frees it, so the conversion is sound (and, written as a load,
// not the uintptr conversion go vet cannot tell from a Go pointer's).
func cPointer(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// cString is s in C memory of tls, NUL-terminated; free it with libc.Xfree.
func cString(s string) (uintptr, error) { return libc.CString(s) }

func openRawConn(path string) (*rawConn, error) {
	c := &rawConn{tls: libc.NewTLS()}
	name, err := cString(path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	pdb := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, pdb, sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = *(*uintptr)(cPointer(pdb))
	if rc != sqlite3.SQLITE_OK {
		err := c.error(rc)
		c.close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, 10_000)
	// A first read opens the WAL, which sqlite3_snapshot_open needs.
	for _, q := range []string{"PRAGMA query_only = 1", "PRAGMA schema_version"} {
		if err := c.exec(q); err != nil {
			c.close()
			return nil, err
		}
	}
	return c, nil
}

// error is the connection's message for result code rc.
func (c *rawConn) error(rc int32) error {
	if c.db == 0 {
		return fmt.Errorf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc)), rc)
	}
	return fmt.Errorf("sqlite: %s (%d)", libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)), rc)
}

// exec runs one statement, ignoring the rows it returns.
func (c *rawConn) exec(query string) error {
	st, err := c.prepare(query)
	if err != nil {
		return err
	}
	defer st.close()
	for {
		more, err := st.step()
		if err != nil || !more {
			return err
		}
	}
}

// snapshot returns the WAL snapshot of the connection's open read
// transaction (sqlite3_snapshot_get); free it with freeSnapshot.
func (c *rawConn) snapshot() (uintptr, error) {
	main, err := cString("main")
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, main)
	pp := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	if rc := sqlite3.Xsqlite3_snapshot_get(c.tls, c.db, main, pp); rc != sqlite3.SQLITE_OK {
		return 0, c.error(rc)
	}
	return *(*uintptr)(cPointer(pp)), nil
}

// openSnapshot makes the read transaction begun (BEGIN, nothing read
// yet) read snap, another connection's snapshot of the same file
// (sqlite3_snapshot_open). It fails when the WAL has been checkpointed
// past snap or restarted since.
func (c *rawConn) openSnapshot(snap uintptr) error {
	main, err := cString("main")
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, main)
	if rc := sqlite3.Xsqlite3_snapshot_open(c.tls, c.db, main, snap); rc != sqlite3.SQLITE_OK {
		return c.error(rc)
	}
	return nil
}

func (c *rawConn) freeSnapshot(snap uintptr) { sqlite3.Xsqlite3_snapshot_free(c.tls, snap) }

func (c *rawConn) close() {
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db)
		c.db = 0
	}
	c.tls.Close()
}

// rawStmt is a prepared statement of a rawConn.
type rawStmt struct {
	c *rawConn
	p uintptr
	n int
}

func (c *rawConn) prepare(query string) (*rawStmt, error) {
	q, err := cString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, q)
	pp := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, q, -1, 0, pp, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.error(rc)
	}
	p := *(*uintptr)(cPointer(pp))
	return &rawStmt{c: c, p: p, n: int(sqlite3.Xsqlite3_column_count(c.tls, p))}, nil
}

// step reads the next row: false when there is none.
func (s *rawStmt) step() (bool, error) {
	switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.p); rc {
	case sqlite3.SQLITE_ROW:
		return true, nil
	case sqlite3.SQLITE_DONE:
		return false, nil
	default:
		return false, s.c.error(rc)
	}
}

func (s *rawStmt) columns() []string {
	cols := make([]string, s.n)
	for i := range cols {
		cols[i] = libc.GoString(sqlite3.Xsqlite3_column_name(s.c.tls, s.p, int32(i)))
	}
	return cols
}

// read puts the current row into r. Its text values are views of
// SQLite's memory, valid until the next step.
func (s *rawStmt) read(r *DatasetRow) {
	tls, p := s.c.tls, s.p
	for i := range s.n {
		v := sqlite3.Xsqlite3_column_value(tls, p, int32(i))
		switch sqlite3.Xsqlite3_value_type(tls, v) {
		case sqlite3.SQLITE_INTEGER:
			r.kinds[i], r.ints[i] = ValueInteger, sqlite3.Xsqlite3_value_int64(tls, v)
		case sqlite3.SQLITE_FLOAT:
			r.kinds[i], r.floats[i] = ValueFloat, sqlite3.Xsqlite3_value_double(tls, v)
		case sqlite3.SQLITE_NULL:
			r.kinds[i] = ValueNull
		default: // text; a blob is read as its bytes
			t := sqlite3.Xsqlite3_value_text(tls, v)
			n := sqlite3.Xsqlite3_value_bytes(tls, v)
			r.kinds[i], r.texts[i] = ValueText, nil
			if n > 0 {
				r.texts[i] = unsafe.Slice((*byte)(cPointer(t)), n)
			}
		}
	}
}

func (s *rawStmt) close() {
	if s.p != 0 {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
		s.p = 0
	}
}
