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

// CommentFilter selects comments; empty fields select all. With ItemID or
// MeetingID the comments come item by item, each item's in the order
// submitted; otherwise by submission time, then id.
type CommentFilter struct {
	ItemID    string
	MeetingID string
	Kind      string
	Status    string
	Page
}

const commentSelect = `comment_id, item_id, kind, text, status, moderation_reason, display_name, coalesce(submitted_at, '')`

func scanComment(s scanner) (Comment, error) {
	var c Comment
	var at string
	err := s.Scan(&c.ID, &c.ItemID, &c.Kind, &c.Text, &c.Status, &c.ModerationReason, &c.DisplayName, &at)
	c.SubmittedAt = parseTime(at)
	return c, err
}

var commentGet = getSpec[Comment]{what: "comment", columns: commentSelect, from: "comments", key: []string{"comment_id"}, scan: scanComment}

// Comment returns one comment, or a not_found error.
func (s *Snapshot) Comment(ctx context.Context, id string) (Comment, error) {
	return getOne(ctx, s, commentGet, id)
}

// CommentsByID returns the comments of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) CommentsByID(ctx context.Context, ids []string) ([]*Comment, error) {
	return getBatch(ctx, s, commentGet, idKeys(ids))
}

// Comments returns the comments f selects. A bad page is an invalid error.
func (s *Snapshot) Comments(ctx context.Context, f CommentFilter) (List[Comment], error) {
	var q query
	q.eq("item_id", f.ItemID)
	if f.MeetingID != "" {
		q.where("item_id IN (SELECT item_id FROM consultations WHERE meeting_id = ?)", f.MeetingID)
	}
	q.eq("kind", f.Kind)
	q.eq("status", f.Status)
	l := listSpec[Comment]{name: "comments", columns: commentSelect, from: "comments", key: []string{"submitted_at", "comment_id"},
		scan: scanComment}
	if f.ItemID != "" || f.MeetingID != "" {
		l.name, l.key = "comments/item", []string{"item_id", "seq"}
	}
	return runList(ctx, s, l, q, f.Page)
}

