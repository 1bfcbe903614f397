package graphql_test

import (
	"slices"
	"testing"

	"github.com/pnyx-civic/pnyx/graphql"
)

// TestOrderReverses requires each list's DESC order to be its ASC order
// backwards, and a cursor of one direction to be refused in the other.
func TestOrderReverses(t *testing.T) {
	e := demoEnv(t)
	for _, c := range []struct{ name, list, args string }{
		{"bodies", "bodies", ""},
		{"meetings of a body", "meetings", `bodyId: "kal-dimotiko-symvoulio", `},
		{"votes of a meeting's month", "votes", `bodyId: "kal-dimotiko-symvoulio", result: "failed", `},
		{"decisions of a year", "decisions", `year: 2025, status: "revoked", `},
		{"procurements", "procurements", `status: "completed", `},
		{"suppliers", "suppliers", `kind: "cooperative", `},
		{"overdue requests of a category", "requests", `overdue: true, category: "information", `},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids := func(order string) ([]string, string) {
				q := `{ ` + c.list + `(` + c.args + `first: 100, order: ` + order + `) { pageInfo { endCursor } edges { cursor node { id } } } }`
				conn := connectionAt(t, post(t, e.h, q, nil), []string{c.list})
				var out []string
				for _, edge := range conn.Edges {
					out = append(out, edge.Node.ID)
				}
				first := ""
				if len(conn.Edges) > 0 {
					first = conn.Edges[0].Cursor
				}
				return out, first
			}
			asc, ascCursor := ids("ASC")
			desc, descCursor := ids("DESC")
			if len(asc) < 2 || len(asc) == 100 {
				t.Fatalf("%d items: pick filters that select between 2 and 99", len(asc))
			}
			slices.Reverse(desc)
			if !slices.Equal(asc, desc) {
				t.Fatalf("DESC is not ASC backwards:\n%v\n%v", asc, desc)
			}
			for _, x := range []struct{ order, cursor string }{{"DESC", ascCursor}, {"ASC", descCursor}} {
				q := `query($after: String) { ` + c.list + `(` + c.args + `first: 1, after: $after, order: ` + x.order + `) { edges { node { id } } } }`
				if r := post(t, e.h, q, map[string]any{"after": x.cursor}); r.code() != graphql.CodeBadUserInput {
					t.Errorf("a cursor of the other direction read %s: code %q", x.order, r.code())
				}
			}
		})
	}
}

// TestSearchEdgesHaveCursors requires each search hit's cursor to continue
// right after that hit.
func TestSearchEdgesHaveCursors(t *testing.T) {
	e := demoEnv(t)
	const q = `query($after: String) { search(query: "προϋπολογισμού", first: 6, after: $after) { edges { cursor node { kind title snippet { text } } } } }`
	type hit struct {
		Cursor string `json:"cursor"`
		Node   struct {
			Kind, Title string
			Snippet     struct{ Text string }
		} `json:"node"`
	}
	var page struct {
		Search struct{ Edges []hit } `json:"search"`
	}
	mustData(t, e.h, q, nil, &page)
	all := page.Search.Edges
	if len(all) < 3 {
		t.Fatalf("%d hits: the test proves nothing", len(all))
	}
	for i, h := range all[:len(all)-1] {
		if h.Cursor == "" {
			t.Fatalf("hit %d has no cursor", i)
		}
		var rest struct {
			Search struct{ Edges []hit } `json:"search"`
		}
		mustData(t, e.h, q, map[string]any{"after": h.Cursor}, &rest)
		if len(rest.Search.Edges) == 0 || rest.Search.Edges[0].Node != all[i+1].Node {
			t.Fatalf("after hit %d the search goes on at %+v, want %+v", i, rest.Search.Edges, all[i+1].Node)
		}
	}
}
