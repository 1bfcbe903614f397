package events

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

const govHash = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

func govAdopt(mut func(*AdoptDecision)) AdoptDecision {
	c := AdoptDecision{DecisionID: "d-1", BodyID: govBody, Number: 123, MeetingID: govMeeting, ItemID: "it-1", VoteID: "v-1",
		Title: "Έγκριση προϋπολογισμού 2026", Text: "Εγκρίνει τον προϋπολογισμό οικονομικού έτους 2026.",
		LegalBasis: "άρθρο 77 ν. 4172/2013", Documents: []DocumentRef{govDoc("apofasi")}, At: govSitting}
	if mut != nil {
		mut(&c)
	}
	return c
}

func govPassedVote(mut func(*VoteState)) Facts {
	v := VoteDecider.Fold(VoteOpened{VoteID: "v-1", BodyID: govBody, MeetingID: govMeeting, ItemID: "it-1", Question: "x", QuestionType: "budget", Method: VoteRollCall},
		VoteClosed{Yes: 9, Result: VotePassed})
	if mut != nil {
		mut(&v)
	}
	return govFacts(govBodyFacts(), Facts{voteStream("v-1"): v})
}

func govAdopted() []Payload {
	return []Payload{DecisionAdopted{DecisionID: "d-1", BodyID: govBody, Number: 123, Year: 2026, MeetingID: govMeeting, ItemID: "it-1", VoteID: "v-1",
		Title: "Έγκριση προϋπολογισμού 2026", Text: "Εγκρίνει.", LegalBasis: "ν. 4172/2013", Documents: []DocumentRef{govDoc("apofasi")}}}
}

