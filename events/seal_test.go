package events

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// Subject references of the tests of this package.
const (
	subjA SubjectRef = "subj-0000000000000000000000000000000a"
	subjB SubjectRef = "subj-0000000000000000000000000000000b"
	subjC SubjectRef = "subj-0000000000000000000000000000000c"
)

// testSealer seals like the vault with keys derived from the subject
// reference: a fake, because the vault (events/vault) imports this
// package, so its tests cannot use it. Never for anything but tests.
type testSealer struct{}

func (testSealer) AuthorOf(_ context.Context, subject SubjectRef, entity string) (AuthorRef, error) {
	if err := subject.Validate(); err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, []byte("link "+subject))
	m.Write([]byte(entity))
	return AuthorRef(authorRefPrefix + hex.EncodeToString(m.Sum(nil)[:16])), nil
}

func (s testSealer) Seal(ctx context.Context, subject SubjectRef, entity string, texts ...string) (AuthorRef, []Sealed, error) {
	author, err := s.AuthorOf(ctx, subject, entity)
	if err != nil {
		return "", nil, err
	}
	key := sha256.Sum256([]byte("key " + subject))
	block, _ := aes.NewCipher(key[:])
	gcm, _ := cipher.NewGCM(block)
	out := make([]Sealed, len(texts))
	for i, t := range texts {
		nonce := make([]byte, gcm.NonceSize())
		out[i] = gcm.Seal(nonce, nonce, []byte(t), []byte(entity))
	}
	return author, out, nil
}

// testProtect protects a personal command as the command service does; a
// command the sealer refuses goes on unprotected, so its decider says why.
func testProtect(c Command) Command {
	p, ok := c.(personal)
	if !ok {
		return c
	}
	if out, err := p.protect(context.Background(), testSealer{}); err == nil {
		return out
	}
	return c
}

func TestPersonalCommands(t *testing.T) {
	t.Run("a citizen's command its service did not seal is refused, never recorded in the clear", func(t *testing.T) {
		s := ConsultationDecider.Fold(govConsultation()...)
		_, err := ConsultationDecider.Decide(s, SubmitComment{ItemID: "it-1", CommentID: "c-9", Kind: CommentRemark, Text: "x", SubjectRef: subjA, At: govT0.Add(1)}, nil)
		if ErrorCode(err) != CodeInternal {
			t.Fatalf("Decide = %v, want an internal error", err)
		}
	})
	t.Run("a comment names its author differently on every comment and holds no clear text", func(t *testing.T) {
		var authors []AuthorRef
		for _, id := range []string{"c-1", "c-2"} {
			evs := govDecide(t, ConsultationDecider, govConsultation(), nil, SubmitComment{ItemID: "it-1", CommentID: id, Kind: CommentRemark, Text: "Κείμενο πολίτη", SubjectRef: subjA, At: govT0.Add(1)})
			e := evs[0].(ConsultationCommentSubmitted)
			if e.Author.Validate() != nil || len(e.Text) == 0 || e.LegacyText != "" {
				t.Fatalf("event %+v", e)
			}
			ev, _ := Encode(e)
			for _, leak := range []string{"Κείμενο", string(subjA)} {
				if strings.Contains(string(ev.Data), leak) {
					t.Fatalf("event data %s holds %q", ev.Data, leak)
				}
			}
			authors = append(authors, e.Author)
		}
		if authors[0] == authors[1] {
			t.Fatal("two comments of one person carry the same author reference")
		}
	})
}

