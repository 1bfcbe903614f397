package opendata

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
)

// Popolo 1.0: the council as the standard for legislatures describes it:
// persons (the elected members, public fields only), organizations (the
// bodies and, under each, its factions), memberships (each period of a
// member in a body, on behalf of a faction, and each faction's leader),
// motions (the questions put to a vote) and vote events with their counts
// and each member's vote. It is built from the rows of the public datasets
// of one snapshot and written as it is read: PopoloParts says which
// datasets make each part, PopoloItem maps one row, and a PopoloWriter
// writes item after item, so the export holds one item in memory.

// PopoloPart is one array of the Popolo export and the datasets whose
// rows make it, in order.
type PopoloPart struct {
	Key      string
	Datasets []string
}

// PopoloParts are the arrays of the export, in the order written. The
// memberships part reads factions after memberships for the factions'
// leaders; vote events carry the ballots of their vote (PopoloBallot).
var PopoloParts = []PopoloPart{
	{"persons", []string{"members"}},
	{"organizations", []string{"bodies", "factions"}},
	{"memberships", []string{"memberships", "factions"}},
	{"motions", []string{"votes"}},
	{"vote_events", []string{"votes"}},
}

// PopoloVote is one member's vote in a vote event.
type PopoloVote struct {
	VoteEventID string `json:"vote_event_id"`
	VoterID     string `json:"voter_id"`
	Option      string `json:"option"`
}

// row is one dataset row by column name.
type row map[string]any

func (r row) s(k string) string { v, _ := r[k].(string); return v }

func (r row) n(k string) (int64, bool) { v, ok := r[k].(int64); return v, ok }

func rowOf(cols []string, vals []any) row {
	r := make(row, len(cols))
	for i, c := range cols {
		r[c] = vals[i]
	}
	return r
}

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

// FactionID is the Popolo organization id of a faction.
func FactionID(factionID string) string { return "faction-" + factionID }

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// PopoloItem maps one row of dataset, its values in the order of cols, to
// the item of part it makes; nil when the row makes none there (a faction
// without a leader in memberships).
func PopoloItem(part, dataset string, cols []string, vals []any) map[string]any {
	r := rowOf(cols, vals)
	switch part + "/" + dataset {
	case "persons/members":
		return map[string]any{"id": r.s("member_id"), "name": r.s("name")}
	case "organizations/bodies":
		return map[string]any{"id": bodyPartyID(r.s("body_id")), "name": r.s("name"), "classification": r.s("kind")}
	case "organizations/factions":
		o := map[string]any{"id": FactionID(r.s("faction_id")), "name": r.s("name"),
			"classification": "faction", "parent_id": bodyPartyID(r.s("body_id"))}
		if short := r.s("short_name"); short != "" {
			o["other_names"] = []any{map[string]any{"name": short, "note": "short name"}}
		}
		setIf(o, "founding_date", popoloDate(r.s("formed_at")))
		setIf(o, "dissolution_date", popoloDate(r.s("dissolved_at")))
		return o
	case "memberships/memberships":
		n, _ := r.n("period")
		m := map[string]any{"id": r.s("body_id") + "/" + r.s("member_id") + "/" + strconv.FormatInt(n, 10), "person_id": r.s("member_id"),
			"organization_id": bodyPartyID(r.s("body_id")), "role": r.s("role")}
		setIf(m, "start_date", popoloDate(r.s("since_at")))
		setIf(m, "end_date", popoloDate(r.s("until_at")))
		if f := r.s("faction_id"); f != "" {
			m["on_behalf_of_id"] = FactionID(f)
		}
		return m
	case "memberships/factions":
		leader := r.s("leader_member_id")
		if leader == "" {
			return nil
		}
		return map[string]any{"id": FactionID(r.s("faction_id")) + "/leader", "person_id": leader,
			"organization_id": FactionID(r.s("faction_id")), "role": "leader"}
	case "motions/votes":
		id := r.s("vote_id")
		motion := map[string]any{"id": "motion-" + id, "organization_id": bodyPartyID(r.s("body_id")), "text": r.s("question"),
			"classification": r.s("question_type")}
		setIf(motion, "date", popoloTime(r.s("opened_at")))
		setIf(motion, "requirement", r.s("majority"))
		setIf(motion, "result", r.s("result"))
		return motion
	case "vote_events/votes":
		id := r.s("vote_id")
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
		return ve
	}
	return nil
}

// PopoloBallot maps a row of ballots to the vote it records.
func PopoloBallot(cols []string, vals []any) PopoloVote {
	var v PopoloVote
	for i, c := range cols {
		s, _ := vals[i].(string)
		switch c {
		case "vote_id":
			v.VoteEventID = s
		case "member_id":
			v.VoterID = s
		case "choice":
			v.Option = s
		}
	}
	return v
}

// PopoloWriter writes the Popolo export as one JSON object of arrays, an
// item at a time: Part opens the next array, Item writes into it.
type PopoloWriter struct {
	w     *bufio.Writer
	enc   *json.Encoder
	parts int
	items int
}

// NewPopoloWriter returns a writer of the export on w; Close ends it.
func NewPopoloWriter(w io.Writer) *PopoloWriter {
	b := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	b.WriteString("{")
	return &PopoloWriter{w: b, enc: enc}
}

// Part ends the array being written, if any, and opens the array key.
func (p *PopoloWriter) Part(key string) error {
	if p.parts > 0 {
		p.w.WriteString("],")
	}
	p.parts++
	p.items = 0
	_, err := p.w.WriteString(`"` + key + `":[`)
	return err
}

// Item writes one item of the open array.
func (p *PopoloWriter) Item(item any) error {
	if p.items > 0 {
		p.w.WriteString(",")
	}
	p.items++
	return p.enc.Encode(item)
}

// Close ends the export and flushes it; it does not close the
// underlying writer.
func (p *PopoloWriter) Close() error {
	if p.parts > 0 {
		p.w.WriteString("]")
	}
	p.w.WriteString("}\n")
	return p.w.Flush()
}
