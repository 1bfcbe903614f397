package clickhouse

import (
	"strings"
)

// A table of the sink: its name, its columns in insert order with their
// ClickHouse types, and its sorting key. Every table is a
// ReplacingMergeTree whose key ends with the log position of the event
// that wrote the row, so re-inserting the events after the last
// checkpoint (after a crash or a lost connection) adds rows that merges
// collapse and that every query reads away: queries group by the natural
// key and take argMax(column, position), never counting raw rows.
//
// The types are those ClickHouse 18.16 and current releases share: no
// LowCardinality, DateTime64, JSON or Map. Times of facts are Int64
// nanoseconds since the Unix epoch (UTC), so comparisons between facts are
// exact, as the embedded engine's are on its nanosecond text; the events
// table also keeps DateTime seconds for people reading it.
type table struct {
	name    string
	columns []column
	orderBy string
	// partitionBy, when set, is a function of the sorting key only, so
	// duplicates of one key always meet in one partition.
	partitionBy string
}

type column struct{ name, typ string }

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Split(spec, ",") {
		name, typ, _ := strings.Cut(strings.TrimSpace(f), " ")
		out = append(out, column{name, strings.TrimSpace(typ)})
	}
	return out
}

var (
	eventsTable = table{name: "events", orderBy: "position", partitionBy: "intDiv(position, 10000000)", columns: cols(
		`position UInt64, id String, stream String, version Int64, type String, schema UInt16, occurred_at DateTime,
		recorded_at DateTime, occurred_ns Int64, recorded_ns Int64, actor_role String, data String`)}
	checkpointTable = table{name: "checkpoints", orderBy: "sink, position", columns: cols(
		`sink String, position UInt64, written_ns Int64`)}
	memberChanges = table{name: "member_changes", orderBy: "body_id, member_id, position", columns: cols(
		`body_id String, member_id String, position UInt64, at_ns Int64, faction String, active UInt8`)}
	votesTable = table{name: "votes", orderBy: "vote_id, position", columns: cols(
		`vote_id String, position UInt64, body_id String, meeting_id String, item_id String, question_type String, opened_ns Int64`)}
	ballotsTable = table{name: "ballots", orderBy: "vote_id, member_id, position", columns: cols(
		`vote_id String, member_id String, position UInt64, kind String, choice String, cast_ns Int64, body_id String,
		faction String`)}
	attendanceTable = table{name: "attendance", orderBy: "meeting_id, member_id, position", columns: cols(
		`meeting_id String, member_id String, position UInt64, present UInt8`)}
	meetingEvents = table{name: "meeting_events", orderBy: "meeting_id, position", columns: cols(
		`meeting_id String, position UInt64, kind String, at_ns Int64, body_id String, seats Int64`)}
	decisionEvents = table{name: "decision_events", orderBy: "decision_id, position", columns: cols(
		`decision_id String, position UInt64, kind String, at_ns Int64, body_id String, meeting_id String, version Int64`)}
	moneyFlows = table{name: "money_flows", orderBy: "ocid, position", columns: cols(
		`ocid String, position UInt64, kind String, at_ns Int64, body_id String, cpv_division String, procedure String,
		supplier_vat_id String, cents Int64, currency String, payment_id String`)}
	suppliersTable = table{name: "suppliers", orderBy: "vat_id, position", columns: cols(
		`vat_id String, position UInt64, kind String, locality String, municipality String`)}
	requestEvents = table{name: "request_events", orderBy: "request_id, position", columns: cols(
		`request_id String, position UInt64, kind String, at_ns Int64, category String, channel String, assisted UInt8,
		due_ns Int64, answered_ns Int64`)}
	consultations = table{name: "consultations", orderBy: "item_id, position", columns: cols(
		`item_id String, position UInt64, meeting_id String`)}
	commentsTable = table{name: "comments", orderBy: "comment_id, position", columns: cols(
		`comment_id String, position UInt64, item_id String, kind String, at_ns Int64`)}
)

// factTables are the tables a batch of events fills, in insert order; the
// events table is written after them and the checkpoint last.
var factTables = []*table{&memberChanges, &votesTable, &ballotsTable, &attendanceTable, &meetingEvents, &decisionEvents,
	&moneyFlows, &suppliersTable, &requestEvents, &consultations, &commentsTable}

// ddl is the CREATE TABLE statement of t in database db.
func (t table) ddl(db string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + db + "." + t.name + " (")
	for i, c := range t.columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name + " " + c.typ)
	}
	b.WriteString(") ENGINE = ReplacingMergeTree")
	if t.partitionBy != "" {
		b.WriteString(" PARTITION BY " + t.partitionBy)
	}
	b.WriteString(" ORDER BY (" + t.orderBy + ")")
	return b.String()
}

// insert is the INSERT statement of t with its explicit column list, which
// batches need on ClickHouse 18.16.
func (t table) insert(db string) string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return "INSERT INTO " + db + "." + t.name + " (" + strings.Join(names, ", ") + ")"
}
