package events

import (
	"slices"
	"time"
)

// The minutes (πρακτικά) of a meeting are drafted after it adjourns,
// naming the decisions they record, and approved by the body at a later
// meeting by a recorded vote on an item of question type minutes; a
// correction adds a version, keeps every earlier one and, once the
// minutes were approved, needs an approval of its own.

// QuestionMinutes is the question type of an item that approves the
// minutes of an earlier meeting.
const QuestionMinutes QuestionType = "minutes"

// MinutesStatus is where a meeting's minutes are in their life.
type MinutesStatus string

const (
	MinutesNotDrafted  MinutesStatus = ""
	MinutesAreDrafted  MinutesStatus = "drafted"
	MinutesAreApproved MinutesStatus = "approved"
)

// MaxMinutesDecisions bounds the decisions one set of minutes records.
const MaxMinutesDecisions = 1000

// MinutesDrafted records the first version of a meeting's minutes and the
// decisions of the meeting they record.
type MinutesDrafted struct {
	MeetingID   string        `json:"meeting_id"`
	BodyID      string        `json:"body_id"`
	Version     int           `json:"version"`
	Documents   []DocumentRef `json:"documents"`
	DecisionIDs []string      `json:"decision_ids"`
}

// MinutesCorrected records a new version of the minutes, with the reason.
type MinutesCorrected struct {
	Version   int           `json:"version"`
	Reason    string        `json:"reason"`
	Documents []DocumentRef `json:"documents"`
}

// MinutesApproved records the body approving a version of the minutes at
// a later meeting, by the vote that passed.
type MinutesApproved struct {
	Version   int    `json:"version"`
	MeetingID string `json:"meeting_id"`
	VoteID    string `json:"vote_id"`
}

func (MinutesDrafted) EventType() string   { return "minutes.drafted" }
func (MinutesCorrected) EventType() string { return "minutes.corrected" }
func (MinutesApproved) EventType() string  { return "minutes.approved" }

func init() {
	Register[MinutesDrafted]("minutes", 1, "The minutes of an adjourned meeting were drafted, naming the decisions of the meeting they record.")
	Register[MinutesCorrected]("minutes", 1, "The minutes of a meeting were corrected into a new version, with the reason; earlier versions are kept.")
	Register[MinutesApproved]("minutes", 1, "A version of a meeting's minutes was approved by the body at a later meeting, by a passed vote.")
	RegisterDecider(MinutesDecider)
}

// DraftMinutes records the minutes of an adjourned meeting.
type DraftMinutes struct {
	MeetingID   string
	BodyID      string
	Documents   []DocumentRef
	DecisionIDs []string
	At          time.Time
}

// CorrectMinutes gives the minutes a new version: their full documents,
// and the reason.
type CorrectMinutes struct {
	MeetingID string
	Reason    string
	Documents []DocumentRef
	At        time.Time
}

// ApproveMinutes records the approval of the current version by the vote
// VoteID, held at the later meeting ApprovingMeetingID.
type ApproveMinutes struct {
	MeetingID          string
	ApprovingMeetingID string
	VoteID             string
	At                 time.Time
}

func minutesStream(meetingID string) string { return StreamName("minutes", meetingID) }

func (c DraftMinutes) Stream() string   { return minutesStream(c.MeetingID) }
func (c CorrectMinutes) Stream() string { return minutesStream(c.MeetingID) }
func (c ApproveMinutes) Stream() string { return minutesStream(c.MeetingID) }

func (c DraftMinutes) OccurredAt() time.Time   { return c.At }
func (c CorrectMinutes) OccurredAt() time.Time { return c.At }
func (c ApproveMinutes) OccurredAt() time.Time { return c.At }

// Needs of DraftMinutes: the meeting and each decision it records.
func (c DraftMinutes) Needs() []string {
	needs := []string{meetingStream(c.MeetingID)}
	for _, id := range c.DecisionIDs {
		needs = append(needs, decisionStream(id))
	}
	return needs
}

// Needs of ApproveMinutes: the approving meeting, the vote and its claim
// (a vote decides one question once).
func (c ApproveMinutes) Needs() []string {
	return []string{meetingStream(c.ApprovingMeetingID), voteStream(c.VoteID), voteDecisionClaim(c.VoteID)}
}

// Follows the vote: minutes are approved once their vote closed.
func (c ApproveMinutes) Follows() []string { return []string{voteStream(c.VoteID)} }

// MinutesVersion is one version of the minutes.
type MinutesVersion struct {
	Version   int
	Reason    string
	Documents []DocumentRef
}

// MinutesState is a meeting's minutes folded from their stream.
type MinutesState struct {
	MeetingID   string
	BodyID      string
	Status      MinutesStatus
	Versions    []MinutesVersion
	DecisionIDs []string
	// Approved is the approval of the latest approved version, if any.
	Approved *MinutesApproved
}

// Exists reports whether the minutes were drafted.
func (s MinutesState) Exists() bool { return s.Status != MinutesNotDrafted }

// Current returns the latest version.
func (s MinutesState) Current() MinutesVersion {
	if len(s.Versions) == 0 {
		return MinutesVersion{}
	}
	return s.Versions[len(s.Versions)-1]
}

func evolveMinutes(s MinutesState, p Payload) MinutesState {
	switch e := p.(type) {
	case MinutesDrafted:
		s = MinutesState{MeetingID: e.MeetingID, BodyID: e.BodyID, Status: MinutesAreDrafted, DecisionIDs: slices.Clone(e.DecisionIDs),
			Versions: []MinutesVersion{{Version: e.Version, Documents: slices.Clone(e.Documents)}}}
	case MinutesCorrected:
		s.Versions = append(slices.Clip(s.Versions), MinutesVersion{Version: e.Version, Reason: e.Reason, Documents: slices.Clone(e.Documents)})
		s.Status = MinutesAreDrafted
	case MinutesApproved:
		a := e
		s.Approved, s.Status = &a, MinutesAreApproved
	}
	return s
}
