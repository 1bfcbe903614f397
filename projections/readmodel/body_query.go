package readmodel

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

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
