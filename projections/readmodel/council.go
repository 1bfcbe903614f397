package readmodel

import (
	"cmp"
	"strings"
	"time"

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

// consultationRow is a row of consultations; its comments column is
// derived (recountComments).
type consultationRow struct{ Consultation }

var consultations = define(&table[string, consultationRow]{
	name: "consultations", keys: 1,
	columns: []column[consultationRow]{
		textCol("item_id", "TEXT PRIMARY KEY", func(r *consultationRow) *string { return &r.ItemID }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *consultationRow) *string { return &r.MeetingID }),
		textCol("status", "TEXT NOT NULL", func(r *consultationRow) *string { return &r.Status }),
		timeCol("opened_at", func(r *consultationRow) *time.Time { return &r.OpenedAt }),
		timeCol("closes_at", func(r *consultationRow) *time.Time { return &r.ClosesAt }),
		timeCol("closed_at", func(r *consultationRow) *time.Time { return &r.ClosedAt }),
		intCol("comments", "INTEGER NOT NULL DEFAULT 0", func(r *consultationRow) *int { return &r.Comments }),
	},
	indexes: []string{
		`CREATE INDEX {consultations_meeting} ON {consultations} (meeting_id)`,
		`CREATE INDEX {consultations_status} ON {consultations} (status)`,
	},
	key:    func(r *consultationRow) string { return r.ItemID },
	newRow: func(id string) consultationRow { return consultationRow{Consultation{ItemID: id}} },
	order:  byString,
})

// commentRow is a row of comments: a comment with its number in its
// consultation.
type commentRow struct {
	Comment
	seq int
}

var comments = define(&table[string, commentRow]{
	name: "comments", keys: 1, rowid: true,
	columns: []column[commentRow]{
		textCol("comment_id", "TEXT PRIMARY KEY", func(r *commentRow) *string { return &r.ID }),
		textCol("item_id", "TEXT NOT NULL", func(r *commentRow) *string { return &r.ItemID }),
		intCol("seq", "INTEGER NOT NULL", func(r *commentRow) *int { return &r.seq }),
		textCol("kind", "TEXT NOT NULL", func(r *commentRow) *string { return &r.Kind }),
		textCol("text", "TEXT NOT NULL", func(r *commentRow) *string { return &r.Text }),
		textCol("status", "TEXT NOT NULL", func(r *commentRow) *string { return &r.Status }),
		textCol("moderation_reason", "TEXT NOT NULL DEFAULT ''", func(r *commentRow) *string { return &r.ModerationReason }),
		textCol("display_name", "TEXT NOT NULL", func(r *commentRow) *string { return &r.DisplayName }),
		timeCol("submitted_at", func(r *commentRow) *time.Time { return &r.SubmittedAt }),
	},
	indexes: []string{
		`CREATE INDEX {comments_item} ON {comments} (item_id, seq)`,
		`CREATE INDEX {comments_status} ON {comments} (status, submitted_at, comment_id)`,
		`CREATE INDEX {comments_kind} ON {comments} (kind, submitted_at, comment_id)`,
		`CREATE INDEX {comments_submitted} ON {comments} (submitted_at, comment_id)`,
	},
	key:    func(r *commentRow) string { return r.ID },
	newRow: func(id string) commentRow { return commentRow{Comment: Comment{ID: id}} },
	order:  byString,
})

// amendmentRow is a row of amendments.
type amendmentRow struct{ Amendment }

var amendments = define(&table[string, amendmentRow]{
	name: "amendments", keys: 1, rowid: true,
	columns: []column[amendmentRow]{
		textCol("amendment_id", "TEXT PRIMARY KEY", func(r *amendmentRow) *string { return &r.ID }),
		textCol("body_id", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.BodyID }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.MeetingID }),
		textCol("item_id", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.ItemID }),
		textCol("proposer_id", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.ProposerID }),
		textCol("text", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.Text }),
		textCol("status", "TEXT NOT NULL", func(r *amendmentRow) *string { return &r.Status }),
		textCol("vote_id", "TEXT NOT NULL DEFAULT ''", func(r *amendmentRow) *string { return &r.VoteID }),
		textCol("reason", "TEXT NOT NULL DEFAULT ''", func(r *amendmentRow) *string { return &r.Reason }),
		timeCol("proposed_at", func(r *amendmentRow) *time.Time { return &r.ProposedAt }),
		timeCol("decided_at", func(r *amendmentRow) *time.Time { return &r.DecidedAt }),
	},
	indexes: []string{
		`CREATE INDEX {amendments_item} ON {amendments} (item_id, proposed_at, amendment_id)`,
		`CREATE INDEX {amendments_proposer} ON {amendments} (proposer_id, proposed_at, amendment_id)`,
		`CREATE INDEX {amendments_proposed} ON {amendments} (proposed_at, amendment_id)`,
	},
	key:    func(r *amendmentRow) string { return r.ID },
	newRow: func(id string) amendmentRow { return amendmentRow{Amendment{ID: id}} },
	order:  byString,
})

