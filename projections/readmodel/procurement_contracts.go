package readmodel

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// A process's contracts, one per award: each lot awarded to its own
// supplier is carried out by its own contract. The process's row keeps
// them together (the first contract's id, their value, the span of their
// periods, how many); each contract is a row of procurement_contracts,
// and its amendments and payments name it.

// Contract is a signed contract: the award it carries out and
// its supplier, its value now (net and with VAT) and when signed, its
// period, its ΑΔΑΜ and what was paid under it.
type Contract struct {
	OCID          string        `json:"ocid"`
	ContractID    string        `json:"contract_id"`
	AwardID       string        `json:"award_id"`
	SupplierVATID string        `json:"supplier_vat_id"`
	Value         *events.Money `json:"value,omitempty"`
	ValueWithVAT  *events.Money `json:"value_with_vat,omitempty"`
	Original      *events.Money `json:"original_value,omitempty"`
	PeriodStart   time.Time     `json:"period_start"`
	PeriodEnd     time.Time     `json:"period_end"`
	ADAM          string        `json:"adam,omitempty"`
	SignedAt      time.Time     `json:"signed_at"`
	Paid          events.Money  `json:"paid"` // derived from payments
}

type contractRow struct{ Contract }

var procurementContracts = define(&table[ocidKey, contractRow]{
	name: "procurement_contracts", keys: 2, constraint: "PRIMARY KEY (ocid, contract_id)",
	columns: []column[contractRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *contractRow) *string { return &r.OCID }),
		textCol("contract_id", "TEXT NOT NULL", func(r *contractRow) *string { return &r.ContractID }),
		textCol("award_id", "TEXT NOT NULL", func(r *contractRow) *string { return &r.AwardID }),
		textCol("supplier_vat_id", "TEXT NOT NULL", func(r *contractRow) *string { return &r.SupplierVATID }),
		centsCol("value_cents", func(r *contractRow) **events.Money { return &r.Value }),
		currencyCol("value_currency", func(r *contractRow) **events.Money { return &r.Value }),
		centsCol("value_with_vat_cents", func(r *contractRow) **events.Money { return &r.ValueWithVAT }),
		currencyCol("value_with_vat_currency", func(r *contractRow) **events.Money { return &r.ValueWithVAT }),
		centsCol("original_cents", func(r *contractRow) **events.Money { return &r.Original }),
		currencyCol("original_currency", func(r *contractRow) **events.Money { return &r.Original }),
		timeCol("period_start", func(r *contractRow) *time.Time { return &r.PeriodStart }),
		timeCol("period_end", func(r *contractRow) *time.Time { return &r.PeriodEnd }),
		textCol("adam", "TEXT NOT NULL", func(r *contractRow) *string { return &r.ADAM }),
		timeCol("signed_at", func(r *contractRow) *time.Time { return &r.SignedAt }),
	},
	indexes: []string{`CREATE INDEX {procurement_contracts_supplier} ON {procurement_contracts} (supplier_vat_id, ocid, contract_id)`},
	key:     func(r *contractRow) ocidKey { return ocidKey{r.OCID, r.ContractID} },
	newRow:  func(k ocidKey) contractRow { return contractRow{Contract{OCID: k.ocid, ContractID: k.id}} },
	order:   byOCIDKey,
})

// signContract writes a contract and adds it to its process's row. A
// contract recorded before each award had its own carries out the
// process's award.
func signContract(w writer, e events.ProcurementContractSigned) error {
	p, err := procurements.of(w).get(w, w.id())
	if err != nil || p == nil {
		return err
	}
	c := Contract{OCID: w.id(), ContractID: e.ContractID, AwardID: e.AwardID, SupplierVATID: p.SupplierVATID,
		Value: amount(e.Value), ValueWithVAT: amount(e.ValueWithVAT), Original: amount(e.Value),
		PeriodStart: e.Period.Start.UTC(), PeriodEnd: e.Period.End.UTC(), ADAM: e.ADAM, SignedAt: w.at()}
	if c.AwardID == "" {
		c.AwardID = p.awardID
	} else {
		a, err := procurementAwards.of(w).get(w, ocidKey{w.id(), e.AwardID})
		if err != nil {
			return err
		}
		if a != nil {
			c.SupplierVATID = a.SupplierVATID
		}
	}
	procurementContracts.of(w).put(contractRow{c})
	_, err = procurements.of(w).change(w, w.id(), func(r *procurementRow) {
		r.Status = ProcurementContract
		if r.ContractCount == 0 {
			r.ContractID, r.SignedAt, r.ContractADAM = e.ContractID, w.at(), e.ADAM
			r.ContractStart, r.ContractEnd = c.PeriodStart, c.PeriodEnd
		} else {
			r.ContractStart, r.ContractEnd = earliest(r.ContractStart, c.PeriodStart), latest(r.ContractEnd, c.PeriodEnd)
		}
		r.ContractCount++
		r.ContractValue = plus(r.ContractValue, c.Value, 0)
		r.ContractWithVAT = plus(r.ContractWithVAT, c.ValueWithVAT, 0)
	})
	if err != nil {
		return err
	}
	return w.documents("contract", w.id(), e.Documents)
}

