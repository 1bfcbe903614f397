package events

import (
	"context"
	"encoding/json"
	"time"
)

// A request is a citizen's request to the municipality: for information
// and documents (FOI), for a service, or a complaint. The log records its
// handling so the public can see how fast the municipality answers. The
// requester appears only as an AuthorRef of this request, and the subject
// they wrote is sealed under their key: both mean nothing without the
// vault, and forgetting the requester leaves only what is not personal
// (category, channel, dates, status, the officials' answers).

// RequestCategory is the kind of request; each has a statutory response
// period (RequestSettings).
type RequestCategory string

const (
	RequestInformation RequestCategory = "information"
	RequestService     RequestCategory = "service"
	RequestComplaint   RequestCategory = "complaint"
)

func (c RequestCategory) valid() bool {
	return c == RequestInformation || c == RequestService || c == RequestComplaint
}

// RequestChannel is how the request reached the municipality.
type RequestChannel string

const (
	RequestViaWeb           RequestChannel = "web"
	RequestViaServiceCentre RequestChannel = "citizen_service_centre"
	RequestViaPhone         RequestChannel = "phone"
)

func (c RequestChannel) valid() bool {
	return c == RequestViaWeb || c == RequestViaServiceCentre || c == RequestViaPhone
}

// RequestSettings hold the statutory response period of each category,
// counted from the day after submission, and how its days are counted.
// Greek law (ν. 2690/1999 arts. 4 and 5) gives 20 days for access to
// documents and 50 days for other requests; a municipality may configure
// shorter ones, as settings of the body the requests are addressed to
// (BodySettings.Requests). The acknowledgement records the period, the
// counting and the due date.
type RequestSettings struct {
	ResponseDays map[RequestCategory]int `json:"response_days"`
	// Counting is calendar (the default) or working days.
	Counting DayCount `json:"counting,omitempty"`
	// ExtensionDays bounds the one extension of a category; absent, an
	// extension may be as long as the category's period.
	ExtensionDays map[RequestCategory]int `json:"extension_days,omitempty"`
	// ForwardDays is the time, in working days after submission, within
	// which a request for another authority is forwarded to it (3 by
	// ν. 2690/1999 art. 4 §2); a later forwarding is recorded as late.
	ForwardDays int `json:"forward_days,omitempty"`
	// Holidays are the body's own holidays beyond the national ones.
	Holidays HolidaySettings `json:"holidays,omitzero"`
}

// DefaultRequestSettings returns the periods of Greek law: information 20
// days, service and complaint 50 days, in calendar days; forwarding
// within 3 working days.
func DefaultRequestSettings() RequestSettings {
	return RequestSettings{ResponseDays: map[RequestCategory]int{
		RequestInformation: 20,
		RequestService:     50,
		RequestComplaint:   50,
	}, Counting: CountCalendar, ForwardDays: 3}
}

// DaysFor returns the response period of category c, false when the
// settings have none.
func (s RequestSettings) DaysFor(c RequestCategory) (int, bool) {
	d, ok := s.ResponseDays[c]
	return d, ok && d > 0
}

// MaxResponseDays bounds a response period.
const MaxResponseDays = 365

// RequestSubmitted records a new request. Author is the requester's
// reference for this request only; Subject, what they wrote, is sealed
// under their key with the request's entity (RequestEntity) as associated
// data, and so is Description, the public description of the problem they
// report (schema 3, optional), which the open data publish while the
// requester is not forgotten. Location is where the reported problem is
// (schema 3, optional): a place in the town, not the requester's.
// LegacySubject is the clear subject of a request recorded at schema 1,
// before subjects were sealed; new events never carry it.
type RequestSubmitted struct {
	RequestID     string           `json:"request_id"`
	Category      RequestCategory  `json:"category"`
	Subject       Sealed           `json:"subject_sealed,omitempty"`
	Description   Sealed           `json:"description_sealed,omitempty"`
	Location      *RequestLocation `json:"location,omitempty"`
	Channel       RequestChannel   `json:"channel"`
	AssistedBy    string           `json:"assisted_by,omitempty"`
	Author        AuthorRef        `json:"author,omitempty"`
	SubmittedAt   time.Time        `json:"submitted_at"`
	LegacySubject string           `json:"legacy_subject,omitempty"`
}

