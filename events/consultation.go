package events

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// A consultation collects citizens' proposals, objections and comments on
// one published agenda item until it closes before the meeting. The
// public log never holds who the authors are, nor links one author's
// comments together: a comment names its author by an AuthorRef of that
// comment alone, and its text is sealed under the author's key (see
// Sealer), so forgetting the author makes it unreadable everywhere.

// CommentKind says what a citizen's comment is.
type CommentKind string

const (
	CommentProposal  CommentKind = "proposal"
	CommentObjection CommentKind = "objection"
	CommentRemark    CommentKind = "comment"
)

// MaxCommentRunes is the longest comment, in characters.
const MaxCommentRunes = 10_000

// ConsultationStatus is where a consultation is in its life.
type ConsultationStatus string

const (
	ConsultationNotOpened ConsultationStatus = ""
	ConsultationIsOpen    ConsultationStatus = "open"
	ConsultationIsClosed  ConsultationStatus = "closed"
)

// ConsultationOpened records the opening of the consultation on a published
// agenda item, until ClosesAt.
type ConsultationOpened struct {
	ItemID    string    `json:"item_id"`
	MeetingID string    `json:"meeting_id"`
	ClosesAt  time.Time `json:"closes_at"`
}

// ConsultationCommentSubmitted records a citizen's comment. Author is the
// author's reference for this comment only; Text is sealed under the
// author's key with the comment's entity (CommentEntity) as associated
// data. LegacyText is the clear text of a comment recorded at schema 1,
// before texts were sealed; new events never carry it.
type ConsultationCommentSubmitted struct {
	CommentID  string      `json:"comment_id"`
	Kind       CommentKind `json:"kind"`
	Author     AuthorRef   `json:"author,omitempty"`
	Text       Sealed      `json:"text_sealed,omitempty"`
	LegacyText string      `json:"legacy_text,omitempty"`
	// ReceiptSHA256 is the SHA-256 (hex) of the private receipt the
	// author was given, with which they may withdraw the comment; empty
	// for a comment submitted without one. The receipt is 256 random
	// bits, so its hash names no one and links nothing.
	ReceiptSHA256 string `json:"receipt_sha256,omitempty"`
}

// ConsultationCommentModerated records a comment hidden from public views,
// with the public reason; the comment stays on the record.
type ConsultationCommentModerated struct {
	CommentID string `json:"comment_id"`
	Reason    string `json:"reason"`
}

// ConsultationCommentWithdrawn records the author withdrawing a comment.
type ConsultationCommentWithdrawn struct {
	CommentID string `json:"comment_id"`
}

// ConsultationClosed records the end of a consultation; Reason says why
// when it closed before its time (the item was withdrawn, the meeting
// cancelled).
type ConsultationClosed struct {
	Reason string `json:"reason,omitempty"`
}

// ConsultationReopened records the consultation on an item opening again,
// until ClosesAt, when the item's postponed meeting published its agenda
// for the new date.
type ConsultationReopened struct {
	ClosesAt time.Time `json:"closes_at"`
}

func (ConsultationOpened) EventType() string           { return "consultation.opened" }
func (ConsultationReopened) EventType() string         { return "consultation.reopened" }
func (ConsultationCommentSubmitted) EventType() string { return "consultation.comment_submitted" }
func (ConsultationCommentModerated) EventType() string { return "consultation.comment_moderated" }
func (ConsultationCommentWithdrawn) EventType() string { return "consultation.comment_withdrawn" }
func (ConsultationClosed) EventType() string           { return "consultation.closed" }

func init() {
	Register[ConsultationOpened]("consultation", 1, "The public consultation on a published agenda item opened, until a stated time.")
	Register[ConsultationCommentSubmitted]("consultation", 2, "A citizen, named only by an author reference of this comment, submitted a proposal, objection or comment, its text sealed under the author's key.")
	RegisterUpcaster("consultation.comment_submitted", 1, upcastCommentSubmittedV1)
	Register[ConsultationCommentModerated]("consultation", 1, "A comment was hidden from public views with a public reason; it stays on the record.")
	Register[ConsultationCommentWithdrawn]("consultation", 1, "The author of a comment withdrew it.")
	Register[ConsultationClosed]("consultation", 1, "A consultation closed, at its time or earlier with a reason.")
	Register[ConsultationReopened]("consultation", 1, "A consultation closed by its meeting's postponement opened again, until a new time, when the agenda was published for the new date.")
	RegisterDecider(ConsultationDecider)
}

// OpenConsultation opens the consultation on an item of a published
// agenda, until the closing time the publication set. PublishAgenda opens
// the consultation of each item it publishes in the same step; this
// command opens one on an item published before it did.
type OpenConsultation struct {
	ItemID    string
	MeetingID string
	At        time.Time
}

// SubmitComment records a citizen's comment on an item. SubjectRef is the
// author in the vault (Vault.Put); the command service seals Text under
// their key and names them by their AuthorRef for this comment, so neither
// the reference nor the clear text reaches the log.
type SubmitComment struct {
	ItemID     string
	CommentID  string
	Kind       CommentKind
	Text       string
	SubjectRef SubjectRef
	// ReceiptSHA256, optional, is the SHA-256 (hex, ReceiptHash) of the
	// private receipt handed to the author, to withdraw the comment with.
	ReceiptSHA256 string `json:",omitempty"` // omitted when empty: the idempotency hash of a command without one is unchanged
	At            time.Time

	protected
}

