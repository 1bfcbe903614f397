package readmodel_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
)

// TestReadModelBatches checks the rows the read model gathers in memory
// during a batch (ballots, requests and their history) against the same
// events applied one transaction each.
func TestReadModelBatches(t *testing.T) {
	e := newRMEnv(t)
	// One append and one wait per event: the live runner applies each in a
	// transaction of its own, reading every row back from its table.
	steps := []struct {
		stream string
		p      events.Payload
	}{
		{"vote-v1", events.VoteBallotCast{MemberID: "m1", Choice: events.BallotYes}},
		{"vote-v1", events.VoteBallotCast{MemberID: "m2", Choice: events.BallotNo}},
		{"vote-v1", events.VoteBallotChanged{MemberID: "m2", Previous: events.BallotNo, Choice: events.BallotAbstain}},
		{"vote-v1", events.VoteBallotChanged{MemberID: "m2", Previous: events.BallotAbstain, Choice: events.BallotYes}},
		{"vote-v1", events.VoteBallotCast{MemberID: "m3", Choice: events.BallotPresent}},
		{"vote-v1", events.VoteBallotChanged{MemberID: "m9", Previous: events.BallotNo, Choice: events.BallotYes}},
		{"request-r1", events.RequestSubmitted{RequestID: "r1", Category: events.RequestInformation, LegacySubject: "Πρακτικά επιτροπής",
			Channel: events.RequestViaWeb, Author: citizenA}},
		{"request-r1", events.RequestAcknowledged{ResponseDays: 20, DueAt: day(3, 21)}},
		{"request-r1", events.RequestAssigned{Department: "secretariat", OfficerID: "off-1"}},
		{"request-r1", events.RequestAnswered{Summary: "Δόθηκαν τα πρακτικά.", Documents: []events.DocumentRef{doc("praktika")}}},
		{"request-r1", events.RequestClosed{}},
		{"request-r1", events.RequestReopened{Reason: "λείπει σελίδα", ResponseDays: 10, DueAt: day(4, 10)}},
		{"request-r1", events.RequestRejected{LegalBasis: "ν. 2690/1999 άρθ. 5", Reason: "εκτός αρμοδιότητας"}},
		{"request-ghost", events.RequestAcknowledged{ResponseDays: 20, DueAt: day(3, 21)}},
		{"vote-v1", events.VoteClosed{Yes: 2, Present: 1, Result: events.VotePassed, Seats: 3}},
		{"vote-v2", events.VoteOpened{VoteID: "v2", BodyID: "b", MeetingID: "m", ItemID: "i", Question: "Εγκρίνεται;",
			QuestionType: events.QuestionOrdinary, Method: events.VoteRollCall}},
		{"vote-v2", events.VoteClosed{Yes: 1, No: 2, Result: events.VoteFailed, Seats: 3, ChairTieBreak: true}},
		// Derived columns (comments, members present, bids, sum paid), and rows
		// replaced whole in between, which start them again from their default.
		{"consultation-i1", events.ConsultationOpened{ItemID: "i1", MeetingID: "m", ClosesAt: day(3, 25)}},
		{"consultation-i1", events.ConsultationCommentSubmitted{CommentID: "c1", Kind: events.CommentRemark, LegacyText: "Σχόλιο", Author: citizenA}},
		{"consultation-i1", events.ConsultationOpened{ItemID: "i1", MeetingID: "m", ClosesAt: day(3, 26)}},
		{"consultation-i2", events.ConsultationOpened{ItemID: "i2", MeetingID: "m", ClosesAt: day(3, 25)}},
		{"consultation-i2", events.ConsultationCommentSubmitted{CommentID: "c2", Kind: events.CommentRemark, LegacyText: "Σχόλιο", Author: citizenB}},
		{"meeting-m1", events.MeetingScheduled{MeetingID: "m1", BodyID: "b", StartsAt: day(3, 20), Place: "Αίθουσα", Urgency: events.MeetingRegular, Call: 1}},
		{"meeting-m1", events.MeetingConvened{Call: 1, Present: []string{"m1", "m2"}, PresidingMemberID: "m1", Seats: 3}},
		{"meeting-m1", events.MeetingMemberArrived{MemberID: "m3"}},
		{"meeting-m1", events.MeetingScheduled{MeetingID: "m1", BodyID: "b", StartsAt: day(3, 21), Place: "Αίθουσα", Urgency: events.MeetingRegular, Call: 1}},
		{"procurement-ocds-1", events.ProcurementPlanned{OCID: "ocds-1", Title: "Έργο", BuyerBodyID: "b", Budget: events.EUR(100), Method: events.ProcurementOpen}},
		{"procurement-ocds-1", events.ProcurementBidReceived{BidID: "b1", SupplierID: "094700001", Value: events.EUR(90)}},
		{"procurement-ocds-1", events.ProcurementPaymentMade{PaymentID: "p1", Amount: events.EUR(40), InvoiceRef: "ΤΠΥ-1"}},
		{"procurement-ocds-1", events.ProcurementPlanned{OCID: "ocds-1", Title: "Έργο", BuyerBodyID: "b", Budget: events.EUR(100), Method: events.ProcurementOpen}},
		{"procurement-ocds-1", events.ProcurementBidReceived{BidID: "b2", SupplierID: "094700002", Value: events.EUR(80)}},
		// Rows written once per batch (readmodel_pending.go): changes of rows
		// inserted earlier in the batch are made in memory, search documents
		// keep the doc_id a statement per event gives them, documents
		// replaced or appended keep their sequence numbers.
		{"consultation-i3", events.ConsultationOpened{ItemID: "i3", MeetingID: "m", ClosesAt: day(3, 25)}},
		{"consultation-i3", events.ConsultationCommentSubmitted{CommentID: "c3", Kind: events.CommentObjection, LegacyText: "Ένσταση για τον δρόμο", Author: citizenA}},
		{"consultation-i3", events.ConsultationCommentSubmitted{CommentID: "c4", Kind: events.CommentProposal, LegacyText: "Πρόταση για πεζόδρομο", Author: citizenB}},
		{"consultation-i3", events.ConsultationCommentWithdrawn{CommentID: "c3"}},
		{"consultation-i3", events.ConsultationCommentSubmitted{CommentID: "c5", Kind: events.CommentRemark, LegacyText: "Σχόλιο για φωτισμό", Author: citizenA}},
		{"consultation-i3", events.ConsultationCommentModerated{CommentID: "c4", Reason: "προσβλητικό"}},
		{"consultation-i3", events.ConsultationClosed{}},
		{"consultation-i1", events.ConsultationCommentModerated{CommentID: "c1", Reason: "εκτός θέματος"}},
		{"consultation-i2", events.ConsultationClosed{}},
		{"meeting-m2", events.MeetingScheduled{MeetingID: "m2", BodyID: "b", StartsAt: day(3, 28), Place: "Αίθουσα", Urgency: events.MeetingRegular, Call: 1}},
		{"meeting-m2", events.MeetingItemAdded{ItemID: "a1", Title: "Προϋπολογισμός", Description: "Ψήφιση", QuestionType: events.QuestionOrdinary,
			Presenter: "Δήμαρχος", Documents: []events.DocumentRef{doc("eisigisi"), doc("pinakas")}}},
		{"meeting-m2", events.MeetingItemAdded{ItemID: "a2", Title: "Ύδρευση", Description: "Έργο", QuestionType: events.QuestionOrdinary, Presenter: "Αντιδήμαρχος"}},
		{"meeting-m2", events.MeetingItemAdded{ItemID: "a3", Title: "Σχολεία", Description: "Γεύματα", QuestionType: events.QuestionOrdinary, Presenter: "Αντιδήμαρχος"}},
		{"meeting-m2", events.MeetingItemWithdrawn{ItemID: "a2", Reason: "αναβολή"}},
		{"meeting-m2", events.MeetingItemAdded{ItemID: "a1", Title: "Προϋπολογισμός 2027", Description: "Ψήφιση ξανά", QuestionType: events.QuestionOrdinary,
			Presenter: "Δήμαρχος", Documents: []events.DocumentRef{doc("eisigisi-2")}}},
		{"meeting-m2", events.MeetingAgendaPublished{ItemIDs: []string{"a1", "a2", "a3", "a9"}, ConsultationClosesAt: day(3, 27)}},
		{"meeting-m1", events.MeetingItemAdded{ItemID: "a4", Title: "Οδοποιία", Description: "Έργο", QuestionType: events.QuestionOrdinary, Presenter: "Δήμαρχος"}},
		{"meeting-m1", events.MeetingAgendaPublished{ItemIDs: []string{"a4"}, ConsultationClosesAt: day(3, 20)}},
		{"meeting-m1", events.MeetingItemWithdrawn{ItemID: "a4", Reason: "λάθος"}},
		{"meeting-m2", events.MeetingMinutesPublished{Documents: []events.DocumentRef{doc("praktika-1")}}},
		{"meeting-m2", events.MeetingMinutesPublished{Documents: []events.DocumentRef{doc("praktika-2"), doc("parartima")}}},
		{"decision-d1", events.DecisionAdopted{DecisionID: "d1", BodyID: "b", Number: 1, Year: 2026, MeetingID: "m2", ItemID: "a1", VoteID: "v1",
			Title: "Έγκριση προϋπολογισμού", Text: "Εγκρίνει τον προϋπολογισμό", LegalBasis: "ν. 3852/2010", Documents: []events.DocumentRef{doc("apofasi")}}},
		{"decision-d1", events.DecisionPublished{Register: "diavgeia", RegisterID: "ΑΔΑ-1", Version: 1, DocumentSHA256: sha}},
		{"decision-d1", events.DecisionCorrected{Version: 2, Reason: "τυπογραφικό", Title: "Έγκριση προϋπολογισμού 2027", Text: "Εγκρίνει τον διορθωμένο προϋπολογισμό",
			Documents: []events.DocumentRef{doc("apofasi-2")}}},
		{"decision-d1", events.DecisionPublished{Register: "diavgeia", RegisterID: "ΑΔΑ-1", Version: 2, DocumentSHA256: sha}},
		{"decision-d1", events.DecisionRevoked{Reason: "νέα απόφαση", RevokingDecisionID: "d2"}},
		{"decision-d2", events.DecisionAdopted{DecisionID: "d2", BodyID: "b", Number: 2, Year: 2026, MeetingID: "m2", ItemID: "a3", VoteID: "v2",
			Title: "Σχολικά γεύματα", Text: "Εγκρίνει τα γεύματα", LegalBasis: "ν. 3463/2006"}},
		{"decision-d2", events.DecisionAnnulled{Reason: "παράβαση", Authority: "Αποκεντρωμένη Διοίκηση"}},
		{"decision-d9", events.DecisionPublished{Register: "diavgeia", RegisterID: "ΑΔΑ-9", Version: 1, DocumentSHA256: sha}},
	}
	for i, s := range steps {
		e.add(t, s.stream, day(3, 1+i), s.p)
		e.sync(t)
	}
	live := readModelDump(t, e)
	e.startReadModel(t, "rebuilt.db") // every event in one batch
	e.sync(t)
	rebuilt := readModelDump(t, e)

	t.Run("a rebuild gathering every change in one batch writes the rows applied one by one", func(t *testing.T) {
		if rebuilt != live {
			t.Errorf("rebuild differs from live applies:\n%s", firstDifference(live, rebuilt))
		}
	})

	ctx := context.Background()
	t.Run("a ballot keeps its last choice and counts every change", func(t *testing.T) {
		page, err := e.snap(t).Ballots(ctx, readmodel.BallotFilter{VoteID: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		ballots := page.Items
		want := []readmodel.Ballot{{VoteID: "v1", MemberID: "m1", Choice: "yes"}, {VoteID: "v1", MemberID: "m2", Choice: "yes", Changes: 2},
			{VoteID: "v1", MemberID: "m3", Choice: "present"}}
		if len(ballots) != len(want) {
			t.Fatalf("ballots %+v, want %+v", ballots, want)
		}
		for i := range want {
			if ballots[i] != want[i] {
				t.Errorf("ballot %d = %+v, want %+v", i, ballots[i], want[i])
			}
		}
	})
	t.Run("a request's row holds its last state and its history every step in order", func(t *testing.T) {
		r, err := e.snap(t).Request(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "rejected" || r.Reopened != 1 || r.ResponseDays != 10 || r.Department != "secretariat" ||
			r.LegalBasis != "ν. 2690/1999 άρθ. 5" || !r.ClosedAt.IsZero() || r.AnsweredAt != day(3, 13) {
			t.Errorf("request %+v", r)
		}
		h, err := e.snap(t).RequestHistory(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range h {
			got = append(got, c.Status)
		}
		want := []string{"submitted", "acknowledged", "assigned", "answered", "closed", "reopened", "rejected"}
		if len(got) != len(want) {
			t.Fatalf("history %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("history %v, want %v", got, want)
				break
			}
		}
	})
	t.Run("a change of a request never submitted enters its history but makes no row", func(t *testing.T) {
		if _, err := e.snap(t).Request(ctx, "ghost"); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("Request(ghost) = %v, want not_found", err)
		}
		h, err := e.snap(t).RequestHistory(ctx, "ghost")
		if err != nil || len(h) != 1 || h[0].Status != "acknowledged" {
			t.Errorf("history of ghost = %+v, %v", h, err)
		}
	})
}
