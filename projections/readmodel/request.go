package readmodel

import (
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
CREATE INDEX {requests_status} ON {requests} (status, submitted_at, request_id);
CREATE INDEX {requests_category} ON {requests} (category, submitted_at, request_id);
CREATE INDEX {requests_channel} ON {requests} (channel, submitted_at, request_id);
CREATE INDEX {requests_submitted} ON {requests} (submitted_at, request_id);
CREATE INDEX {requests_department} ON {requests} (department, submitted_at, request_id);
CREATE INDEX {requests_officer} ON {requests} (officer_id, submitted_at, request_id);
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
		subject, _, err := w.open(events.EntityRequest, w.id(), e.Author, events.RequestEntity(w.id()), e.Subject, e.LegacySubject)
		if err != nil {
			return true, err
		}
		*r = requestRow{exists: true, category: string(e.Category), subject: subject, channel: string(e.Channel),
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
