package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// ballotBench is a convened meeting of a body of 49 voting members, where
// votes are opened (off the clock) whenever every member has cast a
// ballot in the current one.
type ballotBench struct {
	e       *writeEnv
	members []string
	vote    int
	cast    int
	at      time.Time
	ctx     context.Context
}

func newBallotBench(b *testing.B) *ballotBench {
	e := newWriteEnv(b, nil)
	ctx := context.Background()
	k := &ballotBench{e: e, ctx: ctx, at: writeT0.Add(5*day + time.Hour)}
	run := func(cmd events.Command) {
		if _, err := e.svc.Handle(ctx, cmd, e.tokens.For(ctx, b, cmd)); err != nil {
			b.Fatalf("%T: %v", cmd, err)
		}
	}
	settings := events.DefaultBodySettings(49)
	settings.NonVotingRoles = nil
	run(events.RegisterBody{BodyID: "b1", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: settings, At: writeT0.Add(-30 * day)})
	for i := range 49 {
		id := fmt.Sprintf("m%02d", i)
		role := events.RoleMember
		if i == 0 {
			role = events.RoleChair
		}
		run(events.AddMember{BodyID: "b1", MemberID: id, Name: "Σύμβουλος " + id, Role: role, At: writeT0.Add(-30 * day)})
		k.members = append(k.members, id)
	}
	run(events.ScheduleMeeting{MeetingID: "mt1", BodyID: "b1", StartsAt: writeT0.Add(5 * day), Place: "Δημαρχείο", Urgency: events.MeetingRegular, Call: 1, At: writeT0.Add(-10 * day)})
	run(events.AddItem{MeetingID: "mt1", ItemID: "it1", Title: "Θέμα", Presenter: "Δήμαρχος", At: writeT0.Add(-9 * day)})
	run(events.PublishAgenda{MeetingID: "mt1", BodyID: "b1", ConsultationClosesAt: writeT0.Add(4 * day), At: writeT0.Add(-7 * day)})
	run(events.ConveneMeeting{MeetingID: "mt1", BodyID: "b1", Present: k.members, PresidingMemberID: "m00", At: writeT0.Add(5*day + 10*time.Minute)})
	k.cast = len(k.members) // open the first vote on first use
	return k
}

// next is the next ballot to cast, opening a new vote (with the timer
// stopped) when the current one has every member's.
func (k *ballotBench) next(b *testing.B) events.CastBallot {
	if k.cast == len(k.members) {
		b.StopTimer()
		if k.vote > 0 {
			cmd := events.CloseVote{VoteID: fmt.Sprintf("v%d", k.vote), BodyID: "b1", MeetingID: "mt1", At: k.at}
			if _, err := k.e.svc.Handle(k.ctx, cmd, k.e.tokens.For(k.ctx, b, cmd)); err != nil {
				b.Fatal(err)
			}
		}
		k.vote++
		k.at = k.at.Add(time.Second)
		cmd := events.OpenVote{VoteID: fmt.Sprintf("v%d", k.vote), BodyID: "b1", MeetingID: "mt1", ItemID: "it1", Question: "Εγκρίνεται;",
			Method: events.VoteRollCall, At: k.at}
		if _, err := k.e.svc.Handle(k.ctx, cmd, k.e.tokens.For(k.ctx, b, cmd)); err != nil {
			b.Fatal(err)
		}
		k.cast = 0
		b.StartTimer()
	}
	c := events.CastBallot{VoteID: fmt.Sprintf("v%d", k.vote), BodyID: "b1", MeetingID: "mt1", MemberID: k.members[k.cast],
		Choice: events.BallotNo, At: k.at.Add(time.Millisecond)}
	k.cast++
	return c
}

// BenchmarkCastBallot compares castBallot over loopback HTTP (the token
// checked, the ballot decided and appended, the vote read back once the
// read model has applied it) with Service.Handle called directly with
// the same actor, each on its own log, in one run:
//
//	go test -run '^$' -bench BenchmarkCastBallot -benchtime 2s -v ./graphql
func BenchmarkCastBallot(b *testing.B) {
	var httpNs, directNs float64
	b.Run("castBallot over HTTP", func(b *testing.B) {
		k := newBallotBench(b)
		_, secret := k.e.tokens.Grant(k.ctx, b, "tok-bench", events.AccessClerk, "b1")
		srv := httpServer(b, k.e.h)
		c := srv.Client()
		query := mutationDoc(b, "castBallot")
		b.ResetTimer()
		for b.Loop() {
			cmd := k.next(b)
			body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": map[string]any{
				"voteId": cmd.VoteID, "bodyId": cmd.BodyID, "meetingId": cmd.MeetingID, "memberId": cmd.MemberID,
				"choice": string(cmd.Choice), "at": cmd.At.Format(time.RFC3339Nano)}}})
			req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if bytes.Contains(out, []byte(`"errors"`)) || !bytes.Contains(out, []byte(`"caughtUp":true`)) {
				b.Fatalf("%.300s", out)
			}
		}
		httpNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("Service.Handle", func(b *testing.B) {
		k := newBallotBench(b)
		actor, _ := k.e.tokens.Grant(k.ctx, b, "tok-bench", events.AccessClerk, "b1")
		b.ResetTimer()
		for b.Loop() {
			if _, err := k.e.svc.Handle(k.ctx, k.next(b), events.WithActor(actor)); err != nil {
				b.Fatal(err)
			}
		}
		directNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if directNs > 0 {
		b.Logf("castBallot over HTTP %.2f ms, Service.Handle %.2f ms: %.2f×", httpNs/1e6, directNs/1e6, httpNs/directNs)
	}
}
