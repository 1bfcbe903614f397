// Package analytics owns the aggregate questions watchdogs ask of the
// record: where the money goes and how much of it reaches cooperatives,
// small firms and local suppliers; how members and factions vote, how
// cohesive factions are and who attends; how many decisions each meeting
// takes, how long after the agenda, and how often they are corrected or
// revoked; whether requests are answered on time, by category and channel;
// and how many people take part in consultations.
//
// Engine is the one interface the products (GraphQL) read through. Two
// engines implement it: the embedded one over the SQLite read model
// (package analytics/embedded), the default at one municipality's scale,
// and ClickHouse (package projections/clickhouse) at a national scale.
// Both must give identical answers on the same log, which
// analyticstest.Compare checks: so every answer is made of exact integers
// (counts, cents, whole seconds), and every ratio is computed from them
// here, in Go, once, by the methods of the answer types. An engine never
// computes a ratio, an average or a rounding of its own.
package analytics

import (
	"context"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Engine answers the analytics questions. Every method is safe for
// concurrent use, reads one consistent state of the log (the embedded
// engine one read-model snapshot; ClickHouse what its sink has ingested),
// and returns rows in the order its doc names, so two engines' answers
// compare with ==. It returns an error matching events.ErrInvalid for a
// filter that fails Validate (nothing is read), events.ErrUnavailable
// while the engine's data is not there yet (the read model not built, the
// ClickHouse server unreachable), and an internal error otherwise; an
// empty answer is no error.
type Engine interface {
	// Spending sums awarded and paid value per key of by, in key then
	// currency order. An award counts in the period of its award, a
	// payment in the period of the payment (year: the year of each).
	// Filter: body is the buyer; category a CPV division (two digits).
	Spending(ctx context.Context, f Filter, by SpendingKey) ([]Spending, error)
	// SupplierShares sums awarded and paid value in total and to
	// cooperatives, small firms (sme) and local suppliers (seat
	// municipality equal to local, compared exactly), per currency in
	// currency order. Periods and filters as Spending's.
	SupplierShares(ctx context.Context, f Filter, local string) ([]SupplierShares, error)
	// Agreement counts, for every pair of members (level member) or of
	// factions (level faction) voting in the same votes, the votes both
	// took a position in and those where the positions were the same. A
	// member's position is their ballot (yes, no or abstain); a faction's
	// is the choice most of its members voting took, none on a tie.
	// Members without a faction ("") are not a faction. Pairs are ordered
	// A < B, in (A, B) order. Filter: period on the vote's opening;
	// category the question type.
	Agreement(ctx context.Context, f Filter, level Level) ([]Agreement, error)
	// FactionVotes counts each faction's yes, no and abstain ballots in
	// each vote, in (vote opening time, vote id, faction) order: Rice
	// cohesion per vote and over a period come from it (Cohesion). A
	// ballot counts for the faction its member held when casting it.
	FactionVotes(ctx context.Context, f Filter) ([]FactionVote, error)
	// Dissent counts, per member and faction, the ballots cast in votes
	// where the faction had a position, and those that differed from it,
	// in (member, faction) order. Filters as Agreement's.
	Dissent(ctx context.Context, f Filter) ([]Dissent, error)
	// MemberAttendance counts, per body and member, the convened meetings
	// of the body held while they were a member and those they were
	// present at (at the end of the meeting), in (body, member) order.
	// Filter: period on the meeting's convening.
	MemberAttendance(ctx context.Context, f Filter) ([]MemberAttendance, error)
	// MeetingAttendance gives each convened meeting's seats and members
	// present, in (convened time, meeting) order.
	MeetingAttendance(ctx context.Context, f Filter) ([]MeetingAttendance, error)
	// MeetingDecisions counts the decisions adopted at each meeting that
	// adopted any, and sums the whole seconds from the meeting's agenda
	// publication to each decision's adoption over those with a published
	// agenda, in meeting order. Filter: period on the adoption.
	MeetingDecisions(ctx context.Context, f Filter) ([]MeetingDecisions, error)
	// DecisionChanges counts decisions adopted, corrections, revocations
	// and annulments per calendar month (UTC, "2026-03") of each, in month
	// order, months with none left out.
	DecisionChanges(ctx context.Context, f Filter) ([]DecisionChanges, error)
	// RequestTimes counts citizens' requests per category and channel, in
	// that order: submitted, assisted by staff, with a statutory due date,
	// answered (answered or rejected), the whole seconds from submission
	// to answer and from submission to due date summed over the answered
	// ones with a due date, and the overdue ones (answered after their due
	// date, or unanswered with their due date before now). Filter: period
	// on the submission; category the request category; body unused
	// (requests go to the municipality).
	RequestTimes(ctx context.Context, f Filter, now time.Time) ([]RequestTimes, error)
	// Participation counts the comments submitted on each agenda item's
	// consultation, by kind, whatever became of them later, in (meeting,
	// item) order; items without comments are left out. Filter: period on
	// the submission; category the comment kind.
	Participation(ctx context.Context, f Filter) ([]Participation, error)
}

// Filter narrows a question. The zero Filter asks about everything.
type Filter struct {
	// BodyID keeps what belongs to one body (a council, a committee); for
	// money, the buying body.
	BodyID string
	// From and To bound the period, [From, To), on the time each
	// question's doc names; a zero bound is open.
	From, To time.Time
	// Category narrows by the category each question's doc names.
	Category string
}

// Validate reports an events.ErrInvalid error for a period that ends
// before it starts, and for text no id or category can be.
func (f Filter) Validate() error {
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return invalid("period: to is before from")
	}
	if len(f.BodyID) > 200 || len(f.Category) > 200 {
		return invalid("body and category are at most 200 bytes")
	}
	return nil
}

