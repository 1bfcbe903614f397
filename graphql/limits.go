package graphql

import (
	"context"
	"strings"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Defaults of the limits checked before a query runs.
const (
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 5000
	DefaultMaxAliases    = 30
	DefaultMaxBodyBytes  = 1 << 20
)

// listGuess is the size the complexity counts for a plain list field (not
// a connection, whose size is its first): the lists of the schema are
// parts of one entity, such as a decision's versions.
const listGuess = 10

// limits refuses an operation over the depth, complexity or alias limits
// before it runs. Complexity counts each field once per item it is
// resolved for: a connection multiplies its children by its first (its
// default when not given), so nested lists multiply. Introspection fields
// are not counted: the schema bounds them.
type limits struct {
	maxDepth, maxComplexity, maxAliases int
}

var (
	_ gql.HandlerExtension        = limits{}
	_ gql.OperationContextMutator = limits{}
)

func (limits) ExtensionName() string                      { return "PnyxLimits" }
func (limits) Validate(schema gql.ExecutableSchema) error { return nil }

func (l limits) MutateOperationContext(ctx context.Context, oc *gql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	m := measure(oc.Doc, oc.Operation.SelectionSet, oc.Variables)
	switch {
	case m.depth > l.maxDepth:
		return limitError("the query is %d levels deep, over the limit of %d", m.depth, l.maxDepth)
	case m.aliases > l.maxAliases:
		return limitError("the query has %d aliases, over the limit of %d", m.aliases, l.maxAliases)
	case m.complexity > l.maxComplexity:
		return limitError("the query's complexity is %d, over the limit of %d: ask for smaller pages (first) or fewer nested lists",
			m.complexity, l.maxComplexity)
	}
	return nil
}

// measurement is what limits checks of one operation.
type measurement struct {
	depth, aliases, complexity int
}

// measure walks set, expanding fragments. Complexity saturates rather
// than overflowing.
func measure(doc *ast.QueryDocument, set ast.SelectionSet, vars map[string]any) measurement {
	var m measurement
	var walk func(set ast.SelectionSet, depth, mult int, spreads map[string]bool)
	walk = func(set ast.SelectionSet, depth, mult int, spreads map[string]bool) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if strings.HasPrefix(s.Name, "__") {
					continue
				}
				if s.Alias != "" && s.Alias != s.Name {
					m.aliases++
				}
				m.depth = max(m.depth, depth)
				m.complexity = satAdd(m.complexity, mult)
				walk(s.SelectionSet, depth+1, satMul(mult, sizeOf(s, vars)), spreads)
			case *ast.InlineFragment:
				walk(s.SelectionSet, depth, mult, spreads)
			case *ast.FragmentSpread:
				if spreads[s.Name] {
					continue // a cycle: validation refuses it already
				}
				if f := doc.Fragments.ForName(s.Name); f != nil {
					spreads[s.Name] = true
					walk(f.SelectionSet, depth, mult, spreads)
					delete(spreads, s.Name)
				}
			}
		}
	}
	walk(set, 1, 1, map[string]bool{})
	return m
}

// sizeOf is how many items field f resolves to for each of its parent's.
func sizeOf(f *ast.Field, vars map[string]any) int {
	if f.Definition == nil || f.Definition.Type == nil {
		return 1
	}
	t := f.Definition.Type
	switch {
	case strings.HasSuffix(t.Name(), "Connection"):
		if v, ok := f.ArgumentMap(vars)["first"]; ok {
			if n, ok := v.(int64); ok && n >= 0 {
				return int(min(n, 1<<20))
			}
		}
		return defaultFirst
	case f.Name == "edges":
		return 1 // a connection's first counts already
	case t.Elem != nil:
		return listGuess
	}
	return 1
}

const saturated = 1 << 40

func satAdd(a, b int) int { return min(a+b, saturated) }
func satMul(a, b int) int {
	if a != 0 && b > saturated/a {
		return saturated
	}
	return a * b
}
