package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// The council secretariat's record of a sitting beyond its votes: who
// attends each item (conflicts of interest, members stepping out, justified
// absences) and the minutes, drafted after the sitting and approved at the
// body's next one.

// questionProcurement is the question type of the procurement matters the
// council delegates to its committee.
const questionProcurement events.QuestionType = "procurement"

// minutesRef is a meeting's drafted minutes waiting for their approval at
// the body's next sitting; chain drafted them.
type minutesRef struct {
	meetingID string
	drafted   time.Time
	chain     *chain
}

// keepsMinutes reports whether the planner records a body's minutes: the
// council's and the committee's.
func keepsMinutes(b *body) bool {
	return b.kind == events.BodyCouncil || b.kind == events.BodyCommittee
}

// conflictShare and stepOutShare are the shares of council sittings where
// a member declares a conflict of interest on an item, or steps out of
// one.
const (
	conflictShare = 0.3
	stepOutShare  = 0.15
)

var conflictReasons = []string{
	"Συγγένεια εξ αίματος με μέλος του διοικητικού συμβουλίου της αναδόχου εταιρείας",
	"Ο σύμβουλος είναι μέτοχος της επιχείρησης που αφορά το θέμα",
	"Ο σύμβουλος έχει έννομο συμφέρον ως ιδιοκτήτης ακινήτου στην περιοχή της ρυμοτομίας",
}

var absenceReasons = []string{"Λόγοι υγείας", "Υπηρεσιακή υποχρέωση εκτός έδρας", "Οικογενειακοί λόγοι", "Συμμετοχή σε συνέδριο της ΚΕΔΕ"}

// planItemAttendance records on the sitting, now and then, a member's
// conflict of interest on an item and a member stepping out of another,
// and the justified absences of members who did not come. It returns the
// member kept out of each item.
func (w *world) planItemAttendance(ch *chain, b *body, meetingID string, items []item, voters map[string]bool, starts time.Time) map[string]string {
	sec := actorSecretariat
	excluded := map[string]string{}
	for _, m := range b.voting {
		if !voters[m.id] && w.chance(0.5) {
			w.add(ch, sec, events.JustifyAbsence{MeetingID: meetingID, BodyID: b.id, MemberID: m.id, Reason: pick(w, absenceReasons), At: starts.Add(15 * time.Minute)})
		}
	}
	if b.kind != events.BodyCouncil {
		return excluded
	}
	var open []item
	for _, it := range items {
		if !it.withdrawn && it.minutesOf == nil {
			open = append(open, it)
		}
	}
	var present []string
	for _, m := range b.voting[1:] {
		if voters[m.id] {
			present = append(present, m.id)
		}
	}
	if len(open) < 2 || len(present) < 2 {
		return excluded
	}
	if w.chance(conflictShare) {
		it, m := pick(w, open), pick(w, present)
		excluded[it.id] = m
		w.add(ch, sec, events.DeclareConflict{MeetingID: meetingID, BodyID: b.id, ItemID: it.id, MemberID: m, Reason: pick(w, conflictReasons), At: starts.Add(20 * time.Minute)})
	}
	if w.chance(stepOutShare) {
		it, m := pick(w, open), pick(w, present)
		if _, taken := excluded[it.id]; !taken {
			excluded[it.id] = m
			w.add(ch, sec, events.StepOut{MeetingID: meetingID, ItemID: it.id, MemberID: m, At: starts.Add(25 * time.Minute)})
		}
	}
	return excluded
}

// planMinutesApproval votes, by show of hands, the approval of the minutes
// of the body's meeting before, and records it if the vote passes.
func (w *world) planMinutesApproval(ch *chain, b *body, meetingID string, it item, voters map[string]bool, t time.Time) {
	sec := actorSecretariat
	ch.after = append(ch.after, it.minutesOf.chain)
	voteID := it.id + "-v"
	w.add(ch, sec, events.OpenVote{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, ItemID: it.id,
		Question: "Επικυρώνονται τα πρακτικά της συνεδρίασης " + it.minutesOf.meetingID + ";", Method: events.VoteShowOfHands, At: t})
	var tally events.VoteTally
	for _, m := range b.voting {
		if voters[m.id] {
			tally.Yes++
			w.add(ch, sec, events.CastBallot{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, MemberID: m.id, Choice: events.BallotYes, At: t.Add(time.Minute)})
		}
	}
	w.add(ch, sec, events.CloseVote{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, At: t.Add(2 * time.Minute)})
	if passes(b.settings, tally, false, "") {
		w.add(ch, sec, events.ApproveMinutes{MeetingID: it.minutesOf.meetingID, ApprovingMeetingID: meetingID, VoteID: voteID, At: t.Add(3 * time.Minute)})
	}
}

