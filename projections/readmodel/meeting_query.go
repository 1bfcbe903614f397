package readmodel

import (
	"context"
	"database/sql"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

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
	ID                   string               `json:"id"`
	MeetingID            string               `json:"meeting_id"`
	Seq                  int                  `json:"seq"`
	Title                string               `json:"title"`
	Description          string               `json:"description"`
	QuestionType         string               `json:"question_type"`
	Presenter            string               `json:"presenter"`
	UrgentVoteID         string               `json:"urgent_vote_id,omitempty"`
	Status               string               `json:"status"`
	WithdrawnReason      string               `json:"withdrawn_reason,omitempty"`
	ConsultationClosesAt time.Time            `json:"consultation_closes_at"`
	Documents            []events.DocumentRef `json:"documents"`
}

const meetingColumns = `meeting_id, body_id, status, coalesce(starts_at, ''), place, urgency, urgency_reason, call,
	coalesce(agenda_published_at, ''), coalesce(convened_at, ''), coalesce(adjourned_at, ''), presiding_member_id, present, seats, cancelled_reason`

func scanMeeting(s scanner) (Meeting, error) {
	var m Meeting
	var starts, published, convened, adjourned string
	err := s.Scan(&m.ID, &m.BodyID, &m.Status, &starts, &m.Place, &m.Urgency, &m.UrgencyReason, &m.Call,
		&published, &convened, &adjourned, &m.PresidingMemberID, &m.Present, &m.Seats, &m.CancelledReason)
	m.StartsAt, m.AgendaPublishedAt, m.ConvenedAt, m.AdjournedAt = parseTime(starts), parseTime(published), parseTime(convened), parseTime(adjourned)
	return m, err
}

// Meeting returns one meeting, or a not_found error.
func (m *ReadModel) Meeting(ctx context.Context, id string) (Meeting, error) {
	return queryOne(ctx, m.q, "meeting "+id, `SELECT `+meetingColumns+` FROM meetings WHERE meeting_id = ?`, []any{id}, scanMeeting)
}

// Meetings returns meetings by start time, then id.
func (m *ReadModel) Meetings(ctx context.Context, f MeetingFilter) ([]Meeting, error) {
	if err := f.Starts.validate("meetings"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	q.timeRange("starts_at", f.Starts)
	return queryRows(ctx, m.q, `SELECT `+meetingColumns+` FROM meetings`+q.String()+` ORDER BY starts_at, meeting_id LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), scanMeeting)
}

// Attendance returns the members present at a meeting, by id.
func (m *ReadModel) Attendance(ctx context.Context, meetingID string) ([]string, error) {
	return queryRows(ctx, m.q, `SELECT member_id FROM meeting_attendance WHERE meeting_id = ? ORDER BY member_id`,
		[]any{meetingID}, func(s scanner) (string, error) {
			var id string
			return id, s.Scan(&id)
		})
}

// AgendaItems returns the items of a meeting in agenda order, with their
// documents, read in one snapshot.
func (m *ReadModel) AgendaItems(ctx context.Context, meetingID string) ([]AgendaItem, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, readError(err)
	}
	defer tx.Rollback()
	items, err := queryRows(ctx, tx, `SELECT item_id, meeting_id, seq, title, description, question_type, presenter, urgent_vote_id,
		status, withdrawn_reason, coalesce(consultation_closes_at, '') FROM agenda_items WHERE meeting_id = ? ORDER BY seq`,
		[]any{meetingID}, func(s scanner) (AgendaItem, error) {
			var it AgendaItem
			var closes string
			err := s.Scan(&it.ID, &it.MeetingID, &it.Seq, &it.Title, &it.Description, &it.QuestionType, &it.Presenter,
				&it.UrgentVoteID, &it.Status, &it.WithdrawnReason, &closes)
			it.ConsultationClosesAt = parseTime(closes)
			it.Documents = []events.DocumentRef{}
			return it, err
		})
	if err != nil {
		return nil, err
	}
	type ownedDoc struct {
		owner string
		doc   events.DocumentRef
	}
	docs, err := queryRows(ctx, tx, `SELECT d.owner_id, d.title, d.media_type, d.size, d.sha256, d.url FROM documents d
		JOIN agenda_items i ON i.item_id = d.owner_id WHERE d.owner_kind = 'agenda_item' AND i.meeting_id = ? ORDER BY d.owner_id, d.seq`,
		[]any{meetingID}, func(s scanner) (ownedDoc, error) {
			var o ownedDoc
			return o, s.Scan(&o.owner, &o.doc.Title, &o.doc.MediaType, &o.doc.Size, &o.doc.SHA256, &o.doc.URL)
		})
	if err != nil {
		return nil, err
	}
	byItem := make(map[string]int, len(items))
	for i, it := range items {
		byItem[it.ID] = i
	}
	for _, o := range docs {
		if i, ok := byItem[o.owner]; ok {
			items[i].Documents = append(items[i].Documents, o.doc)
		}
	}
	return items, nil
}

// Documents returns the documents of an owner (agenda_item, minutes,
// decision_version as "<decision id>/<version>", tender and contract by
// ocid, request_answer) in order.
func (m *ReadModel) Documents(ctx context.Context, ownerKind, ownerID string) ([]events.DocumentRef, error) {
	return documentsOf(ctx, m.q, ownerKind, ownerID)
}

func documentsOf(ctx context.Context, q projections.Queryer, ownerKind, ownerID string) ([]events.DocumentRef, error) {
	docs, err := queryRows(ctx, q, `SELECT title, media_type, size, sha256, url FROM documents
		WHERE owner_kind = ? AND owner_id = ? ORDER BY seq`, []any{ownerKind, ownerID}, func(s scanner) (events.DocumentRef, error) {
		var d events.DocumentRef
		return d, s.Scan(&d.Title, &d.MediaType, &d.Size, &d.SHA256, &d.URL)
	})
	if docs == nil && err == nil {
		docs = []events.DocumentRef{}
	}
	return docs, err
}
