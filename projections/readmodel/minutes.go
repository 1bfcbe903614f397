package readmodel

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// The minutes (πρακτικά) of a meeting: each version with its reason and
// documents, the decisions they record, and their approval by the body
// at a later meeting, by the vote that passed.

// Minutes is a meeting's minutes in their current version. Status is
// drafted or approved; a correction after an approval drafts them again,
// and ApprovedVersion stays the last version approved (0 for none).
type Minutes struct {
	MeetingID          string    `json:"meeting_id"`
	BodyID             string    `json:"body_id"`
	Status             string    `json:"status"`
	Version            int       `json:"version"`
	ApprovedVersion    int       `json:"approved_version,omitempty"`
	ApprovingMeetingID string    `json:"approving_meeting_id,omitempty"`
	ApprovingVoteID    string    `json:"approving_vote_id,omitempty"`
	DraftedAt          time.Time `json:"drafted_at"`
	ApprovedAt         time.Time `json:"approved_at"`
}

// MinutesVersion is one version of a meeting's minutes.
type MinutesVersion struct {
	Version    int                  `json:"version"`
	Reason     string               `json:"reason,omitempty"`
	At         time.Time            `json:"at"`
	RecordedAt time.Time            `json:"recorded_at"`
	Documents  []events.DocumentRef `json:"documents"`
}

type minutesRow struct{ Minutes }

var minutesTable = define(&table[string, minutesRow]{
	name: "minutes", keys: 1,
	columns: []column[minutesRow]{
		textCol("meeting_id", "TEXT PRIMARY KEY", func(r *minutesRow) *string { return &r.MeetingID }),
		textCol("body_id", "TEXT NOT NULL", func(r *minutesRow) *string { return &r.BodyID }),
		textCol("status", "TEXT NOT NULL", func(r *minutesRow) *string { return &r.Status }),
		intCol("version", "INTEGER NOT NULL", func(r *minutesRow) *int { return &r.Version }),
		intCol("approved_version", "INTEGER NOT NULL DEFAULT 0", func(r *minutesRow) *int { return &r.ApprovedVersion }),
		textCol("approving_meeting_id", "TEXT NOT NULL DEFAULT ''", func(r *minutesRow) *string { return &r.ApprovingMeetingID }),
		textCol("approving_vote_id", "TEXT NOT NULL DEFAULT ''", func(r *minutesRow) *string { return &r.ApprovingVoteID }),
		timeCol("drafted_at", func(r *minutesRow) *time.Time { return &r.DraftedAt }),
		timeCol("approved_at", func(r *minutesRow) *time.Time { return &r.ApprovedAt }),
	},
	indexes: []string{
		`CREATE INDEX {minutes_body} ON {minutes} (body_id, drafted_at, meeting_id)`,
		`CREATE INDEX {minutes_drafted} ON {minutes} (drafted_at, meeting_id)`,
		`CREATE INDEX {minutes_approving} ON {minutes} (approving_meeting_id)`,
	},
	key:    func(r *minutesRow) string { return r.MeetingID },
	newRow: func(id string) minutesRow { return minutesRow{Minutes{MeetingID: id}} },
	order:  byString,
})

// minutesVersionRow is a row of minutes_versions; its documents are the
// owner "minutes_version" "<meeting id>/<version>" of documents.
type minutesVersionRow struct {
	meetingID string
	MinutesVersion
}

var minutesVersions = define(&table[versionKey, minutesVersionRow]{
	name: "minutes_versions", keys: 2, constraint: "PRIMARY KEY (meeting_id, version)",
	columns: []column[minutesVersionRow]{
		textCol("meeting_id", "TEXT NOT NULL", func(r *minutesVersionRow) *string { return &r.meetingID }),
		intCol("version", "INTEGER NOT NULL", func(r *minutesVersionRow) *int { return &r.Version }),
		textCol("reason", "TEXT NOT NULL", func(r *minutesVersionRow) *string { return &r.Reason }),
		timeCol("at", func(r *minutesVersionRow) *time.Time { return &r.At }),
		timeCol("recorded_at", func(r *minutesVersionRow) *time.Time { return &r.RecordedAt }),
	},
	key: func(r *minutesVersionRow) versionKey { return versionKey{r.meetingID, r.Version} },
	newRow: func(k versionKey) minutesVersionRow {
		return minutesVersionRow{meetingID: k.decision, MinutesVersion: MinutesVersion{Version: k.version}}
	},
	order: func(a, b versionKey) int {
		return cmp.Or(strings.Compare(a.decision, b.decision), cmp.Compare(a.version, b.version))
	},
})

