package events

import (
	"context"
	"strings"
	"testing"
	"time"
)

var govClosesAt = govMeetingAt.Add(-24 * time.Hour)

func govConsultation() []Payload {
	return []Payload{ConsultationOpened{ItemID: "it-1", MeetingID: govMeeting, ClosesAt: govClosesAt}}
}

func govComment(id string, author SubjectRef) ConsultationCommentSubmitted {
	a, sealed, _ := testSealer{}.Seal(context.Background(), author, CommentEntity("it-1", id), "Διαφωνώ με την περικοπή.")
	return ConsultationCommentSubmitted{CommentID: id, Kind: CommentObjection, Author: a, Text: sealed[0]}
}

func TestConsultationRules(t *testing.T) {
	published := govMeetingFacts(govPublished())
	during := govT0.Add(time.Hour)
	submit := func(mut func(*SubmitComment)) SubmitComment {
		c := SubmitComment{ItemID: "it-1", CommentID: "c-2", Kind: CommentProposal, Text: "Να φυτευτούν δέντρα στην πλατεία.", SubjectRef: subjC, At: during}
		if mut != nil {
			mut(&c)
		}
		return c
	}
	withComment := append(govConsultation(), govComment("c-1", subjA))
	closed := append(govConsultation(), ConsultationClosed{})
	unpublished := govMeetingFacts(govScheduled())
	withdrawnItem := govMeetingFacts(append(govPublished(), MeetingItemWithdrawn{ItemID: "it-1", Reason: "x"}))
	cancelled := govMeetingFacts(append(govPublished(), MeetingCancelled{Reason: "x"}))
	open := OpenConsultation{ItemID: "it-1", MeetingID: govMeeting, At: govT0}
	late := open
	late.At = govClosesAt

	govCheckRefusals(t, ConsultationDecider, []govRefusal{
		{name: "opening a consultation twice is a conflict", given: govConsultation(), facts: published, cmd: open, want: CodeConflict},
		{name: "opening on an unknown meeting is not found", cmd: open, want: CodeNotFound},
		{name: "opening on an item not on the agenda is not found", facts: published, cmd: OpenConsultation{ItemID: "it-9", MeetingID: govMeeting, At: govT0}, want: CodeNotFound},
		{name: "opening before the agenda is published is a conflict", facts: unpublished, cmd: open, want: CodeConflict},
		{name: "opening on a withdrawn item is a conflict", facts: withdrawnItem, cmd: open, want: CodeConflict},
		{name: "opening at a cancelled meeting is a conflict", facts: cancelled, cmd: open, want: CodeConflict},
		{name: "opening after the closing time is a conflict", facts: published, cmd: late, want: CodeConflict},
		{name: "a comment on an unopened consultation is not found", cmd: submit(nil), want: CodeNotFound},
		{name: "a comment after the closing time is refused", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.At = govClosesAt }), want: CodeConflict},
		{name: "a comment after the consultation closed is refused", given: closed, cmd: submit(nil), want: CodeConflict},
		{name: "a blank comment is invalid", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.Text = " \n" }), want: CodeInvalid},
		{name: "a comment over the length limit is invalid", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.Text = strings.Repeat("α", MaxCommentRunes+1) }), want: CodeInvalid},
		{name: "a comment of an unknown kind is invalid", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.Kind = "petition" }), want: CodeInvalid},
		{name: "a comment without a subject reference is invalid", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.SubjectRef = "" }), want: CodeInvalid},
		{name: "a comment with a name instead of a subject reference is invalid", given: govConsultation(), cmd: submit(func(c *SubmitComment) { c.SubjectRef = "Γιώργος Παπαδόπουλος" }), want: CodeInvalid},
		{name: "a comment id used twice is a conflict", given: withComment, cmd: submit(func(c *SubmitComment) { c.CommentID = "c-1" }), want: CodeConflict},
		{name: "moderation without a public reason is invalid", given: withComment, cmd: ModerateComment{ItemID: "it-1", CommentID: "c-1"}, want: CodeInvalid},
		{name: "moderating an unknown comment is not found", given: withComment, cmd: ModerateComment{ItemID: "it-1", CommentID: "c-9", Reason: "x"}, want: CodeNotFound},
		{name: "moderating a comment twice is a conflict", given: append(withComment, ConsultationCommentModerated{CommentID: "c-1", Reason: "x"}), cmd: ModerateComment{ItemID: "it-1", CommentID: "c-1", Reason: "x"}, want: CodeConflict},
		{name: "moderating a withdrawn comment is a conflict", given: append(withComment, ConsultationCommentWithdrawn{CommentID: "c-1"}), cmd: ModerateComment{ItemID: "it-1", CommentID: "c-1", Reason: "x"}, want: CodeConflict},
		{name: "withdrawing someone else's comment is forbidden", given: withComment, cmd: WithdrawComment{ItemID: "it-1", CommentID: "c-1", SubjectRef: subjB, At: during}, want: CodeForbidden},
		{name: "withdrawing a comment twice is a conflict", given: append(withComment, ConsultationCommentWithdrawn{CommentID: "c-1"}), cmd: WithdrawComment{ItemID: "it-1", CommentID: "c-1", SubjectRef: subjA, At: during}, want: CodeConflict},
		{name: "withdrawing after the consultation closed is a conflict", given: append(withComment, ConsultationClosed{}), cmd: WithdrawComment{ItemID: "it-1", CommentID: "c-1", SubjectRef: subjA, At: during}, want: CodeConflict},
		{name: "closing early without a reason is invalid", given: govConsultation(), cmd: CloseConsultation{ItemID: "it-1", At: during}, want: CodeInvalid},
		{name: "closing twice is a conflict", given: closed, cmd: CloseConsultation{ItemID: "it-1", At: govClosesAt}, want: CodeConflict},
		{name: "a command of another aggregate is invalid", given: govConsultation(), cmd: AdjournMeeting{MeetingID: govMeeting}, want: CodeInvalid},
	})
}

