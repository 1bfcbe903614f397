package open311_test

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
	"github.com/pnyx-civic/pnyx/importer/open311"
)

// benchRequests is the number of requests BenchmarkImportVersusDemo
// imports; PNYX_BENCH_REQUESTS overrides it.
func benchRequests() int {
	if n, err := strconv.Atoi(os.Getenv("PNYX_BENCH_REQUESTS")); err == nil && n > 0 {
		return n
	}
	return 25_000
}

// writeRequests writes a requests.json of n requests of four services,
// each with a location and an agency, half of them closed; with
// requesters, each names its requester (as a system's own dump may, and
// GeoReport never does), whom the import puts in the vault.
func writeRequests(b *testing.B, path string, n int, requesters bool) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	w.WriteString("[")
	start := time.Date(2022, 1, 3, 8, 0, 0, 0, time.UTC)
	services := []string{"pothole", "street_light", "001", "foi"}
	agencies := []string{"Διεύθυνση Καθαριότητας", "Τμήμα Ηλεκτροφωτισμού", "prasino"}
	for i := range n {
		at := start.Add(time.Duration(i) * 17 * time.Minute)
		req := map[string]any{"service_request_id": strconv.Itoa(100000 + i), "service_code": services[i%len(services)],
			"service_name": "Υπηρεσία " + services[i%len(services)], "description": "Περιγραφή του προβλήματος " + strconv.Itoa(i),
			"requested_datetime": at.Format(time.RFC3339), "updated_datetime": at.Add(72 * time.Hour).Format(time.RFC3339),
			"address": fmt.Sprintf("Οδός %d, Βόλος", i%500), "lat": 39.36 + float64(i%100)/1000, "long": 22.94 + float64(i%70)/1000,
			"agency_responsible": agencies[i%len(agencies)], "status": "open"}
		if requesters {
			req["email"], req["first_name"], req["last_name"] = fmt.Sprintf("citizen%d@example.gr", i), "Όνομα", "Επώνυμο"+strconv.Itoa(i)
		}
		if i%2 == 1 {
			req["status"], req["status_notes"] = "closed", "Ολοκληρώθηκε η εργασία."
		}
		if i > 0 {
			w.WriteString(",")
		}
		if err := enc.Encode(req); err != nil {
			b.Fatal(err)
		}
	}
	w.WriteString("]")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportVersusDemo imports PNYX_BENCH_REQUESTS Open311 requests
// as GeoReport publishes them (no requester: one anonymous requester in
// a real vault stands for all) into an empty store and, in the same run,
// generates a year of the demo into another; it reports both commands/s
// and the ratio (goal ≥ 0.5). PNYX_BENCH_REQUESTERS=1 names a requester
// in every request, each put in the vault. Run it once:
//
//	go test ./importer/open311 -run '^$' -bench ImportVersusDemo -benchtime 1x
func BenchmarkImportVersusDemo(b *testing.B) {
	n := benchRequests()
	dir := b.TempDir()
	input := filepath.Join(dir, "requests.json")
	writeRequests(b, input, n, os.Getenv("PNYX_BENCH_REQUESTERS") == "1")
	mf, err := os.Open("testdata/mapping.json")
	if err != nil {
		b.Fatal(err)
	}
	m, err := open311.ReadMapping(mf)
	mf.Close()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		r := importtest.VersusDemo(b, dir, i, func(ctx context.Context, st *sqlite.Store, opts importer.Options) (*importer.Report, error) {
			f, err := os.Open(input)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return importer.Import(ctx, st, importer.Source{Name: "bench", RetrievedAt: importtest.BenchRecorded},
				open311.NewDecoder(f, open311.Options{Mapping: m}), opts)
		})
		r.ReportMetrics(b, n, "requests")
	}
}
