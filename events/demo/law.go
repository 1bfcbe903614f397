package demo

import (
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// planLaw plans, each year, what ν. 4412/2016 and ν. 2690/1999 ask a
// procurement and a request officer to record: a direct award just under
// its threshold; an open procedure in two lots with a budget commitment,
// the evaluation committee's minutes, an appeal and a modification of the
// contract within the law's limit; and requests forwarded to the
// competent authority, extended once, and answered in part.
func (w *world) planLaw(year int) []*chain {
	y0 := w.yearStart(year)
	return append([]*chain{w.planDirectAward(y0), w.planLots(y0)}, w.planLawRequests(y0)...)
}

// lawOCID names the year's n-th process under the law.
func (w *world) lawOCID(y0 time.Time, n int) string {
	return fmt.Sprintf("%s-%d-n4412-%d", w.ocidPrefix, y0.Year(), n)
}

// adam is a ΚΗΜΔΗΣ ΑΔΑΜ of the year for a process number and stage.
func adam(y0 time.Time, kind events.ADAMKind, n int) string {
	return fmt.Sprintf("%02d%s%09d", y0.Year()%100, kind, 4412_000+n)
}

func (w *world) planDirectAward(y0 time.Time) *chain {
	po := actorProcurement
	ocid := w.lawOCID(y0, 1)
	ch := w.newChain("direct award " + ocid)
	t := y0.AddDate(0, 0, 40).Add(9 * time.Hour)
	net := int64(29_900_00) // just under the 30,000 € net of art. 118
	title := "Συντήρηση πρασίνου σχολικών μονάδων"
	w.add(ch, po, events.PlanProcurement{OCID: ocid, Title: title, Description: "Απευθείας ανάθεση υπηρεσιών συντήρησης πρασίνου.",
		BuyerBodyID: "kal-dimotiki-epitropi", Department: "perivallon", Budget: events.EUR(net), CPV: []string{"77310000-6"},
		Procedure: events.ProcedureDirectAward, Category: events.CategoryServices, VATRate: 2400, ADAM: adam(y0, events.ADAMRequest, 1), At: t})
	w.add(ch, po, events.RecordCommitment{OCID: ocid, CommitmentID: fmt.Sprintf("aay-%d-%d", y0.Year(), 118), Amount: events.WithVAT(events.EUR(net), 2400),
		BudgetLine: "35-6262.001", Year: y0.Year(), At: t.Add(24 * time.Hour)})
	published := t.Add(3 * 24 * time.Hour)
	deadline := published.Add(10 * 24 * time.Hour)
	w.add(ch, po, events.PublishTender{OCID: ocid, Procedure: events.ProcedureDirectAward.Details(), Ceiling: events.EUR(net), Deadline: deadline,
		ADAM: adam(y0, events.ADAMNotice, 1), At: published})
	s := w.supplier[0]
	bid := int64(29_850_00)
	w.add(ch, po, events.RecordBid{OCID: ocid, BidID: ocid + "-bid-1", SupplierID: s.vat, Value: events.EUR(bid), At: published.Add(3 * 24 * time.Hour)})
	w.decide("Απευθείας ανάθεση: "+title, "Ανάθεση κάτω του ορίου του άρθρου 118 ν. 4412/2016.", deadline.Add(24*time.Hour),
		func(decisionID string, decided time.Time, adopt *chain) *chain {
			c := w.newChain("direct award contract "+ocid, ch, adopt)
			at := decided.Add(24 * time.Hour)
			w.add(c, po, events.AwardProcurement{OCID: ocid, SupplierID: s.vat, Value: events.EUR(bid), DecisionID: decisionID, ADAM: adam(y0, events.ADAMAward, 1), At: at})
			start := at.Add(5 * 24 * time.Hour)
			w.add(c, po, events.SignContract{OCID: ocid, ContractID: ocid + "-sym", Value: events.EUR(bid), Period: events.ContractPeriod{Start: start, End: start.AddDate(0, 6, 0)},
				ADAM: adam(y0, events.ADAMContract, 1), At: start})
			w.add(c, po, events.RecordPayment{OCID: ocid, PaymentID: ocid + "-pay-1", Amount: events.EUR(bid), InvoiceRef: "ΤΠΥ-4412-1",
				ADAM: adam(y0, events.ADAMPayment, 1), At: start.AddDate(0, 6, 0)})
			w.add(c, po, events.CompleteProcurement{OCID: ocid, At: start.AddDate(0, 6, 2)})
			return c
		})
	return ch
}

func (w *world) planLots(y0 time.Time) *chain {
	po := actorProcurement
	ocid := w.lawOCID(y0, 2)
	ch := w.newChain("procedure in lots " + ocid)
	t := y0.AddDate(0, 0, 60).Add(9 * time.Hour)
	title := "Προμήθεια τροφίμων για τους παιδικούς σταθμούς"
	budget := int64(120_000_00)
	w.add(ch, po, events.PlanProcurement{OCID: ocid, Title: title, Description: "Ανοικτή διαδικασία σε δύο τμήματα: φρούτα και λαχανικά, γαλακτοκομικά.",
		BuyerBodyID: "kal-dimotiki-epitropi", Department: "koinoniki-politiki", Budget: events.EUR(budget), CPV: []string{"15300000-1", "15500000-3"},
		Procedure: events.ProcedureOpen, Category: events.CategorySupplies, VATRate: 1300, ADAM: adam(y0, events.ADAMRequest, 2), At: t})
	w.add(ch, po, events.RecordCommitment{OCID: ocid, CommitmentID: fmt.Sprintf("aay-%d-%d", y0.Year(), 131), Amount: events.WithVAT(events.EUR(budget), 1300),
		BudgetLine: "15-6481.001", Year: y0.Year(), At: t.Add(24 * time.Hour)})
	published := t.Add(7 * 24 * time.Hour)
	deadline := published.Add(35 * 24 * time.Hour)
	lots := []events.Lot{{ID: "1", Title: "Φρούτα και λαχανικά", Value: events.EUR(60_000_00)}, {ID: "2", Title: "Γαλακτοκομικά", Value: events.EUR(50_000_00)}}
	w.add(ch, po, events.PublishTender{OCID: ocid, Procedure: events.ProcedureOpen.Details(), Ceiling: events.EUR(110_000_00), Deadline: deadline, Lots: lots,
		Documents: []events.DocumentRef{document("Διακήρυξη "+title, "diagonismoi/"+ocid+".pdf")}, ADAM: adam(y0, events.ADAMNotice, 2), At: published})
	s0, s1, s2 := w.supplier[1], w.supplier[2], w.supplier[3]
	bids := []struct {
		s     supplier
		lot   string
		value int64
	}{{s0, "1", 55_000_00}, {s1, "1", 57_500_00}, {s1, "2", 45_000_00}, {s2, "2", 44_000_00}}
	for i, b := range bids {
		w.add(ch, po, events.RecordBid{OCID: ocid, BidID: fmt.Sprintf("%s-bid-%d", ocid, i+1), SupplierID: b.s.vat, Value: events.EUR(b.value), LotID: b.lot,
			At: published.Add(time.Duration(10+i) * 24 * time.Hour)})
	}
	bid := func(i int) string { return fmt.Sprintf("%s-bid-%d", ocid, i) }
	evaluated := deadline.Add(3 * 24 * time.Hour)
	w.add(ch, po, events.RecordEvaluation{OCID: ocid, EvaluationID: "ev-1", LotID: "1", Phase: events.EvaluationFinancial, Ranking: []string{bid(1), bid(2)},
		Documents: []events.DocumentRef{document("Πρακτικό επιτροπής αξιολόγησης, τμήμα 1", "praktika/"+ocid+"-1.pdf")}, At: evaluated})
	w.add(ch, po, events.RecordEvaluation{OCID: ocid, EvaluationID: "ev-2", LotID: "2", Phase: events.EvaluationFinancial, Ranking: []string{bid(3)},
		Rejected:  []events.BidRejection{{BidID: bid(4), Reason: "Η εγγυητική επιστολή συμμετοχής δεν κάλυπτε το απαιτούμενο ποσό"}},
		Documents: []events.DocumentRef{document("Πρακτικό επιτροπής αξιολόγησης, τμήμα 2", "praktika/"+ocid+"-2.pdf")}, At: evaluated})
	w.decide("Κατακύρωση ανά τμήμα: "+title, "Έγκριση των πρακτικών της επιτροπής αξιολόγησης και κατακύρωση των δύο τμημάτων.", evaluated.Add(2*24*time.Hour),
		func(decisionID string, decided time.Time, adopt *chain) *chain {
			c := w.newChain("lots awards "+ocid, ch, adopt)
			at := decided.Add(24 * time.Hour)
			w.add(c, po, events.AwardProcurement{OCID: ocid, AwardID: "award-1", LotID: "1", SupplierID: s0.vat, Value: events.EUR(55_000_00), DecisionID: decisionID,
				ADAM: adam(y0, events.ADAMAward, 2), At: at})
			w.add(c, po, events.AwardProcurement{OCID: ocid, AwardID: "award-2", LotID: "2", SupplierID: s1.vat, Value: events.EUR(45_000_00), DecisionID: decisionID,
				ADAM: adam(y0, events.ADAMAward, 3), At: at})
			w.add(c, po, events.LodgeAppeal{OCID: ocid, AppealID: "enstasi-1", Kind: events.AppealObjection, AwardID: "award-2",
				Grounds: "Ο αποκλεισμός της προσφοράς μας για την εγγυητική επιστολή είναι αντίθετος με τη διακήρυξη.", At: at.Add(3 * 24 * time.Hour)})
			w.add(c, po, events.DecideAppeal{OCID: ocid, AppealID: "enstasi-1", Outcome: events.AppealDismissed,
				Reason: "Η εγγυητική επιστολή υπολειπόταν του 2% της εκτιμώμενης αξίας του τμήματος.", At: at.Add(9 * 24 * time.Hour)})
			start := at.Add(15 * 24 * time.Hour)
			period := events.ContractPeriod{Start: start, End: start.AddDate(1, 0, 0)}
			// Each lot's award is carried out by its own contract with its supplier.
			w.add(c, po, events.SignContract{OCID: ocid, ContractID: ocid + "-sym-1", AwardID: "award-1", Value: events.EUR(55_000_00), Period: period,
				ADAM: adam(y0, events.ADAMContract, 2), At: start})
			w.add(c, po, events.SignContract{OCID: ocid, ContractID: ocid + "-sym-2", AwardID: "award-2", Value: events.EUR(45_000_00), Period: period,
				ADAM: adam(y0, events.ADAMContract, 3), At: start})
			w.add(c, po, events.RecordPayment{OCID: ocid, ContractID: ocid + "-sym-1", PaymentID: ocid + "-pay-1", Amount: events.EUR(40_000_00), InvoiceRef: "ΤΠΥ-4412-2",
				ADAM: adam(y0, events.ADAMPayment, 2), At: start.AddDate(0, 3, 0)})
			w.add(c, po, events.RecordPayment{OCID: ocid, ContractID: ocid + "-sym-2", PaymentID: ocid + "-pay-2", Amount: events.EUR(45_000_00), InvoiceRef: "ΤΠΥ-4412-3",
				ADAM: adam(y0, events.ADAMPayment, 3), At: start.AddDate(0, 3, 1)})
			w.decide("Τροποποίηση σύμβασης: "+title, "Αύξηση των ποσοτήτων του τμήματος 1 κατά 9%, εντός του ορίου του άρθρου 132 ν. 4412/2016.", start.AddDate(0, 4, 0),
				func(decisionID string, decided time.Time, adopt *chain) *chain {
					m := w.newChain("lots modification "+ocid, c, adopt)
					at := decided.Add(24 * time.Hour)
					w.add(m, po, events.AmendContract{OCID: ocid, ContractID: ocid + "-sym-1", NewValue: new(events.EUR(59_950_00)),
						Reason: "Αύξηση των παιδιών που φιλοξενούνται στους σταθμούς", DecisionID: decisionID, At: at})
					w.add(m, po, events.RecordPayment{OCID: ocid, ContractID: ocid + "-sym-1", PaymentID: ocid + "-pay-3", Amount: events.EUR(19_950_00), InvoiceRef: "ΤΠΥ-4412-4",
						At: maxTime(at, period.End).Add(24 * time.Hour)})
					return m
				})
			return c
		})
	return ch
}

// planLawRequests plans a request forwarded to the competent authority,
// one extended once, and one answered in part.
func (w *world) planLawRequests(y0 time.Time) []*chain {
	ro := actorRequests
	var chains []*chain
	for n, kind := range []string{"forwarded", "extended", "partial"} {
		id := fmt.Sprintf("kal-%d-law-%d", y0.Year(), n+1)
		ch := w.newChain("request " + id)
		at := y0.AddDate(0, 0, 90+7*n).Add(10 * time.Hour)
		w.add(ch, actorPublic, events.SubmitRequest{RequestID: id, Category: events.RequestInformation, Channel: events.RequestViaWeb,
			Subject: "Αντίγραφο της μελέτης για την ανάπλαση της κεντρικής πλατείας", Requester: w.citizens[n%len(w.citizens)], At: at})
		w.add(ch, ro, events.AcknowledgeRequest{RequestID: id, At: at.Add(20 * time.Hour)})
		switch kind {
		case "forwarded":
			w.add(ch, ro, events.ForwardRequest{RequestID: id, To: "Περιφέρεια Αττικής, Διεύθυνση Τεχνικών Έργων",
				Reason: "Η μελέτη εκπονήθηκε και τηρείται από την Περιφέρεια.", At: at.Add(2 * 24 * time.Hour)})
		case "extended":
			w.add(ch, ro, events.AssignRequest{RequestID: id, Department: "technical-services", At: at.Add(2 * 24 * time.Hour)})
			w.add(ch, ro, events.ExtendRequest{RequestID: id, Days: 10, Reason: "Ο φάκελος βρίσκεται στο ιστορικό αρχείο και αναζητείται.", At: at.Add(15 * 24 * time.Hour)})
			w.add(ch, ro, events.AnswerRequest{RequestID: id, Summary: "Χορηγείται αντίγραφο της μελέτης.", At: at.Add(26 * 24 * time.Hour)})
		case "partial":
			w.add(ch, ro, events.AnswerRequest{RequestID: id, Summary: "Χορηγείται η μελέτη χωρίς το παράρτημα με τα στοιχεία ιδιοκτησίας.",
				Withheld: &events.Withholding{Reason: "Το παράρτημα περιέχει προσωπικά δεδομένα ιδιοκτητών.", LegalBasis: "ν. 2690/1999 άρθρο 5 παρ. 3"},
				At:       at.Add(12 * 24 * time.Hour)})
		}
		chains = append(chains, ch)
	}
	return chains
}
