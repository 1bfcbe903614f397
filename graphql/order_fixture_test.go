package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
)

// The lists fixture is a municipality recorded through the API so that
// every list of the schema holds two rows or more, and every connection
// three or more: the demo year leaves some with one (an item's documents,
// a decision's reissues, a meeting's substitutes) and some with none (a
// consultation's reopenings).

// listsFixture records the lists fixture and returns it with the ids the
// server chose (r1, the request) and the log's head when it was done.
func listsFixture(t *testing.T) (*writeEnv, map[string]string) {
	t.Helper()
	e := newWriteEnv(t, func(o *graphql.Options) { o.Writes.PublicBurst = 100 })
	return e, recordLists(t, e)
}

// recordLists records the lists fixture: bodies b1, b2 and b3 (m1 sits
// in all three); meeting mt1 with items it1–it3, it1 with three documents,
// three comments, three amendments, two members stepped out, three votes
// (two on amendments) and three decisions (two imported from an archive),
// it2 with two conflicts of interest; mt2 with two substitutes and two
// justified absences; mt3 scheduled; mt5 postponed twice, reopening its
// item's consultation twice; decision d1 corrected, reissued twice, sent
// under three protocol entries and linked to procurements p1–p3, all
// three awarded to supplier s1; p1 with three tender amendments, bids,
// contract amendments and payments; p4 awarded to s2 in dollars; the
// minutes of mt1 in two versions; request r1 answered, under three
// protocol entries.
func recordLists(t testing.TB, e *writeEnv) map[string]string {
	var settings map[string]any
	b, _ := json.Marshal(events.DefaultBodySettings(9))
	_ = json.Unmarshal(b, &settings)
	settings["substitutes"] = true
	ids := map[string]string{}
	v1, v2, v3 := vatID("09412345"), vatID("08876543"), vatID("07712345")
	ids["s1"] = v1
	docs := func(titles ...string) []any {
		out := make([]any, len(titles))
		for i, title := range titles {
			out[i] = doc(title)
		}
		return out
	}
	type cmd struct {
		name   string
		input  map[string]any
		public bool
		keep   string // keep the request id the answer names under this name
	}
	var cmds []cmd
	add := func(name string, m map[string]any) { cmds = append(cmds, cmd{name: name, input: m}) }

	for _, body := range []string{"b1", "b2", "b3"} {
		add("registerBody", map[string]any{"bodyId": body, "name": "Σώμα " + body, "kind": "council", "settings": settings, "at": ts(-30 * day)})
	}
	add("formFaction", map[string]any{"factionId": "fa", "bodyId": "b1", "name": "Παράταξη Α", "shortName": "Α", "colour": "#0072b2", "role": "majority", "at": ts(-30 * day)})
	add("formFaction", map[string]any{"factionId": "fb", "bodyId": "b1", "name": "Παράταξη Β", "shortName": "Β", "colour": "#e69f00", "role": "opposition", "at": ts(-30 * day)})
	for i := 1; i <= 7; i++ {
		role := "member"
		if i == 1 {
			role = "chair"
		}
		add("addMember", map[string]any{"bodyId": "b1", "memberId": fmt.Sprintf("m%d", i), "name": fmt.Sprintf("Σύμβουλος %d", i),
			"factionId": []string{"fb", "fa"}[i%2], "role": role, "at": ts(-30 * day)})
	}
	for _, s := range []string{"s1", "s2"} {
		add("addMember", map[string]any{"bodyId": "b1", "memberId": s, "name": "Αναπληρωτής " + s, "factionId": "fa", "role": "substitute", "at": ts(-30 * day)})
	}
	for _, body := range []string{"b2", "b3"} {
		add("addMember", map[string]any{"bodyId": body, "memberId": "m1", "name": "Σύμβουλος 1", "role": "member", "at": ts(-29 * day)})
	}
	for i, vat := range []string{v1, v2, v3} {
		add("registerSupplier", map[string]any{"vatId": vat, "name": fmt.Sprintf("Προμηθευτής %d", i+1), "kind": "sme", "country": "GR", "at": ts(-30 * day)})
	}

	// Meeting mt1: its agenda, consultation and sitting.
	add("scheduleMeeting", map[string]any{"meetingId": "mt1", "bodyId": "b1", "startsAt": ts(5 * day), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(-10 * day)})
	add("addItem", map[string]any{"meetingId": "mt1", "itemId": "it1", "title": "Θέμα 1", "description": "Εισήγηση",
		"documents": docs("Εισήγηση", "Πίνακας", "Χάρτης"), "presenter": "Δήμαρχος", "at": ts(-9 * day)})
	for _, it := range []string{"it2", "it3"} {
		add("addItem", map[string]any{"meetingId": "mt1", "itemId": it, "title": "Θέμα " + it, "description": "Εισήγηση", "presenter": "Δήμαρχος", "at": ts(-9 * day)})
	}
	add("publishAgenda", map[string]any{"meetingId": "mt1", "bodyId": "b1", "consultationClosesAt": ts(4 * day), "at": ts(-7 * day)})
	for i, text := range []string{"Πρώτο σχόλιο.", "Δεύτερο σχόλιο.", "Τρίτο σχόλιο."} {
		cmds = append(cmds, cmd{name: "submitComment", public: true, input: map[string]any{"itemId": "it1", "kind": "proposal", "text": text,
			"author": citizen, "at": ts(time.Duration(i) * time.Hour)}})
	}
	for _, m := range []string{"m3", "m4"} {
		add("declareConflict", map[string]any{"meetingId": "mt1", "bodyId": "b1", "itemId": "it2", "memberId": m, "reason": "Συγγένεια " + m, "at": ts(4*day + time.Hour)})
	}
	sit := func(d time.Duration) string { return ts(5*day + d) }
	add("conveneMeeting", map[string]any{"meetingId": "mt1", "bodyId": "b1", "present": []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7"},
		"presidingMemberId": "m1", "at": sit(10 * time.Minute)})
	for i, m := range []string{"m2", "m3", "m4"} {
		add("proposeAmendment", map[string]any{"amendmentId": fmt.Sprintf("a%d", i+1), "bodyId": "b1", "meetingId": "mt1", "itemId": "it1",
			"proposerId": m, "text": "Τροπολογία " + m, "at": sit(time.Duration(20+i) * time.Minute)})
	}
	for _, m := range []string{"m5", "m6"} {
		add("stepOut", map[string]any{"meetingId": "mt1", "itemId": "it1", "memberId": m, "at": sit(25 * time.Minute)})
	}
	// Two amendments' votes and the item's own on it1 (m5 and m6 out of
	// it), one vote on each other item (m3 and m4 out of it2).
	for i, v := range []struct{ id, item, amendment string }{{"va1", "it1", "a1"}, {"va2", "it1", "a2"}, {"v1", "it1", ""}, {"v2", "it2", ""}, {"v3", "it3", ""}} {
		at := time.Duration(30+10*i) * time.Minute
		in := map[string]any{"voteId": v.id, "bodyId": "b1", "meetingId": "mt1", "itemId": v.item, "question": "Εγκρίνεται;", "method": "roll_call", "at": sit(at)}
		if v.amendment != "" {
			in["amendmentId"] = v.amendment
		}
		add("openVote", in)
		voters := []string{"m1", "m2", "m3", "m4", "m7"}
		if v.item == "it2" {
			voters = []string{"m1", "m2", "m5", "m6", "m7"}
		}
		for j, m := range voters {
			add("castBallot", map[string]any{"voteId": v.id, "bodyId": "b1", "meetingId": "mt1", "memberId": m, "choice": []string{"yes", "yes", "yes", "yes", "no"}[j],
				"at": sit(at + time.Minute)})
		}
		add("closeVote", map[string]any{"voteId": v.id, "bodyId": "b1", "meetingId": "mt1", "at": sit(at + 3*time.Minute)})
	}
	// A decision on each item's vote (d4 and d5, imported, are it1's too).
	for i, d := range []struct{ id, item, vote string }{{"d1", "it1", "v1"}, {"d2", "it2", "v2"}, {"d3", "it3", "v3"}} {
		in := map[string]any{"decisionId": d.id, "bodyId": "b1", "meetingId": "mt1", "itemId": d.item, "voteId": d.vote,
			"title": "Απόφαση " + d.id, "text": "Εγκρίνει.", "legalBasis": "ν. 3852/2010 άρθ. 65", "at": sit(time.Duration(90+i) * time.Minute)}
		if d.id == "d1" {
			in["documents"] = docs("Απόφαση", "Παράρτημα")
		}
		add("adoptDecision", in)
	}
	add("adjournMeeting", map[string]any{"meetingId": "mt1", "at": sit(2 * time.Hour)})
	add("publishDecision", map[string]any{"decisionId": "d1", "register": "diavgeia", "registerId": "ΨΑΘ1ΩΕΚ-ΑΒΓ", "documentSha256": strings.Repeat("cd", 32), "at": ts(6 * day)})
	add("correctDecision", map[string]any{"decisionId": "d1", "reason": "Σφάλμα στο ποσό", "title": "Απόφαση d1 (διορθωμένη)", "text": "Εγκρίνει, διορθωμένη.",
		"documents": docs("Απόφαση, διορθωμένη", "Παράρτημα, διορθωμένο"), "at": ts(7 * day)})
	for i, ada := range []string{"ΨΑΘ1ΩΕΚ-ΔΕΖ", "ΨΑΘ1ΩΕΚ-ΗΘΙ"} {
		add("reissueDecision", map[string]any{"decisionId": "d1", "registerId": ada, "documentSha256": strings.Repeat(fmt.Sprintf("e%d", i), 32),
			"reason": "Ορθή επανάληψη", "at": ts(7*day + time.Duration(i+1)*time.Hour)})
	}
	add("draftMinutes", map[string]any{"meetingId": "mt1", "bodyId": "b1", "documents": docs("Σχέδιο πρακτικών", "Παράρτημα πρακτικών"),
		"decisionIds": []string{"d1", "d2", "d3"}, "at": ts(8 * day)})
	add("correctMinutes", map[string]any{"meetingId": "mt1", "reason": "Παράλειψη", "documents": docs("Πρακτικά, διορθωμένα"), "at": ts(9 * day)})
	for i := 1; i <= 3; i++ {
		in := map[string]any{"entryId": fmt.Sprintf("prot-d1-%d", i), "registry": "geniko-protokollo", "direction": "outgoing", "decisionId": "d1",
			"subject": fmt.Sprintf("Διαβίβαση %d", i), "correspondent": "Αποκεντρωμένη Διοίκηση", "at": ts(9*day + time.Duration(i)*time.Hour)}
		if i == 1 {
			in["documents"] = docs("Διαβιβαστικό", "Συνημμένο")
		}
		add("registerProtocolEntry", in)
	}

	// Meeting mt2: two substitutes sit for two members, whose absence is
	// justified.
	next := func(d time.Duration) string { return ts(14*day + d) }
	add("scheduleMeeting", map[string]any{"meetingId": "mt2", "bodyId": "b1", "startsAt": next(0), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(8 * day)})
	add("addItem", map[string]any{"meetingId": "mt2", "itemId": "it4", "title": "Θέμα 4", "presenter": "Πρόεδρος", "at": ts(8*day + time.Hour)})
	add("publishAgenda", map[string]any{"meetingId": "mt2", "bodyId": "b1", "consultationClosesAt": ts(13 * day), "at": ts(8*day + 2*time.Hour)})
	for i, s := range []struct{ sub, absent string }{{"s1", "m5"}, {"s2", "m6"}} {
		add("seatSubstitute", map[string]any{"meetingId": "mt2", "bodyId": "b1", "substituteId": s.sub, "forMemberId": s.absent, "at": ts(13*day + time.Duration(i)*time.Hour)})
		add("justifyAbsence", map[string]any{"meetingId": "mt2", "bodyId": "b1", "memberId": s.absent, "reason": "Ασθένεια", "at": ts(13*day + time.Duration(i)*time.Hour)})
	}
	add("conveneMeeting", map[string]any{"meetingId": "mt2", "bodyId": "b1", "present": []string{"m1", "m2", "m3", "m4", "m7", "s1", "s2"},
		"presidingMemberId": "m1", "at": next(10 * time.Minute)})
	add("adjournMeeting", map[string]any{"meetingId": "mt2", "at": next(time.Hour)})
	add("scheduleMeeting", map[string]any{"meetingId": "mt3", "bodyId": "b1", "startsAt": ts(40 * day), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(15 * day)})

	// Meeting mt5, postponed twice: its item's consultation reopens with
	// each new agenda.
	add("scheduleMeeting", map[string]any{"meetingId": "mt5", "bodyId": "b1", "startsAt": ts(22 * day), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(15 * day)})
	add("addItem", map[string]any{"meetingId": "mt5", "itemId": "it5", "title": "Θέμα 5", "presenter": "Δήμαρχος", "at": ts(15*day + time.Hour)})
	add("publishAgenda", map[string]any{"meetingId": "mt5", "bodyId": "b1", "consultationClosesAt": ts(21 * day), "at": ts(15*day + 2*time.Hour)})
	for i := 1; i <= 2; i++ {
		starts := 22*day + time.Duration(i)*8*day
		add("postponeMeeting", map[string]any{"meetingId": "mt5", "startsAt": ts(starts), "reason": "Αναβολή", "at": ts(starts - 10*day)})
		add("publishAgenda", map[string]any{"meetingId": "mt5", "bodyId": "b1", "consultationClosesAt": ts(starts - day), "at": ts(starts - 7*day)})
	}

	// Procurements p1–p3 under decision d1, each awarded to s1.
	for i, p := range []string{"p1", "p2", "p3"} {
		ocid := "ocds-tst001-" + p
		decisions := []string{"d1"}
		if p == "p1" {
			decisions = []string{"d1", "d2", "d3"}
		}
		day0 := time.Duration(i) * time.Hour
		add("planProcurement", map[string]any{"ocid": ocid, "title": "Έργο " + p, "buyerBodyId": "b1", "description": "Περιγραφή",
			"budget": eur(10_000_000), "cpv": []string{"45233141-9"}, "method": "open", "decisionIds": decisions, "at": ts(6*day + day0)})
		add("publishTender", map[string]any{"ocid": ocid, "procedure": "open", "ceiling": eur(9_000_000), "deadline": ts(20 * day), "at": ts(6*day + day0 + time.Minute)})
		suppliers := []string{v1}
		if p == "p1" {
			for j := 1; j <= 3; j++ {
				add("amendTender", map[string]any{"ocid": ocid, "ceiling": eur(9_000_000 + int64(j)*100_000), "deadline": ts(20*day + time.Duration(j)*day),
					"reason": fmt.Sprintf("Παράταση %d", j), "decisionId": "d2", "at": ts(7*day + time.Duration(j)*time.Hour)})
			}
			suppliers = []string{v1, v2, v3}
		}
		for j, vat := range suppliers {
			add("recordBid", map[string]any{"ocid": ocid, "bidId": fmt.Sprintf("bid%d", j+1), "supplierId": vat, "value": eur(8_000_000 + int64(j)*100_000),
				"at": ts(10*day + day0 + time.Duration(j)*time.Minute)})
		}
		add("awardProcurement", map[string]any{"ocid": ocid, "awardId": "aw1", "supplierId": v1, "value": eur(8_000_000), "decisionId": "d2", "at": ts(23*day + day0)})
		if p != "p1" {
			continue
		}
		add("signContract", map[string]any{"ocid": ocid, "contractId": "sym1", "value": eur(8_000_000),
			"period": map[string]any{"start": ts(26 * day), "end": ts(60 * day)}, "at": ts(25 * day)})
		for j := 1; j <= 3; j++ {
			add("amendContract", map[string]any{"ocid": ocid, "newValue": eur(8_000_000 + int64(j)*100_000), "reason": fmt.Sprintf("Συμπλήρωση %d", j),
				"decisionId": "d2", "at": ts(27*day + time.Duration(j)*time.Hour)})
		}
		for j := 1; j <= 3; j++ {
			add("recordPayment", map[string]any{"ocid": ocid, "paymentId": fmt.Sprintf("pay%d", j), "amount": eur(1_000_000), "invoiceRef": fmt.Sprintf("ΤΠΥ-%d", j),
				"at": ts(30*day + time.Duration(j)*day)})
		}
	}

	// A procurement in dollars, so that money comes in two currencies.
	usd := func(cents int64) map[string]any { return map[string]any{"cents": cents, "currency": "USD"} }
	add("planProcurement", map[string]any{"ocid": "ocds-tst001-p4", "title": "Λογισμικό", "buyerBodyId": "b1", "description": "Άδειες λογισμικού",
		"budget": usd(2_000_000), "cpv": []string{"48000000-8"}, "method": "open", "at": ts(6 * day)})
	add("publishTender", map[string]any{"ocid": "ocds-tst001-p4", "procedure": "open", "ceiling": usd(1_900_000), "deadline": ts(20 * day), "at": ts(6*day + time.Minute)})
	add("recordBid", map[string]any{"ocid": "ocds-tst001-p4", "bidId": "bid1", "supplierId": v2, "value": usd(1_800_000), "at": ts(10 * day)})
	add("awardProcurement", map[string]any{"ocid": "ocds-tst001-p4", "awardId": "aw1", "supplierId": v2, "value": usd(1_800_000), "decisionId": "d2", "at": ts(23 * day)})

	// Procurement p5 under ν. 4412/2016, in two lots: two commitments, an
	// evaluation of each lot, an objection to one evaluation (dismissed),
	// a recourse against one award (upheld, annulling it), the lot awarded
	// again, a contract per award signed, one modified within the limit
	// and one paid.
	p5 := "ocds-tst001-p5"
	add("planProcurement", map[string]any{"ocid": p5, "title": "Καθαριότητα κτιρίων", "buyerBodyId": "b1", "description": "Υπηρεσίες καθαριότητας σε δύο τμήματα",
		"budget": eur(10_000_000), "cpv": []string{"90910000-9"}, "procedureType": "open", "category": "services", "vatRate": 2400,
		"adam": "26REQ012345678", "decisionIds": []string{"d1"}, "at": ts(6*day + 5*time.Hour)})
	add("publishTender", map[string]any{"ocid": p5, "procedure": "open", "ceiling": eur(9_000_000), "deadline": ts(20 * day), "adam": "26PROC012345678",
		"lots": []any{map[string]any{"id": "L1", "title": "Δημαρχείο", "value": eur(5_000_000)}, map[string]any{"id": "L2", "title": "Σχολεία", "value": eur(4_000_000)}},
		"at":   ts(6*day + 6*time.Hour)})
	for j, b := range []struct{ id, lot, vat string }{{"b51", "L1", v1}, {"b52", "L1", v2}, {"b53", "L2", v1}, {"b54", "L2", v3}} {
		add("recordBid", map[string]any{"ocid": p5, "bidId": b.id, "supplierId": b.vat, "lotId": b.lot, "value": eur(3_500_000 + int64(j)*100_000),
			"at": ts(11*day + time.Duration(j)*time.Minute)})
	}
	for j, c := range []string{"c1", "c2"} {
		add("recordCommitment", map[string]any{"ocid": p5, "commitmentId": c, "amount": eur(6_000_000), "budgetLine": fmt.Sprintf("10.6277.000%d", j+1),
			"year": 2026, "at": ts(12*day + time.Duration(j)*time.Hour)})
	}
	add("recordEvaluation", map[string]any{"ocid": p5, "evaluationId": "ev1", "lotId": "L1", "phase": "financial", "ranking": []string{"b52", "b51"},
		"documents": docs("Πρακτικό 1"), "at": ts(21 * day)})
	add("recordEvaluation", map[string]any{"ocid": p5, "evaluationId": "ev2", "lotId": "L2", "phase": "financial", "ranking": []string{"b53"},
		"rejected": []any{map[string]any{"bidId": "b54", "reason": "Ελλιπή δικαιολογητικά"}}, "at": ts(21*day + time.Hour)})
	add("lodgeAppeal", map[string]any{"ocid": p5, "appealId": "ap1", "kind": "objection", "evaluationId": "ev2", "grounds": "Η προσφορά ήταν πλήρης.", "at": ts(22 * day)})
	add("decideAppeal", map[string]any{"ocid": p5, "appealId": "ap1", "outcome": "dismissed", "reason": "Τα δικαιολογητικά έλειπαν.", "at": ts(23 * day)})
	add("awardProcurement", map[string]any{"ocid": p5, "awardId": "aw1", "lotId": "L1", "supplierId": v2, "value": eur(3_600_000), "decisionId": "d2",
		"adam": "26AWRD012345678", "at": ts(24 * day)})
	add("awardProcurement", map[string]any{"ocid": p5, "awardId": "aw2", "lotId": "L2", "supplierId": v1, "value": eur(3_700_000), "decisionId": "d2", "at": ts(24*day + time.Hour)})
	add("lodgeAppeal", map[string]any{"ocid": p5, "appealId": "ap2", "kind": "recourse", "awardId": "aw1", "grounds": "Η κατακύρωση παραβιάζει τους όρους.", "at": ts(25 * day)})
	add("decideAppeal", map[string]any{"ocid": p5, "appealId": "ap2", "outcome": "upheld", "reason": "Η ΑΕΠΠ δέχθηκε την προσφυγή.", "decisionId": "d3", "at": ts(30 * day)})
	add("awardProcurement", map[string]any{"ocid": p5, "awardId": "aw3", "lotId": "L1", "supplierId": v1, "value": eur(3_500_000), "decisionId": "d3", "at": ts(31 * day)})
	add("signContract", map[string]any{"ocid": p5, "contractId": "sym5-1", "awardId": "aw3", "value": eur(3_500_000), "adam": "26SYMV012345678",
		"period": map[string]any{"start": ts(33 * day), "end": ts(400 * day)}, "at": ts(32 * day)})
	add("signContract", map[string]any{"ocid": p5, "contractId": "sym5-2", "value": eur(3_700_000), // the one award left
		"period": map[string]any{"start": ts(34 * day), "end": ts(300 * day)}, "at": ts(32*day + time.Hour)})
	add("amendContract", map[string]any{"ocid": p5, "contractId": "sym5-2", "newValue": eur(4_000_000), "reason": "Πρόσθετοι χώροι", "decisionId": "d3",
		"at": ts(40 * day)})
	add("recordPayment", map[string]any{"ocid": p5, "contractId": "sym5-1", "paymentId": "pay51", "amount": eur(1_000_000), "invoiceRef": "ΤΠΥ 51",
		"at": ts(40*day + time.Hour)})

	// Request r1, answered, under three protocol entries.
	cmds = append(cmds, cmd{name: "submitRequest", public: true, keep: "r1",
		input: map[string]any{"category": "information", "subject": "Αντίγραφο μελέτης", "requester": citizen, "at": ts(0)}})
	// Its entry in, which names nothing of the citizen, and two out.
	cmds = append(cmds, cmd{name: "registerProtocolEntry", input: map[string]any{"entryId": "prot-r1-1", "registry": "geniko-protokollo",
		"direction": "incoming", "requestId": "$r1", "at": ts(time.Hour)}})
	for i := 2; i <= 3; i++ {
		cmds = append(cmds, cmd{name: "registerProtocolEntry", input: map[string]any{"entryId": fmt.Sprintf("prot-r1-%d", i), "registry": "geniko-protokollo",
			"direction": "outgoing", "requestId": "$r1", "subject": fmt.Sprintf("Διαβίβαση αιτήματος %d", i),
			"at": ts(time.Duration(i) * time.Hour)}})
	}
	for _, c := range []cmd{
		{name: "acknowledgeRequest", input: map[string]any{"requestId": "$r1", "responseDays": 20, "at": ts(day)}},
		{name: "assignRequest", input: map[string]any{"requestId": "$r1", "department": "technikes-ypiresies", "officerId": "officer-1", "at": ts(2 * day)}},
		{name: "answerRequest", input: map[string]any{"requestId": "$r1", "summary": "Χορηγήθηκε.", "at": ts(5 * day)}},
	} {
		cmds = append(cmds, c)
	}

	for i, c := range cmds {
		input := map[string]any{}
		for k, v := range c.input {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
				v = ids[s[1:]]
			}
			input[k] = v
		}
		if at, ok := input["at"].(string); ok {
			tm, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Set(tm)
			if !takesAt(c.name) {
				delete(input, "at")
			}
		}
		call := call{query: mutationDoc(t, c.name), vars: map[string]any{"input": input}}
		if c.public {
			call.vars["key"] = fmt.Sprintf("lists-%03d-%s", i, c.name)
		} else {
			call.token = e.secrets["secretariat"]
			if tok := e.tokenOf(t, c.name); tok != e.secrets["clerk-b1"] {
				call.token = tok // procurement, requests: their own roles
			}
		}
		r, _ := e.do(t, call)
		if len(r.Errors) > 0 {
			t.Fatalf("lists fixture, command %d %s: %+v\ninput: %v", i, c.name, r.Errors, input)
		}
		if c.keep != "" {
			w, _ := decodeWritten(t, c.name, r)
			ids[c.keep] = w.RequestID
		}
	}
	// An archive's decisions on it1, imported without a vote of their own
	// (a vote decides one question once).
	ctx := context.Background()
	for i, id := range []string{"d4", "d5"} {
		adopt := events.AdoptDecision{DecisionID: id, BodyID: "b1", MeetingID: "mt1", ItemID: "it1", Title: "Απόφαση αρχείου " + id, Text: "Εγκρίνει.",
			LegalBasis: "ν. 3852/2010 άρθ. 65", Exception: &events.DecisionException{Kind: events.ExceptionImported, LegalBasis: "Ψηφιοποίηση αρχείου"},
			At: writeT0.Add(5*day + time.Duration(3+i)*time.Hour)}
		if _, err := e.svc.Handle(ctx, adopt, e.tokens.For(ctx, t, adopt), events.WithImport(events.Provenance{Source: "archive", SourceID: id,
			RetrievedAt: writeT0.Add(10 * day)})); err != nil {
			t.Fatalf("lists fixture, import %s: %v", id, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	head := e.head(t)
	if err := e.runner.WaitFor(wctx, head); err != nil {
		t.Fatalf("lists fixture: the read model did not catch up: %v", err)
	}
	ids["head"] = fmt.Sprint(uint64(head))
	return ids
}
