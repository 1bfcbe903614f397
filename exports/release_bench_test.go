package exports_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// benchReadModel is the read model the benchmarks read: the one in
// PNYX_BENCH_DATA_DIR (a data directory, such as one of the 1M-event
// demo) when set, else the package's demo year.
func benchReadModel(b *testing.B) (*readmodel.ReadModel, string) {
	if dir := os.Getenv("PNYX_BENCH_DATA_DIR"); dir != "" {
		path := filepath.Join(dir, "readmodel.db")
		rm, err := readmodel.OpenReadModelQueries(context.Background(), path, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rm.Close() })
		return rm, path
	}
	w := demoMunicipality(b)
	return w.rm, filepath.Join(demoDir, "readmodel.db")
}

// The baseline's query is the dataset's SELECT (readmodel.ScanDataset).
var sqlite3Queries = map[string]string{
	"ballots":                `SELECT vote_id, member_id, choice, cast_at, changes FROM ballots ORDER BY vote_id, member_id`,
	"request_status_history": `SELECT request_id, seq, status, at, detail FROM request_status_history ORDER BY request_id, seq`,
}

// BenchmarkCSVExportVsSQLite3 writes the CSV of the largest read-model
// datasets with pnyx's writer and with sqlite3 -csv on the same table,
// side by side in each iteration, and reports both throughputs and their
// ratio (pnyx/sqlite3: above 1 is faster than the shell), in wall time
// and in CPU time (the process's own for pnyx, the child's for sqlite3),
// which the other work of a shared machine disturbs less.
func BenchmarkCSVExportVsSQLite3(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("skipped: no sqlite3 on PATH (Debian package sqlite3) for the baseline")
	}
	rm, path := benchReadModel(b)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	for name, q := range sqlite3Queries {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			d, _ := opendata.DatasetByName(name)
			csvFormat, _ := opendata.FormatByExt("csv")
			var rows int64
			var pnyx, shell, pnyxCPU, shellCPU time.Duration
			for b.Loop() {
				rows = 0
				began, cpu := time.Now(), processCPU()
				snap, err := rm.DatasetSnapshot(ctx)
				if err != nil {
					b.Fatal(err)
				}
				tw, _ := exports.NewTableWriter(csvFormat, d, devnull)
				err = snap.ScanDatasetRows(ctx, name, func([]string) error { return nil }, func(r *readmodel.DatasetRow) error { rows++; return tw.WriteRow(r) })
				tw.Close()
				snap.Close()
				if err != nil {
					b.Fatal(err)
				}
				pnyx += time.Since(began)
				pnyxCPU += processCPU() - cpu
				began = time.Now()
				cmd := exec.Command(sqlite3, "-readonly", "-csv", "-header", path, q)
				cmd.Stdout = devnull
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				shell += time.Since(began)
				shellCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/pnyx.Seconds(), "pnyx-rows/s")
			b.ReportMetric(float64(rows)*float64(b.N)/shell.Seconds(), "sqlite3-rows/s")
			b.ReportMetric(shell.Seconds()/pnyx.Seconds(), "ratio")
			b.ReportMetric(shellCPU.Seconds()/pnyxCPU.Seconds(), "cpu-ratio")
			b.ReportMetric(float64(rows), "rows")
			reportPeakRSS(b)
		})
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParquetWriter writes ballots-like rows as Parquet, with the CSV
// writer on the same rows as the baseline in the same run.
func BenchmarkParquetWriter(b *testing.B) {
	d, _ := opendata.DatasetByName("ballots")
	const n = 200_000
	row := readmodel.NewDatasetRow(5)
	if err := row.SetValues([]any{"vote-2025-000123", "mem-17", "yes", "2025-03-03T18:00:00.000000000Z", int64(0)}); err != nil {
		b.Fatal(err)
	}
	for _, ext := range []string{"parquet", "csv"} {
		b.Run(ext, func(b *testing.B) {
			f, _ := opendata.FormatByExt(ext)
			for b.Loop() {
				tw, err := exports.NewTableWriter(f, d, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				for range n {
					if err := tw.WriteRow(row); err != nil {
						b.Fatal(err)
					}
				}
				if err := tw.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkWholeRelease writes the whole release of the data directory in
// PNYX_BENCH_DATA_DIR (its log and read model, such as the 1M-event
// demo's) and reports its rows, bytes and the process's peak resident
// memory (VmHWM); run it with -memprofile to see what the writers hold.
// Without the variable it is skipped: the tests write the demo year's.
func BenchmarkWholeRelease(b *testing.B) {
	dir := os.Getenv("PNYX_BENCH_DATA_DIR")
	if dir == "" {
		b.Skip("skipped: set PNYX_BENCH_DATA_DIR to a data directory")
	}
	ctx := context.Background()
	rm, _ := benchReadModel(b)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	var m exports.Manifest
	for b.Loop() {
		snap, err := rm.DatasetSnapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(b.TempDir(), "release")
		m, err = exports.WriteRelease(ctx, snap, store, out, exports.ReleaseOptions{Catalog: opendata.DefaultConfig()})
		snap.Close()
		if err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(out)
	}
	var rows, size int64
	for _, d := range m.Datasets {
		rows += d.Rows
		for _, f := range d.Files {
			size += f.Bytes
		}
	}
	for _, f := range m.Files {
		size += f.Bytes
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(size)/(1<<20), "MiB")
	b.ReportMetric(float64(size)/(1<<20)*float64(b.N)/b.Elapsed().Seconds(), "MiB/s")
	reportPeakRSS(b)
}

// reportPeakRSS reports the process's peak resident memory (VmHWM).
func reportPeakRSS(b *testing.B) {
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(st), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var n float64
				fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), &n)
				b.ReportMetric(n/1024, "peak-RSS-MiB")
			}
		}
	}
}
