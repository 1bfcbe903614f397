package popolo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pnyx-civic/pnyx/importer/popolo"
)

// FuzzDecoder feeds the decoder any bytes: it maps or refuses every
// record, or fails with an error; it never panics and always ends.
func FuzzDecoder(f *testing.F) {
	b, err := os.ReadFile("testdata/council.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"vote_events":[{"id":"v","start_date":"2020-01-01","votes":[{"voter_id":1,"option":["x"]}]}],"persons":{}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := popolo.NewDecoder(context.Background(), bytes.NewReader(b), popolo.Options{SpillDir: dir})
		defer dec.Close()
		for i := 0; i <= len(b)+1; i++ {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if rec.Refused == "" && len(rec.Steps) == 0 {
				t.Fatalf("record %s neither refused nor mapped", rec.SourceID)
			}
		}
		t.Fatalf("the decoder did not end within %d records", len(b)+1)
	})
}
