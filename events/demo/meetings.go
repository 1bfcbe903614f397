package demo

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// athens is the municipality's offset from UTC; meetings are called for
// evening hours local time. A fixed offset keeps the demo independent of
// the machine's time zone database.
var athens = time.FixedZone("EET", 2*60*60)

// planMeetings plans a year of one body's meetings.
func (w *world) planMeetings(b *body, year int) []*chain {
	var chains []*chain
	y0 := w.yearStart(year)
	n := 0
	for month := range 12 {
		for k := range b.perMonth {
			if month == 7 && k > 0 { // one sitting in August
				continue
			}
			n++
			day := b.firstDay + 14*k + w.between(0, 2)
			starts := time.Date(y0.Year(), y0.Month()+time.Month(month), day, 19, 0, 0, 0, athens).UTC()
			id := fmt.Sprintf("%s-%d-%02d", b.id, y0.Year(), n)
			chains = append(chains, w.planMeeting(b, id, starts)...)
		}
	}
	if b.kind == events.BodyCouncil {
		w.council = append(w.council, chains...)
	}
	return chains
}

type item struct {
	id, title string
	question  events.QuestionType
	published bool
	withdrawn bool
	pending   *pendingDecision
	// minutesOf is, for the item approving the minutes of the body's
	// meeting before, that meeting's minutes.
	minutesOf *minutesRef
}

// questionOf returns an item's question type, ordinary by default.
func (it item) questionOf() events.QuestionType {
	if it.question == "" {
		return events.QuestionOrdinary
	}
	return it.question
}

