package events_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// TestMunicipalRecord runs a council's month through the command service
// on a real SQLite log: the deciders' Needs, facts and decision numbering
// work together, refusals write nothing, and Greek text comes back intact.
func TestMunicipalRecord(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pnyx.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	v := openTestVault(t)
	svc := events.Unguarded(events.NewService(store, events.ServiceOptions{Sealer: v}))
	citizen, err := v.Put(ctx, events.Person{DisplayName: "Κάτοικος Κυψέλης"})
	if err != nil {
		t.Fatal(err)
	}

	t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	meetingAt := t0.Add(10 * 24 * time.Hour)
	sitting := meetingAt.Add(15 * time.Minute)
	doc := events.DocumentRef{Title: "Εισήγηση", MediaType: "application/pdf", Size: 2048,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", URL: "https://diavgeia.gov.gr/doc/1"}
	run := func(c events.Command) events.Handled {
		t.Helper()
		h, err := svc.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		return h
	}
	refused := func(c events.Command, want events.Code) {
		t.Helper()
		before, _ := store.Head(ctx)
		_, err := svc.Handle(ctx, c)
		if code := events.ErrorCode(err); code != want {
			t.Fatalf("%T: code %q (%v), want %q", c, code, err, want)
		}
		if after, _ := store.Head(ctx); after != before {
			t.Fatalf("%T was refused but the log moved from %d to %d", c, before, after)
		}
	}
	member := func(i int) string { return fmt.Sprintf("m%02d", i) }
	present := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = member(i + 1)
		}
		return out
	}

	run(events.RegisterBody{BodyID: "ds-athina", Name: "Δημοτικό Συμβούλιο Αθηναίων", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: t0})
	for i := 1; i <= 13; i++ {
		role := events.RoleMember
		if i == 1 {
			role = events.RoleChair
		}
		run(events.AddMember{BodyID: "ds-athina", MemberID: member(i), Name: fmt.Sprintf("Σύμβουλος Νο %d", i), Role: role, At: t0})
	}
	run(events.ScheduleMeeting{MeetingID: "2026-05", BodyID: "ds-athina", StartsAt: meetingAt, Place: "Δημαρχείο, Πλατεία Κοτζιά", Urgency: events.MeetingRegular, At: t0})
	run(events.AddItem{MeetingID: "2026-05", ItemID: "2026-05-1", Title: "Έγκριση προϋπολογισμού", QuestionType: "budget", Presenter: "Αντιδήμαρχος Οικονομικών", Documents: []events.DocumentRef{doc}, At: t0})
	// The publication opens the consultation on each item it publishes.
	run(events.PublishAgenda{MeetingID: "2026-05", BodyID: "ds-athina", ConsultationClosesAt: meetingAt.Add(-24 * time.Hour), At: t0.Add(time.Hour)})
	run(events.SubmitComment{ItemID: "2026-05-1", CommentID: "c-1", Kind: events.CommentProposal, Text: "Περισσότερα κονδύλια για τις παιδικές χαρές της Κυψέλης.", SubjectRef: citizen, At: t0.Add(2 * time.Hour)})
	refused(events.SubmitComment{ItemID: "2026-05-1", CommentID: "c-2", Kind: events.CommentObjection, Text: "Αργά", SubjectRef: citizen, At: meetingAt}, events.CodeConflict)

	refused(events.ConveneMeeting{MeetingID: "2026-05", BodyID: "ds-athina", Present: present(6), PresidingMemberID: member(1), At: sitting}, events.CodeConflict)
	run(events.ConveneMeeting{MeetingID: "2026-05", BodyID: "ds-athina", Present: present(9), PresidingMemberID: member(1), At: sitting})
	run(events.ProposeAmendment{AmendmentID: "am-1", BodyID: "ds-athina", MeetingID: "2026-05", ItemID: "2026-05-1", ProposerID: member(4), Text: "Πρόσθεση 20.000 € για παιδικές χαρές", At: sitting})
	run(events.OpenVote{VoteID: "v-am-1", BodyID: "ds-athina", MeetingID: "2026-05", AmendmentID: "am-1", Question: "Γίνεται δεκτή η τροπολογία;", Method: events.VoteShowOfHands, At: sitting})
	for i := 1; i <= 9; i++ {
		run(events.CastBallot{VoteID: "v-am-1", BodyID: "ds-athina", MeetingID: "2026-05", MemberID: member(i), Choice: events.BallotYes, At: sitting})
	}
	run(events.CloseVote{VoteID: "v-am-1", BodyID: "ds-athina", MeetingID: "2026-05", At: sitting})
	run(events.AcceptAmendment{AmendmentID: "am-1", VoteID: "v-am-1", At: sitting})

	run(events.OpenVote{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", ItemID: "2026-05-1", Question: "Εγκρίνεται ο προϋπολογισμός;", Method: events.VoteRollCall, At: sitting})
	refused(events.CastBallot{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", MemberID: member(12), Choice: events.BallotYes, At: sitting}, events.CodeForbidden)
	for i := 1; i <= 9; i++ {
		choice := events.BallotYes
		if i > 6 {
			choice = events.BallotNo
		}
		run(events.CastBallot{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", MemberID: member(i), Choice: choice, At: sitting})
	}
	refused(events.CastBallot{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", MemberID: member(2), Choice: events.BallotNo, At: sitting}, events.CodeConflict)
	closed := run(events.CloseVote{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", At: sitting}).Payloads[0].(events.VoteClosed)
	if closed.Result != events.VotePassed || closed.Yes != 6 || closed.No != 3 || closed.Absent != 4 {
		t.Fatalf("vote closed %+v", closed)
	}
	refused(events.CastBallot{VoteID: "v-1", BodyID: "ds-athina", MeetingID: "2026-05", MemberID: member(9), Choice: events.BallotYes, At: sitting}, events.CodeConflict)

	adopt := func(id, vote string, exc *events.DecisionException) events.AdoptDecision {
		return events.AdoptDecision{DecisionID: id, BodyID: "ds-athina", VoteID: vote, Exception: exc, Title: "Έγκριση προϋπολογισμού 2026",
			Text: "Το Δημοτικό Συμβούλιο εγκρίνει τον προϋπολογισμό.", LegalBasis: "ν. 3852/2010", Documents: []events.DocumentRef{doc}, At: sitting}
	}
	refused(adopt("d-0", "v-am-1", nil), events.CodeConflict)
	first := run(adopt("d-1", "v-1", nil))
	second := run(adopt("d-2", "", &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"}))
	a1, a2 := first.Payloads[0].(events.DecisionAdopted), second.Payloads[0].(events.DecisionAdopted)
	// The mayor's decisions have their own register and numbering.
	if a1.Ref() != "1/2026" || a2.Ref() != "1/2026" || a1.ItemID != "2026-05-1" {
		t.Fatalf("decision numbers %s and %s, item %q", a1.Ref(), a2.Ref(), a1.ItemID)
	}
	run(events.PublishDecision{DecisionID: "d-1", RegisterID: "Ψ4ΩΗΩΡ1-ΑΒΓ", DocumentSHA256: doc.SHA256, At: sitting.Add(24 * time.Hour)})
	run(events.CorrectDecision{DecisionID: "d-1", Reason: "Τυπογραφικό λάθος", Title: a1.Title, Text: "Το Δημοτικό Συμβούλιο εγκρίνει ομόφωνα τον προϋπολογισμό.", Documents: a1.Documents, At: sitting.Add(48 * time.Hour)})
	refused(events.PublishDecision{DecisionID: "d-1", RegisterID: "ΑΛΛΟΑΔΑ-ΒΓΔ", DocumentSHA256: doc.SHA256, At: sitting.Add(49 * time.Hour)}, events.CodeConflict)
	run(events.AdjournMeeting{MeetingID: "2026-05", At: sitting.Add(3 * time.Hour)})
	run(events.PublishMinutes{MeetingID: "2026-05", Documents: []events.DocumentRef{doc}, At: sitting.Add(72 * time.Hour)})

	t.Run("every recorded event decodes and the decision keeps both versions", func(t *testing.T) {
		recs, err := store.ReadStream(ctx, "decision-d-1", events.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var payloads []events.Payload
		for _, r := range recs {
			p, err := events.Decode(r)
			if err != nil {
				t.Fatal(err)
			}
			payloads = append(payloads, p)
		}
		s := events.DecisionDecider.Fold(payloads...)
		if len(s.Versions) != 2 || s.Versions[0].Text != "Το Δημοτικό Συμβούλιο εγκρίνει τον προϋπολογισμό." || s.RegisterID != "Ψ4ΩΗΩΡ1-ΑΒΓ" {
			t.Fatalf("decision %+v", s)
		}
		all, err := store.ReadAll(ctx, events.ReadAllOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range all {
			if _, err := events.Decode(r); err != nil {
				t.Fatalf("%s %s: %v", r.Stream, r.Type, err)
			}
		}
	})
	t.Run("the decision numbers of the body and year are recorded in their counter", func(t *testing.T) {
		v, err := store.StreamVersion(ctx, "decisionnumber-ds-athina-2026")
		if err != nil || v != 0 {
			t.Fatalf("council's counter version %d, %v", v, err)
		}
		v, err = store.StreamVersion(ctx, "decisionnumber-ds-athina~mayor_decision-2026")
		if err != nil || v != 0 {
			t.Fatalf("mayor's counter version %d, %v", v, err)
		}
	})
}
