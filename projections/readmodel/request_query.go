package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Request is a citizen's request: what was asked, how, and how it was
// handled, without the requester.
type Request struct {
	ID             string    `json:"id"`
	Category       string    `json:"category"`
	Subject        string    `json:"subject"`
	Channel        string    `json:"channel"`
	AssistedBy     string    `json:"assisted_by,omitempty"`
	Status         string    `json:"status"`
	SubmittedAt    time.Time `json:"submitted_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
	ResponseDays   int       `json:"response_days"`
	DueAt          time.Time `json:"due_at"`
	Department     string    `json:"department,omitempty"`
	OfficerID      string    `json:"officer_id,omitempty"`
	AnsweredAt     time.Time `json:"answered_at"`
	AnswerSummary  string    `json:"answer_summary,omitempty"`
	LegalBasis     string    `json:"legal_basis,omitempty"`
	ClosedAt       time.Time `json:"closed_at"`
	Reopened       int       `json:"reopened"`
}

// Overdue reports whether the request is still open for an answer past its
// due date at time now.
func (r Request) Overdue(now time.Time) bool {
	switch events.RequestStatus(r.Status) {
	case events.RequestStatusAcknowledged, events.RequestStatusAssigned, events.RequestStatusReopened:
		return !r.DueAt.IsZero() && now.After(r.DueAt)
	}
	return false
}

// RequestStatusChange is one step of a request's status history.
type RequestStatusChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// RequestFilter selects requests; empty fields select all. OverdueAt, when
// set, keeps only the requests overdue at that time (open, and past their
// due date): "now" is the caller's, never a stored flag.
type RequestFilter struct {
	Category   string
	Channel    string
	Status     string
	Department string
	Submitted  TimeRange
	OverdueAt  time.Time
	Page
}

const requestColumns = `request_id, category, subject, channel, assisted_by, status, coalesce(submitted_at, ''), coalesce(acknowledged_at, ''),
	coalesce(response_days, 0), coalesce(due_at, ''), department, officer_id, coalesce(answered_at, ''), answer_summary, legal_basis,
	coalesce(closed_at, ''), reopened`

func scanRequest(s scanner) (Request, error) {
	var r Request
	var submitted, acknowledged, due, answered, closed string
	err := s.Scan(&r.ID, &r.Category, &r.Subject, &r.Channel, &r.AssistedBy, &r.Status, &submitted, &acknowledged,
		&r.ResponseDays, &due, &r.Department, &r.OfficerID, &answered, &r.AnswerSummary, &r.LegalBasis, &closed, &r.Reopened)
	r.SubmittedAt, r.AcknowledgedAt, r.DueAt = parseTime(submitted), parseTime(acknowledged), parseTime(due)
	r.AnsweredAt, r.ClosedAt = parseTime(answered), parseTime(closed)
	return r, err
}

// Request returns one request, or a not_found error.
func (m *ReadModel) Request(ctx context.Context, id string) (Request, error) {
	return queryOne(ctx, m.q, "request "+id, `SELECT `+requestColumns+` FROM requests WHERE request_id = ?`, []any{id}, scanRequest)
}

// Requests returns requests by submission time, then id.
func (m *ReadModel) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	if err := f.Submitted.validate("requests"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("category", f.Category)
	q.eq("channel", f.Channel)
	q.eq("status", f.Status)
	q.eq("department", f.Department)
	q.timeRange("submitted_at", f.Submitted)
	if !f.OverdueAt.IsZero() {
		q.where("status IN (?, ?, ?) AND due_at < ?", append(openRequestStatuses[:3:3], timeText(f.OverdueAt))...)
	}
	return queryRows(ctx, m.q, `SELECT `+requestColumns+` FROM requests`+q.String()+` ORDER BY submitted_at, request_id LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), scanRequest)
}

// RequestHistory returns the status changes of a request in order.
func (m *ReadModel) RequestHistory(ctx context.Context, id string) ([]RequestStatusChange, error) {
	return queryRows(ctx, m.q, `SELECT status, coalesce(at, ''), detail FROM request_status_history WHERE request_id = ? ORDER BY seq`,
		[]any{id}, func(s scanner) (RequestStatusChange, error) {
			var c RequestStatusChange
			var at string
			err := s.Scan(&c.Status, &at, &c.Detail)
			c.At = parseTime(at)
			return c, err
		})
}
