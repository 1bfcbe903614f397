package events

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// A faction (παράταξη) is an organisation of one body: the list its
// members were elected on or formed since, with a name, a short name, a
// colour for charts, a leader and its role in the body (majority or
// opposition). Its stream, faction-<id>, records its life; who sits for it
// is recorded by the body (body.member_joined and
// body.member_faction_changed name a faction id), so the faction's
// membership history is the body's membership periods of that faction.

// FactionRole is a faction's standing in its body.
type FactionRole string

const (
	FactionMajority   FactionRole = "majority"
	FactionOpposition FactionRole = "opposition"
)

func (r FactionRole) valid() bool { return r == FactionMajority || r == FactionOpposition }

// FactionFormed records a faction of a body.
type FactionFormed struct {
	FactionID string      `json:"faction_id"`
	BodyID    string      `json:"body_id"`
	Name      string      `json:"name"`
	ShortName string      `json:"short_name"`
	Colour    string      `json:"colour"` // #rrggbb, for charts
	Role      FactionRole `json:"role"`
}

// FactionDetailsChanged records a faction's new name, short name or colour.
type FactionDetailsChanged struct {
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	Colour    string `json:"colour"`
}

// FactionLeaderChanged records the member who leads the faction (its
// επικεφαλής), or that it has none (empty member id).
type FactionLeaderChanged struct {
	MemberID string `json:"member_id"`
}

// FactionRoleChanged records a faction passing to the majority or to the
// opposition, with the public reason.
type FactionRoleChanged struct {
	Role   FactionRole `json:"role"`
	Reason string      `json:"reason"`
}

// FactionDissolved records the end of a faction, with the public reason.
type FactionDissolved struct {
	Reason string `json:"reason"`
}

func (FactionFormed) EventType() string         { return "faction.formed" }
func (FactionDetailsChanged) EventType() string { return "faction.details_changed" }
func (FactionLeaderChanged) EventType() string  { return "faction.leader_changed" }
func (FactionRoleChanged) EventType() string    { return "faction.role_changed" }
func (FactionDissolved) EventType() string      { return "faction.dissolved" }

func init() {
	Register[FactionFormed]("faction", 1, "A faction (παράταξη) of a body was formed, with its name, short name, colour for charts and its role, majority or opposition.")
	Register[FactionDetailsChanged]("faction", 1, "A faction's name, short name or colour changed.")
	Register[FactionLeaderChanged]("faction", 1, "A faction's leader changed (or it has none).")
	Register[FactionRoleChanged]("faction", 1, "A faction passed to the majority or to the opposition, with the public reason.")
	Register[FactionDissolved]("faction", 1, "A faction ended, with the public reason; nobody sits for it any more.")
	RegisterDecider(FactionDecider)
}

// FactionStream returns the stream of a faction.
func FactionStream(id string) string { return StreamName("faction", id) }

// LegacyFactionID is the id a membership recorded at schema 1, when a
// faction was a free-text name, reads with: derived from the name, so
// every membership of one name reads as one faction.
func LegacyFactionID(name string) string {
	if name == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(name))
	return "legacy-" + hex.EncodeToString(sum[:8])
}

// FormFaction forms a faction of a body.
type FormFaction struct {
	FactionID string
	BodyID    string
	Name      string
	ShortName string
	Colour    string
	Role      FactionRole
	At        time.Time
}

// ChangeFactionDetails renames or recolours a faction.
type ChangeFactionDetails struct {
	FactionID string
	Name      string
	ShortName string
	Colour    string
	At        time.Time
}

// ChangeFactionLeader names the faction's leader, a member of the body who
// sits for it; an empty MemberID leaves it without one.
type ChangeFactionLeader struct {
	FactionID string
	MemberID  string
	At        time.Time
}

// ChangeFactionRole moves a faction to the majority or the opposition.
type ChangeFactionRole struct {
	FactionID string
	Role      FactionRole
	Reason    string
	At        time.Time
}

// DissolveFaction ends a faction nobody sits for any more.
type DissolveFaction struct {
	FactionID string
	Reason    string
	At        time.Time
}

func (c FormFaction) Stream() string          { return FactionStream(c.FactionID) }
func (c ChangeFactionDetails) Stream() string { return FactionStream(c.FactionID) }
func (c ChangeFactionLeader) Stream() string  { return FactionStream(c.FactionID) }
func (c ChangeFactionRole) Stream() string    { return FactionStream(c.FactionID) }
func (c DissolveFaction) Stream() string      { return FactionStream(c.FactionID) }

func (c FormFaction) OccurredAt() time.Time          { return c.At }
func (c ChangeFactionDetails) OccurredAt() time.Time { return c.At }
func (c ChangeFactionLeader) OccurredAt() time.Time  { return c.At }
func (c ChangeFactionRole) OccurredAt() time.Time    { return c.At }
func (c DissolveFaction) OccurredAt() time.Time      { return c.At }

// Needs of FormFaction: the body it belongs to.
func (c FormFaction) Needs() []string { return []string{StreamName("body", c.BodyID)} }

// NeedsGiven of ChangeFactionLeader: the faction's body, whose members
// say who sits for it.
func (c ChangeFactionLeader) NeedsGiven(state any) []string { return factionBody(state) }

// NeedsGiven of DissolveFaction: the faction's body, which must seat
// nobody for it.
func (c DissolveFaction) NeedsGiven(state any) []string { return factionBody(state) }

func factionBody(state any) []string {
	if s, ok := state.(FactionState); ok && s.Exists {
		return []string{StreamName("body", s.BodyID)}
	}
	return nil
}

// FactionState is a faction folded from its stream.
type FactionState struct {
	Exists    bool
	ID        string
	BodyID    string
	Name      string
	ShortName string
	Colour    string
	Role      FactionRole
	Leader    string
	Dissolved bool
}

func evolveFaction(s FactionState, p Payload) FactionState {
	switch e := p.(type) {
	case FactionFormed:
		s = FactionState{Exists: true, ID: e.FactionID, BodyID: e.BodyID, Name: e.Name, ShortName: e.ShortName, Colour: e.Colour, Role: e.Role}
	case FactionDetailsChanged:
		s.Name, s.ShortName, s.Colour = e.Name, e.ShortName, e.Colour
	case FactionLeaderChanged:
		s.Leader = e.MemberID
	case FactionRoleChanged:
		s.Role = e.Role
	case FactionDissolved:
		s.Dissolved, s.Leader = true, ""
	}
	return s
}
