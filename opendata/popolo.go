package opendata

import (
	"encoding/json"
	"io"
	"strings"
)

// Popolo 1.0: the council as the standard for legislatures describes it:
// persons (the elected members, public fields only), organizations (the
// bodies and, under each, its factions), memberships (each period of a
// member in a body, on behalf of a faction), motions (the questions put to
// a vote) and vote events with their counts and each member's vote. It is
// built from the rows of the public datasets of one snapshot.

// PopoloDatasets are the datasets Popolo is made from, in the order Popolo
// reads them.
var PopoloDatasets = []string{"members", "bodies", "factions", "memberships", "votes", "ballots"}

// Popolo gathers the rows of PopoloDatasets and writes the Popolo export.
type Popolo struct {
	persons, organizations, memberships, motions []map[string]any
	voteEvents                                   []map[string]any
	votes                                        map[string][]popoloVote // ballots by vote id
}

// popoloVote is one member's vote, kept small: ballots are the largest
// part of the export.
type popoloVote struct {
	VoteEventID string `json:"vote_event_id"`
	VoterID     string `json:"voter_id"`
	Option      string `json:"option"`
}

// NewPopolo returns an empty Popolo export.
func NewPopolo() *Popolo { return &Popolo{votes: map[string][]popoloVote{}} }

// row is one dataset row by column name.
type row map[string]any

func (r row) s(k string) string { v, _ := r[k].(string); return v }

func (r row) n(k string) (int64, bool) { v, ok := r[k].(int64); return v, ok }

// popoloDate is a read-model time as a Popolo date (YYYY-MM-DD); "" for none.
func popoloDate(t string) string {
	if len(t) < 10 {
		return ""
	}
	return t[:10]
}

// popoloTime is a read-model time as RFC 3339 to the second.
func popoloTime(t string) string {
	if len(t) < 19 {
		return ""
	}
	return t[:19] + "Z"
}

// FactionID is the Popolo organization id of a body's faction.
func FactionID(bodyID, faction string) string {
	return "faction-" + bodyID + "-" + strings.ReplaceAll(faction, " ", "_")
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// Row takes one row of dataset (one of PopoloDatasets), its values in the
// order of cols; rows of other datasets are ignored.
func (p *Popolo) Row(dataset string, cols []string, vals []any) {
	r := make(row, len(cols))
	for i, c := range cols {
		r[c] = vals[i]
	}
	switch dataset {
	case "members":
		p.persons = append(p.persons, map[string]any{"id": r.s("member_id"), "name": r.s("name")})
	case "bodies":
		p.organizations = append(p.organizations, map[string]any{"id": bodyPartyID(r.s("body_id")), "name": r.s("name"),
			"classification": r.s("kind")})
	case "factions":
		p.organizations = append(p.organizations, map[string]any{"id": FactionID(r.s("body_id"), r.s("faction_id")), "name": r.s("name"),
			"classification": "faction", "parent_id": bodyPartyID(r.s("body_id"))})
	case "memberships":
		n, _ := r.n("period")
		m := map[string]any{"id": r.s("body_id") + "/" + r.s("member_id") + "/" + jsonInt(n), "person_id": r.s("member_id"),
			"organization_id": bodyPartyID(r.s("body_id")), "role": r.s("role")}
		setIf(m, "start_date", popoloDate(r.s("since_at")))
		setIf(m, "end_date", popoloDate(r.s("until_at")))
		if f := r.s("faction"); f != "" {
			m["on_behalf_of_id"] = FactionID(r.s("body_id"), f)
		}
		p.memberships = append(p.memberships, m)
	case "votes":
		id := r.s("vote_id")
		motion := map[string]any{"id": "motion-" + id, "organization_id": bodyPartyID(r.s("body_id")), "text": r.s("question"),
			"classification": r.s("question_type")}
		setIf(motion, "date", popoloTime(r.s("opened_at")))
		setIf(motion, "requirement", r.s("majority"))
		setIf(motion, "result", r.s("result"))
		p.motions = append(p.motions, motion)
		ve := map[string]any{"id": id, "organization_id": bodyPartyID(r.s("body_id")), "motion_id": "motion-" + id,
			"classification": r.s("method")}
		setIf(ve, "start_date", popoloTime(r.s("opened_at")))
		setIf(ve, "end_date", popoloTime(r.s("closed_at")))
		setIf(ve, "result", r.s("result"))
		var counts []any
		for _, opt := range []string{"yes", "no", "abstain", "present", "absent"} {
			if v, ok := r.n(opt); ok {
				counts = append(counts, map[string]any{"option": opt, "value": v})
			}
		}
		if counts != nil {
			ve["counts"] = counts
		}
		p.voteEvents = append(p.voteEvents, ve)
	case "ballots":
		id := r.s("vote_id")
		p.votes[id] = append(p.votes[id], popoloVote{VoteEventID: id, VoterID: r.s("member_id"), Option: r.s("choice")})
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// Write writes the Popolo export as one JSON object of arrays: persons,
// organizations, memberships, motions, vote_events (each with its votes),
// an item at a time.
func (p *Popolo) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	put := func(s string) error { _, err := io.WriteString(w, s); return err }
	if err := put("{"); err != nil {
		return err
	}
	for i, part := range []struct {
		key   string
		items []map[string]any
	}{{"persons", p.persons}, {"organizations", p.organizations}, {"memberships", p.memberships},
		{"motions", p.motions}, {"vote_events", p.voteEvents}} {
		sep := ","
		if i == 0 {
			sep = ""
		}
		if err := put(sep + `"` + part.key + `":[`); err != nil {
			return err
		}
		for j, item := range part.items {
			if j > 0 {
				if err := put(","); err != nil {
					return err
				}
			}
			if part.key == "vote_events" {
				if vs := p.votes[item["id"].(string)]; vs != nil {
					item["votes"] = vs
				}
			}
			if err := enc.Encode(item); err != nil {
				return err
			}
			delete(item, "votes")
		}
		if err := put("]"); err != nil {
			return err
		}
	}
	return put("}\n")
}
