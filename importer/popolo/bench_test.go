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

	"github.com/pnyx-civic/pnyx/events/sqlite"
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
	n := benchVotes()
	dir := b.TempDir()
	input := filepath.Join(dir, "council.json")
	writeCouncil(b, input, n)
	for i := 0; i < b.N; i++ {
		r := importtest.VersusDemo(b, dir, i, func(ctx context.Context, st *sqlite.Store, opts importer.Options) (*importer.Report, error) {
			f, err := os.Open(input)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			dec := popolo.NewDecoder(ctx, f, popolo.Options{SpillDir: dir})
			defer dec.Close()
			return importer.Import(ctx, st, importer.Source{Name: "bench", RetrievedAt: importtest.BenchRecorded}, dec, opts)
		})
		r.ReportMetrics(b, r.Report.Events["vote.ballot_cast"], "votes")
	}
}
