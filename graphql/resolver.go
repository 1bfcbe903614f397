package graphql

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/vikstrous/dataloadgen"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// resolver answers every field of the schema from the request's snapshot
// (its loaders for links) and, for asOf, from the log through AsOf.
type resolver struct {
	h *Handler
}

var _ generated.ResolverRoot = (*resolver)(nil)

func (r *resolver) AgendaItem() generated.AgendaItemResolver       { return agendaItemResolver{r} }
func (r *resolver) Amendment() generated.AmendmentResolver         { return amendmentResolver{r} }
func (r *resolver) Bid() generated.BidResolver                     { return bidResolver{r} }
func (r *resolver) Body() generated.BodyResolver                   { return bodyResolver{r} }
func (r *resolver) Comment() generated.CommentResolver             { return commentResolver{r} }
func (r *resolver) Consultation() generated.ConsultationResolver   { return consultationResolver{r} }
func (r *resolver) Decision() generated.DecisionResolver           { return decisionResolver{r} }
func (r *resolver) Meeting() generated.MeetingResolver             { return meetingResolver{r} }
func (r *resolver) Member() generated.MemberResolver               { return memberResolver{r} }
func (r *resolver) MemberBallot() generated.MemberBallotResolver   { return memberBallotResolver{r} }
func (r *resolver) MemberSitting() generated.MemberSittingResolver { return memberSittingResolver{r} }
func (r *resolver) Membership() generated.MembershipResolver       { return membershipResolver{r} }
func (r *resolver) Procurement() generated.ProcurementResolver     { return procurementResolver{r} }
func (r *resolver) ProcurementAward() generated.ProcurementAwardResolver {
	return procurementAwardResolver{r}
}
func (r *resolver) ProcurementContract() generated.ProcurementContractResolver {
	return procurementContractResolver{r}
}
func (r *resolver) ProcurementAppeal() generated.ProcurementAppealResolver {
	return procurementAppealResolver{r}
}
func (r *resolver) ProcurementDecision() generated.ProcurementDecisionResolver {
	return procurementDecisionResolver{r}
}
func (r *resolver) ContractAmendment() generated.ContractAmendmentResolver {
	return contractAmendmentResolver{r}
}
func (r *resolver) TenderAmendment() generated.TenderAmendmentResolver {
	return tenderAmendmentResolver{r}
}
func (r *resolver) Query() generated.QueryResolver         { return queryResolver{r} }
func (r *resolver) Request() generated.RequestResolver     { return requestResolver{r} }
func (r *resolver) SearchHit() generated.SearchHitResolver { return searchHitResolver{r} }
func (r *resolver) Snippet() generated.SnippetResolver     { return snippetResolver{r} }
func (r *resolver) Supplier() generated.SupplierResolver   { return supplierResolver{r} }
func (r *resolver) Vote() generated.VoteResolver           { return voteResolver{r} }

// pointOf is the point an asOf argument names, nil for none. An asOf
// naming neither a position nor a time is an invalid error.
func pointOf(a *generated.AsOf) (*readmodel.Point, error) {
	if a == nil {
		return nil, nil
	}
	var p readmodel.Point
	if a.Position != nil {
		p.Position = *a.Position
	}
	if a.RecordedAt != nil {
		p.RecordedAt = a.RecordedAt.UTC()
	}
	if p.Position == 0 && p.RecordedAt.IsZero() {
		return nil, events.Invalidf("asOf: give a position (1 or more) or a recordedAt time")
	}
	return &p, nil
}

// asOf folds the entity of stream as of at; nil, nil when it had no events
// then.
func (r *resolver) asOf(ctx context.Context, stream string, at readmodel.Point) (any, error) {
	st, err := r.h.rm.AsOf(ctx, stream, at)
	if events.ErrorCode(err) == events.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return st.State, nil
}

