package clickhouse

import (
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
}

func newBatch() *batch { return &batch{rows: map[*table]*columns{}, events: newColumns(&eventsTable)} }

func (b *batch) put(t *table, row ...any) {
	c := b.rows[t]
	if c == nil {
		c = newColumns(t)
		b.rows[t] = c
	}
	c.put(row)
}

// columns are the gathered rows of one table, column by column: data[i]
// is a []string, []uint64, []int64, []uint16, []uint8 or []time.Time, as
// the table's column i is a String, UInt64, Int64, UInt16, UInt8 or
// DateTime.
type columns struct {
	data []any
	n    int
}

func newColumns(t *table) *columns {
	c := &columns{data: make([]any, len(t.columns))}
	for i, col := range t.columns {
		switch col.typ {
		case "String":
			c.data[i] = []string(nil)
		case "UInt64":
			c.data[i] = []uint64(nil)
		case "Int64":
			c.data[i] = []int64(nil)
		case "UInt16":
			c.data[i] = []uint16(nil)
		case "UInt8":
			c.data[i] = []uint8(nil)
		case "DateTime":
			c.data[i] = []time.Time(nil)
		default:
			panic("clickhouse: column type " + col.typ + " has no slice") // the schema is constant
		}
	}
	return c
}

// put appends one row, whose values have the Go types of the columns (a
// mismatch is a bug of this package, caught by its tests).
func (c *columns) put(row []any) {
	for i, v := range row {
		switch d := c.data[i].(type) {
		case []string:
			c.data[i] = append(d, v.(string))
		case []uint64:
			c.data[i] = append(d, v.(uint64))
		case []int64:
			c.data[i] = append(d, v.(int64))
		case []uint16:
			c.data[i] = append(d, v.(uint16))
		case []uint8:
			c.data[i] = append(d, v.(uint8))
		case []time.Time:
			c.data[i] = append(d, v.(time.Time))
		}
	}
	c.n++
}

// row returns row i as values, for tests and tools.
func (c *columns) row(i int) []any {
	out := make([]any, len(c.data))
	for j, d := range c.data {
		switch d := d.(type) {
		case []string:
			out[j] = d[i]
		case []uint64:
			out[j] = d[i]
		case []int64:
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

// gather adds the rows of one recorded event, decoding its payload when
// its type makes fact rows; an undecodable payload is kept in the events
// table only.
func (b *batch) gather(re events.RecordedEvent) {
	var p events.Payload
	if factTypes[re.Type] {
		var err error
		if p, err = events.Decode(re); err != nil {
			p = nil
		}
	}
	b.add(re, p)
}

// add gathers the rows of one recorded event: always its row of the
// events table, and the fact rows of its payload p (nil for a type not in
// the catalog, which only the events table keeps).
func (b *batch) add(re events.RecordedEvent, p events.Payload) {
	pos := uint64(re.Position)
	b.events.put([]any{pos, re.ID.String(), re.Stream, re.Version, re.Type, uint16(min(max(re.Schema, 0), 65535)),
		secs(re.OccurredAt), secs(re.RecordedAt), ns(re.OccurredAt), ns(re.RecordedAt), re.Actor.Role, string(re.Data)})
	b.last = re.Position
	b.n++
	if p == nil {
		return
	}
	_, id, _ := strings.Cut(re.Stream, "-")
	at := ns(re.OccurredAt)
	switch e := p.(type) {
	case events.BodyMemberJoined:
		b.put(&memberChanges, id, e.MemberID, pos, at, e.FactionID, uint8(1))
	case events.BodyMemberFactionChanged:
		b.put(&memberChanges, id, e.MemberID, pos, at, e.FactionID, uint8(1))
	case events.BodyMemberLeft:
		b.put(&memberChanges, id, e.MemberID, pos, at, "", uint8(0))

	case events.VoteOpened:
		b.put(&votesTable, id, pos, e.BodyID, e.MeetingID, e.ItemID, string(e.QuestionType), at)
	case events.VoteBallotCast:
		b.put(&ballotsTable, id, e.MemberID, pos, "cast", string(e.Choice), at)
	case events.VoteBallotChanged:
		b.put(&ballotsTable, id, e.MemberID, pos, "changed", string(e.Choice), at)

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
}
