package events

import (
	"maps"
	"slices"
	"time"
)

// Requests as the law counts them (ν. 2690/1999, the Code of
// Administrative Procedure): the period of the category, counted in
// calendar or working days with the public holidays of Greece (dueDate);
// one extension with its reason; forwarding to the competent authority,
// which restarts the clock from the authority's receipt (art. 4 §2) when
// the request leaves the municipality and keeps it when it only moves to
// the competent service within it; and partial access to documents with
// the reason for what is withheld (art. 5).

// AccessGiven is how much of what was asked an answer gives.
type AccessGiven string

const (
	AccessFull    AccessGiven = "full"
	AccessPartial AccessGiven = "partial"
)

// Withholding is what a partial answer does not give and why.
type Withholding struct {
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
}

// RequestExtended records the one extension of a request's period, with
// the reason the requester is told, and the new due date.
type RequestExtended struct {
	Days   int       `json:"days"`
	Reason string    `json:"reason"`
	DueAt  time.Time `json:"due_at"`
}

// ForwardClock is what a forwarding does to the request's period.
type ForwardClock string

const (
	ClockRestarted ForwardClock = "restarted"
	ClockKept      ForwardClock = "kept"
)

// RequestForwarded records that a request went to the authority or the
// service competent for it: outside the municipality the period restarts
// from the forwarding (the authority's receipt); within it the period is
// kept. Late tells it was forwarded after the settings' ForwardDays.
type RequestForwarded struct {
	To       string       `json:"to"`
	Internal bool         `json:"internal"`
	Reason   string       `json:"reason"`
	Clock    ForwardClock `json:"clock"`
	DueAt    time.Time    `json:"due_at"`
	Late     bool         `json:"late"`
}

func (RequestExtended) EventType() string  { return "request.extended" }
func (RequestForwarded) EventType() string { return "request.forwarded" }

func init() {
	Register[RequestExtended]("request", 1, "A request's period was extended once, with the reason and the new due date.")
	Register[RequestForwarded]("request", 1, "A request was forwarded to the competent authority (its period restarts) or service of the municipality (its period is kept).")
}

// ExtendRequest extends an open request's period once, by Days counted as
// its period is, from its current due date.
type ExtendRequest struct {
	RequestID string
	Days      int
	Reason    string
	At        time.Time
}

// ForwardRequest sends an open request to the competent authority
// (Internal false: To names it) or to the competent department of the
// municipality (Internal true: To is the department's id).
type ForwardRequest struct {
	RequestID string
	To        string
	Internal  bool
	Reason    string
	At        time.Time
}

func (c ExtendRequest) Stream() string         { return RequestStream(c.RequestID) }
func (c ForwardRequest) Stream() string        { return RequestStream(c.RequestID) }
func (c ExtendRequest) OccurredAt() time.Time  { return c.At }
func (c ForwardRequest) OccurredAt() time.Time { return c.At }

// Needs names the body whose settings give the period, when there is one.
func (c AcknowledgeRequest) Needs() []string {
	if c.BodyID == "" {
		return nil
	}
	return []string{StreamName("body", c.BodyID)}
}

// requestBodyNeeds names the body whose settings the acknowledgement
// applied: its holidays count the days of later periods.
func requestBodyNeeds(state any) []string {
	if s, ok := state.(RequestState); ok && s.BodyID != "" {
		return []string{StreamName("body", s.BodyID)}
	}
	return nil
}

func (c ExtendRequest) NeedsGiven(state any) []string  { return requestBodyNeeds(state) }
func (c ForwardRequest) NeedsGiven(state any) []string { return requestBodyNeeds(state) }
func (c ReopenRequest) NeedsGiven(state any) []string  { return requestBodyNeeds(state) }

// Validate checks the settings: periods of 1 to MaxResponseDays for known
// categories, a known counting, extensions and forwarding in range, and
// the holidays' dates.
func (s RequestSettings) Validate() error {
	for _, m := range []map[RequestCategory]int{s.ResponseDays, s.ExtensionDays} {
		for _, c := range slices.Sorted(maps.Keys(m)) {
			if !c.valid() {
				return Invalidf("request category %q: want information, service or complaint", c)
			}
			if err := validResponseDays(m[c]); err != nil {
				return err
			}
		}
	}
	if s.Counting != "" && s.Counting != CountCalendar && s.Counting != CountWorking {
		return Invalidf("day counting %q: want calendar or working", s.Counting)
	}
	if s.ForwardDays < 0 || s.ForwardDays > 30 {
		return Invalidf("forward days %d: want 0 to 30", s.ForwardDays)
	}
	return s.Holidays.validate()
}

func (s RequestSettings) clone() RequestSettings {
	s.ResponseDays = maps.Clone(s.ResponseDays)
	s.ExtensionDays = maps.Clone(s.ExtensionDays)
	s.Holidays.Local = slices.Clone(s.Holidays.Local)
	s.Holidays.Extra = slices.Clone(s.Holidays.Extra)
	s.Holidays.Removed = slices.Clone(s.Holidays.Removed)
	return s
}

// counting returns the settings' day counting, calendar by default.
func (s RequestSettings) counting() DayCount {
	if s.Counting == "" {
		return CountCalendar
	}
	return s.Counting
}

// requestSettings returns the settings of the body bodyID in f, the law's
// defaults without one.
func requestSettings(f Facts, bodyID string) (RequestSettings, error) {
	if bodyID == "" {
		return DefaultRequestSettings(), nil
	}
	b, err := bodyFact(f, bodyID)
	if err != nil {
		return RequestSettings{}, err
	}
	if b.Settings.Requests == nil {
		return DefaultRequestSettings(), nil
	}
	return *b.Settings.Requests, nil
}

