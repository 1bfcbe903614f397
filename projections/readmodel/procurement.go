package readmodel

import (
	"cmp"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Procurement processes (one per OCDS ocid) from plan to payment, and the
// suppliers that bid. Amounts are cents and currency columns; the
// process row keeps the latest figures (budget, ceiling, awarded, contract
// value, paid so far) so the usual filters need no join.

// supplierRow is a row of suppliers, with the postal address and the
// office to contact its registration gives (OCDS parties need them).
type supplierRow struct {
	Supplier
	address events.PostalAddress
	contact events.ContactPoint
}

var suppliers = define(&table[string, supplierRow]{
	name: "suppliers", keys: 1, rowid: true,
	columns: []column[supplierRow]{
		textCol("vat_id", "TEXT PRIMARY KEY", func(r *supplierRow) *string { return &r.VATID }),
		textCol("name", "TEXT NOT NULL", func(r *supplierRow) *string { return &r.Name }),
		textCol("kind", "TEXT NOT NULL", func(r *supplierRow) *string { return &r.Kind }),
		textCol("locality", "TEXT NOT NULL", func(r *supplierRow) *string { return &r.Locality }),
		textCol("municipality", "TEXT NOT NULL", func(r *supplierRow) *string { return &r.Municipality }),
		textCol("country", "TEXT NOT NULL", func(r *supplierRow) *string { return &r.Country }),
		timeCol("registered_at", func(r *supplierRow) *time.Time { return &r.RegisteredAt }),
		textCol("street", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.address.Street }),
		textCol("postcode", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.address.Postcode }),
		textCol("contact_office", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.contact.Office }),
		textCol("contact_office_email", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.contact.Email }),
		textCol("contact_office_telephone", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.contact.Telephone }),
		textCol("contact_office_url", "TEXT NOT NULL DEFAULT ''", func(r *supplierRow) *string { return &r.contact.URL }),
	},
	indexes: []string{
		`CREATE INDEX {suppliers_kind} ON {suppliers} (kind, vat_id)`,
		`CREATE INDEX {suppliers_municipality} ON {suppliers} (municipality, vat_id)`,
		`CREATE INDEX {suppliers_name} ON {suppliers} (pnyx_fold(name), vat_id)`,
	},
	key:    func(r *supplierRow) string { return r.VATID },
	newRow: func(id string) supplierRow { return supplierRow{Supplier: Supplier{VATID: id}} },
	order:  byString,
})

// procurementRow is a row of procurements; bids and paid_cents are
// derived (recountBids, recountPaid), and its CPV codes are rows of
// procurement_cpv. The start of the tender period and the award's id are
// what OCDS releases name.
type procurementRow struct {
	Procurement
	tenderPeriodStart time.Time
	awardID           string
}

