package readmodel

import (
	"context"
	"encoding/json"
	"time"
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
// Until is zero while it lasts. A membership is identified by its body,
// member and Period, the number of the member's period in the body from 1.
// FactionID is empty for an independent; the faction's name and colour
// are its row of factions (Snapshot.Faction).
type Membership struct {
	BodyID     string    `json:"body_id"`
	MemberID   string    `json:"member_id"`
	Period     int       `json:"period"`
	Name       string    `json:"name"`
	FactionID  string    `json:"faction_id"`
	Role       string    `json:"role"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	LeftReason string    `json:"left_reason,omitempty"`
}

// MembershipKey identifies a membership period.
type MembershipKey struct {
	BodyID   string
	MemberID string
	Period   int
}

// MembershipFilter selects membership periods; empty fields select all.
// Faction is a faction's id. At, when set, keeps the periods that held at
// that time.
type MembershipFilter struct {
	BodyID   string
	MemberID string
	Faction  string
	Role     string
	At       time.Time
	Page
}

var bodyGet = getSpec[Body]{what: "body", columns: bodySelect, from: "bodies", key: []string{"body_id"}, scan: scanBody}

const bodySelect = `body_id, name, kind, settings, coalesce(registered_at, '')`

func scanBody(s scanner) (Body, error) {
	var b Body
	var settings, at string
	err := s.Scan(&b.ID, &b.Name, &b.Kind, &settings, &at)
	b.Settings, b.RegisteredAt = json.RawMessage(settings), parseTime(at)
	return b, err
}

// Body returns one body, or a not_found error.
func (s *Snapshot) Body(ctx context.Context, id string) (Body, error) {
	return getOne(ctx, s, bodyGet, id)
}

// BodiesByID returns the bodies of ids in one query: out[i] is ids[i]'s,
// nil when there is none. More than MaxBatch ids is an invalid error.
func (s *Snapshot) BodiesByID(ctx context.Context, ids []string) ([]*Body, error) {
	return getBatch(ctx, s, bodyGet, idKeys(ids))
}

// Bodies returns bodies by id. A bad page is an invalid error.
func (s *Snapshot) Bodies(ctx context.Context, p Page) (List[Body], error) {
	return runList(ctx, s, listSpec[Body]{name: "bodies", columns: bodySelect, from: "bodies", key: []string{"body_id"}, scan: scanBody},
		query{}, p)
}

const membershipSelect = `body_id, member_id, period, name, faction_id, role, coalesce(since_at, ''), coalesce(until_at, ''),
	coalesce(left_reason, '')`

func scanMembership(s scanner) (Membership, error) {
	var ms Membership
	var since, until string
	err := s.Scan(&ms.BodyID, &ms.MemberID, &ms.Period, &ms.Name, &ms.FactionID, &ms.Role, &since, &until, &ms.LeftReason)
	ms.Since, ms.Until = parseTime(since), parseTime(until)
	return ms, err
}

var membershipGet = getSpec[Membership]{what: "membership", columns: membershipSelect, from: "memberships",
	key: []string{"body_id", "member_id", "period"}, scan: scanMembership}

// Membership returns one membership period, or a not_found error.
func (s *Snapshot) Membership(ctx context.Context, k MembershipKey) (Membership, error) {
	return getOne(ctx, s, membershipGet, k.BodyID, k.MemberID, k.Period)
}

// MembershipsByKey returns the membership periods of keys in one query:
// out[i] is keys[i]'s, nil when there is none. More than MaxBatch keys is
// an invalid error.
func (s *Snapshot) MembershipsByKey(ctx context.Context, keys []MembershipKey) ([]*Membership, error) {
	ks := make([][]any, len(keys))
	for i, k := range keys {
		ks[i] = []any{k.BodyID, k.MemberID, k.Period}
	}
	return getBatch(ctx, s, membershipGet, ks)
}

// Memberships returns membership periods by body, member and period. A
// bad page is an invalid error.
func (s *Snapshot) Memberships(ctx context.Context, f MembershipFilter) (List[Membership], error) {
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("member_id", f.MemberID)
	q.eq("faction_id", f.Faction)
	q.eq("role", f.Role)
	if !f.At.IsZero() {
		at := timeText(f.At)
		q.where("since_at <= ? AND (until_at IS NULL OR until_at > ?)", at, at)
	}
	return runList(ctx, s, listSpec[Membership]{name: "memberships", columns: membershipSelect, from: "memberships",
		key: []string{"body_id", "member_id", "period"}, scan: scanMembership}, q, f.Page)
}