// load reads one entity by id: through its loader now, or folded from the
// log as of at. A missing entity is nil, not an error.
func load[R, M any](ctx context.Context, r *resolver, kind, id string, at *readmodel.Point,
	loader func(*request) *dataloadgen.Loader[string, *R],
	now func(*R) *M, past func(any, *readmodel.Point) *M) (*M, error) {
	if id == "" {
		return nil, nil
	}
	if at != nil {
		st, err := r.asOf(ctx, kind+"-"+id, *at)
		if err != nil || st == nil {
			return nil, err
		}
		return past(st, at), nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	row, err := loader(q).Load(ctx, id)
	if err != nil || row == nil {
		return nil, err
	}
	return now(row), nil
}

func (r *resolver) body(ctx context.Context, id string, at *readmodel.Point) (*model.Body, error) {
	return load(ctx, r, "body", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Body] {
		return q.loaders.bodies
	}, func(b *readmodel.Body) *model.Body { return &model.Body{Body: *b} },
		func(st any, at *readmodel.Point) *model.Body {
			v := st.(*readmodel.BodyView)
			return &model.Body{Body: v.Body, At: at, Memberships: v.Memberships}
		})
}

func (r *resolver) member(ctx context.Context, id string) (*model.Member, error) {
	if id == "" {
		return nil, nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := q.loaders.members.Load(ctx, id)
	if err != nil || ms == nil {
		return nil, err
	}
	return &model.Member{ID: id, Latest: *ms}, nil
}

func (r *resolver) meeting(ctx context.Context, id string, at *readmodel.Point) (*model.Meeting, error) {
	return load(ctx, r, "meeting", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Meeting] {
		return q.loaders.meetings
	}, func(m *readmodel.Meeting) *model.Meeting { return &model.Meeting{Meeting: *m} },
		func(st any, at *readmodel.Point) *model.Meeting {
			v := st.(*readmodel.MeetingView)
			return &model.Meeting{Meeting: v.Meeting, At: at, Items: v.Items, Attendance: v.Attendance, Past: v}
		})
}

// item reads an agenda item; as of a point, from its meeting's past state.
func (r *resolver) item(ctx context.Context, id string, at *readmodel.Point) (*model.AgendaItem, error) {
	if id == "" {
		return nil, nil
	}
	if at != nil {
		// An item is part of its meeting's stream: find the meeting now,
		// then the item in the meeting as of the point.
		now, err := r.item(ctx, id, nil)
		if err != nil || now == nil {
			return nil, err
		}
		m, err := r.meeting(ctx, now.MeetingID, at)
		if err != nil || m == nil {
			return nil, err
		}
		for _, it := range m.Items {
			if it.ID == id {
				return &model.AgendaItem{AgendaItem: it, At: at, Meeting: m.Past}, nil
			}
		}
		return nil, nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	it, err := q.loaders.items.Load(ctx, id)
	if err != nil || it == nil {
		return nil, err
	}
	return &model.AgendaItem{AgendaItem: *it}, nil
}

func (r *resolver) consultation(ctx context.Context, itemID string, at *readmodel.Point) (*model.Consultation, error) {
	return load(ctx, r, "consultation", itemID, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Consultation] {
		return q.loaders.consultations
	}, func(c *readmodel.Consultation) *model.Consultation { return &model.Consultation{Consultation: *c} },
		func(st any, at *readmodel.Point) *model.Consultation {
			v := st.(*readmodel.ConsultationView)
			return &model.Consultation{Consultation: readmodel.Consultation{ItemID: v.ItemID, MeetingID: v.MeetingID,
				Status: v.Status, OpenedAt: v.OpenedAt, ClosesAt: v.ClosesAt, ClosedAt: v.ClosedAt, Comments: len(v.Comments)},
				At: at, CommentList: v.Comments, Reopenings: v.Reopenings}
		})
}

func (r *resolver) amendment(ctx context.Context, id string, at *readmodel.Point) (*model.Amendment, error) {
	return load(ctx, r, "amendment", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Amendment] {
		return q.loaders.amendments
	}, func(a *readmodel.Amendment) *model.Amendment { return &model.Amendment{Amendment: *a} },
		func(st any, at *readmodel.Point) *model.Amendment {
			return &model.Amendment{Amendment: st.(*readmodel.AmendmentView).Amendment, At: at}
		})
}

func (r *resolver) vote(ctx context.Context, id string, at *readmodel.Point) (*model.Vote, error) {
	return load(ctx, r, "vote", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Vote] {
		return q.loaders.votes
	}, func(v *readmodel.Vote) *model.Vote { return &model.Vote{Vote: *v} },
		func(st any, at *readmodel.Point) *model.Vote {
			v := st.(*readmodel.VoteView)
			return &model.Vote{Vote: v.Vote, At: at, Ballots: v.Ballots}
		})
}