// voteRow is a row of votes; the counts and seats are NULL until the vote
// closes.
type voteRow struct {
	Vote
	seats int
}

func (r *voteRow) open() bool { return r.Status != "closed" }

var votes = define(&table[string, voteRow]{
	name: "votes", keys: 1, rowid: true,
	columns: []column[voteRow]{
		textCol("vote_id", "TEXT PRIMARY KEY", func(r *voteRow) *string { return &r.ID }),
		textCol("body_id", "TEXT NOT NULL", func(r *voteRow) *string { return &r.BodyID }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *voteRow) *string { return &r.MeetingID }),
		textCol("item_id", "TEXT NOT NULL", func(r *voteRow) *string { return &r.ItemID }),
		textCol("amendment_id", "TEXT NOT NULL", func(r *voteRow) *string { return &r.AmendmentID }),
		textCol("question", "TEXT NOT NULL", func(r *voteRow) *string { return &r.Question }),
		textCol("question_type", "TEXT NOT NULL", func(r *voteRow) *string { return &r.QuestionType }),
		textCol("method", "TEXT NOT NULL", func(r *voteRow) *string { return &r.Method }),
		textCol("status", "TEXT NOT NULL", func(r *voteRow) *string { return &r.Status }),
		timeCol("opened_at", func(r *voteRow) *time.Time { return &r.OpenedAt }),
		timeCol("closed_at", func(r *voteRow) *time.Time { return &r.ClosedAt }),
		nullWhen(intCol("yes", "INTEGER", func(r *voteRow) *int { return &r.Yes }), (*voteRow).open),
		nullWhen(intCol("no", "INTEGER", func(r *voteRow) *int { return &r.No }), (*voteRow).open),
		nullWhen(intCol("abstain", "INTEGER", func(r *voteRow) *int { return &r.Abstain }), (*voteRow).open),
		nullWhen(intCol("present", "INTEGER", func(r *voteRow) *int { return &r.Present }), (*voteRow).open),
		nullWhen(intCol("absent", "INTEGER", func(r *voteRow) *int { return &r.Absent }), (*voteRow).open),
		textCol("result", "TEXT NOT NULL DEFAULT ''", func(r *voteRow) *string { return &r.Result }),
		nullWhen(intCol("seats", "INTEGER", func(r *voteRow) *int { return &r.seats }), (*voteRow).open),
		textCol("majority", "TEXT NOT NULL DEFAULT ''", func(r *voteRow) *string { return &r.Majority }),
		boolCol("chair_tie_break", "INTEGER NOT NULL DEFAULT 0", func(r *voteRow) *bool { return &r.ChairTieBreak }),
		boolCol("imported", "INTEGER NOT NULL DEFAULT 0", func(r *voteRow) *bool { return &r.Imported }),
	},
	indexes: []string{
		`CREATE INDEX {votes_meeting} ON {votes} (meeting_id, opened_at, vote_id)`,
		`CREATE INDEX {votes_item} ON {votes} (item_id, opened_at, vote_id)`,
		`CREATE INDEX {votes_body} ON {votes} (body_id, opened_at, vote_id)`,
		`CREATE INDEX {votes_opened} ON {votes} (opened_at, vote_id)`,
		`CREATE INDEX {votes_amendment} ON {votes} (amendment_id, opened_at, vote_id)`,
		`CREATE INDEX {votes_result} ON {votes} (result, opened_at, vote_id)`,
	},
	key:    func(r *voteRow) string { return r.ID },
	newRow: func(id string) voteRow { return voteRow{Vote: Vote{ID: id}} },
	order:  byString,
})

// ballotRow is a row of ballots.
type ballotRow struct {
	Ballot
	castAt time.Time
}

type ballotKey struct{ vote, member string }

