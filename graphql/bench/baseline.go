package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

type heavyBallot struct {
	Choice string `json:"choice"`
	Member struct {
		Name    string `json:"name"`
		Faction string `json:"faction"`
	} `json:"member"`
}

type heavyVote struct {
	Result  string        `json:"result"`
	Ballots []heavyBallot `json:"ballots"`
}

type heavyNode struct {
	Number string     `json:"number"`
	Title  string     `json:"title"`
	Vote   *heavyVote `json:"vote"`
}

type heavyEdge struct {
	Node heavyNode `json:"node"`
}

// HeavyBySQL is the baseline of HeavyQuery: its rows read from the read
// model by one hand-written join and encoded as JSON in the answer's
// shape, with nothing else (no snapshot position, no limits, no
// resolvers).
func HeavyBySQL(ctx context.Context, db *sql.DB) ([]byte, error) {
	rows, err := db.QueryContext(ctx, `SELECT d.decision_id, d.number, d.title, coalesce(v.result, ''), v.vote_id IS NOT NULL,
		coalesce(b.choice, ''), coalesce(m.name, ''), coalesce((SELECT f.name FROM factions f WHERE f.faction_id = m.faction_id), '')
		FROM (SELECT * FROM decisions ORDER BY adopted_at, decision_id LIMIT 50) d
		LEFT JOIN votes v ON v.vote_id = d.vote_id
		LEFT JOIN ballots b ON b.vote_id = v.vote_id
		LEFT JOIN memberships m ON m.member_id = b.member_id AND m.body_id = v.body_id
			AND m.period = (SELECT max(period) FROM memberships WHERE member_id = b.member_id AND body_id = v.body_id)
		ORDER BY d.adopted_at, d.decision_id, b.member_id`)
	if err != nil {
		return nil, fmt.Errorf("bench: heavy join: %w", err)
	}
	defer rows.Close()
	var out []heavyEdge
	last := ""
	for rows.Next() {
		var id, number, title, result, choice, name, faction string
		var voted bool
		if err := rows.Scan(&id, &number, &title, &result, &voted, &choice, &name, &faction); err != nil {
			return nil, fmt.Errorf("bench: heavy join: %w", err)
		}
		if id != last {
			last = id
			n := heavyNode{Number: number, Title: title}
			if voted {
				n.Vote = &heavyVote{Result: result, Ballots: []heavyBallot{}}
			}
			out = append(out, heavyEdge{Node: n})
		}
		if n := &out[len(out)-1].Node; n.Vote != nil && choice != "" {
			var hb heavyBallot
			hb.Choice, hb.Member.Name, hb.Member.Faction = choice, name, faction
			n.Vote.Ballots = append(n.Vote.Ballots, hb)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bench: heavy join: %w", err)
	}
	return json.Marshal(map[string]any{"data": map[string]any{"decisions": map[string]any{"edges": out}}})
}
