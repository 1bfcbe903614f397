package readmodel_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestProcurementUnderLaw projects a process under ν. 4412/2016 in lots,
// with a commitment, an evaluation rejecting a bid, an appeal upheld
// against an award and a new award, and a request extended, forwarded
// and answered in part.
func TestProcurementUnderLaw(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	ocid := "ocds-abc123-2026-0900"
	st := events.ProcurementStream(ocid)
	law := &events.ProcurementLaw{Procedure: events.ProcedureOpen, Category: events.CategorySupplies, VATRate: 2400,
		Thresholds: events.DefaultProcurementSettings().For(events.CategorySupplies)}
	e.add(t, st, day(3, 1), events.ProcurementPlanned{OCID: ocid, Title: "Τρόφιμα", Description: "Τρόφιμα σε τμήματα", BuyerBodyID: "council1",
		Budget: events.EUR(50_000_00), CPV: []string{"15300000-1"}, Method: events.ProcurementOpen, Law: law, BudgetWithVAT: events.EUR(62_000_00), ADAM: "26REQ000000900"})
	e.add(t, st, day(3, 2), events.ProcurementCommitmentRecorded{CommitmentID: "aay-1", Amount: events.EUR(49_600_00), BudgetLine: "15-6481.001", Year: 2026})
	e.add(t, st, day(3, 3), events.ProcurementTenderPublished{Procedure: "Ανοικτή διαδικασία", Ceiling: events.EUR(40_000_00), Deadline: day(3, 30),
		Items: []events.TenderItem{}, Lots: []events.Lot{{ID: "1", Title: "Φρούτα", Value: events.EUR(20_000_00)}, {ID: "2", Title: "Λαχανικά", Value: events.EUR(20_000_00)}},
		ADAM: "26PROC000000900"})
	e.add(t, st, day(3, 10),
		events.ProcurementBidReceived{BidID: "b1", SupplierID: "EL094019245", Value: events.EUR(19_000_00), ReceivedAt: day(3, 10), Status: events.BidValid, LotID: "1"},
		events.ProcurementBidReceived{BidID: "b2", SupplierID: "EL090000045", Value: events.EUR(18_000_00), ReceivedAt: day(3, 10), Status: events.BidValid, LotID: "2"},
		events.ProcurementBidReceived{BidID: "b3", SupplierID: "EL094019245", Value: events.EUR(17_000_00), ReceivedAt: day(3, 10), Status: events.BidValid, LotID: "2"})
	e.add(t, st, day(4, 1), events.ProcurementEvaluationRecorded{EvaluationID: "ev-2", LotID: "2", Phase: events.EvaluationFinancial, Ranking: []string{"b2"},
		Rejected: []events.BidRejection{{BidID: "b3", Reason: "Ελλιπής εγγυητική"}}})
	e.add(t, st, day(4, 2),
		events.ProcurementAwarded{AwardID: "aw-1", SupplierID: "EL094019245", Value: events.EUR(19_000_00), DecisionID: "d1", LotID: "1", ValueWithVAT: events.EUR(23_560_00)})
	e.add(t, st, day(4, 3),
		events.ProcurementAwarded{AwardID: "aw-2", SupplierID: "EL090000045", Value: events.EUR(18_000_00), DecisionID: "d1", LotID: "2", ValueWithVAT: events.EUR(22_320_00)})
	e.add(t, st, day(4, 4), events.ProcurementAppealLodged{AppealID: "ap-1", Kind: events.AppealObjection, AwardID: "aw-2", Grounds: "Λάθος"})
	e.add(t, st, day(4, 9), events.ProcurementAppealDecided{AppealID: "ap-1", Outcome: events.AppealUpheld, Reason: "Βάσιμη"})

	req := "req-law-1"
	rs := events.RequestStream(req)
	e.add(t, rs, day(3, 2), events.RequestSubmitted{RequestID: req, Category: events.RequestInformation, Channel: events.RequestViaWeb, SubmittedAt: day(3, 2),
		LegacySubject: "Αντίγραφο μελέτης"})
	e.add(t, rs, day(3, 3), events.RequestAcknowledged{ResponseDays: 20, DueAt: day(3, 23), Counting: events.CountCalendar})
	e.add(t, rs, day(3, 4), events.RequestForwarded{To: "Περιφέρεια", Reason: "Αρμόδια", Clock: events.ClockRestarted, DueAt: day(3, 24)})
	e.add(t, rs, day(3, 20), events.RequestExtended{Days: 10, Reason: "Φάκελος στο αρχείο", DueAt: day(4, 3)})
	e.add(t, rs, day(3, 25), events.RequestAnswered{Summary: "Χορηγείται εν μέρει", AnsweredAt: day(3, 25), Access: events.AccessPartial,
		Withheld: &events.Withholding{Reason: "Προσωπικά δεδομένα", LegalBasis: "άρθρο 5 ν. 2690/1999"}})
	e.sync(t)
	s := e.snap(t)

	p, err := s.Procurement(ctx, ocid)
	if err != nil {
		t.Fatal(err)
	}
	if p.ProcedureType != "open" || p.Category != "supplies" || p.VATRate != 2400 || *p.BudgetWithVAT != events.EUR(62_000_00) ||
		p.Committed != events.EUR(49_600_00) || p.Lots != 2 || p.LotsAwarded != 1 || p.AppealsPending != 0 || p.Status != readmodel.ProcurementTendering ||
		*p.Awarded != events.EUR(19_000_00) || p.ADAM != "26REQ000000900" || p.TenderADAM != "26PROC000000900" ||
		*p.DirectAwardLimit != events.EUR(30_000_00) || p.ModificationLimitPercent != 10 {
		t.Fatalf("procurement = %+v", p)
	}
	lots, err := s.ProcurementLots(ctx, ocid)
	if err != nil || len(lots) != 2 || lots[1].Title != "Λαχανικά" {
		t.Fatalf("lots = %+v, %v", lots, err)
	}
	awards, err := s.ProcurementAwards(ctx, ocid)
	if err != nil || len(awards) != 2 || awards[0].Status != "active" || awards[1].Status != "annulled" || *awards[1].ValueWithVAT != events.EUR(22_320_00) {
		t.Fatalf("awards = %+v, %v", awards, err)
	}
	evs, err := s.ProcurementEvaluations(ctx, ocid)
	if err != nil || len(evs) != 1 || evs[0].Rejected[0] != "b3" || evs[0].Ranking[0] != "b2" {
		t.Fatalf("evaluations = %+v, %v", evs, err)
	}
	b3, err := s.Bid(ctx, readmodel.BidKey{OCID: ocid, BidID: "b3"})
	if err != nil || b3.Status != "disqualified" || b3.StatusReason != "Ελλιπής εγγυητική" || b3.LotID != "2" {
		t.Fatalf("bid = %+v, %v", b3, err)
	}
	appeals, err := s.ProcurementAppeals(ctx, ocid)
	if err != nil || len(appeals) != 1 || appeals[0].Status != "upheld" {
		t.Fatalf("appeals = %+v, %v", appeals, err)
	}
	commitments, err := s.ProcurementCommitments(ctx, ocid)
	if err != nil || len(commitments) != 1 || commitments[0].BudgetLine != "15-6481.001" {
		t.Fatalf("commitments = %+v, %v", commitments, err)
	}

	r, err := s.Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Counting != "calendar" || r.ForwardedTo != "Περιφέρεια" || r.ForwardClock != "restarted" || r.ExtendedDays != 10 ||
		!r.DueAt.Equal(day(4, 3)) || r.Access != "partial" || r.WithheldLegalBasis == "" {
		t.Fatalf("request = %+v", r)
	}
	if n, err := readmodel.RowsReadBack(ctx, e.db); err != nil || n == 0 {
		t.Fatalf("RowsReadBack = %d, %v", n, err)
	}
}

