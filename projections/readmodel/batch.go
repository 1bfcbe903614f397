package readmodel

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/pnyx-civic/pnyx/projections"
)

// The read model's busiest rows are gathered in memory during a batch and
// written once, before the batch commits: ballots (four events in ten of a
// municipality's log) and requests with their status history (a request
// changes five or six times, mostly within one batch while rebuilding). A
// request updated five times in a batch is then one row write instead of
// five updates, and rows go in statements of many rows each. The other
// tables Apply writes often are held in the same way by pendingTable and
// documentRows (readmodel_pending.go, readmodel_meeting.go). Nothing
// outlives the transaction (Tx.Local), so a rolled back batch leaves no
// state behind, and a row not in memory is read from its table: the tables
// remain the only state.

type batchKey struct{}

// batch is what one transaction of the read model holds in memory.
type batch struct {
	tx           *projections.Tx
	requests     map[string]*requestRow
	requestOrder []string
	history      [][]any // request_status_history rows
	ballots      map[ballotKey]*ballotRow
	ballotOrder  []ballotKey
	votes        map[string][]any // rows of votes, in voteColumns order
	voteOrder    []string
	recounts     []*recount
	tables       []*pendingTable // other tables' writes, see pendingTable
	documents    *documentRows
	seqs         map[string]int64 // last sequence numbers, see writer.nextSeq
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
	return w.tx.Local(batchKey{}, func() any {
		b := &batch{tx: w.tx, requests: map[string]*requestRow{}, ballots: map[ballotKey]*ballotRow{}, votes: map[string][]any{},
			seqs: map[string]int64{}}
		w.tx.BeforeCommit(b.flush)
		return b
	}).(*batch)
}

type ballotKey struct{ vote, member string }

// ballotRow is a row of ballots.
type ballotRow struct {
	choice  string
	castAt  any
	changes int64
}

// requestRow is a row of requests, with the last sequence number of its
// status history.
type requestRow struct {
	exists                                 bool // in the table, or submitted in this batch
	dirty                                  bool
	category, subject, channel, assistedBy string
	status                                 string
	submittedAt, acknowledgedAt            any
	responseDays, dueAt                    any
	department, officerID                  string
	answeredAt                             any
	answerSummary, legalBasis              string
	closedAt                               any
	reopened                               int64
	lastSeq                                int64
}

const requestRowColumns = `request_id, category, subject, channel, assisted_by, status, submitted_at, acknowledged_at, response_days,
	due_at, department, officer_id, answered_at, answer_summary, legal_basis, closed_at, reopened`

// loadRequest reads a request's row and the last sequence number of its
// history, which exists even when the row does not.
var loadRequest = `SELECT h.n, r.` + strings.ReplaceAll(requestRowColumns, ", ", ", r.") + `
	FROM (SELECT coalesce(max(seq), 0) AS n FROM {request_status_history} WHERE request_id = ?1) h
	LEFT JOIN {requests} r ON r.request_id = ?1`

// request returns the row of request id, read from the tables on its first
// use in the batch; exists is false when there is none yet. A caller about
// to replace the whole row passes replacing, and only the history's last
// sequence number is read.
func (b *batch) request(w writer, id string, replacing bool) (*requestRow, error) {
	if r := b.requests[id]; r != nil {
		return r, nil
	}
	r := &requestRow{}
	if replacing {
		if err := w.queryRow(`SELECT coalesce(max(seq), 0) FROM {request_status_history} WHERE request_id = ?`, id).Scan(&r.lastSeq); err != nil {
			return nil, err
		}
		b.requests[id] = r
		b.requestOrder = append(b.requestOrder, id)
		return r, nil
	}
	var vals [17]any
	dest := make([]any, 0, 18)
	dest = append(dest, &r.lastSeq)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	err := w.queryRow(loadRequest, id).Scan(dest...)
	if err != nil {
		return nil, err
	}
	if vals[0] != nil {
		r.exists = true
		r.category, r.subject, r.channel, r.assistedBy = text(vals[1]), text(vals[2]), text(vals[3]), text(vals[4])
		r.status, r.submittedAt, r.acknowledgedAt, r.responseDays = text(vals[5]), vals[6], vals[7], vals[8]
		r.dueAt, r.department, r.officerID, r.answeredAt = vals[9], text(vals[10]), text(vals[11]), vals[12]
		r.answerSummary, r.legalBasis, r.closedAt = text(vals[13]), text(vals[14]), vals[15]
		r.reopened, _ = vals[16].(int64)
	}
	b.requests[id] = r
	b.requestOrder = append(b.requestOrder, id)
	return r, nil
}