// minutesDecisionRow links minutes to a decision they record, numbered
// in the minutes' order.
type minutesDecisionRow struct {
	meetingID, decisionID string
	seq                   int
}

type minutesDecisionKey struct{ meeting, decision string }

var minutesDecisions = define(&table[minutesDecisionKey, minutesDecisionRow]{
	name: "minutes_decisions", keys: 2, constraint: "PRIMARY KEY (meeting_id, decision_id)",
	columns: []column[minutesDecisionRow]{
		textCol("meeting_id", "TEXT NOT NULL", func(r *minutesDecisionRow) *string { return &r.meetingID }),
		textCol("decision_id", "TEXT NOT NULL", func(r *minutesDecisionRow) *string { return &r.decisionID }),
		intCol("seq", "INTEGER NOT NULL", func(r *minutesDecisionRow) *int { return &r.seq }),
	},
	indexes: []string{`CREATE INDEX {minutes_decisions_decision} ON {minutes_decisions} (decision_id, meeting_id)`},
	key:     func(r *minutesDecisionRow) minutesDecisionKey { return minutesDecisionKey{r.meetingID, r.decisionID} },
	newRow: func(k minutesDecisionKey) minutesDecisionRow {
		return minutesDecisionRow{meetingID: k.meeting, decisionID: k.decision}
	},
	order: func(a, b minutesDecisionKey) int {
		return cmp.Or(strings.Compare(a.meeting, b.meeting), strings.Compare(a.decision, b.decision))
	},
})

// Minutes statuses in the read model.
const (
	MinutesDrafted  = "drafted"
	MinutesApproved = "approved"
)

func applyMinutes(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.MinutesDrafted:
		minutesTable.of(w).put(minutesRow{Minutes{MeetingID: w.id(), BodyID: e.BodyID, Status: MinutesDrafted, Version: e.Version, DraftedAt: w.at()}})
		for i, d := range e.DecisionIDs {
			minutesDecisions.of(w).put(minutesDecisionRow{meetingID: w.id(), decisionID: d, seq: i + 1})
		}
		return true, w.minutesVersion(e.Version, "", e.Documents)
	case events.MinutesCorrected:
		if _, err := minutesTable.of(w).change(w, w.id(), func(r *minutesRow) { r.Status, r.Version = MinutesDrafted, e.Version }); err != nil {
			return true, err
		}
		return true, w.minutesVersion(e.Version, e.Reason, e.Documents)
	case events.MinutesApproved:
		_, err := minutesTable.of(w).change(w, w.id(), func(r *minutesRow) {
			r.Status, r.ApprovedVersion, r.ApprovingMeetingID, r.ApprovingVoteID, r.ApprovedAt = MinutesApproved, e.Version, e.MeetingID, e.VoteID, w.at()
		})
		return true, err
	}
	return false, nil
}

func (w writer) minutesVersion(version int, reason string, docs []events.DocumentRef) error {
	minutesVersions.of(w).put(minutesVersionRow{meetingID: w.id(), MinutesVersion: MinutesVersion{Version: version, Reason: reason,
		At: w.at(), RecordedAt: w.ev.RecordedAt.UTC()}})
	return w.documents("minutes_version", fmt.Sprintf("%s/%d", w.id(), version), docs)
}

const minutesSelect = `meeting_id, body_id, status, version, approved_version, approving_meeting_id, approving_vote_id,
	coalesce(drafted_at, ''), coalesce(approved_at, '')`

func scanMinutes(s scanner) (Minutes, error) {
	var m Minutes
	var drafted, approved string
	err := s.Scan(&m.MeetingID, &m.BodyID, &m.Status, &m.Version, &m.ApprovedVersion, &m.ApprovingMeetingID, &m.ApprovingVoteID, &drafted, &approved)
	m.DraftedAt, m.ApprovedAt = parseTime(drafted), parseTime(approved)
	return m, err
}

var minutesGet = getSpec[Minutes]{what: "minutes", columns: minutesSelect, from: "minutes", key: []string{"meeting_id"}, scan: scanMinutes}

// MinutesOf returns the minutes of a meeting, or a not_found error when
// none were drafted.
func (s *Snapshot) MinutesOf(ctx context.Context, meetingID string) (Minutes, error) {
	return getOne(ctx, s, minutesGet, meetingID)
}

