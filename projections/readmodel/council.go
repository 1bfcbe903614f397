package readmodel

import (
	"github.com/pnyx-civic/pnyx/events"
)

// Consultations and their comments, amendments, votes and ballots: what
// happens to an agenda item between its publication and the decision.
//
// A comment's public row holds its kind, text (opened through the vault,
// privacy.go), status, moderation reason, submission time and a
// display-name placeholder; a hidden or withdrawn comment keeps its row but
// loses its text and leaves the search index, and so does the text of an
// author who was forgotten.
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
CREATE INDEX {consultations_status} ON {consultations} (status);
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
CREATE INDEX {comments_status} ON {comments} (status, submitted_at, comment_id);
CREATE INDEX {comments_kind} ON {comments} (kind, submitted_at, comment_id);
CREATE INDEX {comments_submitted} ON {comments} (submitted_at, comment_id);
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
CREATE INDEX {amendments_item} ON {amendments} (item_id, proposed_at, amendment_id);
CREATE INDEX {amendments_proposer} ON {amendments} (proposer_id, proposed_at, amendment_id);
CREATE INDEX {amendments_proposed} ON {amendments} (proposed_at, amendment_id);
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
CREATE INDEX {votes_meeting} ON {votes} (meeting_id, opened_at, vote_id);
CREATE INDEX {votes_item} ON {votes} (item_id, opened_at, vote_id);
CREATE INDEX {votes_body} ON {votes} (body_id, opened_at, vote_id);
CREATE INDEX {votes_opened} ON {votes} (opened_at, vote_id);
CREATE INDEX {votes_amendment} ON {votes} (amendment_id, opened_at, vote_id);
CREATE INDEX {votes_result} ON {votes} (result, opened_at, vote_id);
CREATE TABLE {ballots} (
	vote_id   TEXT NOT NULL,
	member_id TEXT NOT NULL,
	choice    TEXT NOT NULL,
	cast_at   TEXT,
	changes   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (vote_id, member_id)
) WITHOUT ROWID;
CREATE INDEX {ballots_member} ON {ballots} (member_id, cast_at);
`)
}

// Comment statuses in the read model.
const (
	CommentPublished = "published"
	CommentHidden    = "hidden"
	CommentWithdrawn = "withdrawn"
)

// CommentDisplayName is the placeholder every public comment row carries
// instead of a name: a citizen's name and chosen display name stay in the
// vault (docs/PRIVACY.md).
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
		text, forgotten, err := w.open(events.EntityComment, e.CommentID, e.Author, events.CommentEntity(w.id(), e.CommentID), e.Text, e.LegacyText)
		if err != nil {
			return true, err
		}
		pendingComments(w).put(e.CommentID, e.CommentID, w.id(), seq, string(e.Kind), text, CommentPublished, "", CommentDisplayName, w.occurred())
		b.recount(recountComments, w.id())
		if forgotten {
			text = "" // an empty document, as forgetComment leaves it
		}
		return true, w.index(SearchComment, e.CommentID, "", text)
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
