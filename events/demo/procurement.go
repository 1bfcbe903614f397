package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

const procurementsPerYear = 140

// pendingAward is a process whose bids are in, waiting for the municipal
// committee's decision to award it; finish plans the rest once the
// decision is planned.
type pendingAward struct {
	title  string
	due    time.Time
	pre    *chain
	finish func(decisionID string, decided time.Time) *chain
}

// planProcurement plans the year's contracting processes, each through
// every stage it reaches: plan, tender, bids, then (after the committee's
// award decision) award, contract, amendments, payments and completion, or
// a cancellation. Tender and contract amendments need decisions of their
// own and are not generated yet.
func (w *world) planProcurement(year int) []*chain {
	y0 := w.yearStart(year)
	var chains []*chain
	for n := range w.between(procurementsPerYear-20, procurementsPerYear+20) {
		ocid := fmt.Sprintf("%s-%d-%04d", ocidPrefix, y0.Year(), n+1)
		chains = append(chains, w.planProcess(ocid, y0.Add(time.Duration(w.between(0, 300))*24*time.Hour+9*time.Hour)))
	}
	return chains
}

func (w *world) planProcess(ocid string, t time.Time) *chain {
	ch := w.newChain("procurement " + ocid)
	po := actorProcurement
	cpv := pick(w, cpvCodes)
	budget := (cpv.MinCents + w.rng.Int64N(cpv.MaxCents-cpv.MinCents+1)) / 10_000 * 10_000
	method := events.ProcurementOpen
	switch {
	case budget < 3_000_000:
		method = events.ProcurementDirect
	case w.chance(0.15):
		method = events.ProcurementSelective
	case w.chance(0.1):
		method = events.ProcurementLimited
	}
	place := pick(w, streets)
	title := fmt.Sprintf("%s — %s", cpv.Greek, place)
	w.add(ch, po, events.PlanProcurement{OCID: ocid, Title: title, Description: cpv.English + ": " + place,
		BuyerBodyID: "kal-dimotiki-epitropi", Department: pick(w, departments), Budget: events.EUR(budget),
		CPV: []string{cpv.Code}, Method: method, At: t})

	ceiling := budget * 9 / 10
	t = t.Add(7 * 24 * time.Hour)
	deadline := t.Add(30 * 24 * time.Hour)
	w.add(ch, po, events.PublishTender{OCID: ocid, Procedure: string(method), Ceiling: events.EUR(ceiling), Deadline: deadline,
		Documents: []events.DocumentRef{document("Διακήρυξη "+title, "diagonismoi/"+ocid+".pdf")}, At: t})
	bidders := slices.Clone(w.supplier)
	w.rng.Shuffle(len(bidders), func(i, j int) { bidders[i], bidders[j] = bidders[j], bidders[i] })
	bidders = bidders[:w.between(1, 5)]
	best, bestValue := "", int64(0)
	for i, s := range bidders {
		value := ceiling * int64(w.between(70, 99)) / 100
		w.add(ch, po, events.RecordBid{OCID: ocid, BidID: fmt.Sprintf("%s-bid-%d", ocid, i+1), SupplierID: s.vat, Value: events.EUR(value),
			At: t.Add(time.Duration(10+i) * 24 * time.Hour)})
		if best == "" || value < bestValue {
			best, bestValue = s.vat, value
		}
	}
	if w.chance(0.07) {
		w.add(ch, po, events.CancelProcurement{OCID: ocid, Reason: "Ματαίωση λόγω ασύμφορων προσφορών", At: deadline.Add(5 * 24 * time.Hour)})
		return ch
	}
	w.awards = append(w.awards, &pendingAward{title: title, due: deadline.Add(2 * 24 * time.Hour), pre: ch,
		finish: func(decisionID string, decided time.Time) *chain {
			return w.planContract(ocid, title, best, bestValue, decisionID, decided, ch)
		}})
	return ch
}

// planContract plans a process from its award to its completion.
func (w *world) planContract(ocid, title, best string, bestValue int64, decisionID string, decided time.Time, pre *chain) *chain {
	po := actorProcurement
	ch := w.newChain("contract "+ocid, pre)
	t := decided.Add(24 * time.Hour)
	w.add(ch, po, events.AwardProcurement{OCID: ocid, SupplierID: best, Value: events.EUR(bestValue), DecisionID: decisionID, At: t})
	start := t.Add(20 * 24 * time.Hour)
	period := events.ContractPeriod{Start: start, End: start.AddDate(0, w.between(2, 12), 0)}
	w.add(ch, po, events.SignContract{OCID: ocid, ContractID: ocid + "-sym", Value: events.EUR(bestValue), Period: period,
		Documents: []events.DocumentRef{document("Σύμβαση "+title, "symvaseis/"+ocid+".pdf")}, At: start.Add(-24 * time.Hour)})
	value := bestValue
	payments := w.between(1, 4)
	span := period.End.Sub(period.Start)
	paid := int64(0)
	for i := range payments {
		amount := value / int64(payments)
		if i == payments-1 {
			amount = value - paid
		}
		paid += amount
		w.add(ch, po, events.RecordPayment{OCID: ocid, PaymentID: fmt.Sprintf("%s-pay-%d", ocid, i+1), Amount: events.EUR(amount),
			InvoiceRef: fmt.Sprintf("ΤΠΥ-%d", w.between(1000, 99999)), At: period.Start.Add(span * time.Duration(i+1) / time.Duration(payments+1))})
	}
	if w.chance(0.9) {
		w.add(ch, po, events.CompleteProcurement{OCID: ocid, At: period.End})
	}
	return ch
}
