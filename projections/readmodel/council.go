package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Consultations and their comments, amendments, votes and ballots: what
// happens to an agenda item between its publication and the decision.
//
// A comment's public row holds its kind, text, status, moderation reason,
// submission time and a display-name placeholder; a hidden or withdrawn
// comment keeps its row but loses its text and leaves the search index. The
// author's subject reference goes only to private_comment_authors.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {consultations} (
	item_id    TEXT PRIMARY KEY,
	meeting_id TEXT NOT NULL,
	status     TEXT NOT NULL,
	opened_at  TEXT,
	closes_at  TEXT,
	closed_at  TEXT,
	comments   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX {consultations_meeting} ON {consultations} (meeting_id);
CREATE TABLE {comments} (
	comment_id        TEXT PRIMARY KEY,
	item_id           TEXT NOT NULL,
	seq               INTEGER NOT NULL,
	kind              TEXT NOT NULL,
	text              TEXT NOT NULL,
	status            TEXT NOT NULL,
	moderation_reason TEXT NOT NULL DEFAULT '',
	display_name      TEXT NOT NULL,
	submitted_at      TEXT
);
CREATE INDEX {comments_item} ON {comments} (item_id, seq);
CREATE INDEX {comments_status} ON {comments} (status, submitted_at);
CREATE TABLE {private_comment_authors} (
	comment_id  TEXT PRIMARY KEY,
	subject_ref TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE {amendments} (
	amendment_id TEXT PRIMARY KEY,
	body_id      TEXT NOT NULL,
	meeting_id   TEXT NOT NULL,
	item_id      TEXT NOT NULL,
	proposer_id  TEXT NOT NULL,
	text         TEXT NOT NULL,
	status       TEXT NOT NULL,
	vote_id      TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	proposed_at  TEXT,
	decided_at   TEXT
);
CREATE INDEX {amendments_item} ON {amendments} (item_id);
CREATE INDEX {amendments_proposer} ON {amendments} (proposer_id);
CREATE TABLE {votes} (
	vote_id         TEXT PRIMARY KEY,
	body_id         TEXT NOT NULL,
	meeting_id      TEXT NOT NULL,
	item_id         TEXT NOT NULL,
	amendment_id    TEXT NOT NULL,
	question        TEXT NOT NULL,
	question_type   TEXT NOT NULL,
	method          TEXT NOT NULL,
	status          TEXT NOT NULL,
	opened_at       TEXT,
	closed_at       TEXT,
	yes             INTEGER,
	no              INTEGER,
	abstain         INTEGER,
	present         INTEGER,
	absent          INTEGER,
	result          TEXT NOT NULL DEFAULT '',
	seats           INTEGER,
	majority        TEXT NOT NULL DEFAULT '',
	chair_tie_break INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX {votes_meeting} ON {votes} (meeting_id);
CREATE INDEX {votes_item} ON {votes} (item_id);
CREATE INDEX {votes_body} ON {votes} (body_id, opened_at);
CREATE INDEX {votes_opened} ON {votes} (opened_at);
CREATE TABLE {ballots} (
	vote_id   TEXT NOT NULL,
	member_id TEXT NOT NULL,
	choice    TEXT NOT NULL,
	cast_at   TEXT,
	changes   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (vote_id, member_id)
) WITHOUT ROWID;
CREATE INDEX {ballots_member} ON {ballots} (member_id, choice);
`)
}

// Comment statuses in the read model.
const (
	CommentPublished = "published"
	CommentHidden    = "hidden"
	CommentWithdrawn = "withdrawn"
)

// CommentDisplayName is the placeholder every public comment row carries
// instead of a name: the API may replace it with the display name the
// vault holds, while the person has not asked to be forgotten.
const CommentDisplayName = "Πολίτης"

func applyCouncil(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.ConsultationOpened:
		batchOf(w).replaced(recountComments, w.id())
		pendingConsultations(w).put(w.id(), w.id(), e.MeetingID, "open", w.occurred(), timeText(e.ClosesAt), nil, int64(0))
		return true, nil
	case events.ConsultationCommentSubmitted:
		b := batchOf(w)
		seq, err := w.nextSeq(b.seqs, seqKey("comments", w.id()), 1, `SELECT coalesce(max(seq), 0) FROM {comments} WHERE item_id = ?`, w.id())
		if err != nil {
			return true, err
		}
		pendingComments(w).put(e.CommentID, e.CommentID, w.id(), seq, string(e.Kind), e.Text, CommentPublished, "", CommentDisplayName, w.occurred())
		b.pending("private_comment_authors", "INSERT OR REPLACE", "comment_id, subject_ref", "").put("", e.CommentID, e.SubjectRef)
		b.recount(recountComments, w.id())
		return true, w.index(SearchComment, e.CommentID, "", e.Text)
	case events.ConsultationCommentModerated:
		pendingComments(w).update(e.CommentID, func(row []any) {
			row[commentStatus], row[commentModerationReason], row[commentText] = CommentHidden, e.Reason, ""
		}, `UPDATE {comments} SET status = ?, moderation_reason = ?, text = '' WHERE comment_id = ?`, CommentHidden, e.Reason, e.CommentID)
		return true, w.unindex(SearchComment, e.CommentID)
	case events.ConsultationCommentWithdrawn:
		pendingComments(w).update(e.CommentID, func(row []any) {
			row[commentStatus], row[commentText] = CommentWithdrawn, ""
		}, `UPDATE {comments} SET status = ?, text = '' WHERE comment_id = ?`, CommentWithdrawn, e.CommentID)
		return true, w.unindex(SearchComment, e.CommentID)
	case events.ConsultationClosed:
		pendingConsultations(w).update(w.id(), func(row []any) {
			row[consultationStatus], row[consultationClosedAt] = "closed", w.occurred()
		}, `UPDATE {consultations} SET status = 'closed', closed_at = ? WHERE item_id = ?`, w.occurred(), w.id())
		return true, nil

	case events.AmendmentProposed:
		return true, w.exec(`INSERT OR REPLACE INTO {amendments} (amendment_id, body_id, meeting_id, item_id, proposer_id, text, status, proposed_at)
			VALUES (?, ?, ?, ?, ?, ?, 'proposed', ?)`, w.id(), e.BodyID, e.MeetingID, e.ItemID, e.ProposerID, e.Text, w.occurred())
	case events.AmendmentWithdrawn:
		return true, w.exec(`UPDATE {amendments} SET status = 'withdrawn', reason = ?, decided_at = ? WHERE amendment_id = ?`,
			e.Reason, w.occurred(), w.id())
	case events.AmendmentAccepted:
		return true, w.exec(`UPDATE {amendments} SET status = 'accepted', vote_id = ?, reason = ?, decided_at = ? WHERE amendment_id = ?`,
			e.VoteID, e.Note, w.occurred(), w.id())
	case events.AmendmentRejected:
		return true, w.exec(`UPDATE {amendments} SET status = 'rejected', vote_id = ?, reason = ?, decided_at = ? WHERE amendment_id = ?`,
			e.VoteID, e.Reason, w.occurred(), w.id())

	case events.VoteOpened:
		batchOf(w).openVote([]any{w.id(), e.BodyID, e.MeetingID, e.ItemID, e.AmendmentID, e.Question, string(e.QuestionType),
			string(e.Method), "open", w.occurred(), nil, nil, nil, nil, nil, nil, "", nil, "", false})
		return true, nil
	case events.VoteBallotCast:
		batchOf(w).castBallot(w.id(), e.MemberID, string(e.Choice), w.occurred())
		return true, nil
	case events.VoteBallotChanged:
		if batchOf(w).changeBallot(w.id(), e.MemberID, string(e.Choice)) {
			return true, nil
		}
		return true, w.exec(`UPDATE {ballots} SET choice = ?, changes = changes + 1 WHERE vote_id = ? AND member_id = ?`,
			string(e.Choice), w.id(), e.MemberID)
	case events.VoteClosed:
		if batchOf(w).closeVote(w.id(), w.occurred(), e.Yes, e.No, e.Abstain, e.Present, e.Absent, string(e.Result), e.Seats,
			majorityText(e.Majority), e.ChairTieBreak) {
			return true, nil
		}
		return true, w.exec(`UPDATE {votes} SET status = 'closed', closed_at = ?, yes = ?, no = ?, abstain = ?, present = ?, absent = ?,
			result = ?, seats = ?, majority = ?, chair_tie_break = ? WHERE vote_id = ?`,
			w.occurred(), e.Yes, e.No, e.Abstain, e.Present, e.Absent, string(e.Result), e.Seats, majorityText(e.Majority),
			e.ChairTieBreak, w.id())
	}
	return false, nil
}

// Columns of the consultations and comments rows the batch holds.
const (
	consultationStatus   = 2
	consultationClosedAt = 5

	commentText             = 4
	commentStatus           = 5
	commentModerationReason = 6
)

func pendingConsultations(w writer) *pendingTable {
	return batchOf(w).pending("consultations", "INSERT OR REPLACE", "item_id, meeting_id, status, opened_at, closes_at, closed_at, comments", "")
}

func pendingComments(w writer) *pendingTable {
	return batchOf(w).pending("comments", "INSERT OR REPLACE",
		"comment_id, item_id, seq, kind, text, status, moderation_reason, display_name, submitted_at", "")
}

func majorityText(m events.MajorityRule) string {
	s := string(m.Kind)
	if m.Fraction.Denominator > 0 {
		s += " " + m.Fraction.String()
	}
	if m.OfSeats {
		s += " of seats"
	}
	return s
}

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
