package readmodel

import (
	"context"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Supplier is a registered supplier: a legal entity, public in procurement.
type Supplier struct {
	VATID        string    `json:"vat_id"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	Locality     string    `json:"locality"`
	Municipality string    `json:"municipality"`
	Country      string    `json:"country"`
	RegisteredAt time.Time `json:"registered_at"`
}

// SupplierFilter selects suppliers; empty fields select all. VATID keeps
// the suppliers whose VAT id starts with it (a whole VAT id keeps one).
// Name keeps those whose name starts with it, in any case and with or
// without accents (both folded by FoldText: "αγροτικος συν" finds
// "Αγροτικός Συνεταιρισμός Αιγαίου"); they then come by folded name, then
// VAT id (a supplier renamed meanwhile moves across a cursor), otherwise
// by VAT id.
type SupplierFilter struct {
	Kind         string
	Municipality string
	VATID        string
	Name         string
	Page
}

const supplierSelect = `vat_id, name, kind, locality, municipality, country, coalesce(registered_at, '')`

func scanSupplier(s scanner) (Supplier, error) {
	var su Supplier
	var at string
	err := s.Scan(&su.VATID, &su.Name, &su.Kind, &su.Locality, &su.Municipality, &su.Country, &at)
	su.RegisteredAt = parseTime(at)
	return su, err
}

var supplierGet = getSpec[Supplier]{what: "supplier", columns: supplierSelect, from: "suppliers", key: []string{"vat_id"}, scan: scanSupplier}

// Supplier returns one supplier by VAT id, or a not_found error.
func (s *Snapshot) Supplier(ctx context.Context, vatID string) (Supplier, error) {
	return getOne(ctx, s, supplierGet, vatID)
}

// SuppliersByID returns the suppliers of vatIDs in one query: out[i] is
// vatIDs[i]'s, nil when there is none. More than MaxBatch ids is an
// invalid error.
func (s *Snapshot) SuppliersByID(ctx context.Context, vatIDs []string) ([]*Supplier, error) {
	return getBatch(ctx, s, supplierGet, idKeys(vatIDs))
}

// Suppliers returns the suppliers f selects. A bad page is an invalid
// error.
func (s *Snapshot) Suppliers(ctx context.Context, f SupplierFilter) (List[Supplier], error) {
	var q query
	q.eq("kind", f.Kind)
	q.eq("municipality", f.Municipality)
	q.prefix("vat_id", f.VATID)
	l := listSpec[Supplier]{name: "suppliers", columns: supplierSelect, from: "suppliers", key: []string{"vat_id"}, scan: scanSupplier}
	if name := FoldText(strings.TrimSpace(f.Name)); name != "" {
		// foldFunction(name) is the expression of the suppliers_name index.
		q.prefix(foldFunction+"(name)", name)
		l.name, l.key = "suppliers/name", []string{foldFunction + "(name)", "vat_id"}
	}
	return runList(ctx, s, l, q, f.Page)
}

// Procurement is one contracting process with its latest figures.
type Procurement struct {
	OCID            string        `json:"ocid"`
	Title           string        `json:"title"`
	Description     string        `json:"description"`
	BuyerBodyID     string        `json:"buyer_body_id"`
	Department      string        `json:"department,omitempty"`
	Method          string        `json:"method"`
	Status          string        `json:"status"`
	Budget          *events.Money `json:"budget,omitempty"`
	Procedure       string        `json:"procedure,omitempty"`
	Ceiling         *events.Money `json:"ceiling,omitempty"`
	Deadline        time.Time     `json:"deadline"`
	SupplierVATID   string        `json:"supplier_vat_id,omitempty"`
	Awarded         *events.Money `json:"awarded,omitempty"`
	AwardDecisionID string        `json:"award_decision_id,omitempty"`
	// The contracts together (one per award; see ProcurementContracts):
	// the first signed, their value, the span of their periods and how
	// many there are.
	ContractID        string        `json:"contract_id,omitempty"`
	ContractValue     *events.Money `json:"contract_value,omitempty"`
	ContractStart     time.Time     `json:"contract_start"`
	ContractEnd       time.Time     `json:"contract_end"`
	ContractCount     int           `json:"contracts"`
	Paid              events.Money  `json:"paid"`
	Bids              int           `json:"bids"`
	PlannedAt         time.Time     `json:"planned_at"`
	TenderPublishedAt time.Time     `json:"tender_published_at"`
	AwardedAt         time.Time     `json:"awarded_at"`
	SignedAt          time.Time     `json:"signed_at"`
	ClosedAt          time.Time     `json:"closed_at"`
	CancelledReason   string        `json:"cancelled_reason,omitempty"`
	CPV               []string      `json:"cpv"`
	// Under ν. 4412/2016 (empty for a process planned outside it): the
	// procedure and category, the VAT rate in basis points and amounts
	// with VAT (the others are net), the budget committed, lots and how
	// many are awarded, appeals pending, the thresholds recorded at
	// planning and the ΚΗΜΔΗΣ ΑΔΑΜ of each stage.
	ProcedureType            string        `json:"procedure_type,omitempty"`
	Category                 string        `json:"category,omitempty"`
	VATRate                  int           `json:"vat_rate_bp,omitempty"`
	BudgetWithVAT            *events.Money `json:"budget_with_vat,omitempty"`
	AwardedWithVAT           *events.Money `json:"awarded_with_vat,omitempty"`
	ContractWithVAT          *events.Money `json:"contract_with_vat,omitempty"`
	Committed                events.Money  `json:"committed"`
	Lots                     int           `json:"lots"`
	LotsAwarded              int           `json:"lots_awarded"`
	AppealsPending           int           `json:"appeals_pending"`
	DirectAwardLimit         *events.Money `json:"direct_award_limit,omitempty"`
	DirectAwardLimitBasis    string        `json:"direct_award_limit_basis,omitempty"`
	ModificationLimitPercent int           `json:"modification_limit_percent,omitempty"`
	ADAM                     string        `json:"adam,omitempty"`
	TenderADAM               string        `json:"tender_adam,omitempty"`
	AwardADAM                string        `json:"award_adam,omitempty"`
	ContractADAM             string        `json:"contract_adam,omitempty"`
	// Imported tells a process brought from another system by an import,
	// under the imported exception (docs/IMPORTS.md).
	Imported bool `json:"imported"`
}

// ProcurementFilter selects processes; empty fields select all. Value
// ranges are in cents: Budget on the planned budget, Awarded on the
// awarded value.
type ProcurementFilter struct {
	BuyerBodyID   string
	Status        string
	SupplierVATID string
	CPV           string // a CPV code, or a prefix of its digits such as "4523"
	Method        string
	ProcedureType string // a procedure of ν. 4412/2016, such as direct_award
	Planned       TimeRange
	Budget        MoneyRange
	Awarded       MoneyRange
	Page
}

const procurementSelect = `p.ocid, title, description, buyer_body_id, department, method, status, budget_cents, coalesce(budget_currency, ''),
	procedure, ceiling_cents, coalesce(ceiling_currency, ''), coalesce(deadline, ''), supplier_vat_id, awarded_cents, coalesce(awarded_currency, ''),
	award_decision_id, contract_id, contract_cents, coalesce(contract_currency, ''), coalesce(contract_start, ''), coalesce(contract_end, ''),
	paid_cents, bids, coalesce(planned_at, ''), coalesce(tender_published_at, ''), coalesce(awarded_at, ''), coalesce(signed_at, ''),
	coalesce(closed_at, ''), cancelled_reason, procedure_type, category, vat_rate_bp, budget_with_vat_cents, awarded_with_vat_cents,
	contract_with_vat_cents, committed_cents, lots, lots_awarded, appeals_pending, direct_award_limit_cents, direct_award_limit_basis,
	modification_limit_percent, adam, tender_adam, award_adam, contract_adam, contracts,
	imported,
	(SELECT group_concat(cpv, ' ') FROM (SELECT cpv FROM procurement_cpv c WHERE c.ocid = p.ocid ORDER BY seq))`

func scanProcurement(s scanner) (Procurement, error) {
	var p Procurement
	var budget, ceiling, awarded, contract, budgetVAT, awardedVAT, contractVAT, directLimit *int64
	var budgetCur, ceilingCur, awardedCur, contractCur string
	var deadline, cstart, cend, planned, published, awardedAt, signed, closed string
	var cpv *string
	err := s.Scan(&p.OCID, &p.Title, &p.Description, &p.BuyerBodyID, &p.Department, &p.Method, &p.Status, &budget, &budgetCur,
		&p.Procedure, &ceiling, &ceilingCur, &deadline, &p.SupplierVATID, &awarded, &awardedCur,
		&p.AwardDecisionID, &p.ContractID, &contract, &contractCur, &cstart, &cend,
		&p.Paid.Cents, &p.Bids, &planned, &published, &awardedAt, &signed, &closed, &p.CancelledReason,
		&p.ProcedureType, &p.Category, &p.VATRate, &budgetVAT, &awardedVAT, &contractVAT, &p.Committed.Cents, &p.Lots, &p.LotsAwarded,
		&p.AppealsPending, &directLimit, &p.DirectAwardLimitBasis, &p.ModificationLimitPercent, &p.ADAM, &p.TenderADAM, &p.AwardADAM, &p.ContractADAM,
		&p.ContractCount, &p.Imported, &cpv)
	// Amounts with VAT and the thresholds are in the budget's currency.
	p.BudgetWithVAT, p.AwardedWithVAT, p.ContractWithVAT = moneyOf(budgetVAT, budgetCur), moneyOf(awardedVAT, budgetCur), moneyOf(contractVAT, budgetCur)
	p.DirectAwardLimit, p.Committed.Currency = moneyOf(directLimit, budgetCur), budgetCur
	p.Budget, p.Ceiling = moneyOf(budget, budgetCur), moneyOf(ceiling, ceilingCur)
	p.Awarded, p.ContractValue = moneyOf(awarded, awardedCur), moneyOf(contract, contractCur)
	p.setPaidCurrency()
	p.Deadline, p.ContractStart, p.ContractEnd = parseTime(deadline), parseTime(cstart), parseTime(cend)
	p.PlannedAt, p.TenderPublishedAt, p.AwardedAt = parseTime(planned), parseTime(published), parseTime(awardedAt)
	p.SignedAt, p.ClosedAt = parseTime(signed), parseTime(closed)
	p.CPV = []string{}
	if cpv != nil && *cpv != "" {
		p.CPV = strings.Fields(*cpv)
	}
	return p, err
}

// setPaidCurrency sets the currency of the sum paid: the contract's, or
// before a contract the budget's.
func (p *Procurement) setPaidCurrency() {
	p.Paid.Currency = ""
	if p.Budget != nil {
		p.Paid.Currency = p.Budget.Currency
	}
	if p.ContractValue != nil {
		p.Paid.Currency = p.ContractValue.Currency
	}
}

func moneyOf(cents *int64, currency string) *events.Money {
	if cents == nil {
		return nil
	}
	return &events.Money{Cents: *cents, Currency: currency}
}

var procurementGet = getSpec[Procurement]{what: "procurement", columns: procurementSelect, from: "procurements p", key: []string{"p.ocid"},
	scan: scanProcurement}

// Procurement returns one process, or a not_found error.
func (s *Snapshot) Procurement(ctx context.Context, ocid string) (Procurement, error) {
	return getOne(ctx, s, procurementGet, ocid)
}

// ProcurementsByID returns the processes of ocids in one query: out[i] is
// ocids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) ProcurementsByID(ctx context.Context, ocids []string) ([]*Procurement, error) {
	return getBatch(ctx, s, procurementGet, idKeys(ocids))
}

// Procurements returns the processes f selects: with CPV by ocid; else
// with a Budget range by budget, then ocid; else with an Awarded range by
// awarded value, then ocid; otherwise by planning time, then ocid (the
// order the filter's index keeps). A bad range, CPV or page is an invalid
// error.
func (s *Snapshot) Procurements(ctx context.Context, f ProcurementFilter) (List[Procurement], error) {
	if err := f.Planned.validate("procurements"); err != nil {
		return List[Procurement]{}, err
	}
	if err := f.Budget.validate("budget"); err != nil {
		return List[Procurement]{}, err
	}
	if err := f.Awarded.validate("awarded value"); err != nil {
		return List[Procurement]{}, err
	}
	var q query
	q.eq("buyer_body_id", f.BuyerBodyID)
	q.eq("status", f.Status)
	q.eq("supplier_vat_id", f.SupplierVATID)
	q.eq("method", f.Method)
	q.eq("procedure_type", f.ProcedureType)
	q.timeRange("planned_at", f.Planned)
	q.moneyRange("budget_cents", f.Budget)
	q.moneyRange("awarded_cents", f.Awarded)
	l := listSpec[Procurement]{name: "procurements", columns: procurementSelect, from: "procurements p", key: []string{"planned_at", "p.ocid"},
		scan: scanProcurement}
	switch {
	case f.CPV != "":
		prefix := strings.TrimRight(f.CPV, "*")
		for _, r := range prefix {
			if (r < '0' || r > '9') && r != '-' {
				return List[Procurement]{}, events.Invalidf("cpv %q: want digits of a CPV code such as 45233142-6 or a prefix such as 4523", truncate(f.CPV))
			}
		}
		q.where("p.ocid IN (SELECT ocid FROM procurement_cpv WHERE cpv >= ? AND cpv < ?)", prefix, prefix+"\x7f")
		l.name, l.key = "procurements/ocid", []string{"p.ocid"}
	case !f.Budget.isZero():
		l.name, l.key = "procurements/budget", []string{"budget_cents", "p.ocid"}
	case !f.Awarded.isZero():
		l.name, l.key = "procurements/awarded", []string{"awarded_cents", "p.ocid"}
	}
	return runList(ctx, s, l, q, f.Page)
}

// truncate shortens text a caller sent for an error message.
func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "…"
}

// Bid is a bid received in a procurement.
type Bid struct {
	OCID          string        `json:"ocid"`
	BidID         string        `json:"bid_id"`
	SupplierVATID string        `json:"supplier_vat_id"`
	Value         *events.Money `json:"value,omitempty"`
	ReceivedAt    time.Time     `json:"received_at"`
	LotID         string        `json:"lot_id,omitempty"`
	Status        string        `json:"status,omitempty"` // valid, disqualified or withdrawn; empty before it was recorded
	StatusReason  string        `json:"status_reason,omitempty"`
}

// BidFilter selects bids; one of OCID and SupplierVATID is needed.
type BidFilter struct {
	OCID          string
	SupplierVATID string
	Page
}

// Bids returns the bids of a process or of a supplier, by the time
// received, then process and bid id. A filter with neither, or a bad page,
// is an invalid error.
func (s *Snapshot) Bids(ctx context.Context, f BidFilter) (List[Bid], error) {
	var q query
	q.eq("ocid", f.OCID)
	q.eq("supplier_vat_id", f.SupplierVATID)
	if len(q.conds) == 0 {
		return List[Bid]{}, events.Invalidf("bids: give a procurement or a supplier")
	}
	return runList(ctx, s, listSpec[Bid]{name: "bids", columns: bidGet.columns, from: bidGet.from,
		key: []string{"received_at", "ocid", "bid_id"}, scan: bidGet.scan}, q, f.Page)
}

// BidKey identifies a bid: its process and its id there.
type BidKey struct {
	OCID  string
	BidID string
}

var bidGet = getSpec[Bid]{what: "bid",
	columns: `ocid, bid_id, supplier_vat_id, value_cents, coalesce(value_currency, ''), coalesce(received_at, ''), lot_id, status, status_reason`,
	from:    "bids", key: []string{"ocid", "bid_id"},
	scan: func(s scanner) (Bid, error) {
		var b Bid
		var cents *int64
		var cur, at string
		err := s.Scan(&b.OCID, &b.BidID, &b.SupplierVATID, &cents, &cur, &at, &b.LotID, &b.Status, &b.StatusReason)
		b.Value, b.ReceivedAt = moneyOf(cents, cur), parseTime(at)
		return b, err
	}}

// Bid returns one bid, or a not_found error.
func (s *Snapshot) Bid(ctx context.Context, k BidKey) (Bid, error) {
	return getOne(ctx, s, bidGet, k.OCID, k.BidID)
}

// BidsByKey returns the bids of keys in one query: out[i] is keys[i]'s,
// nil when there is none. More than MaxBatch keys is an invalid error.
func (s *Snapshot) BidsByKey(ctx context.Context, keys []BidKey) ([]*Bid, error) {
	ks := make([][]any, len(keys))
	for i, k := range keys {
		ks[i] = []any{k.OCID, k.BidID}
	}
	return getBatch(ctx, s, bidGet, ks)
}

// Payment is a payment made under a contract.
type Payment struct {
	OCID       string       `json:"ocid"`
	PaymentID  string       `json:"payment_id"`
	Amount     events.Money `json:"amount"`
	InvoiceRef string       `json:"invoice_ref"`
	PaidAt     time.Time    `json:"paid_at"`
	ContractID string       `json:"contract_id"` // the contract paid under
}

// PaymentFilter selects payments; empty fields select all.
type PaymentFilter struct {
	OCID string
	Paid TimeRange
	Page
}

// Payments returns payments in the order made, then by process and id. A
// bad range or page is an invalid error.
func (s *Snapshot) Payments(ctx context.Context, f PaymentFilter) (List[Payment], error) {
	if err := f.Paid.validate("payments"); err != nil {
		return List[Payment]{}, err
	}
	var q query
	q.eq("ocid", f.OCID)
	q.timeRange("paid_at", f.Paid)
	return runList(ctx, s, listSpec[Payment]{name: "payments", columns: paymentGet.columns, from: paymentGet.from,
		key: []string{"paid_at", "ocid", "payment_id"}, scan: paymentGet.scan}, q, f.Page)
}

// PaymentKey identifies a payment: its process and its id there.
type PaymentKey struct {
	OCID      string
	PaymentID string
}

var paymentGet = getSpec[Payment]{what: "payment",
	columns: `ocid, payment_id, amount_cents, amount_currency, invoice_ref, coalesce(paid_at, ''), contract_id`,
	from:    "payments", key: []string{"ocid", "payment_id"},
	scan: func(s scanner) (Payment, error) {
		var p Payment
		var at string
		err := s.Scan(&p.OCID, &p.PaymentID, &p.Amount.Cents, &p.Amount.Currency, &p.InvoiceRef, &at, &p.ContractID)
		p.PaidAt = parseTime(at)
		return p, err
	}}

// Payment returns one payment, or a not_found error.
func (s *Snapshot) Payment(ctx context.Context, k PaymentKey) (Payment, error) {
	return getOne(ctx, s, paymentGet, k.OCID, k.PaymentID)
}

// PaymentsByKey returns the payments of keys in one query: out[i] is
// keys[i]'s, nil when there is none. More than MaxBatch keys is an
// invalid error.
func (s *Snapshot) PaymentsByKey(ctx context.Context, keys []PaymentKey) ([]*Payment, error) {
	ks := make([][]any, len(keys))
	for i, k := range keys {
		ks[i] = []any{k.OCID, k.PaymentID}
	}
	return getBatch(ctx, s, paymentGet, ks)
}

// TenderAmendment is a change of a published tender's ceiling or deadline,
// by a decision. Seq numbers a process's tender amendments from 1.
type TenderAmendment struct {
	OCID       string        `json:"ocid"`
	Seq        int           `json:"seq"`
	Ceiling    *events.Money `json:"ceiling,omitempty"`
	Deadline   time.Time     `json:"deadline"`
	Reason     string        `json:"reason"`
	DecisionID string        `json:"decision_id"`
	AmendedAt  time.Time     `json:"amended_at"`
}

// ContractAmendment is a change of a signed contract's value or period,
// by a decision. Seq numbers a process's contract amendments from 1.
type ContractAmendment struct {
	OCID        string        `json:"ocid"`
	Seq         int           `json:"seq"`
	Value       *events.Money `json:"value,omitempty"`
	PeriodStart time.Time     `json:"period_start"`
	PeriodEnd   time.Time     `json:"period_end"`
	Reason      string        `json:"reason"`
	DecisionID  string        `json:"decision_id"`
	AmendedAt   time.Time     `json:"amended_at"`
	ContractID  string        `json:"contract_id"` // the contract amended
}

// ProcurementAmendmentKey identifies a tender or contract amendment.
type ProcurementAmendmentKey struct {
	OCID string
	Seq  int
}

// ProcurementAmendmentFilter selects the tender or contract amendments of
// one process, or of all when OCID is empty.
type ProcurementAmendmentFilter struct {
	OCID string
	Page
}

func amendmentKeys(keys []ProcurementAmendmentKey) [][]any {
	out := make([][]any, len(keys))
	for i, k := range keys {
		out[i] = []any{k.OCID, k.Seq}
	}
	return out
}

var tenderAmendmentGet = getSpec[TenderAmendment]{what: "tender amendment",
	columns: `ocid, seq, ceiling_cents, coalesce(ceiling_currency, ''), coalesce(deadline, ''), reason, decision_id, coalesce(amended_at, '')`,
	from:    "tender_amendments", key: []string{"ocid", "seq"},
	scan: func(s scanner) (TenderAmendment, error) {
		var a TenderAmendment
		var cents *int64
		var cur, deadline, at string
		err := s.Scan(&a.OCID, &a.Seq, &cents, &cur, &deadline, &a.Reason, &a.DecisionID, &at)
		a.Ceiling, a.Deadline, a.AmendedAt = moneyOf(cents, cur), parseTime(deadline), parseTime(at)
		return a, err
	}}

// TenderAmendment returns one tender amendment, or a not_found error.
func (s *Snapshot) TenderAmendment(ctx context.Context, k ProcurementAmendmentKey) (TenderAmendment, error) {
	return getOne(ctx, s, tenderAmendmentGet, k.OCID, k.Seq)
}

// TenderAmendmentsByKey returns the tender amendments of keys in one
// query: out[i] is keys[i]'s, nil when there is none. More than MaxBatch
// keys is an invalid error.
func (s *Snapshot) TenderAmendmentsByKey(ctx context.Context, keys []ProcurementAmendmentKey) ([]*TenderAmendment, error) {
	return getBatch(ctx, s, tenderAmendmentGet, amendmentKeys(keys))
}

// TenderAmendments returns tender amendments by process, then in order. A
// bad page is an invalid error.
func (s *Snapshot) TenderAmendments(ctx context.Context, f ProcurementAmendmentFilter) (List[TenderAmendment], error) {
	var q query
	q.eq("ocid", f.OCID)
	g := tenderAmendmentGet
	return runList(ctx, s, listSpec[TenderAmendment]{name: "tender_amendments", columns: g.columns, from: g.from, key: g.key, scan: g.scan},
		q, f.Page)
}

var contractAmendmentGet = getSpec[ContractAmendment]{what: "contract amendment",
	columns: `ocid, seq, value_cents, coalesce(value_currency, ''), coalesce(period_start, ''), coalesce(period_end, ''), reason,
		decision_id, coalesce(amended_at, ''), contract_id`,
	from: "contract_amendments", key: []string{"ocid", "seq"},
	scan: func(s scanner) (ContractAmendment, error) {
		var a ContractAmendment
		var cents *int64
		var cur, start, end, at string
		err := s.Scan(&a.OCID, &a.Seq, &cents, &cur, &start, &end, &a.Reason, &a.DecisionID, &at, &a.ContractID)
		a.Value, a.PeriodStart, a.PeriodEnd, a.AmendedAt = moneyOf(cents, cur), parseTime(start), parseTime(end), parseTime(at)
		return a, err
	}}

// ContractAmendment returns one contract amendment, or a not_found error.
func (s *Snapshot) ContractAmendment(ctx context.Context, k ProcurementAmendmentKey) (ContractAmendment, error) {
	return getOne(ctx, s, contractAmendmentGet, k.OCID, k.Seq)
}

// ContractAmendmentsByKey returns the contract amendments of keys in one
// query: out[i] is keys[i]'s, nil when there is none. More than MaxBatch
// keys is an invalid error.
func (s *Snapshot) ContractAmendmentsByKey(ctx context.Context, keys []ProcurementAmendmentKey) ([]*ContractAmendment, error) {
	return getBatch(ctx, s, contractAmendmentGet, amendmentKeys(keys))
}

// ContractAmendments returns contract amendments by process, then in
// order. A bad page is an invalid error.
func (s *Snapshot) ContractAmendments(ctx context.Context, f ProcurementAmendmentFilter) (List[ContractAmendment], error) {
	var q query
	q.eq("ocid", f.OCID)
	g := contractAmendmentGet
	return runList(ctx, s, listSpec[ContractAmendment]{name: "contract_amendments", columns: g.columns, from: g.from, key: g.key,
		scan: g.scan}, q, f.Page)
}

// ProcurementDecision links a process to a decision of its course, in a
// role: "planning", "award", "tender_amendment" or "contract_amendment".
type ProcurementDecision struct {
	OCID       string `json:"ocid"`
	DecisionID string `json:"decision_id"`
	Role       string `json:"role"`
}

// ProcurementDecisionKey identifies a procurement decision: a process, a
// decision and the role the decision has in it.
type ProcurementDecisionKey = ProcurementDecision

// ProcurementDecisionFilter selects procurement decisions; empty fields
// select all.
type ProcurementDecisionFilter struct {
	OCID       string
	DecisionID string
	Page
}

var procurementDecisionGet = getSpec[ProcurementDecision]{what: "procurement decision", columns: `ocid, decision_id, role`,
	from: "procurement_decisions", key: []string{"ocid", "decision_id", "role"},
	scan: func(s scanner) (ProcurementDecision, error) {
		var d ProcurementDecision
		return d, s.Scan(&d.OCID, &d.DecisionID, &d.Role)
	}}

// ProcurementDecision returns one procurement decision, or a not_found
// error.
func (s *Snapshot) ProcurementDecision(ctx context.Context, k ProcurementDecisionKey) (ProcurementDecision, error) {
	return getOne(ctx, s, procurementDecisionGet, k.OCID, k.DecisionID, k.Role)
}

// ProcurementDecisionsByKey returns the procurement decisions of keys in
// one query: out[i] is keys[i]'s, nil when there is none. More than
// MaxBatch keys is an invalid error.
func (s *Snapshot) ProcurementDecisionsByKey(ctx context.Context, keys []ProcurementDecisionKey) ([]*ProcurementDecision, error) {
	ks := make([][]any, len(keys))
	for i, k := range keys {
		ks[i] = []any{k.OCID, k.DecisionID, k.Role}
	}
	return getBatch(ctx, s, procurementDecisionGet, ks)
}

// ProcurementDecisions returns procurement decisions by process, decision
// and role. A bad page is an invalid error.
func (s *Snapshot) ProcurementDecisions(ctx context.Context, f ProcurementDecisionFilter) (List[ProcurementDecision], error) {
	var q query
	q.eq("ocid", f.OCID)
	q.eq("decision_id", f.DecisionID)
	g := procurementDecisionGet
	return runList(ctx, s, listSpec[ProcurementDecision]{name: "procurement_decisions", columns: g.columns, from: g.from, key: g.key,
		scan: g.scan}, q, f.Page)
}
