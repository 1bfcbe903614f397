package decisions_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/decisions"
	"github.com/pnyx-civic/pnyx/importer/importtest"
)

func importFile(t *testing.T, st importer.Store, path string, dry bool) *importer.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := decisions.NewDecoder(f, decisions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "diavgeia", URL: "https://diavgeia.gov.gr/", RetrievedAt: importtest.Now},
		dec, importer.Options{Actor: importtest.Admin(t, st), DryRun: dry, Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func refusals(rep *importer.Report) map[string]string {
	m := map[string]string{}
	for _, r := range rep.Refusals {
		m[r.SourceID] = r.Refused
	}
	return m
}

func TestRegisterCSV(t *testing.T) {
	st := importtest.Store(t)
	rep := importFile(t, st, "testdata/register.csv", false)
	if rep.Imported != 5 {
		var b strings.Builder
		rep.WriteText(&b)
		t.Fatalf("imported %d records, want 5:\n%s", rep.Imported, b.String())
	}
	t.Run("each refusal names its reason", func(t *testing.T) {
		got := refusals(rep)
		for id, want := range map[string]string{
			"line 7":        "no ΑΔΑ",
			"ΧΩΡΙΣΗΜ1-ΝΞΟ":  "neither an issue date nor a publication date",
			"ΚΑΚΗΜΕΡ1-ΠΡΣ":  "issue date: date \"31/31/2019\" is in no known shape",
			"ΚΑΚΟSHA1-ΤΥΦ":  "sha256 must be 64 hex digits",
			"BADADA1-ABC":   "is not a Diavgeia ADA",
			"ΑΓΝΩΣΤΟ1-ΧΨΩ":  "decision-ΑΓΝΩΣΤ02-ΩΩΩ does not exist",
			"ΔΙΟΡΘ001-ΑΑΑ":  "decision-ΔΕΝΥΠΑΡΧ1-ΒΒΒ does not exist",
			"ΜΟΝΑΔΑ01-ΓΓΓ":  "issuing unit \"Τμήμα Προμηθειών\" is not an id",
			"ΧΩΡΙΣΘΕΜ1-ΔΔΔ": "no subject",
			"ΣΠΑΣΜΕΝΗ1-ΕΕΕ": "neither an issue date",
		} {
			if !strings.Contains(got[id], want) {
				t.Errorf("%s: refused for %q, want %q", id, got[id], want)
			}
		}
		if len(got) != 10 {
			t.Errorf("%d refusals, want 10: %v", len(got), got)
		}
	})
	t.Run("a refused record writes nothing", func(t *testing.T) {
		for _, s := range []string{"decision-BADADA1-ABC", "decision-ΑΓΝΩΣΤΟ1-ΧΨΩ", "decision-ΚΑΚΟSHA1-ΤΥΦ"} {
			if evs := importtest.Stream(t, st, s); len(evs) != 0 {
				t.Errorf("%s holds %d events", s, len(evs))
			}
		}
	})
	t.Run("a correction is a new version and a revocation is linked", func(t *testing.T) {
		first := importtest.Stream(t, st, "decision-Ψ4ΩΗΩΡ1-ΑΒΓ")
		var types []string
		for _, e := range first {
			types = append(types, e.Type)
		}
		if strings.Join(types, " ") != "decision.adopted decision.published decision.corrected decision.published" {
			t.Errorf("first decision's events: %v", types)
		}
		p, err := events.Decode(first[0])
		if err != nil {
			t.Fatal(err)
		}
		if a := p.(events.DecisionAdopted); a.Exception == nil || a.Exception.Kind != events.ExceptionImported || !strings.Contains(a.Exception.LegalBasis, "αρ. πρωτ. 1234") {
			t.Errorf("adopted under %+v", a.Exception)
		}
		revoked := importtest.Stream(t, st, "decision-ΩΡ7Κ46ΜΤΛ6-ΔΕΖ")
		last, err := events.Decode(revoked[len(revoked)-1])
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := last.(events.DecisionRevoked); !ok || r.RevokingDecisionID != "9ΑΒΓ46ΜΤΛ6-ΗΘΙ" {
			t.Errorf("last event of the revoked decision: %#v", last)
		}
	})
	t.Run("every imported event has its provenance", func(t *testing.T) {
		evs, err := st.ReadAll(context.Background(), events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		described := map[string]bool{}
		for _, re := range evs {
			if re.Type != "provenance.recorded" {
				continue
			}
			p, err := events.Decode(re)
			if err != nil {
				t.Fatal(err)
			}
			pr := p.(events.ProvenanceRecorded)
			if pr.Source != "diavgeia" || pr.SourceID == "" || !pr.RetrievedAt.Equal(importtest.Now) {
				t.Errorf("provenance %+v", pr)
			}
			for _, id := range pr.EventIDs {
				described[id.String()] = true
			}
		}
		for _, re := range evs {
			if strings.HasPrefix(re.Stream, "decision-") && !described[re.ID.String()] {
				t.Errorf("%s %s has no provenance", re.Stream, re.Type)
			}
		}
	})
	t.Run("a second import writes nothing", func(t *testing.T) {
		head := importtest.Head(t, st)
		again := importFile(t, st, "testdata/register.csv", false)
		if h := importtest.Head(t, st); h != head {
			t.Errorf("head moved from %d to %d", head, h)
		}
		if again.Imported != 0 || again.Unchanged != 5 || again.WrittenEvents() != 0 {
			t.Errorf("second import: %d imported, %d unchanged, %d events", again.Imported, again.Unchanged, again.WrittenEvents())
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	st := importtest.Store(t)
	before := importtest.Head(t, st)
	rep := importFile(t, st, "testdata/register.csv", true)
	if h := importtest.Head(t, st); h != before {
		t.Fatalf("a dry run wrote up to %d", h)
	}
	if rep.Imported != 5 || rep.Refused != 10 || rep.Events["decision.adopted"] != 4 {
		t.Errorf("dry run: %d would be imported, %d refused, events %v", rep.Imported, rep.Refused, rep.Events)
	}
}

func TestRegisterJSONLines(t *testing.T) {
	st := importtest.Store(t)
	rep := importFile(t, st, "testdata/register.jsonl", false)
	got := refusals(rep)
	if rep.Imported != 2 || len(got) != 2 {
		t.Fatalf("imported %d, refused %v", rep.Imported, got)
	}
	if !strings.Contains(got["line 3"], "not a record") || !strings.Contains(got["ΔΕΥΤΕΡΗ1-ΖΖΖ"], "neither an issue date") {
		t.Errorf("refusals %v", got)
	}
	evs := importtest.Stream(t, st, "decision-Ψ4ΩΗΩΡ1-ΑΒΓ")
	if len(evs) != 2 || !evs[0].OccurredAt.Equal(evs[0].OccurredAt.UTC()) || evs[0].OccurredAt.Format("2006-01-02") != "2019-01-15" {
		t.Errorf("Diavgeia's fields: %d events, adopted at %s", len(evs), evs[0].OccurredAt)
	}
}

func TestNewRecordsCannotClaimTheImportedException(t *testing.T) {
	st := importtest.Store(t)
	svc := events.NewService(st, events.ServiceOptions{Now: importtest.Clock})
	_, err := svc.Handle(context.Background(), events.AdoptDecision{DecisionID: "d1", BodyID: "council", Title: "t", Text: "t", LegalBasis: "b",
		Exception: &events.DecisionException{Kind: events.ExceptionImported, LegalBasis: "b"}, At: importtest.Now}, events.WithActor(importtest.Admin(t, st)))
	if events.ErrorCode(err) != events.CodeInvalid {
		t.Fatalf("a decision claiming the imported exception without an import: %v", err)
	}
}
