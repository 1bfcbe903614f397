package analytics_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/pnyx-civic/pnyx/analytics"
)

func TestPairAgreementGolden(t *testing.T) {
	got := analytics.PairAgreement([]analytics.Stance{
		{"v1", "m-b", "yes"}, {"v1", "m-a", "yes"}, {"v1", "m-c", "no"},
		{"v2", "m-c", "no"}, {"v2", "m-a", "abstain"},
		{"v3", "m-a", "yes"},
	})
	want := []analytics.Agreement{{A: "m-a", B: "m-b", Votes: 1, Agreed: 1}, {A: "m-a", B: "m-c", Votes: 2, Agreed: 0}, {A: "m-b", B: "m-c", Votes: 1, Agreed: 0}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got := analytics.PairAgreement(nil); len(got) != 0 {
		t.Fatalf("no stances gave %+v", got)
	}
}

// TestPairAgreementCountsEveryPair compares PairAgreement with counting
// every pair of every vote by hand, on random votes.
func TestPairAgreementCountsEveryPair(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	choices := []string{"yes", "no", "abstain"}
	for round := range 50 {
		var stances []analytics.Stance
		naive := map[[2]string]*analytics.Agreement{}
		for v := range r.IntN(20) {
			var vote []analytics.Stance
			for m := range 12 {
				if r.IntN(3) > 0 {
					vote = append(vote, analytics.Stance{VoteID: fmt.Sprint("v", v), Who: fmt.Sprint("m", m), Choice: choices[r.IntN(3)]})
				}
			}
			r.Shuffle(len(vote), func(i, j int) { vote[i], vote[j] = vote[j], vote[i] })
			for _, x := range vote {
				for _, y := range vote {
					if x.Who < y.Who {
						a := naive[[2]string{x.Who, y.Who}]
						if a == nil {
							a = &analytics.Agreement{A: x.Who, B: y.Who}
							naive[[2]string{x.Who, y.Who}] = a
						}
						a.Votes++
						if x.Choice == y.Choice {
							a.Agreed++
						}
					}
				}
			}
			stances = append(stances, vote...)
		}
		got := analytics.PairAgreement(stances)
		if len(got) != len(naive) {
			t.Fatalf("round %d: %d pairs, want %d", round, len(got), len(naive))
		}
		for i, a := range got {
			if i > 0 && !(got[i-1].A < a.A || got[i-1].A == a.A && got[i-1].B < a.B) {
				t.Fatalf("round %d: pairs out of order at %d", round, i)
			}
			if w := naive[[2]string{a.A, a.B}]; w == nil || *w != a {
				t.Fatalf("round %d: %+v, want %+v", round, a, w)
			}
		}
	}
}
