package graphql_test

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// batchRuns makes each run's query text its own, so that the response
// cache (keyed by the query's hash) never answers a run in place of the
// statements it counts.
var batchRuns atomic.Int64

// TestPagesRunTheSameStatementsWhateverTheirSize is the loaders' contract:
// a page of decisions with their votes, ballots and members reads each
// level in one statement, so a page of 50 runs as many as a page of 5.
func TestPagesRunTheSameStatementsWhateverTheirSize(t *testing.T) {
	e := demoEnv(t)
	query := fmt.Sprintf("# run %d\n", batchRuns.Add(1)) + `query($n: Int!, $o: Order!) { decisions(first: $n, year: 2025, order: $o) { edges { node { number title
		body { name } item { title documents { title } } vote { result yes no ballots(order: $o) { choice member { name faction } } } } } } }`
	count := func(n int, order string) (int64, int) {
		e.statements.Store(0)
		e.counting.Store(true)
		var data struct {
			Decisions struct {
				Edges []struct {
					Node struct {
						Vote *struct {
							Ballots []struct{} `json:"ballots"`
						} `json:"vote"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"decisions"`
		}
		mustData(t, e.h, query, map[string]any{"n": n, "o": order}, &data)
		e.counting.Store(false)
		ballots := 0
		for _, d := range data.Decisions.Edges {
			if d.Node.Vote != nil {
				ballots += len(d.Node.Vote.Ballots)
			}
		}
		if len(data.Decisions.Edges) != n {
			t.Fatalf("asked for %d decisions, got %d", n, len(data.Decisions.Edges))
		}
		return e.statements.Load(), ballots
	}
	if five, fifty := first(count(5, "DESC")), first(count(50, "DESC")); five != fifty {
		t.Errorf("newest first, a page of 5 ran %d statements, a page of 50 ran %d: a level is read per item, not per page", five, fifty)
	}
	five, ballots5 := count(5, "ASC")
	fifty, ballots50 := count(50, "ASC")
	if ballots5 == 0 || ballots50 <= ballots5 {
		t.Fatalf("ballots read: %d for 5 decisions, %d for 50: the test would prove nothing", ballots5, ballots50)
	}
	t.Logf("statements: %d for 5 decisions (%d ballots), %d for 50 (%d ballots)", five, ballots5, fifty, ballots50)
	if five == 0 {
		t.Fatal("no statement counted: something answered without reading the snapshot")
	}
	if five != fifty {
		t.Errorf("a page of 5 ran %d statements, a page of 50 ran %d: a level is read per item, not per page", five, fifty)
	}
	// The snapshot's position, the page, bodies, items, their documents,
	// votes, ballots, members and their factions: one each.
	if fifty > 9 {
		t.Errorf("a page ran %d statements, want at most 9", fifty)
	}
}

// first is the first of two results.
func first[A, B any](a A, _ B) A { return a }
