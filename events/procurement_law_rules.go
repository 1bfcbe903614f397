package events

import (
	"fmt"
	"time"
)

// The rules of ν. 4412/2016 that the procurement decider applies to a
// process planned under the law (ProcurementState.Law), and the lots,
// evaluations and appeals of any process.

// planUnderLaw checks a plan's procedure against the buyer's thresholds
// and returns what the plan records of them, with the budget with VAT.
func planUnderLaw(c PlanProcurement, buyer BodyState) (*ProcurementLaw, Money, error) {
	if !c.Procedure.valid() {
		return nil, Money{}, Invalidf("procedure %q: want one of %v", c.Procedure, Procedures())
	}
	if c.Method != "" && c.Method != c.Procedure.Method() {
		return nil, Money{}, Invalidf("procedure %s is the OCDS method %s, not %s; leave the method out", c.Procedure, c.Procedure.Method(), c.Method)
	}
	if !c.Category.valid() {
		return nil, Money{}, Invalidf("contract category %q: want supplies, services or works", c.Category)
	}
	if c.VATRate < 0 || c.VATRate > MaxVATRate {
		return nil, Money{}, Invalidf("VAT rate %d basis points: want 0 to %d (2400 is 24%%)", c.VATRate, MaxVATRate)
	}
	if c.Budget.Cents > maxNetCents {
		return nil, Money{}, Invalidf("the budget %s is too large", c.Budget)
	}
	if err := optionalADAM(c.ADAM, ADAMRequest); err != nil {
		return nil, Money{}, err
	}
	t := ProcurementSettingsOf(buyer.Settings).For(c.Category)
	law := &ProcurementLaw{Procedure: c.Procedure, Category: c.Category, VATRate: c.VATRate, Thresholds: t}
	if err := law.allows(c.OCID, "budget", c.Budget); err != nil {
		return nil, Money{}, err
	}
	return law, WithVAT(c.Budget, c.VATRate), nil
}

// allows refuses a net value its procedure may not reach: a direct award
// or a simplified tender above its threshold, or either of them above the
// EU threshold.
func (l *ProcurementLaw) allows(ocid, what string, net Money) error {
	var limit LegalLimit
	switch l.Procedure {
	case ProcedureDirectAward:
		limit = l.Thresholds.DirectAward
	case ProcedureSimplifiedTender:
		limit = l.Thresholds.SimplifiedTender
	default:
		return nil
	}
	if net.Currency != limit.Net.Currency || net.Cents > limit.Net.Cents {
		return Errorf(CodeConflict, "procurement %s: the %s %s net exceeds the %s threshold of %s net for %s (%s); a higher value needs another procedure",
			ocid, what, net, l.Procedure, limit.Net, l.Category, limit.LegalBasis)
	}
	return nil
}

// withVAT returns net with the process's VAT, zero outside the law.
func (s ProcurementState) withVAT(net Money) Money {
	if s.Law == nil {
		return Money{}
	}
	return WithVAT(net, s.Law.VATRate)
}

// lotsAwarded reports whether every lot has an active award (a tender
// without lots: whether it has one).
func (s ProcurementState) lotsAwarded() bool {
	if len(s.Lots) == 0 {
		for _, a := range s.Awards {
			if a.Status == AwardActive {
				return true
			}
		}
		return false
	}
	for _, l := range s.Lots {
		if _, ok := s.activeAward(l.ID); !ok {
			return false
		}
	}
	return true
}

func (s ProcurementState) activeAward(lotID string) (string, bool) {
	for id, a := range s.Awards {
		if a.LotID == lotID && a.Status == AwardActive {
			return id, true
		}
	}
	return "", false
}

func (s ProcurementState) lot(id string) (Lot, bool) {
	for _, l := range s.Lots {
		if l.ID == id {
			return l, true
		}
	}
	return Lot{}, false
}

