package readmodel

import (
	"cmp"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// Tender items: what a published tender buys, line by line, numbered in
// the order the tender lists them.

type tenderItemRow struct {
	ocid string
	seq  int
	events.TenderItem
}

type tenderItemKey struct {
	ocid string
	seq  int
}

var tenderItems = define(&table[tenderItemKey, tenderItemRow]{
	name: "tender_items", keys: 2, constraint: "PRIMARY KEY (ocid, seq)",
	columns: []column[tenderItemRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.ocid }),
		intCol("seq", "INTEGER NOT NULL", func(r *tenderItemRow) *int { return &r.seq }),
		textCol("item_id", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.ID }),
		textCol("description", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.Description }),
		textCol("cpv", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.CPV }),
		int64Col("quantity", "INTEGER NOT NULL", func(r *tenderItemRow) *int64 { return &r.Quantity }),
		textCol("unit", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.Unit }),
		int64Col("unit_value_cents", "INTEGER NOT NULL", func(r *tenderItemRow) *int64 { return &r.UnitValue.Cents }),
		textCol("unit_value_currency", "TEXT NOT NULL", func(r *tenderItemRow) *string { return &r.UnitValue.Currency }),
	},
	key:    func(r *tenderItemRow) tenderItemKey { return tenderItemKey{r.ocid, r.seq} },
	newRow: func(k tenderItemKey) tenderItemRow { return tenderItemRow{ocid: k.ocid, seq: k.seq} },
	order: func(a, b tenderItemKey) int {
		return cmp.Or(strings.Compare(a.ocid, b.ocid), cmp.Compare(a.seq, b.seq))
	},
})

// tenderItems records the items of the event's tender; a tender is
// published once, so they are its only items.
func (w writer) tenderItems(items []events.TenderItem) {
	rows := tenderItems.of(w)
	for i, it := range items {
		rows.put(tenderItemRow{ocid: w.id(), seq: i + 1, TenderItem: it})
	}
}
