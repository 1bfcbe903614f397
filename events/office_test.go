package events

import (
	"testing"
	"time"
)

// govCommitteeFacts is a committee deciding procurement and ordinary
// matters under delegated powers, with the passed vote v-1 on a question
// of type q.
func govCommitteeFacts(q QuestionType) Facts {
	s := DefaultBodySettings(7)
	s.Powers = []QuestionType{"procurement", QuestionOrdinary}
	return Facts{
		StreamName("body", "epitropi"): BodyDecider.Fold(BodyRegistered{BodyID: "epitropi", Name: "Δημοτική Επιτροπή", Kind: BodyCommittee, Settings: s}),
		voteStream("v-1"): VoteDecider.Fold(VoteOpened{VoteID: "v-1", BodyID: "epitropi", MeetingID: govMeeting, ItemID: "it-1", Question: "x", QuestionType: q, Method: VoteRollCall},
			VoteClosed{Yes: 5, Result: VotePassed}),
	}
}

func TestOfficeRegisters(t *testing.T) {
	deputy := func(office string) *DecisionException {
		return &DecisionException{Kind: ExceptionDeputyMayorDecision, LegalBasis: "Απόφαση Δημάρχου περί μεταβίβασης αρμοδιοτήτων", Office: office}
	}
	byOffice := func(exc *DecisionException, body string) AdoptDecision {
		return govAdopt(func(c *AdoptDecision) { c.VoteID, c.MeetingID, c.ItemID, c.Exception, c.BodyID = "", "", "", exc, body })
	}
	committee := func(mut func(*AdoptDecision)) AdoptDecision {
		return govAdopt(func(c *AdoptDecision) {
			c.BodyID = "epitropi"
			if mut != nil {
				mut(c)
			}
		})
	}
	minutesVote := govPassedVote(func(v *VoteState) { v.QuestionType = QuestionMinutes })
	committeeBody := Facts{StreamName("body", "epitropi"): govCommitteeFacts("x")[StreamName("body", "epitropi")]}
	govCheckRefusals(t, DecisionDecider, []govRefusal{
		{name: "a committee decision outside its delegated powers is forbidden", facts: govCommitteeFacts("budget"), cmd: committee(nil), want: CodeForbidden},
		{name: "a deputy mayor's decision without its office is invalid", facts: govBodyFacts(), cmd: byOffice(deputy(""), govBody), want: CodeInvalid},
		{name: "a mayor's decision naming an office is invalid", facts: govBodyFacts(), cmd: byOffice(&DecisionException{Kind: ExceptionMayorDecision, LegalBasis: "x", Office: "grafeio"}, govBody), want: CodeInvalid},
		{name: "a mayor's decision under a committee is invalid", facts: committeeBody, cmd: byOffice(&DecisionException{Kind: ExceptionMayorDecision, LegalBasis: "x"}, "epitropi"), want: CodeInvalid},
		{name: "an unknown office's exception is invalid", facts: govBodyFacts(), cmd: byOffice(&DecisionException{Kind: "secretary_general", LegalBasis: "x"}, govBody), want: CodeInvalid},
		{name: "a decision on a vote approving minutes is a conflict", facts: minutesVote, cmd: govAdopt(nil), want: CodeConflict},
	})

	t.Run("a committee decides a question within its delegated powers", func(t *testing.T) {
		evs := govDecide(t, DecisionDecider, nil, govCommitteeFacts("procurement"), committee(nil))
		if a := evs[0].(DecisionAdopted); a.BodyID != "epitropi" {
			t.Fatalf("adopted %+v", a)
		}
	})
	t.Run("each office numbers its decisions in its own register", func(t *testing.T) {
		streams := map[string]string{
			"council":        govAdopt(nil).CounterStream(),
			"committee":      committee(nil).CounterStream(),
			"mayor":          byOffice(&DecisionException{Kind: ExceptionMayorDecision, LegalBasis: "x"}, govBody).CounterStream(),
			"deputy finance": byOffice(deputy("oikonomikon"), govBody).CounterStream(),
			"deputy works":   byOffice(deputy("technikon"), govBody).CounterStream(),
		}
		want := map[string]string{
			"council":        "decisionnumber-dimotiko-symvoulio-2026",
			"committee":      "decisionnumber-epitropi-2026",
			"mayor":          "decisionnumber-dimotiko-symvoulio~mayor_decision-2026",
			"deputy finance": "decisionnumber-dimotiko-symvoulio~deputy_mayor_decision~oikonomikon-2026",
			"deputy works":   "decisionnumber-dimotiko-symvoulio~deputy_mayor_decision~technikon-2026",
		}
		for k, s := range streams {
			if s != want[k] {
				t.Errorf("%s numbers in %s, want %s", k, s, want[k])
			}
			if err := ValidateStream(s); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		}
		evs := govDecide(t, DecisionDecider, nil, govBodyFacts(), byOffice(deputy("oikonomikon"), govBody))
		if a := evs[0].(DecisionAdopted); a.Exception == nil || a.Exception.Office != "oikonomikon" {
			t.Fatalf("adopted %+v", a)
		}
	})
	t.Run("a body's delegated powers are validated", func(t *testing.T) {
		s := DefaultBodySettings(7)
		s.Powers = []QuestionType{"procurement", "procurement"}
		if ErrorCode(s.Validate()) != CodeInvalid {
			t.Fatal("powers listed twice pass")
		}
		s.Powers = []QuestionType{QuestionUrgency}
		if ErrorCode(s.Validate()) != CodeInvalid {
			t.Fatal("urgency as a power passes")
		}
	})
}