func (w *world) planMeeting(b *body, id string, starts time.Time) []*chain {
	sec := actorSecretariat
	var term *chain
	if b.kind == events.BodyCouncil {
		term = w.term
	}
	agenda := w.newChain("meeting "+id, term)
	w.add(agenda, sec, events.ScheduleMeeting{MeetingID: id, BodyID: b.id, StartsAt: starts, Place: b.place,
		Urgency: events.MeetingRegular, Call: 1, At: starts.Add(-12 * 24 * time.Hour)})
	count := w.between(8, 20)
	presenter := b.chair.name
	if b.mayor != nil {
		presenter = b.mayor.name
	}
	items := make([]item, count)
	if b.kind == events.BodyCommittee {
		items = w.pendingItems(items[:0], id, starts)
		items = append(items, make([]item, count)...)
	}
	for i := range items {
		if p := items[i].pending; p != nil {
			// The committee decides procurement under powers the council
			// delegated to it.
			items[i].question = questionProcurement
			w.add(agenda, sec, events.AddItem{MeetingID: id, ItemID: items[i].id, Title: items[i].title,
				Description: p.description, QuestionType: questionProcurement,
				Presenter: presenter, At: starts.Add(-11 * 24 * time.Hour)})
			continue
		}
		it := item{id: fmt.Sprintf("%s-%02d", id, i+1), published: true}
		if w.chance(0.6) {
			it.title = withPlace(pick(w, itemSubjects), pick(w, append(streets, squares...)))
		} else {
			it.title = pick(w, plainSubjects)
		}
		items[i] = it
		w.add(agenda, sec, events.AddItem{MeetingID: id, ItemID: it.id, Title: it.title,
			Description:  "Εισήγηση της αρμόδιας υπηρεσίας για το θέμα: " + it.title + ".",
			QuestionType: events.QuestionOrdinary, Presenter: presenter,
			Documents: []events.DocumentRef{document("Εισήγηση θέματος "+fmt.Sprint(i+1), "eisigiseis/"+it.id+".pdf")},
			At:        starts.Add(-11 * 24 * time.Hour)})
	}
	// The minutes of the body's meeting before are approved first.
	// (A second call's minutes may be drafted after the next sitting.)
	if prev := w.minutes[b.id]; prev != nil && prev.drafted.Before(starts) {
		it := item{id: fmt.Sprintf("%s-%02d", id, len(items)+1), title: "Επικύρωση πρακτικών της συνεδρίασης " + prev.meetingID,
			question: events.QuestionMinutes, published: true, minutesOf: prev}
		items = append([]item{it}, items...)
		w.add(agenda, sec, events.AddItem{MeetingID: id, ItemID: it.id, Title: it.title, QuestionType: events.QuestionMinutes,
			Presenter: b.chair.name, At: starts.Add(-11 * 24 * time.Hour)})
	}
	published := starts.Add(-8 * 24 * time.Hour)
	closes := starts.Add(-24 * time.Hour)
	// The publication opens the consultation on every item.
	w.add(agenda, sec, events.PublishAgenda{MeetingID: id, BodyID: b.id, ConsultationClosesAt: closes, At: published})
	if w.chance(0.05) {
		i := w.rng.IntN(len(items))
		items[i].withdrawn = true
		w.add(agenda, sec, events.WithdrawItem{MeetingID: id, ItemID: items[i].id, Reason: "Απαιτείται συμπλήρωση του φακέλου από την υπηρεσία", At: starts.Add(-3 * 24 * time.Hour)})
	}
	if w.chance(0.015) {
		w.add(agenda, sec, events.CancelMeeting{MeetingID: id, Reason: "Έκτακτα καιρικά φαινόμενα", At: starts.Add(-6 * time.Hour)})
		return []*chain{agenda}
	}
	if w.chance(0.04) {
		later := starts.Add(7 * 24 * time.Hour)
		w.add(agenda, sec, events.PostponeMeeting{MeetingID: id, StartsAt: later, Reason: "Σύμπτωση με εθνική επέτειο", At: starts.Add(-2 * 24 * time.Hour)})
		// The postponement closed the consultations; the agenda published
		// for the new date reopens them.
		published, closes = starts.Add(-2*24*time.Hour+time.Hour), later.Add(-24*time.Hour)
		w.add(agenda, sec, events.PublishAgenda{MeetingID: id, BodyID: b.id, ConsultationClosesAt: closes, At: published})
		starts = later
	}
	chains := []*chain{agenda}

	// Public consultation on the published items.
	share := map[events.BodyKind]float64{events.BodyCouncil: 0.7, events.BodyCommittee: 0.3, events.BodyLocalCommunity: 0.5}[b.kind]
	for _, it := range items {
		if it.withdrawn || !w.chance(share) {
			continue
		}
		chains = append(chains, w.planConsultation(it, id, agenda, published, closes))
	}

	// The sitting; now and then the first call fails for lack of quorum
	// and the body meets at a second call a week later.
	sitting := w.newChain("sitting "+id, agenda)
	if w.chance(secondCallShare) {
		id, starts, items = w.planSecondCall(sitting, b, id, starts, items, presenter)
	}
	present := []string{b.chair.id}
	var late string
	for _, m := range b.voting[1:] {
		switch {
		case w.chance(0.08):
			if late == "" && w.chance(0.5) {
				late = m.id
			}
		default:
			present = append(present, m.id)
		}
	}
	// Below quorum the meeting would fail; the demo's bodies always reach it.
	for _, m := range b.voting[1:] {
		if 2*len(present) > b.settings.Seats {
			break
		}
		if !slices.Contains(present, m.id) && m.id != late {
			present = append(present, m.id)
		}
	}
	if b.mayor != nil && w.chance(0.8) {
		present = append(present, b.mayor.id)
	}
	w.add(sitting, sec, events.ConveneMeeting{MeetingID: id, BodyID: b.id, Present: present, PresidingMemberID: b.chair.id, At: starts.Add(10 * time.Minute)})
	voters := map[string]bool{}
	for _, m := range present {
		voters[m] = true
	}
	if late != "" {
		w.add(sitting, sec, events.RecordArrival{MeetingID: id, BodyID: b.id, MemberID: late, At: starts.Add(40 * time.Minute)})
		voters[late] = true
	}
	excluded := w.planItemAttendance(sitting, b, id, items, voters, starts)
	chains = append(chains, sitting)

	// Each item's votes run on their own streams once the meeting sits.
	var votes []*chain
	var passed []item
	t := starts.Add(time.Hour)
	for _, it := range items {
		if it.withdrawn {
			continue
		}
		ch := w.newChain("item "+it.id, sitting)
		itemVoters := voters
		if m, ok := excluded[it.id]; ok {
			itemVoters = maps.Clone(voters)
			delete(itemVoters, m)
		}
		if it.minutesOf != nil {
			w.planMinutesApproval(ch, b, id, it, itemVoters, t)
			votes = append(votes, ch)
			chains = append(chains, ch)
			t = t.Add(10 * time.Minute)
			continue
		}
		if b.kind == events.BodyCouncil && w.chance(0.15) {
			w.planAmendment(ch, b, id, it, itemVoters, t)
		}
		if w.planVote(ch, b, id, it, it.id+"-v", "", itemVoters, t.Add(15*time.Minute)) {
			passed = append(passed, it)
		}
		votes = append(votes, ch)
		chains = append(chains, ch)
		t = t.Add(time.Duration(w.between(10, 25)) * time.Minute)
	}

	end := t.Add(30 * time.Minute)
	closing := w.newChain("adjourn "+id, votes...)
	w.add(closing, sec, events.AdjournMeeting{MeetingID: id, At: end})
	w.add(closing, sec, events.PublishMinutes{MeetingID: id,
		Documents: []events.DocumentRef{document("Πρακτικά συνεδρίασης "+id, "praktika/"+id+".pdf")}, At: end.Add(10 * 24 * time.Hour)})
	chains = append(chains, closing)
	var adopt *chain
	var decided []string

	// Decisions take the body's next numbers of the year in the order of
	// its meetings.
	if len(passed) > 0 {
		counters := []string{
			events.AdoptDecision{BodyID: b.id, At: end.Add(time.Minute)}.CounterStream(),
			events.AdoptDecision{BodyID: b.id, At: end.Add(time.Duration(len(passed)) * time.Minute)}.CounterStream(),
		}
		adopt = w.newChain("decisions "+id, append(votes, w.lastAdopt[counters[0]], w.lastAdopt[counters[1]])...)
		for _, c := range counters {
			w.lastAdopt[c] = adopt
		}
		chains = append(chains, adopt)
		for i, it := range passed {
			decID := it.id + "-apofasi"
			decided = append(decided, decID)
			at := end.Add(time.Duration(i+1) * time.Minute)
			w.add(adopt, sec, events.AdoptDecision{DecisionID: decID, BodyID: b.id, MeetingID: id, ItemID: it.id, VoteID: it.id + "-v",
				Title: it.title, Text: "Αποφασίζει κατά πλειοψηφία την έγκριση του θέματος: " + it.title + ".",
				LegalBasis: "ν. 3463/2006 άρθρο 65· ν. 3852/2010", At: at,
				Documents: []events.DocumentRef{document("Απόφαση "+it.title, "apofaseis/"+decID+".pdf")}})
			chains = append(chains, w.planDecisionLife(b.id, decID, adopt, at))
			if p := it.pending; p != nil {
				w.pending = slices.DeleteFunc(w.pending, func(q *pendingDecision) bool { return q == p })
				chains = append(chains, p.finish(decID, at, adopt))
			}
		}
	}
	return append(chains, w.planMinutes(b, id, end, decided, closing, adopt)...)
}

