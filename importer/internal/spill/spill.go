// Package spill groups a large file's items by key on disk, so an importer
// can read a file whose records arrive in any order (an OCDS process's
// releases scattered through a gigabyte of release packages) in constant
// memory: items are written to a temporary SQLite file as they are read,
// then read back key by key, in key order, each key's items in the order
// they came.
package spill

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Spill is a temporary file of items grouped by key. It is used by one
// goroutine.
type Spill struct {
	dir  string
	db   *sql.DB
	tx   *sql.Tx
	ins  *sql.Stmt
	n    int
	keys int
}

// New creates a spill in a new temporary directory under dir ("" for the
// system's).
func New(ctx context.Context, dir string) (*Spill, error) {
	d, err := os.MkdirTemp(dir, "pnyx-import-")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(OFF)")
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "temp_store(FILE)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(d, "spill.db")}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		os.RemoveAll(d)
		return nil, fmt.Errorf("spill: %w", err)
	}
	db.SetMaxOpenConns(1)
	s := &Spill{dir: d, db: db}
	if _, err := db.ExecContext(ctx, `CREATE TABLE items (key TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID`); err != nil {
		s.Close()
		return nil, fmt.Errorf("spill: %w", err)
	}
	return s, nil
}

// Add stores an item under key, after the items added before it.
func (s *Spill) Add(ctx context.Context, key string, body []byte) error {
	if s.tx == nil {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO items (key, seq, body) VALUES (?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("spill: %w", err)
		}
		s.tx, s.ins = tx, ins
	}
	s.n++
	if _, err := s.ins.ExecContext(ctx, key, s.n, body); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if s.n%10_000 == 0 {
		return s.flush()
	}
	return nil
}

func (s *Spill) flush() error {
	if s.tx == nil {
		return nil
	}
	s.ins.Close()
	err := s.tx.Commit()
	s.tx, s.ins = nil, nil
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	return nil
}

// Len is the number of items added.
func (s *Spill) Len() int { return s.n }

// Groups reads the items back: every key, in key order, with its items
// in the order added. No item may be added after.
func (s *Spill) Groups(ctx context.Context) (*Groups, error) {
	if err := s.flush(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT key, body FROM items ORDER BY key, seq`)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	g := &Groups{rows: rows}
	g.advance()
	return g, nil
}

// Groups iterates over a spill's keys.
type Groups struct {
	rows *sql.Rows
	key  string
	body []byte
	have bool
	err  error
}

func (g *Groups) advance() {
	g.have = g.rows.Next()
	if g.have {
		g.body = nil
		g.err = g.rows.Scan(&g.key, &g.body)
		g.have = g.err == nil
		return
	}
	g.err = g.rows.Err()
}

// Next returns the next key and its items; ok is false after the last.
func (g *Groups) Next() (key string, items [][]byte, ok bool, err error) {
	if !g.have {
		return "", nil, false, g.err
	}
	key = g.key
	for g.have && g.key == key {
		items = append(items, g.body)
		g.advance()
	}
	if g.err != nil {
		return "", nil, false, fmt.Errorf("spill: %w", g.err)
	}
	return key, items, true, nil
}

// Close ends the iteration.
func (g *Groups) Close() error { return g.rows.Close() }

// Close removes the spill's file.
func (s *Spill) Close() error {
	if s.tx != nil {
		s.tx.Rollback()
	}
	err := s.db.Close()
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}
