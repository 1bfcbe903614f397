package graphql_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestConnectionsPage pages through connections two items at a time: each
// edge's cursor continues right after it, the end cursor after the page,
// no item repeats, and hasNextPage is false only on the last page.
func TestConnectionsPage(t *testing.T) {
	e := demoEnv(t)
	for _, c := range []struct {
		name, query string // query has $after and one connection at path
		path        []string
	}{
		{"decisions", `query($after: String) { decisions(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, []string{"decisions"}},
		{"meetings of a body", `query($after: String) { body(id: "kal-dimotiko-symvoulio") { meetings(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`, []string{"body", "meetings"}},
		{"decisions newest first", `query($after: String) { decisions(first: 2, after: $after, order: DESC) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, []string{"decisions"}},
		{"requests newest first", `query($after: String) { requests(first: 2, after: $after, order: DESC) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, []string{"requests"}},
		{"procurements", `query($after: String) { procurements(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, []string{"procurements"}},
		{"overdue requests", `query($after: String) { requests(first: 2, overdue: true, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, []string{"requests"}},
		{"history", `query($after: String) { history(id: "body-kal-dimotiko-symvoulio", first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id: eventId } } } }`, []string{"history"}},
		{"a past meeting's items", `query($after: String) { meetings(first: 1, status: "adjourned") { edges { node { items(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } } } }`, []string{"meetings", "edges", "0", "node", "items"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			seen := map[string]bool{}
			var after any
			for page := 0; page < 4; page++ {
				conn := connectionAt(t, post(t, e.h, c.query, map[string]any{"after": after}), c.path)
				for i, edge := range conn.Edges {
					if seen[edge.Node.ID] {
						t.Fatalf("page %d repeats %s", page, edge.Node.ID)
					}
					seen[edge.Node.ID] = true
					if i == 0 && page > 0 {
						continue
					}
					// The edge's cursor continues right after it.
					next := connectionAt(t, post(t, e.h, c.query, map[string]any{"after": edge.Cursor}), c.path)
					if i+1 < len(conn.Edges) && (len(next.Edges) == 0 || next.Edges[0].Node.ID != conn.Edges[i+1].Node.ID) {
						t.Fatalf("page %d: the cursor of edge %d does not continue at edge %d", page, i, i+1)
					}
				}
				if len(conn.Edges) == 0 || !conn.PageInfo.HasNextPage {
					if page == 0 {
						t.Fatal("one page only: the test proves nothing")
					}
					return
				}
				after = conn.PageInfo.EndCursor
			}
		})
	}
}

type connection struct {
	PageInfo struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			ID string `json:"id"`
		} `json:"node"`
	} `json:"edges"`
}

// connectionAt decodes the connection at path in r's data.
func connectionAt(t *testing.T, r response, path []string) connection {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var v any
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if len(x) == 0 {
				t.Fatalf("empty list at %s", strings.Join(path, "."))
			}
			v = x[0]
		}
	}
	raw, _ := json.Marshal(v)
	var c connection
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
