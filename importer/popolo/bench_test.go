package popolo_test

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
	"github.com/pnyx-civic/pnyx/importer/popolo"
)

// benchVotes is the number of votes BenchmarkImportVersusDemo imports;
// PNYX_BENCH_VOTES overrides it.
func benchVotes() int {
	if n, err := strconv.Atoi(os.Getenv("PNYX_BENCH_VOTES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// writeCouncil writes a Popolo council of 21 members and vote events of
// 21 votes each, n votes in all.
func writeCouncil(b *testing.B, path string, n int) {
	const seats = 21
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	var persons, memberships []any
	for i := range seats {
		id := fmt.Sprintf("m%02d", i)
		persons = append(persons, map[string]any{"id": id, "name": "Μέλος " + id})
		role := "member"
		if i == 0 {
			role = "chair"
		}
		memberships = append(memberships, map[string]any{"id": "ms-" + id, "person_id": id, "organization_id": "body-council", "role": role, "start_date": "2010-01-01"})
	}
	head := map[string]any{"persons": persons, "memberships": memberships,
		"organizations": []any{map[string]any{"id": "body-council", "name": "Δημοτικό Συμβούλιο", "classification": "council"}}}
	b2, _ := json.Marshal(head)
	w.Write(b2[:len(b2)-1])
	w.WriteString(`,"vote_events":[`)
	start := time.Date(2010, 2, 1, 18, 0, 0, 0, time.UTC)
	opts := []string{"yes", "yes", "yes", "no", "abstain"}
	for e := 0; e*seats < n; e++ {
		var votes []any
		for i := range seats {
			votes = append(votes, map[string]any{"voter_id": fmt.Sprintf("m%02d", i), "option": opts[(e+i)%len(opts)]})
		}
		if e > 0 {
			w.WriteString(",")
		}
		at := start.Add(time.Duration(e) * time.Hour)
		enc.Encode(map[string]any{"id": "v" + strconv.Itoa(e), "organization_id": "body-council", "classification": "roll_call",
			"start_date": at.Format(time.RFC3339), "end_date": at.Add(10 * time.Minute).Format(time.RFC3339), "votes": votes})
	}
	w.WriteString("]}")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportVersusDemo imports PNYX_BENCH_VOTES Popolo votes into an
// empty store and, in the same run, generates a year of the demo into
// another; it reports both commands/s and the ratio (goal ≥ 0.5). Run it
// once:
//
//	go test ./importer/popolo -run '^$' -bench ImportVersusDemo -benchtime 1x
func BenchmarkImportVersusDemo(b *testing.B) {
	ctx := context.Background()
	n := benchVotes()
	dir := b.TempDir()
	input := filepath.Join(dir, "council.json")
	writeCouncil(b, input, n)
	recorded := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return recorded }
	for i := 0; i < b.N; i++ {
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
		is, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("import-%d.db", i)), sqlite.Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(input)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		dec := popolo.NewDecoder(ctx, f, popolo.Options{SpillDir: dir})
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
		commands := rep.WrittenEvents() // one event of its own per command here
		demoRate := float64(stats.Commands) / demoTime.Seconds()
		importRate := float64(commands) / importTime.Seconds()
		b.ReportMetric(demoRate, "demo-cmd/s")
		b.ReportMetric(importRate, "import-cmd/s")
		b.ReportMetric(float64(rep.Events["vote.ballot_cast"])/importTime.Seconds(), "votes/s")
		b.ReportMetric(importRate/demoRate, "ratio")
		b.Logf("demo: %d commands in %s; import: %d votes, %d commands in %s",
			stats.Commands, demoTime.Round(time.Millisecond), rep.Events["vote.ballot_cast"], commands, importTime.Round(time.Millisecond))
	}
}