// RequestLocation is where a reported problem is: WGS 84 coordinates, a
// street address, or both.
type RequestLocation struct {
	Lat     *float64 `json:"lat,omitempty"`
	Long    *float64 `json:"long,omitempty"`
	Address string   `json:"address,omitempty"`
}

// validate refuses a location with neither coordinates nor an address,
// with one coordinate only or one out of range, or a bad address.
func (l *RequestLocation) validate() error {
	if l == nil {
		return nil
	}
	if (l.Lat == nil) != (l.Long == nil) {
		return Invalidf("request location: give both latitude and longitude, or neither")
	}
	if l.Lat == nil && l.Address == "" {
		return Invalidf("request location: give coordinates, an address or both")
	}
	if l.Lat != nil && !(*l.Lat >= -90 && *l.Lat <= 90 && *l.Long >= -180 && *l.Long <= 180) {
		return Invalidf("request location: latitude within -90..90 and longitude within -180..180")
	}
	if l.Address != "" {
		if err := ValidateText("request address", l.Address, MaxTitleRunes); err != nil {
			return err
		}
		return refuseContactDetails("request address", l.Address)
	}
	return nil
}

// RequestAcknowledged records that the municipality registered the request
// and the date its answer is due.
type RequestAcknowledged struct {
	ResponseDays int       `json:"response_days"`
	DueAt        time.Time `json:"due_at"`
	// Schema 2: how the days were counted, and the body whose settings
	// gave the period (empty: the law's defaults).
	Counting DayCount `json:"counting"`
	BodyID   string   `json:"body_id,omitempty"`
}

// RequestAssigned records the department (and officer, if named) that
// handles the request.
type RequestAssigned struct {
	Department string `json:"department"`
	OfficerID  string `json:"officer_id,omitempty"`
}

// RequestAnswered records the answer: a public summary and documents.
type RequestAnswered struct {
	Summary    string        `json:"summary"`
	Documents  []DocumentRef `json:"documents,omitempty"`
	AnsweredAt time.Time     `json:"answered_at"`
	// Schema 2: full or partial access, and for partial access what
	// reason and legal basis withhold the rest.
	Access   AccessGiven  `json:"access"`
	Withheld *Withholding `json:"withheld,omitempty"`
}

// RequestRejected records a refusal and the legal basis for it.
type RequestRejected struct {
	LegalBasis string    `json:"legal_basis"`
	Reason     string    `json:"reason,omitempty"`
	RejectedAt time.Time `json:"rejected_at"`
}

// RequestClosed records that the handling of the request ended.
type RequestClosed struct {
	ClosedAt time.Time `json:"closed_at"`
}

// RequestReopened records that an answered, rejected or closed request is
// handled again, why, and its new due date.
type RequestReopened struct {
	Reason       string    `json:"reason"`
	ResponseDays int       `json:"response_days"`
	DueAt        time.Time `json:"due_at"`
}

func (RequestSubmitted) EventType() string    { return "request.submitted" }
func (RequestAcknowledged) EventType() string { return "request.acknowledged" }
func (RequestAssigned) EventType() string     { return "request.assigned" }
func (RequestAnswered) EventType() string     { return "request.answered" }
func (RequestRejected) EventType() string     { return "request.rejected" }
func (RequestClosed) EventType() string       { return "request.closed" }
func (RequestReopened) EventType() string     { return "request.reopened" }

func init() {
	Register[RequestSubmitted]("request", 3, "A citizen's request (information, service or complaint) was submitted, optionally with where the problem is and a public description; the requester is only an author reference of this request, the subject and description sealed under their key.")
	RegisterUpcaster("request.submitted", 1, upcastRequestSubmittedV1)
	// Schema 3 adds the optional location and description: a schema 2
	// event reads as it is.
	RegisterUpcaster("request.submitted", 2, func(data json.RawMessage) (json.RawMessage, error) { return data, nil })
	Register[RequestAcknowledged]("request", 2, "A request was registered, with its statutory response period, how its days are counted and its due date.")
	RegisterUpcaster("request.acknowledged", 1, upcastAddFields("request.acknowledged", map[string]any{"counting": CountCalendar}))
	Register[RequestAssigned]("request", 1, "A request was given to a department and optionally an officer.")
	Register[RequestAnswered]("request", 2, "A request was answered, with a public summary and documents, in full or in part with the reason for what is withheld.")
	RegisterUpcaster("request.answered", 1, upcastAddFields("request.answered", map[string]any{"access": AccessFull}))
	Register[RequestRejected]("request", 1, "A request was refused on a stated legal basis.")
	Register[RequestClosed]("request", 1, "The handling of an answered or rejected request ended.")
	Register[RequestReopened]("request", 1, "A request was handled again, with the reason and a new due date.")
	RegisterDecider(RequestDecider)
}

