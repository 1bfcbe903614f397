package graphql

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The documents of an entity, in the order the record attaches them or its
// reverse. An item's and a protocol entry's are read only when asked, by
// the request's loaders (one statement for every item of a page); a
// version's, and an item's as of a point, come with their entity. (A
// decision's have their own resolver beside their entity's.)

func (r *resolver) DecisionVersion() generated.DecisionVersionResolver {
	return decisionVersionResolver{r}
}

func (r *resolver) MinutesVersion() generated.MinutesVersionResolver {
	return minutesVersionResolver{r}
}

type decisionVersionResolver struct{ *resolver }

type minutesVersionResolver struct{ *resolver }

func (r agendaItemResolver) Documents(ctx context.Context, it *model.AgendaItem, order *generated.Order) ([]*events.DocumentRef, error) {
	if it.At != nil {
		return ordered(order, pointers(it.Documents)), nil
	}
	return loadDocuments(ctx, func(l *loaders) *documentLoader { return l.itemDocuments }, it.ID, order)
}

func (r protocolResolver) Documents(ctx context.Context, p *model.ProtocolEntry, order *generated.Order) ([]*events.DocumentRef, error) {
	return loadDocuments(ctx, func(l *loaders) *documentLoader { return l.protocolDocuments }, p.ID, order)
}

// documentLoader loads the documents of one kind of owner by its id.
type documentLoader = dataloadgen.Loader[string, []events.DocumentRef]

// loadDocuments reads owner's documents, in order, through the request's
// loader that which picks.
func loadDocuments(ctx context.Context, which func(*loaders) *documentLoader, owner string, order *generated.Order) ([]*events.DocumentRef, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	docs, err := which(&q.loaders).Load(ctx, owner)
	if err != nil {
		return nil, err
	}
	return ordered(order, pointers(docs)), nil
}

func (r decisionVersionResolver) Documents(_ context.Context, v *model.DecisionVersion, order *generated.Order) ([]*events.DocumentRef, error) {
	return ordered(order, pointers(v.Documents)), nil
}

func (r minutesVersionResolver) Documents(_ context.Context, v *readmodel.MinutesVersion, order *generated.Order) ([]*events.DocumentRef, error) {
	return ordered(order, pointers(v.Documents)), nil
}
