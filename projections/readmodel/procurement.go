package readmodel

import (
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
CREATE INDEX {suppliers_kind} ON {suppliers} (kind, vat_id);
CREATE INDEX {suppliers_municipality} ON {suppliers} (municipality, vat_id);
CREATE INDEX {suppliers_name} ON {suppliers} (pnyx_fold(name), vat_id);
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
CREATE INDEX {procurements_buyer} ON {procurements} (buyer_body_id, planned_at, ocid);
CREATE INDEX {procurements_status} ON {procurements} (status, planned_at, ocid);
CREATE INDEX {procurements_supplier} ON {procurements} (supplier_vat_id, planned_at, ocid);
CREATE INDEX {procurements_budget} ON {procurements} (budget_cents, ocid);
CREATE INDEX {procurements_awarded} ON {procurements} (awarded_cents, ocid);
CREATE INDEX {procurements_planned} ON {procurements} (planned_at, ocid);
CREATE INDEX {procurements_method} ON {procurements} (method, planned_at, ocid);
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
CREATE INDEX {bids_supplier} ON {bids} (supplier_vat_id, received_at);
CREATE INDEX {bids_received} ON {bids} (ocid, received_at);
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
CREATE INDEX {payments_ocid_paid} ON {payments} (ocid, paid_at);
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