// pendingItems adds to items the decisions due before the agenda is drawn
// up.
func (w *world) pendingItems(items []item, meetingID string, starts time.Time) []item {
	for _, p := range w.pending {
		if p.due.Before(starts.Add(-12 * 24 * time.Hour)) {
			items = append(items, item{id: fmt.Sprintf("%s-%02d", meetingID, len(items)+1), title: p.title, published: true, pending: p})
		}
	}
	return items
}

// secondCallShare is the share of meetings whose first call fails.
const secondCallShare = 0.05

// planSecondCall records that too few members came at the first call,
// calls the body again a week later with the same agenda, and returns the
// second meeting's id, start and items.
func (w *world) planSecondCall(ch *chain, b *body, id string, starts time.Time, items []item, presenter string) (string, time.Time, []item) {
	sec := actorSecretariat
	// Half the seats, or fewer, is not more than half.
	var present []string
	for _, m := range b.voting[:b.settings.Seats/2] {
		present = append(present, m.id)
	}
	w.add(ch, sec, events.RecordQuorumFailure{MeetingID: id, BodyID: b.id, Present: present, At: starts.Add(30 * time.Minute)})
	second, secondStarts := id+"-b", starts.Add(7*24*time.Hour)
	w.add(ch, sec, events.ScheduleMeeting{MeetingID: second, BodyID: b.id, StartsAt: secondStarts, Place: b.place,
		Urgency: events.MeetingRegular, Call: 2, PreviousMeetingID: id, At: starts.Add(time.Hour)})
	var again []item
	for _, it := range items {
		if it.withdrawn {
			continue
		}
		it.id = fmt.Sprintf("%s-%02d", second, len(again)+1)
		again = append(again, it)
		w.add(ch, sec, events.AddItem{MeetingID: second, ItemID: it.id, Title: it.title,
			Description:  "Επανεισάγεται λόγω μη επίτευξης απαρτίας στην πρώτη πρόσκληση: " + it.title + ".",
			QuestionType: it.questionOf(), Presenter: presenter, At: starts.Add(2 * time.Hour)})
	}
	w.add(ch, sec, events.PublishAgenda{MeetingID: second, BodyID: b.id, ConsultationClosesAt: secondStarts.Add(-24 * time.Hour), At: starts.Add(3 * time.Hour)})
	return second, secondStarts, again
}