// amendContract writes a contract amendment, the contract's new value and
// period, and the change to its process's row. One recorded when a
// process had one contract amends that one.
func amendContract(w writer, e events.ProcurementContractAmended) error {
	p, err := procurements.of(w).get(w, w.id())
	if err != nil || p == nil {
		return err
	}
	id := cmp.Or(e.ContractID, p.ContractID)
	seq, err := w.nextSeq(batchOf(w).seqs, seqKey("contract_amendments", w.id()), 1,
		`SELECT coalesce(max(seq), 0) FROM {contract_amendments} WHERE ocid = ?`, w.id())
	if err != nil {
		return err
	}
	contractAmendments.of(w).put(contractAmendmentRow{ContractAmendment{OCID: w.id(), Seq: int(seq), Value: amount(e.Value),
		PeriodStart: e.Period.Start.UTC(), PeriodEnd: e.Period.End.UTC(), Reason: e.Reason, DecisionID: e.DecisionID, AmendedAt: w.at(),
		ContractID: id}})
	var was, wasVAT *events.Money
	if _, err := procurementContracts.of(w).change(w, ocidKey{w.id(), id}, func(r *contractRow) {
		was, wasVAT = r.Value, r.ValueWithVAT
		if v := amount(e.Value); v != nil {
			r.Value = v
		}
		if v := amount(e.ValueWithVAT); v != nil {
			r.ValueWithVAT = v
		}
		if !e.Period.Start.IsZero() {
			r.PeriodStart = e.Period.Start.UTC()
		}
		if !e.Period.End.IsZero() {
			r.PeriodEnd = e.Period.End.UTC()
		}
	}); err != nil {
		return err
	}
	if _, err := procurements.of(w).change(w, w.id(), func(r *procurementRow) {
		if v := amount(e.Value); v != nil {
			r.ContractValue = plus(r.ContractValue, v, cents(was))
		}
		if v := amount(e.ValueWithVAT); v != nil {
			r.ContractWithVAT = plus(r.ContractWithVAT, v, cents(wasVAT))
		}
		start, end := e.Period.Start.UTC(), e.Period.End.UTC()
		if r.ContractCount <= 1 { // the span of one contract is its period
			if !start.IsZero() {
				r.ContractStart = start
			}
			if !end.IsZero() {
				r.ContractEnd = end
			}
		} else {
			r.ContractStart, r.ContractEnd = earliest(r.ContractStart, start), latest(r.ContractEnd, end)
		}
	}); err != nil {
		return err
	}
	w.procurementDecision(e.DecisionID, "contract_amendment")
	return nil
}

// plus is sum with v added and less taken away; nil and nil is nil.
func plus(sum, v *events.Money, less int64) *events.Money {
	if v == nil {
		return sum
	}
	out := events.Money{Cents: v.Cents - less, Currency: v.Currency}
	if sum != nil {
		out.Cents += sum.Cents
	}
	return &out
}

func cents(m *events.Money) int64 {
	if m == nil {
		return 0
	}
	return m.Cents
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

const contractColumns = `ocid, contract_id, award_id, supplier_vat_id, value_cents, coalesce(value_currency, ''), value_with_vat_cents,
	coalesce(value_with_vat_currency, ''), original_cents, coalesce(original_currency, ''), coalesce(period_start, ''),
	coalesce(period_end, ''), adam, coalesce(signed_at, ''),
	(SELECT coalesce(sum(amount_cents), 0) FROM payments p WHERE p.ocid = c.ocid AND p.contract_id = c.contract_id)`

func scanContract(sc scanner) (Contract, error) {
	var c Contract
	var v, vv, o *int64
	var vc, vvc, oc, start, end, signed string
	err := sc.Scan(&c.OCID, &c.ContractID, &c.AwardID, &c.SupplierVATID, &v, &vc, &vv, &vvc, &o, &oc, &start, &end, &c.ADAM, &signed, &c.Paid.Cents)
	c.Value, c.ValueWithVAT, c.Original = moneyOf(v, vc), moneyOf(vv, vvc), moneyOf(o, oc)
	c.PeriodStart, c.PeriodEnd, c.SignedAt = parseTime(start), parseTime(end), parseTime(signed)
	c.Paid.Currency = vc
	return c, err
}

// ProcurementContracts returns the contracts of a process by contract id.
func (s *Snapshot) ProcurementContracts(ctx context.Context, ocid string) ([]Contract, error) {
	return perProcess(ctx, s, `SELECT `+contractColumns+` FROM procurement_contracts c WHERE ocid = ? ORDER BY contract_id`, ocid, scanContract)
}

// contractsOf returns the contracts a fold holds, by contract id, each
// with what its payments there add up to.
func contractsOf(f *entityFold) []Contract {
	paid := map[string]int64{}
	for _, p := range rowsOf(f, payments) {
		paid[p.ContractID] += p.Amount.Cents
	}
	var out []Contract
	for _, r := range rowsOf(f, procurementContracts) {
		c := r.Contract
		c.Paid = events.Money{Cents: paid[c.ContractID]}
		if c.Value != nil {
			c.Paid.Currency = c.Value.Currency
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Contract) int { return strings.Compare(a.ContractID, b.ContractID) })
	return nonNil(out)
}
