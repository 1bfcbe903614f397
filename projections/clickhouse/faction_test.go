package clickhouse_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
)

// TestBallotFactionsFollowChangesRecordedLate builds a log whose faction
// changes and leavings are recorded after ballots they precede in time,
// some read by a sink that started after the ballots were in ClickHouse,
// and requires each ballot to count for the faction its member held when
// casting it, as the embedded engine says over the read model.
func TestBallotFactionsFollowChangesRecordedLate(t *testing.T) {
	addr := serverAddr(t)
	ctx := context.Background()
	fx := analyticstest.Open(t)
	day := func(d int) time.Time { return time.Date(2025, 2, d, 10, 0, 0, 0, time.UTC) }
	appendAt := func(stream string, at time.Time, p events.Payload) {
		t.Helper()
		ev, err := events.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		ev.OccurredAt = at
		if _, err := fx.Store.Append(ctx, stream, events.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
	ballot := func(vote, member string, at time.Time, c events.BallotChoice) {
		appendAt("vote-"+vote, at, events.VoteBallotCast{MemberID: member, Choice: c})
	}
	appendAt("body-b", day(1), events.BodyRegistered{BodyID: "b", Name: "Council", Kind: events.BodyCouncil})
	for _, m := range []struct{ id, faction string }{{"m1", "fa"}, {"m2", "fa"}, {"m3", "fb"}} {
		appendAt("body-b", day(1), events.BodyMemberJoined{MemberID: m.id, Name: m.id, FactionID: m.faction, Role: events.RoleMember})
	}
	appendAt("vote-v1", day(10), events.VoteOpened{VoteID: "v1", BodyID: "b", MeetingID: "mt", ItemID: "i1", Question: "q", Method: events.VoteRollCall})
	ballot("v1", "m1", day(10), events.BallotYes)
	ballot("v1", "m2", day(10), events.BallotNo)
	ballot("v1", "m3", day(10), events.BallotYes)
	appendAt("vote-v1", day(10), events.VoteClosed{Yes: 2, No: 1})
	appendAt("body-b", day(5), events.BodyMemberFactionChanged{MemberID: "m2", FactionID: "fb"}) // late
	appendAt("vote-v2", day(20), events.VoteOpened{VoteID: "v2", BodyID: "b", MeetingID: "mt", ItemID: "i2", Question: "q", Method: events.VoteRollCall})
	ballot("v2", "m1", day(20), events.BallotYes)
	ballot("v2", "m2", day(20), events.BallotYes)

	// Batches of three events, so that late changes find their ballots
	// both in ClickHouse and in the batch being gathered; inserts of
	// blocks of two rows.
	clickhouse.SetInsertBlockRowsForTest(t, 2)
	opts := testOptions(t, addr)
	opts.BatchEvents, opts.CatchUpEvents = 3, 3
	follow := func() {
		t.Helper()
		head, err := fx.Store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sink, err := clickhouse.NewSink(fx.Store, opts)
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sink.Run(sctx) }()
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		defer wcancel()
		err = sink.WaitFor(wctx, head)
		cancel()
		<-done
		sink.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	follow()

	// A second sink resumes from the checkpoint, with v2 open and its
	// first ballots in ClickHouse.
	appendAt("body-b", day(12), events.BodyMemberFactionChanged{MemberID: "m1", FactionID: "fb"}) // late for v2
	ballot("v2", "m3", day(21), events.BallotNo)
	appendAt("body-b", day(15), events.BodyMemberLeft{MemberID: "m3", Reason: "resigned"}) // late for m3's v2 ballot
	appendAt("vote-v2", day(21), events.VoteClosed{Yes: 2, No: 1})
	follow()
	fx.Sync(t)

	eng, err := clickhouse.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	got, err := eng.FactionVotes(ctx, analytics.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.FactionVote{
		{VoteID: "v1", OpenedAt: day(10), Faction: "fa", Yes: 1},
		{VoteID: "v1", OpenedAt: day(10), Faction: "fb", Yes: 1, No: 1},
		{VoteID: "v2", OpenedAt: day(20), Faction: "fb", Yes: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("faction votes\n got %+v\nwant %+v", got, want)
	}
	ref := embedded.New(fx.ReadModel)
	for _, q := range []struct {
		name string
		ask  func(analytics.Engine) (any, error)
	}{
		{"faction votes", func(e analytics.Engine) (any, error) { return e.FactionVotes(ctx, analytics.Filter{}) }},
		{"dissent", func(e analytics.Engine) (any, error) { return e.Dissent(ctx, analytics.Filter{}) }},
		{"faction agreement", func(e analytics.Engine) (any, error) {
			return e.Agreement(ctx, analytics.Filter{}, analytics.ByFaction)
		}},
	} {
		want, err := q.ask(ref)
		if err != nil {
			t.Fatal(err)
		}
		got, err := q.ask(eng)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ClickHouse %+v, embedded %+v", q.name, got, want)
		}
	}
}
