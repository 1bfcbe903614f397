package events_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// The cases of issue 9, each reproduced on a real SQLite log through
// Service.Handle: every one is refused with its code and writes nothing.

type municipality struct {
	citizen events.SubjectRef
	t       *testing.T
	ctx     context.Context
	store   events.Store
	svc     *events.Service
}

var (
	muT0      = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	muStarts  = muT0.Add(10 * 24 * time.Hour)
	muSitting = muStarts.Add(15 * time.Minute)
	muDoc     = events.DocumentRef{Title: "Εισήγηση", MediaType: "application/pdf", Size: 2048,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", URL: "https://diavgeia.gov.gr/doc/1"}
)

func muMember(i int) string { return fmt.Sprintf("m%02d", i) }

func newMunicipality(t *testing.T, opts sqlite.Options) *municipality {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pnyx.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newMunicipalityOn(t, st)
}

// newMunicipalityOn is newMunicipality on the store st.
func newMunicipalityOn(t *testing.T, st events.Store) *municipality {
	t.Helper()
	ctx := context.Background()
	v := openTestVault(t)
	citizen, err := v.Put(ctx, events.Person{DisplayName: "Κάτοικος"})
	if err != nil {
		t.Fatal(err)
	}
	return &municipality{citizen: citizen, t: t, ctx: ctx, store: st, svc: events.Unguarded(events.NewService(st, events.ServiceOptions{Sealer: v}))}
}

func (m *municipality) run(c events.Command, opts ...events.HandleOption) events.Handled {
	m.t.Helper()
	h, err := m.svc.Handle(m.ctx, c, opts...)
	if err != nil {
		m.t.Fatalf("%T: %v", c, err)
	}
	return h
}

func (m *municipality) head() events.Position {
	m.t.Helper()
	h, err := m.store.Head(m.ctx)
	if err != nil {
		m.t.Fatal(err)
	}
	return h
}

// council registers body ds with 13 members (m01 chairs), schedules
// meeting mt with items it-1 (consultation open) and it-2, publishes the
// agenda and sits with nine members present.
func (m *municipality) council() {
	m.run(events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: muT0})
	for i := 1; i <= 13; i++ {
		role := events.RoleMember
		if i == 1 {
			role = events.RoleChair
		}
		m.run(events.AddMember{BodyID: "ds", MemberID: muMember(i), Name: fmt.Sprintf("Σύμβουλος %d", i), Role: role, At: muT0})
	}
	m.run(events.ScheduleMeeting{MeetingID: "mt", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0})
	for _, it := range []string{"it-1", "it-2", "it-3"} {
		m.run(events.AddItem{MeetingID: "mt", ItemID: it, Title: "Θέμα " + it, Presenter: "Πρόεδρος", At: muT0})
	}
	m.run(events.PublishAgenda{MeetingID: "mt", BodyID: "ds", ConsultationClosesAt: muStarts.Add(-24 * time.Hour), At: muT0.Add(time.Hour)})
	m.run(events.WithdrawItem{MeetingID: "mt", ItemID: "it-2", Reason: "Χρειάζεται γνωμοδότηση", At: muT0.Add(3 * time.Hour)})
	var present []string
	for i := 1; i <= 9; i++ {
		present = append(present, muMember(i))
	}
	m.run(events.ConveneMeeting{MeetingID: "mt", BodyID: "ds", Present: present, PresidingMemberID: muMember(1), At: muSitting})
}

// passVote opens vote id on item and passes it with every member present.
func (m *municipality) passVote(id, item string, at time.Time) {
	m.run(events.OpenVote{VoteID: id, BodyID: "ds", MeetingID: "mt", ItemID: item, Question: "Εγκρίνεται;", Method: events.VoteRollCall, At: at})
	for i := 1; i <= 9; i++ {
		m.run(events.CastBallot{VoteID: id, BodyID: "ds", MeetingID: "mt", MemberID: muMember(i), Choice: events.BallotYes, At: at})
	}
	m.run(events.CloseVote{VoteID: id, BodyID: "ds", MeetingID: "mt", At: at})
}

func muAdopt(id, vote string, at time.Time) events.AdoptDecision {
	return events.AdoptDecision{DecisionID: id, BodyID: "ds", VoteID: vote, Title: "Απόφαση", Text: "Το Συμβούλιο αποφασίζει.", LegalBasis: "ν. 3852/2010", At: at}
}