// text returns a TEXT column read into an any; NULL is "".
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// castBallot records a ballot, replacing the member's earlier one.
func (b *batch) castBallot(vote, member, choice string, at any) {
	k := ballotKey{vote, member}
	if b.ballots[k] == nil {
		b.ballotOrder = append(b.ballotOrder, k)
	}
	b.ballots[k] = &ballotRow{choice: choice, castAt: at}
}

// changeBallot changes a ballot cast in this batch and reports whether it
// was; a ballot of an earlier batch is changed in its table.
func (b *batch) changeBallot(vote, member, choice string) bool {
	r := b.ballots[ballotKey{vote, member}]
	if r == nil {
		return false
	}
	r.choice = choice
	r.changes++
	return true
}

// voteColumns are the columns of votes, in the order of a gathered row.
const voteColumns = `vote_id, body_id, meeting_id, item_id, amendment_id, question, question_type, method, status, opened_at,
	closed_at, yes, no, abstain, present, absent, result, seats, majority, chair_tie_break`

// openVote records a vote opened, replacing any earlier row of its id.
func (b *batch) openVote(row []any) {
	id := row[0].(string)
	if b.votes[id] == nil {
		b.voteOrder = append(b.voteOrder, id)
	}
	b.votes[id] = row
}

// closeVote sets the closing columns (closed_at to chair_tie_break) of a
// vote opened in this batch and reports whether it was; a vote of an
// earlier batch is closed in its table.
func (b *batch) closeVote(id string, closing ...any) bool {
	row := b.votes[id]
	if row == nil {
		return false
	}
	row[8] = "closed"
	copy(row[10:], closing)
	return true
}

// flush writes the batch's rows in key order, which keeps each B-tree's
// writes on neighbouring pages (the tables hold the same rows in any
// order).
func (b *batch) flush(ctx context.Context) error {
	for _, p := range b.tables {
		if err := p.flush(ctx, b.tx); err != nil {
			return err
		}
	}
	if b.documents != nil {
		if err := b.documents.flush(ctx, b.tx); err != nil {
			return err
		}
	}
	slices.SortFunc(b.ballotOrder, func(x, y ballotKey) int {
		return cmp.Or(strings.Compare(x.vote, y.vote), strings.Compare(x.member, y.member))
	})
	slices.Sort(b.requestOrder)
	slices.SortStableFunc(b.history, func(x, y []any) int { return strings.Compare(x[0].(string), y[0].(string)) })
	rows := make([][]any, 0, len(b.ballotOrder))
	for _, k := range b.ballotOrder {
		r := b.ballots[k]
		rows = append(rows, []any{k.vote, k.member, r.choice, r.castAt, r.changes})
	}
	if err := insertRows(ctx, b.tx, "INSERT OR REPLACE", "ballots", "vote_id, member_id, choice, cast_at, changes", "", rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, id := range b.requestOrder {
		r := b.requests[id]
		if !r.exists || !r.dirty {
			continue
		}
		rows = append(rows, []any{id, r.category, r.subject, r.channel, r.assistedBy, r.status, r.submittedAt, r.acknowledgedAt,
			r.responseDays, r.dueAt, r.department, r.officerID, r.answeredAt, r.answerSummary, r.legalBasis, r.closedAt, r.reopened})
	}
	if err := insertRows(ctx, b.tx, "INSERT OR REPLACE", "requests", requestRowColumns, "", rows); err != nil {
		return err
	}
	if err := insertRows(ctx, b.tx, "INSERT", "request_status_history", "request_id, seq, status, at, detail", "", b.history); err != nil {
		return err
	}
	slices.Sort(b.voteOrder)
	rows = rows[:0]
	for _, id := range b.voteOrder {
		rows = append(rows, b.votes[id])
	}
	if err := insertRows(ctx, b.tx, "INSERT OR REPLACE", "votes", voteColumns, "", rows); err != nil {
		return err
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
