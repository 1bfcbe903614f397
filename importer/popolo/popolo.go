// Package popolo decodes a council in Popolo 1.0 JSON (persons,
// organizations, memberships, motions, vote events with their votes) into
// the commands that record it in Pnyx: each body with its members, their
// roles and factions, and each vote event as the sitting that held it, with
// every member's ballot and the vote closed, counted by the body's rules.
// Popolo carries votes, not meetings: an imported vote's sitting is a
// meeting of its own, started at the vote, with the motion as its one item,
// convened with the members who voted, under the imported exception (no
// agenda published; docs/IMPORTS.md). Vote events go through a spill in
// time order, so a file of any size reads in bounded memory (persons,
// organizations, memberships and motions are held, as a council's are few).
package popolo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
	"github.com/pnyx-civic/pnyx/importer/internal/spill"
)

// Options of the mapping.
type Options struct {
	// SpillDir is where the spill of vote events goes; "" means the
	// system's temporary directory.
	SpillDir string
}

type person struct {
	ID   source.Text `json:"id"`
	Name source.Text `json:"name"`
}

type organization struct {
	ID             source.Text `json:"id"`
	Name           source.Text `json:"name"`
	Classification source.Text `json:"classification"`
	ParentID       source.Text `json:"parent_id"`
}

type membership struct {
	ID             source.Text `json:"id"`
	PersonID       source.Text `json:"person_id"`
	OrganizationID source.Text `json:"organization_id"`
	OnBehalfOfID   source.Text `json:"on_behalf_of_id"`
	Role           source.Text `json:"role"`
	StartDate      source.Text `json:"start_date"`
	EndDate        source.Text `json:"end_date"`
}

type motion struct {
	ID             source.Text `json:"id"`
	Text           source.Text `json:"text"`
	Classification source.Text `json:"classification"`
}

type vote struct {
	VoteEventID source.Text `json:"vote_event_id"`
	VoterID     source.Text `json:"voter_id"`
	Option      source.Text `json:"option"`
}

type voteEvent struct {
	ID             source.Text `json:"id"`
	OrganizationID source.Text `json:"organization_id"`
	MotionID       source.Text `json:"motion_id"`
	Classification source.Text `json:"classification"`
	StartDate      source.Text `json:"start_date"`
	EndDate        source.Text `json:"end_date"`
	Counts         []struct {
		Option source.Text `json:"option"`
		Value  source.Text `json:"value"`
	} `json:"counts"`
	Votes []vote `json:"votes"`
}

// Decoder reads a Popolo file and returns one record per body, then one
// per vote event in time order.
type Decoder struct {
	ctx     context.Context
	opts    Options
	in      io.Reader
	persons map[string]person
	orgs    []organization
	orgByID map[string]organization
	members []membership
	motions map[string]motion
	votes   map[string][]vote // top-level votes, by vote event
	spill   *spill.Spill
	groups  *spill.Groups
	bodies  []importer.Record
	bad     []importer.Record
	roles   map[string]string // body id + member id → role
}

var _ importer.Decoder = (*Decoder)(nil)

// NewDecoder reads r. Close it to remove its spill.
func NewDecoder(ctx context.Context, r io.Reader, opts Options) *Decoder {
	return &Decoder{ctx: ctx, opts: opts, in: r, persons: map[string]person{}, orgByID: map[string]organization{},
		motions: map[string]motion{}, votes: map[string][]vote{}, roles: map[string]string{}}
}

// Close removes the spill.
func (d *Decoder) Close() error {
	if d.groups != nil {
		d.groups.Close()
	}
	if d.spill != nil {
		return d.spill.Close()
	}
	return nil
}

// Next returns the next body or vote event.
func (d *Decoder) Next() (importer.Record, error) {
	if d.spill == nil {
		sp, err := spill.New(d.ctx, d.opts.SpillDir)
		if err != nil {
			return importer.Record{}, err
		}
		d.spill = sp
		if err := d.read(); err != nil {
			return importer.Record{}, err
		}
		if err := d.mapBodies(); err != nil {
			return importer.Record{}, err
		}
		if d.groups, err = d.spill.Groups(d.ctx); err != nil {
			return importer.Record{}, err
		}
	}
	if len(d.bad) > 0 {
		r := d.bad[0]
		d.bad = d.bad[1:]
		return r, nil
	}
	if len(d.bodies) > 0 {
		r := d.bodies[0]
		d.bodies = d.bodies[1:]
		return r, nil
	}
	_, items, ok, err := d.groups.Next()
	if err != nil {
		return importer.Record{}, err
	}
	if !ok {
		return importer.Record{}, io.EOF
	}
	var item spilled
	if err := json.Unmarshal(items[0], &item); err != nil {
		return importer.Record{}, err
	}
	if item.Kind != "vote" {
		var m membership
		if err := json.Unmarshal(item.Raw, &m); err != nil {
			return importer.Record{}, err
		}
		return d.membershipChange(item.Body, m, item.Kind == "join"), nil
	}
	var ve voteEvent
	if err := json.Unmarshal(item.Raw, &ve); err != nil {
		return importer.Record{Kind: "vote event", SourceID: "?", Refused: "not a vote event: " + err.Error()}, nil
	}
	return d.voteEvent(ve), nil
}

