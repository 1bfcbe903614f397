package graphql_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
)

// upTo runs the scenario up to its first step of mutation name.
func upTo(t *testing.T, e *writeEnv, name string) {
	t.Helper()
	steps := clerkScenario(e, t)
	for i, s := range steps {
		if s.name == name {
			steps = steps[:i]
			break
		}
	}
	runScenario(t, e, steps)
}

// upToSitting runs the scenario up to the first ballot of vote va1, so
// that a ballot can be cast next.
func upToSitting(t *testing.T, e *writeEnv) { upTo(t, e, "castBallot") }

func ballot(member string) map[string]any {
	return map[string]any{"voteId": "va1", "bodyId": "b1", "meetingId": "mt1", "memberId": member, "choice": "yes", "at": ts(5*day + 31*time.Minute)}
}

func TestMutationTokens(t *testing.T) {
	e := newWriteEnv(t, func(o *graphql.Options) { o.Writes.PublicBurst = 100 })
	upToSitting(t, e)
	ctx := context.Background()
	if _, err := e.svc.Handle(ctx, events.RegisterBody{BodyID: "b2", Name: "Επιτροπή", Kind: events.BodyCommittee,
		Settings: events.DefaultBodySettings(5), At: writeT0.Add(-30 * day)}, e.tokens.For(ctx, t, events.RegisterBody{})); err != nil {
		t.Fatal(err)
	}
	other := map[string]any{"meetingId": "mt-b2", "bodyId": "b2", "startsAt": ts(15 * day), "place": "Δημαρχείο", "urgency": "regular", "at": ts(day)}
	// A meeting of b2 on the record: the minutes, attendance and
	// conflicts of its sitting are b2's, whatever the command says.
	held := events.ScheduleMeeting{MeetingID: "mt-b2-held", BodyID: "b2", StartsAt: writeT0.Add(15 * day), Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: writeT0}
	if _, err := e.svc.Handle(ctx, held, e.tokens.For(ctx, t, held)); err != nil {
		t.Fatal(err)
	}
	minutesOfB2 := map[string]any{"meetingId": "mt-b2-held", "bodyId": "b1", "documents": []any{doc("Πρακτικά")}, "at": ts(16 * day)}
	conflictAtB2 := map[string]any{"meetingId": "mt-b2-held", "bodyId": "b1", "itemId": "it1", "memberId": "m1", "reason": "Συγγένεια", "at": ts(day)}
	approveB2 := map[string]any{"meetingId": "mt-b2-held", "approvingMeetingId": "mt1", "voteId": "va1", "at": ts(16 * day)}
	protocol := map[string]any{"entryId": "prot-x", "registry": "geniko-protokollo", "direction": "incoming", "subject": "Εγκύκλιος",
		"correspondent": "Υπουργείο Εσωτερικών", "at": ts(day)}
	for _, c := range []struct {
		name, mutation string
		input          map[string]any
		token          string
		header         string
		code           string
	}{
		{"no token is unauthenticated", "castBallot", ballot("m1"), "", "", graphql.CodeUnauthenticated},
		{"an unknown token is unauthenticated", "castBallot", ballot("m1"), "pnyx.nosuchtoken.secret", "", graphql.CodeUnauthenticated},
		{"a header that is not a bearer token is unauthenticated", "castBallot", ballot("m1"), "", "Basic dXNlcjpwYXNz", graphql.CodeUnauthenticated},
		{"a role without the right is forbidden", "castBallot", ballot("m1"), "procurement", "", graphql.CodeForbidden},
		{"the body's token is refused on another body", "scheduleMeeting", other, "clerk-b1", "", graphql.CodeForbidden},
		{"the body's token cannot draft another body's minutes", "draftMinutes", minutesOfB2, "clerk-b1", "", graphql.CodeForbidden},
		{"the body's token cannot approve another body's minutes", "approveMinutes", approveB2, "clerk-b1", "", graphql.CodeForbidden},
		{"the body's token cannot declare a conflict at another body's meeting", "declareConflict", conflictAtB2, "clerk-b1", "", graphql.CodeForbidden},
		{"a body's token cannot register in the municipality's protocol", "registerProtocolEntry", protocol, "clerk-b1", "", graphql.CodeForbidden},
		{"the moderator cannot register in the protocol", "registerProtocolEntry", protocol, "moderator", "", graphql.CodeForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := e.head(t)
			cl := call{query: mutationDoc(t, c.mutation), vars: map[string]any{"input": c.input}}
			switch {
			case c.header != "":
				cl.header = http.Header{"Authorization": {c.header}}
			case e.secrets[c.token] != "":
				cl.token = e.secrets[c.token]
			default:
				cl.token = c.token
			}
			r, _ := e.do(t, cl)
			if r.code() != c.code {
				t.Fatalf("code %q, want %s: %+v", r.code(), c.code, r.Errors)
			}
			if h := e.head(t); h != before {
				t.Errorf("refused, yet the log moved from %d to %d", before, h)
			}
		})
	}
	t.Run("the right role on its body records", func(t *testing.T) {
		r, _ := e.do(t, call{query: mutationDoc(t, "castBallot"), vars: map[string]any{"input": ballot("m1")}, token: e.secrets["clerk-b1"]})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
	})
}

