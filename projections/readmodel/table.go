package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// table is one table of the read model, declared once: the Go type R of
// its rows, its columns in order (each with its SQL declaration and the
// field of R it holds), its primary key K and its indexes. Its DDL, the
// statements that write and delete its rows and the query that loads one
// row are all derived from that declaration; see "Writing a table" in the
// package doc.
type table[K comparable, R any] struct {
	name    string      // logical name
	columns []column[R] // in the order of the table
	keys    int         // the key is columns[keyAt:keyAt+keys]
	keyAt   int
	// key returns a row's key; newRow returns the empty row of a key, the
	// start of a row created by an event and the shape loaded rows fill.
	key    func(*R) K
	newRow func(K) R
	// order sorts the rows a batch writes, to keep each B-tree's writes on
	// neighbouring pages; nil writes them in the order Apply made them,
	// deletes included, for a table whose rowids are visible (search_docs).
	order func(a, b K) int
	// owned is how many leading key columns name the owner of a list of
	// rows (a document's owner kind and id), for deleteOwned; owner
	// returns a key's owner as a K whose other key fields are zero.
	owned int
	owner func(K) K
	// rowid keeps SQLite's rowid: tables of long texts, where WITHOUT
	// ROWID measured slower. A column declared INTEGER PRIMARY KEY is the
	// rowid itself and then auto: never written, SQLite numbers the rows.
	rowid bool
	auto  string
	// constraint ends the column list (a PRIMARY KEY or UNIQUE of several
	// columns); upsert writes with an upsert on the key instead of INSERT
	// OR REPLACE, keeping the auto column of a row written again.
	constraint string
	upsert     bool
	indexes    []string // CREATE INDEX statements with logical names in braces

	slot     int    // index of the table's store in a batch
	names    string // the written columns, comma-separated
	verb     string // "INSERT OR REPLACE" or "INSERT"
	suffix   string // after the VALUES: the upsert clause, if any
	load     string // template of the query that loads one row by key
	keyNames []string
}

// column is one column of a table: its name, its SQL declaration and how
// it reads from and writes to a row. get returns the value to write (nil
// is NULL); set takes the value SQLite returns (int64, string, []byte or
// nil).
type column[R any] struct {
	name, decl string
	get        func(*R) any
	set        func(*R, any)
	once       bool // written with the row, kept by an upsert (see once)
}

// tables are every table of the read model, in the order Setup creates
// them and a batch writes them.
var tables []interface {
	schema() string
	newStore(b *batch) flusher
}

// flusher writes what a batch holds for one table.
type flusher interface {
	flush(ctx context.Context, tx *projections.Tx) error
}