func decideAcknowledgeRequest(s RequestState, c AcknowledgeRequest, f Facts) ([]Payload, error) {
	if err := requestBasics(c.RequestID, c.At); err != nil {
		return nil, err
	}
	if c.ResponseDays != 0 {
		if err := validResponseDays(c.ResponseDays); err != nil {
			return nil, err
		}
	}
	if c.BodyID != "" {
		if err := ValidateID("body id", c.BodyID); err != nil {
			return nil, err
		}
	}
	if err := s.requireStatus(c.RequestID, "acknowledged", RequestStatusSubmitted); err != nil {
		return nil, err
	}
	if c.At.Before(s.SubmittedAt) {
		return nil, Errorf(CodeConflict, "request %s cannot be acknowledged before it was submitted", c.RequestID)
	}
	set, err := requestSettings(f, c.BodyID)
	if err != nil {
		return nil, err
	}
	days, err := s.period(c.RequestID, c.ResponseDays, set)
	if err != nil {
		return nil, err
	}
	return []Payload{RequestAcknowledged{ResponseDays: days, Counting: set.counting(), BodyID: c.BodyID,
		DueAt: dueDate(s.SubmittedAt, days, set.counting(), set.Holidays)}}, nil
}

// period returns the response period a command asks (zero: the
// category's in set), refusing one longer than the settings' or the law's.
func (s RequestState) period(id string, asked int, set RequestSettings) (int, error) {
	own, hasOwn := set.DaysFor(s.Category)
	days := asked
	if days == 0 {
		if !hasOwn {
			return 0, Invalidf("request %s: the settings give no period for a %s request; give one", id, s.Category)
		}
		days = own
	}
	if hasOwn && days > own {
		return 0, Errorf(CodeConflict, "request %s: a %s request is answered within %d days by the settings, not %d", id, s.Category, own, days)
	}
	if law, ok := DefaultRequestSettings().DaysFor(s.Category); ok && days > law {
		// The law's periods are the longest a municipality may give; its
		// own settings may only shorten them.
		return 0, Errorf(CodeConflict, "request %s: a %s request is answered within %d days by law (ν. 2690/1999 art. 4), not %d",
			id, s.Category, law, days)
	}
	return days, nil
}

func decideExtendRequest(s RequestState, c ExtendRequest, f Facts) ([]Payload, error) {
	if err := requestBasics(c.RequestID, c.At); err != nil {
		return nil, err
	}
	if err := validResponseDays(c.Days); err != nil {
		return nil, err
	}
	if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := s.requireStatus(c.RequestID, "extended", RequestStatusAcknowledged, RequestStatusAssigned, RequestStatusReopened); err != nil {
		return nil, err
	}
	if s.Extended {
		return nil, Errorf(CodeConflict, "request %s was already extended once", c.RequestID)
	}
	if c.At.After(s.DueAt) {
		return nil, Errorf(CodeConflict, "request %s was due at %s; a period is extended before it ends", c.RequestID, s.DueAt.Format(time.RFC3339))
	}
	set, err := requestSettings(f, s.BodyID)
	if err != nil {
		return nil, err
	}
	limit, ok := set.ExtensionDays[s.Category]
	if !ok || limit <= 0 {
		limit = s.ResponseDays
	}
	if c.Days > limit {
		return nil, Errorf(CodeConflict, "request %s: a %s request may be extended by at most %d days, not %d", c.RequestID, s.Category, limit, c.Days)
	}
	return []Payload{RequestExtended{Days: c.Days, Reason: c.Reason, DueAt: dueDate(s.DueAt, c.Days, s.counting(), set.Holidays)}}, nil
}

func decideForwardRequest(s RequestState, c ForwardRequest, f Facts) ([]Payload, error) {
	if err := requestBasics(c.RequestID, c.At); err != nil {
		return nil, err
	}
	if c.Internal {
		if err := ValidateID("department", c.To); err != nil {
			return nil, err
		}
	} else if err := ValidateText("competent authority", c.To, MaxTitleRunes); err != nil {
		return nil, err
	}
	if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := s.requireStatus(c.RequestID, "forwarded", RequestStatusAcknowledged, RequestStatusAssigned, RequestStatusReopened); err != nil {
		return nil, err
	}
	if !c.Internal && s.ForwardedTo != "" {
		return nil, Errorf(CodeConflict, "request %s was already forwarded to %s", c.RequestID, s.ForwardedTo)
	}
	set, err := requestSettings(f, s.BodyID)
	if err != nil {
		return nil, err
	}
	e := RequestForwarded{To: c.To, Internal: c.Internal, Reason: c.Reason, Clock: ClockKept, DueAt: s.DueAt}
	if !c.Internal {
		e.Clock, e.DueAt = ClockRestarted, dueDate(c.At, s.ResponseDays, s.counting(), set.Holidays)
		e.Late = c.At.After(dueDate(s.SubmittedAt, set.ForwardDays, CountWorking, set.Holidays))
	}
	return []Payload{e}, nil
}

func (s RequestState) counting() DayCount {
	if s.Counting == "" {
		return CountCalendar
	}
	return s.Counting
}

// validWithholding checks partial access: for a request for documents,
// with the reason and the legal basis.
func (s RequestState) validWithholding(id string, w *Withholding) error {
	if w == nil {
		return nil
	}
	if err := ValidateLongText("reason for what is withheld", w.Reason, MaxReasonRunes); err != nil {
		return err
	}
	if err := ValidateText("legal basis for what is withheld", w.LegalBasis, MaxTitleRunes); err != nil {
		return err
	}
	if s.Exists() && s.Category != RequestInformation {
		return Errorf(CodeConflict, "request %s is a %s request; partial access is for requests for documents", id, s.Category)
	}
	return nil
}