var procurements = define(&table[string, procurementRow]{
	name: "procurements", keys: 1, rowid: true,
	columns: []column[procurementRow]{
		textCol("ocid", "TEXT PRIMARY KEY", func(r *procurementRow) *string { return &r.OCID }),
		textCol("title", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.Title }),
		textCol("description", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.Description }),
		textCol("buyer_body_id", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.BuyerBodyID }),
		textCol("department", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.Department }),
		textCol("method", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.Method }),
		textCol("status", "TEXT NOT NULL", func(r *procurementRow) *string { return &r.Status }),
		centsCol("budget_cents", func(r *procurementRow) **events.Money { return &r.Budget }),
		currencyCol("budget_currency", func(r *procurementRow) **events.Money { return &r.Budget }),
		textCol("procedure", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.Procedure }),
		centsCol("ceiling_cents", func(r *procurementRow) **events.Money { return &r.Ceiling }),
		currencyCol("ceiling_currency", func(r *procurementRow) **events.Money { return &r.Ceiling }),
		timeCol("deadline", func(r *procurementRow) *time.Time { return &r.Deadline }),
		textCol("supplier_vat_id", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.SupplierVATID }),
		centsCol("awarded_cents", func(r *procurementRow) **events.Money { return &r.Awarded }),
		currencyCol("awarded_currency", func(r *procurementRow) **events.Money { return &r.Awarded }),
		textCol("award_decision_id", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.AwardDecisionID }),
		textCol("contract_id", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.ContractID }),
		centsCol("contract_cents", func(r *procurementRow) **events.Money { return &r.ContractValue }),
		currencyCol("contract_currency", func(r *procurementRow) **events.Money { return &r.ContractValue }),
		timeCol("contract_start", func(r *procurementRow) *time.Time { return &r.ContractStart }),
		timeCol("contract_end", func(r *procurementRow) *time.Time { return &r.ContractEnd }),
		int64Col("paid_cents", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int64 { return &r.Paid.Cents }),
		intCol("bids", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.Bids }),
		timeCol("planned_at", func(r *procurementRow) *time.Time { return &r.PlannedAt }),
		timeCol("tender_published_at", func(r *procurementRow) *time.Time { return &r.TenderPublishedAt }),
		timeCol("awarded_at", func(r *procurementRow) *time.Time { return &r.AwardedAt }),
		timeCol("signed_at", func(r *procurementRow) *time.Time { return &r.SignedAt }),
		timeCol("closed_at", func(r *procurementRow) *time.Time { return &r.ClosedAt }),
		textCol("cancelled_reason", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.CancelledReason }),
		textCol("procedure_type", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.ProcedureType }),
		textCol("category", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.Category }),
		intCol("vat_rate_bp", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.VATRate }),
		centsCol("budget_with_vat_cents", func(r *procurementRow) **events.Money { return &r.BudgetWithVAT }),
		centsCol("awarded_with_vat_cents", func(r *procurementRow) **events.Money { return &r.AwardedWithVAT }),
		centsCol("contract_with_vat_cents", func(r *procurementRow) **events.Money { return &r.ContractWithVAT }),
		int64Col("committed_cents", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int64 { return &r.Committed.Cents }),
		intCol("lots", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.Lots }),
		intCol("lots_awarded", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.LotsAwarded }),
		intCol("appeals_pending", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.AppealsPending }),
		textCol("direct_award_limit_basis", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.DirectAwardLimitBasis }),
		centsCol("direct_award_limit_cents", func(r *procurementRow) **events.Money { return &r.DirectAwardLimit }),
		intCol("modification_limit_percent", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.ModificationLimitPercent }),
		textCol("adam", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.ADAM }),
		textCol("tender_adam", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.TenderADAM }),
		textCol("award_adam", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.AwardADAM }),
		textCol("contract_adam", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.ContractADAM }),
		intCol("contracts", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *int { return &r.ContractCount }),
		timeCol("tender_period_start", func(r *procurementRow) *time.Time { return &r.tenderPeriodStart }),
		textCol("award_id", "TEXT NOT NULL DEFAULT ''", func(r *procurementRow) *string { return &r.awardID }),
		boolCol("imported", "INTEGER NOT NULL DEFAULT 0", func(r *procurementRow) *bool { return &r.Imported }),
	},
	indexes: []string{
		`CREATE INDEX {procurements_buyer} ON {procurements} (buyer_body_id, planned_at, ocid)`,
		`CREATE INDEX {procurements_status} ON {procurements} (status, planned_at, ocid)`,
		`CREATE INDEX {procurements_supplier} ON {procurements} (supplier_vat_id, planned_at, ocid)`,
		`CREATE INDEX {procurements_budget} ON {procurements} (budget_cents, ocid)`,
		`CREATE INDEX {procurements_awarded} ON {procurements} (awarded_cents, ocid)`,
		`CREATE INDEX {procurements_planned} ON {procurements} (planned_at, ocid)`,
		`CREATE INDEX {procurements_method} ON {procurements} (method, planned_at, ocid)`,
		`CREATE INDEX {procurements_procedure} ON {procurements} (procedure_type, planned_at, ocid)`,
	},
	key:    func(r *procurementRow) string { return r.OCID },
	newRow: func(id string) procurementRow { return procurementRow{Procurement: Procurement{OCID: id}} },
	order:  byString,
})

// cpvRow is a row of procurement_cpv: a CPV code of a process, numbered in
// the order first given.
type cpvRow struct {
	ocid, cpv string
	seq       int
}

type cpvKey struct{ ocid, cpv string }