// SpendingKey is what Spending groups by.
type SpendingKey string

const (
	BySupplier    SpendingKey = "supplier"     // the supplier's VAT id
	ByCPVDivision SpendingKey = "cpv_division" // the first two digits of the process's first CPV code
	ByProcedure   SpendingKey = "procedure"    // the tender's procedure, "" without a tender
	ByYear        SpendingKey = "year"         // the UTC year of the award or payment
)

// Valid reports whether k is one of the keys.
func (k SpendingKey) Valid() bool {
	return k == BySupplier || k == ByCPVDivision || k == ByProcedure || k == ByYear
}

// Level is what Agreement pairs: members or factions.
type Level string

const (
	ByMember  Level = "member"
	ByFaction Level = "faction"
)

// Valid reports whether l is one of the levels.
func (l Level) Valid() bool { return l == ByMember || l == ByFaction }

// Spending is the money of one key in one currency.
type Spending struct {
	Key          string
	Currency     string
	Awards       int64 // awards counted
	AwardedCents int64
	Payments     int64 // payments counted
	PaidCents    int64
}

// Money is awarded and paid value in one currency, in total and to each
// class of supplier.
type Money struct {
	TotalCents, CooperativeCents, SMECents, LocalCents int64
}

// Shares of the total, 0 for a zero total.
func (m Money) CooperativeShare() float64 { return ratio(m.CooperativeCents, m.TotalCents) }
func (m Money) SMEShare() float64         { return ratio(m.SMECents, m.TotalCents) }
func (m Money) LocalShare() float64       { return ratio(m.LocalCents, m.TotalCents) }

// SupplierShares is SupplierShares' answer for one currency.
type SupplierShares struct {
	Currency string
	Awarded  Money
	Paid     Money
}

// Agreement is one pair's record of voting together.
type Agreement struct {
	A, B   string
	Votes  int64 // votes both took a position in
	Agreed int64 // of those, the votes they took the same position in
}

// Rate is the share of votes in agreement, 0 without votes.
func (a Agreement) Rate() float64 { return ratio(a.Agreed, a.Votes) }

// FactionVote is one faction's ballots in one vote. Faction is the
// faction's id (the read model's factions hold its name and colour).
type FactionVote struct {
	VoteID           string
	OpenedAt         time.Time
	Faction          string
	Yes, No, Abstain int64
}

// Rice is the Rice index of the faction in the vote, |yes - no| / (yes +
// no): 1 when all its yes-or-no ballots agree, 0 when they split evenly;
// 0 too when it cast none.
func (v FactionVote) Rice() float64 {
	d := v.Yes - v.No
	if d < 0 {
		d = -d
	}
	return ratio(d, v.Yes+v.No)
}

// Position is the faction's choice in the vote: the one most of its
// ballots took, "" on a tie.
func (v FactionVote) Position() events.BallotChoice {
	switch {
	case v.Yes > v.No && v.Yes > v.Abstain:
		return events.BallotYes
	case v.No > v.Yes && v.No > v.Abstain:
		return events.BallotNo
	case v.Abstain > v.Yes && v.Abstain > v.No:
		return events.BallotAbstain
	}
	return ""
}

// FactionCohesion is a faction's mean Rice index over the votes it cast
// yes-or-no ballots in.
type FactionCohesion struct {
	Faction string
	Votes   int64
	Mean    float64
}

