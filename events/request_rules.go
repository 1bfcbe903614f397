package events

import (
	"time"
	"unicode/utf8"
)

// RequestDecider holds the rules of citizen requests.
var RequestDecider = Decider[RequestState]{
	Kind:    "request",
	Initial: func() RequestState { return RequestState{} },
	Evolve:  evolveRequest,
	Decide:  decideRequest,
}

func decideRequest(s RequestState, c Command, f Facts) ([]Payload, error) {
	switch c := c.(type) {
	case SubmitRequest:
		return decideSubmitRequest(s, c)
	case AcknowledgeRequest:
		return decideAcknowledgeRequest(s, c, f)
	case ExtendRequest:
		return decideExtendRequest(s, c, f)
	case ForwardRequest:
		return decideForwardRequest(s, c, f)
	case AssignRequest:
		if err := requestBasics(c.RequestID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateID("department", c.Department); err != nil {
			return nil, err
		}
		if c.OfficerID != "" {
			if err := ValidateID("officer id", c.OfficerID); err != nil {
				return nil, err
			}
		}
		if err := s.requireStatus(c.RequestID, "assigned", RequestStatusAcknowledged, RequestStatusAssigned, RequestStatusReopened); err != nil {
			return nil, err
		}
		if s.Department == c.Department && s.OfficerID == c.OfficerID {
			return nil, Errorf(CodeConflict, "request %s is already assigned to %s", c.RequestID, c.Department)
		}
		return []Payload{RequestAssigned{Department: c.Department, OfficerID: c.OfficerID}}, nil
	case AnswerRequest:
		if err := requestBasics(c.RequestID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateLongText("answer summary", c.Summary, MaxTextRunes); err != nil {
			return nil, err
		}
		if err := ValidateDocuments(c.Documents); err != nil {
			return nil, err
		}
		if err := s.requireStatus(c.RequestID, "answered", RequestStatusAcknowledged, RequestStatusAssigned, RequestStatusReopened); err != nil {
			return nil, err
		}
		if err := s.validWithholding(c.RequestID, c.Withheld); err != nil {
			return nil, err
		}
		access := AccessFull
		if c.Withheld != nil {
			access = AccessPartial
		}
		return []Payload{RequestAnswered{Summary: c.Summary, Documents: c.Documents, AnsweredAt: c.At.UTC(), Access: access, Withheld: c.Withheld}}, nil
	case RejectRequest:
		if err := requestBasics(c.RequestID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateText("legal basis", c.LegalBasis, MaxTitleRunes); err != nil {
			return nil, err
		}
		if !utf8.ValidString(c.Reason) || utf8.RuneCountInString(c.Reason) > MaxReasonRunes {
			return nil, Invalidf("reason is not valid UTF-8 or over %d characters", MaxReasonRunes)
		}
		if err := s.requireStatus(c.RequestID, "rejected", RequestStatusAcknowledged, RequestStatusAssigned, RequestStatusReopened); err != nil {
			return nil, err
		}
		return []Payload{RequestRejected{LegalBasis: c.LegalBasis, Reason: c.Reason, RejectedAt: c.At.UTC()}}, nil
	case CloseRequest:
		if err := requestBasics(c.RequestID, c.At); err != nil {
			return nil, err
		}
		if err := s.requireStatus(c.RequestID, "closed", RequestStatusAnswered, RequestStatusRejected); err != nil {
			return nil, err
		}
		return []Payload{RequestClosed{ClosedAt: c.At.UTC()}}, nil
	case ReopenRequest:
		if err := requestBasics(c.RequestID, c.At); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := validResponseDays(c.ResponseDays); err != nil {
			return nil, err
		}
		if err := s.requireStatus(c.RequestID, "reopened", RequestStatusAnswered, RequestStatusRejected, RequestStatusClosed); err != nil {
			return nil, err
		}
		set, err := requestSettings(f, s.BodyID)
		if err != nil {
			return nil, err
		}
		days, err := s.period(c.RequestID, c.ResponseDays, set)
		if err != nil {
			return nil, err
		}
		return []Payload{RequestReopened{Reason: c.Reason, ResponseDays: days, DueAt: dueDate(c.At, days, s.counting(), set.Holidays)}}, nil
	}
	return nil, Invalidf("command %T is not a request command", c)
}

func decideSubmitRequest(s RequestState, c SubmitRequest) ([]Payload, error) {
	if err := requestBasics(c.RequestID, c.At); err != nil {
		return nil, err
	}
	if !c.Category.valid() {
		return nil, Invalidf("request category %q: want information, service or complaint", c.Category)
	}
	if err := ValidateText("request subject", c.Subject, MaxTitleRunes); err != nil {
		return nil, err
	}
	if err := refuseContactDetails("request subject", c.Subject); err != nil {
		return nil, err
	}
	texts := 1
	if c.Description != "" {
		texts = 2
		if err := ValidateLongText("request description", c.Description, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := refuseContactDetails("request description", c.Description); err != nil {
			return nil, err
		}
	}
	if err := c.Location.validate(); err != nil {
		return nil, err
	}
	if !c.Channel.valid() {
		return nil, Invalidf("request channel %q: want web, citizen_service_centre or phone", c.Channel)
	}
	switch {
	case c.Channel == RequestViaServiceCentre && c.AssistedBy == "":
		return nil, Invalidf("a request at a citizen service centre needs the staff id of the employee who assisted")
	case c.Channel == RequestViaWeb && c.AssistedBy != "":
		return nil, Invalidf("a request filed on the web has no assisting employee")
	case c.AssistedBy != "":
		if err := ValidateID("assisting staff id", c.AssistedBy); err != nil {
			return nil, err
		}
	}
	if err := c.Requester.Validate(); err != nil {
		return nil, err
	}
	if err := c.requireSealed(texts); err != nil {
		return nil, err
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "request %s already exists", c.RequestID)
	}
	e := RequestSubmitted{RequestID: c.RequestID, Category: c.Category, Subject: c.sealed[0], Channel: c.Channel,
		AssistedBy: c.AssistedBy, Author: c.author, SubmittedAt: c.At.UTC()}
	if texts == 2 {
		e.Description = c.sealed[1]
	}
	if c.Location != nil {
		l := *c.Location
		e.Location = &l
	}
	return []Payload{e}, nil
}

func requestBasics(id string, at time.Time) error {
	if err := ValidateID("request id", id); err != nil {
		return err
	}
	return needTime(at)
}

func validResponseDays(days int) error {
	if days < 1 || days > MaxResponseDays {
		return Invalidf("response period of %d days: want 1 to %d (DefaultRequestSettings holds the statutory periods)", days, MaxResponseDays)
	}
	return nil
}

// requireStatus refuses a transition to what unless the request stands in
// one of from: not found before submission, conflict otherwise.
func (s RequestState) requireStatus(id, what string, from ...RequestStatus) error {
	if !s.Exists() {
		return Errorf(CodeNotFound, "request %s does not exist", id)
	}
	for _, f := range from {
		if s.Status == f {
			return nil
		}
	}
	return Errorf(CodeConflict, "request %s is %s and cannot be %s", id, s.Status, what)
}

// refuseContactDetails keeps the obvious kinds of personal data out of a
// request's public subject: an e-mail address or a phone number (a run of
// ten or more digits, spaces allowed between them; a date's dots or
// hyphens end a run). Contact details belong
// in the vault.
func refuseContactDetails(what, subject string) error {
	digits := 0
	for _, r := range subject {
		switch {
		case r == '@':
			return Invalidf("%s contains an e-mail address; contact details belong in the requester's vault record", what)
		case r >= '0' && r <= '9':
			digits++
			if digits >= 10 {
				return Invalidf("%s contains a phone number; contact details belong in the requester's vault record", what)
			}
		case r == ' ':
		default:
			digits = 0
		}
	}
	return nil
}
