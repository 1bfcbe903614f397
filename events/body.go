package events

import (
	"encoding/json"
	"maps"
	"time"
)

// A body is a council, committee or local community: who sits in it, for
// which faction and in which role, and the rules it decides by. Its members
// are public officials, so their names are public record.

// BodyKind says what kind of body decides.
type BodyKind string

const (
	BodyCouncil        BodyKind = "council"
	BodyCommittee      BodyKind = "committee"
	BodyLocalCommunity BodyKind = "local_community"
)

func (k BodyKind) valid() bool {
	return k == BodyCouncil || k == BodyCommittee || k == BodyLocalCommunity
}

// MemberRole is a member's role in a body.
type MemberRole string

const (
	RoleChair     MemberRole = "chair"
	RoleViceChair MemberRole = "vice_chair"
	RoleSecretary MemberRole = "secretary"
	RoleMember    MemberRole = "member"
	RoleMayor     MemberRole = "mayor"
)

func (r MemberRole) valid() bool {
	switch r {
	case RoleChair, RoleViceChair, RoleSecretary, RoleMember, RoleMayor, RoleSubstitute:
		return true
	}
	return false
}

// singleHolder reports whether at most one member may hold the role.
func (r MemberRole) singleHolder() bool { return r != RoleMember && r != RoleSubstitute }

// BodyRegistered records a new body and the rules it decides by.
type BodyRegistered struct {
	BodyID   string       `json:"body_id"`
	Name     string       `json:"name"`
	Kind     BodyKind     `json:"kind"`
	Settings BodySettings `json:"settings"`
}

// BodySettingsChanged replaces a body's settings, with the public reason
// (a new law, a new council size after a census).
type BodySettingsChanged struct {
	Settings BodySettings `json:"settings"`
	Reason   string       `json:"reason"`
}

// BodyMemberJoined records a public official taking a seat or role, for
// a faction of the body (FactionID, empty for an independent). Schema 1
// named the faction by free text; such an event reads with the id
// LegacyFactionID gives the name, and the name as LegacyFaction, which new
// events never carry.
type BodyMemberJoined struct {
	MemberID      string     `json:"member_id"`
	Name          string     `json:"name"`
	FactionID     string     `json:"faction_id"`
	Role          MemberRole `json:"role"`
	LegacyFaction string     `json:"legacy_faction,omitempty"`
}

// BodyMemberLeft records a member leaving the body (resignation, end of
// term, loss of office), with the public reason.
type BodyMemberLeft struct {
	MemberID string `json:"member_id"`
	Reason   string `json:"reason"`
}

// BodyMemberRoleChanged records a member's new role.
type BodyMemberRoleChanged struct {
	MemberID string     `json:"member_id"`
	Role     MemberRole `json:"role"`
}

// BodyMemberFactionChanged records a member moving to another faction of
// the body or becoming independent (empty faction id). Schema 1 reads as
// BodyMemberJoined's does.
type BodyMemberFactionChanged struct {
	MemberID      string `json:"member_id"`
	FactionID     string `json:"faction_id"`
	LegacyFaction string `json:"legacy_faction,omitempty"`
}

func (BodyRegistered) EventType() string           { return "body.registered" }
func (BodySettingsChanged) EventType() string      { return "body.settings_changed" }
func (BodyMemberJoined) EventType() string         { return "body.member_joined" }
func (BodyMemberLeft) EventType() string           { return "body.member_left" }
func (BodyMemberRoleChanged) EventType() string    { return "body.member_role_changed" }
func (BodyMemberFactionChanged) EventType() string { return "body.member_faction_changed" }

func init() {
	Register[BodyRegistered]("body", 1, "A council, committee or local community was registered with the settings it decides by.")
	Register[BodySettingsChanged]("body", 1, "A body's settings (seats, notice, quorum, majorities) were replaced, with the public reason.")
	Register[BodyMemberJoined]("body", 2, "A public official took a seat or role in a body, for a faction of the body (its id) or as an independent.")
	RegisterUpcaster("body.member_joined", 1, upcastLegacyFaction)
	Register[BodyMemberLeft]("body", 1, "A member left a body, with the public reason.")
	Register[BodyMemberRoleChanged]("body", 1, "A member of a body took another role, such as chair.")
	Register[BodyMemberFactionChanged]("body", 2, "A member of a body moved to another faction of the body (its id) or became independent.")
	RegisterUpcaster("body.member_faction_changed", 1, upcastLegacyFaction)
	RegisterDecider(BodyDecider)
}

// RegisterBody creates a body. Settings usually start from
// DefaultBodySettings.
type RegisterBody struct {
	BodyID   string
	Name     string
	Kind     BodyKind
	Settings BodySettings
	At       time.Time
}

// ChangeBodySettings replaces a body's settings.
type ChangeBodySettings struct {
	BodyID   string
	Settings BodySettings
	Reason   string
	At       time.Time
}

// AddMember seats a public official in a body, for a faction of the body
// (empty FactionID: an independent).
type AddMember struct {
	BodyID    string
	MemberID  string
	Name      string
	FactionID string
	Role      MemberRole
	At        time.Time
}

