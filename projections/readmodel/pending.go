package readmodel

import (
	"context"
	"strings"

	"github.com/pnyx-civic/pnyx/projections"
)

// pendingTable holds the writes of one batch to one table of the read
// model, to be made before the batch commits: rows to insert, many per
// statement, and statements, in the order Apply asked for them. Writes to
// the table that are not made through it would run before its pending
// ones, so every write of a table held here goes through it, and nothing
// reads the table before the batch ends, except reads a caller has shown
// are not affected by the pending writes (such as the last sequence number
// of a parent first seen in the batch).
//
// Until the flush, the row most recently put under a key can be changed in
// place: an UPDATE of a row inserted in the same batch becomes a change of
// the row in memory, so the row is written once, as a statement per event
// would have left it.
type pendingTable struct {
	table   string // logical name
	verb    string // "INSERT", "INSERT OR REPLACE"
	columns string
	suffix  string // after the VALUES, such as an upsert clause
	ops     []pendingOp
	latest  map[string][]any
}

// pendingOp is a row to insert or, when stmt is set, a statement.
type pendingOp struct {
	row  []any
	stmt string
	args []any
}

// pending returns the batch's pending writes to table, created with the
// shape of its rows on first use. Tables flush in the order first used.
func (b *batch) pending(table, verb, columns, suffix string) *pendingTable {
	for _, p := range b.tables {
		if p.table == table {
			return p
		}
	}
	p := &pendingTable{table: table, verb: verb, columns: columns, suffix: suffix, latest: map[string][]any{}}
	b.tables = append(b.tables, p)
	return p
}

// put adds a row; key, if not empty, makes it the row later changes of
// that key apply to.
func (p *pendingTable) put(key string, row ...any) {
	p.ops = append(p.ops, pendingOp{row: row})
	if key != "" {
		p.latest[key] = row
	}
}

// row returns the row last put under key in this batch, or nil: a change
// of a row not in memory is a statement (exec).
func (p *pendingTable) row(key string) []any { return p.latest[key] }

// update makes a change to key's row: in memory with change when the batch
// holds the row, and otherwise by adding stmt, which makes the same change
// in the table.
func (p *pendingTable) update(key string, change func(row []any), stmt string, args ...any) {
	if row := p.latest[key]; row != nil {
		change(row)
		return
	}
	p.exec(stmt, args...)
}

// exec adds a statement (a template with logical names in braces) that
// runs after the writes added before it.
func (p *pendingTable) exec(stmt string, args ...any) {
	p.ops = append(p.ops, pendingOp{stmt: stmt, args: args})
}

// forget drops key's row from memory, once a statement added with exec
// has deleted it: later changes of key are statements again.
func (p *pendingTable) forget(key string) { delete(p.latest, key) }

// flush writes the pending rows and statements in order, consecutive rows
// in multi-row statements.
func (p *pendingTable) flush(ctx context.Context, tx *projections.Tx) error {
	w := writer{ctx: ctx, tx: tx}
	var rows [][]any
	for i, op := range p.ops {
		if op.stmt == "" {
			rows = append(rows, op.row)
			if i+1 < len(p.ops) && p.ops[i+1].stmt == "" {
				continue
			}
			if err := insertRows(ctx, tx, p.verb, p.table, p.columns, p.suffix, rows); err != nil {
				return err
			}
			rows = rows[:0]
			continue
		}
		if err := w.exec(op.stmt, op.args...); err != nil {
			return err
		}
	}
	p.ops, p.latest = nil, nil
	return nil
}

// nextSeq reserves the next n sequence numbers of a parent's children (a
// consultation's comments, a meeting's agenda items, an owner's
// documents), counted in seqs under key, and returns the first. It reads
// the last one from the table with query on the parent's first use in the
// batch: before that use nothing of the parent's is pending, so the table
// holds the answer.
func (w writer) nextSeq(seqs map[string]int64, key string, n int64, query string, args ...any) (int64, error) {
	last, ok := seqs[key]
	if !ok {
		if err := w.queryRow(query, args...).Scan(&last); err != nil {
			return 0, err
		}
	}
	seqs[key] = last + n
	return last + 1, nil
}

// seqKey joins the parts of a parent's key.
func seqKey(parts ...string) string { return strings.Join(parts, "\x00") }
