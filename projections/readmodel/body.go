package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

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
CREATE INDEX {memberships_member} ON {memberships} (member_id, since_at);
CREATE INDEX {memberships_faction} ON {memberships} (faction, body_id);
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

// Body is a council, committee or local community.
type Body struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Kind         string          `json:"kind"`
	Settings     json.RawMessage `json:"settings"`
	RegisteredAt time.Time       `json:"registered_at"`
}

// Membership is one period of a member in a body, in one role and faction.
// Until is zero while it lasts.
type Membership struct {
	BodyID     string    `json:"body_id"`
	MemberID   string    `json:"member_id"`
	Name       string    `json:"name"`
	Faction    string    `json:"faction"`
	Role       string    `json:"role"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	LeftReason string    `json:"left_reason,omitempty"`
}

// MembershipFilter selects membership periods; empty fields select all.
// At, when set, keeps the periods that held at that time.
type MembershipFilter struct {
	BodyID   string
	MemberID string
	Faction  string
	At       time.Time
	Page
}

// Body returns one body, or a not_found error.
func (m *ReadModel) Body(ctx context.Context, id string) (Body, error) {
	rows, err := m.bodies(ctx, `WHERE body_id = ?`, id)
	if err != nil {
		return Body{}, err
	}
	if len(rows) == 0 {
		return Body{}, events.Errorf(events.CodeNotFound, "body %s not found", id)
	}
	return rows[0], nil
}

// Bodies returns every body, by id.
func (m *ReadModel) Bodies(ctx context.Context) ([]Body, error) {
	return m.bodies(ctx, ``)
}

func (m *ReadModel) bodies(ctx context.Context, where string, args ...any) ([]Body, error) {
	return queryRows(ctx, m.q, `SELECT body_id, name, kind, settings, coalesce(registered_at, '') FROM bodies `+where+` ORDER BY body_id`,
		args, func(s scanner) (Body, error) {
			var b Body
			var settings, at string
			err := s.Scan(&b.ID, &b.Name, &b.Kind, &settings, &at)
			b.Settings, b.RegisteredAt = json.RawMessage(settings), parseTime(at)
			return b, err
		})
}

// Memberships returns membership periods by body, member and start.
func (m *ReadModel) Memberships(ctx context.Context, f MembershipFilter) ([]Membership, error) {
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("member_id", f.MemberID)
	q.eq("faction", f.Faction)
	if !f.At.IsZero() {
		at := timeText(f.At)
		q.where("since_at <= ? AND (until_at IS NULL OR until_at > ?)", at, at)
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	return queryRows(ctx, m.q, `SELECT body_id, member_id, name, faction, role, coalesce(since_at, ''), coalesce(until_at, ''),
		coalesce(left_reason, '') FROM memberships`+q.String()+` ORDER BY body_id, member_id, period LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), func(s scanner) (Membership, error) {
			var ms Membership
			var since, until string
			err := s.Scan(&ms.BodyID, &ms.MemberID, &ms.Name, &ms.Faction, &ms.Role, &since, &until, &ms.LeftReason)
			ms.Since, ms.Until = parseTime(since), parseTime(until)
			return ms, err
		})
}
