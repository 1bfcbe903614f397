package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// A member's record: how they voted, with what each vote was about, and
// which sittings of their body they attended.

// MemberRecordFilter selects a member's record. MemberID is required.
// BodyID keeps one body (required for attendance). Faction keeps what the
// member did while sitting for that faction, by their membership at the
// time. Period keeps ballots cast, or sittings convened, in that range.
type MemberRecordFilter struct {
	MemberID string
	BodyID   string
	Faction  string
	Period   TimeRange
	Page
}

func (f MemberRecordFilter) validate(what string) error {
	if f.MemberID == "" {
		return events.Invalidf("%s: give a member", what)
	}
	return f.Period.validate(what)
}

// MemberBallot is one ballot of a member with the vote it was cast in:
// the question, the item and meeting, when the vote opened and closed, and
// its result.
type MemberBallot struct {
	Ballot
	CastAt       time.Time `json:"cast_at"`
	BodyID       string    `json:"body_id"`
	MeetingID    string    `json:"meeting_id"`
	ItemID       string    `json:"item_id"`
	ItemTitle    string    `json:"item_title"`
	AmendmentID  string    `json:"amendment_id,omitempty"`
	Question     string    `json:"question"`
	QuestionType string    `json:"question_type"`
	VoteStatus   string    `json:"vote_status"`
	OpenedAt     time.Time `json:"opened_at"`
	ClosedAt     time.Time `json:"closed_at"`
	Result       string    `json:"result,omitempty"`
}

// MemberBallots returns a member's ballots by the time cast, then vote. A
// filter without a member, a bad range or a bad page is an invalid error.
func (s *Snapshot) MemberBallots(ctx context.Context, f MemberRecordFilter) (List[MemberBallot], error) {
	if err := f.validate("member ballots"); err != nil {
		return List[MemberBallot]{}, err
	}
	var q query
	q.equal("b.member_id", f.MemberID)
	q.eq("v.body_id", f.BodyID)
	q.timeRange("b.cast_at", f.Period)
	if f.Faction != "" {
		q.where(`EXISTS (SELECT 1 FROM memberships ms WHERE ms.body_id = v.body_id AND ms.member_id = b.member_id
			AND ms.faction_id = ? AND ms.since_at <= b.cast_at AND (ms.until_at IS NULL OR ms.until_at > b.cast_at))`, f.Faction)
	}
	return runList(ctx, s, listSpec[MemberBallot]{name: "member_ballots",
		columns: `b.vote_id, b.member_id, b.choice, b.changes, coalesce(b.cast_at, ''), v.body_id, v.meeting_id, v.item_id,
			coalesce(i.title, ''), v.amendment_id, v.question, v.question_type, v.status, coalesce(v.opened_at, ''),
			coalesce(v.closed_at, ''), v.result`,
		from: `ballots b JOIN votes v ON v.vote_id = b.vote_id LEFT JOIN agenda_items i ON i.item_id = v.item_id`,
		key:  []string{"b.cast_at", "b.vote_id"},
		scan: func(s scanner) (MemberBallot, error) {
			var mb MemberBallot
			var cast, opened, closed string
			err := s.Scan(&mb.VoteID, &mb.MemberID, &mb.Choice, &mb.Changes, &cast, &mb.BodyID, &mb.MeetingID, &mb.ItemID,
				&mb.ItemTitle, &mb.AmendmentID, &mb.Question, &mb.QuestionType, &mb.VoteStatus, &opened, &closed, &mb.Result)
			mb.CastAt, mb.OpenedAt, mb.ClosedAt = parseTime(cast), parseTime(opened), parseTime(closed)
			return mb, err
		}}, q, f.Page)
}

// MemberSitting is a sitting of a body convened while the member belonged
// to it, and whether the member was present.
type MemberSitting struct {
	MeetingID  string    `json:"meeting_id"`
	BodyID     string    `json:"body_id"`
	Status     string    `json:"status"`
	StartsAt   time.Time `json:"starts_at"`
	ConvenedAt time.Time `json:"convened_at"`
	Present    bool      `json:"present"`
}

// MemberAttendance returns, for the sittings of the body convened while
// the member held a membership of it (of Faction, if given), whether the
// member was present, by the time convened, then meeting. A filter without
// a member or a body, a bad range or a bad page is an invalid error.
func (s *Snapshot) MemberAttendance(ctx context.Context, f MemberRecordFilter) (List[MemberSitting], error) {
	if err := f.validate("member attendance"); err != nil {
		return List[MemberSitting]{}, err
	}
	if f.BodyID == "" {
		return List[MemberSitting]{}, events.Invalidf("member attendance: give a body")
	}
	var q query
	q.equal("m.body_id", f.BodyID)
	q.where("m.convened_at IS NOT NULL")
	q.timeRange("m.convened_at", f.Period)
	held := `EXISTS (SELECT 1 FROM memberships ms WHERE ms.body_id = m.body_id AND ms.member_id = ?
		AND ms.since_at <= m.convened_at AND (ms.until_at IS NULL OR ms.until_at > m.convened_at)`
	if f.Faction != "" {
		q.where(held+` AND ms.faction_id = ?)`, f.MemberID, f.Faction)
	} else {
		q.where(held+`)`, f.MemberID)
	}
	return runList(ctx, s, listSpec[MemberSitting]{name: "member_attendance",
		columns: `m.meeting_id, m.body_id, m.status, coalesce(m.starts_at, ''), coalesce(m.convened_at, ''),
			a.member_id IS NOT NULL`,
		from: `meetings m LEFT JOIN meeting_attendance a ON a.meeting_id = m.meeting_id AND a.member_id = ?`,
		args: []any{f.MemberID},
		key:  []string{"m.convened_at", "m.meeting_id"},
		scan: func(s scanner) (MemberSitting, error) {
			var ms MemberSitting
			var starts, convened string
			err := s.Scan(&ms.MeetingID, &ms.BodyID, &ms.Status, &starts, &convened, &ms.Present)
			ms.StartsAt, ms.ConvenedAt = parseTime(starts), parseTime(convened)
			return ms, err
		}}, q, f.Page)
}
