package ocds_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/ocds"
)

var samples = []string{"testdata/release_package.json", "testdata/releases.jsonl", "testdata/record_package.json", "testdata/release_1_0.json"}

func importFiles(t *testing.T, st importer.Store, dry bool, paths ...string) *importer.Report {
	t.Helper()
	var in []io.Reader
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		in = append(in, f)
	}
	dec := ocds.NewDecoder(context.Background(), ocds.Options{SpillDir: t.TempDir()}, in...)
	defer dec.Close()
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "ocds-test", URL: "https://example.org/ocds/", RetrievedAt: importtest.Now},
		dec, importer.Options{Actor: importtest.Admin(t, st), DryRun: dry, Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func text(rep *importer.Report) string {
	var b strings.Builder
	rep.WriteText(&b)
	return b.String()
}

func types(t *testing.T, st events.Store, stream string) string {
	var out []string
	for _, e := range importtest.Stream(t, st, stream) {
		out = append(out, strings.TrimPrefix(e.Type, "procurement."))
	}
	return strings.Join(out, " ")
}

func TestMessyOCDS(t *testing.T) {
	st := importtest.Store(t)
	rep := importFiles(t, st, false, samples...)
	t.Log(text(rep))
	want := map[string]string{
		"ocds-b5fd17-2019-001": "planned tender_published awarded contract_signed payment_made",
		"ocds-b5fd17-2019-002": "planned tender_published awarded",
		"ocds-b5fd17-2020-008": "planned cancelled",
		"ocds-b5fd17-2020-009": "planned",
		"ocds-b5fd17-2020-010": "planned tender_published awarded",
		"ocds-b5fd17-2015-012": "planned tender_published awarded",
	}
	for ocid, w := range want {
		if got := types(t, st, events.ProcurementStream(ocid)); got != w {
			t.Errorf("%s: %q, want %q", ocid, got, w)
		}
	}
	if rep.Imported != len(want) {
		t.Errorf("%d processes imported, want %d", rep.Imported, len(want))
	}
	t.Run("each refusal names its reason", func(t *testing.T) {
		got := map[string]string{}
		for _, r := range rep.Refusals {
			got[r.SourceID] += r.Refused + "; "
		}
		for id, reason := range map[string]string{
			"ocds-b5fd17-2019-001 ocds-b5fd17-2019-001-pay1":   "release id repeated with other content",
			"ocds-b5fd17-2019-001 ocds-b5fd17-2019-001-nodate": "release without a usable date",
			"ocds-b5fd17-2019-003":                             "unknown procurement method \"lottery\"",
			"ocds-b5fd17-2019-004":                             "is not a valid Greek ΑΦΜ",
			"ocds-b5fd17-2019-005":                             "no CPV code",
			"ocds-b5fd17-2019-006":                             "exceeds the tender ceiling",
			"ocds-b5fd17-2019-007":                             "is in GBP but procurement",
			"ocds-b5fd17-2020-011":                             "linked releases and no compiled release",
		} {
			if !strings.Contains(got[id], reason) {
				t.Errorf("%s: refused for %q, want %q", id, got[id], reason)
			}
		}
	})
	t.Run("a refused process writes nothing", func(t *testing.T) {
		for _, ocid := range []string{"ocds-b5fd17-2019-006", "ocds-b5fd17-2019-007", "ocds-b5fd17-2019-003"} {
			if got := types(t, st, events.ProcurementStream(ocid)); got != "" {
				t.Errorf("%s holds %s", ocid, got)
			}
		}
		if got := types(t, st, events.SupplierStream("EL998877666")); got != "" {
			t.Errorf("the supplier of refused processes only was registered: %s", got)
		}
	})
	t.Run("amounts are exact cents in their currency", func(t *testing.T) {
		evs := importtest.Stream(t, st, events.ProcurementStream("ocds-b5fd17-2019-001"))
		p, _ := events.Decode(evs[1])
		if c := p.(events.ProcurementTenderPublished).Ceiling; c != (events.Money{Cents: 1_400_000, Currency: "EUR"}) {
			t.Errorf("ceiling %+v", c)
		}
		p, _ = events.Decode(evs[4])
		if a := p.(events.ProcurementPaymentMade).Amount; a != (events.Money{Cents: 620_025, Currency: "EUR"}) {
			t.Errorf("payment %+v", a)
		}
		usd := importtest.Stream(t, st, events.ProcurementStream("ocds-b5fd17-2019-002"))
		p, _ = events.Decode(usd[2])
		if a := p.(events.ProcurementAwarded); a.Value != (events.Money{Cents: 85_000, Currency: "USD"}) || a.DecisionID != "" {
			t.Errorf("award %+v", a)
		}
	})
	t.Run("a second import writes nothing", func(t *testing.T) {
		head := importtest.Head(t, st)
		again := importFiles(t, st, false, samples...)
		if h := importtest.Head(t, st); h != head {
			t.Errorf("head moved from %d to %d:\n%s", head, h, text(again))
		}
		if again.Imported != 0 || again.Unchanged != len(want) {
			t.Errorf("second import: %d imported, %d unchanged", again.Imported, again.Unchanged)
		}
	})
}

func TestReleasesInAnyOrderGiveTheSameRecord(t *testing.T) {
	// The package's releases reversed, split over two inputs.
	a, b := importtest.Store(t), importtest.Store(t)
	importFiles(t, a, false, "testdata/release_package.json")
	importFiles(t, b, false, "testdata/releases.jsonl", "testdata/release_package.json")
	for _, ocid := range []string{"ocds-b5fd17-2019-001", "ocds-b5fd17-2019-002"} {
		ea, eb := importtest.Stream(t, a, events.ProcurementStream(ocid)), importtest.Stream(t, b, events.ProcurementStream(ocid))
		if len(ea) != len(eb) {
			t.Fatalf("%s: %d and %d events", ocid, len(ea), len(eb))
		}
		for i := range ea {
			if ea[i].ID != eb[i].ID || string(ea[i].Data) != string(eb[i].Data) {
				t.Errorf("%s event %d differs", ocid, i)
			}
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	st := importtest.Store(t)
	before := importtest.Head(t, st)
	rep := importFiles(t, st, true, samples...)
	if h := importtest.Head(t, st); h != before {
		t.Fatalf("a dry run wrote up to %d", h)
	}
	if rep.Imported != 6 || rep.Events["procurement.planned"] != 6 {
		t.Errorf("dry run:\n%s", text(rep))
	}
}
