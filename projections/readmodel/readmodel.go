// Package readmodel owns the public read model of Pnyx, what the GraphQL
// API, the exports and the portal read: its tables, the projection that
// writes them through the runner of package projections, the queries,
// Greek search, and entities as of a past time with their history.
//
// ReadModelProjection writes the public read model: bodies and memberships,
// meetings and agenda items, consultations and comments, amendments, votes
// and ballots, decisions with every version, procurement from plan to
// payment, suppliers, and citizens' requests with their status history;
// and the council secretary's record: minutes with their versions and
// approval, attendance per agenda item with conflicts of interest,
// justified absences and substitutes, each office's register of
// decisions and their reissues under a new ΑΔΑ, the protocol, and
// consultations reopened.
// ReadModel queries it for the products (GraphQL, exports, analytics),
// opened read-only on the file the runner writes, through Snapshots (see
// "Queries" below). Conventions of every table:
//
//   - Times are UTC RFC 3339 text of fixed width with nanoseconds
//     ("2026-03-03T09:00:00.000000000Z"), so text order is time order and a
//     dump reads like the log.
//   - Money is two columns: integer cents and an ISO 4217 currency.
//   - Nothing derived from a clock is stored: whether a request is overdue
//     depends on when one asks, so it is computed at query time from the
//     due date, the status and a "now" the caller passes.
//   - No personal data. Citizens' words arrive sealed and are opened
//     through the vault as they are applied (privacy.go), so the rows show
//     them while their author is not forgotten and events.ForgottenText
//     once the author is; each such row's author reference (different for
//     every entity) lives only in private_authors, which no public query
//     reads. The vault's subject references never reach the read model.
//
// # Rebuilding fast
//
// A rebuild applies the whole log into fresh tables no reader sees, so
// while a build is Building (see Tx.Building) the read model does the
// work readers need later in bulk, once, in Finish: Setup creates the
// tables with only the two indexes Apply reads through, and Apply writes
// search documents without indexing them; Finish sorts every other index
// in one CREATE INDEX each and fills the FTS5 index with one INSERT of all
// documents, folded by the SQL function pnyx_fold (FoldText). Once the
// build is swapped in, Apply keeps indexes and search current event by
// event. The rows of a batch are gathered in memory and written once
// each, many rows per statement, before it commits (see "Writing a
// table"). Tables of narrow rows are WITHOUT ROWID (one B-tree instead of
// two); tables of long texts keep their rowid, where WITHOUT ROWID
// measured slower.
//
// Durability is not traded for speed: the read model file stays in WAL
// with synchronous=NORMAL for builds too. synchronous=OFF would save only
// the fsyncs of WAL checkpoints (NORMAL already skips the one at commit),
// and the file holds the serving build as well, which a power loss during
// an unsynced checkpoint could damage; a crashed rebuild restarts from its
// checkpoint, but a damaged serving build could not.
//
// # Writing a table
//
// Every table is written one way (table.go). Its file declares a row type,
// usually the public struct its queries return plus the columns only the
// read model keeps, and one table value made by define: the columns in
// order, each with its SQL declaration and the field it holds (textCol,
// intCol, timeCol, centsCol and the like), the primary key, the indexes
// and the key order its rows are written in. The CREATE TABLE, the
// INSERT, the query that loads one row by key and the DELETE are derived
// from that list, never written by hand. Apply then works on rows in
// memory, through the table's store in the batch:
//
//	decisions.of(w).put(decisionRow{...})                        // a new row, replacing any
//	decisions.of(w).change(w, id, func(r *decisionRow) { ... }) // change a row, if there is one
//	attendance.of(w).delete(key)
//
// A row not yet in memory is loaded from the table on first use; each
// row the batch wrote is written once when it commits, with many rows per
// statement, in key order. A change is Go code on the row, never an
// UPDATE statement, and it is the only rule for that row's value: AsOf
// folds an entity's events with the same Apply into a batch without a
// transaction, where the store is all there is, and reads its views from
// those rows. Columns derived from other tables (a consultation's comment
// count, a meeting's members present, a procurement's bids and sum paid)
// are worked out in SQL once per batch (recount); the views count their
// rows. Adding a table is one such declaration and its Apply cases; adding
// a column is one line in its table's list and a field in its row type
// (and a bump of readModelVersion).
//
// # Queries
//
// Every query runs in a Snapshot: a read transaction on the serving build,
// which reports the log position it reflects (the read model's serving
// checkpoint, read in the same transaction) and sees the rows of that
// position however far the runner goes meanwhile, so the queries of one
// GraphQL request or one export agree with each other and with the
// position their answer is labelled with. ReadModel.ServingPosition reads
// the same position without a snapshot, by primary key, for ETags and
// cache keys. A read model not built yet (no build serving) is an
// unavailable error, never an empty answer at position 0.
//
// Lists page by keyset, never by offset: each orders by columns that do
// not change once written, ending with the primary key (two orders a user
// asks for are the exceptions their docs name: meetings by start date,
// which a postponement moves, and suppliers by name), and a Page asks
// for First rows after the opaque cursor of the last row seen, so rows
// added meanwhile neither shift pages nor repeat. A page costs the same at
// any depth, and its total is counted only when asked. Each filter and
// each order has an index, and TestEveryQueryUsesAnIndex checks SQLite's
// plan of every query for a full scan or a sort. Every entity has a getter
// by id and a batch getter by a list of ids, one query per batch, for the
// dataloaders of a GraphQL request. Suppliers are found by name through
// an index on pnyx_fold(name), FoldText in SQL, registered with the
// driver: a tool without the function (the sqlite3 shell) reads the
// tables but cannot use or update that index.
//
// # Search
//
// One FTS5 table indexes agenda items, decisions, procurement processes and
// consultation comments. SQLite's unicode61 tokenizer does not fold Greek
// accents, so the index holds text folded by FoldText (NFD, marks dropped,
// lower case, final sigma as σ), and every query is folded by the same
// function. Greek is inflected, so each query word loses its inflectional
// ending and is matched as a prefix. The original text is kept in a plain
// table and the snippet is cut from it in Go, mapping matches found in the
// folded text back to the original through the folding's offsets: the
// reader sees the text as written, accents and capitals included. A query
// is data, never FTS5 syntax: every word is quoted. The FTS5 table is
// contentless: it keeps the index and no copy of the folded text, so
// removing or changing a document tells FTS5 the folded text it indexed,
// FoldText of the original that search_docs still holds. FoldText's output
// is therefore part of the read model's format: a change of it bumps the
// read model's version.
//
// # As of a time, and history
//
// An entity as it stood at a recorded time or log position is computed on
// demand by folding its stream from the log, up to that point, into its
// public view, rather than by keeping validity intervals in every table.
// The read model stays small (one row per entity, not one per change) and
// the answer comes from the log itself, the record auditors verify. The
// views have the shapes of the read model's rows (a DecisionView is a
// Decision with its versions) and are folded by the read model's own
// Apply into rows in memory (see "Writing a table"); a test checks that
// an entity as of now equals its rows.
//
// The views are folded in place, in linear time, rather than with the
// deciders' Evolve: deciders copy their state on every event (states are
// shared values on the write side), so their fold of a 1,000-event stream
// grows with the square of it, 54 to 119 ms on this hardware against a
// 10 ms budget (BenchmarkAsOf, docs/BENCHMARKS.md "Read model").
// Reading and decoding the events is most of a view's cost, and a stream's
// events never change once recorded, so ReadModel keeps the decoded events
// of the streams it read last (streamCache): asking again for an entity,
// at any point or after it changed, folds from memory and reads only the
// new events, well under a millisecond for 1,000 events. A
// kind without a view (access grants) falls back to its decider's state as JSON.
// Views hold public fields only, so subject references cannot leak; the
// fallback state and every event of an entity's History have every
// subject reference removed.
package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/projections"
)

