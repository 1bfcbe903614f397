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

// SupplierFilter selects suppliers; empty fields select all.
type SupplierFilter struct {
	Kind         string
	Municipality string
	Page
}

// Suppliers returns suppliers by VAT id.
func (m *ReadModel) Suppliers(ctx context.Context, f SupplierFilter) ([]Supplier, error) {
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("kind", f.Kind)
	q.eq("municipality", f.Municipality)
	return queryRows(ctx, m.q, `SELECT vat_id, name, kind, locality, municipality, country, coalesce(registered_at, '') FROM suppliers`+
		q.String()+` ORDER BY vat_id LIMIT ? OFFSET ?`, append(q.args, limit, offset), func(s scanner) (Supplier, error) {
		var su Supplier
		var at string
		err := s.Scan(&su.VATID, &su.Name, &su.Kind, &su.Locality, &su.Municipality, &su.Country, &at)
		su.RegisteredAt = parseTime(at)
		return su, err
	})
}

// Procurement is one contracting process with its latest figures.
type Procurement struct {
	OCID              string        `json:"ocid"`
	Title             string        `json:"title"`
	Description       string        `json:"description"`
	BuyerBodyID       string        `json:"buyer_body_id"`
	Department        string        `json:"department,omitempty"`
	Method            string        `json:"method"`
	Status            string        `json:"status"`
	Budget            *events.Money `json:"budget,omitempty"`
	Procedure         string        `json:"procedure,omitempty"`
	Ceiling           *events.Money `json:"ceiling,omitempty"`
	Deadline          time.Time     `json:"deadline"`
	SupplierVATID     string        `json:"supplier_vat_id,omitempty"`
	Awarded           *events.Money `json:"awarded,omitempty"`
	AwardDecisionID   string        `json:"award_decision_id,omitempty"`
	ContractID        string        `json:"contract_id,omitempty"`
	ContractValue     *events.Money `json:"contract_value,omitempty"`
	ContractStart     time.Time     `json:"contract_start"`
	ContractEnd       time.Time     `json:"contract_end"`
	Paid              events.Money  `json:"paid"`
	Bids              int           `json:"bids"`
	PlannedAt         time.Time     `json:"planned_at"`
	TenderPublishedAt time.Time     `json:"tender_published_at"`
	AwardedAt         time.Time     `json:"awarded_at"`
	SignedAt          time.Time     `json:"signed_at"`
	ClosedAt          time.Time     `json:"closed_at"`
	CancelledReason   string        `json:"cancelled_reason,omitempty"`
	CPV               []string      `json:"cpv"`
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
	Planned       TimeRange
	Budget        MoneyRange
	Awarded       MoneyRange
	Page
}

const procurementColumns = `ocid, title, description, buyer_body_id, department, method, status, budget_cents, coalesce(budget_currency, ''),
	procedure, ceiling_cents, coalesce(ceiling_currency, ''), coalesce(deadline, ''), supplier_vat_id, awarded_cents, coalesce(awarded_currency, ''),
	award_decision_id, contract_id, contract_cents, coalesce(contract_currency, ''), coalesce(contract_start, ''), coalesce(contract_end, ''),
	paid_cents, bids, coalesce(planned_at, ''), coalesce(tender_published_at, ''), coalesce(awarded_at, ''), coalesce(signed_at, ''),
	coalesce(closed_at, ''), cancelled_reason,
	(SELECT group_concat(cpv, ' ') FROM (SELECT cpv FROM procurement_cpv c WHERE c.ocid = p.ocid ORDER BY seq))`

func scanProcurement(s scanner) (Procurement, error) {
	var p Procurement
	var budget, ceiling, awarded, contract *int64
	var budgetCur, ceilingCur, awardedCur, contractCur string
	var deadline, cstart, cend, planned, published, awardedAt, signed, closed string
	var cpv *string
	err := s.Scan(&p.OCID, &p.Title, &p.Description, &p.BuyerBodyID, &p.Department, &p.Method, &p.Status, &budget, &budgetCur,
		&p.Procedure, &ceiling, &ceilingCur, &deadline, &p.SupplierVATID, &awarded, &awardedCur,
		&p.AwardDecisionID, &p.ContractID, &contract, &contractCur, &cstart, &cend,
		&p.Paid.Cents, &p.Bids, &planned, &published, &awardedAt, &signed, &closed, &p.CancelledReason, &cpv)
	p.Budget, p.Ceiling = moneyOf(budget, budgetCur), moneyOf(ceiling, ceilingCur)
	p.Awarded, p.ContractValue = moneyOf(awarded, awardedCur), moneyOf(contract, contractCur)
	p.Paid.Currency = budgetCur
	if p.ContractValue != nil {
		p.Paid.Currency = p.ContractValue.Currency
	}
	p.Deadline, p.ContractStart, p.ContractEnd = parseTime(deadline), parseTime(cstart), parseTime(cend)
	p.PlannedAt, p.TenderPublishedAt, p.AwardedAt = parseTime(planned), parseTime(published), parseTime(awardedAt)
	p.SignedAt, p.ClosedAt = parseTime(signed), parseTime(closed)
	p.CPV = []string{}
	if cpv != nil && *cpv != "" {
		p.CPV = strings.Fields(*cpv)
	}
	return p, err
}

