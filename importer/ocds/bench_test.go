package ocds_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/ocds"
)

// benchReleases is the number of OCDS releases BenchmarkImportVersusDemo
// imports; PNYX_BENCH_RELEASES overrides it.
func benchReleases() int {
	if n, err := strconv.Atoi(os.Getenv("PNYX_BENCH_RELEASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// afm makes a valid Greek VAT id from eight digits.
func afm(n int) string {
	s := fmt.Sprintf("%08d", n)
	sum := 0
	for i := range 8 {
		sum += int(s[i]-'0') << (8 - i)
	}
	return s + strconv.Itoa(sum%11%10)
}

// writeReleases writes a release package of n releases, five per process
// (plan, tender, award, contract, payment), with 200 suppliers.
func writeReleases(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	w.WriteString(`{"version":"1.1","releases":[`)
	start := time.Date(2015, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		p, stage := i/5, i%5
		ocid := fmt.Sprintf("ocds-bench1-%07d", p)
		at := start.Add(time.Duration(p)*time.Minute).AddDate(0, 0, stage*10)
		vat := afm(10_000_000 + p%200)
		rel := map[string]any{"ocid": ocid, "id": strconv.Itoa(stage), "date": at.Format(time.RFC3339)}
		money := func(c int) map[string]any { return map[string]any{"amount": c, "currency": "EUR"} }
		switch stage {
		case 0:
			rel["buyer"] = map[string]any{"id": "body-council"}
			rel["planning"] = map[string]any{"budget": map[string]any{"amount": money(10_000)}}
			rel["tender"] = map[string]any{"id": "t", "title": "Προμήθεια " + strconv.Itoa(p), "status": "planning", "procurementMethod": "open",
				"items": []any{map[string]any{"id": "1", "classification": map[string]any{"scheme": "CPV", "id": "30197630-1"}}}}
		case 1:
			rel["tender"] = map[string]any{"id": "t", "status": "active", "value": money(9_000),
				"tenderPeriod": map[string]any{"startDate": at.Format(time.RFC3339), "endDate": at.AddDate(0, 0, 5).Format(time.RFC3339)}}
		case 2:
			rel["parties"] = []any{map[string]any{"id": "supplier-EL" + vat, "name": "Προμηθευτής " + vat, "roles": []any{"supplier"},
				"details": map[string]any{"scale": "sme"}, "address": map[string]any{"countryName": "GR"}}}
			rel["awards"] = []any{map[string]any{"id": ocid + "-award-1", "status": "active", "date": at.Format(time.RFC3339), "value": money(8_500),
				"suppliers": []any{map[string]any{"id": "supplier-EL" + vat}}}}
		case 3:
			rel["contracts"] = []any{map[string]any{"id": "c", "status": "active", "value": money(8_500), "dateSigned": at.Format(time.RFC3339),
				"period": map[string]any{"startDate": at.Format(time.RFC3339), "endDate": at.AddDate(1, 0, 0).Format(time.RFC3339)}}}
		case 4:
			rel["contracts"] = []any{map[string]any{"id": "c", "implementation": map[string]any{"transactions": []any{
				map[string]any{"id": "p1", "date": at.Format(time.RFC3339), "value": money(4_000), "pnyx:invoiceRef": "ΤΠΥ " + strconv.Itoa(p)}}}}}
		}
		if i > 0 {
			w.WriteString(",")
		}
		if err := enc.Encode(rel); err != nil {
			b.Fatal(err)
		}
	}
	w.WriteString("]}")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportVersusDemo imports PNYX_BENCH_RELEASES OCDS releases into
// an empty store and, in the same run, generates a year of the demo
// municipality into another: both go through the command service. It
// reports each one's commands per second and their ratio (goal: the
// import at least half the demo's rate). Run it once:
//
//	go test ./importer/ocds -run '^$' -bench ImportVersusDemo -benchtime 1x
func BenchmarkImportVersusDemo(b *testing.B) {
	ctx := context.Background()
	n := benchReleases()
	dir := b.TempDir()
	input := filepath.Join(dir, "releases.json")
	writeReleases(b, input, n)
	recorded := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return recorded }
	for i := 0; i < b.N; i++ {
		// The baseline: one year of the demo.
		ds, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("demo-%d.db", i)), sqlite.Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		v, err := vault.Open(ctx, filepath.Join(dir, fmt.Sprintf("vault-%d.db", i)), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
			KeysPath: filepath.Join(dir, fmt.Sprintf("keys-%d.db", i)), Now: now})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		stats, err := demo.Generate(ctx, ds, v, demo.Options{Seed: 1, Years: 1})
		demoTime := time.Since(t0)
		v.Close()
		ds.Close()
		if err != nil {
			b.Fatal(err)
		}
		// The import.
		is, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("import-%d.db", i)), sqlite.Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(input)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		dec := ocds.NewDecoder(ctx, ocds.Options{SpillDir: dir}, f)
		rep, err := importer.Import(ctx, is, importer.Source{Name: "bench", RetrievedAt: recorded}, dec,
			importer.Options{Actor: importtest.Admin(b, is), Now: now})
		importTime := time.Since(t1)
		dec.Close()
		f.Close()
		is.Close()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Refused != 0 {
			b.Fatalf("%d refused: %+v", rep.Refused, rep.Refusals[0])
		}
		commands := 0
		for t, c := range rep.Events {
			if t != "provenance.recorded" {
				commands += c // one event per command in these processes
			}
		}
		demoRate := float64(stats.Commands) / demoTime.Seconds()
		importRate := float64(commands) / importTime.Seconds()
		b.ReportMetric(demoRate, "demo-cmd/s")
		b.ReportMetric(importRate, "import-cmd/s")
		b.ReportMetric(float64(n)/importTime.Seconds(), "releases/s")
		b.ReportMetric(importRate/demoRate, "ratio")
		b.Logf("demo: %d commands in %s; import: %d releases, %d commands (%d processes) in %s",
			stats.Commands, demoTime.Round(time.Millisecond), n, commands, rep.Imported, importTime.Round(time.Millisecond))
	}
}