// RemoveMember records a member leaving a body.
type RemoveMember struct {
	BodyID   string
	MemberID string
	Reason   string
	At       time.Time
}

// ChangeMemberRole gives a member another role.
type ChangeMemberRole struct {
	BodyID   string
	MemberID string
	Role     MemberRole
	At       time.Time
}

// ChangeMemberFaction moves a member to another faction of the body; an
// empty FactionID means independent.
type ChangeMemberFaction struct {
	BodyID    string
	MemberID  string
	FactionID string
	At        time.Time
}

func (c RegisterBody) Stream() string        { return StreamName("body", c.BodyID) }
func (c ChangeBodySettings) Stream() string  { return StreamName("body", c.BodyID) }
func (c AddMember) Stream() string           { return StreamName("body", c.BodyID) }
func (c RemoveMember) Stream() string        { return StreamName("body", c.BodyID) }
func (c ChangeMemberRole) Stream() string    { return StreamName("body", c.BodyID) }
func (c ChangeMemberFaction) Stream() string { return StreamName("body", c.BodyID) }

// Needs of AddMember: the faction the member sits for, if any.
func (c AddMember) Needs() []string { return factionNeeds(c.FactionID) }

// Needs of ChangeMemberFaction: the faction the member moves to, if any.
func (c ChangeMemberFaction) Needs() []string { return factionNeeds(c.FactionID) }

func factionNeeds(id string) []string {
	if id == "" {
		return nil
	}
	return []string{FactionStream(id)}
}

func (c RegisterBody) OccurredAt() time.Time        { return c.At }
func (c ChangeBodySettings) OccurredAt() time.Time  { return c.At }
func (c AddMember) OccurredAt() time.Time           { return c.At }
func (c RemoveMember) OccurredAt() time.Time        { return c.At }
func (c ChangeMemberRole) OccurredAt() time.Time    { return c.At }
func (c ChangeMemberFaction) OccurredAt() time.Time { return c.At }

// BodyMember is a current member of a body.
type BodyMember struct {
	ID        string
	Name      string
	FactionID string
	Role      MemberRole
}

// BodyState is a body folded from its stream. Members holds current
// members only, by id.
type BodyState struct {
	Exists   bool
	ID       string
	Name     string
	Kind     BodyKind
	Settings BodySettings
	Members  map[string]BodyMember
}

// Member returns a current member.
func (s BodyState) Member(id string) (BodyMember, bool) {
	m, ok := s.Members[id]
	return m, ok
}

// IsVotingMember reports whether id is a current member whose role votes.
func (s BodyState) IsVotingMember(id string) bool {
	m, ok := s.Members[id]
	return ok && s.Settings.Votes(m.Role)
}

// VotingMembers returns the number of current members whose role votes.
func (s BodyState) VotingMembers() int {
	n := 0
	for _, m := range s.Members {
		if s.Settings.Votes(m.Role) {
			n++
		}
	}
	return n
}

// Holder returns the member holding a single-holder role, such as the chair.
func (s BodyState) Holder(role MemberRole) (BodyMember, bool) {
	for _, m := range s.Members {
		if m.Role == role {
			return m, true
		}
	}
	return BodyMember{}, false
}

func evolveBody(s BodyState, p Payload) BodyState {
	switch e := p.(type) {
	case BodyRegistered:
		s = BodyState{Exists: true, ID: e.BodyID, Name: e.Name, Kind: e.Kind, Settings: e.Settings.clone(), Members: map[string]BodyMember{}}
	case BodySettingsChanged:
		s.Settings = e.Settings.clone()
	case BodyMemberJoined:
		s.Members = cloneOrMake(s.Members)
		s.Members[e.MemberID] = BodyMember{ID: e.MemberID, Name: e.Name, FactionID: e.FactionID, Role: e.Role}
	case BodyMemberLeft:
		s.Members = cloneOrMake(s.Members)
		delete(s.Members, e.MemberID)
	case BodyMemberRoleChanged:
		if m, ok := s.Members[e.MemberID]; ok {
			s.Members = maps.Clone(s.Members)
			m.Role = e.Role
			s.Members[e.MemberID] = m
		}
	case BodyMemberFactionChanged:
		if m, ok := s.Members[e.MemberID]; ok {
			s.Members = maps.Clone(s.Members)
			m.FactionID = e.FactionID
			s.Members[e.MemberID] = m
		}
	}
	return s
}

// upcastLegacyFaction reads a schema 1 membership event, whose faction was
// a free-text name, with the faction id LegacyFactionID derives from the
// name and the name kept as legacy_faction.
func upcastLegacyFaction(data json.RawMessage) (json.RawMessage, error) {
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, Invalidf("membership v1: %v", err)
	}
	name, _ := v["faction"].(string)
	delete(v, "faction")
	v["faction_id"] = LegacyFactionID(name)
	if name != "" {
		v["legacy_faction"] = name
	}
	return json.Marshal(v)
}
