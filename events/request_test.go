package events

import (
	"bytes"
	"math"
	"testing"
	"time"
)

const psRef = SubjectRef("subj-0123456789abcdef0123456789abcdef")

func psSubmit() SubmitRequest {
	return SubmitRequest{RequestID: "req-2026-0042", Category: RequestInformation, Subject: "Αντίγραφο της μελέτης για την ανάπλαση της πλατείας",
		Channel: RequestViaServiceCentre, AssistedBy: "staff-17", Requester: psRef, At: psT0}
}

func psRequest(t *testing.T, cmds ...Command) []Payload {
	t.Helper()
	var all []Payload
	for _, c := range cmds {
		all = append(all, psDecide(t, RequestDecider, all, nil, c)...)
	}
	return all
}

func psAck(days int) AcknowledgeRequest {
	return AcknowledgeRequest{RequestID: "req-2026-0042", ResponseDays: days, At: psDay(1)}
}

func TestRequestLifecycle(t *testing.T) {
	id := "req-2026-0042"
	info, _ := DefaultRequestSettings().DaysFor(RequestInformation)

	t.Run("the answer to an information request is due 20 days after submission by default, on a working day", func(t *testing.T) {
		// Submitted Monday 2 March 2026: the 20th day is Sunday 22 March,
		// so the period ends at the end of Monday 23 March, Greek time.
		for _, days := range []int{info, 0} {
			s := RequestDecider.Fold(psRequest(t, psSubmit(), psAck(days))...)
			if want := athensEndOf(2026, 3, 23); !s.DueAt.Equal(want) || s.ResponseDays != 20 || s.Counting != CountCalendar {
				t.Fatalf("acknowledged with %d days: DueAt = %s (%d %s), want %s", days, s.DueAt, s.ResponseDays, s.Counting, want)
			}
		}
	})

	t.Run("service requests and complaints default to 50 days", func(t *testing.T) {
		def := DefaultRequestSettings()
		for _, c := range []RequestCategory{RequestService, RequestComplaint} {
			if d, ok := def.DaysFor(c); !ok || d != 50 {
				t.Fatalf("DaysFor(%s) = %d, %v", c, d, ok)
			}
		}
	})

	t.Run("a configured period replaces the default", func(t *testing.T) {
		s := RequestDecider.Fold(psRequest(t, psSubmit(), psAck(15))...)
		if !s.DueAt.Equal(athensEndOf(2026, 3, 17)) {
			t.Fatalf("DueAt = %s", s.DueAt)
		}
	})

	t.Run("a request runs from submission to closing, reopens and closes again", func(t *testing.T) {
		evs := psRequest(t, psSubmit(), psAck(info),
			AssignRequest{RequestID: id, Department: "technical-services", At: psDay(2)},
			AssignRequest{RequestID: id, Department: "technical-services", OfficerID: "off-3", At: psDay(3)},
			AnswerRequest{RequestID: id, Summary: "Η μελέτη επισυνάπτεται.", Documents: []DocumentRef{psDoc("Μελέτη")}, At: psDay(10)},
			CloseRequest{RequestID: id, At: psDay(11)},
			ReopenRequest{RequestID: id, Reason: "Λείπει το παράρτημα Β.", ResponseDays: 10, At: psDay(12)},
			RejectRequest{RequestID: id, LegalBasis: "άρθρο 5 παρ. 3 ν. 2690/1999", Reason: "Το παράρτημα δεν υπάρχει.", At: psDay(14)},
			CloseRequest{RequestID: id, At: psDay(15)})
		s := RequestDecider.Fold(evs...)
		if s.Status != RequestStatusClosed || s.Department != "technical-services" || s.OfficerID != "off-3" || s.Author.Validate() != nil ||
			!s.DueAt.Equal(athensEndOf(2026, 3, 24)) || !s.AnsweredAt.Equal(psDay(14)) {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("overdue is derived from the clock of whoever asks", func(t *testing.T) {
		open := RequestDecider.Fold(psRequest(t, psSubmit(), psAck(info))...)
		answered := RequestDecider.Fold(psRequest(t, psSubmit(), psAck(info),
			AnswerRequest{RequestID: id, Summary: "ok", At: psDay(25)})...)
		submitted := RequestDecider.Fold(psRequest(t, psSubmit())...)
		for _, c := range []struct {
			name  string
			s     RequestState
			at    time.Time
			after bool
		}{
			{"an open request is not overdue on its due date", open, athensEndOf(2026, 3, 23), false},
			{"an open request is overdue after its due date", open, athensEndOf(2026, 3, 23).Add(time.Second), true},
			{"an answered request is never overdue", answered, psDay(100), false},
			{"a request not yet acknowledged has no due date", submitted, psDay(100), false},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := c.s.Overdue(c.at); got != c.after {
					t.Fatalf("Overdue(%s) = %v", c.at, got)
				}
			})
		}
	})

	t.Run("web and phone requests need no assisting employee", func(t *testing.T) {
		for _, ch := range []RequestChannel{RequestViaWeb, RequestViaPhone} {
			c := psSubmit()
			c.Channel, c.AssistedBy = ch, ""
			psRequest(t, c)
		}
	})
}

func TestRequestRules(t *testing.T) {
	id := "req-2026-0042"
	submit := func(f func(*SubmitRequest)) SubmitRequest { c := psSubmit(); f(&c); return c }
	submitted := psRequest(t, psSubmit())
	acked := psRequest(t, psSubmit(), psAck(20))
	answered := append(append([]Payload(nil), acked...), RequestAnswered{Summary: "ok", AnsweredAt: psDay(5)})
	closed := append(append([]Payload(nil), answered...), RequestClosed{ClosedAt: psDay(6)})
	assigned := append(append([]Payload(nil), acked...), RequestAssigned{Department: "it"})

	psCheckRefusals(t, RequestDecider, []psRefusal{
		{name: "a bad request id is invalid", cmd: submit(func(c *SubmitRequest) { c.RequestID = "req 1" }), code: CodeInvalid},
		{name: "an unknown category is invalid", cmd: submit(func(c *SubmitRequest) { c.Category = "wish" }), code: CodeInvalid},
		{name: "an empty subject is invalid", cmd: submit(func(c *SubmitRequest) { c.Subject = "  " }), code: CodeInvalid},
		{name: "a subject with an e-mail address is invalid", cmd: submit(func(c *SubmitRequest) { c.Subject = "Απαντήστε στο eleni@example.gr" }), code: CodeInvalid},
		{name: "a subject with a phone number is invalid", cmd: submit(func(c *SubmitRequest) { c.Subject = "Καλέστε με στο 694 123 4567" }), code: CodeInvalid},
		{name: "an unknown channel is invalid", cmd: submit(func(c *SubmitRequest) { c.Channel = "fax" }), code: CodeInvalid},
		{name: "a request at a service centre without the assisting employee is invalid", cmd: submit(func(c *SubmitRequest) { c.AssistedBy = "" }), code: CodeInvalid},
		{name: "a web request with an assisting employee is invalid", cmd: submit(func(c *SubmitRequest) { c.Channel = RequestViaWeb }), code: CodeInvalid},
		{name: "a requester that is not a vault reference is invalid", cmd: submit(func(c *SubmitRequest) { c.Requester = "eleni@example.gr" }), code: CodeInvalid},
		{name: "a request without a requester is invalid", cmd: submit(func(c *SubmitRequest) { c.Requester = "" }), code: CodeInvalid},
		{name: "a request without its time is invalid", cmd: submit(func(c *SubmitRequest) { c.At = time.Time{} }), code: CodeInvalid},
		{name: "submitting a request twice is a conflict", given: submitted, cmd: psSubmit(), code: CodeConflict},
		{name: "a description with a phone number is invalid", cmd: submit(func(c *SubmitRequest) { c.Description = "Καλέστε με στο 6941234567" }), code: CodeInvalid},
		{name: "a location with neither coordinates nor an address is invalid", cmd: submit(func(c *SubmitRequest) { c.Location = &RequestLocation{} }), code: CodeInvalid},
		{name: "a location with a latitude only is invalid", cmd: submit(func(c *SubmitRequest) { c.Location = &RequestLocation{Lat: ptr(37.4)} }), code: CodeInvalid},
		{name: "a latitude beyond 90 is invalid", cmd: submit(func(c *SubmitRequest) { c.Location = &RequestLocation{Lat: ptr(91.0), Long: ptr(24.9)} }), code: CodeInvalid},
		{name: "a longitude that is not a number is invalid", cmd: submit(func(c *SubmitRequest) { c.Location = &RequestLocation{Lat: ptr(37.4), Long: ptr(math.NaN())} }), code: CodeInvalid},
		{name: "an address with an e-mail address is invalid", cmd: submit(func(c *SubmitRequest) { c.Location = &RequestLocation{Address: "Ερμού 12, eleni@example.gr"} }), code: CodeInvalid},
		{name: "acknowledging an unknown request is not found", cmd: psAck(20), code: CodeNotFound},
		{name: "a negative response period is invalid", given: submitted, cmd: psAck(-1), code: CodeInvalid},
		{name: "a response period over a year is invalid", given: submitted, cmd: psAck(MaxResponseDays + 1), code: CodeInvalid},
		{name: "acknowledging twice is a conflict", given: acked, cmd: psAck(20), code: CodeConflict},
		{name: "acknowledging before submission is a conflict", given: submitted, cmd: AcknowledgeRequest{RequestID: id, ResponseDays: 20, At: psDay(-1)}, code: CodeConflict},
		{name: "assigning before acknowledgement is a conflict", given: submitted, cmd: AssignRequest{RequestID: id, Department: "it", At: psDay(2)}, code: CodeConflict},
		{name: "assigning without a department is invalid", given: acked, cmd: AssignRequest{RequestID: id, At: psDay(2)}, code: CodeInvalid},
		{name: "assigning to the same department again is a conflict", given: assigned, cmd: AssignRequest{RequestID: id, Department: "it", At: psDay(2)}, code: CodeConflict},
		{name: "answering before acknowledgement is a conflict", given: submitted, cmd: AnswerRequest{RequestID: id, Summary: "ok", At: psDay(2)}, code: CodeConflict},
		{name: "an answer without a summary is invalid", given: acked, cmd: AnswerRequest{RequestID: id, At: psDay(2)}, code: CodeInvalid},
		{name: "an answer with a bad document is invalid", given: acked, cmd: AnswerRequest{RequestID: id, Summary: "ok", Documents: []DocumentRef{{Title: "x"}}, At: psDay(2)}, code: CodeInvalid},
		{name: "answering twice is a conflict", given: answered, cmd: AnswerRequest{RequestID: id, Summary: "ok", At: psDay(7)}, code: CodeConflict},
		{name: "a rejection without a legal basis is invalid", given: acked, cmd: RejectRequest{RequestID: id, Reason: "no", At: psDay(2)}, code: CodeInvalid},
		{name: "rejecting a closed request is a conflict", given: closed, cmd: RejectRequest{RequestID: id, LegalBasis: "άρθρο 5", At: psDay(7)}, code: CodeConflict},
		{name: "closing an unanswered request is a conflict", given: acked, cmd: CloseRequest{RequestID: id, At: psDay(2)}, code: CodeConflict},
		{name: "closing twice is a conflict", given: closed, cmd: CloseRequest{RequestID: id, At: psDay(7)}, code: CodeConflict},
		{name: "reopening an open request is a conflict", given: acked, cmd: ReopenRequest{RequestID: id, Reason: "r", ResponseDays: 10, At: psDay(2)}, code: CodeConflict},
		{name: "reopening without a reason is invalid", given: closed, cmd: ReopenRequest{RequestID: id, ResponseDays: 10, At: psDay(7)}, code: CodeInvalid},
		{name: "reopening without a response period is invalid", given: closed, cmd: ReopenRequest{RequestID: id, Reason: "r", At: psDay(7)}, code: CodeInvalid},
		{name: "a command of another aggregate is invalid", given: acked, cmd: CompleteProcurement{OCID: psOCID, At: psT0}, code: CodeInvalid},
	})
}

func ptr[T any](v T) *T { return &v }

func TestRequestLocationAndDescription(t *testing.T) {
	c := psSubmit()
	c.Description = "Σπασμένη λάμπα του δημοτικού φωτισμού μπροστά στο σχολείο."
	c.Location = &RequestLocation{Lat: ptr(37.4467), Long: ptr(24.9431), Address: "Ερμού 12, Καλλιθέα"}
	evs := psRequest(t, c)
	e := evs[0].(RequestSubmitted)
	if len(e.Description) == 0 || bytes.Equal(e.Description, e.Subject) || e.Location == nil || *e.Location.Lat != 37.4467 || e.Location.Address != "Ερμού 12, Καλλιθέα" {
		t.Fatalf("event %+v", e)
	}
	psRoundTrip(t, evs...)
	t.Run("a schema 2 event reads without location or description", func(t *testing.T) {
		p, err := Decode(RecordedEvent{Type: "request.submitted", Schema: 2, Data: []byte(`{"request_id":"r1","category":"service","channel":"web","submitted_at":"2026-03-02T09:00:00Z"}`)})
		if e, ok := p.(RequestSubmitted); err != nil || !ok || e.Location != nil || e.Description != nil {
			t.Fatalf("%+v, %v", p, err)
		}
	})
}

func TestRefuseContactDetails(t *testing.T) {
	for _, c := range []struct {
		subject string
		refused bool
	}{
		{"Αίτημα για την απόφαση 123/2026", false},
		{"Συνεδρίαση της 15.03.2026 10.30", false},
		{"ΑΦΜ 094019245 της εταιρείας", false},
		{"Τηλέφωνο 2101234567", true},
		{"κινητό 694 123 4567", true},
		{"γράψτε στο a@b", true},
	} {
		t.Run(c.subject, func(t *testing.T) {
			if err := refuseContactDetails("request subject", c.subject); (err != nil) != c.refused {
				t.Fatalf("refuseContactDetails = %v, want refused %v", err, c.refused)
			}
		})
	}
}

func FuzzSubmitRequest(f *testing.F) {
	f.Add("req-1", "information", "Αντίγραφο μελέτης", "web", "", "subj-0123456789abcdef0123456789abcdef")
	f.Add("r 2", "complaint", "a@b", "citizen_service_centre", "staff-1", "x")
	f.Fuzz(func(t *testing.T, id, category, subject, channel, assisted, ref string) {
		c := SubmitRequest{RequestID: id, Category: RequestCategory(category), Subject: subject, Channel: RequestChannel(channel),
			AssistedBy: assisted, Requester: SubjectRef(ref), At: psT0}
		evs, err := RequestDecider.Decide(RequestState{}, testProtect(c), nil)
		if err != nil {
			if ErrorCode(err) != CodeInvalid || len(evs) != 0 {
				t.Fatalf("refusal of code %s with %d events: %v", ErrorCode(err), len(evs), err)
			}
			return
		}
		e := evs[0].(RequestSubmitted)
		if refuseContactDetails("request subject", c.Subject) != nil || c.Requester.Validate() != nil || e.Author.Validate() != nil || e.Subject.Validate() != nil || ValidateStream(c.Stream()) != nil {
			t.Fatalf("accepted %+v", e)
		}
		if _, err := Encode(e); err != nil {
			t.Fatalf("accepted a submission that does not encode: %v", err)
		}
	})
}

// athensEndOf is the last second of a day in Greece, in UTC.
func athensEndOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, athens).Add(-time.Second).UTC()
}