// MinutesByMeeting returns the minutes of the meetings of ids in one
// query: out[i] is ids[i]'s, nil when none were drafted. More than
// MaxBatch ids is an invalid error.
func (s *Snapshot) MinutesByMeeting(ctx context.Context, ids []string) ([]*Minutes, error) {
	return getBatch(ctx, s, minutesGet, idKeys(ids))
}

// MinutesFilter selects minutes; empty fields select all.
type MinutesFilter struct {
	BodyID string
	Status string
	Page
}

// MinutesList returns minutes by the time they were drafted, then
// meeting id. A bad page is an invalid error.
func (s *Snapshot) MinutesList(ctx context.Context, f MinutesFilter) (List[Minutes], error) {
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	return runList(ctx, s, listSpec[Minutes]{name: "minutes", columns: minutesSelect, from: "minutes",
		key: []string{"drafted_at", "meeting_id"}, scan: scanMinutes}, q, f.Page)
}

// MinutesVersions returns every version of a meeting's minutes, oldest
// first, with its documents: part of one meeting's record, whole.
func (s *Snapshot) MinutesVersions(ctx context.Context, meetingID string) ([]MinutesVersion, error) {
	vs, err := queryRows(ctx, s.q, `SELECT version, reason, coalesce(at, ''), coalesce(recorded_at, '')
		FROM minutes_versions WHERE meeting_id = ? ORDER BY version`, []any{meetingID}, func(sc scanner) (MinutesVersion, error) {
		var v MinutesVersion
		var at, recorded string
		err := sc.Scan(&v.Version, &v.Reason, &at, &recorded)
		v.At, v.RecordedAt = parseTime(at), parseTime(recorded)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]MinutesVersion, 0, len(vs))
	for _, v := range vs {
		if v.Documents, err = s.Documents(ctx, "minutes_version", fmt.Sprintf("%s/%d", meetingID, v.Version)); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// MinutesDecisions returns the ids of the decisions a meeting's minutes
// record, by id: bounded by events.MaxMinutesDecisions, so whole.
func (s *Snapshot) MinutesDecisions(ctx context.Context, meetingID string) ([]string, error) {
	ids, err := queryRows(ctx, s.q, `SELECT decision_id FROM minutes_decisions WHERE meeting_id = ? ORDER BY meeting_id, decision_id`,
		[]any{meetingID}, scanString)
	if ids == nil && err == nil {
		ids = []string{}
	}
	return ids, err
}

// MinutesOfDecisions returns, in one query, the meeting whose minutes
// record each decision of ids: out[i] is ids[i]'s, "" when no minutes
// record it (the first, when several do). More than MaxBatch ids is an
// invalid error.
func (s *Snapshot) MinutesOfDecisions(ctx context.Context, ids []string) ([]string, error) {
	type link struct{ decision, meeting string }
	links, err := perParent(ctx, s, "minutes of decisions", `SELECT decision_id, meeting_id FROM minutes_decisions WHERE decision_id IN (%s)
		ORDER BY decision_id, meeting_id`, ids, func(sc scanner) (link, error) {
		var l link
		return l, sc.Scan(&l.decision, &l.meeting)
	}, func(l link) string { return l.decision })
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, ls := range links {
		if len(ls) > 0 {
			out[i] = ls[0].meeting
		}
	}
	return out, nil
}

func scanString(sc scanner) (string, error) {
	var v string
	return v, sc.Scan(&v)
}

// perParent runs a query of the children of each parent of ids, whose
// text has one %s for the list of placeholders, in one statement: out[i]
// holds ids[i]'s children in the query's order, empty when it has none.
// More than MaxBatch ids is an invalid error.
func perParent[T any](ctx context.Context, s *Snapshot, what, query string, ids []string, scan func(scanner) (T, error), parent func(T) string) ([][]T, error) {
	if len(ids) > MaxBatch {
		return nil, events.Invalidf("%s: %d ids asked at once, over the maximum of %d", what, len(ids), MaxBatch)
	}
	out := make([][]T, len(ids))
	for i := range out {
		out[i] = []T{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := queryRows(ctx, s.q, fmt.Sprintf(query, "?"+strings.Repeat(", ?", len(ids)-1)), args, scan)
	if err != nil {
		return nil, err
	}
	by := map[string][]T{}
	for _, r := range rows {
		by[parent(r)] = append(by[parent(r)], r)
	}
	for i, id := range ids {
		if rs := by[id]; rs != nil {
			out[i] = rs
		}
	}
	return out, nil
}
