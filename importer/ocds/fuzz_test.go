package ocds_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pnyx-civic/pnyx/importer/ocds"
)

// FuzzDecoder feeds the decoder any bytes: it maps or refuses every
// process, or fails with an error; it never panics and always ends.
func FuzzDecoder(f *testing.F) {
	for _, p := range samples {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"releases":[{"ocid":"ocds-abcdef-1","date":"2020-01-01","tender":{"items":[{"classification":7}]}}]}`))
	f.Add([]byte(`[{"ocid":"x","date":1,"awards":[{"status":"active","value":{"amount":"1e400"}}]}]`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := ocds.NewDecoder(context.Background(), ocds.Options{SpillDir: dir}, bytes.NewReader(b))
		defer dec.Close()
		for i := 0; i <= len(b)+1; i++ {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if rec.Refused == "" && len(rec.Steps) == 0 {
				t.Fatalf("process %s neither refused nor mapped", rec.SourceID)
			}
		}
		t.Fatalf("the decoder did not end within %d records", len(b)+1)
	})
}
