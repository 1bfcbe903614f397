package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Citizens' requests, their status history and timings. Whether a request
// is overdue is never stored: it depends on when one asks. RequestFilter's
// OverdueAt computes it in the query from the due date and the status, and
// Request.Overdue from a row.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {requests} (
	request_id      TEXT PRIMARY KEY,
	category        TEXT NOT NULL,
	subject         TEXT NOT NULL,
	channel         TEXT NOT NULL,
	assisted_by     TEXT NOT NULL,
	status          TEXT NOT NULL,
	submitted_at    TEXT,
	acknowledged_at TEXT,
	response_days   INTEGER,
	due_at          TEXT,
	department      TEXT NOT NULL DEFAULT '',
	officer_id      TEXT NOT NULL DEFAULT '',
	answered_at     TEXT,
	answer_summary  TEXT NOT NULL DEFAULT '',
	legal_basis     TEXT NOT NULL DEFAULT '',
	closed_at       TEXT,
	reopened        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX {requests_status_due} ON {requests} (status, due_at);
CREATE INDEX {requests_category} ON {requests} (category, submitted_at);
CREATE INDEX {requests_channel} ON {requests} (channel, submitted_at);
CREATE INDEX {requests_submitted} ON {requests} (submitted_at);
CREATE INDEX {requests_department} ON {requests} (department);
CREATE TABLE {request_status_history} (
	request_id TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	status     TEXT NOT NULL,
	at         TEXT,
	detail     TEXT NOT NULL,
	PRIMARY KEY (request_id, seq)
) WITHOUT ROWID;
`)
}

// openRequestStatuses are the statuses in which a request runs against its
// due date.
var openRequestStatuses = []any{
	string(events.RequestStatusAcknowledged), string(events.RequestStatusAssigned), string(events.RequestStatusReopened),
}

func applyRequest(w writer, p events.Payload) (bool, error) {
	switch p.(type) {
	case events.RequestSubmitted, events.RequestAcknowledged, events.RequestAssigned, events.RequestAnswered,
		events.RequestRejected, events.RequestClosed, events.RequestReopened:
	default:
		return false, nil
	}
	b := batchOf(w)
	_, replacing := p.(events.RequestSubmitted)
	r, err := b.request(w, w.id(), replacing)
	if err != nil {
		return true, err
	}
	var status events.RequestStatus
	var detail string
	// A change of a request that is not in the table changes no row, as an
	// UPDATE would not, but still enters its history.
	switch e := p.(type) {
	case events.RequestSubmitted:
		submitted := timeText(e.SubmittedAt)
		if submitted == nil {
			submitted = w.occurred()
		}
		*r = requestRow{exists: true, category: string(e.Category), subject: e.Subject, channel: string(e.Channel),
			assistedBy: e.AssistedBy, status: string(events.RequestStatusSubmitted), submittedAt: submitted, lastSeq: r.lastSeq}
		status, detail = events.RequestStatusSubmitted, string(e.Channel)
	case events.RequestAcknowledged:
		status, detail = events.RequestStatusAcknowledged, "due "+e.DueAt.UTC().Format(time.DateOnly)
		r.acknowledgedAt, r.responseDays, r.dueAt = w.occurred(), int64(e.ResponseDays), timeText(e.DueAt)
	case events.RequestAssigned:
		status, detail = events.RequestStatusAssigned, e.Department
		r.department, r.officerID = e.Department, e.OfficerID
	case events.RequestAnswered:
		if err := w.documents("request_answer", w.id(), e.Documents); err != nil {
			return true, err
		}
		status = events.RequestStatusAnswered
		r.answeredAt, r.answerSummary = orOccurred(w, e.AnsweredAt), e.Summary
	case events.RequestRejected:
		status, detail = events.RequestStatusRejected, e.LegalBasis
		r.answeredAt, r.legalBasis, r.answerSummary = orOccurred(w, e.RejectedAt), e.LegalBasis, e.Reason
	case events.RequestClosed:
		status = events.RequestStatusClosed
		r.closedAt = orOccurred(w, e.ClosedAt)
	case events.RequestReopened:
		status, detail = events.RequestStatusReopened, e.Reason
		r.responseDays, r.dueAt, r.answeredAt, r.closedAt = int64(e.ResponseDays), timeText(e.DueAt), nil, nil
		r.reopened++
	}
	r.status = string(status)
	r.dirty = true
	r.lastSeq++
	b.history = append(b.history, []any{w.id(), r.lastSeq, string(status), w.occurred(), detail})
	return true, nil
}

func orOccurred(w writer, t time.Time) any {
	if t.IsZero() {
		return w.occurred()
	}
	return timeText(t)
}

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
