package graphql

import (
	"context"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The documents an entity's row holds, in the order the record attaches
// them or its reverse. (A decision's and a protocol entry's have their
// own resolvers beside their entity's.)

func (r *resolver) DecisionVersion() generated.DecisionVersionResolver {
	return decisionVersionResolver{r}
}

func (r *resolver) MinutesVersion() generated.MinutesVersionResolver {
	return minutesVersionResolver{r}
}

type decisionVersionResolver struct{ *resolver }

type minutesVersionResolver struct{ *resolver }

func (r agendaItemResolver) Documents(_ context.Context, it *model.AgendaItem, order *generated.Order) ([]*events.DocumentRef, error) {
	return ordered(order, pointers(it.Documents)), nil
}

func (r decisionVersionResolver) Documents(_ context.Context, v *model.DecisionVersion, order *generated.Order) ([]*events.DocumentRef, error) {
	return ordered(order, pointers(v.Documents)), nil
}

func (r minutesVersionResolver) Documents(_ context.Context, v *readmodel.MinutesVersion, order *generated.Order) ([]*events.DocumentRef, error) {
	return ordered(order, pointers(v.Documents)), nil
}