// read streams the file's top-level object.
func (d *Decoder) read() error {
	br := bufio.NewReaderSize(d.in, 256<<10)
	if source.FirstByte(br) != '{' {
		return events.Invalidf("popolo: want a JSON object of persons, organizations, memberships, motions and vote_events")
	}
	dec := json.NewDecoder(br)
	if _, err := dec.Token(); err != nil {
		return events.Invalidf("popolo: not JSON: %v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return events.Invalidf("popolo: not JSON: %v", err)
		}
		key, _ := tok.(string)
		t, err := dec.Token()
		if err != nil {
			return events.Invalidf("popolo: not JSON: %v", err)
		}
		if t != json.Delim('[') {
			if d, ok := t.(json.Delim); ok && d == '{' { // an object of no interest: skip it
				var skip json.RawMessage
				for dec.More() {
					if _, err := dec.Token(); err != nil {
						return events.Invalidf("popolo: %s: not JSON: %v", key, err)
					}
					if err := dec.Decode(&skip); err != nil {
						return events.Invalidf("popolo: %s: not JSON: %v", key, err)
					}
				}
				if _, err := dec.Token(); err != nil {
					return events.Invalidf("popolo: %s: not JSON: %v", key, err)
				}
			}
			continue
		}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return events.Invalidf("popolo: %s: not JSON: %v", key, err)
			}
			if err := d.item(key, raw); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return events.Invalidf("popolo: not JSON: %v", err)
		}
	}
	return nil
}

func (d *Decoder) item(key string, raw json.RawMessage) error {
	bad := func(err error) error {
		d.bad = append(d.bad, importer.Record{Kind: strings.TrimSuffix(key, "s"), SourceID: "?", Refused: fmt.Sprintf("not a %s: %v", strings.TrimSuffix(key, "s"), err)})
		return nil
	}
	switch key {
	case "persons":
		var p person
		if err := json.Unmarshal(raw, &p); err != nil {
			return bad(err)
		}
		d.persons[p.ID.String()] = p
	case "organizations":
		var o organization
		if err := json.Unmarshal(raw, &o); err != nil {
			return bad(err)
		}
		d.orgs = append(d.orgs, o)
		d.orgByID[o.ID.String()] = o
	case "memberships":
		var m membership
		if err := json.Unmarshal(raw, &m); err != nil {
			return bad(err)
		}
		d.members = append(d.members, m)
	case "motions":
		var m motion
		if err := json.Unmarshal(raw, &m); err != nil {
			return bad(err)
		}
		d.motions[m.ID.String()] = m
	case "votes":
		var v vote
		if err := json.Unmarshal(raw, &v); err != nil {
			return bad(err)
		}
		d.votes[v.VoteEventID.String()] = append(d.votes[v.VoteEventID.String()], v)
	case "vote_events":
		var ve struct {
			ID        source.Text `json:"id"`
			StartDate source.Text `json:"start_date"`
		}
		if err := json.Unmarshal(raw, &ve); err != nil {
			return bad(err)
		}
		return d.spillItem(ve.StartDate.String(), "2", "vote", ve.ID.String(), raw)
	}
	return nil
}

// spilled is an item of the spill: a vote event, or a member joining or
// leaving a body, in time order, so each vote sees the body as it stood.
type spilled struct {
	Kind string          `json:"kind"` // vote, join, leave
	Body string          `json:"body,omitempty"`
	Raw  json.RawMessage `json:"raw"`
}

// spillItem spills raw at the time when (text), before the items of a
// later time and, at the same time, in the order of rank.
func (d *Decoder) spillItem(when, rank, kind, id string, raw json.RawMessage, body ...string) error {
	key := ""
	if t, err := source.Time(when, time.UTC); err == nil && !t.IsZero() {
		key = t.UTC().Format(time.RFC3339Nano)
	}
	item := spilled{Kind: kind, Raw: raw}
	if len(body) > 0 {
		item.Body = body[0]
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	return d.spill.Add(d.ctx, key+"\x00"+rank+id, b)
}

// factionID is the Pnyx faction of a Popolo organization id.
func factionID(id string) string { return strings.TrimPrefix(id, "faction-") }

// shortName is a faction's short name when its source gives none: its
// words' initials.
func shortName(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		b.WriteRune(unicode.ToUpper(r[0]))
		if b.Len() >= 24 {
			break
		}
	}
	return b.String()
}