// define registers t, derives its statements and returns it.
func define[K comparable, R any](t *table[K, R]) *table[K, R] {
	var written, keys, load []string
	for i, c := range t.columns {
		load = append(load, c.name)
		if i >= t.keyAt && i < t.keyAt+t.keys {
			keys = append(keys, c.name)
		}
		if c.name != t.auto {
			written = append(written, c.name)
		}
	}
	t.names = strings.Join(written, ", ")
	t.keyNames = keys
	t.verb = "INSERT OR REPLACE"
	if t.upsert {
		var set []string
		for i, c := range t.columns {
			if c.name != t.auto && !c.once && (i < t.keyAt || i >= t.keyAt+t.keys) {
				set = append(set, c.name+" = excluded."+c.name)
			}
		}
		t.verb = "INSERT"
		t.suffix = " ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	}
	t.load = "SELECT " + strings.Join(load, ", ") + " FROM {" + t.name + "} WHERE " + strings.Join(keys, " = ? AND ") + " = ?"
	t.slot = len(tables)
	tables = append(tables, t)
	return t
}

// schema returns the table's DDL with logical names in braces.
func (t *table[K, R]) schema() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE {" + t.name + "} (\n")
	for i, c := range t.columns {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("\t" + c.name + " " + c.decl)
	}
	if t.constraint != "" {
		b.WriteString(",\n\t" + t.constraint)
	}
	b.WriteString("\n)")
	if !t.rowid {
		b.WriteString(" WITHOUT ROWID")
	}
	b.WriteString(";\n")
	for _, idx := range t.indexes {
		b.WriteString(idx + ";\n")
	}
	return b.String()
}

// values returns a row's written columns in order.
func (t *table[K, R]) values(r *R) []any {
	return t.appendValues(make([]any, 0, len(t.columns)), r)
}

// appendValues appends a row's written columns to out.
func (t *table[K, R]) appendValues(out []any, r *R) []any {
	for _, c := range t.columns {
		if c.name != t.auto {
			out = append(out, c.get(r))
		}
	}
	return out
}

// keyArgs returns the values of a key's columns.
func (t *table[K, R]) keyArgs(k K, n int) []any {
	r := t.newRow(k)
	out := make([]any, n)
	for i, c := range t.columns[t.keyAt : t.keyAt+n] {
		out[i] = c.get(&r)
	}
	return out
}

// of returns the rows of t that w's batch holds.
func (t *table[K, R]) of(w writer) *store[K, R] {
	return batchOf(w).stores[t.slot].(*store[K, R])
}

func (t *table[K, R]) newStore(b *batch) flusher {
	return &store[K, R]{t: t, b: b, slots: map[K]*slot[K, R]{}}
}

// store holds the rows of one table a batch has read or written, changed
// in memory and written once each when the batch ends, many rows per
// statement. A row not in memory is loaded from the table on first use, so
// the tables remain the only state between batches. In a batch without a
// transaction (the fold of one entity's events for AsOf) the store is all
// there is: a row not in memory does not exist.
type store[K comparable, R any] struct {
	t       *table[K, R]
	b       *batch
	slots   map[K]*slot[K, R]
	order   []*slot[K, R]   // in the order first held
	ops     []storeOp[K, R] // writes and deletes, in order
	owners  map[K][]K       // keys held of each owner, when t.owned > 0
	dropped map[K]bool      // owners whose rows were deleted in this batch
	drops   []K
}

type slot[K comparable, R any] struct {
	key     K
	row     *R   // nil: no such row
	written bool // an op of the batch writes or deletes it
}

type storeOp[K comparable, R any] struct {
	key K
	row *R // nil: delete
}

// hold records the slot of a key first seen.
func (s *store[K, R]) hold(k K) *slot[K, R] {
	sl := &slot[K, R]{key: k}
	s.slots[k] = sl
	s.order = append(s.order, sl)
	if s.t.owned > 0 {
		if s.owners == nil {
			s.owners = map[K][]K{}
		}
		o := s.t.owner(k)
		s.owners[o] = append(s.owners[o], k)
	}
	return sl
}

// get returns the row of key k, loading it from the table on first use;
// nil if there is none. A caller that changes the row calls write.
func (s *store[K, R]) get(w writer, k K) (*R, error) {
	if sl := s.slots[k]; sl != nil {
		return sl.row, nil
	}
	var r *R
	if w.tx != nil && !(s.t.owned > 0 && s.dropped[s.t.owner(k)]) {
		var err error
		if r, err = s.loadRow(w, k); err != nil {
			return nil, err
		}
	}
	s.hold(k).row = r
	return r, nil
}

func (s *store[K, R]) loadRow(w writer, k K) (*R, error) {
	vals := make([]any, len(s.t.columns))
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := w.queryRow(s.t.load, s.t.keyArgs(k, s.t.keys)...).Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	r := s.t.newRow(k)
	for i, c := range s.t.columns {
		c.set(&r, vals[i])
	}
	return &r, nil
}

// held returns the row of key k if the batch holds it, without loading it.
func (s *store[K, R]) held(k K) *R {
	if sl := s.slots[k]; sl != nil {
		return sl.row
	}
	return nil
}

// put makes r the row of its key, replacing any, and returns it to be
// changed further in memory.
func (s *store[K, R]) put(r R) *R {
	k := s.t.key(&r)
	sl := s.slots[k]
	if sl == nil {
		sl = s.hold(k)
	}
	if sl.row != nil && sl.written {
		*sl.row = r // the pending write of the key writes the new row
		return sl.row
	}
	sl.row, sl.written = &r, true
	s.op(k, sl.row)
	return sl.row
}

// change applies f to the row of key k, if there is one, and reports
// whether there was.
func (s *store[K, R]) change(w writer, k K, f func(*R)) (bool, error) {
	r, err := s.get(w, k)
	if err != nil || r == nil {
		return false, err
	}
	f(r)
	s.write(k)
	return true, nil
}

// write marks the row of k, changed in memory, to be written.
func (s *store[K, R]) write(k K) {
	sl := s.slots[k]
	if sl.written || sl.row == nil {
		return
	}
	sl.written = true
	s.op(k, sl.row)
}

// op records a write (or, with a nil row, a delete) for a table written
// in the order made.
func (s *store[K, R]) op(k K, r *R) {
	if s.t.order == nil && s.b.tx != nil {
		s.ops = append(s.ops, storeOp[K, R]{key: k, row: r})
	}
}

// delete removes the row of key k.
func (s *store[K, R]) delete(k K) {
	sl := s.slots[k]
	if sl == nil {
		sl = s.hold(k)
	}
	sl.row, sl.written = nil, true
	s.op(k, nil)
}

// deleteOwned removes every row of the owner of key o (see table.owned).
func (s *store[K, R]) deleteOwned(o K) {
	o = s.t.owner(o)
	for _, k := range s.owners[o] {
		s.slots[k].row = nil
	}
	if s.dropped == nil {
		s.dropped = map[K]bool{}
	}
	if !s.dropped[o] {
		s.dropped[o] = true
		s.drops = append(s.drops, o)
	}
}

// each calls f with every row held, in the order first held.
func (s *store[K, R]) each(f func(*R)) {
	for _, sl := range s.order {
		if sl.row != nil {
			f(sl.row)
		}
	}
}

// flush writes the batch's rows: with an order, the owners' deletes, the
// other deletes and then the rows, each in key order; without, every write
// and delete in the order made. Consecutive rows go many per statement.
func (s *store[K, R]) flush(ctx context.Context, tx *projections.Tx) error {
	if s.t.order == nil {
		return s.flushInOrder(ctx, tx)
	}
	if err := s.deleteKeys(ctx, tx, s.drops, s.t.owned); err != nil {
		return err
	}
	var dels []K
	var puts []*slot[K, R]
	for _, sl := range s.order {
		switch {
		case !sl.written:
		case sl.row != nil:
			puts = append(puts, sl)
		case s.t.owned == 0 || !s.dropped[s.t.owner(sl.key)]:
			dels = append(dels, sl.key)
		}
	}
	slices.SortFunc(dels, s.t.order)
	if err := s.deleteKeys(ctx, tx, dels, s.t.keys); err != nil {
		return err
	}
	slices.SortFunc(puts, func(a, b *slot[K, R]) int { return s.t.order(a.key, b.key) })
	rows := make([][]any, len(puts))
	buf := make([]any, 0, len(puts)*len(s.t.columns))
	for i, sl := range puts {
		start := len(buf)
		buf = s.t.appendValues(buf, sl.row)
		rows[i] = buf[start:len(buf):len(buf)]
	}
	return insertRows(ctx, tx, s.t.verb, s.t.name, s.t.names, s.t.suffix, rows)
}

func (s *store[K, R]) flushInOrder(ctx context.Context, tx *projections.Tx) error {
	var rows [][]any
	var dels []K
	for i, op := range s.ops {
		if op.row == nil {
			dels = append(dels, op.key)
			if i+1 == len(s.ops) || s.ops[i+1].row != nil {
				if err := s.deleteKeys(ctx, tx, dels, s.t.keys); err != nil {
					return err
				}
				dels = dels[:0]
			}
			continue
		}
		rows = append(rows, s.t.values(op.row))
		if i+1 == len(s.ops) || s.ops[i+1].row == nil {
			if err := insertRows(ctx, tx, s.t.verb, s.t.name, s.t.names, s.t.suffix, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	return nil
}

// deleteKeys deletes the rows whose first n key columns are those of keys,
// many keys per statement.
func (s *store[K, R]) deleteKeys(ctx context.Context, tx *projections.Tx, keys []K, n int) error {
	if len(keys) == 0 {
		return nil
	}
	// An OR of equalities, which SQLite looks up in the key's index
	// term by term; it scans the table for a row-value IN (VALUES ...).
	one := "(" + strings.Join(s.t.keyNames[:n], " = ? AND ") + " = ?)"
	args := make([]any, 0, rowsPerStatement[0]*n)
	for _, per := range rowsPerStatement {
		if len(keys) < per {
			continue
		}
		query := "DELETE FROM " + tx.Table(s.t.name) + " WHERE " + one + strings.Repeat(" OR "+one, per-1)
		for len(keys) >= per {
			args = args[:0]
			for _, k := range keys[:per] {
				args = append(args, s.t.keyArgs(k, n)...)
			}
			if err := execStatement(ctx, tx, query, args); err != nil {
				return err
			}
			keys = keys[per:]
		}
	}
	return nil
}

// Columns of the types rows hold.

func textCol[R any](name, decl string, f func(*R) *string) column[R] {
	return column[R]{name: name, decl: decl,
		get: func(r *R) any { return *f(r) },
		set: func(r *R, v any) { *f(r) = asText(v) }}
}

func intCol[R any](name, decl string, f func(*R) *int) column[R] {
	return column[R]{name: name, decl: decl,
		get: func(r *R) any { return int64(*f(r)) },
		set: func(r *R, v any) { n, _ := v.(int64); *f(r) = int(n) }}
}

func int64Col[R any](name, decl string, f func(*R) *int64) column[R] {
	return column[R]{name: name, decl: decl,
		get: func(r *R) any { return *f(r) },
		set: func(r *R, v any) { *f(r), _ = v.(int64) }}
}

func boolCol[R any](name, decl string, f func(*R) *bool) column[R] {
	return column[R]{name: name, decl: decl,
		get: func(r *R) any { return *f(r) },
		set: func(r *R, v any) { n, _ := v.(int64); *f(r) = n != 0 }}
}

// timeCol is a time as timeText writes it; the zero time is NULL.
func timeCol[R any](name string, f func(*R) *time.Time) column[R] {
	return column[R]{name: name, decl: "TEXT",
		get: func(r *R) any { return timeText(*f(r)) },
		set: func(r *R, v any) { *f(r) = parseTime(asText(v)) }}
}

func jsonCol[R any](name, decl string, f func(*R) *json.RawMessage) column[R] {
	return column[R]{name: name, decl: decl,
		get: func(r *R) any { return string(*f(r)) },
		set: func(r *R, v any) { *f(r) = json.RawMessage(asText(v)) }}
}

// centsCol and currencyCol are the two columns of an amount that may be
// missing (nil, both NULL; see amount).
func centsCol[R any](name string, f func(*R) **events.Money) column[R] {
	return column[R]{name: name, decl: "INTEGER",
		get: func(r *R) any {
			if m := *f(r); m != nil {
				return m.Cents
			}
			return nil
		},
		set: func(r *R, v any) {
			if n, ok := v.(int64); ok {
				moneyAt(f(r)).Cents = n
			}
		}}
}

func currencyCol[R any](name string, f func(*R) **events.Money) column[R] {
	return column[R]{name: name, decl: "TEXT",
		get: func(r *R) any {
			if m := *f(r); m != nil {
				return m.Currency
			}
			return nil
		},
		set: func(r *R, v any) {
			if v != nil {
				moneyAt(f(r)).Currency = asText(v)
			}
		}}
}

func moneyAt(m **events.Money) *events.Money {
	if *m == nil {
		*m = &events.Money{}
	}
	return *m
}

// amount is an amount of an event as a row holds it: a zero Money is
// none.
func amount(m events.Money) *events.Money {
	if m.Currency == "" && m.Cents == 0 {
		return nil
	}
	return &m
}

// once marks c as written when its row is first written and kept when an
// upsert writes the row again.
func once[R any](c column[R]) column[R] {
	c.once = true
	return c
}

// nullWhen makes c NULL in the rows for which null reports true, and
// reading NULL leaves the field as newRow made it.
func nullWhen[R any](c column[R], null func(*R) bool) column[R] {
	get, set := c.get, c.set
	c.get = func(r *R) any {
		if null(r) {
			return nil
		}
		return get(r)
	}
	c.set = func(r *R, v any) {
		if v != nil {
			set(r, v)
		}
	}
	return c
}

// asText returns a TEXT value SQLite returned; NULL is "".
func asText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// byString orders keys that are strings.
func byString(a, b string) int { return cmp.Compare(a, b) }
