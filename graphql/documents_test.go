package graphql_test

import (
	"slices"
	"testing"

	"github.com/pnyx-civic/pnyx/graphql"
)

// An item's documents are read by the request's loader for the record now
// and come with the meeting's past for the record as of a point: both give
// each item its own, in the record's order.
func TestItemDocumentsNowAndAsOfAPoint(t *testing.T) {
	lists, ids := listsFixture(t)
	h := graphql.New(lists.rm, lists.store, graphql.Options{Now: lists.clock.Now})
	for _, asOf := range []string{"", `, asOf: {position: ` + ids["head"] + `}`} {
		var data struct {
			Meeting struct {
				Items struct {
					Edges []struct {
						Node struct {
							ID        string `json:"localId"`
							Documents []struct {
								Title string `json:"title"`
							} `json:"documents"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"items"`
			} `json:"meeting"`
		}
		mustData(t, h, `{ meeting(id: "mt1"`+asOf+`) { items { edges { node { localId documents { title } } } } } }`, nil, &data)
		got := map[string][]string{}
		for _, e := range data.Meeting.Items.Edges {
			titles := []string{}
			for _, d := range e.Node.Documents {
				titles = append(titles, d.Title)
			}
			got[e.Node.ID] = titles
		}
		want := map[string][]string{"it1": {"Εισήγηση", "Πίνακας", "Χάρτης"}, "it2": {}, "it3": {}}
		for id, w := range want {
			if g, ok := got[id]; !ok || !slices.Equal(g, w) {
				t.Errorf("meeting mt1%s: item %s's documents %q, want %q", asOf, id, g, w)
			}
		}
	}
}
