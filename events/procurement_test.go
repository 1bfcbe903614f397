package events

import (
	"testing"
	"time"
)

const psOCID = "ocds-abc123-2026-0001"

var psOther = "EL" + "090000045"

func psPlan() PlanProcurement {
	return PlanProcurement{OCID: psOCID, Title: "Προμήθεια τοπικών τροφίμων για τους παιδικούς σταθμούς",
		Description: "Φρέσκα φρούτα και λαχανικά από τοπικούς παραγωγούς.", BuyerBodyID: "council", Department: "social-services",
		Budget: EUR(50_000_00), CPV: []string{"03200000-3", "15300000-1"}, Method: ProcurementOpen, DecisionIDs: []string{"12-2026"}, At: psT0}
}

var psDeadline = psDay(30)

func psTender() PublishTender {
	return PublishTender{OCID: psOCID, Procedure: "ανοικτός διαγωνισμός ν. 4412/2016", Ceiling: EUR(40_000_00), Deadline: psDeadline,
		Documents: []DocumentRef{psDoc("Διακήρυξη")}, At: psDay(1)}
}

func psDoc(title string) DocumentRef {
	return DocumentRef{Title: title, MediaType: "application/pdf", Size: 1024,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", URL: "https://diavgeia.gov.gr/doc/ΩΞΥΖ46ΜΤΛΚ-ΑΒΓ"}
}

// psSupplierFacts holds the given suppliers as registered, and the buyer
// body and the decisions the tests cite as recorded.
func psSupplierFacts(vats ...string) Facts {
	f := Facts{}
	for _, v := range vats {
		f[SupplierStream(v)] = SupplierDecider.Fold(psRegistered(v))
	}
	f[StreamName("body", "council")] = BodyDecider.Fold(BodyRegistered{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: BodyCouncil, Settings: DefaultBodySettings(13)})
	for _, d := range []string{"12-2026", "30-2026", "31-2026", "45-2026", "80-2026", "d"} {
		f[decisionStream(d)] = DecisionDecider.Fold(DecisionAdopted{DecisionID: d, BodyID: "council", Number: 1, Year: 2026, Title: "t", Text: "t", LegalBasis: "ν. 4412/2016"})
	}
	return f
}

// psProcurement runs commands through the decider, each seeing the given
// suppliers as registered, and returns every event.
func psProcurement(t *testing.T, cmds ...Command) []Payload {
	t.Helper()
	var all []Payload
	facts := psSupplierFacts(psVAT, psOther)
	for _, c := range cmds {
		all = append(all, psDecide(t, ProcurementDecider, all, facts, c)...)
	}
	return all
}

func psBid(id, vat string, cents int64, at time.Time) RecordBid {
	return RecordBid{OCID: psOCID, BidID: id, SupplierID: vat, Value: EUR(cents), At: at}
}

func psAward(cents int64) AwardProcurement {
	return AwardProcurement{OCID: psOCID, SupplierID: psVAT, Value: EUR(cents), DecisionID: "45-2026", At: psDay(35)}
}

func psSign(cents int64) SignContract {
	return SignContract{OCID: psOCID, ContractID: "c-2026-17", Value: EUR(cents),
		Period: ContractPeriod{Start: psDay(40), End: psDay(400)}, Documents: []DocumentRef{psDoc("Σύμβαση")}, At: psDay(40)}
}

func psPay(id string, cents int64) RecordPayment {
	return RecordPayment{OCID: psOCID, PaymentID: id, Amount: EUR(cents), InvoiceRef: "ΤΠΥ-" + id, At: psDay(60)}
}

func TestProcurementLifecycle(t *testing.T) {
	t.Run("a process runs from plan to completion and its state adds up", func(t *testing.T) {
		evs := psProcurement(t, psPlan(), psTender(),
			psBid("b1", psVAT, 38_000_00, psDay(10)), psBid("b2", psOther, 39_500_00, psDay(29)),
			psAward(38_000_00), psSign(38_000_00), psPay("p1", 20_000_00), psPay("p2", 18_000_00),
			CompleteProcurement{OCID: psOCID, At: psDay(400)})
		s := ProcurementDecider.Fold(evs...)
		if s.Stage != ProcurementStageCompleted || s.Supplier != "EL094019245" || s.Awarded != EUR(38_000_00) ||
			s.Contract != EUR(38_000_00) || s.Paid != EUR(38_000_00) || len(s.Bids) != 2 || len(s.Payments) != 2 {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("a raised ceiling lets a higher award through", func(t *testing.T) {
		evs := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 45_000_00, psDay(10)),
			AmendTender{OCID: psOCID, Ceiling: EUR(45_000_00), Reason: "αύξηση τιμών", DecisionID: "30-2026", At: psDay(20)},
			psAward(45_000_00))
		if s := ProcurementDecider.Fold(evs...); s.Stage != ProcurementStageAwarded || s.Ceiling != EUR(45_000_00) || s.Deadline != psDeadline {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("a moved deadline admits later bids", func(t *testing.T) {
		later := psDay(45)
		evs := psProcurement(t, psPlan(), psTender(),
			AmendTender{OCID: psOCID, Deadline: later, Reason: "παράταση", DecisionID: "31-2026", At: psDay(25)},
			psBid("b1", psVAT, 30_000_00, psDay(40)))
		if s := ProcurementDecider.Fold(evs...); s.Deadline != later || s.Ceiling != EUR(40_000_00) || len(s.Bids) != 1 {
			t.Fatalf("state = %+v", s)
		}
	})

	t.Run("a contract amendment raises what may be paid", func(t *testing.T) {
		more := EUR(42_000_00)
		evs := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)), psAward(38_000_00), psSign(38_000_00),
			psPay("p1", 38_000_00),
			AmendContract{OCID: psOCID, NewValue: &more, Reason: "συμπληρωματικές ποσότητες", DecisionID: "80-2026", At: psDay(70)},
			psPay("p2", 4_000_00))
		s := ProcurementDecider.Fold(evs...)
		if s.Contract != more || s.Paid != more || s.Contracts["c-2026-17"].Period.End != psDay(400) {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("evolving never changes the state it was given", func(t *testing.T) {
		evs := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 30_000_00, psDay(10)))
		before := ProcurementDecider.Fold(evs...)
		after := ProcurementDecider.Evolve(before, ProcurementBidReceived{BidID: "b2", SupplierID: psOther, Value: EUR(1)})
		if len(before.Bids) != 1 || len(after.Bids) != 2 {
			t.Fatalf("bids before %d, after %d; want 1 and 2", len(before.Bids), len(after.Bids))
		}
	})

	t.Run("bids and awards need the supplier's stream", func(t *testing.T) {
		bid, award := psBid("b1", "GR 094019245", 1, psT0), psAward(1)
		for _, needs := range [][]string{bid.Needs(), award.Needs()} {
			if len(needs) < 1 || needs[0] != "supplier-EL094019245" {
				t.Fatalf("Needs = %v", needs)
			}
		}
		if needs := award.Needs(); len(needs) != 2 || needs[1] != "decision-45-2026" {
			t.Fatalf("an award Needs its decision: %v", needs)
		}
	})
}

func TestProcurementRules(t *testing.T) {
	planned := psProcurement(t, psPlan())
	tendered := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)))
	awarded := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)), psAward(38_000_00))
	signed := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)), psAward(38_000_00), psSign(38_000_00))
	paid := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)), psAward(38_000_00), psSign(38_000_00), psPay("p1", 30_000_00))
	completed := append(append([]Payload(nil), signed...), ProcurementCompleted{})
	cancelled := append(append([]Payload(nil), planned...), ProcurementCancelled{Reason: "x"})
	suppliers := psSupplierFacts(psVAT, psOther)

	plan := func(f func(*PlanProcurement)) PlanProcurement { c := psPlan(); f(&c); return c }
	tender := func(f func(*PublishTender)) PublishTender { c := psTender(); f(&c); return c }
	lower, usd := EUR(20_000_00), Money{Cents: 1, Currency: "USD"}
	period := ContractPeriod{Start: psDay(50), End: psDay(40)}

	ghost := func(c Command) Command {
		switch c := c.(type) {
		case PlanProcurement:
			c.DecisionIDs = []string{"ghost"}
			return c
		case AwardProcurement:
			c.DecisionID = "ghost"
			return c
		case AmendTender:
			c.DecisionID = "ghost"
			return c
		case AmendContract:
			c.DecisionID = "ghost"
			return c
		}
		return c
	}
	raise := EUR(45_000_00)
	cases := []psRefusal{
		// references (issue 9, case 17)
		{name: "a plan by a buyer body that does not exist is not found", facts: Facts{}, cmd: plan(func(c *PlanProcurement) { c.DecisionIDs = nil }), code: CodeNotFound},
		{name: "a plan citing a decision that does not exist is not found", cmd: ghost(psPlan()), code: CodeNotFound},
		{name: "an award citing a decision that does not exist is not found", given: tendered, cmd: ghost(psAward(38_000_00)), code: CodeNotFound},
		{name: "a tender amendment citing a decision that does not exist is not found", given: tendered, cmd: ghost(AmendTender{OCID: psOCID, Ceiling: raise, Reason: "r", DecisionID: "d", At: psDay(5)}), code: CodeNotFound},
		{name: "a contract amendment citing a decision that does not exist is not found", given: signed, cmd: ghost(AmendContract{OCID: psOCID, NewValue: &raise, Reason: "r", DecisionID: "d", At: psDay(50)}), code: CodeNotFound},
		// planning
		{name: "an ocid without the ocds- form is invalid", cmd: plan(func(c *PlanProcurement) { c.OCID = "abc-2026-1" }), code: CodeInvalid},
		{name: "an ocid whose prefix is not six characters is invalid", cmd: plan(func(c *PlanProcurement) { c.OCID = "ocds-abc-2026-1" }), code: CodeInvalid},
		{name: "a plan without a title is invalid", cmd: plan(func(c *PlanProcurement) { c.Title = "" }), code: CodeInvalid},
		{name: "a plan without CPV codes is invalid", cmd: plan(func(c *PlanProcurement) { c.CPV = nil }), code: CodeInvalid},
		{name: "a malformed CPV code is invalid", cmd: plan(func(c *PlanProcurement) { c.CPV = []string{"03200000"} }), code: CodeInvalid},
		{name: "a CPV code of no division is invalid", cmd: plan(func(c *PlanProcurement) { c.CPV = []string{"99000000-1"} }), code: CodeInvalid},
		{name: "a CPV code listed twice is invalid", cmd: plan(func(c *PlanProcurement) { c.CPV = []string{"03200000-3", "03200000-3"} }), code: CodeInvalid},
		{name: "a negative budget is invalid", cmd: plan(func(c *PlanProcurement) { c.Budget = EUR(-1) }), code: CodeInvalid},
		{name: "a zero budget is invalid", cmd: plan(func(c *PlanProcurement) { c.Budget = EUR(0) }), code: CodeInvalid},
		{name: "an unknown method is invalid", cmd: plan(func(c *PlanProcurement) { c.Method = "secret" }), code: CodeInvalid},
		{name: "a bad decision id is invalid", cmd: plan(func(c *PlanProcurement) { c.DecisionIDs = []string{"12 2026"} }), code: CodeInvalid},
		{name: "a plan without its time is invalid", cmd: plan(func(c *PlanProcurement) { c.At = time.Time{} }), code: CodeInvalid},
		{name: "planning a process twice is a conflict", given: planned, cmd: psPlan(), code: CodeConflict},
		// tender
		{name: "a tender for an unplanned process is not found", cmd: psTender(), code: CodeNotFound},
		{name: "a tender whose deadline is not after publication is invalid", given: planned, cmd: tender(func(c *PublishTender) { c.Deadline = c.At }), code: CodeInvalid},
		{name: "a tender with a bad document is invalid", given: planned, cmd: tender(func(c *PublishTender) { c.Documents[0].SHA256 = "x" }), code: CodeInvalid},
		{name: "a tender ceiling in another currency is invalid", given: planned, cmd: tender(func(c *PublishTender) { c.Ceiling = usd }), code: CodeInvalid},
		{name: "a tender ceiling above the budget is a conflict", given: planned, cmd: tender(func(c *PublishTender) { c.Ceiling = EUR(50_000_01) }), code: CodeConflict},
		{name: "publishing a tender twice is a conflict", given: tendered, cmd: psTender(), code: CodeConflict},
		{name: "a tender amendment that changes nothing is invalid", given: tendered, cmd: AmendTender{OCID: psOCID, Reason: "r", DecisionID: "d", At: psDay(5)}, code: CodeInvalid},
		{name: "a tender amendment without a decision is invalid", given: tendered, cmd: AmendTender{OCID: psOCID, Ceiling: EUR(45_000_00), Reason: "r", At: psDay(5)}, code: CodeInvalid},
		{name: "a tender amendment that lowers the ceiling is a conflict", given: tendered, cmd: AmendTender{OCID: psOCID, Ceiling: lower, Reason: "r", DecisionID: "d", At: psDay(5)}, code: CodeConflict},
		{name: "a tender amendment before the tender is a conflict", given: planned, cmd: AmendTender{OCID: psOCID, Ceiling: EUR(45_000_00), Reason: "r", DecisionID: "d", At: psDay(5)}, code: CodeConflict},
		// bids
		{name: "a bid after the deadline is a conflict", given: tendered, facts: suppliers, cmd: psBid("b2", psOther, 1_00, psDeadline), code: CodeConflict},
		{name: "a bid before the tender is a conflict", given: planned, facts: suppliers, cmd: psBid("b2", psOther, 1_00, psDay(2)), code: CodeConflict},
		{name: "a bid by an unregistered supplier is not found", given: tendered, facts: Facts{}, cmd: psBid("b2", psOther, 1_00, psDay(2)), code: CodeNotFound},
		{name: "a bid with a bad VAT id is invalid", given: tendered, facts: suppliers, cmd: psBid("b2", "123", 1_00, psDay(2)), code: CodeInvalid},
		{name: "a bid id used twice is a conflict", given: tendered, facts: suppliers, cmd: psBid("b1", psOther, 1_00, psDay(2)), code: CodeConflict},
		{name: "a bid in another currency is invalid", given: tendered, facts: suppliers, cmd: RecordBid{OCID: psOCID, BidID: "b2", SupplierID: psOther, Value: usd, At: psDay(2)}, code: CodeInvalid},
		{name: "a zero bid is invalid", given: tendered, facts: suppliers, cmd: psBid("b2", psOther, 0, psDay(2)), code: CodeInvalid},
		// award
		{name: "an award above the tender ceiling is a conflict", given: append(append([]Payload(nil), planned...), ProcurementTenderPublished{Procedure: "p", Ceiling: EUR(40_000_00), Deadline: psDeadline}, ProcurementBidReceived{BidID: "b1", SupplierID: "EL094019245", Value: EUR(41_000_00)}), facts: suppliers, cmd: psAward(41_000_00), code: CodeConflict},
		{name: "an award before the deadline is a conflict", given: tendered, facts: suppliers, cmd: AwardProcurement{OCID: psOCID, SupplierID: psVAT, Value: EUR(38_000_00), DecisionID: "d", At: psDay(20)}, code: CodeConflict},
		{name: "an award to a supplier that did not bid is a conflict", given: tendered, facts: suppliers, cmd: AwardProcurement{OCID: psOCID, SupplierID: psOther, Value: EUR(1_00), DecisionID: "d", At: psDay(35)}, code: CodeConflict},
		{name: "an award above the supplier's bid is a conflict", given: tendered, facts: suppliers, cmd: psAward(38_000_01), code: CodeConflict},
		{name: "an award to an unregistered supplier is not found", given: tendered, facts: Facts{}, cmd: psAward(38_000_00), code: CodeNotFound},
		{name: "an award without a decision is invalid", given: tendered, facts: suppliers, cmd: AwardProcurement{OCID: psOCID, SupplierID: psVAT, Value: EUR(1), At: psDay(35)}, code: CodeInvalid},
		{name: "an award before the tender is a conflict", given: planned, facts: suppliers, cmd: psAward(1_00), code: CodeConflict},
		{name: "awarding twice is a conflict", given: awarded, facts: suppliers, cmd: psAward(1_00), code: CodeConflict},
		// contract
		{name: "a contract before the award is a conflict", given: tendered, cmd: psSign(38_000_00), code: CodeConflict},
		{name: "a contract above the awarded value is a conflict", given: awarded, cmd: psSign(38_000_01), code: CodeConflict},
		{name: "a contract whose period ends before it starts is invalid", given: awarded, cmd: SignContract{OCID: psOCID, ContractID: "c", Value: EUR(1), Period: period, At: psDay(40)}, code: CodeInvalid},
		{name: "a contract amendment with neither value nor period is invalid", given: signed, cmd: AmendContract{OCID: psOCID, Reason: "r", DecisionID: "d", At: psDay(50)}, code: CodeInvalid},
		{name: "a contract amendment below what was paid is a conflict", given: paid, cmd: AmendContract{OCID: psOCID, NewValue: &lower, Reason: "r", DecisionID: "d", At: psDay(70)}, code: CodeConflict},
		{name: "a contract amendment before the contract is a conflict", given: awarded, cmd: AmendContract{OCID: psOCID, NewValue: &lower, Reason: "r", DecisionID: "d", At: psDay(70)}, code: CodeConflict},
		// payments
		{name: "a payment beyond the contract value is a conflict", given: paid, cmd: psPay("p2", 8_000_01), code: CodeConflict},
		{name: "a payment id used twice is a conflict", given: paid, cmd: psPay("p1", 1_00), code: CodeConflict},
		{name: "a payment before the contract is a conflict", given: awarded, cmd: psPay("p1", 1_00), code: CodeConflict},
		{name: "a payment without an invoice is invalid", given: signed, cmd: RecordPayment{OCID: psOCID, PaymentID: "p9", Amount: EUR(1), At: psDay(60)}, code: CodeInvalid},
		{name: "a payment in another currency is invalid", given: signed, cmd: RecordPayment{OCID: psOCID, PaymentID: "p9", Amount: usd, InvoiceRef: "i", At: psDay(60)}, code: CodeInvalid},
		{name: "a payment after completion is a conflict", given: completed, cmd: psPay("p9", 1_00), code: CodeConflict},
		// cancel and complete
		{name: "cancelling without a reason is invalid", given: planned, cmd: CancelProcurement{OCID: psOCID, At: psDay(3)}, code: CodeInvalid},
		{name: "cancelling a completed process is a conflict", given: completed, cmd: CancelProcurement{OCID: psOCID, Reason: "r", At: psDay(500)}, code: CodeConflict},
		{name: "cancelling a cancelled process is a conflict", given: cancelled, cmd: CancelProcurement{OCID: psOCID, Reason: "r", At: psDay(3)}, code: CodeConflict},
		{name: "cancelling an unknown process is not found", cmd: CancelProcurement{OCID: psOCID, Reason: "r", At: psDay(3)}, code: CodeNotFound},
		{name: "completing before the contract is a conflict", given: awarded, cmd: CompleteProcurement{OCID: psOCID, At: psDay(50)}, code: CodeConflict},
		{name: "a tender on a cancelled process is a conflict", given: cancelled, cmd: psTender(), code: CodeConflict},
		{name: "a command of another aggregate is invalid", given: planned, cmd: CloseRequest{RequestID: "r1", At: psT0}, code: CodeInvalid},
	}
	for i := range cases {
		if cases[i].facts == nil {
			cases[i].facts = suppliers
		}
	}
	psCheckRefusals(t, ProcurementDecider, cases)

	t.Run("cancelling is allowed from every stage that is not final", func(t *testing.T) {
		for _, given := range [][]Payload{planned, tendered, awarded, signed} {
			evs := psDecide(t, ProcurementDecider, given, nil, CancelProcurement{OCID: psOCID, Reason: "ακύρωση", At: psDay(90)})
			if s := ProcurementDecider.Fold(append(given, evs...)...); s.Stage != ProcurementStageCancelled {
				t.Fatalf("stage = %s", s.Stage)
			}
		}
	})
}
