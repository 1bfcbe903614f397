package decisions_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pnyx-civic/pnyx/importer/decisions"
)

// FuzzDecoder feeds the decoder any bytes: it returns records or an error,
// never panics, and always ends.
func FuzzDecoder(f *testing.F) {
	for _, p := range []string{"testdata/register.csv", "testdata/register.jsonl"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("ada\n\"unterminated"))
	f.Add([]byte(`{"ada":1e999}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dec, err := decisions.NewDecoder(bytes.NewReader(b), decisions.Options{Body: "council"})
		if err != nil {
			return
		}
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
