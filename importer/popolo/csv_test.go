package popolo_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/popolo"
)

func csvFiles(t *testing.T, dir string) map[string]io.Reader {
	t.Helper()
	files := map[string]io.Reader{}
	for _, part := range popolo.CSVParts {
		f, err := os.Open(filepath.Join(dir, part+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		files[part] = f
	}
	return files
}

// TestPopoloCSV reads the council of testdata/council.json as Popolo CSV
// files, with a Greek source's option words, a short name column and a
// secret vote's counts in columns of its own.
func TestPopoloCSV(t *testing.T) {
	ctx := context.Background()
	st := importtest.Store(t)
	dec, err := popolo.NewCSVDecoder(ctx, csvFiles(t, "testdata/csv"), popolo.Options{SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	rep, err := importer.Import(ctx, st, importer.Source{Name: "popolo-csv", RetrievedAt: importtest.Now}, dec,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b)
	t.Log(b.String())
	got := map[string]string{}
	for _, r := range rep.Refusals {
		got[r.SourceID] = r.Refused
	}
	for id, reason := range map[string]string{
		"body-club": "classification \"association\"", "body-empty": "a body without memberships", "v3": "unknown vote option \"maybe\"",
		"v4": "member nikolaou does not sit", "v5": "a secret vote: no counts", "v6": "no quorum", "v7": "no usable start date",
	} {
		if !strings.Contains(got[id], reason) {
			t.Errorf("%s: refused for %q, want %q", id, got[id], reason)
		}
	}
	if rep.Imported != 10 { // as the JSON, and the secret vote v8
		t.Errorf("%d imported, want 10", rep.Imported)
	}
	for _, m := range []string{`vote option "ναι" read as yes`, `vote option "όχι" read as no`, `vote option "λευκό" read as abstain`,
		"a secret vote without its voters: every member sitting then recorded present"} {
		if rep.Mappings[m] == 0 {
			t.Errorf("mapping %q not reported", m)
		}
	}
	t.Run("the secret vote counted from its tally, the short name from its column", func(t *testing.T) {
		var closed events.VoteClosed
		for _, re := range importtest.Stream(t, st, "vote-v8") {
			if p, err := events.Decode(re); err == nil {
				if c, ok := p.(events.VoteClosed); ok {
					closed = c
				}
			}
		}
		if closed.Yes != 3 || closed.No != 1 {
			t.Errorf("secret vote closed %+v", closed)
		}
		var formed events.FactionFormed
		for _, re := range importtest.Stream(t, st, events.FactionStream("council-Πρόοδος")) {
			if p, err := events.Decode(re); err == nil {
				if f, ok := p.(events.FactionFormed); ok {
					formed = f
				}
			}
		}
		if formed.ShortName != "ΠΡΟ" {
			t.Errorf("faction formed %+v", formed)
		}
	})
	t.Run("a second import writes nothing", func(t *testing.T) {
		head := importtest.Head(t, st)
		dec, err := popolo.NewCSVDecoder(ctx, csvFiles(t, "testdata/csv"), popolo.Options{SpillDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		again, err := importer.Import(ctx, st, importer.Source{Name: "popolo-csv", RetrievedAt: importtest.Now}, dec,
			importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock})
		if err != nil || importtest.Head(t, st) != head || again.Imported != 0 {
			t.Errorf("%v: head %d → %d, %d imported again", err, head, importtest.Head(t, st), again.Imported)
		}
	})
	t.Run("files that are not Popolo CSV are refused", func(t *testing.T) {
		for _, files := range []map[string]io.Reader{
			{"people": strings.NewReader("id\n")},
			{"persons": strings.NewReader("id,name\n")},
		} {
			if _, err := popolo.NewCSVDecoder(ctx, files, popolo.Options{}); events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("%v", err)
			}
		}
		dec, _ := popolo.NewCSVDecoder(ctx, map[string]io.Reader{"vote_events": strings.NewReader("name,start_date\nx,2020-01-01\n")}, popolo.Options{SpillDir: t.TempDir()})
		defer dec.Close()
		if _, err := dec.Next(); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("vote events without ids: %v", err)
		}
	})
}
