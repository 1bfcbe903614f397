package demo

import (
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

const requestsPerYear = 2400

// planRequests plans the year's citizens' requests, in every category and
// channel: most answered in time, some late, some rejected, some still
// open and overdue.
func (w *world) planRequests(year int) []*chain {
	y0 := w.yearStart(year)
	var chains []*chain
	settings := events.DefaultRequestSettings()
	for n := range w.between(requestsPerYear*9/10, requestsPerYear*11/10) {
		id := fmt.Sprintf("kal-%d-%05d", y0.Year(), n+1)
		ch := w.newChain("request " + id)
		cat := events.RequestService
		switch r := w.rng.Float64(); {
		case r < 0.35:
			cat = events.RequestInformation
		case r < 0.55:
			cat = events.RequestComplaint
		}
		channel, assisted := events.RequestViaWeb, ""
		switch r := w.rng.Float64(); {
		case r < 0.3:
			channel, assisted = events.RequestViaServiceCentre, fmt.Sprintf("kep-staff-%d", w.between(1, 6))
		case r < 0.45:
			channel, assisted = events.RequestViaPhone, fmt.Sprintf("kep-staff-%d", w.between(1, 6))
		}
		at := y0.Add(time.Duration(w.rng.Int64N(int64(360*24*time.Hour))) / time.Minute * time.Minute)
		actor := actorPublic
		if channel != events.RequestViaWeb {
			actor = actorRequests // the staff who assisted
		}
		place := pick(w, append(streets, squares...))
		submit := events.SubmitRequest{RequestID: id, Category: cat, Channel: channel, AssistedBy: assisted,
			Subject:   withPlace(pick(w, requestSubjects[string(cat)]), place),
			Requester: pick(w, w.citizens), At: at}
		// A reported problem has a place in the town, and most reports
		// describe it; an information request has neither.
		if cat != events.RequestInformation {
			submit.Description = pick(w, requestDescriptions)
			loc := &events.RequestLocation{Address: fmt.Sprintf("%s %d, %s", place, w.between(1, 120), municipality)}
			if w.chance(0.6) {
				// Within the town's fictional extent, to about a metre.
				lat, long := 37.4300+float64(w.between(0, 30000))/1e6, 24.9200+float64(w.between(0, 40000))/1e6
				loc.Lat, loc.Long = &lat, &long
			}
			submit.Location = loc
		}
		w.add(ch, actor, submit)
		days, _ := settings.DaysFor(cat)
		ro := actorRequests
		w.add(ch, ro, events.AcknowledgeRequest{RequestID: id, ResponseDays: days, At: at.Add(20 * time.Hour)})
		due := at.Add(time.Duration(days) * 24 * time.Hour)
		w.add(ch, ro, events.AssignRequest{RequestID: id, Department: pick(w, departments), OfficerID: fmt.Sprintf("officer-%d", w.between(1, 25)), At: at.Add(2 * 24 * time.Hour)})
		switch r := w.rng.Float64(); {
		case r < 0.05:
			w.add(ch, ro, events.RejectRequest{RequestID: id, LegalBasis: pick(w, rejectionBases), Reason: "Το αίτημα δεν αφορά αρμοδιότητα του Δήμου", At: at.Add(5 * 24 * time.Hour)})
		case r < 0.12:
			// still open: overdue once the world passes its due date
		default:
			answered := at.Add(time.Duration(w.between(3, days-1)) * 24 * time.Hour)
			if r > 0.9 {
				answered = due.Add(time.Duration(w.between(3, 30)) * 24 * time.Hour)
			}
			w.add(ch, ro, events.AnswerRequest{RequestID: id, Summary: "Το αίτημα εξετάστηκε από την αρμόδια υπηρεσία και ικανοποιήθηκε.",
				Documents: []events.DocumentRef{document("Απάντηση σε αίτημα", "aitimata/"+id+".pdf")}, At: answered})
			if w.chance(0.03) {
				w.add(ch, ro, events.ReopenRequest{RequestID: id, Reason: "Ο αιτών ανέφερε ότι το πρόβλημα παραμένει", ResponseDays: days, At: answered.Add(4 * 24 * time.Hour)})
				answered = answered.Add(time.Duration(w.between(6, days)) * 24 * time.Hour)
				w.add(ch, ro, events.AnswerRequest{RequestID: id, Summary: "Έγινε νέα αυτοψία και η βλάβη αποκαταστάθηκε.", At: answered})
			}
			if w.chance(0.7) {
				w.add(ch, ro, events.CloseRequest{RequestID: id, At: answered.Add(5 * 24 * time.Hour)})
			}
		}
		chains = append(chains, ch)
	}
	return chains
}
