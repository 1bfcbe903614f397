package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/internal/cputime"
	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/projections"
)

// BenchmarkRebuild measures Runner.Rebuild over a demo log against a raw
// scan of the same log through the store's subscription, in the same run,
// and reports both rates and their ratio. The log is the demo municipality
// (events/demo, seed 1) of at least PNYX_BENCH_EVENTS events (default
// 100,000), generated once and cached under the system's temporary
// directory, since a million events take minutes to generate.
//
//	PNYX_BENCH_EVENTS=1000000 go test -run '^$' -bench Rebuild -benchtime 3x ./projections/
//
// Sub-benchmarks: readmodel rebuilds the real read model; decode_only
// rebuilds a projection that decodes every event and writes nothing, the
// runner's own cost (subscription, decoding, transactions, checkpoints).
//
// readmodel also reports the floor of any build of that read model in this
// SQLite: the rate of copying its finished rows, table by table with one
// INSERT ... SELECT each, into an empty file, then creating its indexes
// and filling its search index as Finish does (floor_events/s, the log's
// events over that time). A rebuild must in addition read and decode the
// log and work out every row from its events.
func BenchmarkRebuild(b *testing.B) {
	logPath := demoLog(b)
	// A context that can end, as pnyx's commands pass (signals): the
	// driver watches such a context during every statement.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := sqlite.Open(ctx, logPath, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	head, err := store.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []projections.Projection{readmodel.NewReadModelProjection(demoVault(b, logPath)), decodeOnly{}} {
		b.Run(p.Name(), func(b *testing.B) {
			db := openReadModel(b, filepath.Join(b.TempDir(), "readmodel.db"))
			r, err := projections.NewRunner(db, store, []projections.Projection{p}, projections.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			var scan, rebuild, scanCPU, rebuildCPU, floor time.Duration
			for b.Loop() {
				began, cpu := time.Now(), cputime.Process()
				if n := scanAll(b, store); n != head {
					b.Fatalf("scan ended at %d, want %d", n, head)
				}
				scan += time.Since(began)
				scanCPU += cputime.Process() - cpu
				began, cpu = time.Now(), cputime.Process()
				if err := r.Rebuild(ctx, p.Name(), nil); err != nil {
					b.Fatal(err)
				}
				rebuild += time.Since(began)
				rebuildCPU += cputime.Process() - cpu
				if p.Name() == readmodel.ReadModelName {
					floor += copyReadModel(b, db, filepath.Join(b.TempDir(), "floor.db"))
				}
			}
			events := float64(head) * float64(b.N)
			if floor > 0 {
				b.ReportMetric(events/floor.Seconds(), "floor_events/s")
			}
			b.ReportMetric(events/rebuild.Seconds(), "rebuild_events/s")
			b.ReportMetric(events/scan.Seconds(), "scan_events/s")
			b.ReportMetric(scan.Seconds()/rebuild.Seconds(), "ratio")
			// CPU time, all cores together, is less inflated than wall time
			// when other processes share the machine.
			b.ReportMetric(float64(rebuildCPU.Microseconds())/events, "rebuild_cpu_µs/event")
			b.ReportMetric(float64(scanCPU.Microseconds())/events, "scan_cpu_µs/event")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// scanAll reads the whole log through a subscription, as the runner does,
// and returns the last position.
func scanAll(b *testing.B, store events.Store) events.Position {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	head, err := store.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := store.SubscribeAll(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	var pos events.Position
	for pos < head {
		batch, err := sub.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		pos = batch[len(batch)-1].Position
	}
	return pos
}

// decodeOnly decodes every event (the runner does) and writes nothing.
type decodeOnly struct{}

func (decodeOnly) Name() string                                                    { return "decode_only" }
func (decodeOnly) Version() int                                                    { return 1 }
func (decodeOnly) Setup(context.Context, *projections.Tx) error                    { return nil }
func (decodeOnly) Apply(context.Context, *projections.Tx, projections.Event) error { return nil }

// demoLog returns the path of a cached demo log of at least
// PNYX_BENCH_EVENTS events, generating it on first use.
func demoLog(b *testing.B) string {
	b.Helper()
	n := int64(100_000)
	if s := os.Getenv("PNYX_BENCH_EVENTS"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			b.Fatalf("PNYX_BENCH_EVENTS=%q: want a positive count", s)
		}
		n = v
	}
	dir := filepath.Join(os.TempDir(), "pnyx-projections-bench")
	// v2: citizens' words sealed, with the demo's vault beside the log.
	path := filepath.Join(dir, fmt.Sprintf("demo-v2-seed1-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	building := filepath.Join(b.TempDir(), "events.db")
	ctx := context.Background()
	began := time.Now()
	store, err := sqlite.Open(ctx, building, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []string{vaultPath(path), vaultPath(path) + "-keys"} {
		os.Remove(f)
	}
	v := openDemoVault(b, path)
	stats, err := demo.Generate(ctx, store, v, demo.Options{Seed: 1, Events: n})
	v.Close()
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated a demo log of %d events in %s", stats.Events, time.Since(began).Round(time.Second))
	tmp := path + ".tmp"
	if err := copyFile(building, tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// vaultPath is the demo vault's records file beside a cached demo log.
func vaultPath(logPath string) string { return strings.TrimSuffix(logPath, ".db") + "-vault" }

// openDemoVault opens the vault of the cached demo log at logPath, with
// the benchmarks' all-zero master key.
func openDemoVault(b *testing.B, logPath string) *vault.Vault {
	b.Helper()
	v, err := vault.Open(context.Background(), vaultPath(logPath), vault.Options{MasterKey: make([]byte, vault.MasterKeySize), KeysPath: vaultPath(logPath) + "-keys"})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// demoVault opens the vault of the cached demo log, closed when the
// benchmark ends.
func demoVault(b *testing.B, logPath string) *vault.Vault {
	b.Helper()
	v := openDemoVault(b, logPath)
	b.Cleanup(func() { v.Close() })
	return v
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// copyReadModel copies the serving read model of db into a new file at
// path the cheapest way SQLite offers, and returns how long it took: each
// table created without indexes and filled by one INSERT ... SELECT in its
// stored order, then every index created, then the search index filled in
// one statement as Finish fills it.
func copyReadModel(b *testing.B, db *sql.DB, path string) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	exec := func(query string, args ...any) {
		b.Helper()
		if _, err := conn.ExecContext(ctx, query, args...); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
	}
	tables, err := projections.ServingTables(ctx, conn, readmodel.ReadModelName)
	if err != nil {
		b.Fatal(err)
	}
	type object struct{ name, sql string }
	var plain, indexes []object
	var fts object
	for _, physical := range tables {
		rows, err := conn.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL`, physical)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var kind string
			var o object
			if err := rows.Scan(&kind, &o.name, &o.sql); err != nil {
				b.Fatal(err)
			}
			switch {
			case kind == "index":
				indexes = append(indexes, o)
			case strings.Contains(o.sql, "USING fts5"):
				fts = o
			case kind == "table":
				plain = append(plain, o)
			}
		}
		rows.Close()
	}
	inFloor := func(sql, name string) string { return strings.Replace(sql, name, "floor."+name, 1) }
	os.Remove(path)
	exec(`ATTACH ? AS floor`, path)
	defer exec(`DETACH floor`)
	exec(`PRAGMA floor.journal_mode = WAL; PRAGMA floor.synchronous = NORMAL; PRAGMA floor.cache_size = -65536`)
	began := time.Now()
	exec(`BEGIN`)
	for _, t := range plain {
		exec(inFloor(t.sql, t.name))
		exec(`INSERT INTO floor."` + t.name + `" SELECT * FROM main."` + t.name + `"`)
	}
	for _, ix := range indexes {
		exec(inFloor(ix.sql, ix.name))
	}
	if fts.name != "" {
		// As fillSearchIndex does in Finish.
		docs := tables["search_docs"]
		exec(inFloor(fts.sql, fts.name))
		exec(`INSERT INTO floor."` + fts.name + `" ("` + fts.name + `", rank) VALUES ('hashsize', 268435456)`)
		exec(`INSERT INTO floor."` + fts.name + `" (rowid, title, body) SELECT doc_id, pnyx_fold(title), pnyx_fold(body) FROM floor."` + docs + `" ORDER BY doc_id`)
	}
	exec(`COMMIT`)
	return time.Since(began)
}
