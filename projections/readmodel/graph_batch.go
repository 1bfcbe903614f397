package readmodel

import (
	"context"
	"strconv"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

// Batch reads for the per-request loaders of the GraphQL API: each reads
// what a page of parents needs of one kind of child in one query, so a
// page costs the same number of statements whatever its size.

// BallotsOfVotes returns the ballots of each vote of voteIDs by member, in
// one query: out[i] is voteIDs[i]'s, empty when it has none. A vote's
// ballots are bounded by its body's seats, so they come whole. More than
// MaxBatch ids is an invalid error.
func (s *Snapshot) BallotsOfVotes(ctx context.Context, voteIDs []string) ([][]Ballot, error) {
	if len(voteIDs) > MaxBatch {
		return nil, events.Invalidf("ballots: %d votes asked at once, over the maximum of %d", len(voteIDs), MaxBatch)
	}
	out := make([][]Ballot, len(voteIDs))
	if len(voteIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(voteIDs))
	for i, id := range voteIDs {
		args[i] = id
	}
	rows, err := queryRows(ctx, s.q, `SELECT vote_id, member_id, choice, changes FROM ballots WHERE vote_id IN (?`+
		strings.Repeat(", ?", len(voteIDs)-1)+`) ORDER BY vote_id, member_id`, args, func(sc scanner) (Ballot, error) {
		var b Ballot
		return b, sc.Scan(&b.VoteID, &b.MemberID, &b.Choice, &b.Changes)
	})
	if err != nil {
		return nil, err
	}
	byVote := map[string][]Ballot{}
	for _, b := range rows {
		byVote[b.VoteID] = append(byVote[b.VoteID], b)
	}
	for i, id := range voteIDs {
		out[i] = byVote[id]
		if out[i] == nil {
			out[i] = []Ballot{}
		}
	}
	return out, nil
}

// MembersByID returns each member's latest membership period, in any body
// (the one that began last), in one query: out[i] is memberIDs[i]'s, nil
// for an id that was never a member. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) MembersByID(ctx context.Context, memberIDs []string) ([]*Membership, error) {
	if len(memberIDs) > MaxBatch {
		return nil, events.Invalidf("members: %d ids asked at once, over the maximum of %d", len(memberIDs), MaxBatch)
	}
	out := make([]*Membership, len(memberIDs))
	if len(memberIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(memberIDs))
	for i, id := range memberIDs {
		args[i] = id
	}
	rows, err := queryRows(ctx, s.q, `SELECT `+membershipSelect+` FROM memberships WHERE member_id IN (?`+
		strings.Repeat(", ?", len(memberIDs)-1)+`) ORDER BY member_id, since_at, body_id, period`, args, scanMembership)
	if err != nil {
		return nil, err
	}
	latest := map[string]*Membership{}
	for i := range rows {
		latest[rows[i].MemberID] = &rows[i] // rows come oldest first: the last wins
	}
	for i, id := range memberIDs {
		out[i] = latest[id]
	}
	return out, nil
}

// DecisionByNumber returns the decision numbered number ("123/2026") by
// bodyID in the register of office (OfficeOf), or by any body or office
// when bodyID or office is "". A number not of the form N/YYYY is an
// invalid error, as is one that several bodies or offices gave when
// bodyID or office is ""; no such decision is a not_found error.
func (s *Snapshot) DecisionByNumber(ctx context.Context, bodyID, office, number string) (Decision, error) {
	seqText, yearText, ok := strings.Cut(number, "/")
	seq, err1 := strconv.Atoi(seqText)
	year, err2 := strconv.Atoi(yearText)
	if !ok || err1 != nil || err2 != nil || seq <= 0 || year <= 0 {
		return Decision{}, events.Invalidf("decision number %q: want the form 123/2026", truncate(number))
	}
	var q query
	q.equal("year", year)
	q.equal("seq", seq)
	q.eq("body_id", bodyID)
	q.eq("office", office)
	found, err := queryRows(ctx, s.q, "SELECT "+decisionSelect+" FROM decisions"+q.String()+" LIMIT 2", q.args, scanDecision)
	switch {
	case err != nil:
		return Decision{}, err
	case len(found) == 0:
		return Decision{}, events.Errorf(events.CodeNotFound, "decision %s not found", truncate(number))
	case len(found) > 1:
		return Decision{}, events.Invalidf("decision %s: several bodies or offices have one; give the body and the office", truncate(number))
	}
	return found[0], nil
}

// Observe makes every Snapshot of m read through wrap(tx), for the tests
// of a product that count the statements a request runs. Call it before
// the first Snapshot.
func (m *ReadModel) Observe(wrap func(projections.Queryer) projections.Queryer) { m.wrap = wrap }