func TestUpcastsOfCitizensEvents(t *testing.T) {
	t.Run("a schema 1 comment keeps its clear text as legacy text and loses its linkable reference", func(t *testing.T) {
		p, err := Decode(RecordedEvent{Type: "consultation.comment_submitted", Schema: 1,
			Data: []byte(`{"comment_id":"c-1","kind":"proposal","text":"Δέντρα στην πλατεία","subject_ref":"subj-0123456789abcdef0123456789abcdef"}`)})
		if err != nil {
			t.Fatal(err)
		}
		want := ConsultationCommentSubmitted{CommentID: "c-1", Kind: CommentProposal, LegacyText: "Δέντρα στην πλατεία"}
		if got := p.(ConsultationCommentSubmitted); got.CommentID != want.CommentID || got.Kind != want.Kind || got.LegacyText != want.LegacyText || got.Author != "" || got.Text != nil {
			t.Fatalf("upcast %+v, want %+v", got, want)
		}
	})
	t.Run("a schema 1 request keeps its clear subject as legacy subject and loses its linkable reference", func(t *testing.T) {
		p, err := Decode(RecordedEvent{Type: "request.submitted", Schema: 1,
			Data: []byte(`{"request_id":"r-1","category":"information","subject":"Αντίγραφο μελέτης","channel":"web","subject_ref":"subj-0123456789abcdef0123456789abcdef","submitted_at":"2026-03-01T09:00:00Z"}`)})
		if err != nil {
			t.Fatal(err)
		}
		got := p.(RequestSubmitted)
		if got.RequestID != "r-1" || got.LegacySubject != "Αντίγραφο μελέτης" || got.Author != "" || got.Subject != nil || got.Channel != RequestViaWeb || got.SubmittedAt.IsZero() {
			t.Fatalf("upcast %+v", got)
		}
	})
	t.Run("malformed schema 1 data is an invalid error", func(t *testing.T) {
		for _, typ := range []string{"consultation.comment_submitted", "request.submitted"} {
			if _, err := Decode(RecordedEvent{Type: typ, Schema: 1, Data: []byte(`[1]`)}); ErrorCode(err) != CodeInvalid {
				t.Errorf("%s: Decode = %v, want invalid", typ, err)
			}
		}
	})
}

func TestAuthorRefAndErasureID(t *testing.T) {
	for _, r := range []AuthorRef{"", "auth-", "subj-0123456789abcdef0123456789abcdef", "auth-0123456789ABCDEF0123456789abcdef", "auth-0123456789abcdef0123456789abcde"} {
		if ErrorCode(r.Validate()) != CodeInvalid {
			t.Errorf("AuthorRef(%q) passed", r)
		}
	}
	a, b := NewErasureID(), NewErasureID()
	if a == b || validErasureID(a) != nil || validErasureID("erasure-"+string(subjA[5:])+"x") == nil {
		t.Fatalf("erasure ids %q %q", a, b)
	}
}

func TestForgettingIsRecordedWithoutThePerson(t *testing.T) {
	id := NewErasureID()
	evs := govDecide(t, SubjectDecider, nil, nil, RecordForgetting{ErasureID: id, Reason: "άρθρο 17 ΓΚΠΔ", At: govT0})
	if evs[0] != (SubjectForgotten{Reason: "άρθρο 17 ΓΚΠΔ"}) {
		t.Fatalf("events %+v", evs)
	}
	govCheckRefusals(t, SubjectDecider, []govRefusal{
		{name: "an erasure id that is a subject reference is invalid", cmd: RecordForgetting{ErasureID: string(subjA), Reason: "x", At: govT0}, want: CodeInvalid},
		{name: "forgetting without a reason is invalid", cmd: RecordForgetting{ErasureID: id, At: govT0}, want: CodeInvalid},
		{name: "recording one erasure twice is a conflict", given: evs, cmd: RecordForgetting{ErasureID: id, Reason: "x", At: govT0}, want: CodeConflict},
	})
}

// FuzzUpcastCitizensEvents feeds arbitrary data to the upcasters of the
// citizens' events: an invalid error or a payload, and a payload of schema
// 1 never names an author nor carries sealed text.
func FuzzUpcastCitizensEvents(f *testing.F) {
	f.Add("consultation.comment_submitted", []byte(`{"comment_id":"c","kind":"proposal","text":"x","subject_ref":"subj-1"}`))
	f.Add("request.submitted", []byte(`{"request_id":"r","subject":"x","author":"auth-0","subject_sealed":"AAAA"}`))
	f.Add("request.submitted", []byte(`{"submitted_at":"not a time"}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		if typ != "consultation.comment_submitted" {
			typ = "request.submitted"
		}
		p, err := Decode(RecordedEvent{Type: typ, Schema: 1, Data: data})
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error of code %s: %v", ErrorCode(err), err)
			}
			return
		}
		switch e := p.(type) {
		case ConsultationCommentSubmitted:
			if e.Author != "" || e.Text != nil {
				t.Fatalf("a schema 1 comment upcast to %+v", e)
			}
		case RequestSubmitted:
			if e.Author != "" || e.Subject != nil {
				t.Fatalf("a schema 1 request upcast to %+v", e)
			}
		}
	})
}