var procurementCPV = define(&table[cpvKey, cpvRow]{
	name: "procurement_cpv", keys: 2, constraint: "PRIMARY KEY (ocid, cpv)",
	columns: []column[cpvRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *cpvRow) *string { return &r.ocid }),
		textCol("cpv", "TEXT NOT NULL", func(r *cpvRow) *string { return &r.cpv }),
		intCol("seq", "INTEGER NOT NULL", func(r *cpvRow) *int { return &r.seq }),
	},
	indexes: []string{`CREATE INDEX {procurement_cpv_code} ON {procurement_cpv} (cpv)`},
	key:     func(r *cpvRow) cpvKey { return cpvKey{r.ocid, r.cpv} },
	newRow:  func(k cpvKey) cpvRow { return cpvRow{ocid: k.ocid, cpv: k.cpv} },
	order:   func(a, b cpvKey) int { return cmp.Or(strings.Compare(a.ocid, b.ocid), strings.Compare(a.cpv, b.cpv)) },
})

// procurementDecisionRow is a row of procurement_decisions.
type procurementDecisionRow struct{ ProcurementDecision }

var procurementDecisions = define(&table[ProcurementDecision, procurementDecisionRow]{
	name: "procurement_decisions", keys: 3, constraint: "PRIMARY KEY (ocid, decision_id, role)",
	columns: []column[procurementDecisionRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *procurementDecisionRow) *string { return &r.OCID }),
		textCol("decision_id", "TEXT NOT NULL", func(r *procurementDecisionRow) *string { return &r.DecisionID }),
		textCol("role", "TEXT NOT NULL", func(r *procurementDecisionRow) *string { return &r.Role }),
	},
	indexes: []string{`CREATE INDEX {procurement_decisions_decision} ON {procurement_decisions} (decision_id)`},
	key:     func(r *procurementDecisionRow) ProcurementDecision { return r.ProcurementDecision },
	newRow:  func(k ProcurementDecision) procurementDecisionRow { return procurementDecisionRow{k} },
	order: func(a, b ProcurementDecision) int {
		return cmp.Or(strings.Compare(a.OCID, b.OCID), strings.Compare(a.DecisionID, b.DecisionID), strings.Compare(a.Role, b.Role))
	},
})

// tenderAmendmentRow is a row of tender_amendments.
type tenderAmendmentRow struct{ TenderAmendment }

var tenderAmendments = define(&table[seqKeyOf, tenderAmendmentRow]{
	name: "tender_amendments", keys: 2, rowid: true, constraint: "PRIMARY KEY (ocid, seq)",
	columns: []column[tenderAmendmentRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *tenderAmendmentRow) *string { return &r.OCID }),
		intCol("seq", "INTEGER NOT NULL", func(r *tenderAmendmentRow) *int { return &r.Seq }),
		centsCol("ceiling_cents", func(r *tenderAmendmentRow) **events.Money { return &r.Ceiling }),
		currencyCol("ceiling_currency", func(r *tenderAmendmentRow) **events.Money { return &r.Ceiling }),
		timeCol("deadline", func(r *tenderAmendmentRow) *time.Time { return &r.Deadline }),
		textCol("reason", "TEXT NOT NULL", func(r *tenderAmendmentRow) *string { return &r.Reason }),
		textCol("decision_id", "TEXT NOT NULL", func(r *tenderAmendmentRow) *string { return &r.DecisionID }),
		timeCol("amended_at", func(r *tenderAmendmentRow) *time.Time { return &r.AmendedAt }),
	},
	key: func(r *tenderAmendmentRow) seqKeyOf { return seqKeyOf{r.OCID, r.Seq} },
	newRow: func(k seqKeyOf) tenderAmendmentRow {
		return tenderAmendmentRow{TenderAmendment{OCID: k.id, Seq: k.seq}}
	},
	order: bySeqKey,
})

// bidRow is a row of bids, with its standing (valid, disqualified,
// withdrawn) and the public reason of its last change.
type bidRow struct {
	Bid
	status, statusReason string
}