// SubmitRequest records a new request. Requester is the person's reference
// in the vault (Vault.Put); the command service seals Subject and the
// optional Description under their key and names them by their AuthorRef
// for this request. Location, optional, is where the reported problem is.
// AssistedBy is the staff id of the employee who helped at a citizen
// service centre (required there, refused on the web).
type SubmitRequest struct {
	RequestID   string
	Category    RequestCategory
	Subject     string
	Description string
	Location    *RequestLocation
	Channel     RequestChannel
	AssistedBy  string
	Requester   SubjectRef
	At          time.Time

	protected
}

// AcknowledgeRequest registers a submitted request. ResponseDays is the
// statutory period of its category, usually from DefaultRequestSettings or
// the municipality's configured settings; the answer is due ResponseDays
// calendar days after submission.
type AcknowledgeRequest struct {
	RequestID    string
	ResponseDays int // zero: the category's period in the settings
	// BodyID names the body whose settings (BodySettings.Requests) give
	// the period and the counting; empty means DefaultRequestSettings.
	BodyID string
	At     time.Time
}

// AssignRequest gives a request to a department and optionally an officer.
type AssignRequest struct {
	RequestID  string
	Department string
	OfficerID  string
	At         time.Time
}

// AnswerRequest records the answer to a request.
type AnswerRequest struct {
	RequestID string
	Summary   string
	Documents []DocumentRef
	// Withheld, for a request for documents, gives partial access: what
	// is not given, and why.
	Withheld *Withholding
	At       time.Time
}

// RejectRequest refuses a request; LegalBasis (the article of law) is
// required.
type RejectRequest struct {
	RequestID  string
	LegalBasis string
	Reason     string
	At         time.Time
}

// CloseRequest ends the handling of an answered or rejected request.
type CloseRequest struct {
	RequestID string
	At        time.Time
}

// ReopenRequest handles an answered, rejected or closed request again; the
// new answer is due ResponseDays after At.
type ReopenRequest struct {
	RequestID    string
	Reason       string
	ResponseDays int
	At           time.Time
}

// RequestStream returns the stream of request id.
func RequestStream(id string) string { return StreamName("request", id) }

func (c SubmitRequest) Stream() string      { return RequestStream(c.RequestID) }
func (c AcknowledgeRequest) Stream() string { return RequestStream(c.RequestID) }
func (c AssignRequest) Stream() string      { return RequestStream(c.RequestID) }
func (c AnswerRequest) Stream() string      { return RequestStream(c.RequestID) }
func (c RejectRequest) Stream() string      { return RequestStream(c.RequestID) }
func (c CloseRequest) Stream() string       { return RequestStream(c.RequestID) }
func (c ReopenRequest) Stream() string      { return RequestStream(c.RequestID) }

func (c SubmitRequest) OccurredAt() time.Time      { return c.At }
func (c AcknowledgeRequest) OccurredAt() time.Time { return c.At }
func (c AssignRequest) OccurredAt() time.Time      { return c.At }
func (c AnswerRequest) OccurredAt() time.Time      { return c.At }
func (c RejectRequest) OccurredAt() time.Time      { return c.At }
func (c CloseRequest) OccurredAt() time.Time       { return c.At }
func (c ReopenRequest) OccurredAt() time.Time      { return c.At }

// RequestStatus is where a request stands.
type RequestStatus string

const (
	RequestStatusNone         RequestStatus = ""
	RequestStatusSubmitted    RequestStatus = "submitted"
	RequestStatusAcknowledged RequestStatus = "acknowledged"
	RequestStatusAssigned     RequestStatus = "assigned"
	RequestStatusAnswered     RequestStatus = "answered"
	RequestStatusRejected     RequestStatus = "rejected"
	RequestStatusClosed       RequestStatus = "closed"
	RequestStatusReopened     RequestStatus = "reopened"
)