// factionColours colour imported factions for charts (Okabe-Ito, safe for
// colour-blind readers).
var factionColours = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"}

// bodyID is the Pnyx body of a Popolo organization id.
func bodyID(id string) string { return strings.TrimPrefix(id, "body-") }

// mapBodies makes a record per body, registering it, and spills its
// members' joining and leaving, to come in time order with the votes.
func (d *Decoder) mapBodies() error {
	for _, o := range d.orgs {
		kind := o.Classification.String()
		if kind == "faction" || o.ParentID != "" {
			continue
		}
		id := bodyID(o.ID.String())
		rec := importer.Record{Kind: "body", SourceID: o.ID.String()}
		if !slices.Contains([]string{"council", "committee", "local_community"}, kind) {
			rec.Refused = fmt.Sprintf("organization classification %q: want council, committee or local_community", kind)
			d.bodies = append(d.bodies, rec)
			continue
		}
		var first time.Time
		people := map[string]bool{}
		refused := ""
		var mine []membership
		for _, m := range d.members {
			if m.OrganizationID.String() != o.ID.String() {
				continue
			}
			start, err := source.Time(m.StartDate.String(), time.UTC)
			_, err2 := source.Time(m.EndDate.String(), time.UTC)
			if err != nil || err2 != nil || start.IsZero() {
				refused = fmt.Sprintf("membership %s: no usable start or end date", m.ID)
				break
			}
			people[m.PersonID.String()] = true
			mine = append(mine, m)
			if first.IsZero() || start.Before(first) {
				first = start
			}
		}
		if refused == "" && len(mine) == 0 {
			refused = "a body without memberships"
		}
		if refused != "" {
			rec.Refused = refused
			d.bodies = append(d.bodies, rec)
			continue
		}
		for _, m := range mine {
			raw, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := d.spillItem(m.StartDate.String(), "1", "join", m.ID.String(), raw, id); err != nil {
				return err
			}
			if m.EndDate != "" {
				if err := d.spillItem(m.EndDate.String(), "0", "leave", m.ID.String(), raw, id); err != nil {
					return err
				}
			}
			role := m.Role.String()
			if role == "" {
				role = "member"
			}
			d.roles[id+" "+m.PersonID.String()] = role
		}
		rec.Notes = append(rec.Notes, "body settings: the defaults, with a seat per person who was ever a member")
		rec.Steps = append(rec.Steps, importer.Step{Key: "body:" + id, Command: events.RegisterBody{BodyID: id, Name: o.Name.String(),
			Kind: events.BodyKind(kind), Settings: events.DefaultBodySettings(len(people)), At: first}})
		n := 0
		for _, f := range d.orgs {
			if f.Classification.String() != "faction" || f.ParentID.String() != o.ID.String() {
				continue
			}
			rec.Steps = append(rec.Steps, importer.Step{Key: "faction:" + f.ID.String(), Command: events.FormFaction{
				FactionID: factionID(f.ID.String()), BodyID: id, Name: f.Name.String(), ShortName: shortName(f.Name.String()),
				Colour: factionColours[n%len(factionColours)], Role: events.FactionOpposition, At: first}})
			n++
		}
		if n > 0 {
			rec.Notes = append(rec.Notes, "factions: Popolo gives no role or colour; recorded as opposition, coloured from a fixed palette")
		}
		d.bodies = append(d.bodies, rec)
	}
	return nil
}

// membershipChange is the record of a member joining or leaving a body.
func (d *Decoder) membershipChange(body string, m membership, join bool) importer.Record {
	member := m.PersonID.String()
	rec := importer.Record{Kind: "membership", SourceID: m.ID.String()}
	if !join {
		end, _ := source.Time(m.EndDate.String(), time.UTC)
		rec.Steps = []importer.Step{{Key: "membership:" + m.ID.String() + ":end",
			Command: events.RemoveMember{BodyID: body, MemberID: member, Reason: "Λήξη θητείας", At: end}}}
		return rec
	}
	start, _ := source.Time(m.StartDate.String(), time.UTC)
	role := m.Role.String()
	switch role {
	case "chair", "vice_chair", "secretary", "member", "mayor":
	case "":
		role = "member"
	default:
		rec.Notes = append(rec.Notes, fmt.Sprintf("membership role %q read as member", role))
		role = "member"
	}
	faction := ""
	if f, ok := d.orgByID[m.OnBehalfOfID.String()]; ok && f.Classification.String() == "faction" {
		faction = factionID(f.ID.String())
	}
	rec.Steps = []importer.Step{{Key: "membership:" + m.ID.String(),
		Command: events.AddMember{BodyID: body, MemberID: member, Name: d.persons[member].Name.String(), FactionID: faction,
			Role: events.MemberRole(role), At: start}}}
	return rec
}

