package events

import (
	"testing"
)

// A process under ν. 4412/2016: the buyer "council" with the law's
// default thresholds, supplies at 24% VAT.

func lawPlan(p ProcedureType, budget int64) PlanProcurement {
	c := psPlan()
	c.Method, c.Procedure, c.Category, c.VATRate, c.Budget, c.ADAM = "", p, CategorySupplies, 2400, EUR(budget), "26REQ012345678"
	return c
}

func lawTender(ceiling int64, lots ...Lot) PublishTender {
	c := psTender()
	c.Ceiling, c.Lots, c.ADAM = EUR(ceiling), lots, "26PROC012345678"
	return c
}

func lawCommit(id string, cents int64) RecordCommitment {
	return RecordCommitment{OCID: psOCID, CommitmentID: id, Amount: EUR(cents), BudgetLine: "15-6481.001", Year: 2026, At: psDay(2)}
}

func lawEval(id, lot string, ranking ...string) RecordEvaluation {
	return RecordEvaluation{OCID: psOCID, EvaluationID: id, LotID: lot, Phase: EvaluationFinancial, Ranking: ranking, At: psDay(31)}
}

func lawAward(id, lot, vat string, cents int64) AwardProcurement {
	return AwardProcurement{OCID: psOCID, AwardID: id, LotID: lot, SupplierID: vat, Value: EUR(cents), DecisionID: "45-2026", At: psDay(35)}
}

func lawSign(id, award string, cents int64) SignContract {
	c := psSign(cents)
	c.ContractID, c.AwardID = id, award
	return c
}

func lawRun(t *testing.T, cmds ...Command) []Payload {
	t.Helper()
	return psProcurement(t, cmds...)
}

