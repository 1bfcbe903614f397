package events

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// ProcurementDecider holds the rules of contracting processes.
var ProcurementDecider = Decider[ProcurementState]{
	Kind:    "procurement",
	Initial: func() ProcurementState { return ProcurementState{} },
	Evolve:  evolveProcurement,
	Decide:  decideProcurement,
}

func decideProcurement(s ProcurementState, c Command, f Facts) ([]Payload, error) {
	switch c := c.(type) {
	case PlanProcurement:
		return decidePlanProcurement(s, c, f)
	case PublishTender:
		if err := procurementBasics(c.OCID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateText("procedure", c.Procedure, MaxTitleRunes); err != nil {
			return nil, err
		}
		if err := ValidateDocuments(c.Documents); err != nil {
			return nil, err
		}
		if !c.Deadline.After(c.At) {
			return nil, Invalidf("the tender's deadline must come after its publication")
		}
		if err := s.requireStage(c.OCID, "publish its tender", ProcurementStagePlanned); err != nil {
			return nil, err
		}
		if err := s.amount("tender ceiling", c.Ceiling); err != nil {
			return nil, err
		}
		if c.Ceiling.Cents > s.Budget.Cents {
			return nil, Errorf(CodeConflict, "procurement %s: the ceiling %s exceeds the budget %s", c.OCID, c.Ceiling, s.Budget)
		}
		if err := validateItems(c.Items, c.Ceiling); err != nil {
			return nil, err
		}
		if err := validateLots(c.Lots, c.Ceiling); err != nil {
			return nil, err
		}
		if err := optionalADAM(c.ADAM, ADAMNotice); err != nil {
			return nil, err
		}
		start := c.PeriodStart
		if start.IsZero() {
			start = c.At
		}
		if !start.Before(c.Deadline) {
			return nil, Invalidf("the tender's period must start before its deadline")
		}
		items, lots := c.Items, c.Lots
		if items == nil {
			items = []TenderItem{}
		}
		if lots == nil {
			lots = []Lot{}
		}
		return []Payload{ProcurementTenderPublished{Procedure: c.Procedure, Ceiling: c.Ceiling, Deadline: c.Deadline.UTC(), Documents: c.Documents,
			PeriodStart: start.UTC(), Items: items, Lots: lots, ADAM: c.ADAM}}, nil
	case AmendTender:
		return decideAmendTender(s, c, f)
	case RecordBid:
		return decideRecordBid(s, c, f)
	case AwardProcurement:
		return decideAwardProcurement(s, c, f)
	case ChangeBidStatus:
		return decideChangeBidStatus(s, c)
	case RecordCommitment:
		return decideRecordCommitment(s, c)
	case RecordEvaluation:
		return decideRecordEvaluation(s, c)
	case LodgeAppeal:
		return decideLodgeAppeal(s, c)
	case DecideAppeal:
		return decideDecideAppeal(s, c, f)
	case SignContract:
		if err := procurementBasics(c.OCID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateID("contract id", c.ContractID); err != nil {
			return nil, err
		}
		if err := c.Period.validate(); err != nil {
			return nil, err
		}
		if err := ValidateDocuments(c.Documents); err != nil {
			return nil, err
		}
		if err := optionalADAM(c.ADAM, ADAMContract); err != nil {
			return nil, err
		}
		if c.AwardID != "" {
			if err := ValidateID("award id", c.AwardID); err != nil {
				return nil, err
			}
		}
		if err := s.requireStage(c.OCID, "sign a contract", ProcurementStageAwarded, ProcurementStageContract); err != nil {
			return nil, err
		}
		if _, dup := s.Contracts[c.ContractID]; dup {
			return nil, Errorf(CodeConflict, "procurement %s: contract %s is already signed", c.OCID, c.ContractID)
		}
		awardID, award, err := s.awardToContract(c.AwardID)
		if err != nil {
			return nil, err
		}
		if id, ok := s.pendingAppeal(func(a ProcurementAppeal) bool {
			return a.AwardID == awardID || a.EvaluationID != "" && s.Evaluations[a.EvaluationID].LotID == award.LotID
		}); ok {
			return nil, Errorf(CodeConflict, "procurement %s: appeal %s is pending; it suspends award %s and no contract may carry it out until it is decided", c.OCID, id, awardID)
		}
		if err := s.amount("contract value", c.Value); err != nil {
			return nil, err
		}
		if c.Value.Cents > award.Value.Cents {
			return nil, Errorf(CodeConflict, "procurement %s: the contract value %s exceeds the %s of award %s", c.OCID, c.Value, award.Value, awardID)
		}
		p := ContractPeriod{Start: c.Period.Start.UTC(), End: c.Period.End.UTC()}
		return []Payload{ProcurementContractSigned{ContractID: c.ContractID, Value: c.Value, Period: p, Documents: c.Documents,
			ValueWithVAT: s.withVAT(c.Value), ADAM: c.ADAM, AwardID: awardID}}, nil
	case AmendContract:
		return decideAmendContract(s, c, f)
	case RecordPayment:
		if err := procurementBasics(c.OCID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateID("payment id", c.PaymentID); err != nil {
			return nil, err
		}
		if err := ValidateText("invoice reference", c.InvoiceRef, MaxTitleRunes); err != nil {
			return nil, err
		}
		if err := optionalADAM(c.ADAM, ADAMPayment); err != nil {
			return nil, err
		}
		if err := s.requireStage(c.OCID, "record a payment", ProcurementStageContract); err != nil {
			return nil, err
		}
		if err := s.amount("payment", c.Amount); err != nil {
			return nil, err
		}
		if _, dup := s.Payments[c.PaymentID]; dup {
			return nil, Errorf(CodeConflict, "procurement %s: payment %s is already recorded", c.OCID, c.PaymentID)
		}
		id, ct, err := s.contract(c.ContractID)
		if err != nil {
			return nil, err
		}
		if left := ct.Value.Cents - ct.Paid.Cents; c.Amount.Cents > left {
			return nil, Errorf(CodeConflict, "procurement %s: payment %s would exceed the value %s of contract %s (%s paid so far); amend the contract first",
				c.OCID, c.Amount, ct.Value, id, ct.Paid)
		}
		return []Payload{ProcurementPaymentMade{PaymentID: c.PaymentID, Amount: c.Amount, InvoiceRef: c.InvoiceRef, ADAM: c.ADAM, ContractID: id}}, nil
	case CancelProcurement:
		if err := procurementBasics(c.OCID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := s.requireStage(c.OCID, "be cancelled", ProcurementStagePlanned, ProcurementStageTender, ProcurementStageAwarded, ProcurementStageContract); err != nil {
			return nil, err
		}
		return []Payload{ProcurementCancelled{Reason: c.Reason}}, nil
	case CompleteProcurement:
		if err := procurementBasics(c.OCID, c.At); err != nil {
			return nil, err
		}
		if err := s.requireStage(c.OCID, "be completed", ProcurementStageContract); err != nil {
			return nil, err
		}
		return []Payload{ProcurementCompleted{}}, nil
	}
	return nil, Invalidf("command %T is not a procurement command", c)
}

func decidePlanProcurement(s ProcurementState, c PlanProcurement, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateText("title", c.Title, MaxTitleRunes); err != nil {
		return nil, err
	}
	if err := ValidateLongText("description", c.Description, MaxTextRunes); err != nil {
		return nil, err
	}
	if err := ValidateID("buyer body id", c.BuyerBodyID); err != nil {
		return nil, err
	}
	if c.Department != "" {
		if err := ValidateID("department", c.Department); err != nil {
			return nil, err
		}
	}
	if err := c.Budget.Validate(); err != nil {
		return nil, err
	}
	if c.Budget.Cents == 0 {
		return nil, Invalidf("the budget is zero")
	}
	if len(c.CPV) == 0 {
		return nil, Invalidf("a procurement needs at least one CPV code")
	}
	seen := map[string]bool{}
	for _, code := range c.CPV {
		if err := ValidateCPV(code); err != nil {
			return nil, err
		}
		if seen[code] {
			return nil, Invalidf("CPV code %s is listed twice", code)
		}
		seen[code] = true
	}
	if c.Procedure == "" && !c.Method.valid() {
		return nil, Invalidf("procurement method %q: want open, selective, limited or direct", c.Method)
	}
	for _, d := range c.DecisionIDs {
		if err := ValidateID("decision id", d); err != nil {
			return nil, err
		}
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "procurement %s already exists", c.OCID)
	}
	var buyer BodyState // an imported record's buyer: the law's default settings
	var err error
	if _, imported := importedOf(f); !imported {
		if buyer, err = bodyFact(f, c.BuyerBodyID); err != nil {
			return nil, err
		}
		for _, d := range c.DecisionIDs {
			if err := decisionInForce(f, d); err != nil {
				return nil, err
			}
		}
	}
	e := ProcurementPlanned{OCID: c.OCID, Title: c.Title, Description: c.Description, BuyerBodyID: c.BuyerBodyID,
		Department: c.Department, Budget: c.Budget, CPV: c.CPV, Method: c.Method, DecisionIDs: c.DecisionIDs}
	if c.Procedure != "" {
		if e.Law, e.BudgetWithVAT, err = planUnderLaw(c, buyer); err != nil {
			return nil, err
		}
		e.Method, e.ADAM = c.Procedure.Method(), c.ADAM
	} else if c.Category != "" || c.VATRate != 0 || c.ADAM != "" {
		return nil, Invalidf("a category, VAT rate or ΑΔΑΜ goes with a procedure of ν. 4412/2016")
	}
	return []Payload{e}, nil
}

func decideAmendTender(s ProcurementState, c AmendTender, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := decisionRef(f, c.DecisionID); err != nil {
		return nil, err
	}
	if c.Ceiling == (Money{}) && c.Deadline.IsZero() {
		return nil, Invalidf("a tender amendment needs a new ceiling or a new deadline")
	}
	if !c.Deadline.IsZero() && !c.Deadline.After(c.At) {
		return nil, Invalidf("the new deadline must come after the amendment")
	}
	if err := s.requireStage(c.OCID, "amend its tender", ProcurementStageTender); err != nil {
		return nil, err
	}
	if err := decisionCited(f, c.DecisionID); err != nil {
		return nil, err
	}
	e := ProcurementTenderAmended{Ceiling: s.Ceiling, Deadline: s.Deadline, Reason: c.Reason, DecisionID: c.DecisionID}
	if c.Ceiling != (Money{}) {
		if err := s.amount("tender ceiling", c.Ceiling); err != nil {
			return nil, err
		}
		if c.Ceiling.Cents <= s.Ceiling.Cents {
			return nil, Errorf(CodeConflict, "procurement %s: the new ceiling %s does not raise the current %s", c.OCID, c.Ceiling, s.Ceiling)
		}
		e.Ceiling = c.Ceiling
	}
	if !c.Deadline.IsZero() {
		e.Deadline = c.Deadline.UTC()
	}
	return []Payload{e}, nil
}

func decideRecordBid(s ProcurementState, c RecordBid, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("bid id", c.BidID); err != nil {
		return nil, err
	}
	vat, err := NormalizeVATID(c.SupplierID)
	if err != nil {
		return nil, err
	}
	if err := s.requireStage(c.OCID, "receive bids", ProcurementStageTender); err != nil {
		return nil, err
	}
	if err := s.amount("bid", c.Value); err != nil {
		return nil, err
	}
	if !c.At.Before(s.Deadline) {
		return nil, Errorf(CodeConflict, "procurement %s: the deadline for bids passed at %s", c.OCID, s.Deadline.Format(time.RFC3339))
	}
	if _, dup := s.Bids[c.BidID]; dup {
		return nil, Errorf(CodeConflict, "procurement %s: bid %s is already recorded", c.OCID, c.BidID)
	}
	if err := registeredSupplier(f, vat); err != nil {
		return nil, err
	}
	if !s.PeriodStart.IsZero() && c.At.Before(s.PeriodStart) {
		return nil, Errorf(CodeConflict, "procurement %s: bids are received from %s", c.OCID, s.PeriodStart.Format(time.RFC3339))
	}
	if err := s.requireLot("the bid", c.LotID); err != nil {
		return nil, err
	}
	return []Payload{ProcurementBidReceived{BidID: c.BidID, SupplierID: vat, Value: c.Value, ReceivedAt: c.At.UTC(), Status: BidValid, LotID: c.LotID}}, nil
}

func decideAwardProcurement(s ProcurementState, c AwardProcurement, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	vat, err := NormalizeVATID(c.SupplierID)
	if err != nil {
		return nil, err
	}
	if err := decisionRef(f, c.DecisionID); err != nil {
		return nil, err
	}
	if err := optionalADAM(c.ADAM, ADAMAward); err != nil {
		return nil, err
	}
	if err := s.requireStage(c.OCID, "be awarded", ProcurementStageTender); err != nil {
		return nil, err
	}
	if err := s.requireLot("the award", c.LotID); err != nil {
		return nil, err
	}
	if id, ok := s.activeAward(c.LotID); ok && len(s.Lots) > 0 {
		return nil, Errorf(CodeConflict, "procurement %s: lot %s is already awarded (award %s)", c.OCID, c.LotID, id)
	}
	if err := s.amount("award", c.Value); err != nil {
		return nil, err
	}
	if c.At.Before(s.Deadline) {
		return nil, Errorf(CodeConflict, "procurement %s: bids are open until %s; award after the deadline", c.OCID, s.Deadline.Format(time.RFC3339))
	}
	if err := registeredSupplier(f, vat); err != nil {
		return nil, err
	}
	var best Money
	bid := false
	for _, b := range s.Bids {
		if b.SupplierID == vat && b.Status == BidValid && b.LotID == c.LotID {
			bid = true
			best.Cents = max(best.Cents, b.Value.Cents)
		}
	}
	_, imported := importedOf(f)
	if !bid && !imported {
		return nil, Errorf(CodeConflict, "procurement %s: supplier %s has no valid bid", c.OCID, vat)
	}
	if bid && c.Value.Cents > best.Cents {
		return nil, Errorf(CodeConflict, "procurement %s: the award %s exceeds supplier %s's bid", c.OCID, c.Value, vat)
	}
	if c.Value.Cents > s.Ceiling.Cents-s.Awarded.Cents {
		return nil, Errorf(CodeConflict, "procurement %s: the award %s exceeds the tender ceiling %s; a tender amendment must raise it first", c.OCID, c.Value, s.Ceiling)
	}
	if l, ok := s.lot(c.LotID); ok && c.Value.Cents > l.Value.Cents {
		return nil, Errorf(CodeConflict, "procurement %s: the award %s exceeds lot %s's value %s", c.OCID, c.Value, l.ID, l.Value)
	}
	withVAT := s.withVAT(c.Value)
	if err := s.awardUnderLaw(c, vat, withVAT); err != nil {
		return nil, err
	}
	if err := decisionCited(f, c.DecisionID); err != nil {
		return nil, err
	}
	awardID := c.AwardID
	if awardID == "" {
		awardID = FirstAwardID
	}
	if err := ValidateID("award id", awardID); err != nil {
		return nil, err
	}
	if _, dup := s.Awards[awardID]; dup {
		return nil, Errorf(CodeConflict, "procurement %s: award %s is already recorded", c.OCID, awardID)
	}
	return []Payload{ProcurementAwarded{AwardID: awardID, SupplierID: vat, Value: c.Value, DecisionID: c.DecisionID,
		LotID: c.LotID, ValueWithVAT: withVAT, ADAM: c.ADAM}}, nil
}

func decideAmendContract(s ProcurementState, c AmendContract, f Facts) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := decisionRef(f, c.DecisionID); err != nil {
		return nil, err
	}
	if c.NewValue == nil && c.NewPeriod == nil {
		return nil, Invalidf("a contract amendment needs a new value or a new period")
	}
	if c.NewPeriod != nil {
		if err := c.NewPeriod.validate(); err != nil {
			return nil, err
		}
	}
	if err := s.requireStage(c.OCID, "amend its contract", ProcurementStageContract); err != nil {
		return nil, err
	}
	id, ct, err := s.contract(c.ContractID)
	if err != nil {
		return nil, err
	}
	if err := decisionCited(f, c.DecisionID); err != nil {
		return nil, err
	}
	e := ProcurementContractAmended{Value: ct.Value, Period: ct.Period, Reason: c.Reason, DecisionID: c.DecisionID, ContractID: id}
	if c.NewValue != nil {
		if err := s.amount("contract value", *c.NewValue); err != nil {
			return nil, err
		}
		if c.NewValue.Cents < ct.Paid.Cents {
			return nil, Errorf(CodeConflict, "procurement %s: the new value %s of contract %s is below the %s already paid", c.OCID, *c.NewValue, id, ct.Paid)
		}
		if err := s.modificationUnderLaw(c.OCID, id, ct, *c.NewValue); err != nil {
			return nil, err
		}
		e.Value = *c.NewValue
	}
	e.ValueWithVAT = s.withVAT(e.Value)
	if c.NewPeriod != nil {
		e.Period = ContractPeriod{Start: c.NewPeriod.Start.UTC(), End: c.NewPeriod.End.UTC()}
	}
	return []Payload{e}, nil
}

// decisionInForce refuses a reference to a decision that was never
// adopted (not found). A decision revoked or annulled later stays what the
// step rested on when it was taken, so it is not refused here.
func decisionInForce(f Facts, id string) error {
	_, err := decisionFact(f, id)
	return err
}

// decisionRef checks the id of the decision a step rests on: an id, or,
// for an imported record, possibly none.
func decisionRef(f Facts, id string) error {
	if _, imported := importedOf(f); imported && id == "" {
		return nil
	}
	return ValidateID("decision id", id)
}

// decisionCited refuses a step resting on a decision never adopted,
// unless the step is imported (the decision may not have been).
func decisionCited(f Facts, id string) error {
	if _, imported := importedOf(f); imported {
		return nil
	}
	return decisionInForce(f, id)
}

func procurementBasics(ocid string, at time.Time) error {
	if err := ValidateOCID(ocid); err != nil {
		return err
	}
	return needTime(at)
}

// awardToContract returns the award a new contract carries out: id, or
// when id is empty the one active award without a contract.
func (s ProcurementState) awardToContract(id string) (string, ProcurementAward, error) {
	contracted := map[string]bool{}
	for _, ct := range s.Contracts {
		if ct.AwardID == "" { // the one contract of a process, before awards had their own
			return "", ProcurementAward{}, Errorf(CodeConflict, "procurement %s has its contract", s.OCID)
		}
		contracted[ct.AwardID] = true
	}
	if id != "" {
		a, ok := s.Awards[id]
		switch {
		case !ok:
			return "", ProcurementAward{}, Errorf(CodeNotFound, "procurement %s has no award %s", s.OCID, id)
		case a.Status != AwardActive:
			return "", ProcurementAward{}, Errorf(CodeConflict, "procurement %s: award %s is %s", s.OCID, id, a.Status)
		case contracted[id]:
			return "", ProcurementAward{}, Errorf(CodeConflict, "procurement %s: award %s already has its contract", s.OCID, id)
		}
		return id, a, nil
	}
	var open []string
	for _, aid := range slices.Sorted(maps.Keys(s.Awards)) {
		if s.Awards[aid].Status == AwardActive && !contracted[aid] {
			open = append(open, aid)
		}
	}
	switch len(open) {
	case 0:
		return "", ProcurementAward{}, Errorf(CodeConflict, "procurement %s: every award has its contract", s.OCID)
	case 1:
		return open[0], s.Awards[open[0]], nil
	}
	return "", ProcurementAward{}, Invalidf("procurement %s has %d awards without a contract (%s): name the award the contract carries out",
		s.OCID, len(open), strings.Join(open, ", "))
}

// contract returns contract id of the process, or when id is empty its
// one contract.
func (s ProcurementState) contract(id string) (string, ProcurementContract, error) {
	if id == "" {
		switch len(s.Contracts) {
		case 0:
			return "", ProcurementContract{}, Errorf(CodeConflict, "procurement %s has no contract signed", s.OCID)
		case 1:
		default:
			return "", ProcurementContract{}, Invalidf("procurement %s has %d contracts (%s): name the contract",
				s.OCID, len(s.Contracts), strings.Join(slices.Sorted(maps.Keys(s.Contracts)), ", "))
		}
		for id, ct := range s.Contracts {
			return id, ct, nil
		}
	}
	if err := ValidateID("contract id", id); err != nil {
		return "", ProcurementContract{}, err
	}
	ct, ok := s.Contracts[id]
	if !ok {
		return "", ProcurementContract{}, Errorf(CodeNotFound, "procurement %s has no contract %s", s.OCID, id)
	}
	return id, ct, nil
}

// contractOf is the contract an event names: id, or when it names none
// (recorded before a process could have several) the process's one.
func (s ProcurementState) contractOf(id string) string {
	if id != "" || len(s.Contracts) != 1 {
		return id
	}
	for id := range s.Contracts {
		return id
	}
	return ""
}

// requireStage refuses a step unless the process stands at one of stages:
// not found before it is planned, conflict otherwise.
func (s ProcurementState) requireStage(ocid, what string, stages ...ProcurementStage) error {
	if !s.Exists() {
		return Errorf(CodeNotFound, "procurement %s does not exist", ocid)
	}
	for _, st := range stages {
		if s.Stage == st {
			return nil
		}
	}
	return Errorf(CodeConflict, "procurement %s is at stage %s and cannot %s", ocid, s.Stage, what)
}

// amount checks a positive amount in the process's currency.
func (s ProcurementState) amount(what string, m Money) error {
	if err := m.Validate(); err != nil {
		return Invalidf("%s: %v", what, err)
	}
	if m.Cents == 0 {
		return Invalidf("%s is zero", what)
	}
	if m.Currency != s.Budget.Currency {
		return Invalidf("%s is in %s but procurement %s is in %s", what, m.Currency, s.OCID, s.Budget.Currency)
	}
	return nil
}

func (p ContractPeriod) validate() error {
	if p.Start.IsZero() || !p.End.After(p.Start) {
		return Invalidf("contract period: want a start and an end after it")
	}
	return nil
}

func registeredSupplier(f Facts, vat string) error {
	if s, ok := FactOf[SupplierState](f, SupplierStream(vat)); !ok || !s.Exists {
		return Errorf(CodeNotFound, "supplier %s is not registered", vat)
	}
	return nil
}
