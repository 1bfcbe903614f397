// Package model holds the Go types the GraphQL schema binds to: each
// entity of the read model with the point of the record it was read at
// (nil for now), so that its links resolve at the same point, and the
// scalars the schema declares.
package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Node is an entity with a global id: its stream name, such as
// "decision-d1", or "member-m1" and "item-i1" for the two that are rows,
// not streams.
type Node interface {
	GlobalID() string
}

// Body is a body as read now (At nil) or as of a point, with the
// memberships of that point.
type Body struct {
	readmodel.Body
	At          *readmodel.Point
	Memberships []readmodel.Membership // as of At; nil when At is nil
}

func (b *Body) GlobalID() string { return "body-" + b.ID }

// SettingsText is the body's settings as JSON text.
func (b *Body) SettingsText() string {
	if len(b.Settings) == 0 {
		return "{}"
	}
	return string(b.Settings)
}

// Member is a member of a body by id, named by their latest period.
type Member struct {
	ID     string
	Latest readmodel.Membership
}

func (m *Member) GlobalID() string  { return "member-" + m.ID }
func (m *Member) Name() string      { return m.Latest.Name }
func (m *Member) FactionID() string { return m.Latest.FactionID }

// Faction is a faction of a body. Sitting, when not nil, is how many of
// its members sit now (or, for a body as of a point, then), counted with
// the body's other factions.
type Faction struct {
	readmodel.Faction
	Sitting *int
}

// Meeting is a meeting now or as of a point, with its items and attendance
// then.
type Meeting struct {
	readmodel.Meeting
	At         *readmodel.Point
	Items      []readmodel.AgendaItem // as of At
	Attendance []string               // as of At
	// Past is the meeting's view as of At, for the attendance of its
	// items, justified absences and substitutes then.
	Past *readmodel.MeetingView
}

func (m *Meeting) GlobalID() string { return "meeting-" + m.ID }

// AgendaItem is an item now or as of a point.
type AgendaItem struct {
	readmodel.AgendaItem
	At *readmodel.Point
	// Meeting is the item's meeting as of At (nil when At is nil), for
	// the item's attendance then.
	Meeting *readmodel.MeetingView
}

func (i *AgendaItem) GlobalID() string { return "item-" + i.ID }

// Consultation is a consultation now or as of a point.
type Consultation struct {
	readmodel.Consultation
	At          *readmodel.Point
	CommentList []readmodel.Comment               // as of At
	Reopenings  []readmodel.ConsultationReopening // as of At
}

func (c *Consultation) GlobalID() string { return "consultation-" + c.ItemID }

// Amendment is an amendment now or as of a point.
type Amendment struct {
	readmodel.Amendment
	At *readmodel.Point
}

func (a *Amendment) GlobalID() string { return "amendment-" + a.ID }

// Vote is a vote now or as of a point, with its ballots then.
type Vote struct {
	readmodel.Vote
	At      *readmodel.Point
	Ballots []readmodel.Ballot // as of At
}

func (v *Vote) GlobalID() string { return "vote-" + v.ID }

// Ballot is a ballot with its member, read with every ballot of its vote
// (not by a resolver per ballot, which would cost a goroutine each).
type Ballot struct {
	readmodel.Ballot
	Member *Member
}

// Decision is a decision now or as of a point, with its versions then.
type Decision struct {
	readmodel.Decision
	At       *readmodel.Point
	Versions []readmodel.DecisionVersion // as of At
	Reissues []readmodel.DecisionReissue // as of At
}

func (d *Decision) GlobalID() string { return "decision-" + d.ID }

// Procurement is a contracting process now or as of a point, with its bids
// and payments then.
type Procurement struct {
	readmodel.Procurement
	At       *readmodel.Point
	BidList  []readmodel.Bid             // as of At
	Payments []readmodel.Payment         // as of At
	Steps    *readmodel.ProcurementSteps // as of At
}

func (p *Procurement) GlobalID() string { return "procurement-" + p.OCID }

// Supplier is a supplier now or as of a point.
type Supplier struct {
	readmodel.Supplier
	At *readmodel.Point
}

func (s *Supplier) GlobalID() string { return "supplier-" + s.VATID }

// Request is a request now or as of a point, with its history then.
type Request struct {
	readmodel.Request
	At      *readmodel.Point
	History []readmodel.RequestStatusChange // as of At
}

func (r *Request) GlobalID() string { return "request-" + r.ID }

