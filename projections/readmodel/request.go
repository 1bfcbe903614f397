package readmodel

import (
	"cmp"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Citizens' requests, their status history and timings. Whether a request
// is overdue is never stored: it depends on when one asks. RequestFilter's
// OverdueAt computes it in the query from the due date and the status, and
// Request.Overdue from a row.

// requestRow is a row of requests; response_days is NULL until a due date
// is set.
type requestRow struct {
	Request
	hasResponseDays bool
}

var requests = define(&table[string, requestRow]{
	name: "requests", keys: 1, rowid: true,
	columns: []column[requestRow]{
		textCol("request_id", "TEXT PRIMARY KEY", func(r *requestRow) *string { return &r.ID }),
		textCol("category", "TEXT NOT NULL", func(r *requestRow) *string { return &r.Category }),
		textCol("subject", "TEXT NOT NULL", func(r *requestRow) *string { return &r.Subject }),
		textCol("description", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.Description }),
		textCol("address", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.Address }),
		floatCol("lat", func(r *requestRow) **float64 { return &r.Lat }),
		floatCol("long", func(r *requestRow) **float64 { return &r.Long }),
		textCol("channel", "TEXT NOT NULL", func(r *requestRow) *string { return &r.Channel }),
		textCol("assisted_by", "TEXT NOT NULL", func(r *requestRow) *string { return &r.AssistedBy }),
		textCol("status", "TEXT NOT NULL", func(r *requestRow) *string { return &r.Status }),
		timeCol("submitted_at", func(r *requestRow) *time.Time { return &r.SubmittedAt }),
		timeCol("acknowledged_at", func(r *requestRow) *time.Time { return &r.AcknowledgedAt }),
		{name: "response_days", decl: "INTEGER",
			get: func(r *requestRow) any {
				if !r.hasResponseDays {
					return nil
				}
				return int64(r.ResponseDays)
			},
			set: func(r *requestRow, v any) { n, ok := v.(int64); r.ResponseDays, r.hasResponseDays = int(n), ok }},
		timeCol("due_at", func(r *requestRow) *time.Time { return &r.DueAt }),
		textCol("department", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.Department }),
		textCol("officer_id", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.OfficerID }),
		timeCol("answered_at", func(r *requestRow) *time.Time { return &r.AnsweredAt }),
		textCol("answer_summary", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.AnswerSummary }),
		textCol("legal_basis", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.LegalBasis }),
		timeCol("closed_at", func(r *requestRow) *time.Time { return &r.ClosedAt }),
		intCol("reopened", "INTEGER NOT NULL DEFAULT 0", func(r *requestRow) *int { return &r.Reopened }),
		textCol("counting", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.Counting }),
		intCol("extended_days", "INTEGER NOT NULL DEFAULT 0", func(r *requestRow) *int { return &r.ExtendedDays }),
		textCol("extension_reason", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.ExtensionReason }),
		textCol("forwarded_to", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.ForwardedTo }),
		textCol("forward_clock", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.ForwardClock }),
		boolCol("forwarded_late", "INTEGER NOT NULL DEFAULT 0", func(r *requestRow) *bool { return &r.ForwardedLate }),
		textCol("access", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.Access }),
		textCol("withheld_reason", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.WithheldReason }),
		textCol("withheld_legal_basis", "TEXT NOT NULL DEFAULT ''", func(r *requestRow) *string { return &r.WithheldLegalBasis }),
	},
	indexes: []string{
		`CREATE INDEX {requests_status} ON {requests} (status, submitted_at, request_id)`,
		`CREATE INDEX {requests_category} ON {requests} (category, submitted_at, request_id)`,
		`CREATE INDEX {requests_channel} ON {requests} (channel, submitted_at, request_id)`,
		`CREATE INDEX {requests_submitted} ON {requests} (submitted_at, request_id)`,
		`CREATE INDEX {requests_department} ON {requests} (department, submitted_at, request_id)`,
		`CREATE INDEX {requests_officer} ON {requests} (officer_id, submitted_at, request_id)`,
	},
	key:    func(r *requestRow) string { return r.ID },
	newRow: func(id string) requestRow { return requestRow{Request: Request{ID: id}} },
	order:  byString,
})

// requestHistoryRow is a row of request_status_history.
type requestHistoryRow struct {
	requestID string
	seq       int
	RequestStatusChange
}

type seqKeyOf struct {
	id  string
	seq int
}

func bySeqKey(a, b seqKeyOf) int {
	return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.seq, b.seq))
}

var requestHistory = define(&table[seqKeyOf, requestHistoryRow]{
	name: "request_status_history", keys: 2, constraint: "PRIMARY KEY (request_id, seq)",
	columns: []column[requestHistoryRow]{
		textCol("request_id", "TEXT NOT NULL", func(r *requestHistoryRow) *string { return &r.requestID }),
		intCol("seq", "INTEGER NOT NULL", func(r *requestHistoryRow) *int { return &r.seq }),
		textCol("status", "TEXT NOT NULL", func(r *requestHistoryRow) *string { return &r.Status }),
		timeCol("at", func(r *requestHistoryRow) *time.Time { return &r.At }),
		textCol("detail", "TEXT NOT NULL", func(r *requestHistoryRow) *string { return &r.Detail }),
	},
	key:    func(r *requestHistoryRow) seqKeyOf { return seqKeyOf{r.requestID, r.seq} },
	newRow: func(k seqKeyOf) requestHistoryRow { return requestHistoryRow{requestID: k.id, seq: k.seq} },
	order:  bySeqKey,
})

// openRequestStatuses are the statuses in which a request runs against its
// due date.
var openRequestStatuses = []any{
	string(events.RequestStatusAcknowledged), string(events.RequestStatusAssigned), string(events.RequestStatusReopened),
}

