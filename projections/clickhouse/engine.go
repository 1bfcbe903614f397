package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
)

// Engine answers the analytics questions from the sink's tables, with the
// same rules as the embedded engine over the read model (see the
// analytics package): each entity's state is folded at query time from
// its fact rows, argMax by log position, so duplicates written by a
// retried batch change nothing. It answers from the rows the sink has
// inserted, which may run a batch ahead of its checkpoint.
type Engine struct {
	conn driver.Conn
	db   string
}

var _ analytics.Engine = (*Engine)(nil)

// NewEngine returns the engine over the tables of the sink of opts (the
// same Addr and Database). It does not dial.
func NewEngine(opts Options) (*Engine, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	conn, err := Conn(opts)
	if err != nil {
		return nil, err
	}
	return &Engine{conn: conn, db: opts.Database}, nil
}

// Close closes the engine's connections.
func (e *Engine) Close() error { return e.conn.Close() }

// Subqueries folding each entity's state from its fact rows. {db} is the
// database.
const (
	// votesQ: each vote's body, question type and opening.
	votesQ = `SELECT vote_id, argMax(body_id, position) AS v_body, argMax(question_type, position) AS v_qtype,
		argMax(opened_ns, position) AS opened_ns FROM {db}.votes GROUP BY vote_id`
	// ballotsQ: each member's ballot in each vote, with the vote and the
	// faction the member held in its body when casting it (written by the
	// sink: its cast row, or a faction row restating it).
	ballotsQ = `SELECT vote_id, member_id, choice, faction, opened_ns, v_body AS body_id, v_qtype FROM (
		SELECT vote_id, member_id, argMaxIf(choice, position, kind IN ('cast', 'changed')) AS choice,
			argMaxIf(faction, position, kind IN ('cast', 'faction')) AS faction
		FROM {db}.ballots GROUP BY vote_id, member_id HAVING countIf(kind = 'cast') > 0
	) ANY INNER JOIN (` + votesQ + `) USING vote_id WHERE choice IN ('yes', 'no', 'abstain')`
	// memberChangesQ: each change of a member's faction or membership.
	memberChangesQ = `SELECT body_id, member_id, position AS m_pos, at_ns AS m_at, active AS m_active,
		if(active = 1, faction, '') AS m_faction FROM {db}.member_changes`
	// meetingsQ: each scheduled meeting's body, convening, seats and
	// agenda publication.
	meetingsQ = `SELECT meeting_id, argMaxIf(body_id, position, kind = 'scheduled') AS m_body,
		argMaxIf(at_ns, position, kind = 'convened') AS convened_ns,
		argMaxIf(seats, position, kind IN ('convened', 'quorum_failed')) AS seats,
		argMaxIf(at_ns, position, kind = 'agenda_published') AS agenda_ns
		FROM {db}.meeting_events GROUP BY meeting_id HAVING countIf(kind = 'scheduled') > 0`
	// presentQ: who was present at the end of each meeting.
	presentQ = `SELECT meeting_id, member_id, argMax(present, position) AS present FROM {db}.attendance GROUP BY meeting_id, member_id`
	// decisionsQ: each adopted decision's body, meeting, adoption, status
	// and last change.
	decisionsQ = `SELECT decision_id, argMaxIf(body_id, position, kind = 'adopted') AS d_body,
		argMaxIf(meeting_id, position, kind = 'adopted') AS d_meeting, argMaxIf(at_ns, position, kind = 'adopted') AS adopted_ns,
		argMaxIf(kind, position, kind IN ('adopted', 'revoked', 'annulled')) AS status,
		argMaxIf(at_ns, position, kind IN ('adopted', 'corrected', 'revoked', 'annulled')) AS changed_ns
		FROM {db}.decision_events GROUP BY decision_id HAVING countIf(kind = 'adopted') > 0`
	// procurementsQ: each planned process's buyer, primary CPV division,
	// procedure and award.
	procurementsQ = `SELECT ocid, argMaxIf(body_id, position, kind = 'planned') AS p_body,
		argMinIf(cpv_division, position, kind = 'planned') AS division, argMaxIf(procedure, position, kind = 'tender') AS procedure,
		argMaxIf(supplier_vat_id, position, kind = 'award') AS supplier,
		sumIf(cents, kind = 'award') - sumIf(cents, kind = 'award_annulled') AS award_cents,
		argMaxIf(currency, position, kind = 'award') AS award_currency, argMaxIf(at_ns, position, kind = 'award') AS awarded_ns
		FROM (SELECT DISTINCT ocid, position, kind, at_ns, body_id, cpv_division, procedure, supplier_vat_id, cents, currency
			FROM {db}.money_flows) GROUP BY ocid HAVING countIf(kind = 'planned') > 0`
	// paymentsQ: each payment with its process.
	paymentsQ = `SELECT * FROM (
		SELECT ocid, payment_id, argMax(cents, position) AS pay_cents, argMax(currency, position) AS pay_currency,
			argMax(at_ns, position) AS paid_ns FROM {db}.money_flows WHERE kind = 'payment' GROUP BY ocid, payment_id
	) ANY INNER JOIN (` + procurementsQ + `) USING ocid`
	suppliersQ = `SELECT vat_id, argMax(kind, position) AS s_kind, argMax(municipality, position) AS s_muni
		FROM {db}.suppliers GROUP BY vat_id`
	requestsQ = `SELECT request_id, argMaxIf(category, position, kind = 'submitted') AS category,
		argMaxIf(channel, position, kind = 'submitted') AS channel, argMaxIf(assisted, position, kind = 'submitted') AS assisted,
		argMaxIf(at_ns, position, kind = 'submitted') AS submitted_ns,
		argMaxIf(due_ns, position, kind IN ('acknowledged', 'reopened', 'extended', 'forwarded')) AS due_ns,
		argMaxIf(answered_ns, position, kind IN ('answered', 'rejected', 'reopened')) AS answered_ns
		FROM {db}.request_events GROUP BY request_id HAVING countIf(kind = 'submitted') > 0`
)

