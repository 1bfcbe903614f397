package readmodel

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Request is a citizen's request: what was asked, how, and how it was
// handled, without the requester.
type Request struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Subject  string `json:"subject"`
	// Description, Address, Lat and Long describe the reported problem
	// and where it is (each optional): the description is the
	// requester's words, opened through the vault like the subject.
	Description    string    `json:"description,omitempty"`
	Address        string    `json:"address,omitempty"`
	Lat            *float64  `json:"lat,omitempty"`
	Long           *float64  `json:"long,omitempty"`
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
	// As the law counts: calendar or working days; the one extension and
	// its reason; the competent authority it was forwarded to, whether
	// its period restarted and whether it went late; full or partial
	// access, and for partial access why the rest is withheld.
	Counting           string `json:"counting,omitempty"`
	ExtendedDays       int    `json:"extended_days,omitempty"`
	ExtensionReason    string `json:"extension_reason,omitempty"`
	ForwardedTo        string `json:"forwarded_to,omitempty"`
	ForwardClock       string `json:"forward_clock,omitempty"`
	ForwardedLate      bool   `json:"forwarded_late,omitempty"`
	Access             string `json:"access,omitempty"`
	WithheldReason     string `json:"withheld_reason,omitempty"`
	WithheldLegalBasis string `json:"withheld_legal_basis,omitempty"`
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
	OfficerID  string
	Submitted  TimeRange
	OverdueAt  time.Time
	Page
}

const requestSelect = `request_id, category, subject, description, address, lat, long, channel, assisted_by, status, coalesce(submitted_at, ''), coalesce(acknowledged_at, ''),
	coalesce(response_days, 0), coalesce(due_at, ''), department, officer_id, coalesce(answered_at, ''), answer_summary, legal_basis,
	coalesce(closed_at, ''), reopened, counting, extended_days, extension_reason, forwarded_to, forward_clock, forwarded_late,
	access, withheld_reason, withheld_legal_basis`

func scanRequest(s scanner) (Request, error) {
	var r Request
	var submitted, acknowledged, due, answered, closed string
	var lat, long sql.NullFloat64
	err := s.Scan(&r.ID, &r.Category, &r.Subject, &r.Description, &r.Address, &lat, &long, &r.Channel, &r.AssistedBy, &r.Status, &submitted, &acknowledged,
		&r.ResponseDays, &due, &r.Department, &r.OfficerID, &answered, &r.AnswerSummary, &r.LegalBasis, &closed, &r.Reopened,
		&r.Counting, &r.ExtendedDays, &r.ExtensionReason, &r.ForwardedTo, &r.ForwardClock, &r.ForwardedLate,
		&r.Access, &r.WithheldReason, &r.WithheldLegalBasis)
	if lat.Valid && long.Valid {
		r.Lat, r.Long = &lat.Float64, &long.Float64
	}
	r.SubmittedAt, r.AcknowledgedAt, r.DueAt = parseTime(submitted), parseTime(acknowledged), parseTime(due)
	r.AnsweredAt, r.ClosedAt = parseTime(answered), parseTime(closed)
	return r, err
}

var requestGet = getSpec[Request]{what: "request", columns: requestSelect, from: "requests", key: []string{"request_id"}, scan: scanRequest}

// Request returns one request, or a not_found error.
func (s *Snapshot) Request(ctx context.Context, id string) (Request, error) {
	return getOne(ctx, s, requestGet, id)
}

// RequestsByID returns the requests of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) RequestsByID(ctx context.Context, ids []string) ([]*Request, error) {
	return getBatch(ctx, s, requestGet, idKeys(ids))
}

// Requests returns requests by submission time, then id. A bad range or
// page is an invalid error.
func (s *Snapshot) Requests(ctx context.Context, f RequestFilter) (List[Request], error) {
	if err := f.Submitted.validate("requests"); err != nil {
		return List[Request]{}, err
	}
	var q query
	q.eq("category", f.Category)
	q.eq("channel", f.Channel)
	q.eq("status", f.Status)
	q.eq("department", f.Department)
	q.eq("officer_id", f.OfficerID)
	q.timeRange("submitted_at", f.Submitted)
	l := listSpec[Request]{name: "requests", columns: requestSelect, from: "requests", key: []string{"submitted_at", "request_id"},
		scan: scanRequest}
	if !f.OverdueAt.IsZero() {
		// One arm per open status, each in submission order from the index
		// on (status, submitted_at): SQLite merges them in that order, where
		// "status IN (...)" would sort the open requests for every page.
		at := timeText(f.OverdueAt)
		arms := make([]string, len(openRequestStatuses))
		for i, status := range openRequestStatuses {
			arms[i] = `SELECT * FROM requests WHERE status = ? AND due_at < ?`
			l.args = append(l.args, status, at)
		}
		l.from = "(" + strings.Join(arms, " UNION ALL ") + ") requests"
	}
	return runList(ctx, s, l, q, f.Page)
}

// RequestHistory returns the status changes of a request in order: part of
// one request, whole, not a page.
func (s *Snapshot) RequestHistory(ctx context.Context, id string) ([]RequestStatusChange, error) {
	return queryRows(ctx, s.q, `SELECT status, coalesce(at, ''), detail FROM request_status_history WHERE request_id = ? ORDER BY seq`,
		[]any{id}, func(s scanner) (RequestStatusChange, error) {
			var c RequestStatusChange
			var at string
			err := s.Scan(&c.Status, &at, &c.Detail)
			c.At = parseTime(at)
			return c, err
		})
}