// TestContractPerAward projects a process whose two lots went to two
// suppliers: each award its own contract, an amendment of one and
// payments under each; the process's row holds them together, and the
// fold as of now holds the same contracts.
func TestContractPerAward(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	ocid := "ocds-abc123-2026-0901"
	st := events.ProcurementStream(ocid)
	law := &events.ProcurementLaw{Procedure: events.ProcedureOpen, Category: events.CategorySupplies, VATRate: 2400,
		Thresholds: events.DefaultProcurementSettings().For(events.CategorySupplies)}
	e.add(t, st, day(3, 1), events.ProcurementPlanned{OCID: ocid, Title: "Τρόφιμα", Description: "Τρόφιμα σε τμήματα", BuyerBodyID: "council1",
		Budget: events.EUR(50_000_00), CPV: []string{"15300000-1"}, Method: events.ProcurementOpen, Law: law, BudgetWithVAT: events.EUR(62_000_00)})
	e.add(t, st, day(3, 3), events.ProcurementTenderPublished{Procedure: "Ανοικτή διαδικασία", Ceiling: events.EUR(40_000_00), Deadline: day(3, 30),
		Items: []events.TenderItem{}, Lots: []events.Lot{{ID: "1", Title: "Φρούτα", Value: events.EUR(20_000_00)}, {ID: "2", Title: "Λαχανικά", Value: events.EUR(20_000_00)}}})
	e.add(t, st, day(4, 2),
		events.ProcurementAwarded{AwardID: "aw-1", SupplierID: "EL094019245", Value: events.EUR(19_000_00), DecisionID: "d1", LotID: "1", ValueWithVAT: events.EUR(23_560_00)},
		events.ProcurementAwarded{AwardID: "aw-2", SupplierID: "EL090000045", Value: events.EUR(18_000_00), DecisionID: "d1", LotID: "2", ValueWithVAT: events.EUR(22_320_00)})
	e.add(t, st, day(5, 1), events.ProcurementContractSigned{ContractID: "c-1", AwardID: "aw-1", Value: events.EUR(19_000_00), ValueWithVAT: events.EUR(23_560_00),
		Period: events.ContractPeriod{Start: day(5, 1), End: day(8, 1)}, ADAM: "26SYMV000000901"})
	e.add(t, st, day(5, 2), events.ProcurementContractSigned{ContractID: "c-2", AwardID: "aw-2", Value: events.EUR(18_000_00), ValueWithVAT: events.EUR(22_320_00),
		Period: events.ContractPeriod{Start: day(5, 2), End: day(9, 1)}})
	e.add(t, st, day(6, 1), events.ProcurementContractAmended{ContractID: "c-1", Value: events.EUR(20_000_00), ValueWithVAT: events.EUR(24_800_00),
		Period: events.ContractPeriod{Start: day(5, 1), End: day(10, 1)}, Reason: "Συμπληρωματική ποσότητα", DecisionID: "d2"})
	e.add(t, st, day(7, 1), events.ProcurementPaymentMade{PaymentID: "p-1", ContractID: "c-2", Amount: events.EUR(10_000_00), InvoiceRef: "ΤΠΥ-1"})
	e.add(t, st, day(7, 2), events.ProcurementPaymentMade{PaymentID: "p-2", ContractID: "c-1", Amount: events.EUR(5_000_00), InvoiceRef: "ΤΠΥ-2"})
	e.sync(t)
	s := e.snap(t)

	p, err := s.Procurement(ctx, ocid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != readmodel.ProcurementContract || p.ContractCount != 2 || p.ContractID != "c-1" || *p.ContractValue != events.EUR(38_000_00) ||
		*p.ContractWithVAT != events.EUR(47_120_00) || !p.ContractStart.Equal(day(5, 1)) || !p.ContractEnd.Equal(day(10, 1)) ||
		p.Paid != events.EUR(15_000_00) || p.ContractADAM != "26SYMV000000901" {
		t.Fatalf("procurement = %+v", p)
	}
	cs, err := s.ProcurementContracts(ctx, ocid)
	if err != nil || len(cs) != 2 {
		t.Fatalf("contracts = %+v, %v", cs, err)
	}
	c1, c2 := cs[0], cs[1]
	if c1.AwardID != "aw-1" || c1.SupplierVATID != "EL094019245" || *c1.Value != events.EUR(20_000_00) || *c1.Original != events.EUR(19_000_00) ||
		*c1.ValueWithVAT != events.EUR(24_800_00) || !c1.PeriodEnd.Equal(day(10, 1)) || c1.Paid != events.EUR(5_000_00) {
		t.Fatalf("contract 1 = %+v", c1)
	}
	if c2.AwardID != "aw-2" || c2.SupplierVATID != "EL090000045" || *c2.Value != events.EUR(18_000_00) || c2.Paid != events.EUR(10_000_00) || c2.ADAM != "" {
		t.Fatalf("contract 2 = %+v", c2)
	}
	am, err := s.ContractAmendments(ctx, readmodel.ProcurementAmendmentFilter{OCID: ocid})
	if err != nil || len(am.Items) != 1 || am.Items[0].ContractID != "c-1" {
		t.Fatalf("amendments = %+v, %v", am, err)
	}
	pay, err := s.Payment(ctx, readmodel.PaymentKey{OCID: ocid, PaymentID: "p-1"})
	if err != nil || pay.ContractID != "c-2" {
		t.Fatalf("payment = %+v, %v", pay, err)
	}
	v, err := e.rm.AsOf(ctx, st, readmodel.Point{})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.State.(*readmodel.ProcurementView).Steps.Contracts; !reflect.DeepEqual(got, cs) {
		t.Fatalf("contracts as of now = %+v\nqueried: %+v", got, cs)
	}
}
