package main

import (
	"context"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/pnyx-civic/pnyx/graphql"
)

func TestGraphQLSchema(t *testing.T) {
	r := pnyx(t, context.Background(), nil, "graphql", "schema")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stdout != graphql.Schema {
		t.Fatalf("printed %d bytes, not the embedded schema of %d", len(r.stdout), len(graphql.Schema))
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: r.stdout})
	if err != nil {
		t.Fatalf("the printed SDL does not load: %v", err)
	}
	if s.Query == nil || s.Query.Fields.ForName("decisions") == nil {
		t.Fatal("the printed schema has no decisions query")
	}
}
