package projections_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
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
		{"request-r1", events.RequestSubmitted{RequestID: "r1", Category: events.RequestInformation, Subject: "Πρακτικά επιτροπής",
			Channel: events.RequestViaWeb, SubjectRef: citizenA}},
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
		{"consultation-i1", events.ConsultationCommentSubmitted{CommentID: "c1", Kind: events.CommentRemark, Text: "Σχόλιο", SubjectRef: string(citizenA)}},
		{"consultation-i1", events.ConsultationOpened{ItemID: "i1", MeetingID: "m", ClosesAt: day(3, 26)}},
		{"consultation-i2", events.ConsultationOpened{ItemID: "i2", MeetingID: "m", ClosesAt: day(3, 25)}},
		{"consultation-i2", events.ConsultationCommentSubmitted{CommentID: "c2", Kind: events.CommentRemark, Text: "Σχόλιο", SubjectRef: string(citizenB)}},
		{"meeting-m1", events.MeetingScheduled{MeetingID: "m1", BodyID: "b", StartsAt: day(3, 20), Place: "Αίθουσα", Urgency: events.MeetingRegular, Call: 1}},
		{"meeting-m1", events.MeetingConvened{Call: 1, Present: []string{"m1", "m2"}, PresidingMemberID: "m1", Seats: 3}},
		{"meeting-m1", events.MeetingMemberArrived{MemberID: "m3"}},
		{"meeting-m1", events.MeetingScheduled{MeetingID: "m1", BodyID: "b", StartsAt: day(3, 21), Place: "Αίθουσα", Urgency: events.MeetingRegular, Call: 1}},
		{"procurement-ocds-1", events.ProcurementPlanned{OCID: "ocds-1", Title: "Έργο", BuyerBodyID: "b", Budget: events.EUR(100), Method: events.ProcurementOpen}},
		{"procurement-ocds-1", events.ProcurementBidReceived{BidID: "b1", SupplierID: "094700001", Value: events.EUR(90)}},
		{"procurement-ocds-1", events.ProcurementPaymentMade{PaymentID: "p1", Amount: events.EUR(40), InvoiceRef: "ΤΠΥ-1"}},
		{"procurement-ocds-1", events.ProcurementPlanned{OCID: "ocds-1", Title: "Έργο", BuyerBodyID: "b", Budget: events.EUR(100), Method: events.ProcurementOpen}},
		{"procurement-ocds-1", events.ProcurementBidReceived{BidID: "b2", SupplierID: "094700002", Value: events.EUR(80)}},
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
		ballots, err := e.rm.Ballots(ctx, projections.BallotFilter{VoteID: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		want := []projections.Ballot{{VoteID: "v1", MemberID: "m1", Choice: "yes"}, {VoteID: "v1", MemberID: "m2", Choice: "yes", Changes: 2},
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
		r, err := e.rm.Request(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "rejected" || r.Reopened != 1 || r.ResponseDays != 10 || r.Department != "secretariat" ||
			r.LegalBasis != "ν. 2690/1999 άρθ. 5" || !r.ClosedAt.IsZero() || r.AnsweredAt != day(3, 13) {
			t.Errorf("request %+v", r)
		}
		h, err := e.rm.RequestHistory(ctx, "r1")
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
		if _, err := e.rm.Request(ctx, "ghost"); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("Request(ghost) = %v, want not_found", err)
		}
		h, err := e.rm.RequestHistory(ctx, "ghost")
		if err != nil || len(h) != 1 || h[0].Status != "acknowledged" {
			t.Errorf("history of ghost = %+v, %v", h, err)
		}
	})
}
