package clickhouse

import (
	"context"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// batch gathers the rows of a run of events, per table and column, until
// they are inserted together: one typed slice per column, appended to the
// insert whole, so the driver converts no value one by one.
type batch struct {
	rows   map[*table]*columns
	events *columns
	last   events.Position // the last event gathered
	n      int             // events gathered
	// fix is the sink's state for the facts that need more than their own
	// event (each ballot's faction), shared by its batches.
	fix *factState
}

// newBatch returns an empty batch sized for about capHint events, giving
// ballots their factions from fix.
func newBatch(fix *factState, capHint int) *batch {
	return &batch{rows: map[*table]*columns{}, events: newColumns(&eventsTable, capHint), fix: fix}
}

func (b *batch) put(t *table, row ...any) {
	c := b.rows[t]
	if c == nil {
		c = newColumns(t, 0)
		b.rows[t] = c
	}
	c.put(row)
}

// columns are the gathered rows of one table, column by column, each in
// the slice of its ClickHouse type (String, UInt64, Int64, UInt16, UInt8,
// DateTime); a String column filled with []byte values (the events'
// payloads, kept as the log returned them) is a [][]byte.
type columns struct {
	cols []colData
	n    int
}

type colData struct {
	typ string
	s   []string
	raw [][]byte
	u64 []uint64
	i64 []int64
	u32 []uint32
	u16 []uint16
	u8  []uint8
	t   []time.Time
}

func newColumns(t *table, capHint int) *columns {
	c := &columns{cols: make([]colData, len(t.columns))}
	for i, col := range t.columns {
		d := &c.cols[i]
		d.typ = col.typ
		switch col.typ {
		case "String":
			if col.name == "data" {
				d.raw = make([][]byte, 0, capHint)
			} else {
				d.s = make([]string, 0, capHint)
			}
		case "UInt64":
			d.u64 = make([]uint64, 0, capHint)
		case "Int64":
			d.i64 = make([]int64, 0, capHint)
		case "UInt16":
			d.u16 = make([]uint16, 0, capHint)
		case "UInt8":
			d.u8 = make([]uint8, 0, capHint)
		case "UInt32":
			d.u32 = make([]uint32, 0, capHint)
		case "DateTime":
			d.t = make([]time.Time, 0, capHint)
		default:
			panic("clickhouse: column type " + col.typ + " has no slice") // the schema is constant
		}
	}
	return c
}

// slice is column i as the driver appends it whole.
func (c *columns) slice(i int) any {
	d := &c.cols[i]
	switch d.typ {
	case "String":
		if d.raw != nil {
			return d.raw
		}
		return d.s
	case "UInt64":
		return d.u64
	case "Int64":
		return d.i64
	case "UInt32":
		return d.u32
	case "UInt16":
		return d.u16
	case "UInt8":
		return d.u8
	}
	return d.t
}

// rows is rows lo to hi of column i, as the driver appends them.
func (c *columns) rows(i, lo, hi int) any {
	switch d := c.slice(i).(type) {
	case []string:
		return d[lo:hi]
	case [][]byte:
		return d[lo:hi]
	case []uint64:
		return d[lo:hi]
	case []int64:
		return d[lo:hi]
	case []uint32:
		return d[lo:hi]
	case []uint16:
		return d[lo:hi]
	case []uint8:
		return d[lo:hi]
	case []time.Time:
		return d[lo:hi]
	}
	panic("clickhouse: a column without a slice") // the schema is constant
}

// put appends one row, whose values have the Go types of the columns (a
// mismatch is a bug of this package, caught by its tests).
func (c *columns) put(row []any) {
	for i, v := range row {
		d := &c.cols[i]
		switch v := v.(type) {
		case string:
			d.s = append(d.s, v)
		case []byte:
			d.raw = append(d.raw, v)
		case uint64:
			d.u64 = append(d.u64, v)
		case int64:
			d.i64 = append(d.i64, v)
		case uint32:
			d.u32 = append(d.u32, v)
		case uint16:
			d.u16 = append(d.u16, v)
		case uint8:
			d.u8 = append(d.u8, v)
		case time.Time:
			d.t = append(d.t, v)
		}
	}
	c.n++
}

// putEvent appends the events table's row of re without boxing a value:
// it runs for every event of the log.
func (c *columns) putEvent(re events.RecordedEvent) {
	k := c.cols
	k[0].u64 = append(k[0].u64, uint64(re.Position))
	k[1].s = append(k[1].s, re.ID.String())
	k[2].s = append(k[2].s, re.Stream)
	k[3].i64 = append(k[3].i64, re.Version)
	k[4].s = append(k[4].s, re.Type)
	k[5].u16 = append(k[5].u16, uint16(min(max(re.Schema, 0), 65535)))
	k[6].t = append(k[6].t, secs(re.OccurredAt))
	k[7].t = append(k[7].t, secs(re.RecordedAt))
	k[8].i64 = append(k[8].i64, ns(re.OccurredAt))
	k[9].i64 = append(k[9].i64, ns(re.RecordedAt))
	k[10].s = append(k[10].s, re.Actor.Role)
	k[11].raw = append(k[11].raw, re.Data)
	c.n++
}

// row returns row i as values, for tests and tools.
func (c *columns) row(i int) []any {
	out := make([]any, len(c.cols))
	for j := range c.cols {
		switch d := c.slice(j).(type) {
		case []string:
			out[j] = d[i]
		case [][]byte:
			out[j] = string(d[i])
		case []uint64:
			out[j] = d[i]
		case []int64:
			out[j] = d[i]
		case []uint32:
			out[j] = d[i]
		case []uint16:
			out[j] = d[i]
		case []uint8:
			out[j] = d[i]
		case []time.Time:
			out[j] = d[i]
		}
	}
	return out
}

// ns is a fact time: Unix nanoseconds, 0 for the zero time (the read
// model's NULL).
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// orAt is t, or at when t is zero, as the read model reads times events
// may leave out.
func orAt(t time.Time, at int64) int64 {
	if t.IsZero() {
		return at
	}
	return t.UnixNano()
}

func secs(t time.Time) time.Time {
	if t.IsZero() || t.Year() < 1970 || t.Year() > 2105 {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

// factTypes are the event types add makes fact rows of: the sink decodes
// only their payloads (the others go to the events table as they are).
var factTypes = typeSet(events.BodyMemberJoined{}, events.BodyMemberFactionChanged{}, events.BodyMemberLeft{},
	events.VoteOpened{}, events.VoteBallotCast{}, events.VoteBallotChanged{},
	events.MeetingScheduled{}, events.MeetingAgendaPublished{}, events.MeetingConvened{}, events.MeetingQuorumFailed{},
	events.MeetingMemberArrived{}, events.MeetingMemberDeparted{},
	events.DecisionAdopted{}, events.DecisionCorrected{}, events.DecisionRevoked{}, events.DecisionAnnulled{},
	events.SupplierRegistered{}, events.SupplierDetailsChanged{},
	events.ProcurementPlanned{}, events.ProcurementTenderPublished{}, events.ProcurementAwarded{},
	events.ProcurementContractSigned{}, events.ProcurementContractAmended{}, events.ProcurementPaymentMade{},
	events.RequestSubmitted{}, events.RequestAcknowledged{}, events.RequestAnswered{}, events.RequestRejected{},
	events.RequestReopened{}, events.RequestExtended{}, events.RequestForwarded{}, events.ProcurementAppealDecided{},
	events.ConsultationOpened{}, events.ConsultationCommentSubmitted{})

func typeSet(ps ...events.Payload) map[string]bool {
	set := make(map[string]bool, len(ps))
	for _, p := range ps {
		set[p.EventType()] = true
	}
	return set
}

// decodeFact decodes re's payload when its type makes fact rows; an
// undecodable payload, or another type, is nil (the events table keeps it).
func decodeFact(re events.RecordedEvent) events.Payload {
	if !factTypes[re.Type] {
		return nil
	}
	p, err := events.Decode(re)
	if err != nil {
		return nil
	}
	return p
}

// storedBallots returns the ballots of a member in a body that ClickHouse
// holds, cast at or after a time and written before a position: what a
// change read late restates beside the batch's own (see factState).
type storedBallots func(ctx context.Context, k memberKey, at int64, before uint64) ([]castBallot, error)

// gather adds the rows of one recorded event. A member change read late
// restates the ballots it precedes: those in b, and those stored returns
// (nil: none, as when the whole log is one batch).
func (b *batch) gather(ctx context.Context, re events.RecordedEvent, stored storedBallots) error {
	p := decodeFact(re)
	k, c, isChange := memberChangeOf(re, p)
	late := isChange && b.fix.late(k, c.at)
	var restated []castBallot
	if late && stored != nil {
		var err error
		if restated, err = stored(ctx, k, c.at, c.pos); err != nil {
			return err
		}
	}
	if err := b.add(ctx, re, p); err != nil {
		return err
	}
	if late {
		b.restate(k, c.at, c.pos, restated)
	}
	return nil
}

// add gathers the rows of one recorded event: always its row of the
// events table, and the fact rows of its payload p (nil for a type not in
// the catalog, which only the events table keeps). It fails only when the
// body of a ballot's vote, opened before the sink started, cannot be read.
func (b *batch) add(ctx context.Context, re events.RecordedEvent, p events.Payload) error {
	pos := uint64(re.Position)
	b.events.putEvent(re)
	b.last = re.Position
	b.n++
	id := streamID(re.Stream)
	if re.Type == voteClosed {
		delete(b.fix.voteBody, id) // no more ballots
	}
	if p == nil {
		return nil
	}
	at := ns(re.OccurredAt)
	switch e := p.(type) {
	case events.BodyMemberJoined, events.BodyMemberFactionChanged, events.BodyMemberLeft:
		k, c, _ := memberChangeOf(re, p)
		b.fix.change(k, c)
		active := uint8(1)
		if _, left := e.(events.BodyMemberLeft); left {
			active = 0
		}
		b.put(&memberChanges, k.body, k.member, pos, at, c.faction, active)

	case events.VoteOpened:
		b.fix.voteBody[id] = e.BodyID
		b.put(&votesTable, id, pos, e.BodyID, e.MeetingID, e.ItemID, string(e.QuestionType), at)
	case events.VoteBallotCast:
		body, err := b.fix.ballotBody(ctx, id)
		if err != nil {
			return err
		}
		k := memberKey{body, e.MemberID}
		if last, ok := b.fix.lastCast[k]; !ok || at > last {
			b.fix.lastCast[k] = at
		}
		b.put(&ballotsTable, id, e.MemberID, pos, "cast", string(e.Choice), at, body, b.fix.factionAt(k, at))
	case events.VoteBallotChanged:
		b.put(&ballotsTable, id, e.MemberID, pos, "changed", string(e.Choice), at, "", "")

	case events.MeetingScheduled:
		b.put(&meetingEvents, id, pos, "scheduled", at, e.BodyID, int64(0))
	case events.MeetingAgendaPublished:
		b.put(&meetingEvents, id, pos, "agenda_published", at, "", int64(0))
	case events.MeetingConvened:
		b.put(&meetingEvents, id, pos, "convened", at, "", int64(e.Seats))
		for _, m := range e.Present {
			b.put(&attendanceTable, id, m, pos, uint8(1))
		}
	case events.MeetingQuorumFailed:
		b.put(&meetingEvents, id, pos, "quorum_failed", at, "", int64(e.Seats))
	case events.MeetingMemberArrived:
		b.put(&attendanceTable, id, e.MemberID, pos, uint8(1))
	case events.MeetingMemberDeparted:
		b.put(&attendanceTable, id, e.MemberID, pos, uint8(0))

	case events.DecisionAdopted:
		b.put(&decisionEvents, id, pos, "adopted", at, e.BodyID, e.MeetingID, int64(1))
	case events.DecisionCorrected:
		b.put(&decisionEvents, id, pos, "corrected", at, "", "", int64(e.Version))
	case events.DecisionRevoked:
		b.put(&decisionEvents, id, pos, "revoked", at, "", "", int64(0))
	case events.DecisionAnnulled:
		b.put(&decisionEvents, id, pos, "annulled", at, "", "", int64(0))

	case events.SupplierRegistered:
		b.put(&suppliersTable, id, pos, string(e.Kind), e.Locality, e.Municipality)
	case events.SupplierDetailsChanged:
		b.put(&suppliersTable, id, pos, string(e.Kind), e.Locality, e.Municipality)
	case events.ProcurementPlanned:
		division := ""
		if len(e.CPV) > 0 {
			division = e.CPV[0][:min(2, len(e.CPV[0]))]
		}
		b.put(&moneyFlows, id, pos, "planned", at, e.BuyerBodyID, division, "", "", e.Budget.Cents, e.Budget.Currency, "")
	case events.ProcurementTenderPublished:
		b.put(&moneyFlows, id, pos, "tender", at, "", "", e.Procedure, "", e.Ceiling.Cents, e.Ceiling.Currency, "")
	case events.ProcurementAwarded:
		b.put(&moneyFlows, id, pos, "award", at, "", "", "", e.SupplierID, e.Value.Cents, e.Value.Currency, "")
	case events.ProcurementAppealDecided:
		// Awards sum over a process's lots; one annulled on appeal leaves it.
		// One dismissed or withdrawn annuls nothing: a row of zero.
		var annulled events.Money
		if e.Annulled != nil {
			annulled = *e.Annulled
		}
		b.put(&moneyFlows, id, pos, "award_annulled", at, "", "", "", "", annulled.Cents, annulled.Currency, "")
	case events.ProcurementContractSigned:
		b.put(&moneyFlows, id, pos, "contract", at, "", "", "", "", e.Value.Cents, e.Value.Currency, "")
	case events.ProcurementContractAmended:
		b.put(&moneyFlows, id, pos, "contract_amended", at, "", "", "", "", e.Value.Cents, e.Value.Currency, "")
	case events.ProcurementPaymentMade:
		b.put(&moneyFlows, id, pos, "payment", at, "", "", "", "", e.Amount.Cents, e.Amount.Currency, e.PaymentID)

	case events.RequestSubmitted:
		assisted := uint8(0)
		if e.AssistedBy != "" {
			assisted = 1
		}
		b.put(&requestEvents, id, pos, "submitted", orAt(e.SubmittedAt, at), string(e.Category), string(e.Channel), assisted, int64(0), int64(0))
	case events.RequestAcknowledged:
		b.put(&requestEvents, id, pos, "acknowledged", at, "", "", uint8(0), ns(e.DueAt), int64(0))
	case events.RequestAnswered:
		b.put(&requestEvents, id, pos, "answered", at, "", "", uint8(0), int64(0), orAt(e.AnsweredAt, at))
	case events.RequestRejected:
		b.put(&requestEvents, id, pos, "rejected", at, "", "", uint8(0), int64(0), orAt(e.RejectedAt, at))
	case events.RequestReopened:
		b.put(&requestEvents, id, pos, "reopened", at, "", "", uint8(0), ns(e.DueAt), int64(0))
	case events.RequestExtended:
		b.put(&requestEvents, id, pos, "extended", at, "", "", uint8(0), ns(e.DueAt), int64(0))
	case events.RequestForwarded:
		b.put(&requestEvents, id, pos, "forwarded", at, "", "", uint8(0), ns(e.DueAt), int64(0))

	case events.ConsultationOpened:
		b.put(&consultations, id, pos, e.MeetingID)
	case events.ConsultationCommentSubmitted:
		b.put(&commentsTable, e.CommentID, pos, id, string(e.Kind), at)
	}
	return nil
}

var voteClosed = events.VoteClosed{}.EventType()

// streamID is the id part of a stream name, kind-id.
func streamID(stream string) string {
	_, id, _ := strings.Cut(stream, "-")
	return id
}
