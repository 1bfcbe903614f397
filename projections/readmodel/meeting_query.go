package readmodel

import (
	"context"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Meeting is a meeting of a body, from scheduling to adjournment.
type Meeting struct {
	ID                string    `json:"id"`
	BodyID            string    `json:"body_id"`
	Status            string    `json:"status"`
	StartsAt          time.Time `json:"starts_at"`
	Place             string    `json:"place"`
	Urgency           string    `json:"urgency"`
	UrgencyReason     string    `json:"urgency_reason,omitempty"`
	Call              int       `json:"call"`
	AgendaPublishedAt time.Time `json:"agenda_published_at"`
	ConvenedAt        time.Time `json:"convened_at"`
	AdjournedAt       time.Time `json:"adjourned_at"`
	PresidingMemberID string    `json:"presiding_member_id,omitempty"`
	Present           int       `json:"present"`
	Seats             int       `json:"seats"`
	CancelledReason   string    `json:"cancelled_reason,omitempty"`
}

// MeetingFilter selects meetings; empty fields select all.
type MeetingFilter struct {
	BodyID string
	Status string
	Starts TimeRange
	Page
}

// AgendaItem is an item of a meeting's agenda.
type AgendaItem struct {
	ID                   string    `json:"id"`
	MeetingID            string    `json:"meeting_id"`
	Seq                  int       `json:"seq"`
	Title                string    `json:"title"`
	Description          string    `json:"description"`
	QuestionType         string    `json:"question_type"`
	Presenter            string    `json:"presenter"`
	UrgentVoteID         string    `json:"urgent_vote_id,omitempty"`
	Status               string    `json:"status"`
	WithdrawnReason      string    `json:"withdrawn_reason,omitempty"`
	ConsultationClosesAt time.Time `json:"consultation_closes_at"`
	// Documents are the item's as of a point, in a MeetingView folded from
	// its history; the getters of the current record leave them nil, and
	// DocumentsOf reads them for the items that ask.
	Documents []events.DocumentRef `json:"documents"`
}

const meetingSelect = `meeting_id, body_id, status, coalesce(starts_at, ''), place, urgency, urgency_reason, call,
	coalesce(agenda_published_at, ''), coalesce(convened_at, ''), coalesce(adjourned_at, ''), presiding_member_id, present, seats, cancelled_reason`

func scanMeeting(s scanner) (Meeting, error) {
	var m Meeting
	var starts, published, convened, adjourned string
	err := s.Scan(&m.ID, &m.BodyID, &m.Status, &starts, &m.Place, &m.Urgency, &m.UrgencyReason, &m.Call,
		&published, &convened, &adjourned, &m.PresidingMemberID, &m.Present, &m.Seats, &m.CancelledReason)
	m.StartsAt, m.AgendaPublishedAt, m.ConvenedAt, m.AdjournedAt = parseTime(starts), parseTime(published), parseTime(convened), parseTime(adjourned)
	return m, err
}

var meetingGet = getSpec[Meeting]{what: "meeting", columns: meetingSelect, from: "meetings", key: []string{"meeting_id"}, scan: scanMeeting}

// Meeting returns one meeting, or a not_found error.
func (s *Snapshot) Meeting(ctx context.Context, id string) (Meeting, error) {
	return getOne(ctx, s, meetingGet, id)
}

// MeetingsByID returns the meetings of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) MeetingsByID(ctx context.Context, ids []string) ([]*Meeting, error) {
	return getBatch(ctx, s, meetingGet, idKeys(ids))
}

