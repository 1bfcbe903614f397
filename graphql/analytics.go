package graphql

import (
	"context"
	"strings"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// SnapshotEngine is an analytics engine that can answer inside a
// request's own read-model snapshot (the embedded engine): its answers
// then share the position the rest of the request reads, and are cached
// with it. An engine without it (ClickHouse, whose answers reflect what
// its sink has ingested) answers afresh on every request, never cached.
type SnapshotEngine interface {
	// InSnapshot returns the engine answering in s; s stays the caller's
	// to close.
	InSnapshot(s *readmodel.Snapshot) analytics.Engine
}

type analyticsResolver struct{ *resolver }

func (r *resolver) Analytics() generated.AnalyticsResolver { return analyticsResolver{r} }

func (r queryResolver) Analytics(ctx context.Context) (*generated.Analytics, error) {
	return &generated.Analytics{}, nil
}

// engine is the request's analytics engine; an unavailable error when the
// server runs none.
func (r analyticsResolver) engine(ctx context.Context) (analytics.Engine, *request, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	e := r.h.opts.Analytics
	if e == nil {
		return nil, nil, events.Errorf(events.CodeUnavailable, "analytics are not served here")
	}
	if s, ok := e.(SnapshotEngine); ok {
		return s.InSnapshot(q.snap), q, nil
	}
	q.uncached.Store(true)
	return e, q, nil
}

// filterOf is the engine's filter of the field's argument.
func filterOf(f *generated.AnalyticsFilter) analytics.Filter {
	if f == nil {
		return analytics.Filter{}
	}
	return analytics.Filter{BodyID: str(f.BodyID), From: timeOf(f.From), To: timeOf(f.To), Category: str(f.Category)}
}

// ask runs one question of the request's engine with the field's filter.
func ask[T any](ctx context.Context, r analyticsResolver, f *generated.AnalyticsFilter, order *generated.Order,
	question func(analytics.Engine, *request, analytics.Filter) ([]T, error)) ([]*T, error) {
	e, q, err := r.engine(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := question(e, q, filterOf(f))
	if err != nil {
		return nil, err
	}
	return ordered(order, pointers(rows)), nil
}

func pointers[T any](rows []T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

func (r analyticsResolver) Spending(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, by generated.SpendingKey, order *generated.Order) ([]*analytics.Spending, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.Spending, error) {
		return e.Spending(ctx, f, analytics.SpendingKey(strings.ToLower(string(by))))
	})
}

func (r analyticsResolver) SupplierShares(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, local string, order *generated.Order) ([]*analytics.SupplierShares, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.SupplierShares, error) {
		return e.SupplierShares(ctx, f, local)
	})
}

func (r analyticsResolver) Agreement(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, level generated.AgreementLevel, order *generated.Order) ([]*analytics.Agreement, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.Agreement, error) {
		return e.Agreement(ctx, f, analytics.Level(strings.ToLower(string(level))))
	})
}

func (r analyticsResolver) FactionVotes(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.FactionVote, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.FactionVote, error) {
		return e.FactionVotes(ctx, f)
	})
}

func (r analyticsResolver) Cohesion(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.FactionCohesion, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.FactionCohesion, error) {
		votes, err := e.FactionVotes(ctx, f)
		return analytics.Cohesion(votes), err
	})
}

func (r analyticsResolver) Dissent(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.Dissent, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.Dissent, error) {
		return e.Dissent(ctx, f)
	})
}

func (r analyticsResolver) MemberAttendance(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.MemberAttendance, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.MemberAttendance, error) {
		return e.MemberAttendance(ctx, f)
	})
}

func (r analyticsResolver) MeetingAttendance(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.MeetingAttendance, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.MeetingAttendance, error) {
		return e.MeetingAttendance(ctx, f)
	})
}

func (r analyticsResolver) MeetingDecisions(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.MeetingDecisions, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.MeetingDecisions, error) {
		return e.MeetingDecisions(ctx, f)
	})
}

func (r analyticsResolver) DecisionChanges(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.DecisionChanges, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.DecisionChanges, error) {
		return e.DecisionChanges(ctx, f)
	})
}

func (r analyticsResolver) RequestTimes(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, order *generated.Order) ([]*analytics.RequestTimes, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, q *request, f analytics.Filter) ([]analytics.RequestTimes, error) {
		return e.RequestTimes(ctx, f, q.now)
	})
}

func (r analyticsResolver) Participation(ctx context.Context, _ *generated.Analytics, f *generated.AnalyticsFilter, perMeeting *bool, order *generated.Order) ([]*analytics.Participation, error) {
	return ask(ctx, r, f, order, func(e analytics.Engine, _ *request, f analytics.Filter) ([]analytics.Participation, error) {
		items, err := e.Participation(ctx, f)
		if err == nil && perMeeting != nil && *perMeeting {
			items = analytics.PerMeeting(items)
		}
		return items, err
	})
}

type meetingDecisionsResolver struct{ *resolver }

func (r *resolver) MeetingDecisions() generated.MeetingDecisionsResolver {
	return meetingDecisionsResolver{r}
}

func (meetingDecisionsResolver) MeanAgendaToDecisionSeconds(_ context.Context, m *analytics.MeetingDecisions) (int64, error) {
	return int64(m.MeanAgendaToDecision().Seconds()), nil
}