func TestProcurementUnderLaw(t *testing.T) {
	t.Run("the plan records the procedure's method, the budget with VAT and the buyer's thresholds", func(t *testing.T) {
		evs := lawRun(t, lawPlan(ProcedureDirectAward, 29_000_00))
		e := evs[0].(ProcurementPlanned)
		if e.Method != ProcurementDirect || e.BudgetWithVAT != EUR(35_960_00) || e.Law == nil ||
			e.Law.Thresholds.DirectAward.Net != EUR(30_000_00) || e.Law.Thresholds.Modification.Percent != 10 || e.ADAM != "26REQ012345678" {
			t.Fatalf("planned = %+v law %+v", e, e.Law)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("every procedure maps to an OCDS method and names its article", func(t *testing.T) {
		for _, p := range Procedures() {
			if !p.Method().valid() || p.Details() == "" {
				t.Fatalf("procedure %s: method %q details %q", p, p.Method(), p.Details())
			}
		}
	})

	t.Run("a direct award near the threshold runs to a contract", func(t *testing.T) {
		evs := lawRun(t, lawPlan(ProcedureDirectAward, 30_000_00), lawCommit("aay-1", 37_200_00), lawTender(30_000_00),
			psBid("b1", psVAT, 29_990_00, psDay(10)), lawAward("", "", psVAT, 29_990_00), psSign(29_990_00))
		s := ProcurementDecider.Fold(evs...)
		a := evs[4].(ProcurementAwarded)
		if s.Stage != ProcurementStageContract || a.ValueWithVAT != EUR(37_187_60) || evs[5].(ProcurementContractSigned).ValueWithVAT != EUR(37_187_60) {
			t.Fatalf("state %+v award %+v", s, a)
		}
	})

	t.Run("a procedure with lots, commitment, evaluation, an appeal and a modification", func(t *testing.T) {
		lots := []Lot{{ID: "1", Title: "Φρούτα", Value: EUR(20_000_00)}, {ID: "2", Title: "Λαχανικά", Value: EUR(20_000_00)}}
		evs := lawRun(t, lawPlan(ProcedureOpen, 50_000_00), lawCommit("aay-1", 49_600_00), lawTender(40_000_00, lots...),
			RecordBid{OCID: psOCID, BidID: "b1", SupplierID: psVAT, Value: EUR(19_000_00), LotID: "1", At: psDay(10)},
			RecordBid{OCID: psOCID, BidID: "b2", SupplierID: psOther, Value: EUR(18_000_00), LotID: "2", At: psDay(11)},
			RecordBid{OCID: psOCID, BidID: "b3", SupplierID: psVAT, Value: EUR(17_000_00), LotID: "2", At: psDay(12)},
			lawEval("ev-1", "1", "b1"),
			RecordEvaluation{OCID: psOCID, EvaluationID: "ev-2", LotID: "2", Phase: EvaluationFinancial, Ranking: []string{"b2"},
				Rejected: []BidRejection{{BidID: "b3", Reason: "Ελλιπής εγγυητική επιστολή"}}, At: psDay(31)},
			lawAward("aw-1", "1", psVAT, 19_000_00),
			lawAward("aw-2", "2", psOther, 18_000_00),
			LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, AwardID: "aw-2", Grounds: "Η προσφορά δεν πληροί τις τεχνικές προδιαγραφές.", At: psDay(36)},
			DecideAppeal{OCID: psOCID, AppealID: "ap-1", Outcome: AppealDismissed, Reason: "Αβάσιμη.", DecisionID: "80-2026", At: psDay(38)},
			lawSign("c-1", "aw-1", 19_000_00), lawSign("c-2", "aw-2", 18_000_00),
			AmendContract{OCID: psOCID, ContractID: "c-1", NewValue: new(EUR(20_500_00)), Reason: "Συμπληρωματική ποσότητα", DecisionID: "80-2026", At: psDay(50)},
			RecordPayment{OCID: psOCID, ContractID: "c-2", PaymentID: "p-1", Amount: EUR(18_000_00), InvoiceRef: "ΤΠΥ-1", At: psDay(60)})
		s := ProcurementDecider.Fold(evs...)
		c1, c2 := s.Contracts["c-1"], s.Contracts["c-2"]
		if s.Stage != ProcurementStageContract || s.Awarded != EUR(37_000_00) || s.Bids["b3"].Status != BidDisqualified ||
			s.Contract != EUR(38_500_00) || len(s.Awards) != 2 || len(s.Contracts) != 2 ||
			c1.AwardID != "aw-1" || c1.Original != EUR(19_000_00) || c1.Value != EUR(20_500_00) || c1.Paid.Cents != 0 ||
			c2.AwardID != "aw-2" || c2.Value != EUR(18_000_00) || c2.Paid != EUR(18_000_00) {
			t.Fatalf("state = %+v", s)
		}
		if a := evs[len(evs)-2].(ProcurementContractAmended); a.ContractID != "c-1" {
			t.Fatalf("amendment = %+v", a)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("an appeal upheld annuls the award and its lot is awarded again", func(t *testing.T) {
		evs := lawRun(t, lawPlan(ProcedureOpen, 50_000_00), lawCommit("aay-1", 49_600_00), lawTender(40_000_00),
			psBid("b1", psVAT, 30_000_00, psDay(10)), psBid("b2", psOther, 31_000_00, psDay(11)),
			lawEval("ev-1", "", "b1", "b2"), lawAward("aw-1", "", psVAT, 30_000_00),
			LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealRecourse, AwardID: "aw-1", Grounds: "Ασυνήθιστα χαμηλή προσφορά.", At: psDay(36)},
			DecideAppeal{OCID: psOCID, AppealID: "ap-1", Outcome: AppealUpheld, Reason: "Η ΑΕΠΠ δέχθηκε την προσφυγή.", At: psDay(40)},
			ChangeBidStatus{OCID: psOCID, BidID: "b1", Status: BidDisqualified, Reason: "Απόφαση ΑΕΠΠ", At: psDay(41)},
			AwardProcurement{OCID: psOCID, AwardID: "aw-2", SupplierID: psOther, Value: EUR(31_000_00), DecisionID: "80-2026", At: psDay(42)})
		s := ProcurementDecider.Fold(evs...)
		if s.Stage != ProcurementStageAwarded || s.Awards["aw-1"].Status != AwardAnnulled || s.Awarded != EUR(31_000_00) || s.Supplier != "EL090000045" {
			t.Fatalf("state = %+v", s)
		}
	})
}

func TestProcurementLawRefusals(t *testing.T) {
	settingsLow := DefaultProcurementSettings()
	th := settingsLow.Thresholds[CategorySupplies]
	th.DirectAward.Net = EUR(10_000_00)
	settingsLow.Thresholds[CategorySupplies] = th
	lowFacts := psSupplierFacts(psVAT, psOther)
	bs := DefaultBodySettings(13)
	bs.Procurement = &settingsLow
	lowFacts[StreamName("body", "council")] = BodyDecider.Fold(BodyRegistered{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: BodyCouncil, Settings: bs})

	facts := psSupplierFacts(psVAT, psOther)
	direct := func(budget int64, more ...Command) []Payload {
		return lawRun(t, append([]Command{lawPlan(ProcedureDirectAward, budget)}, more...)...)
	}
	tendered := direct(30_000_00, lawCommit("aay-1", 37_200_00), lawTender(30_000_00), psBid("b1", psVAT, 29_000_00, psDay(10)))
	lots := []Lot{{ID: "1", Title: "Α", Value: EUR(20_000_00)}, {ID: "2", Title: "Β", Value: EUR(20_000_00)}}
	open := lawRun(t, lawPlan(ProcedureOpen, 50_000_00), lawCommit("aay-1", 49_600_00), lawTender(40_000_00, lots...),
		RecordBid{OCID: psOCID, BidID: "b1", SupplierID: psVAT, Value: EUR(19_000_00), LotID: "1", At: psDay(10)},
		RecordBid{OCID: psOCID, BidID: "b2", SupplierID: psOther, Value: EUR(18_000_00), LotID: "2", At: psDay(11)})
	evaluated := append(open[:len(open):len(open)], psDecide(t, ProcurementDecider, open, facts, lawEval("ev-1", "1", "b1"))...)
	awarded := append(evaluated[:len(evaluated):len(evaluated)], psDecide(t, ProcurementDecider, evaluated, facts, lawAward("aw-1", "1", psVAT, 19_000_00))...)
	appealed := append(awarded[:len(awarded):len(awarded)], psDecide(t, ProcurementDecider, awarded, facts,
		LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, EvaluationID: "ev-1", Grounds: "Λάθος βαθμολογία.", At: psDay(36)})...)
	lotsAwarded := lawRun(t, lawPlan(ProcedureOpen, 50_000_00), lawCommit("aay-1", 49_600_00), lawTender(40_000_00, lots...),
		RecordBid{OCID: psOCID, BidID: "b1", SupplierID: psVAT, Value: EUR(19_000_00), LotID: "1", At: psDay(10)},
		RecordBid{OCID: psOCID, BidID: "b2", SupplierID: psOther, Value: EUR(18_000_00), LotID: "2", At: psDay(11)},
		lawEval("ev-1", "1", "b1"), lawEval("ev-2", "2", "b2"), lawAward("aw-1", "1", psVAT, 19_000_00), lawAward("aw-2", "2", psOther, 18_000_00))
	oneContract := append(lotsAwarded[:len(lotsAwarded):len(lotsAwarded)], psDecide(t, ProcurementDecider, lotsAwarded, facts, lawSign("c-1", "aw-1", 19_000_00))...)
	twoContracts := append(oneContract[:len(oneContract):len(oneContract)], psDecide(t, ProcurementDecider, oneContract, facts, lawSign("c-2", "aw-2", 18_000_00))...)
	contracted := direct(30_000_00, lawCommit("aay-1", 37_200_00), lawTender(30_000_00), psBid("b1", psVAT, 29_000_00, psDay(10)),
		lawAward("", "", psVAT, 29_000_00), psSign(29_000_00))

	psCheckRefusals(t, ProcurementDecider, []psRefusal{
		{name: "a direct award planned over the 30,000 € threshold is refused", facts: facts, cmd: lawPlan(ProcedureDirectAward, 30_000_01), code: CodeConflict},
		{name: "a direct award planned over the body's own lower threshold is refused", facts: lowFacts, cmd: lawPlan(ProcedureDirectAward, 10_000_01), code: CodeConflict},
		{name: "a simplified tender over its threshold is refused", facts: facts, cmd: lawPlan(ProcedureSimplifiedTender, 60_000_01), code: CodeConflict},
		{name: "an unknown procedure is invalid", facts: facts, cmd: lawPlan("auction", 10_000_00), code: CodeInvalid},
		{name: "a method other than the procedure's is invalid", facts: facts, cmd: func() Command {
			c := lawPlan(ProcedureDirectAward, 10_000_00)
			c.Method = ProcurementOpen
			return c
		}(), code: CodeInvalid},
		{name: "an unknown category is invalid", facts: facts, cmd: func() Command { c := lawPlan(ProcedureOpen, 10_000_00); c.Category = "goods"; return c }(), code: CodeInvalid},
		{name: "a VAT rate over 100% is invalid", facts: facts, cmd: func() Command { c := lawPlan(ProcedureOpen, 10_000_00); c.VATRate = 10_001; return c }(), code: CodeInvalid},
		{name: "an ΑΔΑΜ of another kind is invalid", facts: facts, cmd: func() Command { c := lawPlan(ProcedureOpen, 10_000_00); c.ADAM = "26SYMV012345678"; return c }(), code: CodeInvalid},
		{name: "a category without a procedure is invalid", facts: facts, cmd: func() Command { c := psPlan(); c.Category = CategorySupplies; return c }(), code: CodeInvalid},
		{name: "lots above the ceiling are refused", given: direct(50_000_00 - 30_000_00), facts: facts,
			cmd: lawTender(20_000_00, Lot{ID: "1", Title: "Α", Value: EUR(15_000_00)}, Lot{ID: "2", Title: "Β", Value: EUR(15_000_00)}), code: CodeConflict},
		{name: "a bid without its lot in a tender in lots is invalid", given: open, facts: facts, cmd: psBid("b9", psVAT, 1_000_00, psDay(12)), code: CodeInvalid},
		{name: "a bid for an unknown lot is not found", given: open, facts: facts,
			cmd: RecordBid{OCID: psOCID, BidID: "b9", SupplierID: psVAT, Value: EUR(1_000_00), LotID: "7", At: psDay(12)}, code: CodeNotFound},
		{name: "a direct award without a budget commitment is refused", given: direct(30_000_00, lawTender(30_000_00), psBid("b1", psVAT, 29_000_00, psDay(10))),
			facts: facts, cmd: lawAward("", "", psVAT, 29_000_00), code: CodeConflict},
		{name: "an award beyond the commitments with VAT is refused", given: direct(30_000_00, lawCommit("aay-1", 30_000_00), lawTender(30_000_00), psBid("b1", psVAT, 29_000_00, psDay(10))),
			facts: facts, cmd: lawAward("", "", psVAT, 29_000_00), code: CodeConflict},
		{name: "a direct award over the threshold recorded at planning is refused", given: lawRun(t, lawPlan(ProcedureDirectAward, 30_000_00), lawCommit("aay-1", 50_000_00), lawTender(30_000_00),
			psBid("b1", psVAT, 29_000_00, psDay(10)), AmendTender{OCID: psOCID, Ceiling: EUR(32_000_00), Reason: "r", DecisionID: "45-2026", At: psDay(20)}),
			facts: facts, cmd: lawAward("", "", psVAT, 29_000_00+2_000_00), code: CodeConflict},
		{name: "an award without an evaluation of its lot is refused", given: open, facts: facts, cmd: lawAward("aw-1", "1", psVAT, 19_000_00), code: CodeConflict},
		{name: "an award of a lot to a bidder of another lot is refused", given: evaluated, facts: facts, cmd: lawAward("aw-1", "1", psOther, 18_000_00), code: CodeConflict},
		{name: "an award above its lot's value is refused", given: evaluated, facts: facts, cmd: func() Command {
			return lawAward("aw-1", "1", psVAT, 20_000_01)
		}(), code: CodeConflict},
		{name: "a lot awarded twice is refused", given: awarded, facts: facts, cmd: lawAward("aw-9", "1", psVAT, 19_000_00), code: CodeConflict},
		{name: "an award of a lot while an appeal against its evaluation is pending is refused", given: append(evaluated[:len(evaluated):len(evaluated)], ProcurementAppealLodged{AppealID: "ap-1", Kind: AppealObjection, EvaluationID: "ev-1", Grounds: "g"}), facts: facts,
			cmd: lawAward("aw-1", "1", psVAT, 19_000_00), code: CodeConflict},
		{name: "signing while an appeal is pending is refused", given: direct(30_000_00, lawCommit("aay-1", 37_200_00), lawTender(30_000_00), psBid("b1", psVAT, 29_000_00, psDay(10)),
			lawAward("", "", psVAT, 29_000_00), LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, AwardID: FirstAwardID, Grounds: "g", At: psDay(36)}),
			facts: facts, cmd: psSign(29_000_00), code: CodeConflict},
		{name: "a contract naming no award when two await theirs is invalid", given: lotsAwarded, facts: facts, cmd: psSign(18_000_00), code: CodeInvalid},
		{name: "a contract for an unknown award is not found", given: lotsAwarded, facts: facts, cmd: lawSign("c-1", "aw-9", 18_000_00), code: CodeNotFound},
		{name: "a contract above its own award's value is refused, though within the awards together", given: lotsAwarded, facts: facts,
			cmd: lawSign("c-2", "aw-2", 18_000_01), code: CodeConflict},
		{name: "a second contract for one award is refused", given: oneContract, facts: facts, cmd: lawSign("c-9", "aw-1", 1_00), code: CodeConflict},
		{name: "a contract id signed twice is refused", given: oneContract, facts: facts, cmd: lawSign("c-1", "aw-2", 1_00), code: CodeConflict},
		{name: "a contract while an appeal against its lot's evaluation is pending is refused", given: append(lotsAwarded[:len(lotsAwarded):len(lotsAwarded)],
			ProcurementAppealLodged{AppealID: "ap-2", Kind: AppealRecourse, EvaluationID: "ev-2", Grounds: "g"}), facts: facts, cmd: lawSign("c-2", "aw-2", 18_000_00), code: CodeConflict},
		{name: "a payment naming no contract when the process has two is invalid", given: twoContracts, facts: facts, cmd: psPay("p-1", 1_00), code: CodeInvalid},
		{name: "a payment under an unknown contract is not found", given: twoContracts, facts: facts,
			cmd: func() Command { c := psPay("p-1", 1_00); c.ContractID = "c-9"; return c }(), code: CodeNotFound},
		{name: "a payment beyond its contract's value is refused, though within the contracts together", given: twoContracts, facts: facts,
			cmd: func() Command { c := psPay("p-1", 18_000_01); c.ContractID = "c-2"; return c }(), code: CodeConflict},
		{name: "an amendment naming no contract when the process has two is invalid", given: twoContracts, facts: facts,
			cmd: AmendContract{OCID: psOCID, NewValue: new(EUR(19_500_00)), Reason: "r", DecisionID: "80-2026", At: psDay(50)}, code: CodeInvalid},
		{name: "a modification over 10% of its own contract's original value is refused", given: twoContracts, facts: facts,
			cmd: AmendContract{OCID: psOCID, ContractID: "c-2", NewValue: new(EUR(18_000_00 + 1_800_01)), Reason: "r", DecisionID: "80-2026", At: psDay(50)}, code: CodeConflict},
		{name: "a modification over 10% of the original value is refused: a new procedure is needed", given: contracted, facts: facts,
			cmd: AmendContract{OCID: psOCID, NewValue: new(EUR(29_000_00 + 2_900_01)), Reason: "r", DecisionID: "80-2026", At: psDay(50)}, code: CodeConflict},
		{name: "a modification within the limit but beyond the commitments is refused", given: contracted, facts: facts,
			cmd: AmendContract{OCID: psOCID, NewValue: new(EUR(29_000_00 + 2_900_00)), Reason: "r", DecisionID: "80-2026", At: psDay(50)}, code: CodeConflict},
		{name: "a commitment id used twice is refused", given: tendered, facts: facts, cmd: lawCommit("aay-1", 1_00), code: CodeConflict},
		{name: "a commitment without a budget line is invalid", given: tendered, facts: facts, cmd: func() Command { c := lawCommit("aay-2", 1_00); c.BudgetLine = ""; return c }(), code: CodeInvalid},
		{name: "a commitment for an unknown process is not found", facts: facts, cmd: lawCommit("aay-1", 1_00), code: CodeNotFound},
		{name: "an evaluation before the deadline is refused", given: open, facts: facts, cmd: func() Command { c := lawEval("ev-1", "1", "b1"); c.At = psDay(20); return c }(), code: CodeConflict},
		{name: "an evaluation ranking a bid of another lot is refused", given: open, facts: facts, cmd: lawEval("ev-1", "1", "b2"), code: CodeConflict},
		{name: "an evaluation rejecting a bid without a reason is invalid", given: open, facts: facts,
			cmd: RecordEvaluation{OCID: psOCID, EvaluationID: "ev-1", LotID: "1", Phase: EvaluationFinancial, Rejected: []BidRejection{{BidID: "b1"}}, At: psDay(31)}, code: CodeInvalid},
		{name: "an evaluation of an unknown bid is not found", given: open, facts: facts, cmd: lawEval("ev-1", "1", "b7"), code: CodeNotFound},
		{name: "an appeal against nothing is invalid", given: awarded, facts: facts,
			cmd: LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, Grounds: "g", At: psDay(36)}, code: CodeInvalid},
		{name: "an appeal against an unknown award is not found", given: awarded, facts: facts,
			cmd: LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, AwardID: "aw-7", Grounds: "g", At: psDay(36)}, code: CodeNotFound},
		{name: "an appeal after the contract is refused", given: contracted, facts: facts,
			cmd: LodgeAppeal{OCID: psOCID, AppealID: "ap-1", Kind: AppealObjection, AwardID: FirstAwardID, Grounds: "g", At: psDay(50)}, code: CodeConflict},
		{name: "an appeal decided twice is refused", given: append(appealed[:len(appealed):len(appealed)], ProcurementAppealDecided{AppealID: "ap-1", Outcome: AppealDismissed, Reason: "r"}), facts: facts,
			cmd: DecideAppeal{OCID: psOCID, AppealID: "ap-1", Outcome: AppealUpheld, Reason: "r", At: psDay(40)}, code: CodeConflict},
		{name: "an unknown outcome is invalid", given: appealed, facts: facts,
			cmd: DecideAppeal{OCID: psOCID, AppealID: "ap-1", Outcome: "partly", Reason: "r", At: psDay(40)}, code: CodeInvalid},
		{name: "a payment ΑΔΑΜ of another kind is invalid", given: contracted, facts: facts,
			cmd: RecordPayment{OCID: psOCID, PaymentID: "p1", Amount: EUR(1_00), InvoiceRef: "ΤΠΥ 1", ADAM: "26AWRD012345678", At: psDay(60)}, code: CodeInvalid},
	})
}

