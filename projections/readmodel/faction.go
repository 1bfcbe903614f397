package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Factions: the organisations of a body its members sit for. Who sat for a
// faction when is the memberships of its id; this table holds what the
// faction's own stream says (name, short name, colour, role, leader). A
// membership recorded at schema 1 named its faction by free text: its
// faction reads as a row of that name, with no short name or colour.

// Faction is a faction of a body. DissolvedAt is zero while it lasts.
type Faction struct {
	ID          string    `json:"faction_id"`
	BodyID      string    `json:"body_id"`
	Name        string    `json:"name"`
	ShortName   string    `json:"short_name"`
	Colour      string    `json:"colour"`
	Role        string    `json:"role"`
	LeaderID    string    `json:"leader_member_id"`
	FormedAt    time.Time `json:"formed_at"`
	DissolvedAt time.Time `json:"dissolved_at"`
}

type factionRow struct{ Faction }

var factions = define(&table[string, factionRow]{
	name: "factions", keys: 1, rowid: true,
	columns: []column[factionRow]{
		textCol("faction_id", "TEXT PRIMARY KEY", func(r *factionRow) *string { return &r.ID }),
		textCol("body_id", "TEXT NOT NULL", func(r *factionRow) *string { return &r.BodyID }),
		textCol("name", "TEXT NOT NULL", func(r *factionRow) *string { return &r.Name }),
		textCol("short_name", "TEXT NOT NULL", func(r *factionRow) *string { return &r.ShortName }),
		textCol("colour", "TEXT NOT NULL", func(r *factionRow) *string { return &r.Colour }),
		textCol("role", "TEXT NOT NULL", func(r *factionRow) *string { return &r.Role }),
		textCol("leader_member_id", "TEXT NOT NULL", func(r *factionRow) *string { return &r.LeaderID }),
		timeCol("formed_at", func(r *factionRow) *time.Time { return &r.FormedAt }),
		timeCol("dissolved_at", func(r *factionRow) *time.Time { return &r.DissolvedAt }),
	},
	indexes: []string{`CREATE INDEX {factions_body} ON {factions} (body_id, faction_id)`},
	key:     func(r *factionRow) string { return r.ID },
	newRow:  func(id string) factionRow { return factionRow{Faction{ID: id}} },
	order:   byString,
})

func applyFaction(w writer, p events.Payload) (bool, error) {
	rows := factions.of(w)
	var err error
	switch e := p.(type) {
	case events.FactionFormed:
		rows.put(factionRow{Faction{ID: w.id(), BodyID: e.BodyID, Name: e.Name, ShortName: e.ShortName, Colour: e.Colour,
			Role: string(e.Role), FormedAt: w.at()}})
	case events.FactionDetailsChanged:
		_, err = rows.change(w, w.id(), func(r *factionRow) { r.Name, r.ShortName, r.Colour = e.Name, e.ShortName, e.Colour })
	case events.FactionLeaderChanged:
		_, err = rows.change(w, w.id(), func(r *factionRow) { r.LeaderID = e.MemberID })
	case events.FactionRoleChanged:
		_, err = rows.change(w, w.id(), func(r *factionRow) { r.Role = string(e.Role) })
	case events.FactionDissolved:
		_, err = rows.change(w, w.id(), func(r *factionRow) { r.DissolvedAt, r.LeaderID = w.at(), "" })
	default:
		return false, nil
	}
	return true, err
}

// legacyFaction adds the row of a faction a schema 1 membership of the
// event's body named by free text, once.
func (w writer) legacyFaction(id, name string) error {
	if name == "" {
		return nil
	}
	rows := factions.of(w)
	r, err := rows.get(w, id)
	if err != nil || r != nil {
		return err
	}
	rows.put(factionRow{Faction{ID: id, BodyID: w.id(), Name: name, FormedAt: w.at()}})
	return nil
}

const factionSelect = `faction_id, body_id, name, short_name, colour, role, leader_member_id,
	coalesce(formed_at, ''), coalesce(dissolved_at, '')`

func scanFaction(s scanner) (Faction, error) {
	var f Faction
	var formed, dissolved string
	err := s.Scan(&f.ID, &f.BodyID, &f.Name, &f.ShortName, &f.Colour, &f.Role, &f.LeaderID, &formed, &dissolved)
	f.FormedAt, f.DissolvedAt = parseTime(formed), parseTime(dissolved)
	return f, err
}

var factionGet = getSpec[Faction]{what: "faction", columns: factionSelect, from: "factions", key: []string{"faction_id"}, scan: scanFaction}

// Faction returns one faction, or a not_found error.
func (s *Snapshot) Faction(ctx context.Context, id string) (Faction, error) {
	return getOne(ctx, s, factionGet, id)
}

// FactionsByID returns the factions of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) FactionsByID(ctx context.Context, ids []string) ([]*Faction, error) {
	return getBatch(ctx, s, factionGet, idKeys(ids))
}

// FactionFilter selects factions; an empty BodyID selects every body's.
type FactionFilter struct {
	BodyID string
	Page
}

// Factions returns factions by id. A bad page is an invalid error.
func (s *Snapshot) Factions(ctx context.Context, f FactionFilter) (List[Faction], error) {
	var q query
	q.eq("body_id", f.BodyID)
	return runList(ctx, s, listSpec[Faction]{name: "factions", columns: factionSelect, from: "factions", key: []string{"faction_id"}, scan: scanFaction},
		q, f.Page)
}
