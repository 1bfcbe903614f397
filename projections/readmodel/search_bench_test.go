package readmodel_test

import (
	"context"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events/demo"
)

// BenchmarkSearch runs Greek searches (folding, stems, bm25, snippets) on
// the read model of a year of the demo municipality. The baseline, in the
// same run, is the naive alternative: a LIKE scan of the original texts
// for the stem, which neither folds accents nor ranks; x_like_scan is how
// many times that scan Search costs.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	e := newRMEnv(b)
	v := e.vault
	stats, err := demo.Generate(ctx, e.store, v, demo.Options{Seed: 3, Years: 1})
	if err != nil {
		b.Fatal(err)
	}
	e.sync(b)
	var docs int
	if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM search_docs`).Scan(&docs); err != nil {
		b.Fatal(err)
	}
	b.Logf("demo year: %d events, %d search documents", stats.Events, docs)
	for _, c := range []struct{ name, q, like string }{
		{"one-word", "ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ", "%προϋπολογισμ%"},
		{"two-words", "έργα ύδρευσης", "%ύδρευσ%"},
		{"rare-word", "σχολικά γεύματα", "%σχολικ%"},
	} {
		b.Run(c.name, func(b *testing.B) {
			snap := e.snap(b)
			hits, err := snap.Search(ctx, c.q, readmodel.SearchOptions{Page: readmodel.Page{First: 20}})
			if err != nil || len(hits.Items) == 0 {
				b.Fatalf("%s: %d hits, %v", c.q, len(hits.Items), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := snap.Search(ctx, c.q, readmodel.SearchOptions{Page: readmodel.Page{First: 20}}); err != nil {
					b.Fatal(err)
				}
			}
			search := time.Since(start)
			b.StopTimer()
			start = time.Now()
			for range b.N {
				var n int
				if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM search_docs WHERE title LIKE ?1 OR body LIKE ?1`, c.like).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
			scan := time.Since(start)
			b.ReportMetric(float64(search.Nanoseconds())/float64(b.N)/1e6, "ms/op")
			b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N)/1e6, "ms/like_scan")
			b.ReportMetric(float64(search)/float64(scan), "x_like_scan")
		})
	}
}
