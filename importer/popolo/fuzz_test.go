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

// FuzzCSVDecoder feeds the CSV decoder any vote_events.csv and votes.csv
// (the input split at its first NUL byte) beside a fixed council: it maps
// or refuses every record, or fails with an error, and always ends.
func FuzzCSVDecoder(f *testing.F) {
	ve, err := os.ReadFile("testdata/csv/vote_events.csv")
	if err != nil {
		f.Fatal(err)
	}
	votes, err := os.ReadFile("testdata/csv/votes.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(append(ve, 0), votes...))
	f.Add([]byte("id,start_date,yes,no\nv,2020-01-01,x,-1\x00vote_event_id,voter_id,option\nv,a,\"b\n"))
	members, err := os.ReadFile("testdata/csv/memberships.csv")
	if err != nil {
		f.Fatal(err)
	}
	orgs, err := os.ReadFile("testdata/csv/organizations.csv")
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		first, second, _ := bytes.Cut(b, []byte{0})
		dec, err := popolo.NewCSVDecoder(context.Background(), map[string]io.Reader{"vote_events": bytes.NewReader(first),
			"votes": bytes.NewReader(second), "memberships": bytes.NewReader(members), "organizations": bytes.NewReader(orgs)},
			popolo.Options{SpillDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		for i := 0; i <= len(b)+100; i++ {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if rec.Refused == "" && len(rec.Steps) == 0 {
				t.Fatalf("record %s neither refused nor mapped", rec.SourceID)
			}
		}
		t.Fatalf("the decoder did not end")
	})
}
