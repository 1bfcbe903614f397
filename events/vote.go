package events

import (
	"encoding/json"
	"time"
)

// A vote is one question put to the members present at a sitting meeting:
// on an agenda item, on an amendment, or on the urgency of an item not on
// the agenda. In an open vote each member's ballot is on the record; in a
// secret vote only the tally is.

// VoteMethod is how members vote.
type VoteMethod string

const (
	VoteRollCall    VoteMethod = "roll_call" // open, name by name
	VoteShowOfHands VoteMethod = "show_of_hands"
	VoteSecret      VoteMethod = "secret" // ballots are not recorded, only the tally
)

// BallotChoice is a member's ballot. "present" counts toward quorum but not
// toward the votes cast.
type BallotChoice string

const (
	BallotYes     BallotChoice = "yes"
	BallotNo      BallotChoice = "no"
	BallotAbstain BallotChoice = "abstain"
	BallotPresent BallotChoice = "present"
)

func (b BallotChoice) valid() bool {
	return b == BallotYes || b == BallotNo || b == BallotAbstain || b == BallotPresent
}

// VoteStatus is where a vote is in its life.
type VoteStatus string

const (
	VoteNotOpened VoteStatus = ""
	VoteIsOpen    VoteStatus = "open"
	VoteIsClosed  VoteStatus = "closed"
)

// VoteResult is the outcome of a closed vote.
type VoteResult string

const (
	VotePassed   VoteResult = "passed"
	VoteFailed   VoteResult = "failed"
	VoteNoQuorum VoteResult = "no_quorum"
)

// VoteOpened records a question put to a vote. ItemID is the item voted
// on; for an urgency vote it is the item proposed out of the agenda, not
// yet on it. AmendmentID is set for a vote on an amendment of the item.
type VoteOpened struct {
	VoteID       string       `json:"vote_id"`
	BodyID       string       `json:"body_id"`
	MeetingID    string       `json:"meeting_id"`
	ItemID       string       `json:"item_id"`
	AmendmentID  string       `json:"amendment_id,omitempty"`
	Question     string       `json:"question"`
	QuestionType QuestionType `json:"question_type"`
	Method       VoteMethod   `json:"method"`
	// Attending are the members present who attend the item when it is
	// put to the vote (schema 2): not stepped out of it, no conflict of
	// interest on it; Recused are those with a conflict of interest. An
	// event of schema 1 did not record them (nil).
	Attending []string `json:"attending"`
	Recused   []string `json:"recused,omitempty"`
}

// VoteBallotCast records a member's ballot in an open vote.
type VoteBallotCast struct {
	MemberID string       `json:"member_id"`
	Choice   BallotChoice `json:"choice"`
}

// VoteBallotChanged records a member changing their ballot before the vote
// closed; the first ballot stays on the record.
type VoteBallotChanged struct {
	MemberID string       `json:"member_id"`
	Previous BallotChoice `json:"previous"`
	Choice   BallotChoice `json:"choice"`
}

// VoteClosed records the count and the result, with the rules applied:
// the quorum of the meeting's call against the body's seats, the majority
// of the question type, and whether the presiding member's ballot broke a
// tie.
type VoteClosed struct {
	Yes           int          `json:"yes"`
	No            int          `json:"no"`
	Abstain       int          `json:"abstain"`
	Present       int          `json:"present"`
	Absent        int          `json:"absent"`
	Result        VoteResult   `json:"result"`
	Seats         int          `json:"seats"`
	Quorum        Threshold    `json:"quorum"`
	Majority      MajorityRule `json:"majority"`
	ChairTieBreak bool         `json:"chair_tie_break"`
	// Recused is how many voting members had a conflict of interest on
	// the item: counted neither present nor absent.
	Recused int `json:"recused,omitempty"`
}

func (VoteOpened) EventType() string        { return "vote.opened" }
func (VoteBallotCast) EventType() string    { return "vote.ballot_cast" }
func (VoteBallotChanged) EventType() string { return "vote.ballot_changed" }
func (VoteClosed) EventType() string        { return "vote.closed" }

func init() {
	Register[VoteOpened]("vote", 2, "A question on an item, an amendment or an item's urgency was put to a vote at a sitting meeting, with the members attending the item and those recused by a conflict of interest.")
	RegisterUpcaster("vote.opened", 1, upcastVoteOpenedV1)
	Register[VoteBallotCast]("vote", 1, "A member present cast a ballot in an open vote: yes, no, abstain or present.")
	Register[VoteBallotChanged]("vote", 1, "A member changed their ballot before the vote closed.")
	Register[VoteClosed]("vote", 1, "A vote closed with its counts, its result and the quorum and majority rules applied.")
	RegisterDecider(VoteDecider)
}

