package readmodel

import (
	"context"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// The protocol (πρωτόκολλο): each entry with its number in its registry
// and year (αριθμός πρωτοκόλλου) and its links to a request, a decision
// or the entry it replies to. An entry linked to a citizen's request
// keeps only its number, direction and links: its subject, its
// correspondent and its documents are left out, since a reply's
// correspondent is the citizen and its subject may speak of them. Other
// entries keep the official's subject and the correspondent, an
// authority or organisation, as the register records them.

// ProtocolEntry is an entry of the protocol.
type ProtocolEntry struct {
	ID            string    `json:"id"`
	Registry      string    `json:"registry"`
	Number        int64     `json:"number"`
	Year          int       `json:"year"`
	Ref           string    `json:"ref"` // as cited, "1234/2026"
	Direction     string    `json:"direction"`
	Subject       string    `json:"subject,omitempty"`
	Correspondent string    `json:"correspondent,omitempty"`
	RequestID     string    `json:"request_id,omitempty"`
	DecisionID    string    `json:"decision_id,omitempty"`
	InReplyTo     string    `json:"in_reply_to,omitempty"`
	RegisteredAt  time.Time `json:"registered_at"`
}

type protocolRow struct{ ProtocolEntry }

var protocolEntries = define(&table[string, protocolRow]{
	name: "protocol_entries", keys: 1,
	columns: []column[protocolRow]{
		textCol("entry_id", "TEXT PRIMARY KEY", func(r *protocolRow) *string { return &r.ID }),
		textCol("registry", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.Registry }),
		int64Col("number", "INTEGER NOT NULL", func(r *protocolRow) *int64 { return &r.Number }),
		intCol("year", "INTEGER NOT NULL", func(r *protocolRow) *int { return &r.Year }),
		textCol("ref", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.Ref }),
		textCol("direction", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.Direction }),
		textCol("subject", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.Subject }),
		textCol("correspondent", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.Correspondent }),
		textCol("request_id", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.RequestID }),
		textCol("decision_id", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.DecisionID }),
		textCol("in_reply_to", "TEXT NOT NULL", func(r *protocolRow) *string { return &r.InReplyTo }),
		timeCol("registered_at", func(r *protocolRow) *time.Time { return &r.RegisteredAt }),
	},
	indexes: []string{
		`CREATE INDEX {protocol_entries_number} ON {protocol_entries} (registry, year, number)`,
		`CREATE INDEX {protocol_entries_year} ON {protocol_entries} (year, registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_registered} ON {protocol_entries} (registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_registry} ON {protocol_entries} (registry, registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_direction} ON {protocol_entries} (direction, registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_request} ON {protocol_entries} (request_id, registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_decision} ON {protocol_entries} (decision_id, registered_at, entry_id)`,
		`CREATE INDEX {protocol_entries_reply} ON {protocol_entries} (in_reply_to, registered_at, entry_id)`,
	},
	key:    func(r *protocolRow) string { return r.ID },
	newRow: func(id string) protocolRow { return protocolRow{ProtocolEntry{ID: id}} },
	order:  byString,
})

func applyProtocol(w writer, p events.Payload) (bool, error) {
	e, ok := p.(events.ProtocolRegistered)
	if !ok {
		return false, nil
	}
	r := ProtocolEntry{ID: w.id(), Registry: e.Registry, Number: e.Number, Year: e.Year, Ref: e.Ref(), Direction: string(e.Direction),
		RequestID: e.RequestID, DecisionID: e.DecisionID, InReplyTo: e.InReplyTo, RegisteredAt: w.at()}
	if e.RequestID == "" {
		r.Subject, r.Correspondent = e.Subject, e.Correspondent
		if err := w.documents("protocol", w.id(), e.Documents); err != nil {
			return true, err
		}
	}
	protocolEntries.of(w).put(protocolRow{r})
	return true, nil
}

const protocolSelect = `entry_id, registry, number, year, ref, direction, subject, correspondent, request_id, decision_id, in_reply_to,
	coalesce(registered_at, '')`

func scanProtocolEntry(s scanner) (ProtocolEntry, error) {
	var p ProtocolEntry
	var at string
	err := s.Scan(&p.ID, &p.Registry, &p.Number, &p.Year, &p.Ref, &p.Direction, &p.Subject, &p.Correspondent, &p.RequestID, &p.DecisionID,
		&p.InReplyTo, &at)
	p.RegisteredAt = parseTime(at)
	return p, err
}

var protocolGet = getSpec[ProtocolEntry]{what: "protocol entry", columns: protocolSelect, from: "protocol_entries", key: []string{"entry_id"},
	scan: scanProtocolEntry}

// ProtocolEntry returns one protocol entry, or a not_found error.
func (s *Snapshot) ProtocolEntry(ctx context.Context, id string) (ProtocolEntry, error) {
	return getOne(ctx, s, protocolGet, id)
}

// ProtocolEntriesByID returns the entries of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) ProtocolEntriesByID(ctx context.Context, ids []string) ([]*ProtocolEntry, error) {
	return getBatch(ctx, s, protocolGet, idKeys(ids))
}

// ProtocolEntryByNumber returns the entry numbered number in registry's
// year, or a not_found error.
func (s *Snapshot) ProtocolEntryByNumber(ctx context.Context, registry string, year int, number int64) (ProtocolEntry, error) {
	found, err := queryRows(ctx, s.q, "SELECT "+protocolSelect+" FROM protocol_entries WHERE registry = ? AND year = ? AND number = ? LIMIT 1",
		[]any{registry, year, number}, scanProtocolEntry)
	if err != nil {
		return ProtocolEntry{}, err
	}
	if len(found) == 0 {
		return ProtocolEntry{}, events.Errorf(events.CodeNotFound, "protocol entry %d/%d of %s not found", number, year, truncate(registry))
	}
	return found[0], nil
}

// ProtocolFilter selects protocol entries; empty fields select all.
type ProtocolFilter struct {
	Registry   string
	Year       int
	Direction  string
	RequestID  string
	DecisionID string
	InReplyTo  string
	Registered TimeRange
	Page
}

// ProtocolEntries returns protocol entries by the time they were
// registered, then id (within a registry's year, the order of their
// numbers). A bad direction, range or page is an invalid error.
func (s *Snapshot) ProtocolEntries(ctx context.Context, f ProtocolFilter) (List[ProtocolEntry], error) {
	if err := f.Registered.validate("protocol entries"); err != nil {
		return List[ProtocolEntry]{}, err
	}
	switch events.ProtocolDirection(f.Direction) {
	case "", events.ProtocolIncoming, events.ProtocolOutgoing:
	default:
		return List[ProtocolEntry]{}, events.Invalidf("direction %q: want incoming or outgoing", truncate(f.Direction))
	}
	var q query
	q.eq("registry", f.Registry)
	q.eq("direction", f.Direction)
	q.eq("request_id", f.RequestID)
	q.eq("decision_id", f.DecisionID)
	q.eq("in_reply_to", f.InReplyTo)
	if f.Year != 0 {
		q.equal("year", f.Year)
	}
	q.timeRange("registered_at", f.Registered)
	return runList(ctx, s, listSpec[ProtocolEntry]{name: "protocol_entries", columns: protocolSelect, from: "protocol_entries",
		key: []string{"registered_at", "entry_id"}, scan: scanProtocolEntry}, q, f.Page)
}
