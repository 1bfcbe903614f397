package graphql

import (
	"context"

	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

type procurementResolver struct{ *resolver }

func (r procurementResolver) Buyer(ctx context.Context, p *model.Procurement) (*model.Body, error) {
	return r.body(ctx, p.BuyerBodyID, p.At)
}

func (r procurementResolver) Supplier(ctx context.Context, p *model.Procurement) (*model.Supplier, error) {
	return r.supplier(ctx, p.SupplierVATID, p.At)
}

func (r procurementResolver) AwardDecision(ctx context.Context, p *model.Procurement) (*model.Decision, error) {
	return r.decision(ctx, p.AwardDecisionID, p.At)
}

func (r procurementResolver) Bids(ctx context.Context, p *model.Procurement, first *int, after *string, _ *generated.Order) (*generated.BidConnection, error) {
	if p.At != nil {
		l, cursor, err := slicePage(ctx, p.BidList, first, after, func(b *readmodel.Bid) string { return b.BidID })
		if err != nil {
			return nil, err
		}
		return bidConnection(l, func(_ readmodel.List[readmodel.Bid], i int) string { return cursor(i) }), nil
	}
	return bids(ctx, readmodel.BidFilter{OCID: p.OCID}, first, after)
}

func (r procurementResolver) Payments(ctx context.Context, p *model.Procurement, first *int, after *string, _ *generated.Order) (*generated.PaymentConnection, error) {
	var l readmodel.List[readmodel.Payment]
	cursor := func(i int) string { return l.Cursor(i) }
	if p.At != nil {
		var err error
		if l, cursor, err = slicePage(ctx, p.Payments, first, after, func(x *readmodel.Payment) string { return x.PaymentID }); err != nil {
			return nil, err
		}
	} else {
		s, pg, err := listArgs(ctx, first, after)
		if err != nil {
			return nil, err
		}
		if l, err = list(pg, func(pg readmodel.Page) (readmodel.List[readmodel.Payment], error) {
			return s.Payments(ctx, readmodel.PaymentFilter{OCID: p.OCID, Page: pg})
		}); err != nil {
			return nil, err
		}
	}
	out := &generated.PaymentConnection{PageInfo: pageInfo(l), TotalCount: total(l), Edges: make([]*generated.PaymentEdge, len(l.Items))}
	for i := range l.Items {
		out.Edges[i] = &generated.PaymentEdge{Cursor: cursor(i), Node: &l.Items[i]}
	}
	return out, nil
}

func (r procurementResolver) TenderAmendments(ctx context.Context, p *model.Procurement, first *int, after *string, _ *generated.Order) (*generated.TenderAmendmentConnection, error) {
	if err := notAsOf(p.At, "procurement.tenderAmendments"); err != nil {
		return nil, err
	}
	s, pg, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(pg, func(pg readmodel.Page) (readmodel.List[readmodel.TenderAmendment], error) {
		return s.TenderAmendments(ctx, readmodel.ProcurementAmendmentFilter{OCID: p.OCID, Page: pg})
	})
	if err != nil {
		return nil, err
	}
	return &generated.TenderAmendmentConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, a *readmodel.TenderAmendment) *generated.TenderAmendmentEdge {
			return &generated.TenderAmendmentEdge{Cursor: c, Node: a}
		})}, nil
}

func (r procurementResolver) ContractAmendments(ctx context.Context, p *model.Procurement, first *int, after *string, _ *generated.Order) (*generated.ContractAmendmentConnection, error) {
	if err := notAsOf(p.At, "procurement.contractAmendments"); err != nil {
		return nil, err
	}
	s, pg, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(pg, func(pg readmodel.Page) (readmodel.List[readmodel.ContractAmendment], error) {
		return s.ContractAmendments(ctx, readmodel.ProcurementAmendmentFilter{OCID: p.OCID, Page: pg})
	})
	if err != nil {
		return nil, err
	}
	return &generated.ContractAmendmentConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, a *readmodel.ContractAmendment) *generated.ContractAmendmentEdge {
			return &generated.ContractAmendmentEdge{Cursor: c, Node: a}
		})}, nil
}

func (r procurementResolver) Decisions(ctx context.Context, p *model.Procurement, first *int, after *string, _ *generated.Order) (*generated.ProcurementDecisionConnection, error) {
	if err := notAsOf(p.At, "procurement.decisions"); err != nil {
		return nil, err
	}
	return procurementDecisions(ctx, readmodel.ProcurementDecisionFilter{OCID: p.OCID}, first, after)
}

type bidResolver struct{ *resolver }

func (r bidResolver) Supplier(ctx context.Context, b *readmodel.Bid) (*model.Supplier, error) {
	return r.supplier(ctx, b.SupplierVATID, nil)
}

type tenderAmendmentResolver struct{ *resolver }

func (r tenderAmendmentResolver) Decision(ctx context.Context, a *readmodel.TenderAmendment) (*model.Decision, error) {
	return r.decision(ctx, a.DecisionID, nil)
}

type contractAmendmentResolver struct{ *resolver }

func (r contractAmendmentResolver) Decision(ctx context.Context, a *readmodel.ContractAmendment) (*model.Decision, error) {
	return r.decision(ctx, a.DecisionID, nil)
}

type procurementDecisionResolver struct{ *resolver }

func (r procurementDecisionResolver) Procurement(ctx context.Context, d *readmodel.ProcurementDecision) (*model.Procurement, error) {
	return r.procurement(ctx, d.OCID, nil)
}