func moneyOf(cents *int64, currency string) *events.Money {
	if cents == nil {
		return nil
	}
	return &events.Money{Cents: *cents, Currency: currency}
}

// Procurement returns one process, or a not_found error.
func (m *ReadModel) Procurement(ctx context.Context, ocid string) (Procurement, error) {
	return queryOne(ctx, m.q, "procurement "+ocid, `SELECT `+procurementColumns+` FROM procurements p WHERE ocid = ?`, []any{ocid}, scanProcurement)
}

// Procurements returns processes by planning time, then ocid.
func (m *ReadModel) Procurements(ctx context.Context, f ProcurementFilter) ([]Procurement, error) {
	if err := f.Planned.validate("procurements"); err != nil {
		return nil, err
	}
	if err := f.Budget.validate("budget"); err != nil {
		return nil, err
	}
	if err := f.Awarded.validate("awarded value"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("buyer_body_id", f.BuyerBodyID)
	q.eq("status", f.Status)
	q.eq("supplier_vat_id", f.SupplierVATID)
	q.eq("method", f.Method)
	q.timeRange("planned_at", f.Planned)
	q.moneyRange("budget_cents", f.Budget)
	q.moneyRange("awarded_cents", f.Awarded)
	if f.CPV != "" {
		prefix := strings.TrimRight(f.CPV, "*")
		for _, r := range prefix {
			if (r < '0' || r > '9') && r != '-' {
				return nil, events.Invalidf("cpv %q: want digits of a CPV code such as 45233142-6 or a prefix such as 4523", f.CPV)
			}
		}
		q.where("ocid IN (SELECT ocid FROM procurement_cpv WHERE cpv >= ? AND cpv < ?)", prefix, prefix+"\x7f")
	}
	return queryRows(ctx, m.q, `SELECT `+procurementColumns+` FROM procurements p`+q.String()+
		` ORDER BY planned_at, ocid LIMIT ? OFFSET ?`, append(q.args, limit, offset), scanProcurement)
}

// Bid is a bid received in a procurement.
type Bid struct {
	OCID          string        `json:"ocid"`
	BidID         string        `json:"bid_id"`
	SupplierVATID string        `json:"supplier_vat_id"`
	Value         *events.Money `json:"value,omitempty"`
	ReceivedAt    time.Time     `json:"received_at"`
}

// Bids returns the bids of a process, or of a supplier when ocid is empty.
func (m *ReadModel) Bids(ctx context.Context, ocid, supplierVATID string) ([]Bid, error) {
	var q query
	q.eq("ocid", ocid)
	q.eq("supplier_vat_id", supplierVATID)
	if len(q.conds) == 0 {
		return nil, events.Invalidf("bids: give a procurement or a supplier")
	}
	return queryRows(ctx, m.q, `SELECT ocid, bid_id, supplier_vat_id, value_cents, coalesce(value_currency, ''), coalesce(received_at, '')
		FROM bids`+q.String()+` ORDER BY ocid, received_at, bid_id LIMIT ?`, append(q.args, MaxPageLimit), func(s scanner) (Bid, error) {
		var b Bid
		var cents *int64
		var cur, at string
		err := s.Scan(&b.OCID, &b.BidID, &b.SupplierVATID, &cents, &cur, &at)
		b.Value, b.ReceivedAt = moneyOf(cents, cur), parseTime(at)
		return b, err
	})
}

// Payment is a payment made under a contract.
type Payment struct {
	OCID       string       `json:"ocid"`
	PaymentID  string       `json:"payment_id"`
	Amount     events.Money `json:"amount"`
	InvoiceRef string       `json:"invoice_ref"`
	PaidAt     time.Time    `json:"paid_at"`
}

// Payments returns the payments of a process in the order made.
func (m *ReadModel) Payments(ctx context.Context, ocid string) ([]Payment, error) {
	return queryRows(ctx, m.q, `SELECT ocid, payment_id, amount_cents, amount_currency, invoice_ref, coalesce(paid_at, '')
		FROM payments WHERE ocid = ? ORDER BY paid_at, payment_id`, []any{ocid}, func(s scanner) (Payment, error) {
		var p Payment
		var at string
		err := s.Scan(&p.OCID, &p.PaymentID, &p.Amount.Cents, &p.Amount.Currency, &p.InvoiceRef, &at)
		p.PaidAt = parseTime(at)
		return p, err
	})
}
