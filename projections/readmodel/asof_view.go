package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// Public views of entities as of a point: the same shapes as the read
// model's rows (a DecisionView is a Decision with its versions). They are
// folded by the read model's own Apply, into a batch without a transaction
// (entityFold), so every row's value is decided by one rule for the live
// read model and for the past; a view is then read from the rows that
// batch holds. They hold public fields only, by construction: a subject
// reference has no field to go to.

// entityFold folds the events of one entity into rows in memory.
type entityFold struct {
	kind, id string
	ctx      context.Context
	opener   Opener // opens citizens' words, as Apply does
	rows     *batch
	build    func(f *entityFold) any
}

// newFold returns the fold of an entity of kind, or nil for a kind without
// a view (AsOf then folds with the kind's decider).
func newFold(ctx context.Context, o Opener, kind, id string) *entityFold {
	build := viewBuilders[kind]
	if build == nil {
		return nil
	}
	return &entityFold{kind: kind, id: id, ctx: ctx, opener: o, rows: newBatch(nil), build: build}
}

// apply folds one event with the read model's rules.
func (f *entityFold) apply(re events.RecordedEvent, p events.Payload) error {
	ev := projections.Event{RecordedEvent: re, Payload: p}
	w := writer{ctx: f.ctx, mem: f.rows, ev: ev, occurredAt: timeText(re.OccurredAt), opener: f.opener}
	return applyEvent(w, p)
}

// view returns the entity's public view of the rows folded so far.
func (f *entityFold) view() any { return f.build(f) }

// rowsOf returns the rows of t the fold holds, in the order first written.
func rowsOf[K comparable, R any](f *entityFold, t *table[K, R]) []*R {
	var out []*R
	f.rows.stores[t.slot].(*store[K, R]).each(func(r *R) { out = append(out, r) })
	return out
}

// rowOf returns the row of key k, or the empty row of k when the events so
// far made none.
func rowOf[K comparable, R any](f *entityFold, t *table[K, R], k K) R {
	if r := f.rows.stores[t.slot].(*store[K, R]).held(k); r != nil {
		return *r
	}
	return t.newRow(k)
}

// docsOf returns the documents of an owner, as an empty list rather than
// nil, like the read model's queries.
func docsOf(f *entityFold, kind, id string) []events.DocumentRef {
	out := []events.DocumentRef{}
	for _, d := range rowsOf(f, documents) {
		if d.owner == (documentOwner{kind, id}) {
			out = append(out, d.DocumentRef)
		}
	}
	return out
}

var viewBuilders = map[string]func(f *entityFold) any{
	"body": func(f *entityFold) any {
		v := &BodyView{Body: rowOf(f, bodies, f.id).Body, Memberships: []Membership{}}
		for _, m := range rowsOf(f, memberships) {
			v.Memberships = append(v.Memberships, m.Membership)
		}
		return v
	},
	"meeting": func(f *entityFold) any {
		v := &MeetingView{Meeting: rowOf(f, meetings, f.id).Meeting, Items: []AgendaItem{}, Attendance: []string{}}
		for _, it := range rowsOf(f, agendaItems) {
			item := it.AgendaItem
			item.Documents = docsOf(f, "agenda_item", item.ID)
			v.Items = append(v.Items, item)
		}
		for _, a := range rowsOf(f, attendance) {
			v.Attendance = append(v.Attendance, a.memberID)
		}
		slices.Sort(v.Attendance)
		v.Present = len(v.Attendance) // recountPresent
		v.ItemMembers, v.JustifiedAbsences, v.Substitutes = []ItemMember{}, []JustifiedAbsence{}, []Substitute{}
		for _, r := range rowsOf(f, itemAttendance) {
			v.ItemMembers = append(v.ItemMembers, r.ItemMember)
		}
		for _, r := range rowsOf(f, justifiedAbsences) {
			v.JustifiedAbsences = append(v.JustifiedAbsences, r.JustifiedAbsence)
		}
		for _, r := range rowsOf(f, substitutes) {
			v.Substitutes = append(v.Substitutes, r.Substitute)
		}
		return v
	},
	"minutes": func(f *entityFold) any {
		v := &MinutesView{Minutes: rowOf(f, minutesTable, f.id).Minutes, Versions: []MinutesVersion{}, DecisionIDs: []string{}}
		for _, r := range rowsOf(f, minutesVersions) {
			version := r.MinutesVersion
			version.Documents = docsOf(f, "minutes_version", fmt.Sprintf("%s/%d", f.id, version.Version))
			v.Versions = append(v.Versions, version)
		}
		for _, r := range rowsOf(f, minutesDecisions) {
			v.DecisionIDs = append(v.DecisionIDs, r.decisionID)
		}
		slices.Sort(v.DecisionIDs)
		return v
	},
	"protocol": func(f *entityFold) any { return &ProtocolView{rowOf(f, protocolEntries, f.id).ProtocolEntry} },
	"consultation": func(f *entityFold) any {
		c := rowOf(f, consultations, f.id)
		v := &ConsultationView{ItemID: c.ItemID, MeetingID: c.MeetingID, Status: c.Status, OpenedAt: c.OpenedAt, ClosesAt: c.ClosesAt,
			ClosedAt: c.ClosedAt, Comments: []Comment{}, Reopenings: []ConsultationReopening{}}
		for _, r := range rowsOf(f, comments) {
			v.Comments = append(v.Comments, r.Comment)
		}
		for _, r := range rowsOf(f, consultationReopenings) {
			v.Reopenings = append(v.Reopenings, r.ConsultationReopening)
		}
		return v
	},
	"amendment": func(f *entityFold) any { return &AmendmentView{rowOf(f, amendments, f.id).Amendment} },
	"vote": func(f *entityFold) any {
		v := &VoteView{Vote: rowOf(f, votes, f.id).Vote, Ballots: []Ballot{}}
		for _, b := range rowsOf(f, ballots) {
			v.Ballots = append(v.Ballots, b.Ballot)
		}
		return v
	},
	"decision": func(f *entityFold) any {
		v := &DecisionView{Decision: rowOf(f, decisions, f.id).Decision, Versions: []DecisionVersion{}}
		for _, r := range rowsOf(f, decisionVersions) {
			version := r.DecisionVersion
			version.Documents = docsOf(f, "decision_version", fmt.Sprintf("%s/%d", f.id, version.Version))
			v.Versions = append(v.Versions, version)
		}
		v.Reissues = []DecisionReissue{}
		for _, r := range rowsOf(f, decisionReissues) {
			v.Reissues = append(v.Reissues, r.DecisionReissue)
		}
		return v
	},
	"procurement": func(f *entityFold) any {
		v := &ProcurementView{Procurement: rowOf(f, procurements, f.id).Procurement, BidList: []Bid{}, Payments: []Payment{}}
		v.CPV = []string{}
		for _, c := range rowsOf(f, procurementCPV) {
			v.CPV = append(v.CPV, c.cpv)
		}
		for _, b := range rowsOf(f, bids) {
			bid := b.Bid
			bid.Status, bid.StatusReason = b.status, b.statusReason
			v.BidList = append(v.BidList, bid)
		}
		v.Bids = len(v.BidList) // recountBids
		v.Paid.Cents = 0
		for _, p := range rowsOf(f, payments) {
			v.Payments = append(v.Payments, p.Payment)
			v.Paid.Cents += p.Amount.Cents // recountPaid
		}
		v.setPaidCurrency()
		v.Steps = procurementStepsOf(f)
		return v
	},
	"supplier": func(f *entityFold) any { return &SupplierView{rowOf(f, suppliers, f.id).Supplier} },
	"request": func(f *entityFold) any {
		v := &RequestView{Request: rowOf(f, requests, f.id).Request, History: []RequestStatusChange{}}
		for _, h := range rowsOf(f, requestHistory) {
			v.History = append(v.History, h.RequestStatusChange)
		}
		return v
	},
}

