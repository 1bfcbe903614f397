package events_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// These tests run the services' deciders through the command service on a
// real SQLite log, so facts come from the log as in production.

func psOpenStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"),
		sqlite.Options{Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func psAt(d int) time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

func psHead(t *testing.T, st *sqlite.Store) events.Position {
	t.Helper()
	h, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func psFold[S any](t *testing.T, st *sqlite.Store, d events.Decider[S], stream string) S {
	t.Helper()
	res, err := st.ReadStream(context.Background(), stream, events.ReadStreamOptions{Limit: events.MaxReadLimit})
	if err != nil {
		t.Fatal(err)
	}
	var ps []events.Payload
	for _, re := range res {
		p, err := events.Decode(re)
		if err != nil {
			t.Fatalf("decode %s: %v", re.Type, err)
		}
		ps = append(ps, p)
	}
	return d.Fold(ps...)
}

func TestProcurementThroughService(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	ocid := "ocds-abc123-2026-0007"
	must := func(cmd events.Command) {
		t.Helper()
		if _, err := s.Handle(ctx, cmd); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	refused := func(name string, cmd events.Command, code events.Code) {
		t.Run(name, func(t *testing.T) {
			before := psHead(t, st)
			_, err := s.Handle(ctx, cmd)
			if events.ErrorCode(err) != code {
				t.Fatalf("Handle(%T) = %v, want code %s", cmd, err, code)
			}
			if after := psHead(t, st); after != before {
				t.Fatalf("a refused command wrote to the log: head %d -> %d", before, after)
			}
		})
	}

	must(events.RegisterSupplier{VATID: "GR 094 019 245", SupplierDetails: events.SupplierDetails{
		Name: "Κοινωνική Συνεταιριστική Επιχείρηση Πήλιο", Kind: events.SupplierCooperative, Locality: "Πορταριά", Municipality: "Βόλου", Country: "GR"}, At: psAt(0)})
	must(events.RegisterBody{BodyID: "council", Name: "Δημοτικό Συμβούλιο Βόλου", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: psAt(0)})
	for _, d := range []string{"88-2026", "90-2026"} {
		must(events.AdoptDecision{DecisionID: d, BodyID: "council", Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"},
			Title: "Απόφαση Δημάρχου", Text: "Εγκρίνεται.", LegalBasis: "ν. 4412/2016", At: psAt(0)})
	}
	refused("a plan by a buyer body missing from the log is not found", events.PlanProcurement{OCID: ocid, Title: "Συντήρηση πρασίνου", Description: "Κλάδεμα.", BuyerBodyID: "ghost",
		Budget: events.EUR(30_000_00), CPV: []string{"77310000-6"}, Method: events.ProcurementOpen, At: psAt(0)}, events.CodeNotFound)
	must(events.PlanProcurement{OCID: ocid, Title: "Συντήρηση πρασίνου", Description: "Κλάδεμα και άρδευση πάρκων.", BuyerBodyID: "council",
		Budget: events.EUR(30_000_00), CPV: []string{"77310000-6"}, Method: events.ProcurementOpen, At: psAt(0)})
	must(events.PublishTender{OCID: ocid, Procedure: "συνοπτικός διαγωνισμός", Ceiling: events.EUR(25_000_00), Deadline: psAt(20), At: psAt(1)})

	refused("a bid by a supplier missing from the log is not found",
		events.RecordBid{OCID: ocid, BidID: "b0", SupplierID: "090000045", Value: events.EUR(20_000_00), At: psAt(5)}, events.CodeNotFound)
	t.Run("a bid by a supplier in the log is recorded, whatever the VAT id's spelling", func(t *testing.T) {
		must(events.RecordBid{OCID: ocid, BidID: "b1", SupplierID: "094019245", Value: events.EUR(27_000_00), At: psAt(5)})
	})
	refused("a bid after the deadline is refused", events.RecordBid{OCID: ocid, BidID: "b2", SupplierID: "EL094019245", Value: events.EUR(1), At: psAt(21)}, events.CodeConflict)
	refused("an award above the ceiling is refused",
		events.AwardProcurement{OCID: ocid, SupplierID: "094019245", Value: events.EUR(27_000_00), DecisionID: "90-2026", At: psAt(22)}, events.CodeConflict)
	t.Run("after the ceiling is raised by a decision the award goes through", func(t *testing.T) {
		must(events.AmendTender{OCID: ocid, Ceiling: events.EUR(28_000_00), Reason: "άγονος ο πρώτος γύρος", DecisionID: "88-2026", At: psAt(21)})
		must(events.AwardProcurement{OCID: ocid, SupplierID: "094019245", Value: events.EUR(27_000_00), DecisionID: "90-2026", At: psAt(22)})
	})
	must(events.SignContract{OCID: ocid, ContractID: "c7", Value: events.EUR(27_000_00), Period: events.ContractPeriod{Start: psAt(30), End: psAt(395)}, At: psAt(30)})
	must(events.RecordPayment{OCID: ocid, PaymentID: "p1", Amount: events.EUR(27_000_00), InvoiceRef: "ΤΠΥ 118", At: psAt(60)})
	refused("a payment beyond the contract value is refused",
		events.RecordPayment{OCID: ocid, PaymentID: "p2", Amount: events.EUR(1), InvoiceRef: "ΤΠΥ 119", At: psAt(61)}, events.CodeConflict)

	t.Run("the process folded from the log adds up", func(t *testing.T) {
		p := psFold(t, st, events.ProcurementDecider, events.ProcurementStream(ocid))
		if p.Stage != events.ProcurementStageContract || p.Supplier != "EL094019245" || p.Paid != events.EUR(27_000_00) || p.Ceiling != events.EUR(28_000_00) {
			t.Fatalf("state = %+v", p)
		}
	})
}
