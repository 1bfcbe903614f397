package clickhouse_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

// BenchmarkAnalytics measures, over one log of the demo municipality
// (PNYX_BENCH_EVENTS events, 100,000 by default; docs/BENCHMARKS.md
// records 1,000,000):
//
//   - ingest: the sink copying the whole log into a fresh database, and
//     the baseline, clickhouse-client inserting the same rows from
//     TabSeparated files, one run each per iteration, with the ratio of
//     their rates (goal: at least 0.5);
//   - each analytics question on the whole record, on the embedded engine
//     and on ClickHouse.
//
// Run with -benchtime 1x at a million events: every ingest iteration
// copies the whole log.
func BenchmarkAnalytics(b *testing.B) {
	addr := serverAddr(b)
	client, err := exec.LookPath("clickhouse-client")
	if err != nil {
		b.Skip("clickhouse-client is not installed: it is the ingest's baseline")
	}
	n := int64(100_000)
	if s := os.Getenv("PNYX_BENCH_EVENTS"); s != "" {
		if n, err = strconv.ParseInt(s, 10, 64); err != nil || n <= 0 {
			b.Fatalf("PNYX_BENCH_EVENTS %q: want a number of events", s)
		}
	}
	ctx := context.Background()
	start := time.Now()
	// PNYX_BENCH_LOG names a folder keeping the log and its read model:
	// generated there when it holds none, reused when it does (two builds
	// compared over one log).
	var fx *analyticstest.Fixture
	if dir := os.Getenv("PNYX_BENCH_LOG"); dir != "" {
		fx = analyticstest.OpenIn(b, dir)
	} else {
		fx = analyticstest.Open(b)
	}
	if head, err := fx.Store.Head(ctx); err != nil || head == 0 {
		fx.GenerateEvents(b, 5, n)
	}
	fx.Sync(b)
	head, err := fx.Store.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("log of %d events generated or opened and its read model built in %s", head, time.Since(start).Round(time.Second))
	all := readAll(b, fx.Store)

	opts := testOptions(b, addr)
	opts.FlushInterval = 0
	b.Run("ingest", func(b *testing.B) {
		host, port, _ := net.SplitHostPort(addr)
		var sinkTook, clientTook time.Duration
		for i := 0; b.Loop(); i++ {
			// The sink, into a fresh database.
			o := opts
			o.Database = fmt.Sprintf("%s_ingest%d", opts.Database, i)
			sink, err := clickhouse.NewSink(fx.Store, o)
			if err != nil {
				b.Fatal(err)
			}
			sctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			t0 := time.Now()
			go func() { done <- sink.Run(sctx) }()
			if err := sink.WaitFor(ctx, head); err != nil {
				b.Fatal(err)
			}
			sinkTook += time.Since(t0)
			cancel()
			<-done
			sink.Close()

			// The baseline: the same rows from files, into the same tables,
			// made anew and empty.
			files := writeTSV(b, o.Database, all)
			conn, err := clickhouse.Conn(o)
			if err != nil {
				b.Fatal(err)
			}
			if err := conn.Exec(ctx, "DROP DATABASE "+o.Database); err != nil {
				b.Fatal(err)
			}
			if err := clickhouse.EnsureSchemaForTest(ctx, conn, o.Database); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			for _, f := range files {
				cmd := exec.Command(client, "--host", host, "--port", port, "--query", f.insert+" FORMAT TabSeparated")
				in, err := os.Open(f.path)
				if err != nil {
					b.Fatal(err)
				}
				cmd.Stdin = in
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("clickhouse-client %s: %v\n%s", f.table, err, out)
				}
				in.Close()
			}
			clientTook += time.Since(t1)
			_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+o.Database)
			conn.Close()
		}
		sinkRate := float64(head) * float64(b.N) / sinkTook.Seconds()
		clientRate := float64(head) * float64(b.N) / clientTook.Seconds()
		b.ReportMetric(sinkRate, "sink_events/s")
		b.ReportMetric(clientRate, "client_events/s")
		b.ReportMetric(sinkRate/clientRate, "sink/client")
	})

	sink, err := clickhouse.NewSink(fx.Store, opts)
	if err != nil {
		b.Fatal(err)
	}
	runSink(b, sink)
	if err := sink.WaitFor(ctx, head); err != nil {
		b.Fatal(err)
	}
	ch, err := clickhouse.NewEngine(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer ch.Close()
	engines := []struct {
		name string
		e    analytics.Engine
	}{{"embedded", embedded.New(fx.ReadModel)}, {"clickhouse", ch}}
	f := analytics.Filter{}
	questions := []struct {
		name string
		ask  func(analytics.Engine) error
	}{
		{"spending_by_supplier", func(e analytics.Engine) error { _, err := e.Spending(ctx, f, analytics.BySupplier); return err }},
		{"spending_by_cpv_division", func(e analytics.Engine) error { _, err := e.Spending(ctx, f, analytics.ByCPVDivision); return err }},
		{"spending_by_procedure", func(e analytics.Engine) error { _, err := e.Spending(ctx, f, analytics.ByProcedure); return err }},
		{"spending_by_year", func(e analytics.Engine) error { _, err := e.Spending(ctx, f, analytics.ByYear); return err }},
		{"supplier_shares", func(e analytics.Engine) error {
			_, err := e.SupplierShares(ctx, f, analyticstest.DemoLocal)
			return err
		}},
		{"member_agreement", func(e analytics.Engine) error { _, err := e.Agreement(ctx, f, analytics.ByMember); return err }},
		{"faction_agreement", func(e analytics.Engine) error { _, err := e.Agreement(ctx, f, analytics.ByFaction); return err }},
		{"faction_votes", func(e analytics.Engine) error { _, err := e.FactionVotes(ctx, f); return err }},
		{"dissent", func(e analytics.Engine) error { _, err := e.Dissent(ctx, f); return err }},
		{"member_attendance", func(e analytics.Engine) error { _, err := e.MemberAttendance(ctx, f); return err }},
		{"meeting_attendance", func(e analytics.Engine) error { _, err := e.MeetingAttendance(ctx, f); return err }},
		{"meeting_decisions", func(e analytics.Engine) error { _, err := e.MeetingDecisions(ctx, f); return err }},
		{"decision_changes", func(e analytics.Engine) error { _, err := e.DecisionChanges(ctx, f); return err }},
		{"request_times", func(e analytics.Engine) error { _, err := e.RequestTimes(ctx, f, fx.Now); return err }},
		{"participation", func(e analytics.Engine) error { _, err := e.Participation(ctx, f); return err }},
	}
	for _, q := range questions {
		for _, en := range engines {
			b.Run(q.name+"/"+en.name, func(b *testing.B) {
				for b.Loop() {
					if err := q.ask(en.e); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func readAll(b *testing.B, st events.Store) []events.RecordedEvent {
	var all []events.RecordedEvent
	for after := events.Position(0); ; {
		page, err := st.ReadAll(context.Background(), events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Position
	}
}

type tsvFile struct{ table, insert, path string }

// writeTSV writes the rows the sink inserts for evs as one TabSeparated
// file per table.
func writeTSV(b *testing.B, db string, evs []events.RecordedEvent) []tsvFile {
	dir := b.TempDir()
	var out []tsvFile
	for _, t := range clickhouse.RowsForTest(db, evs) {
		if len(t.Rows) == 0 {
			continue
		}
		path := filepath.Join(dir, t.Table+".tsv")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		for _, row := range t.Rows {
			for i, v := range row {
				if i > 0 {
					w.WriteByte('\t')
				}
				w.WriteString(tsvValue(v))
			}
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		out = append(out, tsvFile{t.Table, t.Insert, path})
	}
	return out
}

var tsvEscape = strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\n", "\\n", "\r", "\\r")

func tsvValue(v any) string {
	switch x := v.(type) {
	case string:
		return tsvEscape.Replace(x)
	case time.Time:
		return x.UTC().Format(time.DateTime)
	default:
		return fmt.Sprint(x)
	}
}