// BodyView is a body with every membership period.
type BodyView struct {
	Body
	Memberships []Membership `json:"memberships"`
}

// MeetingView is a meeting with its agenda and attendance: the members
// present, each member's attendance of items the meeting's stream
// records (stepped out, conflicts of interest), the justified absences
// and the substitutes seated.
type MeetingView struct {
	Meeting
	Items             []AgendaItem       `json:"items"`
	Attendance        []string           `json:"attendance"`
	ItemMembers       []ItemMember       `json:"item_members"`
	JustifiedAbsences []JustifiedAbsence `json:"justified_absences"`
	Substitutes       []Substitute       `json:"substitutes"`
}

// MinutesView is a meeting's minutes with every version and the
// decisions they record, by id.
type MinutesView struct {
	Minutes
	Versions    []MinutesVersion `json:"versions"`
	DecisionIDs []string         `json:"decision_ids"`
}

// ProtocolView is a protocol entry.
type ProtocolView struct{ ProtocolEntry }

// ConsultationView is the consultation on an agenda item with its public
// comments.
type ConsultationView struct {
	ItemID    string    `json:"item_id"`
	MeetingID string    `json:"meeting_id"`
	Status    string    `json:"status"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosesAt  time.Time `json:"closes_at"`
	ClosedAt  time.Time `json:"closed_at"`
	Comments  []Comment `json:"comments"`
	// Reopenings are the times it opened again after a closing.
	Reopenings []ConsultationReopening `json:"reopenings"`
}

// AmendmentView is an amendment.
type AmendmentView struct{ Amendment }

// VoteView is a vote with its ballots, by member.
type VoteView struct {
	Vote
	Ballots []Ballot `json:"ballots"`
}

// DecisionView is a decision in its current version with every version.
type DecisionView struct {
	Decision
	Versions []DecisionVersion `json:"versions"`
	// Reissues are its ορθές επαναλήψεις under new register ids.
	Reissues []DecisionReissue `json:"reissues"`
}

// ProcurementView is a contracting process with its bids, payments and
// its steps under ν. 4412/2016.
type ProcurementView struct {
	Procurement
	BidList  []Bid            `json:"bid_list"`
	Payments []Payment        `json:"payments"`
	Steps    ProcurementSteps `json:"steps"`
}

// SupplierView is a supplier.
type SupplierView struct{ Supplier }

// RequestView is a citizen's request with its status history, without the
// requester.
type RequestView struct {
	Request
	History []RequestStatusChange `json:"history"`
}

// kindOf returns the kind part of a stream name.
func kindOf(stream string) (kind, id string) {
	kind, id, _ = strings.Cut(stream, "-")
	return kind, id
}