// upcastVoteOpenedV1 marks a schema 1 vote's attendance as not recorded
// (attending null): schema 1 came before attendance per item.
func upcastVoteOpenedV1(data json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, Invalidf("vote.opened v1: %v", err)
	}
	m["attending"] = json.RawMessage("null")
	return json.Marshal(m)
}

// OpenVote puts a question to a vote. QuestionType empty means the item's.
type OpenVote struct {
	VoteID       string
	BodyID       string
	MeetingID    string
	ItemID       string
	AmendmentID  string
	Question     string
	QuestionType QuestionType
	Method       VoteMethod
	At           time.Time
}

// CastBallot records a member's ballot in an open vote.
type CastBallot struct {
	VoteID    string
	BodyID    string
	MeetingID string
	MemberID  string
	Choice    BallotChoice
	At        time.Time
}

// ChangeBallot changes a member's ballot before the vote closes.
type ChangeBallot struct {
	VoteID   string
	MemberID string
	Choice   BallotChoice
	At       time.Time
}

// CloseVote counts the ballots and records the result. A secret vote gives
// its Tally; an open vote is counted from its ballots and takes none.
type CloseVote struct {
	VoteID    string
	BodyID    string
	MeetingID string
	Tally     *VoteTally
	At        time.Time
}

// VoteTally is the count of a secret vote's ballot box.
type VoteTally struct {
	Yes, No, Abstain, Present int
}

func voteStream(id string) string { return StreamName("vote", id) }

func (c OpenVote) Stream() string     { return voteStream(c.VoteID) }
func (c CastBallot) Stream() string   { return voteStream(c.VoteID) }
func (c ChangeBallot) Stream() string { return voteStream(c.VoteID) }
func (c CloseVote) Stream() string    { return voteStream(c.VoteID) }

func (c OpenVote) OccurredAt() time.Time     { return c.At }
func (c CastBallot) OccurredAt() time.Time   { return c.At }
func (c ChangeBallot) OccurredAt() time.Time { return c.At }
func (c CloseVote) OccurredAt() time.Time    { return c.At }

// Needs of OpenVote: the meeting, and the amendment voted on if any.
func (c OpenVote) Needs() []string {
	if c.AmendmentID != "" {
		return []string{meetingStream(c.MeetingID), amendmentStream(c.AmendmentID)}
	}
	return []string{meetingStream(c.MeetingID), itemQuestionClaim(c.MeetingID, c.ItemID)}
}

// Needs of CastBallot: who sits in the body, and who is present.
func (c CastBallot) Needs() []string {
	return []string{StreamName("body", c.BodyID), meetingStream(c.MeetingID)}
}

// Needs of OpenVote include the claim of an item's question: once a vote
// on it passed, it is not put to a vote again.
func itemQuestionClaim(meetingID, itemID string) string {
	return ClaimStream("itemquestion", meetingID, itemID)
}

// NeedsGiven of CloseVote: the claim of the item's question the vote
// decides, if it does.
func (c CloseVote) NeedsGiven(state any) []string {
	if v, ok := state.(VoteState); ok && v.Exists() && v.itemQuestion() {
		return []string{itemQuestionClaim(v.MeetingID, v.ItemID)}
	}
	return nil
}

// Needs of CloseVote: the body's rules and seats, the meeting's call and
// presiding member.
func (c CloseVote) Needs() []string {
	return []string{StreamName("body", c.BodyID), meetingStream(c.MeetingID)}
}

// VoteState is a vote folded from its stream. Ballots is empty for a
// secret vote.
type VoteState struct {
	ID           string
	BodyID       string
	MeetingID    string
	ItemID       string
	AmendmentID  string
	Question     string
	QuestionType QuestionType
	Method       VoteMethod
	Status       VoteStatus
	Ballots      map[string]BallotChoice
	Result       VoteResult
	Closed       VoteClosed
}

// Exists reports whether the vote was opened.
func (s VoteState) Exists() bool { return s.Status != VoteNotOpened }

func evolveVote(s VoteState, p Payload) VoteState {
	switch e := p.(type) {
	case VoteOpened:
		s = VoteState{ID: e.VoteID, BodyID: e.BodyID, MeetingID: e.MeetingID, ItemID: e.ItemID, AmendmentID: e.AmendmentID,
			Question: e.Question, QuestionType: e.QuestionType, Method: e.Method, Status: VoteIsOpen, Ballots: map[string]BallotChoice{}}
	case VoteBallotCast:
		s.Ballots = cloneOrMake(s.Ballots)
		s.Ballots[e.MemberID] = e.Choice
	case VoteBallotChanged:
		s.Ballots = cloneOrMake(s.Ballots)
		s.Ballots[e.MemberID] = e.Choice
	case VoteClosed:
		s.Status = VoteIsClosed
		s.Result = e.Result
		s.Closed = e
	}
	return s
}
