package events

import "time"

// An amendment is a member's proposed change to an agenda item, decided by
// the body (often by a vote) before the item itself.

// AmendmentStatus is where an amendment is in its life.
type AmendmentStatus string

const (
	AmendmentNotProposed AmendmentStatus = ""
	AmendmentIsProposed  AmendmentStatus = "proposed"
	AmendmentIsWithdrawn AmendmentStatus = "withdrawn"
	AmendmentIsAccepted  AmendmentStatus = "accepted"
	AmendmentIsRejected  AmendmentStatus = "rejected"
)

// AmendmentProposed records a member's proposed change to an item.
type AmendmentProposed struct {
	AmendmentID string `json:"amendment_id"`
	BodyID      string `json:"body_id"`
	MeetingID   string `json:"meeting_id"`
	ItemID      string `json:"item_id"`
	ProposerID  string `json:"proposer_id"`
	Text        string `json:"text"`
}

// AmendmentWithdrawn records the proposer withdrawing an amendment.
type AmendmentWithdrawn struct {
	Reason string `json:"reason"`
}

// AmendmentAccepted records an amendment accepted, by the vote VoteID or,
// without a vote, by the item's presenter taking it into the proposal.
type AmendmentAccepted struct {
	VoteID string `json:"vote_id,omitempty"`
	Note   string `json:"note,omitempty"`
}

// AmendmentRejected records an amendment rejected, by the vote VoteID or
// without a vote, with the public reason.
type AmendmentRejected struct {
	VoteID string `json:"vote_id,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (AmendmentProposed) EventType() string  { return "amendment.proposed" }
func (AmendmentWithdrawn) EventType() string { return "amendment.withdrawn" }
func (AmendmentAccepted) EventType() string  { return "amendment.accepted" }
func (AmendmentRejected) EventType() string  { return "amendment.rejected" }

func init() {
	Register[AmendmentProposed]("amendment", 1, "A member of the body proposed a change to an agenda item.")
	Register[AmendmentWithdrawn]("amendment", 1, "The proposer withdrew an amendment.")
	Register[AmendmentAccepted]("amendment", 1, "An amendment was accepted, by a passed vote or by the item's presenter.")
	Register[AmendmentRejected]("amendment", 1, "An amendment was rejected, by a vote or with a stated reason.")
	RegisterDecider(AmendmentDecider)
}

// ProposeAmendment proposes a change to an item of a meeting of BodyID.
type ProposeAmendment struct {
	AmendmentID string
	BodyID      string
	MeetingID   string
	ItemID      string
	ProposerID  string
	Text        string
	At          time.Time
}

// WithdrawAmendment withdraws a proposed amendment.
type WithdrawAmendment struct {
	AmendmentID string
	Reason      string
	At          time.Time
}

// AcceptAmendment accepts an amendment: by the passed vote VoteID, or
// without a vote (VoteID empty) by the presenter, with a Note saying so.
type AcceptAmendment struct {
	AmendmentID string
	VoteID      string
	Note        string
	At          time.Time
}

// RejectAmendment rejects an amendment: by the vote VoteID that did not
// pass, or without a vote with a Reason.
type RejectAmendment struct {
	AmendmentID string
	VoteID      string
	Reason      string
	At          time.Time
}

func amendmentStream(id string) string { return StreamName("amendment", id) }

func (c ProposeAmendment) Stream() string  { return amendmentStream(c.AmendmentID) }
func (c WithdrawAmendment) Stream() string { return amendmentStream(c.AmendmentID) }
func (c AcceptAmendment) Stream() string   { return amendmentStream(c.AmendmentID) }
func (c RejectAmendment) Stream() string   { return amendmentStream(c.AmendmentID) }

func (c ProposeAmendment) OccurredAt() time.Time  { return c.At }
func (c WithdrawAmendment) OccurredAt() time.Time { return c.At }
func (c AcceptAmendment) OccurredAt() time.Time   { return c.At }
func (c RejectAmendment) OccurredAt() time.Time   { return c.At }

// Needs of ProposeAmendment: the meeting and its item, the body's members.
func (c ProposeAmendment) Needs() []string {
	return []string{StreamName("body", c.BodyID), meetingStream(c.MeetingID)}
}

// Needs of AcceptAmendment: the vote that accepted it, if any.
func (c AcceptAmendment) Needs() []string {
	if c.VoteID == "" {
		return nil
	}
	return []string{voteStream(c.VoteID)}
}

// Needs of RejectAmendment: the vote that rejected it, if any.
func (c RejectAmendment) Needs() []string {
	if c.VoteID == "" {
		return nil
	}
	return []string{voteStream(c.VoteID)}
}

// AmendmentState is an amendment folded from its stream.
type AmendmentState struct {
	ID         string
	BodyID     string
	MeetingID  string
	ItemID     string
	ProposerID string
	Text       string
	Status     AmendmentStatus
	VoteID     string // the vote that decided it, if any
}

// Exists reports whether the amendment was proposed.
func (s AmendmentState) Exists() bool { return s.Status != AmendmentNotProposed }

func evolveAmendment(s AmendmentState, p Payload) AmendmentState {
	switch e := p.(type) {
	case AmendmentProposed:
		s = AmendmentState{ID: e.AmendmentID, BodyID: e.BodyID, MeetingID: e.MeetingID, ItemID: e.ItemID,
			ProposerID: e.ProposerID, Text: e.Text, Status: AmendmentIsProposed}
	case AmendmentWithdrawn:
		s.Status = AmendmentIsWithdrawn
	case AmendmentAccepted:
		s.Status, s.VoteID = AmendmentIsAccepted, e.VoteID
	case AmendmentRejected:
		s.Status, s.VoteID = AmendmentIsRejected, e.VoteID
	}
	return s
}
