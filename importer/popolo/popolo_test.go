package popolo_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/popolo"
)

func importFile(t *testing.T, st importer.Store) *importer.Report {
	t.Helper()
	f, err := os.Open("testdata/council.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := popolo.NewDecoder(context.Background(), f, popolo.Options{SpillDir: t.TempDir()})
	defer dec.Close()
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "popolo-test", RetrievedAt: importtest.Now}, dec,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestMessyPopolo(t *testing.T) {
	st := importtest.Store(t)
	rep := importFile(t, st)
	var b strings.Builder
	rep.WriteText(&b)
	t.Log(b.String())
	got := map[string]string{}
	for _, r := range rep.Refusals {
		got[r.SourceID] = r.Refused
	}
	for id, reason := range map[string]string{
		"body-club":  "classification \"association\"",
		"body-empty": "a body without memberships",
		"v3":         "unknown vote option \"maybe\"",
		"v4":         "member nikolaou does not sit",
		"v5":         "a secret vote",
		"v6":         "no quorum",
		"v7":         "no usable start date",
	} {
		if !strings.Contains(got[id], reason) {
			t.Errorf("%s: refused for %q, want %q", id, got[id], reason)
		}
	}
	if rep.Imported != 9 { // the council, its six membership changes, v1, v2
		t.Errorf("%d imported, want 9", rep.Imported)
	}
	t.Run("each member's ballot, counted by the body's rules", func(t *testing.T) {
		var choices []string
		var closed events.VoteClosed
		for _, re := range importtest.Stream(t, st, "vote-v1") {
			p, err := events.Decode(re)
			if err != nil {
				t.Fatal(err)
			}
			switch e := p.(type) {
			case events.VoteBallotCast:
				choices = append(choices, e.MemberID+"="+string(e.Choice))
			case events.VoteClosed:
				closed = e
			}
		}
		if strings.Join(choices, " ") != "papadopoulou=yes georgiou=abstain ioannou=yes nikolaou=present" {
			t.Errorf("ballots %v", choices)
		}
		if closed.Result != events.VoteFailed || closed.Yes != 2 || closed.Present != 1 { // 2 yes of 4 present: no absolute majority
			t.Errorf("closed %+v", closed)
		}
	})
	t.Run("a second import writes nothing", func(t *testing.T) {
		head := importtest.Head(t, st)
		again := importFile(t, st)
		if h := importtest.Head(t, st); h != head || again.Imported != 0 {
			t.Errorf("head %d → %d, %d imported again", head, h, again.Imported)
		}
	})
}
