package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

const procurementsPerYear = 140

// Shares of processes whose bids all exceed the tender's ceiling, so the
// committee raises it before awarding, and of contracts the committee
// amends while they run.
const (
	tenderAmendmentShare   = 0.06
	contractAmendmentShare = 0.1
)

// pendingDecision is a step of a process that waits for the municipal
// committee's decision: an award, a raised tender ceiling, an amended
// contract. The committee's next meeting whose agenda is drawn up after
// due puts it on the agenda; once the decision is planned, finish plans
// what follows it.
type pendingDecision struct {
	title, description string
	due                time.Time
	finish             func(decisionID string, decided time.Time, adopt *chain) *chain
}

// planProcurement plans the year's contracting processes, each through
// every stage it reaches: plan, tender, bids, then (after the committee's
// decisions) a raised ceiling, award, contract, amendments, payments and
// completion, or a cancellation.
func (w *world) planProcurement(year int) []*chain {
	y0 := w.yearStart(year)
	var chains []*chain
	for n := range w.between(procurementsPerYear-20, procurementsPerYear+20) {
		ocid := fmt.Sprintf("%s-%d-%04d", w.ocidPrefix, y0.Year(), n+1)
		chains = append(chains, w.planProcess(ocid, y0.Add(time.Duration(w.between(0, 300))*24*time.Hour+9*time.Hour)))
	}
	return chains
}

// decide queues a decision of the committee.
func (w *world) decide(title, description string, due time.Time, finish func(decisionID string, decided time.Time, adopt *chain) *chain) {
	w.pending = append(w.pending, &pendingDecision{title: title, description: description, due: due, finish: finish})
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
	// The items: one to three lots of the CPV's goods or services, priced
	// within the ceiling.
	var items []events.TenderItem
	lots := w.between(1, 3)
	for i := range lots {
		qty := int64(w.between(1, 50)) * 10
		unitValue := ceiling / int64(lots) / qty
		items = append(items, events.TenderItem{ID: fmt.Sprint(i + 1), Description: fmt.Sprintf("%s — τμήμα %d", cpv.Greek, i+1),
			CPV: cpv.Code, Quantity: qty, Unit: pick(w, units), UnitValue: events.EUR(unitValue)})
	}
	w.add(ch, po, events.PublishTender{OCID: ocid, Procedure: string(method), Ceiling: events.EUR(ceiling), Deadline: deadline,
		Documents:   []events.DocumentRef{document("Διακήρυξη "+title, "diagonismoi/"+ocid+".pdf")},
		PeriodStart: t.Add(24 * time.Hour), Items: items, At: t})
	bidders := slices.Clone(w.supplier)
	w.rng.Shuffle(len(bidders), func(i, j int) { bidders[i], bidders[j] = bidders[j], bidders[i] })
	bidders = bidders[:w.between(1, 5)]
	// Now and then every bid is over the ceiling.
	over := method != events.ProcurementDirect && w.chance(tenderAmendmentShare)
	best, bestValue := "", int64(0)
	for i, s := range bidders {
		value := ceiling * int64(w.between(70, 99)) / 100
		if over {
			value = ceiling * int64(w.between(102, 112)) / 100
		}
		bidID := fmt.Sprintf("%s-bid-%d", ocid, i+1)
		w.add(ch, po, events.RecordBid{OCID: ocid, BidID: bidID, SupplierID: s.vat, Value: events.EUR(value),
			At: t.Add(time.Duration(10+i) * 24 * time.Hour)})
		// Now and then a bid other than the first is disqualified after
		// the deadline, at the opening of the bids.
		if i > 0 && w.chance(disqualifiedShare) {
			w.add(ch, po, events.ChangeBidStatus{OCID: ocid, BidID: bidID, Status: events.BidDisqualified,
				Reason: "Ελλιπή δικαιολογητικά συμμετοχής", At: deadline.Add(24 * time.Hour)})
			continue
		}
		if best == "" || value < bestValue {
			best, bestValue = s.vat, value
		}
	}
	if w.chance(0.07) {
		w.add(ch, po, events.CancelProcurement{OCID: ocid, Reason: "Ματαίωση λόγω ασύμφορων προσφορών", At: deadline.Add(5 * 24 * time.Hour)})
		return ch
	}
	if ch.cut {
		return ch
	}
	award := func(pre *chain, due time.Time) {
		w.decide("Κατακύρωση: "+title, "Έγκριση του πρακτικού αξιολόγησης προσφορών και κατακύρωση.", due,
			func(decisionID string, decided time.Time, adopt *chain) *chain {
				return w.planContract(ocid, title, best, bestValue, decisionID, decided, pre, adopt)
			})
	}
	if !over {
		award(ch, deadline.Add(2*24*time.Hour))
		return ch
	}
	raised := (bestValue + 99_999) / 100_000 * 100_000 // to the next thousand euros
	w.decide("Αύξηση προϋπολογισμού διαγωνισμού: "+title,
		"Όλες οι προσφορές υπερβαίνουν τον προϋπολογισμό του διαγωνισμού· εισήγηση για αύξησή του.", deadline.Add(2*24*time.Hour),
		func(decisionID string, decided time.Time, adopt *chain) *chain {
			amend := w.newChain("tender amendment "+ocid, ch, adopt)
			at := decided.Add(24 * time.Hour)
			if w.add(amend, po, events.AmendTender{OCID: ocid, Ceiling: events.EUR(raised), DecisionID: decisionID, At: at,
				Reason: "Αύξηση του προϋπολογισμού, καθώς όλες οι προσφορές τον υπερέβησαν"}) {
				award(amend, at.Add(2*24*time.Hour))
			}
			return amend
		})
	return ch
}