// Meetings returns meetings in the order they were scheduled (when put on
// the record, which never changes), then by id. With a Starts range they
// come by start time instead, then id: the one list ordered by a column
// that can change, since a postponement moves a meeting's start, and with
// it the meeting, across a cursor taken before. A bad range or page is an
// invalid error.
func (s *Snapshot) Meetings(ctx context.Context, f MeetingFilter) (List[Meeting], error) {
	if err := f.Starts.validate("meetings"); err != nil {
		return List[Meeting]{}, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	q.timeRange("starts_at", f.Starts)
	l := listSpec[Meeting]{name: "meetings", columns: meetingSelect, from: "meetings", key: []string{"scheduled_at", "meeting_id"},
		scan: scanMeeting}
	if !f.Starts.isZero() {
		l.name, l.key = "meetings/starts", []string{"starts_at", "meeting_id"}
	}
	return runList(ctx, s, l, q, f.Page)
}

// Attendance returns the members present at a meeting, by id: part of one
// meeting, whole (at most its seats), not a page.
func (s *Snapshot) Attendance(ctx context.Context, meetingID string) ([]string, error) {
	present, err := queryRows(ctx, s.q, `SELECT member_id FROM meeting_attendance WHERE meeting_id = ? ORDER BY member_id`,
		[]any{meetingID}, func(s scanner) (string, error) {
			var id string
			return id, s.Scan(&id)
		})
	if present == nil && err == nil {
		present = []string{}
	}
	return present, err
}

// AgendaItemFilter selects agenda items; empty fields select all.
type AgendaItemFilter struct {
	MeetingID string
	Status    string
	Page
}

const agendaItemSelect = `item_id, meeting_id, seq, title, description, question_type, presenter, urgent_vote_id,
	status, withdrawn_reason, coalesce(consultation_closes_at, '')`

func scanAgendaItem(s scanner) (AgendaItem, error) {
	var it AgendaItem
	var closes string
	err := s.Scan(&it.ID, &it.MeetingID, &it.Seq, &it.Title, &it.Description, &it.QuestionType, &it.Presenter,
		&it.UrgentVoteID, &it.Status, &it.WithdrawnReason, &closes)
	it.ConsultationClosesAt = parseTime(closes)
	return it, err
}

var agendaItemGet = getSpec[AgendaItem]{what: "agenda item", columns: agendaItemSelect, from: "agenda_items", key: []string{"item_id"},
	scan: scanAgendaItem}

// AgendaItem returns one agenda item, or a not_found error.
func (s *Snapshot) AgendaItem(ctx context.Context, id string) (AgendaItem, error) {
	items, err := s.AgendaItemsByID(ctx, []string{id})
	if err != nil {
		return AgendaItem{}, err
	}
	if items[0] == nil {
		return AgendaItem{}, events.Errorf(events.CodeNotFound, "agenda item %s not found", id)
	}
	return *items[0], nil
}

// AgendaItemsByID returns the agenda items of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) AgendaItemsByID(ctx context.Context, ids []string) ([]*AgendaItem, error) {
	return getBatch(ctx, s, agendaItemGet, idKeys(ids))
}

// AgendaItems returns agenda items meeting by meeting, each meeting's in
// agenda order. A bad page is an invalid error.
func (s *Snapshot) AgendaItems(ctx context.Context, f AgendaItemFilter) (List[AgendaItem], error) {
	var q query
	q.eq("meeting_id", f.MeetingID)
	q.eq("status", f.Status)
	return runList(ctx, s, listSpec[AgendaItem]{name: "agenda_items", columns: agendaItemSelect, from: "agenda_items",
		key: []string{"meeting_id", "seq"}, scan: scanAgendaItem}, q, f.Page)
}

// DocumentsOf returns the documents of owners of one kind (see Documents),
// each owner's in order, in one query: out[i] is owners[i]'s, empty when it
// has none. More than MaxBatch owners is an invalid error.
func (s *Snapshot) DocumentsOf(ctx context.Context, ownerKind string, owners []string) ([][]events.DocumentRef, error) {
	if len(owners) > MaxBatch {
		return nil, events.Invalidf("documents: %d owners asked at once, over the maximum of %d", len(owners), MaxBatch)
	}
	out := make([][]events.DocumentRef, len(owners))
	if len(owners) == 0 {
		return out, nil
	}
	args := []any{ownerKind}
	seen := make(map[string]bool, len(owners))
	for _, o := range owners {
		if !seen[o] {
			seen[o] = true
			args = append(args, o)
		}
	}
	type ownedDoc struct {
		owner string
		doc   events.DocumentRef
	}
	docs, err := queryRows(ctx, s.q, `SELECT owner_id, title, media_type, size, sha256, url FROM documents
		WHERE owner_kind = ? AND owner_id IN (?`+strings.Repeat(", ?", len(args)-2)+`) ORDER BY owner_id, seq`,
		args, func(s scanner) (ownedDoc, error) {
			var o ownedDoc
			return o, s.Scan(&o.owner, &o.doc.Title, &o.doc.MediaType, &o.doc.Size, &o.doc.SHA256, &o.doc.URL)
		})
	if err != nil {
		return nil, err
	}
	byOwner := make(map[string][]events.DocumentRef, len(args)-1)
	for _, o := range docs {
		byOwner[o.owner] = append(byOwner[o.owner], o.doc)
	}
	for i, o := range owners {
		if out[i] = byOwner[o]; out[i] == nil {
			out[i] = []events.DocumentRef{}
		}
	}
	return out, nil
}

// Documents returns the documents of an owner (agenda_item, minutes,
// decision_version as "<decision id>/<version>", tender and contract by
// ocid, request_answer) in order: part of one entity, whole, not a page.
func (s *Snapshot) Documents(ctx context.Context, ownerKind, ownerID string) ([]events.DocumentRef, error) {
	docs, err := s.DocumentsOf(ctx, ownerKind, []string{ownerID})
	if err != nil {
		return nil, err
	}
	return docs[0], nil
}