// requireLot checks a lot reference: required and known when the tender
// has lots, absent when it has none.
func (s ProcurementState) requireLot(what, lotID string) error {
	if len(s.Lots) == 0 {
		if lotID != "" {
			return Invalidf("procurement %s has no lots; %s names lot %s", s.OCID, what, lotID)
		}
		return nil
	}
	if lotID == "" {
		return Invalidf("procurement %s is in lots; %s must name one", s.OCID, what)
	}
	if _, ok := s.lot(lotID); !ok {
		return Errorf(CodeNotFound, "procurement %s has no lot %s", s.OCID, lotID)
	}
	return nil
}

// pendingAppeal returns a pending appeal that suspends what matches.
func (s ProcurementState) pendingAppeal(match func(ProcurementAppeal) bool) (string, bool) {
	for id, a := range s.Appeals {
		if a.Pending && match(a) {
			return id, true
		}
	}
	return "", false
}

// validateLots checks a tender's lots: ids, titles, values in the
// ceiling's currency, and a total within the ceiling.
func validateLots(lots []Lot, ceiling Money) error {
	seen := map[string]bool{}
	var total int64
	for i, l := range lots {
		what := fmt.Sprintf("lot %d", i+1)
		if err := ValidateID(what+" id", l.ID); err != nil {
			return err
		}
		if seen[l.ID] {
			return Invalidf("%s: id %s is given twice", what, l.ID)
		}
		seen[l.ID] = true
		if err := ValidateText(what+" title", l.Title, MaxTitleRunes); err != nil {
			return err
		}
		if err := l.Value.Validate(); err != nil || l.Value.Cents == 0 || l.Value.Currency != ceiling.Currency {
			return Invalidf("%s: value %s: want a positive amount in %s", what, l.Value, ceiling.Currency)
		}
		total += l.Value.Cents
		if total > ceiling.Cents {
			return Errorf(CodeConflict, "the lots' total exceeds the tender's ceiling %s", ceiling)
		}
	}
	return nil
}

// awardUnderLaw applies the law's rules to an award of net value, with
// VAT withVAT: the procedure's threshold, a budget commitment covering
// every award with VAT, and for a procedure with a tender an evaluation of
// the lot that ranks the supplier's bid, with no appeal against it pending.
func (s ProcurementState) awardUnderLaw(c AwardProcurement, vat string, withVAT Money) error {
	if id, ok := s.pendingAppeal(func(a ProcurementAppeal) bool {
		return a.EvaluationID != "" && s.Evaluations[a.EvaluationID].LotID == c.LotID
	}); ok {
		return Errorf(CodeConflict, "procurement %s: appeal %s against the evaluation is pending; it suspends the award", c.OCID, id)
	}
	if s.Law == nil {
		return nil
	}
	if err := s.Law.allows(c.OCID, "award", c.Value); err != nil {
		return err
	}
	var awarded int64
	for _, a := range s.Awards {
		if a.Status == AwardActive {
			awarded += a.WithVAT.Cents
		}
	}
	if need := awarded + withVAT.Cents; s.Committed.Cents < need {
		return Errorf(CodeConflict, "procurement %s: the budget commitments (ανάληψη υποχρέωσης) of %s do not cover the awards of %s with VAT; record a commitment first",
			c.OCID, Money{Cents: s.Committed.Cents, Currency: withVAT.Currency}, Money{Cents: need, Currency: withVAT.Currency})
	}
	if s.Law.Procedure == ProcedureDirectAward {
		return nil
	}
	for _, e := range s.Evaluations {
		if e.LotID != c.LotID || e.SetAside {
			continue
		}
		for _, bidID := range e.Ranking {
			if b := s.Bids[bidID]; b.SupplierID == vat && b.Status == BidValid {
				return nil
			}
		}
	}
	return Errorf(CodeConflict, "procurement %s: no evaluation by the committee ranks a valid bid of supplier %s; record the committee's minutes first", c.OCID, vat)
}