// planMinutes drafts the minutes of a meeting two days after it, naming
// its decisions, corrects them now and then, and leaves them for the
// body's next sitting to approve.
func (w *world) planMinutes(b *body, meetingID string, end time.Time, decisions []string, closing, adopt *chain) []*chain {
	if !keepsMinutes(b) {
		return nil
	}
	if w.minutes == nil {
		w.minutes = map[string]*minutesRef{}
	}
	ch := w.newChain("minutes "+meetingID, closing, adopt)
	sec := actorSecretariat
	if !w.add(ch, sec, events.DraftMinutes{MeetingID: meetingID, BodyID: b.id, DecisionIDs: slices.Clone(decisions),
		Documents: []events.DocumentRef{document("Σχέδιο πρακτικών συνεδρίασης "+meetingID, "praktika/"+meetingID+"-schedio.pdf")}, At: end.Add(48 * time.Hour)}) {
		return nil
	}
	if w.chance(0.1) {
		w.add(ch, sec, events.CorrectMinutes{MeetingID: meetingID, Reason: "Συμπλήρωση της τοποθέτησης συμβούλου κατόπιν αιτήματός του",
			Documents: []events.DocumentRef{document("Πρακτικά συνεδρίασης "+meetingID+" (διορθωμένα)", "praktika/"+meetingID+"-v2.pdf")}, At: end.Add(96 * time.Hour)})
	}
	w.minutes[b.id] = &minutesRef{meetingID: meetingID, drafted: end.Add(48 * time.Hour), chain: ch}
	return []*chain{ch}
}

// offices are the mayor's office and the deputy mayors', with the
// decisions each takes a month under its own powers.
var offices = []struct {
	office, title string
	perMonth      int
	exception     events.DecisionException
}{
	{"dimarchos", "Απόφαση Δημάρχου", 3, events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"}},
	{"antidimarchos-oikonomikon", "Απόφαση Αντιδημάρχου Οικονομικών", 2, events.DecisionException{Kind: events.ExceptionDeputyMayorDecision,
		LegalBasis: "άρθρο 59 ν. 3852/2010· απόφαση μεταβίβασης αρμοδιοτήτων του Δημάρχου", Office: "antidimarchos-oikonomikon"}},
	{"antidimarchos-technikon", "Απόφαση Αντιδημάρχου Τεχνικών Υπηρεσιών", 1, events.DecisionException{Kind: events.ExceptionDeputyMayorDecision,
		LegalBasis: "άρθρο 59 ν. 3852/2010· απόφαση μεταβίβασης αρμοδιοτήτων του Δημάρχου", Office: "antidimarchos-technikon"}},
}

var officeSubjects = []string{
	"Ορισμός υπαλλήλου για την παραλαβή εργασιών συντήρησης στην οδό %s",
	"Έγκριση μετακίνησης υπαλλήλων για υπηρεσιακή εκπαίδευση",
	"Παραχώρηση χρήσης της αίθουσας εκδηλώσεων για πολιτιστική εκδήλωση στην %s",
	"Ανάληψη υποχρέωσης για τη δαπάνη φωτισμού της οδού %s",
	"Ορισμός επιτροπής παραλαβής υλικών καθαριότητας",
}

// planOffices plans the year's decisions of the mayor and the deputy
// mayors, each office numbering them in its own register, published on
// Diavgeia; now and then the register issues one again (ορθή επανάληψη)
// under a new ADA.
func (w *world) planOffices(year int) []*chain {
	y0 := w.yearStart(year)
	council := w.bodies[0]
	var chains []*chain
	for _, o := range offices {
		ch := w.newChain(fmt.Sprintf("office %s %d", o.office, y0.Year()))
		n := 0
		for month := range 12 {
			for k := range o.perMonth {
				n++
				at := time.Date(y0.Year(), y0.Month()+time.Month(month), 2+9*k+w.between(0, 5), 10, 0, 0, 0, athens).UTC()
				id := fmt.Sprintf("kal-%s-%d-%03d", o.office, y0.Year(), n)
				exc := o.exception
				title := o.title + ": " + withPlace(pick(w, officeSubjects), pick(w, streets))
				if !w.add(ch, actorSecretariat, events.AdoptDecision{DecisionID: id, BodyID: council.id, Exception: &exc, Title: title,
					Text: "Αποφασίζει: " + title + ".", LegalBasis: exc.LegalBasis, At: at,
					Documents: []events.DocumentRef{document(title, "apofaseis/"+id+".pdf")}}) {
					break
				}
				sum := document("", "apofaseis/"+id+".pdf").SHA256
				w.add(ch, actorSecretariat, events.PublishDecision{DecisionID: id, Register: events.RegisterDiavgeia, RegisterID: w.ada(), DocumentSHA256: sum, At: at.Add(3 * time.Hour)})
				if w.chance(0.08) {
					w.add(ch, actorSecretariat, events.ReissueDecision{DecisionID: id, RegisterID: w.ada(), DocumentSHA256: sum,
						Reason: "Ορθή επανάληψη λόγω λάθους στα στοιχεία ανάρτησης", At: at.Add(27 * time.Hour)})
				}
			}
		}
		chains = append(chains, ch)
	}
	return chains
}
