package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/internal/cputime"

	"github.com/pnyx-civic/pnyx/events"
)

// Each benchmark measures its baseline in the same run, on the same driver,
// schema and pragmas, and reports the store's rate as a ratio of it, and
// the processor time the process used per event (cpu-µs/event, user and
// system on every core), which a busy machine inflates less than wall time.

var benchData = json.RawMessage(`{"decision":"123/2026","title":"Προϋπολογισμός 2026 του Δήμου","body":"council","amount":{"cents":1250000,"currency":"EUR"}}`)

func benchEvents(n int) []events.Event {
	evs := make([]events.Event, n)
	for i := range evs {
		evs[i] = events.Event{Type: "xdecision.adopted", Actor: events.Actor{TokenID: "tok-1", Role: "secretariat"}, Data: benchData}
	}
	return evs
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "events.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// rawDB opens a file with the store's schema and pragmas but none of its code.
func rawDB(b *testing.B) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "raw.db"), true))
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if err := migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	return db
}

const rawInsert = `INSERT INTO events (id, stream, version, type, schema, occurred_at, recorded_at,
	actor_token, actor_role, causation_id, correlation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// rawBatch inserts n events to stream in one transaction with plain INSERTs.
func rawBatch(ctx context.Context, db *sql.DB, stream string, n int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, rawInsert)
	if err != nil {
		return err
	}
	now := formatTime(time.Now())
	for v := range n {
		id := events.NewEventID()
		if _, err := stmt.ExecContext(ctx, id[:], stream, v, "xdecision.adopted", 1, now, now,
			"tok-1", "secretariat", nil, nil, string(benchData)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkAppendBatch1000 appends batches of 1,000 events; the baseline
// inserts 1,000 rows in one transaction with raw INSERT statements.
func BenchmarkAppendBatch1000(b *testing.B) {
	ctx := context.Background()
	s, raw := benchStore(b), rawDB(b)
	evs := benchEvents(1000)
	var rawTime, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := time.Now()
		if err := rawBatch(ctx, raw, fmt.Sprint("raw-", i), len(evs)); err != nil {
			b.Fatal(err)
		}
		rawTime += time.Since(start)
		b.StartTimer()
		cpu0 := cputime.Process()
		if _, err := s.Append(ctx, fmt.Sprint("xdecision-", i), events.NoStream, evs...); err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Process() - cpu0
	}
	storeTime := b.Elapsed()
	n := float64(b.N * len(evs))
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/event")
	b.ReportMetric(n/storeTime.Seconds(), "events/s")
	b.ReportMetric(n/rawTime.Seconds(), "raw-events/s")
	b.ReportMetric(rawTime.Seconds()/storeTime.Seconds(), "x-raw")
}

// BenchmarkGroupCommit has 32 goroutines each appending single events, every
// one durable before it returns; the baseline is one goroutine doing the
// same, one transaction per event, so no append shares a commit.
func BenchmarkGroupCommit(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	ev := benchEvents(1)

	b.StopTimer()
	serial := min(b.N, 200)
	start := time.Now()
	for i := range serial {
		if _, err := s.Append(ctx, fmt.Sprint("serial-", i%32), events.Any, ev...); err != nil {
			b.Fatal(err)
		}
	}
	serialRate := float64(serial) / time.Since(start).Seconds()
	b.StartTimer()

	var commits, appends atomic.Int64
	s.onBatch = func(batch []*appendRequest) {
		commits.Add(1)
		appends.Add(int64(len(batch)))
	}
	b.ResetTimer()
	cpu0 := cputime.Process()
	b.SetParallelism((32 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)) // 32 goroutines
	var writer atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		stream := fmt.Sprint("xrequest-", writer.Add(1))
		for pb.Next() {
			if _, err := s.Append(ctx, stream, events.Any, ev...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	cpu := cputime.Process() - cpu0
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/event")
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(serialRate, "serial-events/s")
	b.ReportMetric(rate/serialRate, "x-serial")
	b.ReportMetric(float64(appends.Load())/float64(commits.Load()), "appends/commit")
}

// BenchmarkReadAll reads a log of 50,000 events page by page; the baseline
// scans the same rows with one raw SELECT into the same column types.
func BenchmarkReadAll(b *testing.B) {
	const total = 50_000
	ctx := context.Background()
	s := benchStore(b)
	evs := benchEvents(1000)
	for i := range total / len(evs) {
		if _, err := s.Append(ctx, fmt.Sprint("xdecision-", i), events.NoStream, evs...); err != nil {
			b.Fatal(err)
		}
	}
	var rawTime, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := time.Now()
		if n, err := rawScan(ctx, s.readDB); err != nil || n != total {
			b.Fatalf("raw scan: %d rows, %v", n, err)
		}
		rawTime += time.Since(start)
		b.StartTimer()
		cpu0 := cputime.Process()
		n := 0
		for after := events.Position(0); ; {
			page, err := s.ReadAll(ctx, events.ReadAllOptions{After: after})
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			n += len(page)
			after = page[len(page)-1].Position
		}
		cpu += cputime.Process() - cpu0
		if n != total {
			b.Fatalf("read %d events, want %d", n, total)
		}
	}
	storeTime := b.Elapsed()
	rows := float64(b.N * total)
	b.ReportMetric(float64(cpu.Microseconds())/rows, "cpu-µs/event")
	b.ReportMetric(rows/storeTime.Seconds(), "events/s")
	b.ReportMetric(rows/rawTime.Seconds(), "raw-rows/s")
	b.ReportMetric(rawTime.Seconds()/storeTime.Seconds(), "x-raw")
}

func rawScan(ctx context.Context, db *sql.DB) (int, error) {
	rows, err := db.QueryContext(ctx, "SELECT "+eventColumns+" FROM events ORDER BY position")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		pos, version, schema                                   int64
		id, cause, corr, data                                  []byte
		stream, typ, occurred, recorded, actorToken, actorRole string
	)
	n := 0
	for rows.Next() {
		if err := rows.Scan(&pos, &id, &stream, &version, &typ, &schema, &occurred, &recorded,
			&actorToken, &actorRole, &cause, &corr, &data); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