// DecisionVersion is one version of a decision with the one before it,
// for its diff.
type DecisionVersion struct {
	readmodel.DecisionVersion
	Previous *readmodel.DecisionVersion
}

// Diff is what changed from the previous version, line by line.
func (v *DecisionVersion) Diff() []DiffLine {
	if v.Previous == nil {
		return []DiffLine{}
	}
	out := diffLines("title", v.Previous.Title, v.Title)
	return append(out, diffLines("text", v.Previous.Text, v.Text)...)
}

// Event is an event of the log as the API shows it.
type Event struct {
	EventID    string
	Stream     string
	Version    int64
	Position   events.Position
	Type       string
	Schema     int
	OccurredAt time.Time
	RecordedAt time.Time
	Actor      events.Actor
	Data       string
}

// EventOf is a history event as the API shows it.
func EventOf(h readmodel.HistoryEvent) *Event {
	return &Event{EventID: h.ID.String(), Stream: h.Stream, Version: h.Version, Position: h.Position, Type: h.Type,
		Schema: h.Schema, OccurredAt: h.OccurredAt, RecordedAt: h.RecordedAt, Actor: h.Actor, Data: jsonText(h.Data)}
}

// EventOfRecorded is a recorded event as the API shows it.
func EventOfRecorded(re events.RecordedEvent) *Event {
	return &Event{EventID: re.ID.String(), Stream: re.Stream, Version: re.Version, Position: re.Position, Type: re.Type,
		Schema: re.Schema, OccurredAt: re.OccurredAt, RecordedAt: re.RecordedAt, Actor: re.Actor, Data: jsonText(re.Data)}
}

func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	return string(raw)
}

// MarshalPosition writes a log position as a JSON number.
func MarshalPosition(p events.Position) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.FormatUint(uint64(p), 10)) })
}

// UnmarshalPosition reads a log position from a non-negative integer or
// its decimal text.
func UnmarshalPosition(v any) (events.Position, error) {
	switch v := v.(type) {
	case int64:
		if v >= 0 {
			return events.Position(v), nil
		}
	case int:
		if v >= 0 {
			return events.Position(v), nil
		}
	case json.Number:
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return events.Position(n), nil
		}
	case string:
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			return events.Position(n), nil
		}
	}
	return 0, events.Invalidf("a position is a non-negative integer, not %s", truncate(fmt.Sprint(v)))
}

// truncate shortens an echoed input to 40 characters (runes: a Greek
// letter is never split) for an error message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// CommentCount is how many comments the consultation received.
func (c *Consultation) CommentCount() int { return c.Consultation.Comments }

// BidCount is how many bids the process received.
func (p *Procurement) BidCount() int { return p.Bids }

// LotCount is how many lots the tender has.
func (p *Procurement) LotCount() int { return p.Lots }

// Minutes are a meeting's minutes now or as of a point, with their
// versions and decisions then.
type Minutes struct {
	readmodel.Minutes
	At          *readmodel.Point
	Versions    []readmodel.MinutesVersion // as of At
	DecisionIDs []string                   // as of At
}

func (m *Minutes) GlobalID() string { return "minutes-" + m.MeetingID }

// Approval is the approval of the last version approved, nil before any.
func (m *Minutes) Approval() *MinutesApproval {
	if m.ApprovedVersion == 0 {
		return nil
	}
	return &MinutesApproval{Version: m.ApprovedVersion, MeetingID: m.ApprovingMeetingID, VoteID: m.ApprovingVoteID, ApprovedAt: m.ApprovedAt, At: m.At}
}

// MinutesApproval is the approval of a version of the minutes.
type MinutesApproval struct {
	Version    int
	MeetingID  string
	VoteID     string
	ApprovedAt time.Time
	At         *readmodel.Point
}

// DecisionOffice is the office whose register numbers a decision.
type DecisionOffice struct {
	Kind     string
	Register string
	OfficeID *string
	BodyID   string
	At       *readmodel.Point
}

// OfficeOf is the office of a decision.
func OfficeOf(d *Decision) *DecisionOffice {
	o := &DecisionOffice{Kind: d.OfficeKind, Register: d.Office, BodyID: d.BodyID, At: d.At}
	if kind, id, ok := strings.Cut(d.Office, "/"); ok && kind == readmodel.OfficeDeputyMayor {
		o.OfficeID = &id
	}
	return o
}

// ProtocolEntry is an entry of the protocol.
type ProtocolEntry struct {
	readmodel.ProtocolEntry
	At *readmodel.Point
}

func (p *ProtocolEntry) GlobalID() string { return "protocol-" + p.ID }
