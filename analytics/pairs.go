package analytics

import (
	"cmp"
	"slices"
)

// Stance is a position taken in a vote: a member's ballot (yes, no or
// abstain), or a faction's majority choice.
type Stance struct {
	VoteID, Who, Choice string
}

// PairAgreement counts, for every pair of those taking a stance in the
// same votes, the votes both took one in and those where the stances were
// the same: the Agreement answer, pairs ordered A < B, in (A, B) order.
// stances must come grouped by vote (each vote's stances next to each
// other) and hold one stance per vote and person.
//
// Both engines fetch the stances with their SQL and pair them here: the
// pairs of a council vote are hundreds, which a self-join of the ballots
// then grouped by pair made a table of millions of rows to sort, on either
// engine, for a count a map keeps in one pass.
func PairAgreement(stances []Stance) []Agreement {
	ids := map[string]int32{}
	var names []string
	intern := func(s string) int32 {
		i, ok := ids[s]
		if !ok {
			i = int32(len(names))
			ids[s] = i
			names = append(names, s)
		}
		return i
	}
	type tally struct{ votes, agreed int64 }
	counts := map[[2]int32]*tally{}
	type voter struct {
		who    int32
		choice string
	}
	var vote []voter
	for i := 0; i < len(stances); {
		j := i
		vote = vote[:0]
		for ; j < len(stances) && stances[j].VoteID == stances[i].VoteID; j++ {
			vote = append(vote, voter{intern(stances[j].Who), stances[j].Choice})
		}
		for x := range vote {
			for y := x + 1; y < len(vote); y++ {
				a, b := vote[x], vote[y]
				if a.who == b.who {
					continue
				}
				if names[a.who] > names[b.who] {
					a, b = b, a
				}
				k := [2]int32{a.who, b.who}
				t := counts[k]
				if t == nil {
					t = &tally{}
					counts[k] = t
				}
				t.votes++
				if a.choice == b.choice {
					t.agreed++
				}
			}
		}
		i = j
	}
	out := make([]Agreement, 0, len(counts))
	for k, t := range counts {
		out = append(out, Agreement{A: names[k[0]], B: names[k[1]], Votes: t.votes, Agreed: t.agreed})
	}
	slices.SortFunc(out, func(x, y Agreement) int { return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B)) })
	return out
}
