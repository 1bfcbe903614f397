package importtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/importer"
)

// BenchRecorded is the clock of the importers' benchmarks.
var BenchRecorded = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func benchClock() time.Time { return BenchRecorded }

// VersusDemo is one round of an importer's benchmark: it generates a year
// of the demo municipality into a store of its own in dir (the baseline:
// the demo's commands go through the command service too), then runs imp
// on an empty store with an admin token and a vault, timing each. It
// fails b on any error or refused record.
func VersusDemo(b *testing.B, dir string, round int, imp func(ctx context.Context, st *sqlite.Store, opts importer.Options) (*importer.Report, error)) Round {
	b.Helper()
	ctx := context.Background()
	path := func(name string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.db", name, round)) }
	openVault := func(name string) *vault.Vault {
		v, err := vault.Open(ctx, path(name), vault.Options{MasterKey: make([]byte, vault.MasterKeySize), KeysPath: path(name + "-keys"), Now: benchClock})
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	ds, err := sqlite.Open(ctx, path("demo"), sqlite.Options{Now: benchClock})
	if err != nil {
		b.Fatal(err)
	}
	dv := openVault("demo-vault")
	t0 := time.Now()
	stats, err := demo.Generate(ctx, ds, dv, demo.Options{Seed: 1, Years: 1})
	r := Round{DemoCommands: int(stats.Commands), DemoTime: time.Since(t0)}
	dv.Close()
	ds.Close()
	if err != nil {
		b.Fatal(err)
	}
	is, err := sqlite.Open(ctx, path("import"), sqlite.Options{Now: benchClock})
	if err != nil {
		b.Fatal(err)
	}
	defer is.Close()
	iv := openVault("import-vault")
	defer iv.Close()
	opts := importer.Options{Actor: Admin(b, is), Now: benchClock, People: iv}
	t1 := time.Now()
	r.Report, err = imp(ctx, is, opts)
	r.ImportTime = time.Since(t1)
	if err != nil {
		b.Fatal(err)
	}
	if r.Report.Refused != 0 {
		b.Fatalf("%d refused: %+v", r.Report.Refused, r.Report.Refusals[0])
	}
	return r
}

// Round is what VersusDemo measured.
type Round struct {
	DemoCommands int
	DemoTime     time.Duration
	Report       *importer.Report
	ImportTime   time.Duration
}

// Commands counts the commands the import handled: its events but the
// provenance (one a command), where each command wrote one event.
func (r Round) Commands() int {
	n := 0
	for t, c := range r.Report.Events {
		if t != "provenance.recorded" {
			n += c
		}
	}
	return n
}

// ReportMetrics reports both commands/s, the ratio (goal ≥ 0.5) and
// records/s of the import, named unit, of n records.
func (r Round) ReportMetrics(b *testing.B, n int, unit string) {
	demoRate := float64(r.DemoCommands) / r.DemoTime.Seconds()
	importRate := float64(r.Commands()) / r.ImportTime.Seconds()
	b.ReportMetric(demoRate, "demo-cmd/s")
	b.ReportMetric(importRate, "import-cmd/s")
	b.ReportMetric(float64(n)/r.ImportTime.Seconds(), unit+"/s")
	b.ReportMetric(importRate/demoRate, "ratio")
	b.Logf("demo: %d commands in %s; import: %d %s, %d commands (%d records) in %s",
		r.DemoCommands, r.DemoTime.Round(time.Millisecond), n, unit, r.Commands(), r.Report.Imported, r.ImportTime.Round(time.Millisecond))
}
