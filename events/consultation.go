package events

import (
	"slices"
	"time"
)

// A consultation collects citizens' proposals, objections and comments on
// one published agenda item until it closes before the meeting. Authors
// are opaque subject references into the personal-data vault: the public
// log never holds who they are.

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

// ConsultationCommentSubmitted records a citizen's comment. SubjectRef is
// the vault's opaque reference to the author, never a name.
type ConsultationCommentSubmitted struct {
	CommentID  string      `json:"comment_id"`
	Kind       CommentKind `json:"kind"`
	Text       string      `json:"text"`
	SubjectRef string      `json:"subject_ref"`
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

func (ConsultationOpened) EventType() string           { return "consultation.opened" }
func (ConsultationCommentSubmitted) EventType() string { return "consultation.comment_submitted" }
func (ConsultationCommentModerated) EventType() string { return "consultation.comment_moderated" }
func (ConsultationCommentWithdrawn) EventType() string { return "consultation.comment_withdrawn" }
func (ConsultationClosed) EventType() string           { return "consultation.closed" }

func init() {
	Register[ConsultationOpened]("consultation", 1, "The public consultation on a published agenda item opened, until a stated time.")
	Register[ConsultationCommentSubmitted]("consultation", 1, "A citizen, known only by an opaque subject reference, submitted a proposal, objection or comment.")
	Register[ConsultationCommentModerated]("consultation", 1, "A comment was hidden from public views with a public reason; it stays on the record.")
	Register[ConsultationCommentWithdrawn]("consultation", 1, "The author of a comment withdrew it.")
	Register[ConsultationClosed]("consultation", 1, "A consultation closed, at its time or earlier with a reason.")
	RegisterDecider(ConsultationDecider)
}

// OpenConsultation opens the consultation on an item of a published
// agenda, until the closing time the publication set. The command service
// issues it for each item of a MeetingAgendaPublished.
type OpenConsultation struct {
	ItemID    string
	MeetingID string
	At        time.Time
}

// SubmitComment records a citizen's comment on an item.
type SubmitComment struct {
	ItemID     string
	CommentID  string
	Kind       CommentKind
	Text       string
	SubjectRef string
	At         time.Time
}

// ModerateComment hides a comment from public views, with a public reason.
type ModerateComment struct {
	ItemID    string
	CommentID string
	Reason    string
	At        time.Time
}

// WithdrawComment withdraws a comment at its author's request; SubjectRef
// must be the author's.
type WithdrawComment struct {
	ItemID     string
	CommentID  string
	SubjectRef string
	At         time.Time
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
	Text         string
	SubjectRef   string
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

// ConsultationDecider holds the rules of consultations.
var ConsultationDecider = Decider[ConsultationState]{
	Kind:    "consultation",
	Initial: func() ConsultationState { return ConsultationState{} },
	Evolve:  evolveConsultation,
	Decide:  decideConsultation,
}

func evolveConsultation(s ConsultationState, p Payload) ConsultationState {
	switch e := p.(type) {
	case ConsultationOpened:
		s = ConsultationState{ItemID: e.ItemID, MeetingID: e.MeetingID, ClosesAt: e.ClosesAt, Status: ConsultationIsOpen}
	case ConsultationCommentSubmitted:
		s.Comments = append(slices.Clip(s.Comments), ConsultationComment{ID: e.CommentID, Kind: e.Kind, Text: e.Text, SubjectRef: e.SubjectRef})
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
	}
	return s
}

func decideConsultation(s ConsultationState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(OpenConsultation); ok {
		return decideOpenConsultation(s, c, f)
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	switch c := c.(type) {
	case SubmitComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		switch c.Kind {
		case CommentProposal, CommentObjection, CommentRemark:
		default:
			return nil, Invalidf("comment kind %q: want proposal, objection or comment", c.Kind)
		}
		if err := ValidateText("comment", c.Text, MaxCommentRunes); err != nil {
			return nil, err
		}
		if err := ValidateID("subject reference", c.SubjectRef); err != nil {
			return nil, err
		}
		if err := s.openAt(c.At); err != nil {
			return nil, err
		}
		if _, ok := s.Comment(c.CommentID); ok {
			return nil, Errorf(CodeConflict, "comment %s already exists", c.CommentID)
		}
		return []Payload{ConsultationCommentSubmitted{CommentID: c.CommentID, Kind: c.Kind, Text: c.Text, SubjectRef: c.SubjectRef}}, nil
	case ModerateComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		if err := ValidateText("public reason for moderation", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		cm, ok := s.Comment(c.CommentID)
		switch {
		case !ok:
			return nil, Errorf(CodeNotFound, "comment %s does not exist", c.CommentID)
		case cm.Hidden:
			return nil, Errorf(CodeConflict, "comment %s is already hidden", c.CommentID)
		case cm.Withdrawn:
			return nil, Errorf(CodeConflict, "comment %s was withdrawn by its author", c.CommentID)
		}
		return []Payload{ConsultationCommentModerated{CommentID: c.CommentID, Reason: c.Reason}}, nil
	case WithdrawComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		if err := ValidateID("subject reference", c.SubjectRef); err != nil {
			return nil, err
		}
		cm, ok := s.Comment(c.CommentID)
		switch {
		case !ok:
			return nil, Errorf(CodeNotFound, "comment %s does not exist", c.CommentID)
		case cm.SubjectRef != c.SubjectRef:
			return nil, Errorf(CodeForbidden, "only the author may withdraw comment %s", c.CommentID)
		case cm.Withdrawn:
			return nil, Errorf(CodeConflict, "comment %s is already withdrawn", c.CommentID)
		}
		if err := s.openAt(c.At); err != nil {
			return nil, err
		}
		return []Payload{ConsultationCommentWithdrawn{CommentID: c.CommentID}}, nil
	case CloseConsultation:
		if s.Status == ConsultationIsClosed {
			return nil, Errorf(CodeConflict, "the consultation on item %s is already closed", s.ItemID)
		}
		if c.At.Before(s.ClosesAt) {
			if err := ValidateText("reason for closing early", c.Reason, MaxReasonRunes); err != nil {
				return nil, err
			}
		} else if c.Reason != "" {
			if err := ValidateText("reason", c.Reason, MaxReasonRunes); err != nil {
				return nil, err
			}
		}
		return []Payload{ConsultationClosed{Reason: c.Reason}}, nil
	}
	return nil, Invalidf("command %T is not for consultations", c)
}

// openAt refuses comments once the consultation is closed or its time has
// passed, even if nobody recorded the closing yet.
func (s ConsultationState) openAt(at time.Time) error {
	if s.Status == ConsultationIsClosed {
		return Errorf(CodeConflict, "the consultation on item %s is closed", s.ItemID)
	}
	if !at.Before(s.ClosesAt) {
		return Errorf(CodeConflict, "the consultation on item %s closed at %s", s.ItemID, s.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}

func decideOpenConsultation(s ConsultationState, c OpenConsultation, f Facts) ([]Payload, error) {
	if err := ValidateID("item id", c.ItemID); err != nil {
		return nil, err
	}
	if err := ValidateID("meeting id", c.MeetingID); err != nil {
		return nil, err
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "the consultation on item %s already exists", c.ItemID)
	}
	m, err := meetingFact(f, c.MeetingID)
	if err != nil {
		return nil, err
	}
	it, ok := m.Item(c.ItemID)
	switch {
	case !ok:
		return nil, Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", c.ItemID, m.ID)
	case it.Withdrawn:
		return nil, Errorf(CodeConflict, "item %s was withdrawn", it.ID)
	case !it.Published:
		return nil, Errorf(CodeConflict, "item %s is not on a published agenda yet", it.ID)
	case m.Status == MeetingIsCancelled:
		return nil, Errorf(CodeConflict, "meeting %s is cancelled", m.ID)
	case !c.At.Before(it.ConsultationClosesAt):
		return nil, Errorf(CodeConflict, "the consultation on item %s was to close at %s", it.ID, it.ConsultationClosesAt.UTC().Format(time.RFC3339))
	}
	return []Payload{ConsultationOpened{ItemID: it.ID, MeetingID: m.ID, ClosesAt: it.ConsultationClosesAt}}, nil
}