func (r *resolver) decision(ctx context.Context, id string, at *readmodel.Point) (*model.Decision, error) {
	return load(ctx, r, "decision", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Decision] {
		return q.loaders.decisions
	}, func(d *readmodel.Decision) *model.Decision { return &model.Decision{Decision: *d} },
		func(st any, at *readmodel.Point) *model.Decision {
			v := st.(*readmodel.DecisionView)
			return &model.Decision{Decision: v.Decision, At: at, Versions: v.Versions, Reissues: v.Reissues}
		})
}

func (r *resolver) procurement(ctx context.Context, ocid string, at *readmodel.Point) (*model.Procurement, error) {
	return load(ctx, r, "procurement", ocid, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Procurement] {
		return q.loaders.procurements
	}, func(p *readmodel.Procurement) *model.Procurement { return &model.Procurement{Procurement: *p} },
		func(st any, at *readmodel.Point) *model.Procurement {
			v := st.(*readmodel.ProcurementView)
			return &model.Procurement{Procurement: v.Procurement, At: at, BidList: v.BidList, Payments: v.Payments, Steps: &v.Steps}
		})
}

func (r *resolver) supplier(ctx context.Context, vatID string, at *readmodel.Point) (*model.Supplier, error) {
	return load(ctx, r, "supplier", vatID, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Supplier] {
		return q.loaders.suppliers
	}, func(s *readmodel.Supplier) *model.Supplier { return &model.Supplier{Supplier: *s} },
		func(st any, at *readmodel.Point) *model.Supplier {
			return &model.Supplier{Supplier: st.(*readmodel.SupplierView).Supplier, At: at}
		})
}

func (r *resolver) request(ctx context.Context, id string, at *readmodel.Point) (*model.Request, error) {
	return load(ctx, r, "request", id, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Request] {
		return q.loaders.requests
	}, func(x *readmodel.Request) *model.Request { return &model.Request{Request: *x} },
		func(st any, at *readmodel.Point) *model.Request {
			v := st.(*readmodel.RequestView)
			return &model.Request{Request: v.Request, At: at, History: v.History}
		})
}

// snapshot is the request's snapshot, for list queries.
func snapshot(ctx context.Context) (*readmodel.Snapshot, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	return q.snap, nil
}

// notAsOf refuses a list the past state of an entity does not hold.
func notAsOf(at *readmodel.Point, field string) error {
	if at == nil {
		return nil
	}
	return events.Invalidf("%s: not available with asOf; query it without asOf", field)
}

// cursorOfKey is the cursor of an in-memory list's item by its key, read
// in reverse with desc: each direction tags its cursors.
func cursorOfKey(key string, desc bool) string {
	tag := "k:"
	if desc {
		tag = "kd:"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(tag + key))
}

// node resolves a global id: a stream name, or member-/item- for rows.
func (r *resolver) node(ctx context.Context, id string) (model.Node, error) {
	kind, local, ok := strings.Cut(id, "-")
	if !ok || local == "" {
		return nil, nil
	}
	var n model.Node
	var err error
	switch kind {
	case "body":
		n, err = nonNil(r.body(ctx, local, nil))
	case "member":
		n, err = nonNil(r.member(ctx, local))
	case "meeting":
		n, err = nonNil(r.meeting(ctx, local, nil))
	case "item":
		n, err = nonNil(r.item(ctx, local, nil))
	case "consultation":
		n, err = nonNil(r.consultation(ctx, local, nil))
	case "amendment":
		n, err = nonNil(r.amendment(ctx, local, nil))
	case "vote":
		n, err = nonNil(r.vote(ctx, local, nil))
	case "decision":
		n, err = nonNil(r.decision(ctx, local, nil))
	case "procurement":
		n, err = nonNil(r.procurement(ctx, local, nil))
	case "supplier":
		n, err = nonNil(r.supplier(ctx, local, nil))
	case "request":
		n, err = nonNil(r.request(ctx, local, nil))
	case "minutes":
		n, err = nonNil(r.minutes(ctx, local, nil))
	case "protocol":
		n, err = nonNil(r.protocolEntry(ctx, local))
	}
	return n, err
}

// nonNil turns a typed nil into an untyped nil Node, which GraphQL shows
// as null.
func nonNil[M model.Node](m M, err error) (model.Node, error) {
	if err != nil {
		return nil, err
	}
	var zero M
	if any(m) == any(zero) {
		return nil, nil
	}
	return m, nil
}