func (r procurementDecisionResolver) Decision(ctx context.Context, d *readmodel.ProcurementDecision) (*model.Decision, error) {
	return r.decision(ctx, d.DecisionID, nil)
}

type supplierResolver struct{ *resolver }

func (r supplierResolver) Procurements(ctx context.Context, s *model.Supplier, first *int, after *string, _ *generated.Order) (*generated.ProcurementConnection, error) {
	if err := notAsOf(s.At, "supplier.procurements"); err != nil {
		return nil, err
	}
	return procurements(ctx, readmodel.ProcurementFilter{SupplierVATID: s.VATID}, first, after)
}

func (r supplierResolver) Bids(ctx context.Context, s *model.Supplier, first *int, after *string, _ *generated.Order) (*generated.BidConnection, error) {
	if err := notAsOf(s.At, "supplier.bids"); err != nil {
		return nil, err
	}
	return bids(ctx, readmodel.BidFilter{SupplierVATID: s.VATID}, first, after)
}

// Requests.

type requestResolver struct{ *resolver }

// Overdue is the read model's rule (open past its due date) at the
// request's time.
func (r requestResolver) Overdue(ctx context.Context, x *model.Request) (bool, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return false, err
	}
	switch x.Status {
	case "acknowledged", "assigned", "reopened":
		return !x.DueAt.IsZero() && x.DueAt.Before(q.now), nil
	}
	return false, nil
}

func (r requestResolver) StatusHistory(ctx context.Context, x *model.Request, order *generated.Order) ([]*readmodel.RequestStatusChange, error) {
	hs := x.History
	if x.At == nil {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if hs, err = s.RequestHistory(ctx, x.ID); err != nil {
			return nil, err
		}
	}
	out := make([]*readmodel.RequestStatusChange, len(hs))
	for i := range hs {
		out[i] = &hs[i]
	}
	return ordered(order, out), nil
}

// Search.

type searchHitResolver struct{ *resolver }

func (r searchHitResolver) Node(ctx context.Context, h *readmodel.SearchHit) (model.Node, error) {
	switch h.Kind {
	case readmodel.SearchAgendaItem:
		return nonNil(r.item(ctx, h.EntityID, nil))
	case readmodel.SearchDecision:
		return nonNil(r.decision(ctx, h.EntityID, nil))
	case readmodel.SearchProcurement:
		return nonNil(r.procurement(ctx, h.EntityID, nil))
	}
	return nil, nil
}

type snippetResolver struct{ *resolver }

func (r snippetResolver) Marked(ctx context.Context, s *readmodel.Snippet) (string, error) {
	return s.Marked("<mark>", "</mark>"), nil
}

// The steps of a process under ν. 4412/2016: short lists of one process,
// read whole, now or as of the process's point.

func (r procurementResolver) Lots(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.ProcurementLot, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.ProcurementLot { return s.Lots }, (*readmodel.Snapshot).ProcurementLots)
}

func (r procurementResolver) Awards(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.ProcurementAward, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.ProcurementAward { return s.Awards }, (*readmodel.Snapshot).ProcurementAwards)
}

func (r procurementResolver) Contracts(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.Contract, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.Contract { return s.Contracts }, (*readmodel.Snapshot).ProcurementContracts)
}

func (r procurementResolver) Commitments(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.ProcurementCommitment, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.ProcurementCommitment { return s.Commitments },
		(*readmodel.Snapshot).ProcurementCommitments)
}

func (r procurementResolver) Evaluations(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.ProcurementEvaluation, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.ProcurementEvaluation { return s.Evaluations },
		(*readmodel.Snapshot).ProcurementEvaluations)
}

func (r procurementResolver) Appeals(ctx context.Context, p *model.Procurement, order *generated.Order) ([]*readmodel.ProcurementAppeal, error) {
	return steps(ctx, p, order, func(s *readmodel.ProcurementSteps) []readmodel.ProcurementAppeal { return s.Appeals }, (*readmodel.Snapshot).ProcurementAppeals)
}

// steps reads one list of a process's steps: from its past state when it
// is read as of a point, from the snapshot otherwise.
func steps[T any](ctx context.Context, p *model.Procurement, order *generated.Order, past func(*readmodel.ProcurementSteps) []T,
	now func(*readmodel.Snapshot, context.Context, string) ([]T, error)) ([]*T, error) {
	var l []T
	if p.At != nil {
		if p.Steps != nil {
			l = past(p.Steps)
		}
	} else {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if l, err = now(s, ctx, p.OCID); err != nil {
			return nil, err
		}
	}
	out := make([]*T, len(l))
	for i := range l {
		out[i] = &l[i]
	}
	return ordered(order, out), nil
}

type procurementAwardResolver struct{ *resolver }

func (r procurementAwardResolver) Supplier(ctx context.Context, a *readmodel.ProcurementAward) (*model.Supplier, error) {
	return r.supplier(ctx, a.SupplierVATID, nil)
}

func (r procurementAwardResolver) Decision(ctx context.Context, a *readmodel.ProcurementAward) (*model.Decision, error) {
	return r.decision(ctx, a.DecisionID, nil)
}

type procurementContractResolver struct{ *resolver }

func (r procurementContractResolver) Supplier(ctx context.Context, c *readmodel.Contract) (*model.Supplier, error) {
	return r.supplier(ctx, c.SupplierVATID, nil)
}

type procurementAppealResolver struct{ *resolver }

func (r procurementAppealResolver) Decision(ctx context.Context, a *readmodel.ProcurementAppeal) (*model.Decision, error) {
	return r.decision(ctx, a.DecisionID, nil)
}