func TestDecisionRules(t *testing.T) {
	passed := govPassedVote(nil)
	mayor := &DecisionException{Kind: ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"}
	published := append(govAdopted(), DecisionPublished{Register: RegisterDiavgeia, RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", Version: 1, DocumentSHA256: govHash})
	revoked := append(govAdopted(), DecisionRevoked{Reason: "x"})
	annulled := append(govAdopted(), DecisionAnnulled{Reason: "x", Authority: "Αποκεντρωμένη Διοίκηση Αττικής"})
	correct := CorrectDecision{DecisionID: "d-1", Reason: "Διόρθωση αριθμητικού λάθους", Title: "Έγκριση προϋπολογισμού 2026", Text: "Εγκρίνει (διορθωμένο).", At: govSitting}
	publish := PublishDecision{DecisionID: "d-1", RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", DocumentSHA256: govHash, At: govSitting}
	otherADA := publish
	otherADA.RegisterID = "ΑΒΓ4ΩΗΑ-123"
	revokingFacts := func(d DecisionState) Facts { return Facts{decisionStream("d-2"): d} }

	govCheckRefusals(t, DecisionDecider, []govRefusal{
		{name: "a decision without a number is refused", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.Number = 0 }), want: CodeInvalid},
		{name: "a decision without a vote or an exception is refused", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.VoteID = "" }), want: CodeInvalid},
		{name: "a decision with both a vote and an exception is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.Exception = mayor }), want: CodeInvalid},
		{name: "an exception without a legal basis is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) {
			c.VoteID, c.Exception = "", &DecisionException{Kind: ExceptionMayorDecision}
		}), want: CodeInvalid},
		{name: "a decision without a legal basis is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.LegalBasis = "" }), want: CodeInvalid},
		{name: "a decision without a title is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.Title = "" }), want: CodeInvalid},
		{name: "a year far from the adoption is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.Year = 2019 }), want: CodeInvalid},
		{name: "adopting a decision twice is a conflict", given: govAdopted(), facts: passed, cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision of an unknown body is not found", facts: Facts{voteStream("v-1"): passed[voteStream("v-1")]}, cmd: govAdopt(nil), want: CodeNotFound},
		{name: "a decision on an unknown vote is not found", facts: govBodyFacts(), cmd: govAdopt(nil), want: CodeNotFound},
		{name: "a decision on a vote still open is refused", facts: govPassedVote(func(v *VoteState) { v.Status, v.Result = VoteIsOpen, "" }), cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision on a failed vote is refused", facts: govPassedVote(func(v *VoteState) { v.Result = VoteFailed }), cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision on a vote without quorum is refused", facts: govPassedVote(func(v *VoteState) { v.Result = VoteNoQuorum }), cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision on an urgency vote is refused", facts: govPassedVote(func(v *VoteState) { v.QuestionType = QuestionUrgency }), cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision on an amendment's vote is refused", facts: govPassedVote(func(v *VoteState) { v.AmendmentID = "am-1" }), cmd: govAdopt(nil), want: CodeConflict},
		{name: "a decision on another item than the vote's is invalid", facts: passed, cmd: govAdopt(func(c *AdoptDecision) { c.ItemID = "it-2" }), want: CodeInvalid},
		{name: "a decision on another body's vote is invalid", facts: govPassedVote(func(v *VoteState) { v.BodyID = "other" }), cmd: govAdopt(nil), want: CodeInvalid},
		{name: "publishing an unknown decision is not found", cmd: publish, want: CodeNotFound},
		{name: "publishing with a malformed hash is invalid", given: govAdopted(), cmd: PublishDecision{DecisionID: "d-1", RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", DocumentSHA256: "abc"}, want: CodeInvalid},
		{name: "publishing the same version twice is a conflict", given: published, cmd: publish, want: CodeConflict},
		{name: "publishing under another ADA is a conflict: corrections keep the ADA", given: append(published, DecisionCorrected{Version: 2, Reason: "x", Title: "t", Text: "x"}), cmd: otherADA, want: CodeConflict},
		{name: "publishing a revoked decision is a conflict", given: revoked, cmd: publish, want: CodeConflict},
		{name: "correcting a revoked decision is a conflict", given: revoked, cmd: correct, want: CodeConflict},
		{name: "correcting an annulled decision is a conflict", given: annulled, cmd: correct, want: CodeConflict},
		{name: "a correction without a reason is invalid", given: govAdopted(), cmd: CorrectDecision{DecisionID: "d-1", Title: "t", Text: "x"}, want: CodeInvalid},
		{name: "a correction that changes nothing is a conflict", given: govAdopted(), cmd: CorrectDecision{DecisionID: "d-1", Reason: "x", Title: "Έγκριση προϋπολογισμού 2026", Text: "Εγκρίνει.", Documents: []DocumentRef{govDoc("apofasi")}}, want: CodeConflict},
		{name: "revoking without a reason is invalid", given: govAdopted(), cmd: RevokeDecision{DecisionID: "d-1"}, want: CodeInvalid},
		{name: "revoking twice is a conflict", given: revoked, cmd: RevokeDecision{DecisionID: "d-1", Reason: "x"}, want: CodeConflict},
		{name: "revoking by an unknown decision is not found", given: govAdopted(), cmd: RevokeDecision{DecisionID: "d-1", Reason: "x", RevokingDecisionID: "d-2"}, want: CodeNotFound},
		{name: "revoking by an annulled decision is a conflict", given: govAdopted(), facts: revokingFacts(DecisionState{ID: "d-2", Status: DecisionIsAnnulled}), cmd: RevokeDecision{DecisionID: "d-1", Reason: "x", RevokingDecisionID: "d-2"}, want: CodeConflict},
		{name: "a decision revoking itself is invalid", given: govAdopted(), cmd: RevokeDecision{DecisionID: "d-1", Reason: "x", RevokingDecisionID: "d-1"}, want: CodeInvalid},
		{name: "annulling without an authority is invalid", given: govAdopted(), cmd: AnnulDecision{DecisionID: "d-1", Reason: "x"}, want: CodeInvalid},
		{name: "annulling twice is a conflict", given: annulled, cmd: AnnulDecision{DecisionID: "d-1", Reason: "x", Authority: "ΣτΕ"}, want: CodeConflict},
		{name: "a command of another aggregate is invalid", given: govAdopted(), cmd: AdjournMeeting{MeetingID: govMeeting}, want: CodeInvalid},
	})
}

func TestDecisionLifecycle(t *testing.T) {
	t.Run("a decision after a passed vote is adopted, published, corrected twice and republished under the same ADA", func(t *testing.T) {
		given := govDecide(t, DecisionDecider, nil, govPassedVote(nil), govAdopt(func(c *AdoptDecision) { c.MeetingID, c.ItemID = "", "" }))
		a := given[0].(DecisionAdopted)
		if a.Ref() != "123/2026" || a.MeetingID != govMeeting || a.ItemID != "it-1" {
			t.Fatalf("adopted %+v: number and the vote's meeting and item", a)
		}
		step := func(c Command) { t.Helper(); given = append(given, govDecide(t, DecisionDecider, given, nil, c)...) }
		step(PublishDecision{DecisionID: "d-1", RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", DocumentSHA256: govHash, At: govSitting})
		step(CorrectDecision{DecisionID: "d-1", Reason: "Αριθμητικό λάθος στο άρθρο 2", Title: a.Title, Text: "Διορθωμένο κείμενο", Documents: a.Documents, At: govSitting})
		step(CorrectDecision{DecisionID: "d-1", Reason: "Παράλειψη παραρτήματος", Title: a.Title, Text: "Διορθωμένο κείμενο", Documents: []DocumentRef{govDoc("apofasi"), govDoc("parartima")}, At: govSitting})
		step(PublishDecision{DecisionID: "d-1", Register: RegisterDiavgeia, RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", DocumentSHA256: govHash, At: govSitting})
		s := DecisionDecider.Fold(given...)
		if len(s.Versions) != 3 || s.Versions[0].Text != a.Text || s.Current().Version != 3 || len(s.Current().Documents) != 2 {
			t.Fatalf("versions %+v: every version must be kept", s.Versions)
		}
		if s.RegisterID != "ΨΩΡ4ΩΗΑ-ΞΞΞ" || len(s.PublishedVersions) != 2 || s.PublishedVersions[1] != 3 {
			t.Fatalf("publication %q %v", s.RegisterID, s.PublishedVersions)
		}
	})
	t.Run("a mayor's decision is adopted under a recorded exception without a vote", func(t *testing.T) {
		evs := govDecide(t, DecisionDecider, nil, govBodyFacts(), govAdopt(func(c *AdoptDecision) {
			c.VoteID, c.MeetingID, c.ItemID = "", "", ""
			c.Exception = &DecisionException{Kind: ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"}
		}))
		if a := evs[0].(DecisionAdopted); a.Exception == nil || a.VoteID != "" {
			t.Fatalf("adopted %+v", a)
		}
	})
	t.Run("a decision revoked by a later decision keeps its versions and reason", func(t *testing.T) {
		later := DecisionState{ID: "d-2", Status: DecisionIsAdopted, Number: 140, Year: 2026}
		evs := govDecide(t, DecisionDecider, govAdopted(), Facts{decisionStream("d-2"): later}, RevokeDecision{DecisionID: "d-1", Reason: "Νέα μελέτη", RevokingDecisionID: "d-2", At: govSitting})
		s := DecisionDecider.Fold(append(govAdopted(), evs...)...)
		if s.Status != DecisionIsRevoked || s.RevokedBy != "d-2" || len(s.Versions) != 1 {
			t.Fatalf("state %+v", s)
		}
		evs = govDecide(t, DecisionDecider, append(govAdopted(), evs...), nil, AnnulDecision{DecisionID: "d-1", Reason: "Παράβαση διαδικασίας", Authority: "Συμβούλιο της Επικρατείας", At: govSitting})
		if _, ok := evs[0].(DecisionAnnulled); !ok {
			t.Fatalf("annulled %+v", evs)
		}
	})
	t.Run("the number's counter is per body and year of adoption", func(t *testing.T) {
		c := govAdopt(func(c *AdoptDecision) { c.Number, c.At = 0, time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC) })
		if got := c.CounterStream(); got != "decisionnumber-"+govBody+"-2027" {
			t.Fatalf("counter stream %q", got)
		}
		if n := c.WithNumber(7).(AdoptDecision); n.Number != 7 || c.Number != 0 {
			t.Fatal("WithNumber must return a numbered copy")
		}
	})
	t.Run("evolving never mutates the state it was given", func(t *testing.T) {
		before := DecisionDecider.Fold(govAdopted()...)
		_ = DecisionDecider.Evolve(before, DecisionCorrected{Version: 2, Reason: "x", Title: "t", Text: "y"})
		if len(before.Versions) != 1 {
			t.Fatal("the input state changed")
		}
	})
}

func TestDecisionAdoptedUpcast(t *testing.T) {
	t.Run("a stored v1 decision.adopted is read as v2 with number and year split", func(t *testing.T) {
		v1 := `{"decision_id":"d-1","body_id":"dimotiko-symvoulio","number":"123/2026","vote_id":"v-1","title":"Έγκριση","text":"Εγκρίνει.","legal_basis":"ν. 3852/2010","documents":[]}`
		p, err := Decode(RecordedEvent{Type: "decision.adopted", Schema: 1, Data: json.RawMessage(v1)})
		if err != nil {
			t.Fatal(err)
		}
		a := p.(DecisionAdopted)
		if a.Number != 123 || a.Year != 2026 || a.Ref() != "123/2026" || a.Title != "Έγκριση" {
			t.Fatalf("upcast %+v", a)
		}
	})
	t.Run("a v1 number that is not N/YYYY is an invalid error", func(t *testing.T) {
		for _, bad := range []string{`{"number":"123"}`, `{"number":"x/2026"}`, `{"number":123}`, `{"number":"-1/2026"}`, `[]`} {
			_, err := Decode(RecordedEvent{Type: "decision.adopted", Schema: 1, Data: json.RawMessage(bad)})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%s: error %v, want invalid", bad, err)
			}
		}
	})
	t.Run("a v2 event is read as it is", func(t *testing.T) {
		ev, err := Encode(govAdopted()[0])
		if err != nil || ev.Schema != 2 {
			t.Fatalf("encode: schema %d, %v", ev.Schema, err)
		}
		p, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data})
		if err != nil || p.(DecisionAdopted).Number != 123 {
			t.Fatalf("decode %+v, %v", p, err)
		}
	})
}
