package events

import (
	"maps"
	"time"
)

// A procurement is one contracting process, named by its OCDS ocid, from
// the plan to the last payment: what the municipality buys, from whom, for
// how much, and whether it paid more than it agreed. Its events map onto
// the OCDS release stages (planning, tender, award, contract,
// implementation).

// ProcurementMethod is the OCDS procurement method.
type ProcurementMethod string

const (
	ProcurementOpen      ProcurementMethod = "open"
	ProcurementSelective ProcurementMethod = "selective"
	ProcurementLimited   ProcurementMethod = "limited"
	ProcurementDirect    ProcurementMethod = "direct"
)

func (m ProcurementMethod) valid() bool {
	return m == ProcurementOpen || m == ProcurementSelective || m == ProcurementLimited || m == ProcurementDirect
}

// ContractPeriod is the span of a contract; End is after Start.
type ContractPeriod struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ProcurementPlanned records the plan: what is bought, by whom, with which
// budget and CPV codes, under which decisions.
type ProcurementPlanned struct {
	OCID        string            `json:"ocid"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	BuyerBodyID string            `json:"buyer_body_id"`
	Department  string            `json:"department,omitempty"`
	Budget      Money             `json:"budget"`
	CPV         []string          `json:"cpv"`
	Method      ProcurementMethod `json:"method"`
	DecisionIDs []string          `json:"decision_ids,omitempty"`
	// Schema 2: under ν. 4412/2016, the procedure, category, VAT rate and
	// thresholds (Law; nil for a process planned outside it), the budget
	// with VAT (Budget is net) and the ΚΗΜΔΗΣ ΑΔΑΜ of the request.
	Law           *ProcurementLaw `json:"law,omitempty"`
	BudgetWithVAT Money           `json:"budget_with_vat,omitzero"`
	ADAM          string          `json:"adam,omitempty"`
}

// ProcurementTenderPublished records the call for tenders: its procedure,
// the ceiling no award may exceed, the deadline for bids and the terms.
type ProcurementTenderPublished struct {
	Procedure string        `json:"procedure"`
	Ceiling   Money         `json:"ceiling"`
	Deadline  time.Time     `json:"deadline"`
	Documents []DocumentRef `json:"documents,omitempty"`
	// Schema 2: when bids may be submitted from (zero in schema 1, when
	// it was the publication) and what the tender buys, item by item.
	PeriodStart time.Time    `json:"period_start,omitzero"`
	Items       []TenderItem `json:"items"`
	// Schema 3: the lots awarded on their own (none: the tender is one)
	// and the notice's ΑΔΑΜ.
	Lots []Lot  `json:"lots"`
	ADAM string `json:"adam,omitempty"`
}

// ProcurementTenderAmended records a change to a published tender decided
// by the body: a raised ceiling and/or a new deadline.
type ProcurementTenderAmended struct {
	Ceiling    Money     `json:"ceiling"`
	Deadline   time.Time `json:"deadline"`
	Reason     string    `json:"reason"`
	DecisionID string    `json:"decision_id"`
}

// ProcurementBidReceived records a bid by a registered supplier.
type ProcurementBidReceived struct {
	BidID      string    `json:"bid_id"`
	SupplierID string    `json:"supplier_vat_id"`
	Value      Money     `json:"value"`
	ReceivedAt time.Time `json:"received_at"`
	Status     BidStatus `json:"status"` // schema 2; valid in schema 1
	LotID      string    `json:"lot_id"` // schema 3; empty: the whole tender
}

// ProcurementAwarded records the award to a supplier, by a decision.
type ProcurementAwarded struct {
	AwardID    string `json:"award_id"` // schema 2; FirstAwardID in schema 1
	SupplierID string `json:"supplier_vat_id"`
	Value      Money  `json:"value"`
	DecisionID string `json:"decision_id"`
	// Schema 3: the lot awarded (empty: the whole tender), the value with
	// VAT (Value is net) and the award's ΑΔΑΜ.
	LotID        string `json:"lot_id"`
	ValueWithVAT Money  `json:"value_with_vat,omitzero"`
	ADAM         string `json:"adam,omitempty"`
}

// ProcurementContractSigned records the contract with the awarded supplier.
type ProcurementContractSigned struct {
	ContractID string         `json:"contract_id"`
	Value      Money          `json:"value"`
	Period     ContractPeriod `json:"period"`
	Documents  []DocumentRef  `json:"documents,omitempty"`
	// Schema 2: the value with VAT (Value is net) and the contract's ΑΔΑΜ.
	ValueWithVAT Money  `json:"value_with_vat,omitzero"`
	ADAM         string `json:"adam,omitempty"`
	// Schema 3: the award the contract carries out, each award its own
	// contract; empty before it, when the process had one contract for
	// its awards.
	AwardID string `json:"award_id"`
}

// ProcurementContractAmended records a change of the contract's value or
// period, by a decision; Value and Period hold the contract after it.
type ProcurementContractAmended struct {
	Value      Money          `json:"value"`
	Period     ContractPeriod `json:"period"`
	Reason     string         `json:"reason"`
	DecisionID string         `json:"decision_id"`
	// Schema 2: the value with VAT.
	ValueWithVAT Money `json:"value_with_vat,omitzero"`
	// Schema 3: the contract amended; empty before it, when a process had
	// one contract.
	ContractID string `json:"contract_id"`
}

// ProcurementPaymentMade records a payment against an invoice.
type ProcurementPaymentMade struct {
	PaymentID  string `json:"payment_id"`
	Amount     Money  `json:"amount"`
	InvoiceRef string `json:"invoice_ref"`
	ADAM       string `json:"adam,omitempty"` // schema 2
	ContractID string `json:"contract_id"`    // schema 3; empty: the process's one contract
}

// ProcurementCancelled records that the process stopped before completion.
type ProcurementCancelled struct {
	Reason string `json:"reason"`
}

// ProcurementCompleted records that the contract was carried out in full.
type ProcurementCompleted struct{}

func (ProcurementPlanned) EventType() string         { return "procurement.planned" }
func (ProcurementTenderPublished) EventType() string { return "procurement.tender_published" }
func (ProcurementTenderAmended) EventType() string   { return "procurement.tender_amended" }
func (ProcurementBidReceived) EventType() string     { return "procurement.bid_received" }
func (ProcurementAwarded) EventType() string         { return "procurement.awarded" }
func (ProcurementContractSigned) EventType() string  { return "procurement.contract_signed" }
func (ProcurementContractAmended) EventType() string { return "procurement.contract_amended" }
func (ProcurementPaymentMade) EventType() string     { return "procurement.payment_made" }
func (ProcurementCancelled) EventType() string       { return "procurement.cancelled" }
func (ProcurementCompleted) EventType() string       { return "procurement.completed" }

func init() {
	Register[ProcurementPlanned]("procurement", 2, "A contracting process was planned: title, buyer, budget net and with VAT, CPV codes, method, decisions and, under ν. 4412/2016, its procedure, category and thresholds.")
	RegisterUpcaster("procurement.planned", 1, upcastAddFields("procurement.planned", map[string]any{}))
	Register[ProcurementTenderPublished]("procurement", 3, "The call for tenders was published with its procedure, ceiling, period, items, lots, terms and ΑΔΑΜ.")
	RegisterUpcaster("procurement.tender_published", 1, upcastAddFields("procurement.tender_published", map[string]any{"items": []any{}}))
	RegisterUpcaster("procurement.tender_published", 2, upcastAddFields("procurement.tender_published", map[string]any{"lots": []any{}}))
	Register[ProcurementTenderAmended]("procurement", 1, "A published tender's ceiling or deadline was changed by a decision.")
	Register[ProcurementBidReceived]("procurement", 3, "A registered supplier's bid, for the tender or one lot, arrived within the tender's period; it is valid until disqualified or withdrawn.")
	RegisterUpcaster("procurement.bid_received", 1, upcastAddFields("procurement.bid_received", map[string]any{"status": BidValid}))
	RegisterUpcaster("procurement.bid_received", 2, upcastAddFields("procurement.bid_received", map[string]any{"lot_id": ""}))
	Register[ProcurementAwarded]("procurement", 3, "The process or one lot was awarded, under an award id, to a supplier with a valid bid for a value (net and with VAT) within the ceiling, by a decision.")
	RegisterUpcaster("procurement.awarded", 1, upcastAddFields("procurement.awarded", map[string]any{"award_id": FirstAwardID}))
	RegisterUpcaster("procurement.awarded", 2, upcastAddFields("procurement.awarded", map[string]any{"lot_id": ""}))
	Register[ProcurementContractSigned]("procurement", 3, "The contract carrying out one award was signed with its supplier, with its value (net and with VAT), period and ΑΔΑΜ.")
	RegisterUpcaster("procurement.contract_signed", 1, upcastAddFields("procurement.contract_signed", map[string]any{}))
	RegisterUpcaster("procurement.contract_signed", 2, upcastAddFields("procurement.contract_signed", map[string]any{"award_id": ""}))
	Register[ProcurementContractAmended]("procurement", 3, "A contract's value (net and with VAT) or period was changed by a decision, with the reason.")
	RegisterUpcaster("procurement.contract_amended", 1, upcastAddFields("procurement.contract_amended", map[string]any{}))
	RegisterUpcaster("procurement.contract_amended", 2, upcastAddFields("procurement.contract_amended", map[string]any{"contract_id": ""}))
	Register[ProcurementPaymentMade]("procurement", 3, "A payment against an invoice was made under a contract, with its ΑΔΑΜ.")
	RegisterUpcaster("procurement.payment_made", 1, upcastAddFields("procurement.payment_made", map[string]any{}))
	RegisterUpcaster("procurement.payment_made", 2, upcastAddFields("procurement.payment_made", map[string]any{"contract_id": ""}))
	Register[ProcurementCancelled]("procurement", 1, "The process was cancelled before completion, with the reason.")
	Register[ProcurementCompleted]("procurement", 1, "The contract was carried out and the process closed.")
	RegisterDecider(ProcurementDecider)
}

// PlanProcurement starts a contracting process. Every amount of the
// process must be in the budget's currency.
type PlanProcurement struct {
	OCID        string
	Title       string
	Description string
	BuyerBodyID string
	Department  string
	Budget      Money
	CPV         []string
	Method      ProcurementMethod
	DecisionIDs []string
	// Procedure plans the process under ν. 4412/2016 (Method then follows
	// from it); Category and VATRate (basis points, 2400 = 24%) go with
	// it, and Budget is net of VAT. ADAM is the request's ΑΔΑΜ.
	Procedure ProcedureType
	Category  ContractCategory
	VATRate   int
	ADAM      string
	At        time.Time
}

// PublishTender publishes the call for tenders of a planned process.
type PublishTender struct {
	OCID      string
	Procedure string
	Ceiling   Money
	Deadline  time.Time
	Documents []DocumentRef
	// PeriodStart is when bids may be submitted from; zero means At.
	PeriodStart time.Time
	// Items are what the tender buys; their total may not exceed Ceiling.
	Items []TenderItem
	// Lots are awarded on their own; their values together may not
	// exceed Ceiling. ADAM is the notice's ΑΔΑΜ.
	Lots []Lot
	ADAM string
	At   time.Time
}

// AmendTender raises a published tender's ceiling and/or moves its
// deadline, by decision DecisionID. A zero Ceiling or Deadline keeps the
// current one.
type AmendTender struct {
	OCID       string
	Ceiling    Money
	Deadline   time.Time
	Reason     string
	DecisionID string
	At         time.Time
}

// RecordBid records a bid received before the tender's deadline; the
// supplier must be registered.
type RecordBid struct {
	OCID       string
	BidID      string
	SupplierID string // VAT id
	Value      Money
	LotID      string // required when the tender has lots
	At         time.Time
}

// AwardProcurement awards the process to a supplier that bid, for at most
// the tender's ceiling, by decision DecisionID.
type AwardProcurement struct {
	OCID       string
	AwardID    string // zero means FirstAwardID
	SupplierID string // VAT id
	Value      Money
	DecisionID string
	LotID      string // required when the tender has lots
	ADAM       string
	At         time.Time
}

// SignContract records the contract carrying out award AwardID, with its
// supplier, for at most the awarded value. AwardID may be left out when
// one award is without a contract.
type SignContract struct {
	OCID       string
	ContractID string
	AwardID    string
	Value      Money
	Period     ContractPeriod
	Documents  []DocumentRef
	ADAM       string
	At         time.Time
}

// AmendContract changes contract ContractID's value and/or period, by
// decision DecisionID. A nil NewValue or NewPeriod keeps the current one.
// ContractID may be left out when the process has one contract.
type AmendContract struct {
	OCID       string
	ContractID string
	NewValue   *Money
	NewPeriod  *ContractPeriod
	Reason     string
	DecisionID string
	At         time.Time
}

// RecordPayment records a payment under contract ContractID (which may be
// left out when the process has one); all payments under a contract
// together may not exceed its value.
type RecordPayment struct {
	OCID       string
	ContractID string
	PaymentID  string
	Amount     Money
	InvoiceRef string
	ADAM       string
	At         time.Time
}

// CancelProcurement stops a process that has not completed.
type CancelProcurement struct {
	OCID   string
	Reason string
	At     time.Time
}

// CompleteProcurement closes a process whose contract was carried out.
type CompleteProcurement struct {
	OCID string
	At   time.Time
}

// ProcurementStream returns the stream of the process ocid.
func ProcurementStream(ocid string) string { return StreamName("procurement", ocid) }

func (c PlanProcurement) Stream() string     { return ProcurementStream(c.OCID) }
func (c PublishTender) Stream() string       { return ProcurementStream(c.OCID) }
func (c AmendTender) Stream() string         { return ProcurementStream(c.OCID) }
func (c RecordBid) Stream() string           { return ProcurementStream(c.OCID) }
func (c AwardProcurement) Stream() string    { return ProcurementStream(c.OCID) }
func (c SignContract) Stream() string        { return ProcurementStream(c.OCID) }
func (c AmendContract) Stream() string       { return ProcurementStream(c.OCID) }
func (c RecordPayment) Stream() string       { return ProcurementStream(c.OCID) }
func (c CancelProcurement) Stream() string   { return ProcurementStream(c.OCID) }
func (c CompleteProcurement) Stream() string { return ProcurementStream(c.OCID) }

func (c PlanProcurement) OccurredAt() time.Time     { return c.At }
func (c PublishTender) OccurredAt() time.Time       { return c.At }
func (c AmendTender) OccurredAt() time.Time         { return c.At }
func (c RecordBid) OccurredAt() time.Time           { return c.At }
func (c AwardProcurement) OccurredAt() time.Time    { return c.At }
func (c SignContract) OccurredAt() time.Time        { return c.At }
func (c AmendContract) OccurredAt() time.Time       { return c.At }
func (c RecordPayment) OccurredAt() time.Time       { return c.At }
func (c CancelProcurement) OccurredAt() time.Time   { return c.At }
func (c CompleteProcurement) OccurredAt() time.Time { return c.At }

// Needs names the supplier's stream: only a registered supplier may bid.
func (c RecordBid) Needs() []string { return []string{SupplierStream(c.SupplierID)} }

// Needs names the supplier's stream (only a registered supplier may win)
// and the awarding decision's.
func (c AwardProcurement) Needs() []string {
	return append([]string{SupplierStream(c.SupplierID)}, decisionNeeds(c.DecisionID)...)
}

// decisionNeeds is the stream of the decision a step rests on, none for an
// imported step that names none.
func decisionNeeds(id string) []string {
	if id == "" {
		return nil
	}
	return []string{decisionStream(id)}
}

// Needs names the buyer body and the decisions cited: each must exist.
func (c PlanProcurement) Needs() []string {
	needs := []string{StreamName("body", c.BuyerBodyID)}
	for _, d := range c.DecisionIDs {
		needs = append(needs, decisionStream(d))
	}
	return needs
}

// Needs names the decision that amends the tender.
func (c AmendTender) Needs() []string { return decisionNeeds(c.DecisionID) }

// Needs names the decision that amends the contract.
func (c AmendContract) Needs() []string { return decisionNeeds(c.DecisionID) }

// ProcurementStage is where a process stands; stages run in the order
// declared.
type ProcurementStage string

const (
	ProcurementStageNone      ProcurementStage = ""
	ProcurementStagePlanned   ProcurementStage = "planned"
	ProcurementStageTender    ProcurementStage = "tender"
	ProcurementStageAwarded   ProcurementStage = "awarded"
	ProcurementStageContract  ProcurementStage = "contract"
	ProcurementStageCompleted ProcurementStage = "completed"
	ProcurementStageCancelled ProcurementStage = "cancelled"
)

// Final reports whether nothing more can happen to the process.
func (s ProcurementStage) Final() bool {
	return s == ProcurementStageCompleted || s == ProcurementStageCancelled
}

// ProcurementBid is a bid as recorded.
type ProcurementBid struct {
	SupplierID string
	Value      Money
	Status     BidStatus
	LotID      string
}

// ProcurementState is a contracting process as its stream tells it.
type ProcurementState struct {
	OCID     string
	Stage    ProcurementStage
	Title    string
	Method   ProcurementMethod
	Budget   Money
	Ceiling  Money
	Deadline time.Time
	// PeriodStart is when bids may arrive from; zero for a tender
	// recorded at schema 1.
	PeriodStart time.Time
	Bids        map[string]ProcurementBid // by bid id
	AwardID     string
	Supplier    string // the awarded supplier's VAT id
	Awarded     Money
	ContractID  string // the latest contract signed
	Contract    Money  // the contracts' current value together
	Paid        Money
	Payments    map[string]Money // by payment id
	Contracts   map[string]ProcurementContract
	// Under ν. 4412/2016 (Law nil outside it):
	Law         *ProcurementLaw
	Lots        []Lot
	Awards      map[string]ProcurementAward // by award id
	Commitments map[string]Money            // by commitment id, with VAT
	Committed   Money
	Evaluations map[string]ProcurementEvaluation
	Appeals     map[string]ProcurementAppeal
}

// ProcurementContract is a contract as recorded: the award it carries out
// (empty for the one contract of a process recorded before each award had
// its own), its value now and when signed, its period and what was paid
// under it.
type ProcurementContract struct {
	AwardID  string
	Value    Money
	Original Money
	Period   ContractPeriod
	Paid     Money
}

// Exists reports whether the process was planned.
func (s ProcurementState) Exists() bool { return s.Stage != ProcurementStageNone }

func evolveProcurement(s ProcurementState, p Payload) ProcurementState {
	switch e := p.(type) {
	case ProcurementPlanned:
		return ProcurementState{OCID: e.OCID, Stage: ProcurementStagePlanned, Title: e.Title, Method: e.Method, Budget: e.Budget,
			Paid: Money{Currency: e.Budget.Currency}, Law: e.Law}
	case ProcurementTenderPublished:
		s.Stage, s.Ceiling, s.Deadline, s.PeriodStart = ProcurementStageTender, e.Ceiling, e.Deadline, e.PeriodStart
		s.Lots = e.Lots
	case ProcurementTenderAmended:
		s.Ceiling, s.Deadline = e.Ceiling, e.Deadline
	case ProcurementBidReceived:
		s.Bids = maps.Clone(s.Bids)
		if s.Bids == nil {
			s.Bids = map[string]ProcurementBid{}
		}
		s.Bids[e.BidID] = ProcurementBid{SupplierID: e.SupplierID, Value: e.Value, Status: e.Status, LotID: e.LotID}
	case ProcurementBidStatusChanged:
		b, ok := s.Bids[e.BidID]
		if !ok {
			break // a change of an unknown bid changes nothing
		}
		s.Bids = maps.Clone(s.Bids)
		b.Status = e.Status
		s.Bids[e.BidID] = b
	case ProcurementAwarded:
		s.Awards = cloneOrMake(s.Awards)
		s.Awards[e.AwardID] = ProcurementAward{LotID: e.LotID, Supplier: e.SupplierID, Value: e.Value, WithVAT: e.ValueWithVAT, Status: AwardActive}
		s.Supplier, s.AwardID = e.SupplierID, e.AwardID
		s.Awarded = Money{Cents: s.Awarded.Cents + e.Value.Cents, Currency: e.Value.Currency}
		if s.lotsAwarded() {
			s.Stage = ProcurementStageAwarded
		}
	case ProcurementContractSigned:
		s.Stage, s.ContractID = ProcurementStageContract, e.ContractID
		s.Contracts = cloneOrMake(s.Contracts)
		s.Contracts[e.ContractID] = ProcurementContract{AwardID: e.AwardID, Value: e.Value, Original: e.Value, Period: e.Period,
			Paid: Money{Currency: e.Value.Currency}}
		s.Contract = Money{Cents: s.Contract.Cents + e.Value.Cents, Currency: e.Value.Currency}
	case ProcurementContractAmended:
		id := s.contractOf(e.ContractID)
		c, ok := s.Contracts[id]
		if !ok {
			break // an amendment of no contract changes nothing
		}
		s.Contracts = maps.Clone(s.Contracts)
		s.Contract.Cents += e.Value.Cents - c.Value.Cents
		c.Value, c.Period = e.Value, e.Period
		s.Contracts[id] = c
	case ProcurementPaymentMade:
		s.Payments = maps.Clone(s.Payments)
		if s.Payments == nil {
			s.Payments = map[string]Money{}
		}
		s.Payments[e.PaymentID] = e.Amount
		s.Paid.Cents += e.Amount.Cents
		if id := s.contractOf(e.ContractID); id != "" {
			if c, ok := s.Contracts[id]; ok {
				s.Contracts = maps.Clone(s.Contracts)
				c.Paid.Cents += e.Amount.Cents
				s.Contracts[id] = c
			}
		}
	case ProcurementCancelled:
		s.Stage = ProcurementStageCancelled
	case ProcurementCompleted:
		s.Stage = ProcurementStageCompleted
	default:
		return evolveProcurementLaw(s, p)
	}
	return s
}