// planContract plans a process from its award to its completion, with now
// and then an amendment of the contract by the committee midway.
// disqualifiedShare is the share of bids, after each tender's first,
// disqualified for incomplete documents.
const disqualifiedShare = 0.08

// units are the units tender items are bought in.
var units = []string{"τεμάχιο", "κιλό", "λίτρο", "ώρα εργασίας", "μήνας υπηρεσίας", "τετραγωνικό μέτρο"}

func (w *world) planContract(ocid, title, best string, bestValue int64, decisionID string, decided time.Time, pre, adopt *chain) *chain {
	po := actorProcurement
	ch := w.newChain("contract "+ocid, pre, adopt)
	t := decided.Add(24 * time.Hour)
	w.add(ch, po, events.AwardProcurement{OCID: ocid, SupplierID: best, Value: events.EUR(bestValue), DecisionID: decisionID, At: t})
	start := t.Add(20 * 24 * time.Hour)
	period := events.ContractPeriod{Start: start, End: start.AddDate(0, w.between(2, 12), 0)}
	w.add(ch, po, events.SignContract{OCID: ocid, ContractID: ocid + "-sym", Value: events.EUR(bestValue), Period: period,
		Documents: []events.DocumentRef{document("Σύμβαση "+title, "symvaseis/"+ocid+".pdf")}, At: start.Add(-24 * time.Hour)})
	payments := w.between(1, 4)
	if w.chance(contractAmendmentShare) {
		// One payment, then the committee extends the contract and raises
		// its value; the rest is paid under the amended contract.
		span := period.End.Sub(period.Start)
		first := bestValue / int64(payments+1)
		w.add(ch, po, events.RecordPayment{OCID: ocid, PaymentID: ocid + "-pay-1", Amount: events.EUR(first),
			InvoiceRef: fmt.Sprintf("ΤΠΥ-%d", w.between(1000, 99999)), At: period.Start.Add(span / 4)})
		if ch.cut {
			return ch
		}
		value := bestValue * int64(w.between(105, 120)) / 100
		ext := w.between(1, 3)
		w.decide("Τροποποίηση σύμβασης: "+title, "Εισήγηση για παράταση της σύμβασης και συμπληρωματικές εργασίες.", period.Start.Add(span/4),
			func(decisionID string, decided time.Time, adopt *chain) *chain {
				amend := w.newChain("contract amendment "+ocid, ch, adopt)
				at := decided.Add(24 * time.Hour)
				newPeriod := events.ContractPeriod{Start: period.Start, End: maxTime(period.End, at).AddDate(0, ext, 0)}
				w.add(amend, po, events.AmendContract{OCID: ocid, NewValue: new(events.EUR(value)), NewPeriod: &newPeriod,
					Reason: "Συμπληρωματικές εργασίες που προέκυψαν κατά την εκτέλεση", DecisionID: decisionID, At: at})
				w.planPayments(amend, ocid, 1, payments, value-first, events.ContractPeriod{Start: at, End: newPeriod.End})
				return amend
			})
		return ch
	}
	w.planPayments(ch, ocid, 0, payments, bestValue, period)
	return ch
}

// planPayments pays amount in n instalments spread over period, numbered
// after the paid ones, then completes the process (most of the time).
func (w *world) planPayments(ch *chain, ocid string, paid, n int, amount int64, period events.ContractPeriod) {
	po := actorProcurement
	span := period.End.Sub(period.Start)
	sum := int64(0)
	for i := range n {
		part := amount / int64(n)
		if i == n-1 {
			part = amount - sum
		}
		sum += part
		w.add(ch, po, events.RecordPayment{OCID: ocid, PaymentID: fmt.Sprintf("%s-pay-%d", ocid, paid+i+1), Amount: events.EUR(part),
			InvoiceRef: fmt.Sprintf("ΤΠΥ-%d", w.between(1000, 99999)), At: period.Start.Add(span * time.Duration(i+1) / time.Duration(n+1))})
	}
	if w.chance(0.9) {
		w.add(ch, po, events.CompleteProcurement{OCID: ocid, At: period.End})
	}
}
