package graphql_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

func example(t *testing.T, name string) graphql.Example {
	t.Helper()
	i := slices.IndexFunc(graphql.Examples, func(x graphql.Example) bool { return x.Name == name })
	if i < 0 {
		t.Fatalf("no example %s", name)
	}
	var vars map[string]any
	if err := json.Unmarshal([]byte(graphql.Examples[i].Variables), &vars); err != nil {
		t.Fatalf("%s: variables: %v", name, err)
	}
	return graphql.Examples[i]
}

// TestJournalistQuestions runs the explorer's four example queries on the
// demo, each one query, and checks their answers against the read model.
func TestJournalistQuestions(t *testing.T) {
	e := demoEnv(t)
	ctx := context.Background()
	snap, err := e.rm.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()

	t.Run("how each member voted on the budget decisions of this year", func(t *testing.T) {
		type page struct {
			Search struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Edges []struct {
					Node struct {
						Node struct {
							Number string `json:"number"`
							Year   int    `json:"year"`
							Body   struct {
								LocalID string `json:"localId"`
							} `json:"body"`
							Vote *struct {
								Ballots []struct {
									Choice string `json:"choice"`
									Member struct {
										Name string `json:"name"`
									} `json:"member"`
								} `json:"ballots"`
							} `json:"vote"`
						} `json:"node"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"search"`
		}
		x := example(t, "BudgetVotes")
		var hits []page
		for after := any(nil); len(hits) < 20; {
			var p page
			mustData(t, e.h, x.Query, map[string]any{"words": "προϋπολογισμός", "after": after}, &p)
			hits = append(hits, p)
			if !p.Search.PageInfo.HasNextPage {
				break
			}
			after = p.Search.PageInfo.EndCursor
		}
		// Every decision of 2025 whose title names the budget, with the
		// ballots of its vote.
		want := map[string][]readmodel.Ballot{}
		for after := ""; ; {
			l, err := snap.Decisions(ctx, readmodel.DecisionFilter{Year: 2025, Page: readmodel.Page{First: 500, After: after}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range l.Items {
				if strings.Contains(readmodel.FoldText(d.Title), readmodel.FoldText("προϋπολογισμ")) && d.VoteID != "" {
					bs, err := snap.BallotsOfVotes(ctx, []string{d.VoteID})
					if err != nil {
						t.Fatal(err)
					}
					want[d.BodyID+" "+d.Number] = bs[0]
				}
			}
			if !l.HasMore {
				break
			}
			after = l.Next
		}
		if len(want) == 0 {
			t.Fatal("the demo has no budget decision this year: the test proves nothing")
		}
		got := map[string]int{}
		for _, p := range hits {
			for _, h := range p.Search.Edges {
				d := h.Node.Node
				if d.Year == 2025 && d.Vote != nil {
					got[d.Body.LocalID+" "+d.Number] = len(d.Vote.Ballots)
					for _, b := range d.Vote.Ballots {
						if b.Member.Name == "" || b.Choice == "" {
							t.Errorf("decision %s: a ballot without a member's name or a choice", d.Number)
						}
					}
				}
			}
		}
		for key, ballots := range want {
			if got[key] != len(ballots) {
				t.Errorf("decision %s: %d ballots answered, the read model holds %d", key, got[key], len(ballots))
			}
		}
	})

	t.Run("what changed between the versions of a corrected decision", func(t *testing.T) {
		var corrected *readmodel.Decision
		for after := ""; corrected == nil; {
			l, err := snap.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 500, After: after}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range l.Items {
				if l.Items[i].Version > 1 {
					corrected = &l.Items[i]
					break
				}
			}
			if !l.HasMore {
				break
			}
			after = l.Next
		}
		if corrected == nil {
			t.Fatal("the demo corrects no decision")
		}
		var data struct {
			Decision struct {
				Versions []struct {
					Version int    `json:"version"`
					Text    string `json:"text"`
					Reason  string `json:"reason"`
					Diff    []struct {
						Op, Field, Text string
					} `json:"diff"`
				} `json:"versions"`
			} `json:"decision"`
		}
		x := example(t, "DecisionVersions")
		q := strings.Replace(x.Query, "diff { op field text }", "diff { op field text } text", 1)
		mustData(t, e.h, q, map[string]any{"number": corrected.Number, "body": corrected.BodyID}, &data)
		vs := data.Decision.Versions
		if len(vs) != corrected.Version {
			t.Fatalf("%d versions, want %d", len(vs), corrected.Version)
		}
		if len(vs[0].Diff) != 0 {
			t.Error("the first version has a diff")
		}
		for i := 1; i < len(vs); i++ {
			// Applying the diff's kept and inserted text lines gives the
			// new text; its kept and deleted lines give the old.
			var old, new []string
			changed := false
			for _, d := range vs[i].Diff {
				if d.Field != "text" {
					continue
				}
				switch d.Op {
				case "equal":
					old, new = append(old, d.Text), append(new, d.Text)
				case "delete":
					old, changed = append(old, d.Text), true
				case "insert":
					new, changed = append(new, d.Text), true
				}
			}
			if strings.Join(old, "\n") != vs[i-1].Text || strings.Join(new, "\n") != vs[i].Text {
				t.Errorf("version %d: the diff does not turn the old text into the new", vs[i].Version)
			}
			if !changed && vs[i].Text != vs[i-1].Text {
				t.Errorf("version %d: a changed text with no change in its diff", vs[i].Version)
			}
			if vs[i].Reason == "" {
				t.Errorf("version %d: a correction without its reason", vs[i].Version)
			}
		}
	})

	t.Run("what the record said about a procurement before its award", func(t *testing.T) {
		l, err := snap.Procurements(ctx, readmodel.ProcurementFilter{Status: "completed", Page: readmodel.Page{First: 1}})
		if err != nil || len(l.Items) == 0 {
			t.Fatalf("no completed procurement: %v", err)
		}
		p := l.Items[0]
		history, err := e.rm.History(ctx, "procurement-"+p.OCID, readmodel.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var before events.Position
		for _, h := range history {
			if h.Type == "procurement.awarded" {
				break
			}
			before = h.Position
		}
		if before == 0 {
			t.Fatal("no event before the award")
		}
		// The example asks by recorded time; the demo records a year in
		// seconds, so the point is the position of the last event before
		// the award, the same question asked exactly.
		x := example(t, "ProcurementAsOf")
		q := strings.Replace(strings.Replace(x.Query, "$at: Time!", "$at: Position!", 1), "{recordedAt: $at}", "{position: $at}", 1)
		var data struct {
			Procurement struct {
				Status   string                 `json:"status"`
				Awarded  *struct{ Cents int64 } `json:"awarded"`
				Supplier *struct{ Name string } `json:"supplier"`
				Budget   struct{ Cents int64 }  `json:"budget"`
			} `json:"procurement"`
		}
		mustData(t, e.h, q, map[string]any{"ocid": p.OCID, "at": before}, &data)
		got := data.Procurement
		if got.Status == p.Status || got.Awarded != nil || got.Supplier != nil {
			t.Errorf("as of position %d: status %q, awarded %v, supplier %v; want the record before the award", before, got.Status, got.Awarded, got.Supplier)
		}
		if p.Budget != nil && got.Budget.Cents != p.Budget.Cents {
			t.Errorf("budget %d, want %d", got.Budget.Cents, p.Budget.Cents)
		}
		var now struct {
			Procurement struct {
				Status string `json:"status"`
			} `json:"procurement"`
		}
		mustData(t, e.h, `query($ocid: String!) { procurement(ocid: $ocid) { status } }`, map[string]any{"ocid": p.OCID}, &now)
		if now.Procurement.Status != p.Status {
			t.Errorf("now: status %q, want %q", now.Procurement.Status, p.Status)
		}
	})

	t.Run("which requests are overdue", func(t *testing.T) {
		var data struct {
			Requests struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						LocalID string `json:"localId"`
						DueAt   string `json:"dueAt"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"requests"`
		}
		mustData(t, e.h, example(t, "OverdueRequests").Query, nil, &data)
		want, err := snap.Requests(ctx, readmodel.RequestFilter{OverdueAt: demoNow, Page: readmodel.Page{First: 100, Total: true}})
		if err != nil {
			t.Fatal(err)
		}
		if *want.Total == 0 {
			t.Fatal("no overdue request in the demo: the test proves nothing")
		}
		if data.Requests.TotalCount != *want.Total || len(data.Requests.Edges) != len(want.Items) {
			t.Fatalf("%d overdue (%d on the page), the read model says %d (%d)", data.Requests.TotalCount, len(data.Requests.Edges),
				*want.Total, len(want.Items))
		}
		for i, edge := range data.Requests.Edges {
			if edge.Node.LocalID != want.Items[i].ID {
				t.Errorf("request %d: %s, want %s", i, edge.Node.LocalID, want.Items[i].ID)
			}
		}
	})
}
