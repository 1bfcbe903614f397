package events

import (
	"testing"
)

// bodyWithRequests is the facts of a body "dimos" whose requests are
// counted in working days, with a local holiday on 11 November.
func bodyWithRequests(set RequestSettings) Facts {
	bs := DefaultBodySettings(13)
	bs.Requests = &set
	return Facts{StreamName("body", "dimos"): BodyDecider.Fold(BodyRegistered{BodyID: "dimos", Name: "Δήμος", Kind: BodyCouncil, Settings: bs})}
}

func requestRun(t *testing.T, f Facts, cmds ...Command) []Payload {
	t.Helper()
	var all []Payload
	for _, c := range cmds {
		all = append(all, psDecide(t, RequestDecider, all, f, c)...)
	}
	return all
}

func TestRequestsAsTheLawCounts(t *testing.T) {
	id := "req-2026-0042"
	working := DefaultRequestSettings()
	working.Counting = CountWorking
	working.ResponseDays[RequestInformation] = 15
	wf := bodyWithRequests(working)

	t.Run("a body's settings give the period and count working days", func(t *testing.T) {
		evs := requestRun(t, wf, psSubmit(), AcknowledgeRequest{RequestID: id, BodyID: "dimos", At: psDay(1)})
		// Monday 2 March 2026 + 15 working days: Monday 23 March.
		a := evs[1].(RequestAcknowledged)
		if a.ResponseDays != 15 || a.Counting != CountWorking || a.BodyID != "dimos" || !a.DueAt.Equal(athensEndOf(2026, 3, 23)) {
			t.Fatalf("acknowledged = %+v", a)
		}
	})

	t.Run("one extension moves the due date, counted as the period is", func(t *testing.T) {
		evs := requestRun(t, nil, psSubmit(), psAck(20),
			ExtendRequest{RequestID: id, Days: 10, Reason: "Ο φάκελος βρίσκεται στο αρχείο της Περιφέρειας.", At: psDay(15)})
		s := RequestDecider.Fold(evs...)
		// Due Monday 23 March; ten calendar days later is Thursday 2 April.
		if !s.Extended || !s.DueAt.Equal(athensEndOf(2026, 4, 2)) {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("forwarding to another authority restarts the clock from the forwarding", func(t *testing.T) {
		evs := requestRun(t, nil, psSubmit(), psAck(20),
			ForwardRequest{RequestID: id, To: "Περιφέρεια Θεσσαλίας", Reason: "Αρμόδια για τα έργα οδοποιίας.", At: psDay(2)})
		f := evs[2].(RequestForwarded)
		// Forwarded Wednesday 4 March: 20 days later is Tuesday 24 March.
		if f.Clock != ClockRestarted || f.Late || !f.DueAt.Equal(athensEndOf(2026, 3, 24)) {
			t.Fatalf("forwarded = %+v", f)
		}
	})

	t.Run("forwarding after three working days is recorded as late", func(t *testing.T) {
		evs := requestRun(t, nil, psSubmit(), psAck(20),
			ForwardRequest{RequestID: id, To: "Περιφέρεια Θεσσαλίας", Reason: "Αρμόδια.", At: psDay(4)})
		if f := evs[2].(RequestForwarded); !f.Late {
			t.Fatalf("forwarded = %+v", f)
		}
	})

	t.Run("forwarding to the competent department keeps the clock", func(t *testing.T) {
		evs := requestRun(t, nil, psSubmit(), psAck(20),
			ForwardRequest{RequestID: id, To: "technical-services", Internal: true, Reason: "Αρμόδια υπηρεσία.", At: psDay(2)})
		s := RequestDecider.Fold(evs...)
		if f := evs[2].(RequestForwarded); f.Clock != ClockKept || !f.DueAt.Equal(athensEndOf(2026, 3, 23)) || s.Department != "technical-services" {
			t.Fatalf("forwarded = %+v, state %+v", f, s)
		}
	})

	t.Run("partial access records the reason for what is withheld", func(t *testing.T) {
		evs := requestRun(t, nil, psSubmit(), psAck(20), AnswerRequest{RequestID: id, Summary: "Χορηγείται η μελέτη χωρίς το παράρτημα.",
			Withheld: &Withholding{Reason: "Το παράρτημα περιέχει προσωπικά δεδομένα τρίτων.", LegalBasis: "άρθρο 5 παρ. 3 ν. 2690/1999"}, At: psDay(5)})
		a := evs[2].(RequestAnswered)
		if a.Access != AccessPartial || a.Withheld == nil {
			t.Fatalf("answered = %+v", a)
		}
		full := requestRun(t, nil, psSubmit(), psAck(20), AnswerRequest{RequestID: id, Summary: "ok", At: psDay(5)})
		if full[2].(RequestAnswered).Access != AccessFull {
			t.Fatalf("answered = %+v", full[2])
		}
		psRoundTrip(t, evs...)
	})

	acked := requestRun(t, nil, psSubmit(), psAck(20))
	extended := append(acked[:len(acked):len(acked)], RequestExtended{Days: 5, Reason: "r", DueAt: psDay(30)})
	service := func() SubmitRequest { c := psSubmit(); c.Category = RequestService; return c }()
	serviceAcked := requestRun(t, nil, service, psAck(50))
	short := DefaultRequestSettings()
	short.ResponseDays[RequestInformation] = 10
	psCheckRefusals(t, RequestDecider, []psRefusal{
		{name: "a period longer than the body's settings is refused", given: requestRun(t, nil, psSubmit()), facts: bodyWithRequests(short),
			cmd: AcknowledgeRequest{RequestID: id, ResponseDays: 15, BodyID: "dimos", At: psDay(1)}, code: CodeConflict},
		{name: "settings of a body that does not exist are not found", given: requestRun(t, nil, psSubmit()),
			cmd: AcknowledgeRequest{RequestID: id, BodyID: "ghost", At: psDay(1)}, code: CodeNotFound},
		{name: "a second extension is refused", given: extended, cmd: ExtendRequest{RequestID: id, Days: 5, Reason: "r", At: psDay(16)}, code: CodeConflict},
		{name: "an extension without a reason is invalid", given: acked, cmd: ExtendRequest{RequestID: id, Days: 5, At: psDay(16)}, code: CodeInvalid},
		{name: "an extension after the due date is refused", given: acked, cmd: ExtendRequest{RequestID: id, Days: 5, Reason: "r", At: psDay(25)}, code: CodeConflict},
		{name: "an extension longer than the period is refused", given: acked, cmd: ExtendRequest{RequestID: id, Days: 21, Reason: "r", At: psDay(16)}, code: CodeConflict},
		{name: "an extension of a request not acknowledged is refused", given: requestRun(t, nil, psSubmit()),
			cmd: ExtendRequest{RequestID: id, Days: 5, Reason: "r", At: psDay(1)}, code: CodeConflict},
		{name: "forwarding without the competent authority is invalid", given: acked, cmd: ForwardRequest{RequestID: id, Reason: "r", At: psDay(2)}, code: CodeInvalid},
		{name: "forwarding to another authority twice is refused", given: append(acked[:len(acked):len(acked)], RequestForwarded{To: "Α", Reason: "r", Clock: ClockRestarted, DueAt: psDay(22)}),
			cmd: ForwardRequest{RequestID: id, To: "Β", Reason: "r", At: psDay(3)}, code: CodeConflict},
		{name: "forwarding an answered request is refused", given: append(acked[:len(acked):len(acked)], RequestAnswered{Summary: "ok", AnsweredAt: psDay(2), Access: AccessFull}),
			cmd: ForwardRequest{RequestID: id, To: "Α", Reason: "r", At: psDay(3)}, code: CodeConflict},
		{name: "partial access without a legal basis is invalid", given: acked,
			cmd: AnswerRequest{RequestID: id, Summary: "ok", Withheld: &Withholding{Reason: "r"}, At: psDay(5)}, code: CodeInvalid},
		{name: "partial access to a service request is refused", given: serviceAcked,
			cmd: AnswerRequest{RequestID: id, Summary: "ok", Withheld: &Withholding{Reason: "r", LegalBasis: "ν. 2690/1999"}, At: psDay(5)}, code: CodeConflict},
	})

	t.Run("settings out of range are invalid", func(t *testing.T) {
		for name, s := range map[string]RequestSettings{
			"an unknown counting":   {ResponseDays: map[RequestCategory]int{RequestInformation: 20}, Counting: "lunar"},
			"a zero period":         {ResponseDays: map[RequestCategory]int{RequestInformation: 0}},
			"a bad local holiday":   {Holidays: HolidaySettings{Local: []string{"31-12"}}},
			"a bad removed holiday": {Holidays: HolidaySettings{Removed: []string{"2026-13-01"}}},
		} {
			bs := DefaultBodySettings(13)
			bs.Requests = &s
			if ErrorCode(bs.Validate()) != CodeInvalid {
				t.Errorf("%s: Validate() = %v", name, bs.Validate())
			}
		}
	})
}