var bids = define(&table[BidKey, bidRow]{
	name: "bids", keys: 2, constraint: "PRIMARY KEY (ocid, bid_id)",
	columns: []column[bidRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *bidRow) *string { return &r.OCID }),
		textCol("bid_id", "TEXT NOT NULL", func(r *bidRow) *string { return &r.BidID }),
		textCol("supplier_vat_id", "TEXT NOT NULL", func(r *bidRow) *string { return &r.SupplierVATID }),
		centsCol("value_cents", func(r *bidRow) **events.Money { return &r.Value }),
		currencyCol("value_currency", func(r *bidRow) **events.Money { return &r.Value }),
		timeCol("received_at", func(r *bidRow) *time.Time { return &r.ReceivedAt }),
		textCol("lot_id", "TEXT NOT NULL DEFAULT ''", func(r *bidRow) *string { return &r.LotID }),
		textCol("status", "TEXT NOT NULL DEFAULT 'valid'", func(r *bidRow) *string { return &r.status }),
		textCol("status_reason", "TEXT NOT NULL DEFAULT ''", func(r *bidRow) *string { return &r.statusReason }),
	},
	indexes: []string{
		`CREATE INDEX {bids_supplier} ON {bids} (supplier_vat_id, received_at)`,
		`CREATE INDEX {bids_received} ON {bids} (ocid, received_at)`,
	},
	key:    func(r *bidRow) BidKey { return BidKey{OCID: r.OCID, BidID: r.BidID} },
	newRow: func(k BidKey) bidRow { return bidRow{Bid: Bid{OCID: k.OCID, BidID: k.BidID}} },
	order: func(a, b BidKey) int {
		return cmp.Or(strings.Compare(a.OCID, b.OCID), strings.Compare(a.BidID, b.BidID))
	},
})

// contractAmendmentRow is a row of contract_amendments.
type contractAmendmentRow struct{ ContractAmendment }

var contractAmendments = define(&table[seqKeyOf, contractAmendmentRow]{
	name: "contract_amendments", keys: 2, rowid: true, constraint: "PRIMARY KEY (ocid, seq)",
	columns: []column[contractAmendmentRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *contractAmendmentRow) *string { return &r.OCID }),
		intCol("seq", "INTEGER NOT NULL", func(r *contractAmendmentRow) *int { return &r.Seq }),
		centsCol("value_cents", func(r *contractAmendmentRow) **events.Money { return &r.Value }),
		currencyCol("value_currency", func(r *contractAmendmentRow) **events.Money { return &r.Value }),
		timeCol("period_start", func(r *contractAmendmentRow) *time.Time { return &r.PeriodStart }),
		timeCol("period_end", func(r *contractAmendmentRow) *time.Time { return &r.PeriodEnd }),
		textCol("reason", "TEXT NOT NULL", func(r *contractAmendmentRow) *string { return &r.Reason }),
		textCol("decision_id", "TEXT NOT NULL", func(r *contractAmendmentRow) *string { return &r.DecisionID }),
		timeCol("amended_at", func(r *contractAmendmentRow) *time.Time { return &r.AmendedAt }),
		textCol("contract_id", "TEXT NOT NULL", func(r *contractAmendmentRow) *string { return &r.ContractID }),
	},
	key: func(r *contractAmendmentRow) seqKeyOf { return seqKeyOf{r.OCID, r.Seq} },
	newRow: func(k seqKeyOf) contractAmendmentRow {
		return contractAmendmentRow{ContractAmendment{OCID: k.id, Seq: k.seq}}
	},
	order: bySeqKey,
})

// paymentRow is a row of payments.
type paymentRow struct{ Payment }