// Consultation is the public consultation on an agenda item, with the
// number of comments submitted to it.
type Consultation struct {
	ItemID    string    `json:"item_id"`
	MeetingID string    `json:"meeting_id"`
	Status    string    `json:"status"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosesAt  time.Time `json:"closes_at"`
	ClosedAt  time.Time `json:"closed_at"`
	Comments  int       `json:"comments"`
}

// ConsultationFilter selects consultations; empty fields select all.
type ConsultationFilter struct {
	MeetingID string
	Status    string
	Page
}

const consultationSelect = `item_id, meeting_id, status, coalesce(opened_at, ''), coalesce(closes_at, ''), coalesce(closed_at, ''), comments`

func scanConsultation(s scanner) (Consultation, error) {
	var c Consultation
	var opened, closes, closed string
	err := s.Scan(&c.ItemID, &c.MeetingID, &c.Status, &opened, &closes, &closed, &c.Comments)
	c.OpenedAt, c.ClosesAt, c.ClosedAt = parseTime(opened), parseTime(closes), parseTime(closed)
	return c, err
}

var consultationGet = getSpec[Consultation]{what: "consultation", columns: consultationSelect, from: "consultations",
	key: []string{"item_id"}, scan: scanConsultation}

// Consultation returns the consultation on an agenda item, or a not_found
// error.
func (s *Snapshot) Consultation(ctx context.Context, itemID string) (Consultation, error) {
	return getOne(ctx, s, consultationGet, itemID)
}

// ConsultationsByID returns the consultations on the items of itemIDs in
// one query: out[i] is itemIDs[i]'s, nil when there is none. More than
// MaxBatch ids is an invalid error.
func (s *Snapshot) ConsultationsByID(ctx context.Context, itemIDs []string) ([]*Consultation, error) {
	return getBatch(ctx, s, consultationGet, idKeys(itemIDs))
}

// Consultations returns consultations by item id. A bad page is an
// invalid error.
func (s *Snapshot) Consultations(ctx context.Context, f ConsultationFilter) (List[Consultation], error) {
	var q query
	q.eq("meeting_id", f.MeetingID)
	q.eq("status", f.Status)
	return runList(ctx, s, listSpec[Consultation]{name: "consultations", columns: consultationSelect, from: "consultations",
		key: []string{"item_id"}, scan: scanConsultation}, q, f.Page)
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
	// Imported tells a vote brought from another system by an import
	// (docs/IMPORTS.md), held at a sitting of its own.
	Imported bool `json:"imported"`
}

// Ballot is one member's ballot in a vote.
type Ballot struct {
	VoteID   string `json:"vote_id"`
	MemberID string `json:"member_id"`
	Choice   string `json:"choice"`
	Changes  int    `json:"changes"`
}

// VoteFilter selects votes; empty fields select all. Result is a closed
// vote's result ("passed", "rejected", ...).
type VoteFilter struct {
	BodyID      string
	MeetingID   string
	ItemID      string
	AmendmentID string
	Result      string
	Opened      TimeRange
	Page
}

const voteSelect = `vote_id, body_id, meeting_id, item_id, amendment_id, question, question_type, method, status,
	coalesce(opened_at, ''), coalesce(closed_at, ''), coalesce(yes, 0), coalesce(no, 0), coalesce(abstain, 0), coalesce(present, 0),
	coalesce(absent, 0), result, majority, chair_tie_break, imported`

func scanVote(s scanner) (Vote, error) {
	var v Vote
	var opened, closed string
	err := s.Scan(&v.ID, &v.BodyID, &v.MeetingID, &v.ItemID, &v.AmendmentID, &v.Question, &v.QuestionType, &v.Method, &v.Status,
		&opened, &closed, &v.Yes, &v.No, &v.Abstain, &v.Present, &v.Absent, &v.Result, &v.Majority, &v.ChairTieBreak, &v.Imported)
	v.OpenedAt, v.ClosedAt = parseTime(opened), parseTime(closed)
	return v, err
}

var voteGet = getSpec[Vote]{what: "vote", columns: voteSelect, from: "votes", key: []string{"vote_id"}, scan: scanVote}

// Vote returns one vote, or a not_found error.
func (s *Snapshot) Vote(ctx context.Context, id string) (Vote, error) {
	return getOne(ctx, s, voteGet, id)
}

// VotesByID returns the votes of ids in one query: out[i] is ids[i]'s, nil
// when there is none. More than MaxBatch ids is an invalid error.
func (s *Snapshot) VotesByID(ctx context.Context, ids []string) ([]*Vote, error) {
	return getBatch(ctx, s, voteGet, idKeys(ids))
}

// Votes returns votes by opening time, then id. A bad range or page is an
// invalid error.
func (s *Snapshot) Votes(ctx context.Context, f VoteFilter) (List[Vote], error) {
	if err := f.Opened.validate("votes"); err != nil {
		return List[Vote]{}, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("meeting_id", f.MeetingID)
	q.eq("item_id", f.ItemID)
	q.eq("amendment_id", f.AmendmentID)
	q.eq("result", f.Result)
	q.timeRange("opened_at", f.Opened)
	return runList(ctx, s, listSpec[Vote]{name: "votes", columns: voteSelect, from: "votes", key: []string{"opened_at", "vote_id"},
		scan: scanVote}, q, f.Page)
}

// BallotFilter selects the ballots of one vote, all or those of one
// choice. A member's ballots across votes are MemberBallots.
type BallotFilter struct {
	VoteID string
	Choice string
	Page
}

// Ballots returns the ballots of a vote by member. A filter without a vote,
// or a bad page, is an invalid error.
func (s *Snapshot) Ballots(ctx context.Context, f BallotFilter) (List[Ballot], error) {
	if f.VoteID == "" {
		return List[Ballot]{}, events.Invalidf("ballots: give a vote (a member's ballots are the member's record)")
	}
	var q query
	q.eq("vote_id", f.VoteID)
	q.eq("choice", f.Choice)
	return runList(ctx, s, listSpec[Ballot]{name: "ballots", columns: `vote_id, member_id, choice, changes`, from: "ballots",
		key: []string{"vote_id", "member_id"}, scan: func(s scanner) (Ballot, error) {
			var b Ballot
			return b, s.Scan(&b.VoteID, &b.MemberID, &b.Choice, &b.Changes)
		}}, q, f.Page)
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

// AmendmentFilter selects amendments; empty fields select all.
type AmendmentFilter struct {
	ItemID     string
	ProposerID string
	Page
}

const amendmentSelect = `amendment_id, body_id, meeting_id, item_id, proposer_id, text, status, vote_id, reason,
	coalesce(proposed_at, ''), coalesce(decided_at, '')`

func scanAmendment(s scanner) (Amendment, error) {
	var a Amendment
	var proposed, decided string
	err := s.Scan(&a.ID, &a.BodyID, &a.MeetingID, &a.ItemID, &a.ProposerID, &a.Text, &a.Status, &a.VoteID, &a.Reason, &proposed, &decided)
	a.ProposedAt, a.DecidedAt = parseTime(proposed), parseTime(decided)
	return a, err
}

var amendmentGet = getSpec[Amendment]{what: "amendment", columns: amendmentSelect, from: "amendments", key: []string{"amendment_id"},
	scan: scanAmendment}

// Amendment returns one amendment, or a not_found error.
func (s *Snapshot) Amendment(ctx context.Context, id string) (Amendment, error) {
	return getOne(ctx, s, amendmentGet, id)
}

// AmendmentsByID returns the amendments of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) AmendmentsByID(ctx context.Context, ids []string) ([]*Amendment, error) {
	return getBatch(ctx, s, amendmentGet, idKeys(ids))
}

// Amendments returns amendments by the time proposed, then id. A bad page
// is an invalid error.
func (s *Snapshot) Amendments(ctx context.Context, f AmendmentFilter) (List[Amendment], error) {
	var q query
	q.eq("item_id", f.ItemID)
	q.eq("proposer_id", f.ProposerID)
	return runList(ctx, s, listSpec[Amendment]{name: "amendments", columns: amendmentSelect, from: "amendments",
		key: []string{"proposed_at", "amendment_id"}, scan: scanAmendment}, q, f.Page)
}
