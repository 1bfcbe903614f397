package readmodel

import (
	"context"
	"strings"

	"github.com/pnyx-civic/pnyx/projections"
)

// Every row the read model writes is gathered in memory during a batch,
// by its table's store (table.go), and written once, before the batch
// commits, many rows per statement. Nothing outlives the transaction
// (Tx.Local), so a rolled back batch leaves no state behind, and a row not
// in memory is read from its table: the tables remain the only state.

type batchKey struct{}

// batch is what one transaction of the read model holds in memory: the
// rows of every table it read or wrote (see store), the derived columns to
// work out again and the last sequence numbers it handed out. Without a
// transaction (tx nil) it is the memory AsOf folds one entity's events in.
type batch struct {
	tx       *projections.Tx
	stores   []flusher
	recounts []*recount
	seqs     map[string]int64 // last sequence numbers, see writer.nextSeq
}

func newBatch(tx *projections.Tx) *batch {
	b := &batch{tx: tx, seqs: map[string]int64{}}
	for _, t := range tables {
		b.stores = append(b.stores, t.newStore(b))
	}
	return b
}

// recount is a column derived from other rows (a consultation's comments,
// a meeting's members present, a procurement's bids and sum paid), worked
// out again once per batch for each row whose sources changed rather than
// after every event: stmt takes the row's id as ?1.
type recount struct {
	stmt    string
	pending map[string]bool
	order   []string
}

// Derived columns of the read model.
var (
	recountComments = &recount{stmt: `UPDATE {consultations} SET comments = (SELECT count(*) FROM {comments} WHERE item_id = ?1) WHERE item_id = ?1`}
	recountPresent  = &recount{stmt: `UPDATE {meetings} SET present = (SELECT count(*) FROM {meeting_attendance} WHERE meeting_id = ?1) WHERE meeting_id = ?1`}
	recountBids     = &recount{stmt: `UPDATE {procurements} SET bids = (SELECT count(*) FROM {bids} WHERE ocid = ?1) WHERE ocid = ?1`}
	recountPaid     = &recount{stmt: `UPDATE {procurements} SET paid_cents = (SELECT coalesce(sum(amount_cents), 0) FROM {payments} WHERE ocid = ?1) WHERE ocid = ?1`}
	recounts        = []*recount{recountComments, recountPresent, recountBids, recountPaid}
)

// recount schedules the derived column of r for the row id.
func (b *batch) recount(r *recount, id string) {
	mine := b.recountOf(r)
	if !mine.pending[id] {
		mine.pending[id] = true
		mine.order = append(mine.order, id)
	}
}

// replaced forgets the scheduled work of r for the row id, replaced
// whole: its derived column starts again from its default, as it would
// have had every event been applied on its own.
func (b *batch) replaced(r *recount, id string) {
	delete(b.recountOf(r).pending, id)
}

func (b *batch) recountOf(r *recount) *recount {
	for _, mine := range b.recounts {
		if mine.stmt == r.stmt {
			return mine
		}
	}
	mine := &recount{stmt: r.stmt, pending: map[string]bool{}}
	b.recounts = append(b.recounts, mine)
	return mine
}

// batchOf returns the batch of w's transaction, registering its flush on
// first use.
func batchOf(w writer) *batch {
	if w.mem != nil {
		return w.mem
	}
	return w.tx.Local(batchKey{}, func() any {
		b := newBatch(w.tx)
		w.tx.BeforeCommit(b.flush)
		return b
	}).(*batch)
}

// flush writes the batch's rows, table by table, and then its derived
// columns.
func (b *batch) flush(ctx context.Context) error {
	for _, s := range b.stores {
		if err := s.flush(ctx, b.tx); err != nil {
			return err
		}
	}
	w := writer{ctx: ctx, tx: b.tx}
	for _, r := range b.recounts {
		for _, id := range r.order {
			if !r.pending[id] {
				continue
			}
			if err := w.exec(r.stmt, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// rowsPerStatement are the sizes of the multi-row statements insertRows
// uses, largest first: few distinct statements to prepare, few statements
// to run.
var rowsPerStatement = []int{64, 8, 1}

// insertRows writes rows (values in the order of columns) into the logical
// table with verb ("INSERT", "INSERT OR REPLACE") and suffix (an upsert
// clause, or ""), many rows per statement.
func insertRows(ctx context.Context, tx *projections.Tx, verb, table, columns, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	one := "(?" + strings.Repeat(", ?", width-1) + ")"
	args := make([]any, 0, rowsPerStatement[0]*width)
	for _, n := range rowsPerStatement {
		if len(rows) < n {
			continue
		}
		query := verb + " INTO " + tx.Table(table) + " (" + columns + ") VALUES " + one + strings.Repeat(", "+one, n-1) + suffix
		for len(rows) >= n {
			args = args[:0]
			for _, r := range rows[:n] {
				args = append(args, r...)
			}
			if err := execStatement(ctx, tx, query, args); err != nil {
				return err
			}
			rows = rows[n:]
		}
	}
	return nil
}

// execStatement runs query, a statement of the build spelled out in full,
// under a statement context (see statementContext).
func execStatement(ctx context.Context, tx *projections.Tx, query string, args []any) error {
	stmtCtx, err := statementContext(ctx)
	if err != nil {
		return err
	}
	_, err = tx.Exec(stmtCtx, query, args...)
	return err
}

// nextSeq reserves the next n sequence numbers of a parent's children (a
// consultation's comments, a meeting's agenda items, an owner's
// documents), counted in seqs under key, and returns the first. It reads
// the last one from the table with query on the parent's first use in the
// batch: before that use nothing of the parent's is pending, so the table
// holds the answer.
func (w writer) nextSeq(seqs map[string]int64, key string, n int64, query string, args ...any) (int64, error) {
	last, ok := seqs[key]
	if !ok && w.tx != nil {
		if err := w.queryRow(query, args...).Scan(&last); err != nil {
			return 0, err
		}
	}
	seqs[key] = last + n
	return last + 1, nil
}

// seqKey joins the parts of a parent's key.
func seqKey(parts ...string) string { return strings.Join(parts, "\x00") }
