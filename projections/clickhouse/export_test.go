package clickhouse

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pnyx-civic/pnyx/events"
)

// EnsureSchemaForTest creates the sink's database and tables in db.
func EnsureSchemaForTest(ctx context.Context, conn driver.Conn, db string) error {
	opts := Options{Addr: "unused", Database: db}
	if err := opts.fill(); err != nil {
		return err
	}
	return (&Sink{conn: conn, opts: opts}).ensureSchema(ctx)
}

// GatherForTest decodes re and gathers its rows, as the sink does, and
// returns how many fact rows it made.
func GatherForTest(re events.RecordedEvent) int {
	b := newBatch(newFactState(), 0)
	if err := b.gather(context.Background(), re, nil); err != nil {
		panic(err) // without ClickHouse to read, gathering cannot fail
	}
	n := 0
	for _, c := range b.rows {
		n += c.n
	}
	return n
}

// TableRows are the rows the sink would insert into one table.
type TableRows struct {
	Table  string
	Insert string // the INSERT with its column list, in database db
	Rows   [][]any
}

// RowsForTest gathers the rows the sink inserts for evs, per table, as
// they would go to database db, all in one batch.
func RowsForTest(db string, evs []events.RecordedEvent) []TableRows {
	b := newBatch(newFactState(), len(evs))
	for _, re := range evs {
		if err := b.gather(context.Background(), re, nil); err != nil {
			panic(err) // without ClickHouse to read, gathering cannot fail
		}
	}
	rows := func(c *columns) [][]any {
		if c == nil {
			return nil
		}
		out := make([][]any, c.n)
		for i := range out {
			out[i] = c.row(i)
		}
		return out
	}
	out := []TableRows{{Table: eventsTable.name, Insert: eventsTable.insert(db), Rows: rows(b.events)}}
	for _, t := range factTables {
		out = append(out, TableRows{Table: t.name, Insert: t.insert(db), Rows: rows(b.rows[t])})
	}
	return out
}

// SetInsertBlockRowsForTest sets the rows of an insert's block until the
// test ends.
func SetInsertBlockRowsForTest(t interface{ Cleanup(func()) }, n int) {
	old := insertBlockRows
	insertBlockRows = n
	t.Cleanup(func() { insertBlockRows = old })
}