func TestConsultationLifecycle(t *testing.T) {
	during := govT0.Add(time.Hour)
	t.Run("the consultation opens from the published agenda, takes comments and closes on time", func(t *testing.T) {
		given := govDecide(t, ConsultationDecider, nil, govMeetingFacts(govPublished()), OpenConsultation{ItemID: "it-1", MeetingID: govMeeting, At: govT0})
		if o := given[0].(ConsultationOpened); !o.ClosesAt.Equal(govClosesAt) {
			t.Fatalf("opened %+v, want the closing time of the publication", o)
		}
		step := func(c Command) {
			t.Helper()
			given = append(given, govDecide(t, ConsultationDecider, given, nil, c)...)
		}
		step(SubmitComment{ItemID: "it-1", CommentID: "c-1", Kind: CommentProposal, Text: "Προτείνω ποδηλατόδρομο στην Πανεπιστημίου.", SubjectRef: subjA, At: during})
		step(SubmitComment{ItemID: "it-1", CommentID: "c-2", Kind: CommentObjection, Text: "Υβριστικό κείμενο", SubjectRef: subjB, At: during})
		step(SubmitComment{ItemID: "it-1", CommentID: "c-3", Kind: CommentRemark, Text: "Το ξανασκέφτηκα.", SubjectRef: subjC, At: during})
		step(ModerateComment{ItemID: "it-1", CommentID: "c-2", Reason: "Προσβλητικό περιεχόμενο (όροι χρήσης §4)", At: during})
		step(WithdrawComment{ItemID: "it-1", CommentID: "c-3", SubjectRef: subjC, At: during})
		step(CloseConsultation{ItemID: "it-1", At: govClosesAt})
		s := ConsultationDecider.Fold(given...)
		c2, _ := s.Comment("c-2")
		c3, _ := s.Comment("c-3")
		if s.Status != ConsultationIsClosed || len(s.Comments) != 3 {
			t.Fatalf("state %+v", s)
		}
		if !c2.Hidden || c2.HiddenReason == "" {
			t.Fatalf("moderated comment %+v: it must be hidden and kept", c2)
		}
		if !c3.Withdrawn {
			t.Fatalf("withdrawn comment %+v", c3)
		}
	})
	t.Run("a consultation closes early with a reason when its item is withdrawn", func(t *testing.T) {
		evs := govDecide(t, ConsultationDecider, govConsultation(), nil, CloseConsultation{ItemID: "it-1", Reason: "Το θέμα αποσύρθηκε", At: during})
		if c := evs[0].(ConsultationClosed); c.Reason == "" {
			t.Fatalf("closed %+v", c)
		}
	})
	t.Run("evolving never mutates the state it was given", func(t *testing.T) {
		before := ConsultationDecider.Fold(append(govConsultation(), govComment("c-1", subjA))...)
		_ = ConsultationDecider.Evolve(before, ConsultationCommentModerated{CommentID: "c-1", Reason: "x"})
		_ = ConsultationDecider.Evolve(before, ConsultationCommentWithdrawn{CommentID: "c-1"})
		if c, _ := before.Comment("c-1"); c.Hidden || c.Withdrawn {
			t.Fatal("the input state changed")
		}
	})
}

func TestCommentReceipt(t *testing.T) {
	during := govT0.Add(time.Hour)
	receipt, hash := NewReceipt()
	other, _ := NewReceipt()
	withReceipt := govComment("c-1", subjA)
	withReceipt.ReceiptSHA256 = hash
	given := append(govConsultation(), withReceipt)
	withdraw := func(r string) WithdrawComment {
		return WithdrawComment{ItemID: "it-1", CommentID: "c-1", Receipt: r, At: during}
	}
	govCheckRefusals(t, ConsultationDecider, []govRefusal{
		{name: "another comment's receipt is forbidden", given: given, cmd: withdraw(other), want: CodeForbidden},
		{name: "a receipt for a comment kept without one is forbidden", given: append(govConsultation(), govComment("c-1", subjA)), cmd: withdraw(receipt), want: CodeForbidden},
		{name: "a receipt that is not one is invalid", given: given, cmd: withdraw("pnyx-receipt-" + strings.Repeat("zz", 32)), want: CodeInvalid},
		{name: "the receipt's hash instead of the receipt is invalid", given: given, cmd: withdraw(hash), want: CodeInvalid},
		{name: "a withdrawal by receipt after the consultation closed is a conflict", given: append(given, ConsultationClosed{}), cmd: withdraw(receipt), want: CodeConflict},
		{name: "a submission with a malformed receipt hash is invalid", given: govConsultation(), cmd: SubmitComment{ItemID: "it-1", CommentID: "c-2", Kind: CommentProposal,
			Text: "Κείμενο.", SubjectRef: subjC, ReceiptSHA256: "abc", At: during}, want: CodeInvalid},
	})
	t.Run("the comment's receipt withdraws it", func(t *testing.T) {
		got := govDecide(t, ConsultationDecider, given, nil, withdraw(receipt))
		if len(got) != 1 || got[0] != (ConsultationCommentWithdrawn{CommentID: "c-1"}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("a receipt is 256 random bits, its hash of 64 hex digits", func(t *testing.T) {
		if receipt == other || len(receipt) != receiptChars || !validReceipt(receipt) || !validReceiptHash(hash) || ReceiptHash(receipt) != hash {
			t.Fatalf("receipt %q, hash %q", receipt, hash)
		}
	})
}