// Open reports whether the municipality still owes an answer.
func (s RequestStatus) Open() bool {
	return s == RequestStatusAcknowledged || s == RequestStatusAssigned || s == RequestStatusReopened
}

// RequestState is a request as its stream tells it. DueAt is zero until the
// request is acknowledged; overdue is derived from it (Overdue), never
// stored, so it is always true to the clock of whoever asks.
type RequestState struct {
	ID          string
	Status      RequestStatus
	Category    RequestCategory
	Channel     RequestChannel
	Author      AuthorRef
	SubmittedAt time.Time
	DueAt       time.Time
	Department  string
	OfficerID   string
	AnsweredAt  time.Time
	// From the acknowledgement: the period, its counting and the body
	// whose settings apply; and the one extension, once taken.
	ResponseDays int
	Counting     DayCount
	BodyID       string
	Extended     bool
	ForwardedTo  string
}

// Exists reports whether the request was submitted.
func (s RequestState) Exists() bool { return s.Status != RequestStatusNone }

// Overdue reports whether at is past the due date of a request still
// awaiting its answer. An answered, rejected or closed request is never
// overdue; a submitted one has no due date until acknowledged.
func (s RequestState) Overdue(at time.Time) bool {
	return s.Status.Open() && !s.DueAt.IsZero() && at.After(s.DueAt)
}

func evolveRequest(s RequestState, p Payload) RequestState {
	switch e := p.(type) {
	case RequestSubmitted:
		return RequestState{ID: e.RequestID, Status: RequestStatusSubmitted, Category: e.Category, Channel: e.Channel,
			Author: e.Author, SubmittedAt: e.SubmittedAt}
	case RequestAcknowledged:
		s.Status, s.DueAt = RequestStatusAcknowledged, e.DueAt
		s.ResponseDays, s.Counting, s.BodyID = e.ResponseDays, e.Counting, e.BodyID
	case RequestAssigned:
		s.Status, s.Department, s.OfficerID = RequestStatusAssigned, e.Department, e.OfficerID
	case RequestAnswered:
		s.Status, s.AnsweredAt = RequestStatusAnswered, e.AnsweredAt
	case RequestRejected:
		s.Status, s.AnsweredAt = RequestStatusRejected, e.RejectedAt
	case RequestClosed:
		s.Status = RequestStatusClosed
	case RequestReopened:
		s.Status, s.DueAt, s.AnsweredAt = RequestStatusReopened, e.DueAt, time.Time{}
	case RequestExtended:
		s.DueAt, s.Extended = e.DueAt, true
	case RequestForwarded:
		s.DueAt = e.DueAt
		if e.Internal {
			s.Department = e.To
		} else {
			s.ForwardedTo = e.To
		}
	}
	return s
}

func (c SubmitRequest) protect(ctx context.Context, s Sealer) (Command, error) {
	texts := []string{c.Subject}
	if c.Description != "" {
		texts = append(texts, c.Description)
	}
	author, sealed, err := s.Seal(ctx, c.Requester, RequestEntity(c.RequestID), texts...)
	if err != nil {
		return nil, err
	}
	c.protected = protected{author: author, sealed: sealed}
	return c, nil
}

// upcastRequestSubmittedV1 keeps a schema 1 request's clear subject as
// LegacySubject and drops its subject_ref, a reference that linked one
// person's acts together and that no reader may see.
func upcastRequestSubmittedV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		RequestID   string          `json:"request_id"`
		Category    RequestCategory `json:"category"`
		Subject     string          `json:"subject"`
		Channel     RequestChannel  `json:"channel"`
		AssistedBy  string          `json:"assisted_by"`
		SubmittedAt time.Time       `json:"submitted_at"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, Invalidf("request submitted v1: %v", err)
	}
	return json.Marshal(RequestSubmitted{RequestID: v1.RequestID, Category: v1.Category, Channel: v1.Channel,
		AssistedBy: v1.AssistedBy, SubmittedAt: v1.SubmittedAt, LegacySubject: v1.Subject})
}