func applyRequest(w writer, p events.Payload) (bool, error) {
	switch p.(type) {
	case events.RequestSubmitted, events.RequestAcknowledged, events.RequestAssigned, events.RequestAnswered,
		events.RequestRejected, events.RequestClosed, events.RequestReopened, events.RequestExtended, events.RequestForwarded:
	default:
		return false, nil
	}
	if e, ok := p.(events.RequestAnswered); ok {
		if err := w.documents("request_answer", w.id(), e.Documents); err != nil {
			return true, err
		}
	}
	var change RequestStatusChange
	rows := requests.of(w)
	if e, ok := p.(events.RequestSubmitted); ok {
		subject, _, err := w.open(events.EntityRequest, w.id(), e.Author, events.RequestEntity(w.id()), e.Subject, e.LegacySubject)
		if err != nil {
			return true, err
		}
		description, _, err := w.open(events.EntityRequest, w.id(), e.Author, events.RequestEntity(w.id()), e.Description, "")
		if err != nil {
			return true, err
		}
		r := rows.put(requestRow{Request: Request{ID: w.id()}})
		change = r.apply(w.at(), e)
		r.Subject, r.Description = subject, description
	} else {
		// A change of a request that is not in the table changes no row,
		// as an UPDATE would not, but still enters its history.
		r, err := rows.get(w, w.id())
		if err != nil {
			return true, err
		}
		if r == nil {
			r = &requestRow{}
		} else {
			rows.write(w.id())
		}
		change = r.apply(w.at(), p)
	}
	seq, err := w.nextSeq(batchOf(w).seqs, seqKey("request_status_history", w.id()), 1,
		`SELECT coalesce(max(seq), 0) FROM {request_status_history} WHERE request_id = ?`, w.id())
	if err != nil {
		return true, err
	}
	requestHistory.of(w).put(requestHistoryRow{requestID: w.id(), seq: int(seq), RequestStatusChange: change})
	return true, nil
}

// apply is the rule of a request's row for one of its events, at the
// time it occurred; it returns the step of the status history the event
// adds.
func (r *requestRow) apply(at time.Time, p events.Payload) RequestStatusChange {
	or := func(t time.Time) time.Time {
		if t.IsZero() {
			return at
		}
		return t.UTC()
	}
	var detail string
	switch e := p.(type) {
	case events.RequestSubmitted:
		r.Category, r.Channel, r.AssistedBy = string(e.Category), string(e.Channel), e.AssistedBy // the words are opened by the caller
		if l := e.Location; l != nil {
			r.Address, r.Lat, r.Long = l.Address, l.Lat, l.Long
		}
		r.Status, r.SubmittedAt, detail = string(events.RequestStatusSubmitted), or(e.SubmittedAt), string(e.Channel)
	case events.RequestAcknowledged:
		r.Status, r.AcknowledgedAt, r.ResponseDays, r.hasResponseDays, r.DueAt = string(events.RequestStatusAcknowledged), at, e.ResponseDays, true, e.DueAt.UTC()
		r.Counting = string(e.Counting)
		detail = "due " + e.DueAt.UTC().Format(time.DateOnly)
	case events.RequestAssigned:
		r.Status, r.Department, r.OfficerID, detail = string(events.RequestStatusAssigned), e.Department, e.OfficerID, e.Department
	case events.RequestAnswered:
		r.Status, r.AnsweredAt, r.AnswerSummary = string(events.RequestStatusAnswered), or(e.AnsweredAt), e.Summary
		r.Access, r.WithheldReason, r.WithheldLegalBasis = string(e.Access), "", ""
		if e.Withheld != nil {
			r.WithheldReason, r.WithheldLegalBasis = e.Withheld.Reason, e.Withheld.LegalBasis
			detail = "partial: " + e.Withheld.LegalBasis
		}
	case events.RequestRejected:
		r.Status, r.AnsweredAt, r.LegalBasis, r.AnswerSummary, detail = string(events.RequestStatusRejected), or(e.RejectedAt), e.LegalBasis, e.Reason, e.LegalBasis
	case events.RequestClosed:
		r.Status, r.ClosedAt = string(events.RequestStatusClosed), or(e.ClosedAt)
	case events.RequestReopened:
		r.Status, r.ResponseDays, r.hasResponseDays, r.DueAt = string(events.RequestStatusReopened), e.ResponseDays, true, e.DueAt.UTC()
		r.AnsweredAt, r.ClosedAt = time.Time{}, time.Time{}
		r.Reopened++
		detail = e.Reason
	case events.RequestExtended:
		r.ExtendedDays, r.ExtensionReason, r.DueAt = e.Days, e.Reason, e.DueAt.UTC()
		detail = "extended to " + e.DueAt.UTC().Format(time.DateOnly) + ": " + e.Reason
	case events.RequestForwarded:
		r.DueAt = e.DueAt.UTC()
		if e.Internal {
			r.Department = e.To
		} else {
			r.ForwardedTo, r.ForwardClock, r.ForwardedLate = e.To, string(e.Clock), e.Late
		}
		detail = "forwarded to " + e.To + " (" + string(e.Clock) + ")"
	}
	return RequestStatusChange{Status: r.Status, At: at, Detail: detail}
}

// floatCol is a nullable REAL column of a *float64 field.
func floatCol[R any](name string, f func(*R) **float64) column[R] {
	return column[R]{name: name, decl: "REAL",
		get: func(r *R) any {
			if p := *f(r); p != nil {
				return *p
			}
			return nil
		},
		set: func(r *R, v any) {
			switch x := v.(type) {
			case float64:
				*f(r) = &x
			case int64:
				y := float64(x)
				*f(r) = &y
			default:
				*f(r) = nil
			}
		}}
}