// modificationUnderLaw refuses a value of contract id (ct) that raises its
// original by more than the law's share, and one that leaves the
// process's contracts together beyond what the commitments cover.
func (s ProcurementState) modificationUnderLaw(ocid, id string, ct ProcurementContract, value Money) error {
	if s.Law == nil || value.Cents <= ct.Original.Cents {
		return nil
	}
	m := s.Law.Thresholds.Modification
	if (value.Cents-ct.Original.Cents)*100 > int64(m.Percent)*ct.Original.Cents {
		return Errorf(CodeConflict, "procurement %s: the new value %s raises the original %s of contract %s by more than %d%% (%s); beyond it a new procedure is needed",
			ocid, value, ct.Original, id, m.Percent, m.LegalBasis)
	}
	total := Money{Cents: s.Contract.Cents - ct.Value.Cents + value.Cents, Currency: value.Currency}
	if gross := s.withVAT(total); s.Committed.Cents < gross.Cents {
		return Errorf(CodeConflict, "procurement %s: the budget commitments of %s do not cover the contracts' new value of %s with VAT; record a commitment first",
			ocid, Money{Cents: s.Committed.Cents, Currency: gross.Currency}, gross)
	}
	return nil
}

func decideRecordCommitment(s ProcurementState, c RecordCommitment) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("commitment id", c.CommitmentID); err != nil {
		return nil, err
	}
	if err := ValidateText("budget line", c.BudgetLine, 100); err != nil {
		return nil, err
	}
	if c.Year < 1990 || c.Year > 2200 {
		return nil, Invalidf("budget year %d: want a year such as %d", c.Year, c.At.Year())
	}
	if c.ADA != "" {
		if err := validateRegisterID("diavgeia", c.ADA); err != nil {
			return nil, err
		}
	}
	if err := s.requireStage(c.OCID, "take a budget commitment", ProcurementStagePlanned, ProcurementStageTender, ProcurementStageAwarded, ProcurementStageContract); err != nil {
		return nil, err
	}
	if err := s.amount("commitment", c.Amount); err != nil {
		return nil, err
	}
	if _, dup := s.Commitments[c.CommitmentID]; dup {
		return nil, Errorf(CodeConflict, "procurement %s: commitment %s is already recorded", c.OCID, c.CommitmentID)
	}
	return []Payload{ProcurementCommitmentRecorded{CommitmentID: c.CommitmentID, Amount: c.Amount, BudgetLine: c.BudgetLine, Year: c.Year, ADA: c.ADA}}, nil
}

func decideRecordEvaluation(s ProcurementState, c RecordEvaluation) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("evaluation id", c.EvaluationID); err != nil {
		return nil, err
	}
	if !c.Phase.valid() {
		return nil, Invalidf("evaluation phase %q: want qualification, technical or financial", c.Phase)
	}
	if len(c.Ranking) == 0 && len(c.Rejected) == 0 {
		return nil, Invalidf("an evaluation ranks or rejects at least one bid")
	}
	if err := ValidateDocuments(c.Documents); err != nil {
		return nil, err
	}
	for _, r := range c.Rejected {
		if err := ValidateText("reason for rejecting bid "+r.BidID, r.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
	}
	if err := s.requireStage(c.OCID, "record an evaluation", ProcurementStageTender); err != nil {
		return nil, err
	}
	if _, dup := s.Evaluations[c.EvaluationID]; dup {
		return nil, Errorf(CodeConflict, "procurement %s: evaluation %s is already recorded", c.OCID, c.EvaluationID)
	}
	if err := s.requireLot("the evaluation", c.LotID); err != nil {
		return nil, err
	}
	if c.At.Before(s.Deadline) {
		return nil, Errorf(CodeConflict, "procurement %s: bids are open until %s; evaluate after the deadline", c.OCID, s.Deadline.Format(time.RFC3339))
	}
	seen := map[string]bool{}
	check := func(bidID string) error {
		if seen[bidID] {
			return Invalidf("bid %s is ranked or rejected twice", bidID)
		}
		seen[bidID] = true
		b, ok := s.Bids[bidID]
		if !ok {
			return Errorf(CodeNotFound, "procurement %s: no bid %s", c.OCID, bidID)
		}
		if b.LotID != c.LotID {
			return Errorf(CodeConflict, "procurement %s: bid %s is not for lot %q", c.OCID, bidID, c.LotID)
		}
		if b.Status != BidValid {
			return Errorf(CodeConflict, "procurement %s: bid %s is %s", c.OCID, bidID, b.Status)
		}
		return nil
	}
	for _, id := range c.Ranking {
		if err := check(id); err != nil {
			return nil, err
		}
	}
	for _, r := range c.Rejected {
		if err := check(r.BidID); err != nil {
			return nil, err
		}
	}
	ranking, rejected := c.Ranking, c.Rejected
	if ranking == nil {
		ranking = []string{}
	}
	if rejected == nil {
		rejected = []BidRejection{}
	}
	return []Payload{ProcurementEvaluationRecorded{EvaluationID: c.EvaluationID, LotID: c.LotID, Phase: c.Phase, Ranking: ranking,
		Rejected: rejected, Documents: c.Documents}}, nil
}

