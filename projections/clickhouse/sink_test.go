package clickhouse_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

func TestOptionsOutOfRangeAreInvalid(t *testing.T) {
	for _, tc := range []struct {
		rule string
		opts clickhouse.Options
	}{
		{"an address is required", clickhouse.Options{}},
		{"a database is a name, never SQL", clickhouse.Options{Addr: "127.0.0.1:9000", Database: "pnyx; DROP TABLE x"}},
		{"a database does not start with a digit", clickhouse.Options{Addr: "127.0.0.1:9000", Database: "1pnyx"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if _, err := clickhouse.NewSink(nil, tc.opts); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("sink: %v", err)
			}
			if _, err := clickhouse.NewEngine(tc.opts); !errors.Is(err, events.ErrInvalid) {
				t.Errorf("engine: %v", err)
			}
		})
	}
}

// FuzzFacts feeds the sink's decoding of events into rows any type and
// data: whatever the log holds, gathering its rows never panics.
func FuzzFacts(f *testing.F) {
	for _, spec := range events.Catalog() {
		f.Add(spec.Type, `{}`)
	}
	f.Add("procurement.planned", `{"cpv":["4"],"budget":{"cents":1,"currency":"EUR"}}`)
	f.Add("meeting.convened", `{"present":["a","b"],"seats":3}`)
	f.Add("request.submitted", `{"assisted_by":"x","submitted_at":"0001-01-01T00:00:00Z"}`)
	f.Fuzz(func(t *testing.T, typ, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		re := events.RecordedEvent{ID: uuid.New(), Stream: "x-1", Position: 1, Type: typ, Schema: 1, Data: json.RawMessage(data)}
		clickhouse.GatherForTest(re)
	})
}

// TestTablesOfAnOlderLayoutAreMadeAnew gives the sink a database whose
// tables an older sink made (ballots without their faction, a
// checkpoint): it drops them, so the copy starts again from the log's
// start into tables of its layout.
func TestTablesOfAnOlderLayoutAreMadeAnew(t *testing.T) {
	addr := serverAddr(t)
	ctx := t.Context()
	opts := testOptions(t, addr)
	conn, err := clickhouse.Conn(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	db := opts.Database
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".ballots (vote_id String, member_id String, position UInt64, kind String, choice String, cast_ns Int64) ENGINE = ReplacingMergeTree ORDER BY (vote_id, member_id, position)",
		"CREATE TABLE " + db + ".checkpoints (sink String, position UInt64, written_ns Int64) ENGINE = ReplacingMergeTree ORDER BY (sink, position)",
		"INSERT INTO " + db + ".checkpoints (sink, position, written_ns) SELECT 'clickhouse', 42, 0",
	} {
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	checkpoints := func() uint64 {
		t.Helper()
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+db+".checkpoints").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := clickhouse.EnsureSchemaForTest(ctx, conn, db); err != nil {
		t.Fatal(err)
	}
	var faction uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'ballots' AND name = 'faction'", db).Scan(&faction); err != nil {
		t.Fatal(err)
	}
	if n := checkpoints(); faction != 1 || n != 0 {
		t.Errorf("ballots.faction columns %d, checkpoints %d: want 1 and 0", faction, n)
	}
	t.Run("tables of its own layout are kept", func(t *testing.T) {
		if err := conn.Exec(ctx, "INSERT INTO "+db+".checkpoints (sink, position, written_ns) SELECT 'clickhouse', 42, 0"); err != nil {
			t.Fatal(err)
		}
		if err := clickhouse.EnsureSchemaForTest(ctx, conn, db); err != nil {
			t.Fatal(err)
		}
		if n := checkpoints(); n != 1 {
			t.Errorf("checkpoints %d, want 1", n)
		}
	})
	t.Run("tables of an older layout made by hand are refused, not dropped", func(t *testing.T) {
		hand := testOptions(t, addr).Database
		for _, q := range []string{
			"CREATE DATABASE " + hand,
			"CREATE TABLE " + hand + ".events (position UInt64) ENGINE = MergeTree ORDER BY position",
			"CREATE TABLE " + hand + ".checkpoints (sink String, position UInt64, written_ns Int64) ENGINE = ReplacingMergeTree ORDER BY (sink, position)",
			"INSERT INTO " + hand + ".checkpoints (sink, position, written_ns) SELECT 'clickhouse', 42, 0",
		} {
			if err := conn.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := clickhouse.EnsureSchemaForTest(ctx, conn, hand); err == nil {
			t.Fatal("no error")
		}
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'events'", hand).Scan(&n); err != nil || n != 1 {
			t.Errorf("events tables %d, %v", n, err)
		}
	})
}
