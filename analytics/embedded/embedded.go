// Package embedded is the analytics engine of one municipality: it answers
// every analytics.Engine question with SQL over the SQLite read model
// (package projections/readmodel), in one read-model snapshot per
// question, so it needs no server and is always as current as the read
// model. It reads the read model's reader-facing views through
// Snapshot.QueryAggregate and owns no table.
package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Snapshots opens read-model snapshots: *readmodel.ReadModel satisfies it.
type Snapshots interface {
	// View runs fn in a snapshot of the serving read model, closed after
	// fn returns; it returns an unavailable error while the read model is
	// not built yet.
	View(ctx context.Context, fn func(*readmodel.Snapshot) error) error
}

// Engine answers analytics questions from the read model.
type Engine struct {
	rm Snapshots
}

var _ analytics.Engine = (*Engine)(nil)

// New returns the engine over rm.
func New(rm Snapshots) *Engine { return &Engine{rm: rm} }

// InSnapshot returns an engine answering every question in s, the
// snapshot a caller reads the rest of its answer in (one GraphQL
// request), so that the answers share its position. s stays the caller's
// to close; the engine is for as long as s is open.
func (e *Engine) InSnapshot(s *readmodel.Snapshot) analytics.Engine { return New(pinned{s}) }

// pinned is a snapshot already open, as Snapshots.
type pinned struct{ s *readmodel.Snapshot }

func (p pinned) View(_ context.Context, fn func(*readmodel.Snapshot) error) error { return fn(p.s) }

// timeLayout is the read model's fixed-width UTC time text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// textTime is a filter's bound as the read model's time text.
func textTime(t time.Time) any { return t.UTC().Format(timeLayout) }