func decideLodgeAppeal(s ProcurementState, c LodgeAppeal) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("appeal id", c.AppealID); err != nil {
		return nil, err
	}
	if c.Kind != AppealObjection && c.Kind != AppealRecourse {
		return nil, Invalidf("appeal kind %q: want objection (ένσταση) or recourse (προσφυγή)", c.Kind)
	}
	if (c.AwardID == "") == (c.EvaluationID == "") {
		return nil, Invalidf("an appeal contests one award or one evaluation")
	}
	if err := ValidateLongText("grounds", c.Grounds, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := s.requireStage(c.OCID, "receive an appeal", ProcurementStageTender, ProcurementStageAwarded); err != nil {
		return nil, err
	}
	if _, dup := s.Appeals[c.AppealID]; dup {
		return nil, Errorf(CodeConflict, "procurement %s: appeal %s is already recorded", c.OCID, c.AppealID)
	}
	if c.AwardID != "" {
		a, ok := s.Awards[c.AwardID]
		if !ok {
			return nil, Errorf(CodeNotFound, "procurement %s: no award %s", c.OCID, c.AwardID)
		}
		if a.Status != AwardActive {
			return nil, Errorf(CodeConflict, "procurement %s: award %s is %s", c.OCID, c.AwardID, a.Status)
		}
	}
	if c.EvaluationID != "" {
		if _, ok := s.Evaluations[c.EvaluationID]; !ok {
			return nil, Errorf(CodeNotFound, "procurement %s: no evaluation %s", c.OCID, c.EvaluationID)
		}
	}
	return []Payload{ProcurementAppealLodged{AppealID: c.AppealID, Kind: c.Kind, AwardID: c.AwardID, EvaluationID: c.EvaluationID, Grounds: c.Grounds}}, nil
}

func decideDecideAppeal(s ProcurementState, c DecideAppeal, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("appeal id", c.AppealID); err != nil {
		return nil, err
	}
	if c.Outcome != AppealUpheld && c.Outcome != AppealDismissed && c.Outcome != AppealWithdrawn {
		return nil, Invalidf("appeal outcome %q: want upheld, dismissed or withdrawn", c.Outcome)
	}
	if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if c.DecisionID != "" {
		if err := ValidateID("decision id", c.DecisionID); err != nil {
			return nil, err
		}
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "procurement %s does not exist", c.OCID)
	}
	a, ok := s.Appeals[c.AppealID]
	if !ok {
		return nil, Errorf(CodeNotFound, "procurement %s: no appeal %s", c.OCID, c.AppealID)
	}
	if !a.Pending {
		return nil, Errorf(CodeConflict, "procurement %s: appeal %s was already %s", c.OCID, c.AppealID, a.Outcome)
	}
	if c.DecisionID != "" {
		if err := decisionCited(f, c.DecisionID); err != nil {
			return nil, err
		}
	}
	e := ProcurementAppealDecided{AppealID: c.AppealID, Outcome: c.Outcome, Reason: c.Reason, DecisionID: c.DecisionID}
	if aw, ok := s.Awards[a.AwardID]; ok && c.Outcome == AppealUpheld && aw.Status == AwardActive {
		e.Annulled = &aw.Value
	}
	return []Payload{e}, nil
}
