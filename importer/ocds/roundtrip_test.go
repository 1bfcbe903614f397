package ocds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/ocds"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

func day(n int) time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

// scenario records processes through every step of the lifecycle in a
// store of Pnyx's own: amendments, bids and their status, payments, a
// cancellation and a completion.
func scenario(t *testing.T, st events.Store) {
	ctx := context.Background()
	s := events.NewService(st, events.ServiceOptions{Now: importtest.Clock})
	admin := events.WithActor(importtest.Admin(t, st))
	must := func(cmd events.Command) {
		t.Helper()
		if _, err := s.Handle(ctx, cmd, admin); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	must(events.RegisterBody{BodyID: "council", Name: "Δημοτικό Συμβούλιο Βόλου", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: day(0)})
	must(events.RegisterSupplier{VATID: "094019245", SupplierDetails: events.SupplierDetails{Name: "Κοιν.Σ.Επ. Πήλιο", Kind: events.SupplierCooperative,
		Locality: "Πορταριά", Municipality: "Βόλου", Country: "GR"}, Address: &events.PostalAddress{Street: "Οδός 1", Postcode: "37011", Locality: "Πορταριά", Country: "GR"},
		ContactPoint: &events.ContactPoint{Office: "Γραφείο προσφορών", Email: "office@example.org"}, At: day(0)})
	must(events.RegisterSupplier{VATID: "EL090165560", SupplierDetails: events.SupplierDetails{Name: "Μεγάλη Α.Ε.", Kind: events.SupplierLarge, Country: "GR"}, At: day(0)})
	for _, d := range []string{"88-2025", "90-2025", "91-2025", "92-2025", "93-2025"} {
		must(events.AdoptDecision{DecisionID: d, BodyID: "council", Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"},
			Title: "Απόφαση Δημάρχου", Text: "Εγκρίνεται.", LegalBasis: "ν. 4412/2016", At: day(0)})
	}
	a, b, c := "ocds-abc123-2025-0001", "ocds-abc123-2025-0002", "ocds-abc123-2025-0003"
	must(events.PlanProcurement{OCID: a, Title: "Συντήρηση πρασίνου", Description: "Κλάδεμα και άρδευση πάρκων.", BuyerBodyID: "council", Department: "prasino",
		Budget: events.EUR(30_000_00), CPV: []string{"77310000-6", "77311000-3"}, Method: events.ProcurementOpen, DecisionIDs: []string{"88-2025"}, At: day(1)})
	must(events.PublishTender{OCID: a, Procedure: "συνοπτικός διαγωνισμός", Ceiling: events.EUR(25_000_00), Deadline: day(20), PeriodStart: day(2),
		Items: []events.TenderItem{{ID: "1", Description: "Κλάδεμα", CPV: "77310000-6", Quantity: 10, Unit: "ημέρα", UnitValue: events.EUR(2_000_00)}}, At: day(2)})
	must(events.RecordBid{OCID: a, BidID: "b1", SupplierID: "094019245", Value: events.EUR(27_000_00), At: day(5)})
	must(events.RecordBid{OCID: a, BidID: "b2", SupplierID: "EL090165560", Value: events.EUR(24_000_00), At: day(6)})
	must(events.ChangeBidStatus{OCID: a, BidID: "b2", Status: events.BidDisqualified, Reason: "Ελλιπή δικαιολογητικά", At: day(7)})
	must(events.AmendTender{OCID: a, Ceiling: events.EUR(28_000_00), Deadline: day(21), Reason: "άγονος ο πρώτος γύρος", DecisionID: "88-2025", At: day(19)})
	must(events.AwardProcurement{OCID: a, SupplierID: "094019245", Value: events.EUR(27_000_00), DecisionID: "90-2025", At: day(22)})
	must(events.SignContract{OCID: a, ContractID: "c7", Value: events.EUR(27_000_00), Period: events.ContractPeriod{Start: day(30), End: day(350)}, At: day(30)})
	must(events.RecordPayment{OCID: a, PaymentID: "p1", Amount: events.EUR(10_000_00), InvoiceRef: "ΤΠΥ 118", At: day(60)})
	must(events.AmendContract{OCID: a, NewValue: ptr(events.EUR(29_000_00)), Reason: "Επέκταση", DecisionID: "91-2025", At: day(90)})
	must(events.RecordPayment{OCID: a, PaymentID: "p2", Amount: events.EUR(19_000_00), InvoiceRef: "ΤΠΥ 240", At: day(120)})
	must(events.CompleteProcurement{OCID: a, At: day(360)})
	must(events.PlanProcurement{OCID: b, Title: "Γραφική ύλη", Description: "Χαρτί.", BuyerBodyID: "council",
		Budget: events.EUR(900_00), CPV: []string{"30197630-1"}, Method: events.ProcurementDirect, At: day(3)})
	must(events.PublishTender{OCID: b, Procedure: "απευθείας ανάθεση", Ceiling: events.EUR(900_00), Deadline: day(10), At: day(4)})
	must(events.CancelProcurement{OCID: b, Reason: "Δεν υπήρξαν προσφορές", At: day(11)})
	must(events.PlanProcurement{OCID: c, Title: "Μελέτη", Description: "Μελέτη οδοποιίας.", BuyerBodyID: "council",
		Budget: events.EUR(5_000_00), CPV: []string{"71311000-1"}, Method: events.ProcurementSelective, At: day(8)})
	// In two lots, each awarded to its own supplier, each award carried
	// out by its own contract, paid and amended on its own.
	d := "ocds-abc123-2025-0004"
	must(events.PlanProcurement{OCID: d, Title: "Σίτιση σχολείων", Description: "Γεύματα για δύο σχολικά συγκροτήματα.", BuyerBodyID: "council",
		Budget: events.EUR(60_000_00), CPV: []string{"55524000-9"}, Method: events.ProcurementOpen, At: day(1)})
	must(events.PublishTender{OCID: d, Procedure: "ανοικτός διαγωνισμός", Ceiling: events.EUR(60_000_00), Deadline: day(20), PeriodStart: day(2),
		Lots: []events.Lot{{ID: "lot-1", Title: "Βόρειο συγκρότημα", Value: events.EUR(30_000_00)}, {ID: "lot-2", Title: "Νότιο συγκρότημα", Value: events.EUR(30_000_00)}}, At: day(2)})
	must(events.RecordBid{OCID: d, BidID: "d1", SupplierID: "094019245", Value: events.EUR(28_000_00), LotID: "lot-1", At: day(5)})
	must(events.RecordBid{OCID: d, BidID: "d2", SupplierID: "EL090165560", Value: events.EUR(29_000_00), LotID: "lot-2", At: day(6)})
	must(events.AwardProcurement{OCID: d, AwardID: "aw-1", SupplierID: "094019245", Value: events.EUR(28_000_00), LotID: "lot-1", DecisionID: "92-2025", At: day(22)})
	must(events.AwardProcurement{OCID: d, AwardID: "aw-2", SupplierID: "EL090165560", Value: events.EUR(29_000_00), LotID: "lot-2", DecisionID: "93-2025", At: day(23)})
	must(events.SignContract{OCID: d, ContractID: "sd-1", AwardID: "aw-1", Value: events.EUR(28_000_00), Period: events.ContractPeriod{Start: day(30), End: day(300)}, At: day(30)})
	must(events.SignContract{OCID: d, ContractID: "sd-2", AwardID: "aw-2", Value: events.EUR(29_000_00), Period: events.ContractPeriod{Start: day(31), End: day(300)}, At: day(31)})
	must(events.RecordPayment{OCID: d, ContractID: "sd-1", PaymentID: "dp1", Amount: events.EUR(14_000_00), InvoiceRef: "ΤΠΥ 301", At: day(60)})
	must(events.RecordPayment{OCID: d, ContractID: "sd-2", PaymentID: "dp2", Amount: events.EUR(9_000_00), InvoiceRef: "ΤΠΥ 302", At: day(61)})
	must(events.AmendContract{OCID: d, ContractID: "sd-2", NewPeriod: &events.ContractPeriod{Start: day(31), End: day(330)}, Reason: "Παράταση", DecisionID: "93-2025", At: day(90)})
	must(events.RecordPayment{OCID: d, ContractID: "sd-2", PaymentID: "dp3", Amount: events.EUR(20_000_00), InvoiceRef: "ΤΠΥ 340", At: day(120)})
	must(events.CompleteProcurement{OCID: d, At: day(340)})
}

func ptr[T any](v T) *T { return &v }

// ocdsExport is the OCDS release package of st's log, by the export's
// mapping.
func ocdsExport(t *testing.T, st events.Store) []byte {
	evs, err := st.ReadAll(context.Background(), events.ReadAllOptions{Limit: events.MaxReadLimit})
	if err != nil {
		t.Fatal(err)
	}
	m := opendata.NewOCDS()
	var rels []any
	for _, re := range evs {
		rel, err := m.Add(re)
		if err != nil {
			t.Fatal(err)
		}
		if rel != nil {
			rels = append(rels, rel)
		}
	}
	b, err := json.Marshal(map[string]any{"version": "1.1", "releases": rels})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// procurementDump is the canonical dump of the read model's procurement
// tables built from st, without the imported column, and that column's
// values.
func procurementDump(t *testing.T, st events.Store) (string, []string) {
	ctx := context.Background()
	db, err := projections.OpenReadModel(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := projections.NewRunner(db, st, []projections.Projection{readmodel.NewReadModelProjection(nil)}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head, err := st.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	err = r.WaitFor(ctx, head)
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := projections.Dump(ctx, db, &buf, readmodel.ReadModelName); err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{"procurements": true, "procurement_cpv": true, "procurement_decisions": true, "tender_amendments": true,
		"bids": true, "contract_amendments": true, "payments": true, "suppliers": true,
		"procurement_lots": true, "procurement_awards": true, "procurement_contracts": true}
	var out strings.Builder
	var marks []string
	on, procurements := false, false
	for _, line := range strings.Split(buf.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "## readmodel."); ok {
			name, _, _ = strings.Cut(name, " ")
			on, procurements = keep[name], name == "procurements"
		}
		if !on {
			continue
		}
		if i := strings.LastIndexByte(line, '\t'); procurements && i > 0 {
			marks = append(marks, line[i+1:])
			line = line[:i] // the imported column, last
		}
		out.WriteString(line + "\n")
	}
	return out.String(), marks[1:]
}

// importPackage imports an OCDS package into an empty store.
func importPackage(t *testing.T, pkg []byte) (*sqlite.Store, *importer.Report) {
	t.Helper()
	st := importtest.Store(t)
	dec := ocds.NewDecoder(context.Background(), ocds.Options{SpillDir: t.TempDir()}, bytes.NewReader(pkg))
	defer dec.Close()
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "pnyx", RetrievedAt: importtest.Now}, dec,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return st, rep
}

// TestRoundTrip exports Pnyx's own OCDS, imports it into an empty store
// and finds the same procurement in the read model.
func TestRoundTrip(t *testing.T) {
	original := importtest.Store(t)
	scenario(t, original)
	pkg := ocdsExport(t, original)

	imported, rep := importPackage(t, pkg)
	if rep.Refused != 0 || rep.Imported != 4 {
		t.Fatalf("import of Pnyx's own OCDS:\n%s", text(rep))
	}
	want, wantMarks := procurementDump(t, original)
	got, marks := procurementDump(t, imported)
	if got != want {
		wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("line %d:\n  exported %s\n  imported %s", i+1, w, g)
			}
		}
	}
	if strings.Join(wantMarks, " ") != "0 0 0 0" || strings.Join(marks, " ") != "1 1 1 1" {
		t.Errorf("imported marks: %v exported, %v imported; want 0s and 1s", wantMarks, marks)
	}
}