// secondsOf is the whole seconds of a nanosecond column, as SQLite's
// unixepoch reads the read model's text.
func secondsOf(col string) string { return "intDiv(" + col + ", 1000000000)" }

func utc(col string) string { return "toDateTime(" + secondsOf(col) + ", 'UTC')" }

// nanos is a filter's bound as the fact tables' Unix nanoseconds.
func nanos(t time.Time) any { return t.UnixNano() }

// query runs q (with {db}) and scans every row.
func query[T any](ctx context.Context, e *Engine, f analytics.Filter, q string, args []any, scan func(driver.Rows) (T, error)) ([]T, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	rows, err := e.conn.Query(ctx, strings.ReplaceAll(q, "{db}", e.db), args...)
	if err != nil {
		return nil, queryError(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("clickhouse analytics: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(err)
	}
	return out, nil
}

// queryError tells an unreachable server (unavailable) from a failed query
// (internal).
func queryError(err error) error {
	var ex *ch.Exception
	if errors.As(err, &ex) {
		return fmt.Errorf("clickhouse analytics: %w", err)
	}
	return &events.Error{Code: events.CodeUnavailable, Message: "the analytics store is unreachable", Err: err}
}

func spendingKeys(by analytics.SpendingKey) (award, payment string, err error) {
	switch by {
	case analytics.BySupplier:
		return "supplier", "supplier", nil
	case analytics.ByCPVDivision:
		return "division", "division", nil
	case analytics.ByProcedure:
		return "procedure", "procedure", nil
	case analytics.ByYear:
		return "toString(toYear(" + utc("awarded_ns") + "))", "toString(toYear(" + utc("paid_ns") + "))", nil
	}
	return "", "", &events.Error{Code: events.CodeInvalid, Message: fmt.Sprintf("analytics: spending by %q: not supplier, cpv_division, procedure or year", by)}
}

// moneyConds are the conditions of the award and payment halves of the
// money questions.
func moneyConds(f analytics.Filter) (aw, pd analytics.Cond) {
	for _, c := range []*analytics.Cond{&aw, &pd} {
		c.Eq("p_body", f.BodyID)
		c.Eq("division", f.Category)
	}
	aw.Period("awarded_ns", f, nanos)
	pd.Period("paid_ns", f, nanos)
	return aw, pd
}

// Spending implements analytics.Engine.
func (e *Engine) Spending(ctx context.Context, f analytics.Filter, by analytics.SpendingKey) ([]analytics.Spending, error) {
	ka, kp, err := spendingKeys(by)
	if err != nil {
		return nil, err
	}
	aw, pd := moneyConds(f)
	q := `SELECT k, cur, toInt64(sum(awards)), toInt64(sum(awarded)), toInt64(sum(payments)), toInt64(sum(paid)) FROM (
		SELECT ` + ka + ` AS k, award_currency AS cur, toInt64(1) AS awards, toInt64(award_cents) AS awarded, toInt64(0) AS payments,
			toInt64(0) AS paid FROM (` + procurementsQ + `) WHERE awarded_ns != 0 AND award_currency != ''` + aw.Where() + `
		UNION ALL
		SELECT ` + kp + ` AS k, pay_currency AS cur, toInt64(0) AS awards, toInt64(0) AS awarded, toInt64(1) AS payments,
			toInt64(pay_cents) AS paid FROM (` + paymentsQ + `) WHERE paid_ns != 0` + pd.Where() + `
	) GROUP BY k, cur ORDER BY k, cur`
	return query(ctx, e, f, q, append(aw.Args(), pd.Args()...), func(r driver.Rows) (analytics.Spending, error) {
		var s analytics.Spending
		err := r.Scan(&s.Key, &s.Currency, &s.Awards, &s.AwardedCents, &s.Payments, &s.PaidCents)
		return s, err
	})
}

// SupplierShares implements analytics.Engine.
func (e *Engine) SupplierShares(ctx context.Context, f analytics.Filter, local string) ([]analytics.SupplierShares, error) {
	aw, pd := moneyConds(f)
	q := `SELECT cur, paid, toInt64(sum(cents)), toInt64(sumIf(cents, s_kind = 'cooperative')), toInt64(sumIf(cents, s_kind = 'sme')),
		toInt64(sumIf(cents, s_muni = ?)) FROM (
		SELECT vat_id, cur, paid, cents FROM (
			SELECT supplier AS vat_id, award_currency AS cur, toUInt8(0) AS paid, toInt64(award_cents) AS cents
			FROM (` + procurementsQ + `) WHERE awarded_ns != 0 AND award_currency != ''` + aw.Where() + `
			UNION ALL
			SELECT supplier AS vat_id, pay_currency AS cur, toUInt8(1) AS paid, toInt64(pay_cents) AS cents
			FROM (` + paymentsQ + `) WHERE paid_ns != 0` + pd.Where() + `
		)
	) ANY LEFT JOIN (` + suppliersQ + `) USING vat_id GROUP BY cur, paid ORDER BY cur, paid`
	type part struct {
		cur  string
		paid uint8
		m    analytics.Money
	}
	parts, err := query(ctx, e, f, q, append(append([]any{local}, aw.Args()...), pd.Args()...), func(r driver.Rows) (part, error) {
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
		if p.paid == 1 {
			out[len(out)-1].Paid = p.m
		} else {
			out[len(out)-1].Awarded = p.m
		}
	}
	return out, nil
}

// ballotsWithFactions is ballotsQ narrowed by the filter, each ballot with
// the faction its member held in the vote's body when casting it ("" for
// none). factionVotes counts them per vote and faction, with the faction's
// position.
func ballotsWithFactions(f analytics.Filter) (string, []any) {
	var c analytics.Cond
	c.Eq("body_id", f.BodyID)
	c.Eq("v_qtype", f.Category)
	c.Period("opened_ns", f, nanos)
	return `SELECT vote_id, member_id, choice, opened_ns, faction FROM (` + ballotsQ + `) WHERE 1 = 1` + c.Where(), c.Args()
}

func factionVotes(f analytics.Filter) (string, []any) {
	b, args := ballotsWithFactions(f)
	return `SELECT vote_id, opened_ns, faction, y, n, a,
		multiIf(y > n AND y > a, 'yes', n > y AND n > a, 'no', a > y AND a > n, 'abstain', '') AS pos FROM (
		SELECT vote_id, opened_ns, faction, toInt64(countIf(choice = 'yes')) AS y, toInt64(countIf(choice = 'no')) AS n,
			toInt64(countIf(choice = 'abstain')) AS a
		FROM (` + b + `) WHERE faction != '' GROUP BY vote_id, opened_ns, faction)`, args
}

// Agreement implements analytics.Engine. The stances are fetched in vote
// order and paired in Go (analytics.PairAgreement).
func (e *Engine) Agreement(ctx context.Context, f analytics.Filter, level analytics.Level) ([]analytics.Agreement, error) {
	var q string
	var args []any
	switch level {
	case analytics.ByMember:
		var c analytics.Cond
		c.Eq("body_id", f.BodyID)
		c.Eq("v_qtype", f.Category)
		c.Period("opened_ns", f, nanos)
		q = `SELECT vote_id, member_id, choice FROM (` + ballotsQ + `) WHERE 1 = 1` + c.Where() + ` ORDER BY vote_id`
		args = c.Args()
	case analytics.ByFaction:
		var fv string
		fv, args = factionVotes(f)
		q = `SELECT vote_id, faction, pos FROM (` + fv + `) WHERE pos != '' ORDER BY vote_id`
	default:
		return nil, &events.Error{Code: events.CodeInvalid, Message: fmt.Sprintf("analytics: agreement by %q: not member or faction", level)}
	}
	stances, err := query(ctx, e, f, q, args, func(r driver.Rows) (analytics.Stance, error) {
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
	fv, args := factionVotes(f)
	q := `SELECT vote_id, opened_ns, faction, y, n, a FROM (` + fv + `) ORDER BY opened_ns, vote_id, faction`
	return query(ctx, e, f, q, args, func(r driver.Rows) (analytics.FactionVote, error) {
		var v analytics.FactionVote
		var opened int64
		err := r.Scan(&v.VoteID, &opened, &v.Faction, &v.Yes, &v.No, &v.Abstain)
		v.OpenedAt = fromNS(opened)
		return v, err
	})
}

// Dissent implements analytics.Engine. Each vote's ballots are read once:
// grouped per vote and faction with the faction's position, then taken
// apart again (ARRAY JOIN) to compare each member's choice with it.
func (e *Engine) Dissent(ctx context.Context, f analytics.Filter) ([]analytics.Dissent, error) {
	b, args := ballotsWithFactions(f)
	q := `SELECT member_id, faction, toInt64(count()), toInt64(countIf(choice != pos)) FROM (
		SELECT faction, pos, tupleElement(ballot, 1) AS member_id, tupleElement(ballot, 2) AS choice FROM (
			SELECT faction, ballots,
				multiIf(y > n AND y > a, 'yes', n > y AND n > a, 'no', a > y AND a > n, 'abstain', '') AS pos FROM (
				SELECT vote_id, faction, groupArray((member_id, choice)) AS ballots, countIf(choice = 'yes') AS y,
					countIf(choice = 'no') AS n, countIf(choice = 'abstain') AS a
				FROM (` + b + `) WHERE faction != '' GROUP BY vote_id, faction
			)
		) ARRAY JOIN ballots AS ballot WHERE pos != ''
	) GROUP BY member_id, faction ORDER BY member_id, faction`
	return query(ctx, e, f, q, args, func(r driver.Rows) (analytics.Dissent, error) {
		var d analytics.Dissent
		err := r.Scan(&d.MemberID, &d.Faction, &d.Ballots, &d.Against)
		return d, err
	})
}

func convenedMeetings(f analytics.Filter) (string, []any) {
	var c analytics.Cond
	c.Eq("m_body", f.BodyID)
	c.Period("convened_ns", f, nanos)
	return `SELECT meeting_id, m_body, convened_ns, seats FROM (` + meetingsQ + `) WHERE convened_ns != 0` + c.Where(), c.Args()
}

// MemberAttendance implements analytics.Engine.
func (e *Engine) MemberAttendance(ctx context.Context, f analytics.Filter) ([]analytics.MemberAttendance, error) {
	m, args := convenedMeetings(f)
	q := `SELECT body_id, member_id, toInt64(count()), toInt64(sum(present)) FROM (
		SELECT meeting_id, body_id, member_id FROM (
			SELECT meeting_id, body_id, member_id, argMaxIf(m_active, m_pos, m_at <= convened_ns) AS active FROM (
				SELECT meeting_id, m_body AS body_id, convened_ns FROM (` + m + `)
			) ALL INNER JOIN (` + memberChangesQ + `) USING body_id
			GROUP BY meeting_id, body_id, member_id
		) WHERE active = 1
	) ANY LEFT JOIN (` + presentQ + `) USING (meeting_id, member_id)
	GROUP BY body_id, member_id ORDER BY body_id, member_id`
	return query(ctx, e, f, q, args, func(r driver.Rows) (analytics.MemberAttendance, error) {
		var a analytics.MemberAttendance
		err := r.Scan(&a.BodyID, &a.MemberID, &a.Meetings, &a.Present)
		return a, err
	})
}

// MeetingAttendance implements analytics.Engine.
func (e *Engine) MeetingAttendance(ctx context.Context, f analytics.Filter) ([]analytics.MeetingAttendance, error) {
	m, args := convenedMeetings(f)
	q := `SELECT meeting_id, m_body, convened_ns, toInt64(seats), toInt64(present) FROM (` + m + `)
		ANY LEFT JOIN (SELECT meeting_id, sum(present) AS present FROM (` + presentQ + `) GROUP BY meeting_id) USING meeting_id
		ORDER BY convened_ns, meeting_id`
	return query(ctx, e, f, q, args, func(r driver.Rows) (analytics.MeetingAttendance, error) {
		var a analytics.MeetingAttendance
		var convened int64
		err := r.Scan(&a.MeetingID, &a.BodyID, &convened, &a.Seats, &a.Present)
		a.ConvenedAt = fromNS(convened)
		return a, err
	})
}

// MeetingDecisions implements analytics.Engine.
func (e *Engine) MeetingDecisions(ctx context.Context, f analytics.Filter) ([]analytics.MeetingDecisions, error) {
	var c analytics.Cond
	c.Eq("d_body", f.BodyID)
	c.Period("adopted_ns", f, nanos)
	q := `SELECT meeting_id, max(d_body), toInt64(count()), toInt64(countIf(agenda_ns != 0)),
		toInt64(sumIf(` + secondsOf("adopted_ns") + ` - ` + secondsOf("agenda_ns") + `, agenda_ns != 0)) FROM (
		SELECT d_meeting AS meeting_id, d_body, adopted_ns FROM (` + decisionsQ + `) WHERE d_meeting != '' AND adopted_ns != 0` + c.Where() + `
	) ANY LEFT JOIN (SELECT meeting_id, agenda_ns FROM (` + meetingsQ + `)) USING meeting_id
	GROUP BY meeting_id ORDER BY meeting_id`
	return query(ctx, e, f, q, c.Args(), func(r driver.Rows) (analytics.MeetingDecisions, error) {
		var m analytics.MeetingDecisions
		err := r.Scan(&m.MeetingID, &m.BodyID, &m.Decisions, &m.WithAgenda, &m.AgendaSeconds)
		return m, err
	})
}

// DecisionChanges implements analytics.Engine.
func (e *Engine) DecisionChanges(ctx context.Context, f analytics.Filter) ([]analytics.DecisionChanges, error) {
	var ad, co, re, an analytics.Cond
	for _, c := range []*analytics.Cond{&ad, &co, &re, &an} {
		c.Eq("d_body", f.BodyID)
	}
	ad.Period("adopted_ns", f, nanos)
	co.Period("v_at", f, nanos)
	re.Period("changed_ns", f, nanos)
	an.Period("changed_ns", f, nanos)
	month := func(col string) string { return "toYYYYMM(" + utc(col) + ")" }
	q := `SELECT month, toInt64(countIf(k = 'a')), toInt64(countIf(k = 'c')), toInt64(countIf(k = 'r')), toInt64(countIf(k = 'n')) FROM (
		SELECT ` + month("adopted_ns") + ` AS month, 'a' AS k FROM (` + decisionsQ + `) WHERE adopted_ns != 0` + ad.Where() + `
		UNION ALL
		SELECT ` + month("v_at") + ` AS month, 'c' AS k FROM (
			SELECT decision_id, version, argMax(at_ns, position) AS v_at FROM {db}.decision_events
			WHERE kind = 'corrected' AND version > 1 GROUP BY decision_id, version
		) ANY INNER JOIN (SELECT decision_id, d_body FROM (` + decisionsQ + `)) USING decision_id WHERE v_at != 0` + co.Where() + `
		UNION ALL
		SELECT ` + month("changed_ns") + ` AS month, 'r' AS k FROM (` + decisionsQ + `) WHERE status = 'revoked'` + re.Where() + `
		UNION ALL
		SELECT ` + month("changed_ns") + ` AS month, 'n' AS k FROM (` + decisionsQ + `) WHERE status = 'annulled'` + an.Where() + `
	) GROUP BY month ORDER BY month`
	args := append(append(append(ad.Args(), co.Args()...), re.Args()...), an.Args()...)
	return query(ctx, e, f, q, args, func(r driver.Rows) (analytics.DecisionChanges, error) {
		var d analytics.DecisionChanges
		var m uint32
		err := r.Scan(&m, &d.Adopted, &d.Corrected, &d.Revoked, &d.Annulled)
		d.Month = fmt.Sprintf("%04d-%02d", m/100, m%100)
		return d, err
	})
}

// RequestTimes implements analytics.Engine.
func (e *Engine) RequestTimes(ctx context.Context, f analytics.Filter, now time.Time) ([]analytics.RequestTimes, error) {
	var c analytics.Cond
	c.Eq("category", f.Category)
	c.Period("submitted_ns", f, nanos)
	answered := "answered_ns != 0 AND due_ns != 0"
	q := `SELECT category, channel, toInt64(count()), toInt64(sum(assisted)), toInt64(countIf(due_ns != 0)), toInt64(countIf(answered_ns != 0)),
		toInt64(sumIf(` + secondsOf("answered_ns") + ` - ` + secondsOf("submitted_ns") + `, ` + answered + `)),
		toInt64(sumIf(` + secondsOf("due_ns") + ` - ` + secondsOf("submitted_ns") + `, ` + answered + `)),
		toInt64(countIf(due_ns != 0 AND ((answered_ns != 0 AND answered_ns > due_ns) OR (answered_ns = 0 AND due_ns < ?))))
		FROM (` + requestsQ + `) WHERE submitted_ns != 0` + c.Where() + ` GROUP BY category, channel ORDER BY category, channel`
	return query(ctx, e, f, q, append([]any{now.UnixNano()}, c.Args()...), func(r driver.Rows) (analytics.RequestTimes, error) {
		var t analytics.RequestTimes
		err := r.Scan(&t.Category, &t.Channel, &t.Requests, &t.Assisted, &t.WithDueDate, &t.Answered, &t.ResponseSeconds, &t.AllowedSeconds, &t.Overdue)
		return t, err
	})
}

// Participation implements analytics.Engine.
func (e *Engine) Participation(ctx context.Context, f analytics.Filter) ([]analytics.Participation, error) {
	var c analytics.Cond
	c.Eq("m_body", f.BodyID)
	c.Eq("kind", f.Category)
	c.Period("at_ns", f, nanos)
	q := `SELECT meeting_id, item_id, toInt64(count()), toInt64(countIf(kind = 'proposal')), toInt64(countIf(kind = 'objection')),
		toInt64(countIf(kind = 'comment')) FROM (
		SELECT * FROM (
			SELECT comment_id, argMax(item_id, position) AS item_id, argMax(kind, position) AS kind, argMax(at_ns, position) AS at_ns
			FROM {db}.comments GROUP BY comment_id
		) ANY INNER JOIN (SELECT item_id, argMax(meeting_id, position) AS meeting_id FROM {db}.consultations GROUP BY item_id) USING item_id
	) ANY LEFT JOIN (SELECT meeting_id, m_body FROM (` + meetingsQ + `)) USING meeting_id
	WHERE at_ns != 0` + c.Where() + ` GROUP BY meeting_id, item_id ORDER BY meeting_id, item_id`
	return query(ctx, e, f, q, c.Args(), func(r driver.Rows) (analytics.Participation, error) {
		var p analytics.Participation
		err := r.Scan(&p.MeetingID, &p.ItemID, &p.Comments, &p.Proposals, &p.Objections, &p.Remarks)
		return p, err
	})
}

func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
