package clickhouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/pnyx-civic/pnyx/events"
)

// Each ballot fact carries the faction its member held in the vote's body
// when casting it, so the vote questions read it from the ballot instead
// of joining every ballot with its member's changes. The rule is the one
// the embedded engine applies to the read model's memberships: of the
// member's changes in that body that happened (occurred time) at or before
// the ballot, the last in the log; none, or a leaving, is no faction.
//
// The sink applies it while gathering, from the changes it has read so far.
// A change read after a ballot it precedes in time (recorded late: a
// clerk enters last month's change of faction after this month's votes)
// restates those ballots: the sink finds them in ClickHouse and writes,
// at the change's position, a "faction" row for each with the faction the
// rule now gives. Queries take a ballot's faction from its last cast or
// faction row (argMaxIf), so the answer is the rule's over the whole log.

// memberKey is one member in one body.
type memberKey struct{ body, member string }

// memberChange is one row of member_changes as the rule reads it.
type memberChange struct {
	pos     uint64
	at      int64
	faction string // "" when the change is a leaving
}

// factState is what the sink remembers between events to give each ballot
// its faction: the bodies of the votes open, every member's changes and the
// time of each member's latest ballot. It is rebuilt from ClickHouse when
// the sink starts (load), so it holds what the log up to the checkpoint
// says.
type factState struct {
	voteBody map[string]string
	changes  map[memberKey][]memberChange
	lastCast map[memberKey]int64
	// voteBodyOf returns the body of a vote opened before the sink's
	// start ("" for none); nil answers "".
	voteBodyOf func(ctx context.Context, vote string) (string, error)
}

func newFactState() *factState {
	return &factState{voteBody: map[string]string{}, changes: map[memberKey][]memberChange{}, lastCast: map[memberKey]int64{}}
}

// change records a member change read from the log (in log order).
func (f *factState) change(k memberKey, c memberChange) {
	cs := f.changes[k]
	if n := len(cs); n > 0 && cs[n-1].pos >= c.pos { // a row loaded twice
		return
	}
	f.changes[k] = append(cs, c)
}

// factionAt is the faction of k at time at by the rule.
func (f *factState) factionAt(k memberKey, at int64) string {
	faction, best := "", uint64(0)
	for _, c := range f.changes[k] {
		if c.at <= at && c.pos >= best {
			faction, best = c.faction, c.pos
		}
	}
	return faction
}

// late reports whether a change of k that happened at at precedes a
// ballot of k already gathered, so ballots need restating.
func (f *factState) late(k memberKey, at int64) bool {
	last, ok := f.lastCast[k]
	return ok && at <= last
}

// ballotBody is the body of vote.
func (f *factState) ballotBody(ctx context.Context, vote string) (string, error) {
	if body, ok := f.voteBody[vote]; ok {
		return body, nil
	}
	if f.voteBodyOf == nil {
		return "", nil
	}
	body, err := f.voteBodyOf(ctx, vote)
	if err != nil {
		return "", err
	}
	f.voteBody[vote] = body
	return body, nil
}

// memberChangeOf is the member change an event makes, if any.
func memberChangeOf(re events.RecordedEvent, p events.Payload) (memberKey, memberChange, bool) {
	body := streamID(re.Stream)
	c := memberChange{pos: uint64(re.Position), at: ns(re.OccurredAt)}
	switch e := p.(type) {
	case events.BodyMemberJoined:
		c.faction = e.FactionID
		return memberKey{body, e.MemberID}, c, true
	case events.BodyMemberFactionChanged:
		c.faction = e.FactionID
		return memberKey{body, e.MemberID}, c, true
	case events.BodyMemberLeft:
		return memberKey{body, e.MemberID}, c, true
	}
	return memberKey{}, memberChange{}, false
}