// Cohesion summarises FactionVotes per faction over the whole period of
// the query, in faction order.
func Cohesion(votes []FactionVote) []FactionCohesion {
	sums := map[string]*FactionCohesion{}
	var order []string
	for _, v := range votes {
		if v.Yes+v.No == 0 {
			continue
		}
		c := sums[v.Faction]
		if c == nil {
			c = &FactionCohesion{Faction: v.Faction}
			sums[v.Faction] = c
			order = append(order, v.Faction)
		}
		c.Votes++
		c.Mean += v.Rice()
	}
	slices.Sort(order)
	out := make([]FactionCohesion, 0, len(order))
	for _, f := range order {
		c := sums[f]
		c.Mean /= float64(c.Votes)
		out = append(out, *c)
	}
	return out
}

// Dissent is one member's record against their faction's position.
type Dissent struct {
	MemberID string
	Faction  string
	Ballots  int64 // ballots in votes where the faction had a position
	Against  int64 // of those, ballots other than the faction's position
}

// Rate is the share of ballots against the faction, 0 without ballots.
func (d Dissent) Rate() float64 { return ratio(d.Against, d.Ballots) }

// MemberAttendance is one member's attendance in one body.
type MemberAttendance struct {
	BodyID, MemberID string
	Meetings         int64 // convened meetings while a member
	Present          int64
}

// Rate is the share of meetings attended, 0 without meetings.
func (a MemberAttendance) Rate() float64 { return ratio(a.Present, a.Meetings) }

// MeetingAttendance is one convened meeting's attendance.
type MeetingAttendance struct {
	MeetingID  string
	BodyID     string
	ConvenedAt time.Time
	Seats      int64
	Present    int64
}

// Rate is the share of seats present, 0 without seats.
func (a MeetingAttendance) Rate() float64 { return ratio(a.Present, a.Seats) }

// MeetingDecisions is what one meeting decided.
type MeetingDecisions struct {
	MeetingID string
	BodyID    string
	Decisions int64
	// WithAgenda counts the decisions whose meeting had a published
	// agenda; AgendaSeconds sums their time from publication to adoption.
	WithAgenda    int64
	AgendaSeconds int64
}

// MeanAgendaToDecision is the mean time from agenda publication to
// decision, 0 without decisions after an agenda.
func (m MeetingDecisions) MeanAgendaToDecision() time.Duration {
	if m.WithAgenda == 0 {
		return 0
	}
	return time.Duration(m.AgendaSeconds/m.WithAgenda) * time.Second
}

// DecisionChanges counts what happened to decisions in one month.
type DecisionChanges struct {
	Month                                 string // "2026-03"
	Adopted, Corrected, Revoked, Annulled int64
}

// RequestTimes is the record of one category and channel of requests.
type RequestTimes struct {
	Category, Channel string
	Requests          int64
	Assisted          int64 // submitted with a member of staff's help
	WithDueDate       int64
	Answered          int64
	// ResponseSeconds and AllowedSeconds sum, over the answered requests
	// with a due date, the time taken and the time the law allowed.
	ResponseSeconds int64
	AllowedSeconds  int64
	Overdue         int64
}

// OverdueShare is the share of requests with a due date that are or were
// overdue; AssistedShare the share of requests assisted by staff.
func (r RequestTimes) OverdueShare() float64  { return ratio(r.Overdue, r.WithDueDate) }
func (r RequestTimes) AssistedShare() float64 { return ratio(r.Assisted, r.Requests) }

// ResponseToDeadline is the time taken over the time allowed, summed over
// the answered requests: below 1 is faster than the law requires.
func (r RequestTimes) ResponseToDeadline() float64 { return ratio(r.ResponseSeconds, r.AllowedSeconds) }

// Participation counts the comments on one agenda item.
type Participation struct {
	MeetingID, ItemID              string
	Comments                       int64
	Proposals, Objections, Remarks int64 // by kind: proposal, objection, comment
}

// PerMeeting sums Participation rows per meeting, in meeting order.
func PerMeeting(items []Participation) []Participation {
	var out []Participation
	for _, p := range items {
		if n := len(out); n > 0 && out[n-1].MeetingID == p.MeetingID {
			o := &out[n-1]
			o.Comments += p.Comments
			o.Proposals += p.Proposals
			o.Objections += p.Objections
			o.Remarks += p.Remarks
			continue
		}
		p.ItemID = ""
		out = append(out, p)
	}
	return out
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func invalid(msg string) error {
	return &events.Error{Code: events.CodeInvalid, Message: "analytics: " + msg}
}