// options maps Popolo's vote options to ballots; attending is false for
// those that did not attend.
var options = map[string]struct {
	choice    events.BallotChoice
	attending bool
}{
	"yes": {events.BallotYes, true}, "no": {events.BallotNo, true}, "abstain": {events.BallotAbstain, true},
	"present": {events.BallotPresent, true}, "not voting": {events.BallotPresent, true},
	"absent": {"", false}, "excused": {"", false}, "paired": {"", false},
}

// voteEvent makes the record of one vote: its sitting, the ballots and
// the close.
func (d *Decoder) voteEvent(ve voteEvent) importer.Record {
	id := ve.ID.String()
	rec := importer.Record{Kind: "vote event", SourceID: id}
	refuse := func(format string, args ...any) importer.Record {
		rec.Steps, rec.Refused = nil, fmt.Sprintf(format, args...)
		return rec
	}
	if events.ValidateID("vote event id", id) != nil {
		return refuse("vote event id %q is not an id", id)
	}
	body := bodyID(ve.OrganizationID.String())
	start, err := source.Time(ve.StartDate.String(), time.UTC)
	if err != nil || start.IsZero() {
		return refuse("no usable start date")
	}
	end, err := source.Time(ve.EndDate.String(), time.UTC)
	if err != nil || end.Before(start) {
		end = start
	}
	method := events.VoteMethod(ve.Classification.String())
	switch method {
	case events.VoteRollCall, events.VoteShowOfHands:
	case events.VoteSecret:
		return refuse("a secret vote: its tally is not imported yet")
	default:
		rec.Notes = append(rec.Notes, fmt.Sprintf("vote classification %q read as roll_call", method))
		method = events.VoteRollCall
	}
	question := strings.TrimSpace(d.motions[ve.MotionID.String()].Text.String())
	if question == "" {
		question = "Ψηφοφορία " + id
		rec.Notes = append(rec.Notes, "a vote without a motion text: named by its id")
	}
	qtype := events.QuestionType(d.motions[ve.MotionID.String()].Classification.String())
	if qtype == "" || qtype == events.QuestionUrgency {
		qtype = events.QuestionOrdinary
	}
	votes := ve.Votes
	if len(votes) == 0 {
		votes = d.votes[id]
	}
	if len(votes) == 0 {
		return refuse("no votes")
	}
	var present []string
	var ballots []importer.Step
	presiding := ""
	meeting, item := "popolo-"+id, "popolo-"+id
	for _, v := range votes {
		member := v.VoterID.String()
		opt, ok := options[strings.ToLower(v.Option.String())]
		if !ok {
			return refuse("voter %s: unknown vote option %q", member, v.Option)
		}
		if !opt.attending {
			continue
		}
		present = append(present, member)
		if presiding == "" || d.roles[body+" "+member] == "chair" && d.roles[body+" "+presiding] != "chair" {
			presiding = member
		}
		if d.roles[body+" "+member] == "mayor" {
			continue // present, without a vote
		}
		ballots = append(ballots, importer.Step{Key: "vote:" + id + ":" + member, Command: events.CastBallot{VoteID: id, BodyID: body,
			MeetingID: meeting, MemberID: member, Choice: opt.choice, At: start}})
	}
	if len(present) == 0 {
		return refuse("nobody attended")
	}
	rec.Steps = []importer.Step{
		{Key: "vote:" + id + ":meeting", Command: events.ScheduleMeeting{MeetingID: meeting, BodyID: body, StartsAt: start, Place: "—", Urgency: events.MeetingRegular, At: start.Add(-time.Hour)}},
		{Key: "vote:" + id + ":item", Command: events.AddItem{MeetingID: meeting, ItemID: item, Title: question, Description: question, QuestionType: qtype, Presenter: presiding, At: start.Add(-time.Hour)}},
		{Key: "vote:" + id + ":convene", Command: events.ConveneMeeting{MeetingID: meeting, BodyID: body, Present: present, PresidingMemberID: presiding, At: start}},
		{Key: "vote:" + id + ":open", Command: events.OpenVote{VoteID: id, BodyID: body, MeetingID: meeting, ItemID: item, Question: question, QuestionType: qtype, Method: method, At: start}},
	}
	rec.Steps = append(rec.Steps, ballots...)
	rec.Steps = append(rec.Steps,
		importer.Step{Key: "vote:" + id + ":close", Command: events.CloseVote{VoteID: id, BodyID: body, MeetingID: meeting, At: end}},
		importer.Step{Key: "vote:" + id + ":adjourn", Command: events.AdjournMeeting{MeetingID: meeting, At: end}})
	return rec
}
