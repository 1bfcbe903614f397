package graphql

import (
	"context"
	"slices"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// A page of decisions reads ahead what its selection will ask the loaders
// for (each decision's body, agenda item and vote, the vote's ballots and
// their voters), one statement per kind straight away, and primes the
// loaders with the rows. The fields then resolve from the loaders without
// each level waiting out a batch window: the same statements the loaders
// would run, so a page still costs a fixed number of them, in less time.

// selected returns the fields selected under the path of field names
// below the field being resolved (fragments and directives applied);
// none when the path is not selected.
func selected(ctx context.Context, path ...string) []gql.CollectedField {
	fc := gql.GetFieldContext(ctx)
	if fc == nil || !gql.HasOperationContext(ctx) {
		return nil
	}
	oc := gql.GetOperationContext(ctx)
	fields := gql.CollectFields(oc, fc.Field.Selections, nil)
	for _, name := range path {
		i := slices.IndexFunc(fields, func(f gql.CollectedField) bool { return f.Name == name })
		if i < 0 {
			return nil
		}
		fields = gql.CollectFields(oc, fields[i].Selections, nil)
	}
	return fields
}

func has(fields []gql.CollectedField, name string) (ast.SelectionSet, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Selections, true
		}
	}
	return nil, false
}

// prefetchDecisions primes the request's loaders for the links the
// decisions' selection names, down to the voters' factions, for the
// top-level list only: a list nested in another (each meeting's
// decisions) resolves once per parent, side by side, where the loaders'
// batches gather the parents' keys into one statement and reading ahead
// would cost one per parent.
func prefetchDecisions(ctx context.Context, ds []readmodel.Decision) error {
	if fc := gql.GetFieldContext(ctx); fc == nil || fc.Object != "Query" {
		return nil
	}
	node := selected(ctx, "edges", "node")
	if len(ds) == 0 || node == nil {
		return nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return err
	}
	if _, ok := has(node, "body"); ok {
		ids := distinct(ds, func(d readmodel.Decision) string { return d.BodyID })
		if err := prime(ctx, q.loaders.bodies, ids, q.snap.BodiesByID); err != nil {
			return err
		}
	}
	if _, ok := has(node, "item"); ok {
		ids := distinct(ds, func(d readmodel.Decision) string { return d.ItemID })
		if err := prime(ctx, q.loaders.items, ids, q.snap.AgendaItemsByID); err != nil {
			return err
		}
	}
	if _, ok := has(node, "vote"); !ok {
		return nil
	}
	voteIDs := distinct(ds, func(d readmodel.Decision) string { return d.VoteID })
	if err := prime(ctx, q.loaders.votes, voteIDs, q.snap.VotesByID); err != nil {
		return err
	}
	vote := selected(ctx, "edges", "node", "vote")
	if _, ok := has(vote, "ballots"); !ok {
		return nil
	}
	ballots, err := primed(ctx, q.loaders.ballots, voteIDs, q.snap.BallotsOfVotes)
	if err != nil {
		return err
	}
	if _, ok := has(selected(ctx, "edges", "node", "vote", "ballots"), "member"); !ok {
		return nil
	}
	var members []string
	for _, bs := range ballots {
		for _, b := range bs {
			members = append(members, b.MemberID)
		}
	}
	voters, err := primed(ctx, q.loaders.members, distinct(members, func(s string) string { return s }), q.snap.MembersByID)
	if err != nil {
		return err
	}
	if _, ok := has(selected(ctx, "edges", "node", "vote", "ballots", "member"), "faction"); !ok {
		return nil
	}
	factions := distinct(voters, func(m *readmodel.Membership) string {
		if m == nil {
			return ""
		}
		return m.FactionID
	})
	return prime(ctx, q.loaders.factions, factions, q.snap.FactionsByID)
}

// distinct is the non-empty keys of items, each once, in order.
func distinct[T any](items []T, key func(T) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if k := key(it); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// loader is the part of a dataloadgen.Loader priming uses.
type loader[V any] interface {
	Prime(key string, value V) bool
}

func prime[V any](ctx context.Context, l loader[V], ids []string, get func(context.Context, []string) ([]V, error)) error {
	_, err := primed(ctx, l, ids, get)
	return err
}

// primed reads ids by get, MaxBatch at a time, primes l with each row and
// returns them.
func primed[V any](ctx context.Context, l loader[V], ids []string, get func(context.Context, []string) ([]V, error)) ([]V, error) {
	var all []V
	for chunk := range slices.Chunk(ids, readmodel.MaxBatch) {
		rows, err := get(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for i, id := range chunk {
			l.Prime(id, rows[i])
		}
		all = append(all, rows...)
	}
	return all, nil
}