// query runs q in a snapshot and scans each row with scan.
func query[T any](ctx context.Context, e *Engine, f analytics.Filter, q string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var out []T
	err := e.rm.View(ctx, func(s *readmodel.Snapshot) error {
		rows, err := s.QueryAggregate(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return fmt.Errorf("analytics: scan: %w", err)
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// primaryCPVDivision is the division of a process's first CPV code.
const primaryCPVDivision = `coalesce(substr((SELECT c.cpv FROM procurement_cpv c WHERE c.ocid = p.ocid ORDER BY c.seq LIMIT 1), 1, 2), '')`

// Spending implements analytics.Engine.
func (e *Engine) Spending(ctx context.Context, f analytics.Filter, by analytics.SpendingKey) ([]analytics.Spending, error) {
	if !by.Valid() {
		return nil, &events.Error{Code: events.CodeInvalid, Message: fmt.Sprintf("analytics: spending by %q: not supplier, cpv_division, procedure or year", by)}
	}
	key := map[analytics.SpendingKey][2]string{
		analytics.BySupplier:    {"p.supplier_vat_id", "p.supplier_vat_id"},
		analytics.ByCPVDivision: {primaryCPVDivision, primaryCPVDivision},
		analytics.ByProcedure:   {"p.procedure", "p.procedure"},
		analytics.ByYear:        {"substr(p.awarded_at, 1, 4)", "substr(pay.paid_at, 1, 4)"},
	}[by]
	var aw, pd analytics.Cond
	for _, c := range []*analytics.Cond{&aw, &pd} {
		c.Eq("p.buyer_body_id", f.BodyID)
		if f.Category != "" {
			c.Add(primaryCPVDivision+" = ?", f.Category)
		}
	}
	aw.Period("p.awarded_at", f, textTime)
	pd.Period("pay.paid_at", f, textTime)
	q := `SELECT k, cur, sum(awards), sum(awarded), sum(payments), sum(paid) FROM (
		SELECT ` + key[0] + ` AS k, p.awarded_currency AS cur, 1 AS awards, p.awarded_cents AS awarded, 0 AS payments, 0 AS paid
		FROM procurements p WHERE p.awarded_at IS NOT NULL AND p.awarded_cents IS NOT NULL` + aw.Where() + `
		UNION ALL
		SELECT ` + key[1] + `, pay.amount_currency, 0, 0, 1, pay.amount_cents
		FROM payments pay JOIN procurements p ON p.ocid = pay.ocid WHERE pay.paid_at IS NOT NULL` + pd.Where() + `
	) GROUP BY k, cur ORDER BY k, cur`
	return query(ctx, e, f, q, append(aw.Args(), pd.Args()...), func(r *sql.Rows) (analytics.Spending, error) {
		var s analytics.Spending
		err := r.Scan(&s.Key, &s.Currency, &s.Awards, &s.AwardedCents, &s.Payments, &s.PaidCents)
		return s, err
	})
}

// SupplierShares implements analytics.Engine.
func (e *Engine) SupplierShares(ctx context.Context, f analytics.Filter, local string) ([]analytics.SupplierShares, error) {
	var aw, pd analytics.Cond
	for _, c := range []*analytics.Cond{&aw, &pd} {
		c.Eq("p.buyer_body_id", f.BodyID)
		if f.Category != "" {
			c.Add(primaryCPVDivision+" = ?", f.Category)
		}
	}
	aw.Period("p.awarded_at", f, textTime)
	pd.Period("pay.paid_at", f, textTime)
	q := `SELECT cur, paid, sum(cents), sum(CASE WHEN s.kind = 'cooperative' THEN cents ELSE 0 END),
		sum(CASE WHEN s.kind = 'sme' THEN cents ELSE 0 END), sum(CASE WHEN s.municipality = ? THEN cents ELSE 0 END)
	FROM (
		SELECT p.supplier_vat_id AS vat, p.awarded_currency AS cur, 0 AS paid, p.awarded_cents AS cents
		FROM procurements p WHERE p.awarded_at IS NOT NULL AND p.awarded_cents IS NOT NULL` + aw.Where() + `
		UNION ALL
		SELECT p.supplier_vat_id, pay.amount_currency, 1, pay.amount_cents
		FROM payments pay JOIN procurements p ON p.ocid = pay.ocid WHERE pay.paid_at IS NOT NULL` + pd.Where() + `
	) LEFT JOIN suppliers s ON s.vat_id = vat GROUP BY cur, paid ORDER BY cur, paid`
	type part struct {
		cur  string
		paid bool
		m    analytics.Money
	}
	parts, err := query(ctx, e, f, q, append(append([]any{local}, aw.Args()...), pd.Args()...), func(r *sql.Rows) (part, error) {
		var p part
		err := r.Scan(&p.cur, &p.paid, &p.m.TotalCents, &p.m.CooperativeCents, &p.m.SMECents, &p.m.LocalCents)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	var out []analytics.SupplierShares
	for _, p := range parts {
		if n := len(out); n == 0 || out[n-1].Currency != p.cur {
			out = append(out, analytics.SupplierShares{Currency: p.cur})
		}
		if p.paid {
			out[len(out)-1].Paid = p.m
		} else {
			out[len(out)-1].Awarded = p.m
		}
	}
	return out, nil
}

// ballotsCTE is every yes, no or abstain ballot of the votes the filter
// keeps, with the faction its member held in the vote's body when casting
// it ("" for none); factionVotesCTE counts them per vote and faction with
// the faction's position.
func ballotsCTE(f analytics.Filter) (string, []any) {
	var c analytics.Cond
	c.Eq("v.body_id", f.BodyID)
	c.Eq("v.question_type", f.Category)
	c.Period("v.opened_at", f, textTime)
	return `b AS MATERIALIZED (
		SELECT bl.vote_id, v.opened_at, bl.member_id, bl.choice,
			coalesce((SELECT m.faction_id FROM memberships m WHERE m.body_id = v.body_id AND m.member_id = bl.member_id
				AND m.since_at <= bl.cast_at AND (m.until_at IS NULL OR bl.cast_at < m.until_at)
				ORDER BY m.period DESC LIMIT 1), '') AS faction
		FROM ballots bl JOIN votes v ON v.vote_id = bl.vote_id
		WHERE bl.choice IN ('yes', 'no', 'abstain')` + c.Where() + `
	), fv AS MATERIALIZED (
		SELECT vote_id, opened_at, faction, y, n, a,
			CASE WHEN y > n AND y > a THEN 'yes' WHEN n > y AND n > a THEN 'no' WHEN a > y AND a > n THEN 'abstain' ELSE '' END AS pos
		FROM (SELECT vote_id, opened_at, faction, sum(choice = 'yes') AS y, sum(choice = 'no') AS n, sum(choice = 'abstain') AS a
			FROM b WHERE faction <> '' GROUP BY vote_id, opened_at, faction)
	)`, c.Args()
}

// Agreement implements analytics.Engine.
func (e *Engine) Agreement(ctx context.Context, f analytics.Filter, level analytics.Level) ([]analytics.Agreement, error) {
	if !level.Valid() {
		return nil, &events.Error{Code: events.CodeInvalid, Message: fmt.Sprintf("analytics: agreement by %q: not member or faction", level)}
	}
	// The stances are fetched in vote order and paired in Go
	// (analytics.PairAgreement).
	var c analytics.Cond
	c.Eq("v.body_id", f.BodyID)
	c.Eq("v.question_type", f.Category)
	c.Period("v.opened_at", f, textTime)
	q := `SELECT bl.vote_id, bl.member_id, bl.choice FROM ballots bl JOIN votes v ON v.vote_id = bl.vote_id
		WHERE bl.choice IN ('yes', 'no', 'abstain')` + c.Where() + ` ORDER BY bl.vote_id`
	args := c.Args()
	if level == analytics.ByFaction {
		var cte string
		cte, args = ballotsCTE(f)
		q = `WITH ` + cte + ` SELECT vote_id, faction, pos FROM fv WHERE pos <> '' ORDER BY vote_id`
	}
	stances, err := query(ctx, e, f, q, args, func(r *sql.Rows) (analytics.Stance, error) {
		var s analytics.Stance
		err := r.Scan(&s.VoteID, &s.Who, &s.Choice)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	return analytics.PairAgreement(stances), nil
}

// FactionVotes implements analytics.Engine.
func (e *Engine) FactionVotes(ctx context.Context, f analytics.Filter) ([]analytics.FactionVote, error) {
	cte, args := ballotsCTE(f)
	q := `WITH ` + cte + ` SELECT vote_id, opened_at, faction, y, n, a FROM fv ORDER BY opened_at, vote_id, faction`
	return query(ctx, e, f, q, args, func(r *sql.Rows) (analytics.FactionVote, error) {
		var v analytics.FactionVote
		var opened string
		err := r.Scan(&v.VoteID, &opened, &v.Faction, &v.Yes, &v.No, &v.Abstain)
		v.OpenedAt = parseTime(opened)
		return v, err
	})
}

// Dissent implements analytics.Engine.
func (e *Engine) Dissent(ctx context.Context, f analytics.Filter) ([]analytics.Dissent, error) {
	cte, args := ballotsCTE(f)
	q := `WITH ` + cte + ` SELECT b.member_id, b.faction, count(*), sum(b.choice <> fv.pos)
		FROM b JOIN fv ON fv.vote_id = b.vote_id AND fv.faction = b.faction
		WHERE fv.pos <> '' GROUP BY 1, 2 ORDER BY 1, 2`
	return query(ctx, e, f, q, args, func(r *sql.Rows) (analytics.Dissent, error) {
		var d analytics.Dissent
		err := r.Scan(&d.MemberID, &d.Faction, &d.Ballots, &d.Against)
		return d, err
	})
}

// MemberAttendance implements analytics.Engine.
func (e *Engine) MemberAttendance(ctx context.Context, f analytics.Filter) ([]analytics.MemberAttendance, error) {
	var c analytics.Cond
	c.Eq("mt.body_id", f.BodyID)
	c.Period("mt.convened_at", f, textTime)
	q := `SELECT mt.body_id, ms.member_id, count(*),
			sum(EXISTS (SELECT 1 FROM meeting_attendance a WHERE a.meeting_id = mt.meeting_id AND a.member_id = ms.member_id))
		FROM meetings mt JOIN memberships ms ON ms.body_id = mt.body_id AND ms.since_at <= mt.convened_at
			AND (ms.until_at IS NULL OR mt.convened_at < ms.until_at)
		WHERE mt.convened_at IS NOT NULL` + c.Where() + ` GROUP BY 1, 2 ORDER BY 1, 2`
	return query(ctx, e, f, q, c.Args(), func(r *sql.Rows) (analytics.MemberAttendance, error) {
		var a analytics.MemberAttendance
		err := r.Scan(&a.BodyID, &a.MemberID, &a.Meetings, &a.Present)
		return a, err
	})
}

// MeetingAttendance implements analytics.Engine.
func (e *Engine) MeetingAttendance(ctx context.Context, f analytics.Filter) ([]analytics.MeetingAttendance, error) {
	var c analytics.Cond
	c.Eq("m.body_id", f.BodyID)
	c.Period("m.convened_at", f, textTime)
	q := `SELECT m.meeting_id, m.body_id, m.convened_at, m.seats,
			(SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = m.meeting_id)
		FROM meetings m WHERE m.convened_at IS NOT NULL` + c.Where() + ` ORDER BY m.convened_at, m.meeting_id`
	return query(ctx, e, f, q, c.Args(), func(r *sql.Rows) (analytics.MeetingAttendance, error) {
		var a analytics.MeetingAttendance
		var convened string
		err := r.Scan(&a.MeetingID, &a.BodyID, &convened, &a.Seats, &a.Present)
		a.ConvenedAt = parseTime(convened)
		return a, err
	})
}

// MeetingDecisions implements analytics.Engine.
func (e *Engine) MeetingDecisions(ctx context.Context, f analytics.Filter) ([]analytics.MeetingDecisions, error) {
	var c analytics.Cond
	c.Eq("d.body_id", f.BodyID)
	c.Period("d.adopted_at", f, textTime)
	q := `SELECT d.meeting_id, max(d.body_id), count(*), sum(m.agenda_published_at IS NOT NULL),
			coalesce(sum(CASE WHEN m.agenda_published_at IS NOT NULL THEN unixepoch(d.adopted_at) - unixepoch(m.agenda_published_at) END), 0)
		FROM decisions d LEFT JOIN meetings m ON m.meeting_id = d.meeting_id
		WHERE d.meeting_id <> '' AND d.adopted_at IS NOT NULL` + c.Where() + ` GROUP BY d.meeting_id ORDER BY d.meeting_id`
	return query(ctx, e, f, q, c.Args(), func(r *sql.Rows) (analytics.MeetingDecisions, error) {
		var m analytics.MeetingDecisions
		err := r.Scan(&m.MeetingID, &m.BodyID, &m.Decisions, &m.WithAgenda, &m.AgendaSeconds)
		return m, err
	})
}

// DecisionChanges implements analytics.Engine.
func (e *Engine) DecisionChanges(ctx context.Context, f analytics.Filter) ([]analytics.DecisionChanges, error) {
	var ad, co, re, an analytics.Cond
	for _, c := range []*analytics.Cond{&ad, &co, &re, &an} {
		c.Eq("d.body_id", f.BodyID)
	}
	ad.Period("d.adopted_at", f, textTime)
	co.Period("v.at", f, textTime)
	re.Period("d.changed_at", f, textTime)
	an.Period("d.changed_at", f, textTime)
	q := `SELECT month, sum(k = 'a'), sum(k = 'c'), sum(k = 'r'), sum(k = 'n') FROM (
		SELECT substr(d.adopted_at, 1, 7) AS month, 'a' AS k FROM decisions d WHERE d.adopted_at IS NOT NULL` + ad.Where() + `
		UNION ALL SELECT substr(v.at, 1, 7), 'c' FROM decision_versions v JOIN decisions d ON d.decision_id = v.decision_id
			WHERE v.version > 1 AND v.at IS NOT NULL` + co.Where() + `
		UNION ALL SELECT substr(d.changed_at, 1, 7), 'r' FROM decisions d WHERE d.status = 'revoked'` + re.Where() + `
		UNION ALL SELECT substr(d.changed_at, 1, 7), 'n' FROM decisions d WHERE d.status = 'annulled'` + an.Where() + `
	) GROUP BY month ORDER BY month`
	args := append(append(append(ad.Args(), co.Args()...), re.Args()...), an.Args()...)
	return query(ctx, e, f, q, args, func(r *sql.Rows) (analytics.DecisionChanges, error) {
		var d analytics.DecisionChanges
		err := r.Scan(&d.Month, &d.Adopted, &d.Corrected, &d.Revoked, &d.Annulled)
		return d, err
	})
}

// RequestTimes implements analytics.Engine.
func (e *Engine) RequestTimes(ctx context.Context, f analytics.Filter, now time.Time) ([]analytics.RequestTimes, error) {
	var c analytics.Cond
	c.Eq("category", f.Category)
	c.Period("submitted_at", f, textTime)
	q := `SELECT category, channel, count(*), sum(assisted_by <> ''), sum(due_at IS NOT NULL), sum(answered_at IS NOT NULL),
			coalesce(sum(CASE WHEN answered_at IS NOT NULL AND due_at IS NOT NULL THEN unixepoch(answered_at) - unixepoch(submitted_at) END), 0),
			coalesce(sum(CASE WHEN answered_at IS NOT NULL AND due_at IS NOT NULL THEN unixepoch(due_at) - unixepoch(submitted_at) END), 0),
			sum(due_at IS NOT NULL AND ((answered_at IS NOT NULL AND answered_at > due_at) OR (answered_at IS NULL AND due_at < ?)))
		FROM requests WHERE submitted_at IS NOT NULL` + c.Where() + ` GROUP BY category, channel ORDER BY category, channel`
	return query(ctx, e, f, q, append([]any{now.UTC().Format(timeLayout)}, c.Args()...), func(r *sql.Rows) (analytics.RequestTimes, error) {
		var t analytics.RequestTimes
		err := r.Scan(&t.Category, &t.Channel, &t.Requests, &t.Assisted, &t.WithDueDate, &t.Answered, &t.ResponseSeconds, &t.AllowedSeconds, &t.Overdue)
		return t, err
	})
}

// Participation implements analytics.Engine.
func (e *Engine) Participation(ctx context.Context, f analytics.Filter) ([]analytics.Participation, error) {
	var c analytics.Cond
	c.Eq("m.body_id", f.BodyID)
	c.Eq("cm.kind", f.Category)
	c.Period("cm.submitted_at", f, textTime)
	q := `SELECT cs.meeting_id, cm.item_id, count(*), sum(cm.kind = 'proposal'), sum(cm.kind = 'objection'), sum(cm.kind = 'comment')
		FROM comments cm JOIN consultations cs ON cs.item_id = cm.item_id LEFT JOIN meetings m ON m.meeting_id = cs.meeting_id
		WHERE cm.submitted_at IS NOT NULL` + c.Where() + ` GROUP BY 1, 2 ORDER BY 1, 2`
	return query(ctx, e, f, q, c.Args(), func(r *sql.Rows) (analytics.Participation, error) {
		var p analytics.Participation
		err := r.Scan(&p.MeetingID, &p.ItemID, &p.Comments, &p.Proposals, &p.Objections, &p.Remarks)
		return p, err
	})
}

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
