package readmodel

import (
	"context"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Procurement processes (one per OCDS ocid) from plan to payment, and the
// suppliers that bid. Amounts are cents and currency columns; the
// process row keeps the latest figures (budget, ceiling, awarded, contract
// value, paid so far) so the usual filters need no join.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {suppliers} (
	vat_id        TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	locality      TEXT NOT NULL,
	municipality  TEXT NOT NULL,
	country       TEXT NOT NULL,
	registered_at TEXT
);
CREATE INDEX {suppliers_kind} ON {suppliers} (kind);
CREATE INDEX {suppliers_municipality} ON {suppliers} (municipality);
CREATE TABLE {procurements} (
	ocid                 TEXT PRIMARY KEY,
	title                TEXT NOT NULL,
	description          TEXT NOT NULL,
	buyer_body_id        TEXT NOT NULL,
	department           TEXT NOT NULL,
	method               TEXT NOT NULL,
	status               TEXT NOT NULL,
	budget_cents         INTEGER,
	budget_currency      TEXT,
	procedure            TEXT NOT NULL DEFAULT '',
	ceiling_cents        INTEGER,
	ceiling_currency     TEXT,
	deadline             TEXT,
	supplier_vat_id      TEXT NOT NULL DEFAULT '',
	awarded_cents        INTEGER,
	awarded_currency     TEXT,
	award_decision_id    TEXT NOT NULL DEFAULT '',
	contract_id          TEXT NOT NULL DEFAULT '',
	contract_cents       INTEGER,
	contract_currency    TEXT,
	contract_start       TEXT,
	contract_end         TEXT,
	paid_cents           INTEGER NOT NULL DEFAULT 0,
	bids                 INTEGER NOT NULL DEFAULT 0,
	planned_at           TEXT,
	tender_published_at  TEXT,
	awarded_at           TEXT,
	signed_at            TEXT,
	closed_at            TEXT,
	cancelled_reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX {procurements_buyer} ON {procurements} (buyer_body_id, planned_at);
CREATE INDEX {procurements_status} ON {procurements} (status, planned_at);
CREATE INDEX {procurements_supplier} ON {procurements} (supplier_vat_id);
CREATE INDEX {procurements_budget} ON {procurements} (budget_cents);
CREATE INDEX {procurements_awarded} ON {procurements} (awarded_cents);
CREATE INDEX {procurements_planned} ON {procurements} (planned_at);
CREATE INDEX {procurements_method} ON {procurements} (method, planned_at);
CREATE TABLE {procurement_cpv} (
	ocid TEXT NOT NULL,
	cpv  TEXT NOT NULL,
	seq  INTEGER NOT NULL,
	PRIMARY KEY (ocid, cpv)
) WITHOUT ROWID;
CREATE INDEX {procurement_cpv_code} ON {procurement_cpv} (cpv);
CREATE TABLE {procurement_decisions} (
	ocid        TEXT NOT NULL,
	decision_id TEXT NOT NULL,
	role        TEXT NOT NULL,
	PRIMARY KEY (ocid, decision_id, role)
) WITHOUT ROWID;
CREATE INDEX {procurement_decisions_decision} ON {procurement_decisions} (decision_id);
CREATE TABLE {tender_amendments} (
	ocid             TEXT NOT NULL,
	seq              INTEGER NOT NULL,
	ceiling_cents    INTEGER,
	ceiling_currency TEXT,
	deadline         TEXT,
	reason           TEXT NOT NULL,
	decision_id      TEXT NOT NULL,
	amended_at       TEXT,
	PRIMARY KEY (ocid, seq)
);
CREATE TABLE {bids} (
	ocid            TEXT NOT NULL,
	bid_id          TEXT NOT NULL,
	supplier_vat_id TEXT NOT NULL,
	value_cents     INTEGER,
	value_currency  TEXT,
	received_at     TEXT,
	PRIMARY KEY (ocid, bid_id)
) WITHOUT ROWID;
CREATE INDEX {bids_supplier} ON {bids} (supplier_vat_id);
CREATE TABLE {contract_amendments} (
	ocid           TEXT NOT NULL,
	seq            INTEGER NOT NULL,
	value_cents    INTEGER,
	value_currency TEXT,
	period_start   TEXT,
	period_end     TEXT,
	reason         TEXT NOT NULL,
	decision_id    TEXT NOT NULL,
	amended_at     TEXT,
	PRIMARY KEY (ocid, seq)
);
CREATE TABLE {payments} (
	ocid            TEXT NOT NULL,
	payment_id      TEXT NOT NULL,
	amount_cents    INTEGER NOT NULL,
	amount_currency TEXT NOT NULL,
	invoice_ref     TEXT NOT NULL,
	paid_at         TEXT,
	PRIMARY KEY (ocid, payment_id)
) WITHOUT ROWID;
CREATE INDEX {payments_paid} ON {payments} (paid_at);
`)
}

// Procurement statuses in the read model.
const (
	ProcurementPlanned   = "planned"
	ProcurementTendering = "tendering"
	ProcurementAwarded   = "awarded"
	ProcurementContract  = "contract"
	ProcurementCompleted = "completed"
	ProcurementCancelled = "cancelled"
)

func applyProcurement(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.SupplierRegistered:
		return true, w.exec(`INSERT OR REPLACE INTO {suppliers} (vat_id, name, kind, locality, municipality, country, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, w.id(), e.Name, string(e.Kind), e.Locality, e.Municipality, e.Country, w.occurred())
	case events.SupplierDetailsChanged:
		return true, w.exec(`UPDATE {suppliers} SET name = ?, kind = ?, locality = ?, municipality = ?, country = ? WHERE vat_id = ?`,
			e.Name, string(e.Kind), e.Locality, e.Municipality, e.Country, w.id())

	case events.ProcurementPlanned:
		bc, bcur := money(e.Budget)
		batchOf(w).replaced(recountBids, w.id())
		batchOf(w).replaced(recountPaid, w.id())
		if err := w.exec(`INSERT OR REPLACE INTO {procurements} (ocid, title, description, buyer_body_id, department, method, status,
			budget_cents, budget_currency, planned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.id(), e.Title, e.Description, e.BuyerBodyID, e.Department, string(e.Method), ProcurementPlanned, bc, bcur, w.occurred()); err != nil {
			return true, err
		}
		for i, cpv := range e.CPV {
			if err := w.exec(`INSERT OR IGNORE INTO {procurement_cpv} (ocid, cpv, seq) VALUES (?, ?, ?)`, w.id(), cpv, i+1); err != nil {
				return true, err
			}
		}
		for _, d := range e.DecisionIDs {
			if err := w.procurementDecision(d, "planning"); err != nil {
				return true, err
			}
		}
		return true, w.index(SearchProcurement, w.id(), e.Title, e.Description)
	case events.ProcurementTenderPublished:
		cc, ccur := money(e.Ceiling)
		if err := w.exec(`UPDATE {procurements} SET status = ?, procedure = ?, ceiling_cents = ?, ceiling_currency = ?, deadline = ?,
			tender_published_at = ? WHERE ocid = ?`, ProcurementTendering, e.Procedure, cc, ccur, timeText(e.Deadline), w.occurred(), w.id()); err != nil {
			return true, err
		}
		return true, w.documents("tender", w.id(), e.Documents)
	case events.ProcurementTenderAmended:
		cc, ccur := money(e.Ceiling)
		if err := w.exec(`INSERT INTO {tender_amendments} (ocid, seq, ceiling_cents, ceiling_currency, deadline, reason, decision_id, amended_at)
			SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM {tender_amendments} WHERE ocid = ?1`,
			w.id(), cc, ccur, timeText(e.Deadline), e.Reason, e.DecisionID, w.occurred()); err != nil {
			return true, err
		}
		if err := w.exec(`UPDATE {procurements} SET ceiling_cents = coalesce(?, ceiling_cents), ceiling_currency = coalesce(?, ceiling_currency),
			deadline = coalesce(?, deadline) WHERE ocid = ?`, cc, ccur, timeText(e.Deadline), w.id()); err != nil {
			return true, err
		}
		return true, w.procurementDecision(e.DecisionID, "tender_amendment")
	case events.ProcurementBidReceived:
		vc, vcur := money(e.Value)
		received := timeText(e.ReceivedAt)
		if received == nil {
			received = w.occurred()
		}
		if err := w.exec(`INSERT OR REPLACE INTO {bids} (ocid, bid_id, supplier_vat_id, value_cents, value_currency, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
			w.id(), e.BidID, e.SupplierID, vc, vcur, received); err != nil {
			return true, err
		}
		batchOf(w).recount(recountBids, w.id())
		return true, nil
	case events.ProcurementAwarded:
		vc, vcur := money(e.Value)
		if err := w.exec(`UPDATE {procurements} SET status = ?, supplier_vat_id = ?, awarded_cents = ?, awarded_currency = ?,
			award_decision_id = ?, awarded_at = ? WHERE ocid = ?`, ProcurementAwarded, e.SupplierID, vc, vcur, e.DecisionID, w.occurred(), w.id()); err != nil {
			return true, err
		}
		return true, w.procurementDecision(e.DecisionID, "award")
	case events.ProcurementContractSigned:
		vc, vcur := money(e.Value)
		if err := w.exec(`UPDATE {procurements} SET status = ?, contract_id = ?, contract_cents = ?, contract_currency = ?,
			contract_start = ?, contract_end = ?, signed_at = ? WHERE ocid = ?`, ProcurementContract, e.ContractID, vc, vcur,
			timeText(e.Period.Start), timeText(e.Period.End), w.occurred(), w.id()); err != nil {
			return true, err
		}
		return true, w.documents("contract", w.id(), e.Documents)
	case events.ProcurementContractAmended:
		vc, vcur := money(e.Value)
		if err := w.exec(`INSERT INTO {contract_amendments} (ocid, seq, value_cents, value_currency, period_start, period_end, reason,
			decision_id, amended_at) SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM {contract_amendments} WHERE ocid = ?1`,
			w.id(), vc, vcur, timeText(e.Period.Start), timeText(e.Period.End), e.Reason, e.DecisionID, w.occurred()); err != nil {
			return true, err
		}
		if err := w.exec(`UPDATE {procurements} SET contract_cents = coalesce(?, contract_cents), contract_currency = coalesce(?, contract_currency),
			contract_start = coalesce(?, contract_start), contract_end = coalesce(?, contract_end) WHERE ocid = ?`,
			vc, vcur, timeText(e.Period.Start), timeText(e.Period.End), w.id()); err != nil {
			return true, err
		}
		return true, w.procurementDecision(e.DecisionID, "contract_amendment")
	case events.ProcurementPaymentMade:
		if err := w.exec(`INSERT OR REPLACE INTO {payments} (ocid, payment_id, amount_cents, amount_currency, invoice_ref, paid_at) VALUES (?, ?, ?, ?, ?, ?)`,
			w.id(), e.PaymentID, e.Amount.Cents, e.Amount.Currency, e.InvoiceRef, w.occurred()); err != nil {
			return true, err
		}
		batchOf(w).recount(recountPaid, w.id())
		return true, nil
	case events.ProcurementCancelled:
		return true, w.exec(`UPDATE {procurements} SET status = ?, cancelled_reason = ?, closed_at = ? WHERE ocid = ?`,
			ProcurementCancelled, e.Reason, w.occurred(), w.id())
	case events.ProcurementCompleted:
		return true, w.exec(`UPDATE {procurements} SET status = ?, closed_at = ? WHERE ocid = ?`, ProcurementCompleted, w.occurred(), w.id())
	}
	return false, nil
}

func (w writer) procurementDecision(decisionID, role string) error {
	if decisionID == "" {
		return nil
	}
	return w.exec(`INSERT OR IGNORE INTO {procurement_decisions} (ocid, decision_id, role) VALUES (?, ?, ?)`, w.id(), decisionID, role)
}

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
