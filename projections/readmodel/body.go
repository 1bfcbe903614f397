package readmodel

import (
	"cmp"
	"encoding/json"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Bodies and memberships. A membership row is one period of one member in
// one role and faction: joining opens a row; leaving, or a change of role
// or faction, closes it (until_at) and a change opens the next one. So
// "who sat for which faction on a date" is a range query.

// bodyRow is a row of bodies.
type bodyRow struct{ Body }

var bodies = define(&table[string, bodyRow]{
	name: "bodies", keys: 1, rowid: true,
	columns: []column[bodyRow]{
		textCol("body_id", "TEXT PRIMARY KEY", func(r *bodyRow) *string { return &r.ID }),
		textCol("name", "TEXT NOT NULL", func(r *bodyRow) *string { return &r.Name }),
		textCol("kind", "TEXT NOT NULL", func(r *bodyRow) *string { return &r.Kind }),
		jsonCol("settings", "TEXT NOT NULL", func(r *bodyRow) *json.RawMessage { return &r.Settings }),
		timeCol("registered_at", func(r *bodyRow) *time.Time { return &r.RegisteredAt }),
	},
	key:    func(r *bodyRow) string { return r.ID },
	newRow: func(id string) bodyRow { return bodyRow{Body{ID: id}} },
	order:  byString,
})

// membershipRow is a row of memberships; left_reason is NULL until the
// member leaves.
type membershipRow struct {
	Membership
	left bool
}

type membershipKey struct {
	body, member string
	period       int
}

var memberships = define(&table[membershipKey, membershipRow]{
	name: "memberships", keys: 3, constraint: "PRIMARY KEY (body_id, member_id, period)",
	columns: []column[membershipRow]{
		textCol("body_id", "TEXT NOT NULL", func(r *membershipRow) *string { return &r.BodyID }),
		textCol("member_id", "TEXT NOT NULL", func(r *membershipRow) *string { return &r.MemberID }),
		intCol("period", "INTEGER NOT NULL", func(r *membershipRow) *int { return &r.Period }),
		textCol("name", "TEXT NOT NULL", func(r *membershipRow) *string { return &r.Name }),
		textCol("faction_id", "TEXT NOT NULL", func(r *membershipRow) *string { return &r.FactionID }),
		textCol("role", "TEXT NOT NULL", func(r *membershipRow) *string { return &r.Role }),
		timeCol("since_at", func(r *membershipRow) *time.Time { return &r.Since }),
		timeCol("until_at", func(r *membershipRow) *time.Time { return &r.Until }),
		{name: "left_reason", decl: "TEXT",
			get: func(r *membershipRow) any {
				if !r.left {
					return nil
				}
				return r.LeftReason
			},
			set: func(r *membershipRow, v any) { r.LeftReason, r.left = asText(v), v != nil }},
	},
	indexes: []string{
		`CREATE INDEX {memberships_member} ON {memberships} (member_id, body_id)`,
		`CREATE INDEX {memberships_faction} ON {memberships} (faction_id, body_id)`,
		`CREATE INDEX {memberships_role} ON {memberships} (role, body_id)`,
		`CREATE INDEX {memberships_current} ON {memberships} (body_id, until_at)`,
	},
	key: func(r *membershipRow) membershipKey { return membershipKey{r.BodyID, r.MemberID, r.Period} },
	newRow: func(k membershipKey) membershipRow {
		return membershipRow{Membership: Membership{BodyID: k.body, MemberID: k.member, Period: k.period}}
	},
	order: func(a, b membershipKey) int {
		return cmp.Or(strings.Compare(a.body, b.body), strings.Compare(a.member, b.member), cmp.Compare(a.period, b.period))
	},
})

func applyBody(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.BodyRegistered:
		settings, err := json.Marshal(e.Settings)
		if err != nil {
			return true, err
		}
		bodies.of(w).put(bodyRow{Body{ID: w.id(), Name: e.Name, Kind: string(e.Kind), Settings: settings, RegisteredAt: w.at()}})
		return true, nil
	case events.BodySettingsChanged:
		settings, err := json.Marshal(e.Settings)
		if err != nil {
			return true, err
		}
		_, err = bodies.of(w).change(w, w.id(), func(r *bodyRow) { r.Settings = settings })
		return true, err
	case events.BodyMemberJoined:
		period, err := w.nextPeriod(e.MemberID, 1)
		if err != nil {
			return true, err
		}
		if err := w.legacyFaction(e.FactionID, e.LegacyFaction); err != nil {
			return true, err
		}
		memberships.of(w).put(membershipRow{Membership: Membership{BodyID: w.id(), MemberID: e.MemberID, Period: period, Name: e.Name,
			FactionID: e.FactionID, Role: string(e.Role), Since: w.at()}})
		return true, nil
	case events.BodyMemberLeft:
		current, err := w.currentMembership(e.MemberID)
		if current != nil {
			current.Until, current.LeftReason, current.left = w.at(), e.Reason, true
		}
		return true, err
	case events.BodyMemberRoleChanged:
		return true, w.changeMembership(e.MemberID, func(m *membershipRow) { m.Role = string(e.Role) })
	case events.BodyMemberFactionChanged:
		if err := w.legacyFaction(e.FactionID, e.LegacyFaction); err != nil {
			return true, err
		}
		return true, w.changeMembership(e.MemberID, func(m *membershipRow) { m.FactionID = e.FactionID })
	}
	return false, nil
}

// nextPeriod reserves the next n periods of a member of the event's body
// and returns the first (n = 0: the member's last period plus one).
func (w writer) nextPeriod(member string, n int64) (int, error) {
	p, err := w.nextSeq(batchOf(w).seqs, seqKey("memberships", w.id(), member), n,
		`SELECT coalesce(max(period), 0) FROM {memberships} WHERE body_id = ? AND member_id = ?`, w.id(), member)
	return int(p), err
}

// currentMembership returns a member's current period of the event's
// body, to be changed in place, or nil when the member sits on it no
// longer.
func (w writer) currentMembership(member string) (*membershipRow, error) {
	next, err := w.nextPeriod(member, 0)
	if err != nil || next == 1 {
		return nil, err
	}
	rows, k := memberships.of(w), membershipKey{w.id(), member, next - 1}
	m, err := rows.get(w, k)
	if err != nil || m == nil || !m.Until.IsZero() {
		return nil, err
	}
	rows.write(k)
	return m, nil
}

// changeMembership closes a member's current period and opens the next,
// changed by set.
func (w writer) changeMembership(member string, set func(*membershipRow)) error {
	current, err := w.currentMembership(member)
	if err != nil || current == nil {
		return err // not a current member: nothing to change
	}
	current.Until = w.at()
	period, err := w.nextPeriod(member, 1)
	if err != nil {
		return err
	}
	next := membershipRow{Membership: Membership{BodyID: w.id(), MemberID: member, Period: period, Name: current.Name,
		FactionID: current.FactionID, Role: current.Role, Since: w.at()}}
	set(&next)
	memberships.of(w).put(next)
	return nil
}