// ModerateComment hides a comment from public views, with a public reason.
type ModerateComment struct {
	ItemID    string
	CommentID string
	Reason    string
	At        time.Time
}

// WithdrawComment withdraws a comment at its author's request. The author
// shows who they are with SubjectRef, their vault reference (a citizen
// service centre acting for them), or with Receipt, the private receipt
// of the comment (NewReceipt), of which the log keeps only the hash.
type WithdrawComment struct {
	ItemID     string
	CommentID  string
	SubjectRef SubjectRef
	Receipt    string `json:",omitempty"` // omitted when empty, as ReceiptSHA256
	At         time.Time

	protected
}

// CloseConsultation closes a consultation: at or after its closing time,
// or earlier with a Reason.
type CloseConsultation struct {
	ItemID string
	Reason string
	At     time.Time
}

func consultationStream(itemID string) string { return StreamName("consultation", itemID) }

func (c OpenConsultation) Stream() string  { return consultationStream(c.ItemID) }
func (c SubmitComment) Stream() string     { return consultationStream(c.ItemID) }
func (c ModerateComment) Stream() string   { return consultationStream(c.ItemID) }
func (c WithdrawComment) Stream() string   { return consultationStream(c.ItemID) }
func (c CloseConsultation) Stream() string { return consultationStream(c.ItemID) }

func (c OpenConsultation) OccurredAt() time.Time  { return c.At }
func (c SubmitComment) OccurredAt() time.Time     { return c.At }
func (c ModerateComment) OccurredAt() time.Time   { return c.At }
func (c WithdrawComment) OccurredAt() time.Time   { return c.At }
func (c CloseConsultation) OccurredAt() time.Time { return c.At }

// Needs of OpenConsultation: the meeting whose agenda published the item.
func (c OpenConsultation) Needs() []string { return []string{meetingStream(c.MeetingID)} }

// ConsultationComment is a comment as folded.
type ConsultationComment struct {
	ID           string
	Kind         CommentKind
	Author       AuthorRef
	ReceiptHash  string // hex SHA-256 of the author's receipt; "" for none
	Hidden       bool
	HiddenReason string
	Withdrawn    bool
}

// ConsultationState is a consultation folded from its stream.
type ConsultationState struct {
	ItemID    string
	MeetingID string
	ClosesAt  time.Time
	Status    ConsultationStatus
	Comments  []ConsultationComment // in the order submitted
}

// Exists reports whether the consultation was opened.
func (s ConsultationState) Exists() bool { return s.Status != ConsultationNotOpened }

// Comment returns a comment by id.
func (s ConsultationState) Comment(id string) (ConsultationComment, bool) {
	i := s.commentIndex(id)
	if i < 0 {
		return ConsultationComment{}, false
	}
	return s.Comments[i], true
}

func (s ConsultationState) commentIndex(id string) int {
	return slices.IndexFunc(s.Comments, func(c ConsultationComment) bool { return c.ID == id })
}

func evolveConsultation(s ConsultationState, p Payload) ConsultationState {
	switch e := p.(type) {
	case ConsultationOpened:
		s = ConsultationState{ItemID: e.ItemID, MeetingID: e.MeetingID, ClosesAt: e.ClosesAt, Status: ConsultationIsOpen}
	case ConsultationCommentSubmitted:
		s.Comments = append(slices.Clip(s.Comments), ConsultationComment{ID: e.CommentID, Kind: e.Kind, Author: e.Author, ReceiptHash: e.ReceiptSHA256})
	case ConsultationCommentModerated:
		if i := s.commentIndex(e.CommentID); i >= 0 {
			s.Comments = slices.Clone(s.Comments)
			s.Comments[i].Hidden, s.Comments[i].HiddenReason = true, e.Reason
		}
	case ConsultationCommentWithdrawn:
		if i := s.commentIndex(e.CommentID); i >= 0 {
			s.Comments = slices.Clone(s.Comments)
			s.Comments[i].Withdrawn = true
		}
	case ConsultationClosed:
		s.Status = ConsultationIsClosed
	case ConsultationReopened:
		s.Status, s.ClosesAt = ConsultationIsOpen, e.ClosesAt
	}
	return s
}

func (c SubmitComment) protect(ctx context.Context, s Sealer) (Command, error) {
	author, sealed, err := s.Seal(ctx, c.SubjectRef, CommentEntity(c.ItemID, c.CommentID), c.Text)
	if err != nil {
		return nil, err
	}
	c.protected = protected{author: author, sealed: sealed}
	return c, nil
}

func (c WithdrawComment) protect(ctx context.Context, s Sealer) (Command, error) {
	if c.SubjectRef == "" && c.Receipt != "" {
		return c, nil // the receipt proves authorship; no vault reference to turn
	}
	author, err := s.AuthorOf(ctx, c.SubjectRef, CommentEntity(c.ItemID, c.CommentID))
	if err != nil {
		return nil, err
	}
	c.protected = protected{author: author}
	return c, nil
}

// upcastCommentSubmittedV1 keeps a schema 1 comment's clear text as
// LegacyText and drops its subject_ref, a reference that linked one
// person's acts together and that no reader may see.
func upcastCommentSubmittedV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		CommentID string      `json:"comment_id"`
		Kind      CommentKind `json:"kind"`
		Text      string      `json:"text"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, Invalidf("comment submitted v1: %v", err)
	}
	return json.Marshal(ConsultationCommentSubmitted{CommentID: v1.CommentID, Kind: v1.Kind, LegacyText: v1.Text})
}
