package graphql

import (
	"context"
	"slices"

	gql "github.com/99designs/gqlgen/graphql"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// MaxFirst is the largest page a connection serves.
const MaxFirst = 100

// defaultFirst is the page size of a connection asked without first, as
// the schema's defaults say; the complexity limit counts it the same.
const defaultFirst = 20

// pageOf is the read model page a connection's arguments ask for, in the
// direction of the field's order argument when it has one (every list
// with a choice of direction reads it here, so no resolver threads it
// through). It counts the total only when the query selects totalCount. A
// first over MaxFirst or negative is an invalid error.
func pageOf(ctx context.Context, first *int, after *string) (readmodel.Page, error) {
	p := readmodel.Page{First: defaultFirst, Total: selects(ctx, "totalCount"), Desc: orderOf(ctx) == generated.OrderDesc}
	if first != nil {
		p.First = *first
	}
	if p.First < 0 || p.First > MaxFirst {
		return readmodel.Page{}, events.Invalidf("first %d: want 0 to %d", p.First, MaxFirst)
	}
	if p.First == 0 {
		// The read model reads 0 as its default; a client asking for
		// none gets none, with the cursor and total.
		p.First = -1
	}
	if after != nil {
		p.After = *after
	}
	return p, nil
}

// orderOf is the order argument of the field being resolved, ASC without
// one.
func orderOf(ctx context.Context) generated.Order {
	if fc := gql.GetFieldContext(ctx); fc != nil {
		if o, ok := fc.Args["order"].(generated.Order); ok {
			return o
		}
		if o, ok := fc.Args["order"].(*generated.Order); ok && o != nil {
			return *o
		}
	}
	return generated.OrderAsc
}

// desc reports whether a plain list's order argument asks for the reverse
// of its own order.
func desc(order *generated.Order) bool { return order != nil && *order == generated.OrderDesc }

// ordered is a plain list in the order its field's argument asks: as read
// for ASC, reversed in place for DESC, so list must be the resolver's own.
// Every plain list with an order argument goes through it, after its
// loader or past state gave the list whole.
func ordered[T any](order *generated.Order, list []T) []T {
	if desc(order) {
		slices.Reverse(list)
	}
	return list
}

// selects reports whether the field being resolved selects name.
func selects(ctx context.Context, name string) bool {
	if gql.GetFieldContext(ctx) == nil {
		return false
	}
	return slices.ContainsFunc(gql.CollectFieldsCtx(ctx, nil), func(f gql.CollectedField) bool { return f.Name == name })
}

// list runs a list query with the page, answering first 0 without reading
// rows.
func list[T any](p readmodel.Page, read func(readmodel.Page) (readmodel.List[T], error)) (readmodel.List[T], error) {
	if p.First >= 0 {
		return read(p)
	}
	p.First = 1
	l, err := read(p)
	if err != nil {
		return l, err
	}
	return readmodel.List[T]{Items: []T{}, Next: p.After, HasMore: len(l.Items) > 0, Total: l.Total}, nil
}

func pageInfo[T any](l readmodel.List[T]) *generated.PageInfo {
	pi := &generated.PageInfo{HasNextPage: l.HasMore}
	if l.Next != "" {
		pi.EndCursor = &l.Next
	}
	return pi
}

func total[T any](l readmodel.List[T]) int {
	if l.Total == nil {
		return 0
	}
	return *l.Total
}

// edges maps the items of l to the edges of a connection.
func edges[T, E any](l readmodel.List[T], edge func(cursor string, item *T) E) []E {
	out := make([]E, len(l.Items))
	for i := range l.Items {
		out[i] = edge(l.Cursor(i), &l.Items[i])
	}
	return out
}

// slicePage pages a list held whole in memory (a past state's lists)
// with cursors of its own: the key of the item after which to go on, and
// the direction, so that a cursor of one direction is refused in the
// other as the read model's are. all is in the list's ASC order; DESC
// reads it backwards. It returns the page and the cursor of each item.
func slicePage[T any](ctx context.Context, all []T, first *int, after *string, key func(*T) string) (readmodel.List[T], func(int) string, error) {
	p, err := pageOf(ctx, first, after)
	if err != nil {
		return readmodel.List[T]{}, nil, err
	}
	if p.Desc {
		all = slices.Clone(all)
		slices.Reverse(all)
	}
	cursor := func(t *T) string { return cursorOfKey(key(t), p.Desc) }
	start := 0
	if p.After != "" {
		i := slices.IndexFunc(all, func(t T) bool { return cursor(&t) == p.After })
		if i < 0 {
			return readmodel.List[T]{}, nil, events.Invalidf("after: not a cursor of this list in this order; pass the next cursor of a page of the same list and order")
		}
		start = i + 1
	}
	n := max(p.First, 0)
	end := min(start+n, len(all))
	l := readmodel.List[T]{Items: slices.Clone(all[start:end]), HasMore: end < len(all), Next: p.After}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(l.Items) > 0 {
		l.Next = cursor(&l.Items[len(l.Items)-1])
	}
	t := len(all)
	l.Total = &t
	return l, func(i int) string { return cursor(&l.Items[i]) }, nil
}