func muMayor(id string, at time.Time) events.AdoptDecision {
	return events.AdoptDecision{DecisionID: id, BodyID: "ds", Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"},
		Title: "Απόφαση Δημάρχου", Text: "Ο Δήμαρχος αποφασίζει.", LegalBasis: "ν. 3852/2010", At: at}
}

type refusal struct {
	name string
	cmd  events.Command
	opts []events.HandleOption
	code events.Code
}

// refuse runs each case and checks its code and that the log did not move.
func (m *municipality) refuse(t *testing.T, cases []refusal) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := m.head()
			_, err := m.svc.Handle(m.ctx, c.cmd, c.opts...)
			if got := events.ErrorCode(err); got != c.code {
				t.Fatalf("%T: code %q (%v), want %q", c.cmd, got, err, c.code)
			}
			if after := m.head(); after != before {
				t.Fatalf("%T was refused but the log moved from %d to %d", c.cmd, before, after)
			}
			msg := events.ErrorMessage(err)
			if strings.Contains(msg, "wrong expected version") || strings.Contains(msg, "internal") {
				t.Fatalf("message %q carries internals", msg)
			}
			t.Log(msg)
		})
	}
}

func TestIssue9CasesAreRefused(t *testing.T) {
	m := newMunicipality(t, sqlite.Options{})
	m.council()
	m.passVote("v-1", "it-1", muSitting)
	d1 := m.run(muAdopt("d-1", "v-1", muSitting.Add(time.Minute)))
	mayor := m.run(muMayor("dm-1", muSitting))
	m.run(events.OpenVote{VoteID: "v-open", BodyID: "ds", MeetingID: "mt", ItemID: "it-3", Question: "Εγκρίνεται;", Method: events.VoteRollCall, At: muSitting})
	m.run(events.PublishDecision{DecisionID: "d-1", RegisterID: "Ψ4ΩΗΩΡ1-ΑΒΓ", DocumentSHA256: muDoc.SHA256, At: muSitting.Add(time.Hour)})
	m.run(muMayor("dm-2", muSitting))

	t.Run("15: the mayor's decisions have their own register and numbering", func(t *testing.T) {
		a, b := d1.Payloads[0].(events.DecisionAdopted), mayor.Payloads[0].(events.DecisionAdopted)
		if a.Ref() != "1/2026" || b.Ref() != "1/2026" || b.Exception == nil {
			t.Fatalf("council %s, mayor %s", a.Ref(), b.Ref())
		}
	})

	long := strings.Repeat("Ω", events.MaxTitleRunes+1)
	m.refuse(t, []refusal{
		{"1: a second decision from one passed vote is a conflict", muAdopt("d-2", "v-1", muSitting.Add(2*time.Minute)), nil, events.CodeConflict},
		{"2: a comment on a withdrawn item is a conflict", events.SubmitComment{ItemID: "it-2", CommentID: "c-1", Kind: events.CommentRemark, Text: "Σχόλιο", SubjectRef: m.citizen, At: muT0.Add(4 * time.Hour)}, nil, events.CodeConflict},
		{"3: a comment dated before its consultation opened is a conflict", events.SubmitComment{ItemID: "it-1", CommentID: "c-2", Kind: events.CommentRemark, Text: "Σχόλιο", SubjectRef: m.citizen, At: muT0.Add(30 * time.Minute)}, nil, events.CodeConflict},
		{"7: a time in year 1 is invalid", events.AdjournMeeting{MeetingID: "mt", At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, events.CodeInvalid},
		{"7: a time in year 9999 is invalid", events.AdjournMeeting{MeetingID: "mt", At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, events.CodeInvalid},
		{"7: a time before the earliest date of the record is invalid", events.AdjournMeeting{MeetingID: "mt", At: time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC)}, nil, events.CodeInvalid},
		{"7: a meeting starting in year 9999 is invalid", events.ScheduleMeeting{MeetingID: "mt-far", BodyID: "ds", StartsAt: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0}, nil, events.CodeInvalid},
		{"8: NUL in a place is invalid", events.ScheduleMeeting{MeetingID: "mt-x", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο\x00", Urgency: events.MeetingRegular, At: muT0}, nil, events.CodeInvalid},
		{"8: an ESC sequence in a body name is invalid", events.RegisterBody{BodyID: "ds-x", Name: "\x1b[31mΣυμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: muT0}, nil, events.CodeInvalid},
		{"8: BEL in a request subject is invalid", events.SubmitRequest{RequestID: "r-x", Category: events.RequestInformation, Subject: "Αίτημα\a", Channel: events.RequestViaWeb, Requester: m.citizen, At: muT0}, nil, events.CodeInvalid},
		{"8: a backspace in an item title is invalid", events.AddItem{MeetingID: "mt", ItemID: "it-x", Title: "Θέμα\b", Presenter: "Π", At: muT0}, nil, events.CodeInvalid},
		{"8: a bidirectional override in a member's name is invalid", events.AddMember{BodyID: "ds", MemberID: "m99", Name: "Νίκος \u202Eσολοκιν", Role: events.RoleMember, At: muT0}, nil, events.CodeInvalid},
		{"8: a bidirectional isolate in a decision title is invalid", events.AdoptDecision{DecisionID: "d-x", BodyID: "ds", Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "β"}, Title: "Α\u2066Β", Text: "Τ", LegalBasis: "β", At: muSitting}, nil, events.CodeInvalid},
		{"9: an id with / and .. is invalid", events.ScheduleMeeting{MeetingID: "a/b/../c", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0}, nil, events.CodeInvalid},
		{"9: an id with .. is invalid", events.ScheduleMeeting{MeetingID: "a..b", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0}, nil, events.CodeInvalid},
		{"9: an id starting with a separator is invalid", events.ScheduleMeeting{MeetingID: "-a", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0}, nil, events.CodeInvalid},
		{"10: an unknown exception kind is invalid", events.AdoptDecision{DecisionID: "d-x", BodyID: "ds", Exception: &events.DecisionException{Kind: "pardon", LegalBasis: "β"}, Title: "Α", Text: "Τ", LegalBasis: "β", At: muSitting}, nil, events.CodeInvalid},
		{"13: a second vote on an item whose question passed is a conflict", events.OpenVote{VoteID: "v-2", BodyID: "ds", MeetingID: "mt", ItemID: "it-1", Question: "Ξανά;", Method: events.VoteRollCall, At: muSitting.Add(time.Hour)}, nil, events.CodeConflict},
		{"16: a decision before its vote closed is a conflict", muAdopt("d-early", "v-1", muSitting.Add(-time.Minute)), nil, events.CodeConflict},
		{"17: a register id that is not an ADA is invalid", events.PublishDecision{DecisionID: "dm-1", RegisterID: "x", DocumentSHA256: muDoc.SHA256, At: muSitting.Add(time.Hour)}, nil, events.CodeInvalid},
		{"17: one ADA on two decisions is a conflict", events.PublishDecision{DecisionID: "dm-2", RegisterID: "Ψ4ΩΗΩΡ1-ΑΒΓ", DocumentSHA256: muDoc.SHA256, At: muSitting.Add(time.Hour)}, nil, events.CodeConflict},
		{"18: an item id of another meeting is a conflict", events.AddItem{MeetingID: "mt-other", ItemID: "it-1", Title: "Θέμα", Presenter: "Π", At: muT0}, nil, events.CodeNotFound},
		{"19: a 900 KB document title is invalid", events.PublishMinutes{MeetingID: "mt", Documents: []events.DocumentRef{{Title: strings.Repeat("Α", 450_000), MediaType: "application/pdf", SHA256: muDoc.SHA256, URL: muDoc.URL}}, At: muSitting}, nil, events.CodeInvalid},
		{"19: a title over its limit is invalid", events.AddItem{MeetingID: "mt", ItemID: "it-x", Title: long, Presenter: "Π", At: muT0}, nil, events.CodeInvalid},
		{"19: invalid UTF-8 in a document title is invalid, never stored as U+FFFD", events.PublishMinutes{MeetingID: "mt", Documents: []events.DocumentRef{{Title: "Πρακτικά\xff", MediaType: "application/pdf", SHA256: muDoc.SHA256, URL: muDoc.URL}}, At: muSitting}, nil, events.CodeInvalid},
		{"19: an id followed by a zero-width space is invalid", events.AddItem{MeetingID: "mt", ItemID: "it-1\u200b", Title: "Θέμα", Presenter: "Π", At: muT0}, nil, events.CodeInvalid},
	})

	t.Run("18: item ids are unique across meetings", func(t *testing.T) {
		m.run(events.ScheduleMeeting{MeetingID: "mt-2", BodyID: "ds", StartsAt: muStarts.Add(30 * 24 * time.Hour), Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muSitting})
		m.refuse(t, []refusal{{"item it-1 of another meeting", events.AddItem{MeetingID: "mt-2", ItemID: "it-1", Title: "Θέμα", Presenter: "Π", At: muSitting}, nil, events.CodeConflict}})
	})
	t.Run("8: text is stored in NFC and trimmed", func(t *testing.T) {
		h := m.run(events.AddItem{MeetingID: "mt-2", ItemID: "it-nfc", Title: "  Προϋπολογισμός  ", Presenter: "Π", At: muSitting})
		if got := h.Payloads[0].(events.MeetingItemAdded).Title; got != "Προϋπολογισμός" {
			t.Fatalf("title %q (% x), want NFC and trimmed", got, got)
		}
	})

	m.run(events.AdjournMeeting{MeetingID: "mt", At: muSitting.Add(3 * time.Hour)})
	m.refuse(t, []refusal{
		{"13: a ballot after the meeting adjourned is a conflict", events.CastBallot{VoteID: "v-open", BodyID: "ds", MeetingID: "mt", MemberID: muMember(2), Choice: events.BallotYes, At: muSitting.Add(4 * time.Hour)}, nil, events.CodeConflict},
		{"13: closing a vote after the meeting adjourned is a conflict", events.CloseVote{VoteID: "v-open", BodyID: "ds", MeetingID: "mt", At: muSitting.Add(4 * time.Hour)}, nil, events.CodeConflict},
	})
}

func TestIssue9ProcurementAndRequests(t *testing.T) {
	m := newMunicipality(t, sqlite.Options{})
	m.run(events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: muT0})
	m.run(muMayor("d-1", muT0))
	m.run(events.RegisterSupplier{VATID: "EL094019245", SupplierDetails: events.SupplierDetails{Name: "Πήλιο ΚΟΙΝΣΕΠ", Kind: events.SupplierCooperative, Locality: "Πορταριά", Municipality: "Βόλου", Country: "GR"}, At: muT0})
	at := func(d int) time.Time { return muT0.AddDate(0, 0, d) }
	const ocid = "ocds-abc123-2026-0001"
	plan := events.PlanProcurement{OCID: ocid, Title: "Συντήρηση πρασίνου", Description: "Κλάδεμα.", BuyerBodyID: "ds",
		Budget: events.EUR(30_000_00), CPV: []string{"77310000-6"}, Method: events.ProcurementOpen, DecisionIDs: []string{"d-1"}, At: at(0)}
	ghostPlan, ghostBuyer, usd := plan, plan, plan
	ghostPlan.DecisionIDs = []string{"ghost"}
	ghostBuyer.BuyerBodyID = "ghost"
	usd.Budget = events.Money{Cents: 1, Currency: "123"}
	m.refuse(t, []refusal{
		{"17: a buyer body that does not exist is not found", ghostBuyer, nil, events.CodeNotFound},
		{"17: a plan citing a decision that does not exist is not found", ghostPlan, nil, events.CodeNotFound},
		{"19: a currency code 123 is invalid", usd, nil, events.CodeInvalid},
	})
	m.run(plan)
	m.run(events.PublishTender{OCID: ocid, Procedure: "ανοικτός", Ceiling: events.EUR(25_000_00), Deadline: at(20), At: at(1)})
	m.run(events.RecordBid{OCID: ocid, BidID: "b1", SupplierID: "EL094019245", Value: events.EUR(27_000_00), At: at(5)})
	m.refuse(t, []refusal{
		{"17: a tender amendment citing decision ghost is not found", events.AmendTender{OCID: ocid, Ceiling: events.EUR(28_000_00), Reason: "άγονος", DecisionID: "ghost", At: at(21)}, nil, events.CodeNotFound},
	})
	m.run(events.AmendTender{OCID: ocid, Ceiling: events.EUR(28_000_00), Reason: "άγονος", DecisionID: "d-1", At: at(21)})
	m.refuse(t, []refusal{
		{"17: an award citing decision ghost is not found", events.AwardProcurement{OCID: ocid, SupplierID: "EL094019245", Value: events.EUR(27_000_00), DecisionID: "ghost", At: at(22)}, nil, events.CodeNotFound},
	})
	m.run(events.AwardProcurement{OCID: ocid, SupplierID: "EL094019245", Value: events.EUR(27_000_00), DecisionID: "d-1", At: at(22)})
	m.run(events.SignContract{OCID: ocid, ContractID: "c1", Value: events.EUR(27_000_00), Period: events.ContractPeriod{Start: at(30), End: at(300)}, At: at(30)})
	more := events.EUR(30_000_00)
	m.refuse(t, []refusal{
		{"4: a payment dated before the contract was signed is a conflict", events.RecordPayment{OCID: ocid, PaymentID: "p1", Amount: events.EUR(1_00), InvoiceRef: "ΤΠΥ 1", At: at(29)}, nil, events.CodeConflict},
		{"17: a contract amendment citing decision ghost is not found", events.AmendContract{OCID: ocid, NewValue: &more, Reason: "επέκταση", DecisionID: "ghost", At: at(40)}, nil, events.CodeNotFound},
	})

	m.run(events.SubmitRequest{RequestID: "r-1", Category: events.RequestInformation, Subject: "Αντίγραφο απόφασης", Channel: events.RequestViaWeb, Requester: m.citizen, At: at(0)})
	m.refuse(t, []refusal{
		{"19: an information request acknowledged with 365 days is a conflict", events.AcknowledgeRequest{RequestID: "r-1", ResponseDays: 365, At: at(1)}, nil, events.CodeConflict},
	})
	m.run(events.AcknowledgeRequest{RequestID: "r-1", ResponseDays: 20, At: at(2)}, events.WithIdempotencyKey("ack-r-1"))
	m.refuse(t, []refusal{
		{"5: an answer before the request was acknowledged is a conflict", events.AnswerRequest{RequestID: "r-1", Summary: "Απάντηση", At: at(1)}, nil, events.CodeConflict},
		{"6: an idempotency key reused with another command is a conflict", events.AnswerRequest{RequestID: "r-1", Summary: "Άλλη απάντηση", At: at(3)}, []events.HandleOption{events.WithIdempotencyKey("ack-r-1")}, events.CodeConflict},
	})
}

func TestIssue9ThirdCallTakesOnlyTheOriginalAgenda(t *testing.T) {
	m := newMunicipality(t, sqlite.Options{})
	m.run(events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: muT0})
	for i := 1; i <= 13; i++ {
		m.run(events.AddMember{BodyID: "ds", MemberID: muMember(i), Name: fmt.Sprintf("Σύμβουλος %d", i), Role: events.RoleMember, At: muT0})
	}
	call := func(n int, id, prev string, starts time.Time, items map[string]string) {
		m.run(events.ScheduleMeeting{MeetingID: id, BodyID: "ds", StartsAt: starts, Place: "Δημαρχείο", Urgency: events.MeetingUrgent, UrgencyReason: "Επανάληψη", Call: n, PreviousMeetingID: prev, At: starts.Add(-72 * time.Hour)})
		for it, orig := range items {
			m.run(events.AddItem{MeetingID: id, ItemID: it, Title: "Θέμα " + it, Presenter: "Π", OriginalItemID: orig, At: starts.Add(-71 * time.Hour)})
		}
		m.run(events.PublishAgenda{MeetingID: id, BodyID: "ds", ConsultationClosesAt: starts.Add(-time.Hour), At: starts.Add(-70 * time.Hour)})
		m.run(events.RecordQuorumFailure{MeetingID: id, BodyID: "ds", Present: []string{muMember(1)}, At: starts})
	}
	call(1, "a", "", muStarts, map[string]string{"a-1": ""})
	call(2, "b", "a", muStarts.Add(7*24*time.Hour), map[string]string{"b-1": "a-1", "b-new": ""})
	starts := muStarts.Add(14 * 24 * time.Hour)
	m.run(events.ScheduleMeeting{MeetingID: "c", BodyID: "ds", StartsAt: starts, Place: "Δημαρχείο", Urgency: events.MeetingUrgent, UrgencyReason: "Επανάληψη", Call: 3, PreviousMeetingID: "b", At: starts.Add(-72 * time.Hour)})
	add := func(id, orig string) events.AddItem {
		return events.AddItem{MeetingID: "c", ItemID: id, Title: "Θέμα", Presenter: "Π", OriginalItemID: orig, At: starts.Add(-71 * time.Hour)}
	}
	m.refuse(t, []refusal{
		{"16: a new regular item at a third call is a conflict", add("c-new", ""), nil, events.CodeConflict},
		{"16: an item new at the second call is not of the original agenda", add("c-2", "b-new"), nil, events.CodeConflict},
	})
	m.run(add("c-1", "b-1"))
	m.refuse(t, []refusal{{"16: an original item carried twice is a conflict", add("c-1b", "b-1"), nil, events.CodeConflict}})
}

// TestIssue9RefusedCommandTakesNoNumber: a decision refused by the store
// (over its size limit) takes no number; the next one gets number 1.
func TestIssue9RefusedCommandTakesNoNumber(t *testing.T) {
	m := newMunicipality(t, sqlite.Options{MaxEventBytes: 64 << 10})
	m.run(events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: muT0})
	big := muMayor("d-big", muT0)
	big.Text = strings.Repeat("Ω", 40_000)
	m.refuse(t, []refusal{{"14: a decision the store refuses", big, nil, events.CodeInvalid}})
	h := m.run(muMayor("d-1", muT0))
	if h.Number != 1 {
		t.Fatalf("number %d after a refused decision, want 1: numbers are taken only by recorded decisions", h.Number)
	}
}

// TestIssue9RacingServicesRestOnCurrentFacts races two services on one
// store: a member's departure against their ballot, and two decisions from
// one vote. The facts a command read are checked in the same atomic step as
// its append, so no ballot lands after its member's departure and one vote
// gives one decision.
//
// It runs on the embedded store, and on KurrentDB with each service on a
// connection of its own, as two API nodes of a cluster are.
func TestIssue9RacingServicesRestOnCurrentFacts(t *testing.T) {
	t.Run("embedded store", func(t *testing.T) {
		m := newMunicipality(t, sqlite.Options{})
		racingServices(t, m, events.Unguarded(events.NewService(m.store, events.ServiceOptions{})))
	})
	t.Run("KurrentDB", func(t *testing.T) {
		srv, err := kurrenttest.Start(kurrenttest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		open := func() events.Store {
			st, err := kurrentdb.Open(context.Background(), srv.URL(), kurrentdb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
		m := newMunicipalityOn(t, open())
		racingServices(t, m, events.Unguarded(events.NewService(open(), events.ServiceOptions{})))
	})
}

func racingServices(t *testing.T, m *municipality, other *events.Service) {
	m.council()
	m.passVote("v-dec", "it-1", muSitting)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		svc := m.svc
		if i%2 == 1 {
			svc = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Handle(m.ctx, muAdopt(fmt.Sprintf("d-race-%d", i), "v-dec", muSitting.Add(time.Minute)))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case events.ErrorCode(err) != events.CodeConflict:
			t.Fatalf("adopt: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d decisions adopted from one vote, want 1", ok)
	}
	v, err := m.store.StreamVersion(m.ctx, "decisionnumber-ds-2026")
	if err != nil || v != 0 {
		t.Fatalf("counter at %d (%v): one decision, one number", v, err)
	}
	m.run(events.OpenVote{VoteID: "v-race", BodyID: "ds", MeetingID: "mt", ItemID: "it-3", Question: "Εγκρίνεται;", Method: events.VoteRollCall, At: muSitting})
	type outcome struct {
		ballot, departure events.Handled
		bErr, dErr        error
	}
	outs := make([]outcome, 8)
	for i := range outs {
		member := muMember(i + 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			outs[i].ballot, outs[i].bErr = m.svc.Handle(m.ctx, events.CastBallot{VoteID: "v-race", BodyID: "ds", MeetingID: "mt", MemberID: member, Choice: events.BallotYes, At: muSitting})
		}()
		go func() {
			defer wg.Done()
			outs[i].departure, outs[i].dErr = other.Handle(m.ctx, events.RecordDeparture{MeetingID: "mt", MemberID: member, At: muSitting})
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if o.dErr != nil {
			t.Fatalf("departure %d: %v", i, o.dErr)
		}
		if o.bErr == nil && o.ballot.Result.Position > o.departure.Result.Position {
			t.Fatalf("member %s's ballot at %d landed after their departure at %d", muMember(i+2), o.ballot.Result.Position, o.departure.Result.Position)
		}
		if o.bErr != nil && events.ErrorCode(o.bErr) != events.CodeForbidden && events.ErrorCode(o.bErr) != events.CodeConflict {
			t.Fatalf("ballot %d: %v", i, o.bErr)
		}
	}

}