// ReadModelName is the name of the read model projection; its tables are
// the views of that name's logical tables in the read model file.
const ReadModelName = "readmodel"

// readModelVersion is bumped whenever a table or what Apply writes changes,
// so the runner rebuilds the read model from the log.
const readModelVersion = 11

// ReadModelProjection builds the public read model. It is deterministic: no
// clock, no randomness, no map order reaches the tables; what it opens
// through the vault depends only on who has been forgotten. It skips
// events it has no table for.
type ReadModelProjection struct {
	opener Opener
}

var _ projections.Projection = ReadModelProjection{}

// NewReadModelProjection returns the read model projection for a Runner,
// opening citizens' words through opener (the vault). Without one, an
// event with sealed words stops the projection with an unavailable error.
func NewReadModelProjection(opener Opener) ReadModelProjection {
	return ReadModelProjection{opener: opener}
}

func (ReadModelProjection) Name() string { return ReadModelName }
func (ReadModelProjection) Version() int { return readModelVersion }

var _ projections.Finisher = ReadModelProjection{}

// Setup creates the tables of a new build, with only the indexes Apply
// reads through; Finish adds the rest.
func (ReadModelProjection) Setup(ctx context.Context, tx *projections.Tx) error {
	return execSchema(ctx, tx, func(stmt string) bool { return !deferredIndex(stmt) })
}

// Finish runs once the build has caught up, before readers see it: it
// creates the secondary indexes and fills the search index from
// search_docs, which Apply left to it while the build was Building. One
// sorted index build and one bulk FTS5 insert cost a fraction of keeping
// them current event by event; from then on Apply keeps them current.
func (ReadModelProjection) Finish(ctx context.Context, tx *projections.Tx) error {
	if err := execSchema(ctx, tx, deferredIndex); err != nil {
		return err
	}
	return fillSearchIndex(ctx, tx)
}

