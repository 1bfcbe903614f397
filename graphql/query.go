package graphql

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

type queryResolver struct{ *resolver }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func (r queryResolver) Node(ctx context.Context, id string) (model.Node, error) {
	return r.node(ctx, id)
}

func (r queryResolver) Body(ctx context.Context, id string, asOf *generated.AsOf) (*model.Body, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.body(ctx, id, at)
}

func (r queryResolver) Bodies(ctx context.Context, first *int, after *string, _ *generated.Order) (*generated.BodyConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Body], error) { return s.Bodies(ctx, p) })
	if err != nil {
		return nil, err
	}
	return bodyConnection(l), nil
}

func (r queryResolver) Member(ctx context.Context, id string) (*model.Member, error) {
	return r.member(ctx, id)
}

func (r queryResolver) Meeting(ctx context.Context, id string, asOf *generated.AsOf) (*model.Meeting, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.meeting(ctx, id, at)
}

func (r queryResolver) Meetings(ctx context.Context, bodyID, status *string, startsFrom, startsTo *time.Time, first *int, after *string, _ *generated.Order) (*generated.MeetingConnection, error) {
	return meetings(ctx, readmodel.MeetingFilter{BodyID: str(bodyID), Status: str(status),
		Starts: readmodel.TimeRange{From: timeOf(startsFrom), To: timeOf(startsTo)}}, first, after)
}

func (r queryResolver) AgendaItem(ctx context.Context, id string) (*model.AgendaItem, error) {
	return r.item(ctx, id, nil)
}

func (r queryResolver) Consultation(ctx context.Context, itemID string, asOf *generated.AsOf) (*model.Consultation, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.consultation(ctx, itemID, at)
}

func (r queryResolver) Amendment(ctx context.Context, id string, asOf *generated.AsOf) (*model.Amendment, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.amendment(ctx, id, at)
}

func (r queryResolver) Vote(ctx context.Context, id string, asOf *generated.AsOf) (*model.Vote, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.vote(ctx, id, at)
}

func (r queryResolver) Votes(ctx context.Context, bodyID, meetingID, itemID, result *string, first *int, after *string, _ *generated.Order) (*generated.VoteConnection, error) {
	return votes(ctx, readmodel.VoteFilter{BodyID: str(bodyID), MeetingID: str(meetingID), ItemID: str(itemID), Result: str(result)}, first, after)
}

func (r queryResolver) Decision(ctx context.Context, id, number, bodyID, office *string, asOf *generated.AsOf) (*model.Decision, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	switch {
	case id != nil && number == nil:
		return r.decision(ctx, *id, at)
	case number != nil && id == nil:
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		d, err := s.DecisionByNumber(ctx, str(bodyID), str(office), *number)
		if events.ErrorCode(err) == events.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if at != nil {
			return r.decision(ctx, d.ID, at)
		}
		return &model.Decision{Decision: d}, nil
	}
	return nil, events.Invalidf("decision: give an id or a number, not both")
}

func (r queryResolver) Decisions(ctx context.Context, bodyID, status *string, year *int, meetingID, itemID, registerID, office, officeKind *string,
	adoptedFrom, adoptedTo *time.Time, first *int, after *string, _ *generated.Order) (*generated.DecisionConnection, error) {
	f := readmodel.DecisionFilter{BodyID: str(bodyID), Status: str(status), MeetingID: str(meetingID), ItemID: str(itemID),
		RegisterID: str(registerID), Office: str(office), OfficeKind: str(officeKind), Adopted: readmodel.TimeRange{From: timeOf(adoptedFrom), To: timeOf(adoptedTo)}}
	if year != nil {
		f.Year = *year
	}
	return decisions(ctx, f, first, after)
}

func (r queryResolver) Procurement(ctx context.Context, ocid string, asOf *generated.AsOf) (*model.Procurement, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.procurement(ctx, ocid, at)
}

func (r queryResolver) Procurements(ctx context.Context, buyerBodyID, status, supplierVatID, cpv, method, procedureType *string,
	budgetMin, budgetMax *int64, first *int, after *string, _ *generated.Order) (*generated.ProcurementConnection, error) {
	return procurements(ctx, readmodel.ProcurementFilter{BuyerBodyID: str(buyerBodyID), Status: str(status),
		SupplierVATID: str(supplierVatID), CPV: str(cpv), Method: str(method), ProcedureType: str(procedureType),
		Budget: readmodel.MoneyRange{Min: budgetMin, Max: budgetMax}}, first, after)
}

func (r queryResolver) Supplier(ctx context.Context, vatID string, asOf *generated.AsOf) (*model.Supplier, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.supplier(ctx, vatID, at)
}

func (r queryResolver) Suppliers(ctx context.Context, kind, municipality, name *string, first *int, after *string, _ *generated.Order) (*generated.SupplierConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Supplier], error) {
		return s.Suppliers(ctx, readmodel.SupplierFilter{Kind: str(kind), Municipality: str(municipality), Name: str(name), Page: p})
	})
	if err != nil {
		return nil, err
	}
	return &generated.SupplierConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, s *readmodel.Supplier) *generated.SupplierEdge {
			return &generated.SupplierEdge{Cursor: c, Node: &model.Supplier{Supplier: *s}}
		})}, nil
}

func (r queryResolver) Request(ctx context.Context, id string, asOf *generated.AsOf) (*model.Request, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.request(ctx, id, at)
}

