package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Comment is a public consultation comment. Text is empty once the comment
// is hidden by moderation (ModerationReason says why) or withdrawn.
type Comment struct {
	ID               string    `json:"id"`
	ItemID           string    `json:"item_id"`
	Kind             string    `json:"kind"`
	Text             string    `json:"text"`
	Status           string    `json:"status"`
	ModerationReason string    `json:"moderation_reason,omitempty"`
	DisplayName      string    `json:"display_name"`
	SubmittedAt      time.Time `json:"submitted_at"`
}

// Comments returns the comments on an agenda item in the order submitted.
func (m *ReadModel) Comments(ctx context.Context, itemID string, p Page) ([]Comment, error) {
	limit, offset, err := p.bounds()
	if err != nil {
		return nil, err
	}
	return queryRows(ctx, m.q, `SELECT comment_id, item_id, kind, text, status, moderation_reason, display_name,
		coalesce(submitted_at, '') FROM comments WHERE item_id = ? ORDER BY seq LIMIT ? OFFSET ?`,
		[]any{itemID, limit, offset}, func(s scanner) (Comment, error) {
			var c Comment
			var at string
			err := s.Scan(&c.ID, &c.ItemID, &c.Kind, &c.Text, &c.Status, &c.ModerationReason, &c.DisplayName, &at)
			c.SubmittedAt = parseTime(at)
			return c, err
		})
}

// Vote is a vote on an agenda item or an amendment; counts are set once it
// is closed.
type Vote struct {
	ID            string    `json:"id"`
	BodyID        string    `json:"body_id"`
	MeetingID     string    `json:"meeting_id"`
	ItemID        string    `json:"item_id"`
	AmendmentID   string    `json:"amendment_id,omitempty"`
	Question      string    `json:"question"`
	QuestionType  string    `json:"question_type"`
	Method        string    `json:"method"`
	Status        string    `json:"status"`
	OpenedAt      time.Time `json:"opened_at"`
	ClosedAt      time.Time `json:"closed_at"`
	Yes           int       `json:"yes"`
	No            int       `json:"no"`
	Abstain       int       `json:"abstain"`
	Present       int       `json:"present"`
	Absent        int       `json:"absent"`
	Result        string    `json:"result,omitempty"`
	Majority      string    `json:"majority,omitempty"`
	ChairTieBreak bool      `json:"chair_tie_break"`
}

// Ballot is one member's ballot in a vote.
type Ballot struct {
	VoteID   string `json:"vote_id"`
	MemberID string `json:"member_id"`
	Choice   string `json:"choice"`
	Changes  int    `json:"changes"`
}

// VoteFilter selects votes; empty fields select all.
type VoteFilter struct {
	BodyID    string
	MeetingID string
	ItemID    string
	Opened    TimeRange
	Page
}

// Votes returns votes by opening time, then id.
func (m *ReadModel) Votes(ctx context.Context, f VoteFilter) ([]Vote, error) {
	if err := f.Opened.validate("votes"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("meeting_id", f.MeetingID)
	q.eq("item_id", f.ItemID)
	q.timeRange("opened_at", f.Opened)
	return queryRows(ctx, m.q, `SELECT vote_id, body_id, meeting_id, item_id, amendment_id, question, question_type, method, status,
		coalesce(opened_at, ''), coalesce(closed_at, ''), coalesce(yes, 0), coalesce(no, 0), coalesce(abstain, 0), coalesce(present, 0),
		coalesce(absent, 0), result, majority, chair_tie_break FROM votes`+q.String()+` ORDER BY opened_at, vote_id LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), func(s scanner) (Vote, error) {
			var v Vote
			var opened, closed string
			err := s.Scan(&v.ID, &v.BodyID, &v.MeetingID, &v.ItemID, &v.AmendmentID, &v.Question, &v.QuestionType, &v.Method, &v.Status,
				&opened, &closed, &v.Yes, &v.No, &v.Abstain, &v.Present, &v.Absent, &v.Result, &v.Majority, &v.ChairTieBreak)
			v.OpenedAt, v.ClosedAt = parseTime(opened), parseTime(closed)
			return v, err
		})
}

// BallotFilter selects ballots by vote or by member (with the member's
// faction through memberships left to the caller); one of them is needed.
type BallotFilter struct {
	VoteID   string
	MemberID string
	Choice   string
	Page
}

// Ballots returns ballots by vote, then member.
func (m *ReadModel) Ballots(ctx context.Context, f BallotFilter) ([]Ballot, error) {
	if f.VoteID == "" && f.MemberID == "" {
		return nil, events.Invalidf("ballots: give a vote or a member")
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("vote_id", f.VoteID)
	q.eq("member_id", f.MemberID)
	q.eq("choice", f.Choice)
	return queryRows(ctx, m.q, `SELECT vote_id, member_id, choice, changes FROM ballots`+q.String()+
		` ORDER BY vote_id, member_id LIMIT ? OFFSET ?`, append(q.args, limit, offset), func(s scanner) (Ballot, error) {
		var b Ballot
		return b, s.Scan(&b.VoteID, &b.MemberID, &b.Choice, &b.Changes)
	})
}

// Amendment is a proposed change to an agenda item.
type Amendment struct {
	ID         string    `json:"id"`
	BodyID     string    `json:"body_id"`
	MeetingID  string    `json:"meeting_id"`
	ItemID     string    `json:"item_id"`
	ProposerID string    `json:"proposer_id"`
	Text       string    `json:"text"`
	Status     string    `json:"status"`
	VoteID     string    `json:"vote_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	ProposedAt time.Time `json:"proposed_at"`
	DecidedAt  time.Time `json:"decided_at"`
}

// Amendments returns the amendments to an item, or by a proposer when
// itemID is empty.
func (m *ReadModel) Amendments(ctx context.Context, itemID, proposerID string) ([]Amendment, error) {
	var q query
	q.eq("item_id", itemID)
	q.eq("proposer_id", proposerID)
	if len(q.conds) == 0 {
		return nil, events.Invalidf("amendments: give an item or a proposer")
	}
	return queryRows(ctx, m.q, `SELECT amendment_id, body_id, meeting_id, item_id, proposer_id, text, status, vote_id, reason,
		coalesce(proposed_at, ''), coalesce(decided_at, '') FROM amendments`+q.String()+` ORDER BY proposed_at, amendment_id LIMIT ?`,
		append(q.args, MaxPageLimit), func(s scanner) (Amendment, error) {
			var a Amendment
			var proposed, decided string
			err := s.Scan(&a.ID, &a.BodyID, &a.MeetingID, &a.ItemID, &a.ProposerID, &a.Text, &a.Status, &a.VoteID, &a.Reason, &proposed, &decided)
			a.ProposedAt, a.DecidedAt = parseTime(proposed), parseTime(decided)
			return a, err
		})
}
