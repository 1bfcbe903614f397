package events_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// TestProcurementLawThroughService runs a direct award under ν. 4412/2016
// through the command service on a real log: the thresholds come from the
// buyer body's recorded settings, and refused commands write nothing.
func TestProcurementLawThroughService(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	ocid := "ocds-abc123-2026-0100"
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
	settings := events.DefaultBodySettings(13)
	proc := events.DefaultProcurementSettings()
	services := proc.Thresholds[events.CategoryServices]
	services.DirectAward.Net = events.EUR(25_000_00) // the body's own, lower threshold
	proc.Thresholds[events.CategoryServices] = services
	settings.Procurement = &proc
	must(events.RegisterSupplier{VATID: "094019245", SupplierDetails: events.SupplierDetails{
		Name: "Κοινωνική Συνεταιριστική Επιχείρηση Πήλιο", Kind: events.SupplierCooperative, Locality: "Πορταριά", Municipality: "Βόλου", Country: "GR"}, At: psAt(0)})
	must(events.RegisterBody{BodyID: "council", Name: "Δημοτικό Συμβούλιο Βόλου", Kind: events.BodyCouncil, Settings: settings, At: psAt(0)})
	must(events.AdoptDecision{DecisionID: "90-2026", BodyID: "council", Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"},
		Title: "Απόφαση Δημάρχου", Text: "Εγκρίνεται.", LegalBasis: "ν. 4412/2016", At: psAt(0)})
	plan := func(budget int64) events.PlanProcurement {
		return events.PlanProcurement{OCID: ocid, Title: "Συντήρηση πρασίνου", Description: "Κλάδεμα.", BuyerBodyID: "council",
			Budget: events.EUR(budget), CPV: []string{"77310000-6"}, Procedure: events.ProcedureDirectAward, Category: events.CategoryServices, VATRate: 2400, At: psAt(0)}
	}
	refused("a direct award planned over the body's threshold is refused", plan(25_000_01), events.CodeConflict)
	must(plan(25_000_00))
	must(events.RecordCommitment{OCID: ocid, CommitmentID: "aay-118", Amount: events.EUR(31_000_00), BudgetLine: "35-6262.001", Year: 2026, At: psAt(1)})
	must(events.PublishTender{OCID: ocid, Procedure: "απευθείας ανάθεση", Ceiling: events.EUR(25_000_00), Deadline: psAt(10), At: psAt(1)})
	must(events.RecordBid{OCID: ocid, BidID: "b1", SupplierID: "094019245", Value: events.EUR(24_900_00), At: psAt(5)})
	must(events.AwardProcurement{OCID: ocid, SupplierID: "094019245", Value: events.EUR(24_900_00), DecisionID: "90-2026", ADAM: "26AWRD000000118", At: psAt(11)})
	must(events.SignContract{OCID: ocid, ContractID: "c118", Value: events.EUR(24_900_00), Period: events.ContractPeriod{Start: psAt(12), End: psAt(200)}, ADAM: "26SYMV000000118", At: psAt(12)})
	refused("a modification over 10% of the original value is refused", events.AmendContract{OCID: ocid, NewValue: new(events.EUR(27_390_01)),
		Reason: "Πρόσθετες εργασίες", DecisionID: "90-2026", At: psAt(20)}, events.CodeConflict)
	must(events.RecordCommitment{OCID: ocid, CommitmentID: "aay-131", Amount: events.EUR(3_000_00), BudgetLine: "35-6262.001", Year: 2026, At: psAt(20)})
	must(events.AmendContract{OCID: ocid, NewValue: new(events.EUR(24_900_00 + 2_490_00)), Reason: "Πρόσθετες εργασίες", DecisionID: "90-2026", At: psAt(20)})

	p := psFold(t, st, events.ProcurementDecider, events.ProcurementStream(ocid))
	if p.Law == nil || p.Law.Thresholds.DirectAward.Net != events.EUR(25_000_00) || p.Contract != events.EUR(27_390_00) {
		t.Fatalf("state = %+v", p)
	}
}