func (r queryResolver) Requests(ctx context.Context, category, channel, status, department *string, overdue *bool,
	submittedFrom, submittedTo *time.Time, first *int, after *string, _ *generated.Order) (*generated.RequestConnection, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	f := readmodel.RequestFilter{Category: str(category), Channel: str(channel), Status: str(status), Department: str(department),
		Submitted: readmodel.TimeRange{From: timeOf(submittedFrom), To: timeOf(submittedTo)}}
	if overdue != nil && *overdue {
		f.OverdueAt = q.now
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Request], error) {
		f.Page = p
		return s.Requests(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.RequestConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, x *readmodel.Request) *generated.RequestEdge {
			return &generated.RequestEdge{Cursor: c, Node: &model.Request{Request: *x}}
		})}, nil
}

func (r queryResolver) Search(ctx context.Context, query string, kinds []string, first *int, after *string) (*generated.SearchHitConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.SearchHit], error) {
		return s.Search(ctx, query, readmodel.SearchOptions{Kinds: kinds, Page: p})
	})
	if err != nil {
		return nil, err
	}
	return &generated.SearchHitConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, h *readmodel.SearchHit) *generated.SearchHitEdge {
			return &generated.SearchHitEdge{Cursor: c, Node: h}
		})}, nil
}

func (r queryResolver) History(ctx context.Context, id string, first *int, after *string, _ *generated.Order) (*generated.HistoryEventConnection, error) {
	p, err := pageOf(ctx, first, after)
	if err != nil {
		return nil, err
	}
	opts := readmodel.HistoryOptions{Desc: p.Desc, Limit: max(p.First, 0) + 1}
	if p.Desc {
		opts.From = -1 // the last event
	}
	if p.After != "" {
		v, ok := historyVersion(p.After, p.Desc)
		if !ok {
			return nil, events.Invalidf("after: not a cursor of this history in this order; pass the next cursor of a page of the same history and order")
		}
		opts.From = v + 1
		if p.Desc {
			opts.From = v - 1
		}
	}
	n := max(p.First, 0)
	var evs []readmodel.HistoryEvent
	if done := p.Desc && p.After != "" && opts.From < 0; !done { // latest first, version 0 is the end
		evs, err = r.h.rm.History(ctx, id, opts)
	}
	if events.ErrorCode(err) == events.CodeNotFound && p.After != "" {
		evs, err = nil, nil // past the end of a stream that exists
	}
	if err != nil {
		return nil, err
	}
	more := len(evs) > n
	evs = evs[:min(n, len(evs))]
	out := &generated.HistoryEventConnection{PageInfo: &generated.PageInfo{HasNextPage: more}, Edges: []*generated.EventEdge{}}
	for _, h := range evs {
		c := historyCursor(h.Version, p.Desc)
		out.Edges = append(out.Edges, &generated.EventEdge{Cursor: c, Node: model.EventOf(h)})
		out.PageInfo.EndCursor = &c
	}
	if out.PageInfo.EndCursor == nil && after != nil {
		out.PageInfo.EndCursor = after
	}
	return out, nil
}

// historyCursor is the cursor after an event of a history: its version,
// tagged "desc:" for a history read latest first.
func historyCursor(version int64, desc bool) string {
	c := strconv.FormatInt(version, 10)
	if desc {
		c = historyDesc + c
	}
	return c
}

// historyVersion is the version a history cursor of the direction holds;
// false for one of the other direction or none at all.
func historyVersion(cursor string, desc bool) (int64, bool) {
	text, tagged := strings.CutPrefix(cursor, historyDesc)
	if tagged != desc {
		return 0, false
	}
	v, err := strconv.ParseInt(text, 10, 64)
	return v, err == nil && v >= 0
}

const historyDesc = "desc:"

// eventScanLimit bounds how many events one page of the change feed reads
// to fill a page of the types asked: a page may come back short, with a
// cursor to go on from.
const eventScanLimit = 10 * events.MaxReadLimit

func (r queryResolver) Events(ctx context.Context, after *events.Position, types []string, first *int) (*generated.EventConnection, error) {
	p, err := pageOf(ctx, first, nil)
	if err != nil {
		return nil, err
	}
	n := max(p.First, 0)
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	var pos events.Position
	if after != nil {
		pos = *after
	}
	out := &generated.EventConnection{PageInfo: &generated.PageInfo{}, Edges: []*generated.EventEdge{}}
	for scanned := 0; len(out.Edges) < n && scanned < eventScanLimit; {
		limit := events.MaxReadLimit
		if len(want) == 0 {
			limit = n - len(out.Edges) + 1
		}
		page, err := r.h.feed.ReadAll(ctx, events.ReadAllOptions{After: pos, Limit: limit})
		if err != nil {
			return nil, err
		}
		scanned += len(page)
		for _, re := range page {
			if len(out.Edges) == n {
				out.PageInfo.HasNextPage = true
				break
			}
			pos = re.Position
			if len(want) == 0 || want[re.Type] {
				out.Edges = append(out.Edges, &generated.EventEdge{Cursor: strconv.FormatUint(uint64(re.Position), 10), Node: model.EventOfRecorded(re)})
			}
		}
		if len(page) < limit {
			break
		}
		if len(out.Edges) < n && scanned >= eventScanLimit {
			out.PageInfo.HasNextPage = true
		}
	}
	c := strconv.FormatUint(uint64(pos), 10)
	out.PageInfo.EndCursor = &c
	return out, nil
}

// listArgs is the snapshot and page of a list field.
func listArgs(ctx context.Context, first *int, after *string) (*readmodel.Snapshot, readmodel.Page, error) {
	p, err := pageOf(ctx, first, after)
	if err != nil {
		return nil, p, err
	}
	s, err := snapshot(ctx)
	return s, p, err
}
