package readmodel

import (
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/pnyx-civic/pnyx/events"
)

// Bodies and memberships. A membership row is one period of one member in
// one role and faction: joining opens a row; leaving, or a change of role
// or faction, closes it (until_at) and a change opens the next one. So
// "who sat for which faction on a date" is a range query.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {bodies} (
	body_id       TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	settings      TEXT NOT NULL,
	registered_at TEXT
);
CREATE TABLE {memberships} (
	body_id      TEXT NOT NULL,
	member_id    TEXT NOT NULL,
	period       INTEGER NOT NULL,
	name         TEXT NOT NULL,
	faction      TEXT NOT NULL,
	role         TEXT NOT NULL,
	since_at     TEXT,
	until_at     TEXT,
	left_reason  TEXT,
	PRIMARY KEY (body_id, member_id, period)
) WITHOUT ROWID;
CREATE INDEX {memberships_member} ON {memberships} (member_id, body_id);
CREATE INDEX {memberships_faction} ON {memberships} (faction, body_id);
CREATE INDEX {memberships_role} ON {memberships} (role, body_id);
CREATE INDEX {memberships_current} ON {memberships} (body_id, until_at);
`)
}

func applyBody(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.BodyRegistered:
		settings, err := json.Marshal(e.Settings)
		if err != nil {
			return true, err
		}
		return true, w.exec(`INSERT OR REPLACE INTO {bodies} (body_id, name, kind, settings, registered_at) VALUES (?, ?, ?, ?, ?)`,
			w.id(), e.Name, string(e.Kind), string(settings), w.occurred())
	case events.BodySettingsChanged:
		settings, err := json.Marshal(e.Settings)
		if err != nil {
			return true, err
		}
		return true, w.exec(`UPDATE {bodies} SET settings = ? WHERE body_id = ?`, string(settings), w.id())
	case events.BodyMemberJoined:
		return true, w.exec(`INSERT INTO {memberships} (body_id, member_id, period, name, faction, role, since_at)
			SELECT ?1, ?2, coalesce(max(period), 0) + 1, ?3, ?4, ?5, ?6 FROM {memberships} WHERE body_id = ?1 AND member_id = ?2`,
			w.id(), e.MemberID, e.Name, e.Faction, string(e.Role), w.occurred())
	case events.BodyMemberLeft:
		return true, w.exec(`UPDATE {memberships} SET until_at = ?, left_reason = ?
			WHERE body_id = ? AND member_id = ? AND until_at IS NULL`, w.occurred(), e.Reason, w.id(), e.MemberID)
	case events.BodyMemberRoleChanged:
		return true, w.changeMembership(e.MemberID, "role", string(e.Role))
	case events.BodyMemberFactionChanged:
		return true, w.changeMembership(e.MemberID, "faction", e.Faction)
	}
	return false, nil
}

// changeMembership closes a member's current period and opens the next
// with column set to value.
func (w writer) changeMembership(member, column, value string) error {
	name, faction, role := "", "", ""
	err := w.queryRow(`SELECT name, faction, role FROM {memberships}
		WHERE body_id = ? AND member_id = ? AND until_at IS NULL`, w.id(), member).Scan(&name, &faction, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not a current member: nothing to change
	}
	if err != nil {
		return err
	}
	if column == "role" {
		role = value
	} else {
		faction = value
	}
	if err := w.exec(`UPDATE {memberships} SET until_at = ? WHERE body_id = ? AND member_id = ? AND until_at IS NULL`,
		w.occurred(), w.id(), member); err != nil {
		return err
	}
	return w.exec(`INSERT INTO {memberships} (body_id, member_id, period, name, faction, role, since_at)
		SELECT ?1, ?2, coalesce(max(period), 0) + 1, ?3, ?4, ?5, ?6 FROM {memberships} WHERE body_id = ?1 AND member_id = ?2`,
		w.id(), member, name, faction, role, w.occurred())
}