func TestMutationRetries(t *testing.T) {
	e := newWriteEnv(t, func(o *graphql.Options) { o.Writes.PublicBurst = 100 })
	upTo(t, e, "submitComment")
	send := func(t *testing.T, name string, input map[string]any, key string, token string) written {
		t.Helper()
		r, _ := e.do(t, call{query: mutationDoc(t, name), vars: map[string]any{"input": input, "key": key}, token: token})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", name, r.Errors)
		}
		w, _ := decodeWritten(t, name, r)
		return w
	}
	t.Run("a retried public comment is the same comment", func(t *testing.T) {
		c := map[string]any{"itemId": "it1", "kind": "comment", "text": "Ένα σχόλιο που στάλθηκε δύο φορές.", "author": citizen}
		first := send(t, "submitComment", c, "0b6f0d7e-retry-comment-key", "")
		e.clock.Add(time.Minute) // the retry comes later: it still names the first attempt's time
		again := send(t, "submitComment", c, "0b6f0d7e-retry-comment-key", "")
		if !again.Write.Replayed || first.CommentID != again.CommentID || !equalStrings(first.Write.EventIDs, again.Write.EventIDs) {
			t.Errorf("first %+v %s, retry %+v %s", first.Write, first.CommentID, again.Write, again.CommentID)
		}
		other := send(t, "submitComment", c, "0b6f0d7e-another-comment-key", "")
		if other.CommentID == first.CommentID || other.Write.Replayed {
			t.Errorf("another key named the same comment: %+v", other)
		}
	})
	// On to the sitting.
	steps := clerkScenario(e, t)
	for i, st := range steps {
		if st.name == "closeConsultation" {
			steps = steps[i:]
			break
		}
	}
	for i, st := range steps {
		if st.name == "castBallot" {
			steps = steps[:i]
			break
		}
	}
	runScenario(t, e, steps)
	t.Run("a retried ballot answers the same events and writes nothing", func(t *testing.T) {
		tok := e.secrets["clerk-b1"]
		first := send(t, "castBallot", ballot("m2"), "ballot-m2-va1", tok)
		head := e.head(t)
		again := send(t, "castBallot", ballot("m2"), "ballot-m2-va1", tok)
		if !again.Write.Replayed || first.Write.Replayed || !equalStrings(first.Write.EventIDs, again.Write.EventIDs) {
			t.Errorf("first %+v, retry %+v", first.Write, again.Write)
		}
		if e.head(t) != head {
			t.Error("the retry wrote")
		}
	})
	t.Run("a public submission without a key is refused", func(t *testing.T) {
		r, _ := e.do(t, call{query: mutationDoc(t, "submitComment"), vars: map[string]any{"input": map[string]any{
			"itemId": "it1", "kind": "comment", "text": "Χωρίς κλειδί.", "author": citizen}}})
		if r.code() != graphql.CodeBadUserInput {
			t.Errorf("code %q: %+v", r.code(), r.Errors)
		}
	})
	t.Run("a stale expected version is a conflict", func(t *testing.T) {
		r, _ := e.do(t, call{query: mutationDoc(t, "castBallot"), vars: map[string]any{"input": ballot("m3"), "expected": 0},
			token: e.secrets["clerk-b1"]})
		if r.code() != graphql.CodeConflict {
			t.Errorf("code %q: %+v", r.code(), r.Errors)
		}
	})
	t.Run("GET refuses a mutation", func(t *testing.T) {
		head := e.head(t)
		r, _ := e.do(t, call{method: http.MethodGet, query: `mutation { adjournMeeting(input: {meetingId: "mt1", at: "2026-03-07T12:00:00Z"}) { write { position } } }`,
			token: e.secrets["clerk-b1"]})
		if len(r.Errors) == 0 || e.head(t) != head {
			t.Errorf("GET ran a mutation: %+v", r)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPublicRateLimit(t *testing.T) {
	e := newWriteEnv(t, func(o *graphql.Options) {
		o.Writes.PublicBurst, o.Writes.PublicRate = 2, rate.Every(time.Minute)
		o.Writes.ClientIPHeader = "X-Forwarded-For"
	})
	n := 0
	submit := func(remote, forwarded string) response {
		n++
		c := call{query: mutationDoc(t, "submitRequest"), remote: remote, vars: map[string]any{"key": "rate-limit-test-key-" + string(rune('a'+n)),
			"input": map[string]any{"category": "complaint", "subject": "Λακκούβα", "requester": citizen}}}
		if forwarded != "" {
			c.header = http.Header{"X-Forwarded-For": {forwarded}}
		}
		r, _ := e.do(t, c)
		return r
	}
	for i := range 2 {
		if r := submit("198.51.100.7:1000", ""); len(r.Errors) > 0 {
			t.Fatalf("submission %d within the burst: %+v", i, r.Errors)
		}
	}
	r := submit("198.51.100.7:1001", "")
	if r.code() != graphql.CodeRateLimited {
		t.Fatalf("third submission: code %q, want RATE_LIMITED", r.code())
	}
	if s, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64); s < 1 || s > 60 {
		t.Errorf("retryAfterSeconds %v", r.Errors[0].Extensions["retryAfterSeconds"])
	}
	if r := submit("198.51.100.8:1000", ""); len(r.Errors) > 0 {
		t.Errorf("another client is limited too: %+v", r.Errors)
	}
	if r := submit("203.0.113.1:1000", "192.0.2.9, 198.51.100.7"); r.code() != graphql.CodeRateLimited {
		t.Errorf("the proxy's header names the limited client last, yet code %q", r.code())
	}
	e.clock.Add(time.Minute)
	if r := submit("198.51.100.7:1002", ""); len(r.Errors) > 0 {
		t.Errorf("a minute later: %+v", r.Errors)
	}
}

// stalled is a read model that never catches up.
type stalled struct{}

func (stalled) WaitFor(ctx context.Context, _ events.Position) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestMutationBeforeTheReadModelCatchesUp(t *testing.T) {
	e := newWriteEnv(t, func(o *graphql.Options) {
		o.Writes.Progress, o.Writes.CatchUp = stalled{}, 20*time.Millisecond
	})
	r, _ := e.do(t, call{query: mutationDoc(t, "registerBody"), token: e.secrets["secretariat"], vars: map[string]any{"input": map[string]any{
		"bodyId": "b9", "name": "Σώμα", "kind": "committee", "settings": settingsJSON(5), "at": ts(-day)}}})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	w, all := decodeWritten(t, "registerBody", r)
	if w.Write.CaughtUp || all["body"] != nil || len(w.Write.EventIDs) != 1 || w.Write.Position == 0 {
		t.Errorf("answer %s", r.Data)
	}
}

func settingsJSON(seats int) map[string]any {
	s := events.DefaultBodySettings(seats)
	return map[string]any{"seats": s.Seats, "notice_days": s.NoticeDays,
		"quorum":            map[string]any{"numerator": s.Quorum.Numerator, "denominator": s.Quorum.Denominator, "inclusive": s.Quorum.Inclusive},
		"third_call_quorum": map[string]any{"numerator": s.ThirdCallQuorum.Numerator, "denominator": s.ThirdCallQuorum.Denominator, "inclusive": s.ThirdCallQuorum.Inclusive},
		"majority":          map[string]any{"kind": string(s.Majority.Kind)}}
}