// load rebuilds the state of the sink's tables up to position from.
func (s *Sink) loadFactState(ctx context.Context, from events.Position) (*factState, error) {
	f := newFactState()
	db := s.opts.Database
	f.voteBodyOf = func(ctx context.Context, vote string) (string, error) {
		var body string
		err := s.conn.QueryRow(ctx, "SELECT argMax(body_id, position) FROM "+db+".votes WHERE vote_id = ? AND position <= ?",
			vote, uint64(from)).Scan(&body)
		if err != nil {
			return "", fmt.Errorf("read the body of vote %s: %w", vote, err)
		}
		return body, nil
	}
	if from == 0 {
		return f, nil
	}
	rows, err := s.conn.Query(ctx, "SELECT DISTINCT body_id, member_id, position, at_ns, if(active = 1, faction, '') FROM "+db+
		".member_changes WHERE position <= ? ORDER BY position", uint64(from))
	if err != nil {
		return nil, fmt.Errorf("read member changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k memberKey
		var c memberChange
		if err := rows.Scan(&k.body, &k.member, &c.pos, &c.at, &c.faction); err != nil {
			return nil, fmt.Errorf("read member changes: %w", err)
		}
		f.change(k, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read member changes: %w", err)
	}
	rows, err = s.conn.Query(ctx, "SELECT body_id, member_id, max(cast_ns) FROM "+db+
		".ballots WHERE kind = 'cast' AND position <= ? GROUP BY body_id, member_id", uint64(from))
	if err != nil {
		return nil, fmt.Errorf("read ballots: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k memberKey
		var at int64
		if err := rows.Scan(&k.body, &k.member, &at); err != nil {
			return nil, fmt.Errorf("read ballots: %w", err)
		}
		f.lastCast[k] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ballots: %w", err)
	}
	return f, nil
}

// castBallot is a ballot as restating reads it.
type castBallot struct {
	vote string
	at   int64
}

// ballotsSince returns the ballots of k in ClickHouse cast at or after at
// and written before position before, by vote.
func (s *Sink) ballotsSince(ctx context.Context, k memberKey, at int64, before uint64) ([]castBallot, error) {
	rows, err := s.conn.Query(ctx, "SELECT vote_id, max(cast_ns) AS c FROM "+s.opts.Database+
		".ballots WHERE body_id = ? AND member_id = ? AND kind = 'cast' AND position < ? GROUP BY vote_id HAVING c >= ? ORDER BY vote_id",
		k.body, k.member, before, at)
	if err != nil {
		return nil, fmt.Errorf("read the ballots of %s in %s: %w", k.member, k.body, err)
	}
	defer rows.Close()
	var out []castBallot
	for rows.Next() {
		var b castBallot
		if err := rows.Scan(&b.vote, &b.at); err != nil {
			return nil, fmt.Errorf("read the ballots of %s in %s: %w", k.member, k.body, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// restate gathers, at position pos, a faction row for each ballot of k in
// stored (read from ClickHouse) and in b itself cast at or after at, with
// the faction the rule gives now.
func (b *batch) restate(k memberKey, at int64, pos uint64, stored []castBallot) {
	own := b.rows[&ballotsTable]
	if own != nil {
		votes, members, kinds, bodies, casts := own.cols[0].s, own.cols[1].s, own.cols[3].s, own.cols[6].s, own.cols[5].i64
		for i := range own.n {
			if kinds[i] == "cast" && members[i] == k.member && bodies[i] == k.body && casts[i] >= at {
				stored = append(stored, castBallot{votes[i], casts[i]})
			}
		}
	}
	slices.SortFunc(stored, func(x, y castBallot) int { return cmp.Compare(x.vote, y.vote) })
	stored = slices.CompactFunc(stored, func(x, y castBallot) bool { return x.vote == y.vote })
	for _, c := range stored {
		b.put(&ballotsTable, c.vote, k.member, pos, "faction", "", int64(0), k.body, b.fix.factionAt(k, c.at))
	}
}