// What Pnyx cannot record of a process in lots is refused with its reason,
// the process whole: an award for two lots at once, and several awards of
// a tender without lots.
func TestAwardsPnyxCannotRecordAreRefused(t *testing.T) {
	original := importtest.Store(t)
	scenario(t, original)
	for _, c := range []struct {
		name, reason string
		change       func(rel map[string]any)
	}{
		{"an award for two lots", "names 2 lots", func(rel map[string]any) {
			for _, a := range list(rel["awards"]) {
				a.(map[string]any)["relatedLots"] = []any{"lot-1", "lot-2"}
			}
		}},
		{"two awards without lots", "cannot be awarded", func(rel map[string]any) {
			if tender, ok := rel["tender"].(map[string]any); ok {
				delete(tender, "lots")
			}
			for _, key := range []string{"awards", "bids"} {
				for _, x := range list(rel[key]) {
					delete(x.(map[string]any), "relatedLots")
				}
			}
			if bids, ok := rel["bids"].(map[string]any); ok {
				for _, b := range list(bids["details"]) {
					delete(b.(map[string]any), "relatedLots")
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pkg map[string]any
			if err := json.Unmarshal(ocdsExport(t, original), &pkg); err != nil {
				t.Fatal(err)
			}
			for _, r := range list(pkg["releases"]) {
				if rel := r.(map[string]any); rel["ocid"] == "ocds-abc123-2025-0004" {
					c.change(rel)
				}
			}
			b, err := json.Marshal(pkg)
			if err != nil {
				t.Fatal(err)
			}
			imported, rep := importPackage(t, b)
			if rep.Imported != 3 || rep.Refused != 1 || rep.Refusals[0].SourceID != "ocds-abc123-2025-0004" || !strings.Contains(rep.Refusals[0].Refused, c.reason) {
				t.Fatalf("want the process in lots refused for %q:\n%s", c.reason, text(rep))
			}
			if evs := importtest.Stream(t, imported, events.ProcurementStream("ocds-abc123-2025-0004")); len(evs) != 0 {
				t.Errorf("the refused process holds %d events", len(evs))
			}
		})
	}
}

func list(v any) []any { l, _ := v.([]any); return l }