func (w *world) planConsultation(it item, meetingID string, after *chain, published, closes time.Time) *chain {
	ch := w.newChain("consultation "+it.id, after)
	// The agenda's publication opened the consultation.
	window := closes.Sub(published) - 2*time.Hour
	type comment struct {
		id     string
		author events.SubjectRef
		at     time.Time
	}
	var comments []comment
	for n := range w.between(0, 6) {
		c := comment{id: fmt.Sprintf("%s-c%d", it.id, n+1), author: pick(w, w.citizens),
			at: published.Add(90*time.Minute + time.Duration(w.rng.Int64N(int64(window)))/time.Minute*time.Minute)}
		kind := pick(w, []events.CommentKind{events.CommentRemark, events.CommentRemark, events.CommentProposal, events.CommentObjection})
		w.add(ch, actorPublic, events.SubmitComment{ItemID: it.id, CommentID: c.id, Kind: kind, Text: pick(w, commentTexts), SubjectRef: c.author, At: c.at})
		comments = append(comments, c)
	}
	latest := published.Add(time.Hour)
	for _, c := range comments {
		latest = maxTime(latest, c.at)
	}
	for _, c := range comments {
		switch {
		case w.chance(0.08):
			w.add(ch, actorModerator, events.ModerateComment{ItemID: it.id, CommentID: c.id, Reason: pick(w, moderationReasons), At: latest.Add(30 * time.Minute)})
		case w.chance(0.04):
			w.add(ch, actorPublic, events.WithdrawComment{ItemID: it.id, CommentID: c.id, SubjectRef: c.author, At: latest.Add(20 * time.Minute)})
		}
	}
	w.add(ch, actorSecretariat, events.CloseConsultation{ItemID: it.id, At: closes})
	return ch
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// planAmendment has an opposition member propose a change to it; the
// proposer withdraws it or the body votes on it.
func (w *world) planAmendment(ch *chain, b *body, meetingID string, it item, voters map[string]bool, t time.Time) {
	var proposer string
	for _, m := range b.voting {
		if m.faction != factions[0].name && voters[m.id] {
			proposer = m.id
			break
		}
	}
	if proposer == "" {
		return
	}
	id := it.id + "-tr"
	sec := actorSecretariat
	w.add(ch, sec, events.ProposeAmendment{AmendmentID: id, BodyID: b.id, MeetingID: meetingID, ItemID: it.id, ProposerID: proposer, Text: pick(w, amendmentTexts), At: t})
	if w.chance(0.2) {
		w.add(ch, sec, events.WithdrawAmendment{AmendmentID: id, Reason: "Ο εισηγητής ενσωμάτωσε την πρόταση στην εισήγηση", At: t.Add(5 * time.Minute)})
		return
	}
	voteID := it.id + "-tr-v"
	if w.planVote(ch, b, meetingID, it, voteID, id, voters, t.Add(5*time.Minute)) {
		w.add(ch, sec, events.AcceptAmendment{AmendmentID: id, VoteID: voteID, At: t.Add(12 * time.Minute)})
	} else {
		w.add(ch, sec, events.RejectAmendment{AmendmentID: id, VoteID: voteID, At: t.Add(12 * time.Minute)})
	}
}

// planVote opens a vote, casts the ballots of the members present along
// faction lines with some defections, closes it and reports whether it
// passes under the body's rules.
func (w *world) planVote(ch *chain, b *body, meetingID string, it item, voteID, amendmentID string, voters map[string]bool, t time.Time) bool {
	sec := actorSecretariat
	method := events.VoteRollCall
	switch r := w.rng.Float64(); {
	case r < 0.03:
		method = events.VoteSecret
	case r < 0.15:
		method = events.VoteShowOfHands
	}
	question := "Εγκρίνεται το θέμα: " + it.title + ";"
	if amendmentID != "" {
		question = "Εγκρίνεται η τροπολογία στο θέμα: " + it.title + ";"
	}
	vote := events.OpenVote{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, AmendmentID: amendmentID, Question: question, Method: method, At: t}
	if amendmentID == "" {
		vote.ItemID = it.id
	}
	w.add(ch, sec, vote)

	stance := map[string]events.BallotChoice{}
	for i, f := range factions {
		switch {
		case i == 0 && amendmentID == "":
			stance[f.name] = events.BallotYes
		case i == 0:
			stance[f.name] = pick(w, []events.BallotChoice{events.BallotNo, events.BallotNo, events.BallotYes})
		case amendmentID != "":
			stance[f.name] = events.BallotYes
		default:
			stance[f.name] = pick(w, []events.BallotChoice{events.BallotYes, events.BallotYes, events.BallotNo, events.BallotNo, events.BallotAbstain})
		}
	}
	choices := []events.BallotChoice{events.BallotYes, events.BallotNo, events.BallotAbstain, events.BallotPresent}
	var tally events.VoteTally
	chairChoice := events.BallotChoice("")
	var changes []events.ChangeBallot
	for i, m := range b.voting {
		if !voters[m.id] {
			continue
		}
		c, ok := stance[m.faction]
		if !ok || w.chance(0.05) {
			c = pick(w, choices[:3])
		}
		if i == 0 {
			chairChoice = c
		}
		switch c {
		case events.BallotYes:
			tally.Yes++
		case events.BallotNo:
			tally.No++
		case events.BallotAbstain:
			tally.Abstain++
		}
		if method == events.VoteSecret {
			continue
		}
		first := c
		if w.chance(ballotChangeShare) {
			// A member who misspoke, or was persuaded, changes the ballot
			// before the vote closes; both stay on the record.
			for first == c {
				first = pick(w, choices[:3])
			}
			changes = append(changes, events.ChangeBallot{VoteID: voteID, MemberID: m.id, Choice: c, At: t.Add(2 * time.Minute)})
		}
		w.add(ch, sec, events.CastBallot{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, MemberID: m.id, Choice: first, At: t.Add(time.Minute)})
	}
	for _, c := range changes {
		w.add(ch, sec, c)
	}
	closeCmd := events.CloseVote{VoteID: voteID, BodyID: b.id, MeetingID: meetingID, At: t.Add(3 * time.Minute)}
	if method == events.VoteSecret {
		closeCmd.Tally = &tally
	}
	w.add(ch, sec, closeCmd)
	return passes(b.settings, tally, method == events.VoteRollCall, chairChoice)
}

// ballotChangeShare is the share of open ballots changed before the vote
// closes.
const ballotChangeShare = 0.002

// passes applies the body's rules as the vote's decider does: quorum of
// the seats, then an absolute majority of the members present (every
// member present here casts a ballot), with the chair's ballot breaking
// the law's tie (half yes, half no) in an open roll call.
func passes(s events.BodySettings, t events.VoteTally, rollCall bool, chair events.BallotChoice) bool {
	participants := t.Yes + t.No + t.Abstain + t.Present
	if !s.Quorum.Met(participants, s.Seats) {
		return false
	}
	if rollCall && s.ChairBreaksTie && t.Yes == t.No && t.Yes > 0 && 2*t.Yes == participants && (chair == events.BallotYes || chair == events.BallotNo) {
		return chair == events.BallotYes
	}
	return 2*t.Yes > participants
}

// planDecisionLife publishes a decision on Diavgeia and, now and then,
// corrects it, revokes an older one by it, or sees it annulled.
func (w *world) planDecisionLife(bodyID, decID string, adopt *chain, adopted time.Time) *chain {
	ch := w.newChain("decision "+decID, adopt)
	w.decisionLife[decID] = ch
	sec := actorSecretariat
	ada := w.ada()
	at := adopted.Add(time.Duration(w.between(26, 120)) * time.Hour)
	sum := document("", "apofaseis/"+decID+".pdf").SHA256
	w.add(ch, sec, events.PublishDecision{DecisionID: decID, Register: events.RegisterDiavgeia, RegisterID: ada, DocumentSHA256: sum, At: at})
	if w.chance(0.06) {
		at = at.Add(72 * time.Hour)
		w.add(ch, sec, events.CorrectDecision{DecisionID: decID, Reason: "Διόρθωση εκ παραδρομής σφάλματος στο ποσό της δαπάνης",
			Title: "Ορθή επανάληψη: " + decID, Text: "Ορθή επανάληψη της απόφασης λόγω σφάλματος στο ποσό.",
			Documents: []events.DocumentRef{document("Ορθή επανάληψη απόφασης", "apofaseis/"+decID+"-v2.pdf")}, At: at})
		w.add(ch, sec, events.PublishDecision{DecisionID: decID, Register: events.RegisterDiavgeia, RegisterID: ada,
			DocumentSHA256: document("", "apofaseis/"+decID+"-v2.pdf").SHA256, At: at.Add(2 * time.Hour)})
	}
	switch {
	case w.chance(sameYearRevocationShare) && w.revokeThisYear(ch, bodyID, decID, adopted, at.Add(time.Hour)):
	case len(w.adopted) > 0 && w.chance(0.02):
		i := w.rng.IntN(len(w.adopted))
		old := w.adopted[i]
		w.adopted = append(w.adopted[:i], w.adopted[i+1:]...)
		// The revoked decision's own life (publication, corrections) comes
		// first; it may run in an earlier year still in flight.
		if life := w.decisionLife[old]; life != nil {
			ch.after = append(ch.after, life)
		}
		delete(w.decisionLife, old)
		w.add(ch, sec, events.RevokeDecision{DecisionID: old, Reason: "Ανακαλείται λόγω μεταβολής των πραγματικών περιστάσεων", RevokingDecisionID: decID, At: at.Add(time.Hour)})
	case w.chance(0.005):
		w.add(ch, sec, events.AnnulDecision{DecisionID: decID, Reason: "Ακυρώθηκε στο πλαίσιο του ελέγχου νομιμότητας", Authority: "Αποκεντρωμένη Διοίκηση Αιγαίου", At: at.Add(30 * 24 * time.Hour)})
		delete(w.decisionLife, decID) // never revoked
		return ch
	}
	if !adopt.cut {
		w.thisYear = append(w.thisYear, decID)
		w.yearDecisions = append(w.yearDecisions, yearDecision{id: decID, body: bodyID, adopted: adopted})
	} else {
		delete(w.decisionLife, decID)
	}
	return ch
}

// sameYearRevocationShare is the share of decisions that revoke one of
// their body's decisions of the same year.
const sameYearRevocationShare = 0.015

// yearDecision is a decision of the year being planned that a later one of
// its body may revoke.
type yearDecision struct {
	id, body string
	adopted  time.Time
}

// revokeThisYear has decID revoke at at the oldest decision of its body
// adopted this year at least a month before it, after that decision's own
// life, and reports whether there was one.
func (w *world) revokeThisYear(ch *chain, bodyID, decID string, adopted, at time.Time) bool {
	i := slices.IndexFunc(w.yearDecisions, func(d yearDecision) bool {
		return d.body == bodyID && d.adopted.Before(adopted.AddDate(0, -1, 0))
	})
	if i < 0 {
		return false
	}
	old := w.yearDecisions[i].id
	w.yearDecisions = slices.Delete(w.yearDecisions, i, i+1)
	w.thisYear = slices.DeleteFunc(w.thisYear, func(id string) bool { return id == old })
	if life := w.decisionLife[old]; life != nil {
		ch.after = append(ch.after, life)
	}
	delete(w.decisionLife, old)
	w.add(ch, actorSecretariat, events.RevokeDecision{DecisionID: old, Reason: "Ανακαλείται λόγω μεταγενέστερης απόφασης για το ίδιο θέμα", RevokingDecisionID: decID, At: at})
	return true
}

// ada returns a Diavgeia-like internet publication number: letters and
// digits in groups, like "Ψ4ΑΙΩΛ6-ΒΓ7".
func (w *world) ada() string {
	const letters = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ0123456789"
	rs := []rune(letters)
	b := make([]rune, 0, 11)
	for i := range 10 {
		if i == 7 {
			b = append(b, '-')
		}
		b = append(b, rs[w.rng.IntN(len(rs))])
	}
	return string(b)
}
