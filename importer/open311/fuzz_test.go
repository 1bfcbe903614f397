package open311_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pnyx-civic/pnyx/importer/open311"
)

// FuzzDecoder feeds the decoder any bytes: it maps or refuses every
// request, or fails with an error; it never panics and always ends.
func FuzzDecoder(f *testing.F) {
	b, err := os.ReadFile("testdata/requests.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"service_requests":[{"service_request_id":1,"status":"closed","service_code":"service","requested_datetime":"2020-01-01","lat":"1e400","long":"-0"}]}`))
	f.Add([]byte("{\"service_request_id\":\"a\",\"expected_datetime\":\"2020-01-01\",\"requested_datetime\":\"2030-01-01\"}\n{\"requests\":5}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := open311.NewDecoder(bytes.NewReader(b), open311.Options{})
		for i := 0; i <= len(b)+1; i++ {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if rec.Refused == "" && len(rec.Steps) == 0 {
				t.Fatalf("record %s neither refused nor mapped", rec.SourceID)
			}
			for _, s := range rec.Steps {
				if s.Requester != nil {
					s.Requester.Command("subj-00000000000000000000000000000000")
				}
				_ = s.Command.Stream()
			}
		}
		t.Fatalf("the decoder did not end within %d requests", len(b)+1)
	})
}