func TestProcurementSettings(t *testing.T) {
	t.Run("the defaults validate and rise from direct award to the EU threshold", func(t *testing.T) {
		d := DefaultProcurementSettings()
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := d.For(CategoryServices).DirectAward.Net; got != EUR(30_000_00) {
			t.Fatalf("direct award for services = %s", got)
		}
	})
	for _, c := range []struct {
		name string
		edit func(*CategoryThresholds)
	}{
		{"a direct-award threshold above the simplified tender's is invalid", func(t *CategoryThresholds) { t.DirectAward.Net = EUR(70_000_00) }},
		{"a threshold without its legal basis is invalid", func(t *CategoryThresholds) { t.EU.LegalBasis = "" }},
		{"a modification limit over 50% is invalid", func(t *CategoryThresholds) { t.Modification.Percent = 51 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultProcurementSettings()
			th := s.Thresholds[CategoryWorks]
			c.edit(&th)
			s.Thresholds[CategoryWorks] = th
			bs := DefaultBodySettings(13)
			bs.Procurement = &s
			if ErrorCode(bs.Validate()) != CodeInvalid {
				t.Fatalf("Validate() = %v", bs.Validate())
			}
		})
	}
	t.Run("VAT is rounded half up to the cent", func(t *testing.T) {
		for _, c := range []struct {
			net  int64
			rate int
			want int64
		}{{100_00, 2400, 124_00}, {1, 2400, 1}, {3, 2400, 4}, {2, 2400, 2}, {99_99, 1300, 112_99}, {50_00, 0, 50_00}} {
			if got := WithVAT(EUR(c.net), c.rate); got != EUR(c.want) {
				t.Fatalf("WithVAT(%d, %d) = %s, want %d", c.net, c.rate, got, c.want)
			}
		}
	})
	t.Run("ΑΔΑΜ ids follow the register's form", func(t *testing.T) {
		for _, ok := range []struct {
			id   string
			kind ADAMKind
		}{{"26REQ012345678", ADAMRequest}, {"21PROC009012345", ADAMNotice}, {"26SYMV000000001", ADAMContract}, {"26PAY123456789", ADAMPayment}} {
			if err := ValidateADAM(ok.id, ok.kind); err != nil {
				t.Fatalf("ValidateADAM(%s) = %v", ok.id, err)
			}
		}
		for _, bad := range []string{"", "REQ012345678", "26REQ01234567", "26REQ0123456789", "2XREQ012345678", "26req012345678", "26REQ01234567A"} {
			if err := ValidateADAM(bad, ADAMRequest); ErrorCode(err) != CodeInvalid {
				t.Fatalf("ValidateADAM(%q) = %v", bad, err)
			}
		}
	})
}