// execSchema runs the statements of the tables' DDL that keep selects.
func execSchema(ctx context.Context, tx *projections.Tx, keep func(stmt string) bool) error {
	schemas := []string{searchIndexSchema}
	for _, t := range tables {
		schemas = append(schemas, t.schema())
	}
	for _, schema := range schemas {
		for _, stmt := range strings.Split(schema, ";") {
			if strings.TrimSpace(stmt) == "" || !keep(stmt) {
				continue
			}
			if _, err := tx.SQL().ExecContext(ctx, physicalSQL(tx, stmt)); err != nil {
				return fmt.Errorf("read model schema: %w\n%s", err, physicalSQL(tx, stmt))
			}
		}
	}
	return nil
}

// applyIndexes are the secondary indexes Apply reads through (the next
// sequence number of an item's comments, of a meeting's agenda items), so
// they exist from Setup on.
var applyIndexes = map[string]bool{"comments_item": true, "agenda_items_meeting": true}

// deferredIndex reports whether stmt creates a secondary index that can
// wait for Finish.
func deferredIndex(stmt string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(stmt), "CREATE INDEX {")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, "}")
	return !applyIndexes[name]
}

// Apply writes the effect of one event on the read model.
func (p ReadModelProjection) Apply(ctx context.Context, tx *projections.Tx, ev projections.Event) error {
	w := writer{ctx: ctx, tx: tx, ev: ev, occurredAt: timeText(ev.OccurredAt), opener: p.opener}
	if err := applyEvent(w, ev.Payload); err != nil {
		return fmt.Errorf("read model: %s at position %d: %w", ev.Type, ev.Position, err)
	}
	return nil
}

// physicalSQL replaces each {logical} name in a statement template with
// its physical name in tx's build.
func physicalSQL(tx *projections.Tx, tmpl string) string {
	var b strings.Builder
	b.Grow(len(tmpl) + 32)
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(tx.Table(tmpl[i+1 : i+j]))
		tmpl = tmpl[i+j+1:]
	}
}

// writer is what one Apply writes with: the transaction, the event and its
// envelope.
type writer struct {
	ctx        context.Context
	tx         *projections.Tx // nil when folding in memory for AsOf
	mem        *batch          // the batch of a fold in memory
	ev         projections.Event
	occurredAt any    // timeText of the event's occurred_at
	opener     Opener // opens citizens' words (privacy.go)
}

// at is the event's occurred_at in UTC.
func (w writer) at() time.Time { return w.ev.OccurredAt.UTC() }

// exec runs a statement template with logical names in braces.
func (w writer) exec(tmpl string, args ...any) error {
	ctx, err := statementContext(w.ctx)
	if err != nil {
		return err
	}
	_, err = w.tx.ExecAs(ctx, tmpl, w.physical(tmpl), args...)
	return err
}

// queryRow runs a query template expected to return at most one row.
func (w writer) queryRow(tmpl string, args ...any) *sql.Row {
	ctx, err := statementContext(w.ctx)
	if err != nil {
		ctx = w.ctx // ended: the query reports it
	}
	return w.tx.QueryRowAs(ctx, tmpl, w.physical(tmpl), args...)
}

// physical returns the expansion of a template's logical names, to be
// called only when the build first prepares the template (statements are
// keyed by the template itself: expanding its names for every event would
// cost more than the look-up).
func (w writer) physical(tmpl string) func() string {
	return func() string { return physicalSQL(w.tx, tmpl) }
}

// statementContext returns ctx's error if it has ended, and otherwise a
// context for one short statement that keeps ctx's values but cannot end:
// the SQLite driver watches a context that can end with a goroutine of its
// own for every statement, which costs more than most statements of the
// read model. A cancelled Apply still stops at its next statement.
func statementContext(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// id returns the id part of the event's stream, "kind-id".
func (w writer) id() string {
	_, id, _ := strings.Cut(w.ev.Stream, "-")
	return id
}

// occurred is the event's occurred_at in the read model's time format.
func (w writer) occurred() any { return w.occurredAt }

// timeLayout is the fixed-width UTC form of every time in the read model.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// timeText formats t for the read model; the zero time is NULL. It writes
// the digits itself, as time.Format with timeLayout would, since every
// event has times to format.
func timeText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(timeLayout)
	}
	hour, minute, sec := t.Clock()
	var b [len(timeLayout)]byte
	digits := func(at, v, n int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	digits(0, year, 4)
	b[4] = '-'
	digits(5, int(month), 2)
	b[7] = '-'
	digits(8, day, 2)
	b[10] = 'T'
	digits(11, hour, 2)
	b[13] = ':'
	digits(14, minute, 2)
	b[16] = ':'
	digits(17, sec, 2)
	b[19] = '.'
	digits(20, t.Nanosecond(), 9)
	b[29] = 'Z'
	return string(b[:])
}

// parseTime reads a time column; NULL or "" is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