func TestDecisionReissue(t *testing.T) {
	published := append(govAdopted(), DecisionPublished{Register: RegisterDiavgeia, RegisterID: "ΨΩΡ4ΩΗΑ-ΞΞΞ", Version: 1, DocumentSHA256: govHash})
	reissue := func(ada string) ReissueDecision {
		return ReissueDecision{DecisionID: "d-1", RegisterID: ada, DocumentSHA256: govHash, Reason: "Ορθή επανάληψη λόγω λάθους στον ΚΑΕ", At: govSitting.Add(time.Hour)}
	}
	noReason := reissue("ΑΒΓ4ΩΗΑ-123")
	noReason.Reason = ""
	taken := Facts{registerIDClaim(RegisterDiavgeia, "ΑΒΓ4ΩΗΑ-123"): ClaimState{By: "decision-d-9"}}
	govCheckRefusals(t, DecisionDecider, []govRefusal{
		{name: "reissuing an unknown decision is not found", cmd: reissue("ΑΒΓ4ΩΗΑ-123"), want: CodeNotFound},
		{name: "reissuing a decision never published is a conflict", given: govAdopted(), cmd: reissue("ΑΒΓ4ΩΗΑ-123"), want: CodeConflict},
		{name: "reissuing under an id that is not an ADA is invalid", given: published, cmd: reissue("ADA-1"), want: CodeInvalid},
		{name: "reissuing under the same ADA is a conflict", given: published, cmd: reissue("ΨΩΡ4ΩΗΑ-ΞΞΞ"), want: CodeConflict},
		{name: "reissuing without a reason is invalid", given: published, cmd: noReason, want: CodeInvalid},
		{name: "reissuing under an ADA of another decision is a conflict", given: published, facts: taken, cmd: reissue("ΑΒΓ4ΩΗΑ-123"), want: CodeConflict},
		{name: "reissuing a revoked decision is a conflict", given: append(published, DecisionRevoked{Reason: "x"}), cmd: reissue("ΑΒΓ4ΩΗΑ-123"), want: CodeConflict},
	})
	t.Run("the reissue links the previous ADA to the new one", func(t *testing.T) {
		evs := govDecide(t, DecisionDecider, published, nil, reissue("ΑΒΓ4ΩΗΑ-123"))
		s := DecisionDecider.Fold(append(published, evs[0])...)
		if s.RegisterID != "ΑΒΓ4ΩΗΑ-123" || len(s.PreviousRegisterIDs) != 1 || s.PreviousRegisterIDs[0] != "ΨΩΡ4ΩΗΑ-ΞΞΞ" {
			t.Fatalf("state %+v", s)
		}
		if c, ok := evs[1].(OnStream); !ok || c.Stream != registerIDClaim(RegisterDiavgeia, "ΑΒΓ4ΩΗΑ-123") {
			t.Fatalf("no claim on the new ADA: %v", evs)
		}
		if _, err := DecisionDecider.Decide(s, reissue("ΨΩΡ4ΩΗΑ-ΞΞΞ"), nil); ErrorCode(err) != CodeConflict {
			t.Fatalf("going back to the replaced ADA: %v", err)
		}
	})
}