var ballots = define(&table[ballotKey, ballotRow]{
	name: "ballots", keys: 2, constraint: "PRIMARY KEY (vote_id, member_id)",
	columns: []column[ballotRow]{
		textCol("vote_id", "TEXT NOT NULL", func(r *ballotRow) *string { return &r.VoteID }),
		textCol("member_id", "TEXT NOT NULL", func(r *ballotRow) *string { return &r.MemberID }),
		textCol("choice", "TEXT NOT NULL", func(r *ballotRow) *string { return &r.Choice }),
		timeCol("cast_at", func(r *ballotRow) *time.Time { return &r.castAt }),
		intCol("changes", "INTEGER NOT NULL DEFAULT 0", func(r *ballotRow) *int { return &r.Changes }),
	},
	indexes: []string{`CREATE INDEX {ballots_member} ON {ballots} (member_id, cast_at)`},
	key:     func(r *ballotRow) ballotKey { return ballotKey{r.VoteID, r.MemberID} },
	newRow:  func(k ballotKey) ballotRow { return ballotRow{Ballot: Ballot{VoteID: k.vote, MemberID: k.member}} },
	order: func(a, b ballotKey) int {
		return cmp.Or(strings.Compare(a.vote, b.vote), strings.Compare(a.member, b.member))
	},
})

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
		consultations.of(w).put(consultationRow{Consultation{ItemID: w.id(), MeetingID: e.MeetingID, Status: "open",
			OpenedAt: w.at(), ClosesAt: e.ClosesAt.UTC()}})
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
		comments.of(w).put(commentRow{Comment: Comment{ID: e.CommentID, ItemID: w.id(), Kind: string(e.Kind), Text: text,
			Status: CommentPublished, DisplayName: CommentDisplayName, SubmittedAt: w.at()}, seq: int(seq)})
		b.recount(recountComments, w.id())
		if forgotten {
			text = "" // an empty document, as forgetComment leaves it
		}
		return true, w.index(SearchComment, e.CommentID, "", text)
	case events.ConsultationCommentModerated:
		if _, err := comments.of(w).change(w, e.CommentID, func(r *commentRow) {
			r.Status, r.ModerationReason, r.Text = CommentHidden, e.Reason, ""
		}); err != nil {
			return true, err
		}
		return true, w.unindex(SearchComment, e.CommentID)
	case events.ConsultationCommentWithdrawn:
		if _, err := comments.of(w).change(w, e.CommentID, func(r *commentRow) {
			r.Status, r.Text = CommentWithdrawn, ""
		}); err != nil {
			return true, err
		}
		return true, w.unindex(SearchComment, e.CommentID)
	case events.ConsultationClosed:
		_, err := consultations.of(w).change(w, w.id(), func(r *consultationRow) { r.Status, r.ClosedAt = "closed", w.at() })
		return true, err
	case events.ConsultationReopened:
		return true, w.reopenConsultation(e)

	case events.AmendmentProposed:
		amendments.of(w).put(amendmentRow{Amendment{ID: w.id(), BodyID: e.BodyID, MeetingID: e.MeetingID, ItemID: e.ItemID,
			ProposerID: e.ProposerID, Text: e.Text, Status: "proposed", ProposedAt: w.at()}})
		return true, nil
	case events.AmendmentWithdrawn, events.AmendmentAccepted, events.AmendmentRejected:
		_, err := amendments.of(w).change(w, w.id(), func(r *amendmentRow) {
			switch e := p.(type) {
			case events.AmendmentWithdrawn:
				r.Status, r.Reason = "withdrawn", e.Reason
			case events.AmendmentAccepted:
				r.Status, r.VoteID, r.Reason = "accepted", e.VoteID, e.Note
			case events.AmendmentRejected:
				r.Status, r.VoteID, r.Reason = "rejected", e.VoteID, e.Reason
			}
			r.DecidedAt = w.at()
		})
		return true, err

	case events.VoteOpened:
		votes.of(w).put(voteRow{Vote: Vote{ID: w.id(), BodyID: e.BodyID, MeetingID: e.MeetingID, ItemID: e.ItemID, AmendmentID: e.AmendmentID,
			Question: e.Question, QuestionType: string(e.QuestionType), Method: string(e.Method), Status: "open", OpenedAt: w.at()}})
		return true, w.recordAttending(e)
	case events.VoteBallotCast:
		ballots.of(w).put(ballotRow{Ballot: Ballot{VoteID: w.id(), MemberID: e.MemberID, Choice: string(e.Choice)}, castAt: w.at()})
		return true, nil
	case events.VoteBallotChanged:
		_, err := ballots.of(w).change(w, ballotKey{w.id(), e.MemberID}, func(r *ballotRow) {
			r.Choice = string(e.Choice)
			r.Changes++
		})
		return true, err
	case events.VoteClosed:
		_, err := votes.of(w).change(w, w.id(), func(r *voteRow) {
			r.Status, r.ClosedAt, r.Yes, r.No, r.Abstain, r.Present, r.Absent = "closed", w.at(), e.Yes, e.No, e.Abstain, e.Present, e.Absent
			r.Result, r.seats, r.Majority, r.ChairTieBreak = string(e.Result), e.Seats, majorityText(e.Majority), e.ChairTieBreak
		})
		return true, err
	}
	return false, nil
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