var payments = define(&table[PaymentKey, paymentRow]{
	name: "payments", keys: 2, constraint: "PRIMARY KEY (ocid, payment_id)",
	columns: []column[paymentRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *paymentRow) *string { return &r.OCID }),
		textCol("payment_id", "TEXT NOT NULL", func(r *paymentRow) *string { return &r.PaymentID }),
		int64Col("amount_cents", "INTEGER NOT NULL", func(r *paymentRow) *int64 { return &r.Amount.Cents }),
		textCol("amount_currency", "TEXT NOT NULL", func(r *paymentRow) *string { return &r.Amount.Currency }),
		textCol("invoice_ref", "TEXT NOT NULL", func(r *paymentRow) *string { return &r.InvoiceRef }),
		timeCol("paid_at", func(r *paymentRow) *time.Time { return &r.PaidAt }),
		textCol("contract_id", "TEXT NOT NULL", func(r *paymentRow) *string { return &r.ContractID }),
	},
	indexes: []string{
		`CREATE INDEX {payments_paid} ON {payments} (paid_at)`,
		`CREATE INDEX {payments_ocid_paid} ON {payments} (ocid, paid_at)`,
	},
	key:    func(r *paymentRow) PaymentKey { return PaymentKey{OCID: r.OCID, PaymentID: r.PaymentID} },
	newRow: func(k PaymentKey) paymentRow { return paymentRow{Payment{OCID: k.OCID, PaymentID: k.PaymentID}} },
	order: func(a, b PaymentKey) int {
		return cmp.Or(strings.Compare(a.OCID, b.OCID), strings.Compare(a.PaymentID, b.PaymentID))
	},
})

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
	rows := procurements.of(w)
	change := func(f func(r *procurementRow)) error {
		_, err := rows.change(w, w.id(), f)
		return err
	}
	switch e := p.(type) {
	case events.SupplierRegistered:
		r := supplierRow{Supplier: Supplier{VATID: w.id(), Name: e.Name, Kind: string(e.Kind), Locality: e.Locality,
			Municipality: e.Municipality, Country: e.Country, RegisteredAt: w.at()}}
		if e.Address != nil {
			r.address = *e.Address
		}
		if e.ContactPoint != nil {
			r.contact = *e.ContactPoint
		}
		suppliers.of(w).put(r)
		return true, nil
	case events.SupplierDetailsChanged:
		_, err := suppliers.of(w).change(w, w.id(), func(r *supplierRow) {
			r.Name, r.Kind, r.Locality, r.Municipality, r.Country = e.Name, string(e.Kind), e.Locality, e.Municipality, e.Country
		})
		return true, err

	case events.ProcurementPlanned:
		batchOf(w).replaced(recountBids, w.id())
		batchOf(w).replaced(recountPaid, w.id())
		r := rows.put(procurementRow{Procurement: Procurement{OCID: w.id(), Title: e.Title, Description: e.Description, BuyerBodyID: e.BuyerBodyID,
			Department: e.Department, Method: string(e.Method), Status: ProcurementPlanned, Budget: amount(e.Budget), PlannedAt: w.at(),
			BudgetWithVAT: amount(e.BudgetWithVAT), ADAM: e.ADAM, Committed: events.Money{Currency: e.Budget.Currency}}})
		if l := e.Law; l != nil {
			r.ProcedureType, r.Category, r.VATRate = string(l.Procedure), string(l.Category), l.VATRate
			r.DirectAwardLimit, r.DirectAwardLimitBasis = amount(l.Thresholds.DirectAward.Net), l.Thresholds.DirectAward.LegalBasis
			r.ModificationLimitPercent = l.Thresholds.Modification.Percent
		}
		cpvs := procurementCPV.of(w)
		for i, cpv := range e.CPV {
			k := cpvKey{w.id(), cpv}
			if r, err := cpvs.get(w, k); err != nil || r != nil {
				if err != nil {
					return true, err
				}
				continue // the code's first number stays
			}
			cpvs.put(cpvRow{ocid: w.id(), cpv: cpv, seq: i + 1})
		}
		for _, d := range e.DecisionIDs {
			w.procurementDecision(d, "planning")
		}
		return true, w.index(SearchProcurement, w.id(), e.Title, e.Description)
	case events.ProcurementTenderPublished:
		if err := change(func(r *procurementRow) {
			r.Status, r.Procedure, r.Ceiling, r.Deadline, r.TenderPublishedAt = ProcurementTendering, e.Procedure, amount(e.Ceiling), e.Deadline.UTC(), w.at()
			r.Lots, r.TenderADAM = len(e.Lots), e.ADAM
			r.tenderPeriodStart = e.PeriodStart.UTC()
			if e.PeriodStart.IsZero() {
				r.tenderPeriodStart = w.at() // schema 1: the period opened on publication
			}
		}); err != nil {
			return true, err
		}
		w.tenderItems(e.Items)
		lots := procurementLots.of(w)
		for i, l := range e.Lots {
			lots.put(lotRow{ProcurementLot{OCID: w.id(), LotID: l.ID, Seq: i + 1, Title: l.Title, Value: amount(l.Value)}})
		}
		return true, w.documents("tender", w.id(), e.Documents)
	case events.ProcurementTenderAmended:
		seq, err := w.nextSeq(batchOf(w).seqs, seqKey("tender_amendments", w.id()), 1,
			`SELECT coalesce(max(seq), 0) FROM {tender_amendments} WHERE ocid = ?`, w.id())
		if err != nil {
			return true, err
		}
		tenderAmendments.of(w).put(tenderAmendmentRow{TenderAmendment{OCID: w.id(), Seq: int(seq), Ceiling: amount(e.Ceiling),
			Deadline: e.Deadline.UTC(), Reason: e.Reason, DecisionID: e.DecisionID, AmendedAt: w.at()}})
		if err := change(func(r *procurementRow) {
			if c := amount(e.Ceiling); c != nil {
				r.Ceiling = c
			}
			if !e.Deadline.IsZero() {
				r.Deadline = e.Deadline.UTC()
			}
		}); err != nil {
			return true, err
		}
		w.procurementDecision(e.DecisionID, "tender_amendment")
		return true, nil
	case events.ProcurementBidReceived:
		received := e.ReceivedAt.UTC()
		if e.ReceivedAt.IsZero() {
			received = w.at()
		}
		status := string(e.Status)
		if status == "" {
			status = string(events.BidValid)
		}
		bids.of(w).put(bidRow{Bid: Bid{OCID: w.id(), BidID: e.BidID, SupplierVATID: e.SupplierID, Value: amount(e.Value), ReceivedAt: received, LotID: e.LotID},
			status: status})
		batchOf(w).recount(recountBids, w.id())
		return true, nil
	case events.ProcurementBidStatusChanged:
		_, err := bids.of(w).change(w, BidKey{OCID: w.id(), BidID: e.BidID}, func(r *bidRow) { r.status, r.statusReason = string(e.Status), e.Reason })
		return true, err
	case events.ProcurementAwarded:
		procurementAwards.of(w).put(awardRow{ProcurementAward{OCID: w.id(), AwardID: e.AwardID, LotID: e.LotID, SupplierVATID: e.SupplierID,
			Value: amount(e.Value), ValueWithVAT: amount(e.ValueWithVAT), DecisionID: e.DecisionID, ADAM: e.ADAM, Status: "active", AwardedAt: w.at()}})
		if err := change(func(r *procurementRow) {
			value, withVAT := amount(e.Value), amount(e.ValueWithVAT)
			if r.Awarded != nil && value != nil {
				// Another lot's award, or an award after one annulled on appeal.
				value = &events.Money{Cents: r.Awarded.Cents + value.Cents, Currency: value.Currency}
			}
			if r.AwardedWithVAT != nil && withVAT != nil {
				withVAT = &events.Money{Cents: r.AwardedWithVAT.Cents + withVAT.Cents, Currency: withVAT.Currency}
			}
			r.SupplierVATID, r.Awarded, r.AwardedWithVAT, r.AwardDecisionID, r.AwardedAt, r.AwardADAM = e.SupplierID, value, withVAT, e.DecisionID, w.at(), e.ADAM
			if e.LotID != "" {
				r.LotsAwarded++
			}
			if e.LotID == "" || r.LotsAwarded >= r.Lots {
				r.Status = ProcurementAwarded
			}
			r.awardID = e.AwardID
		}); err != nil {
			return true, err
		}
		w.procurementDecision(e.DecisionID, "award")
		return true, nil
	case events.ProcurementContractSigned:
		return true, signContract(w, e)
	case events.ProcurementContractAmended:
		return true, amendContract(w, e)
	case events.ProcurementPaymentMade:
		p, err := procurements.of(w).get(w, w.id())
		if err != nil {
			return true, err
		}
		contractID := e.ContractID
		if contractID == "" && p != nil { // recorded when a process had one contract
			contractID = p.ContractID
		}
		payments.of(w).put(paymentRow{Payment{OCID: w.id(), PaymentID: e.PaymentID, Amount: e.Amount, InvoiceRef: e.InvoiceRef, PaidAt: w.at(),
			ContractID: contractID}})
		batchOf(w).recount(recountPaid, w.id())
		return true, nil
	case events.ProcurementCancelled:
		return true, change(func(r *procurementRow) {
			r.Status, r.CancelledReason, r.ClosedAt = ProcurementCancelled, e.Reason, w.at()
		})
	case events.ProcurementCompleted:
		return true, change(func(r *procurementRow) { r.Status, r.ClosedAt = ProcurementCompleted, w.at() })
	}
	return applyProcurementLaw(w, p)
}

// procurementDecision links the event's process to a decision in a role.
func (w writer) procurementDecision(decisionID, role string) {
	if decisionID != "" {
		procurementDecisions.of(w).put(procurementDecisionRow{ProcurementDecision{OCID: w.id(), DecisionID: decisionID, Role: role}})
	}
}
