package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// The general protocol (γενικό πρωτόκολλο) of the municipality: documents
// received from other authorities and the replies sent to them, and the
// requests filed on paper at the citizen service centre, each numbered in
// the registry's sequence of the year. One chain registers them all in
// the order of their times, so the numbers are the same for a seed.

const protocolRegistry = "geniko-protokollo"

var protocolSenders = []string{"Περιφέρεια Νοτίου Αιγαίου", "Αποκεντρωμένη Διοίκηση Αιγαίου", "Υπουργείο Εσωτερικών",
	"ΔΕΥΑ Καλλιθέας", "Ελληνική Αστυνομία, Αστυνομικό Τμήμα", "Εφορεία Αρχαιοτήτων"}

var protocolSubjects = []string{"Διαβίβαση εγκυκλίου για τον προϋπολογισμό", "Αίτημα παροχής στοιχείων για την καθαριότητα",
	"Πρόσκληση σε σύσκεψη πολιτικής προστασίας", "Γνωμοδότηση για έργο στην οδό %s", "Έλεγχος νομιμότητας απόφασης"}

// incomingPerWeek is how many documents of other authorities the
// protocol receives a week.
const incomingPerWeek = 3

type protocolStep struct {
	at  time.Time
	cmd events.RegisterProtocolEntry
}

// planProtocol plans the year's protocol entries, after the request
// chains whose paper requests it registers.
func (w *world) planProtocol(year int, requests []*chain) []*chain {
	y0 := w.yearStart(year)
	var steps []protocolStep
	var after []*chain
	for _, ch := range requests {
		if len(ch.steps) == 0 {
			continue
		}
		r, ok := ch.steps[0].cmd.(events.SubmitRequest)
		if !ok || r.Channel != events.RequestViaServiceCentre || !w.chance(0.5) {
			continue
		}
		at := r.At.Add(30 * time.Minute)
		if at.Year() != r.At.Year() {
			continue // numbered in the year it is registered, which the request's may not be
		}
		after = append(after, ch)
		steps = append(steps, protocolStep{at, events.RegisterProtocolEntry{EntryID: "prot-" + r.RequestID, Registry: protocolRegistry,
			Direction: events.ProtocolIncoming, RequestID: r.RequestID, At: at}})
	}
	for week := range 52 {
		for k := range incomingPerWeek {
			at := y0.AddDate(0, 0, 7*week+k*2).Add(time.Duration(8+w.between(0, 6)) * time.Hour)
			id := fmt.Sprintf("prot-%d-%03d-%d", y0.Year(), week+1, k+1)
			subject := withPlace(pick(w, protocolSubjects), pick(w, streets))
			sender := pick(w, protocolSenders)
			steps = append(steps, protocolStep{at, events.RegisterProtocolEntry{EntryID: id, Registry: protocolRegistry,
				Direction: events.ProtocolIncoming, Subject: subject, Correspondent: sender, At: at,
				Documents: []events.DocumentRef{document(subject, "protokollo/"+id+".pdf")}}})
			if w.chance(0.6) {
				reply := at.Add(time.Duration(w.between(2, 9)) * 24 * time.Hour)
				if reply.Year() != at.Year() {
					continue
				}
				steps = append(steps, protocolStep{reply, events.RegisterProtocolEntry{EntryID: id + "-apantisi", Registry: protocolRegistry,
					Direction: events.ProtocolOutgoing, Subject: "Απάντηση: " + subject, Correspondent: sender, InReplyTo: id, At: reply,
					Documents: []events.DocumentRef{document("Απάντηση: "+subject, "protokollo/"+id+"-apantisi.pdf")}}})
			}
		}
	}
	slices.SortStableFunc(steps, func(a, b protocolStep) int { return a.at.Compare(b.at) })
	ch := w.newChain(fmt.Sprintf("protocol %d", y0.Year()), after...)
	for _, s := range steps {
		w.add(ch, actorClerk, s.cmd)
	}
	return []*chain{ch}
}
