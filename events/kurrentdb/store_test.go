package kurrentdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
	"github.com/pnyx-civic/pnyx/events/storetest"
)

// testServer starts the in-process test double; the adapter's limit on
// one append and the server's MaxAppendSize are raised together, as
// docs/DEPLOYMENT.md asks of a real server.
func testServer(t testing.TB) *kurrenttest.Server {
	t.Helper()
	srv, err := kurrenttest.Start(kurrenttest.Options{MaxAppendBytes: kurrentdb.DefaultMaxAppendBytes})
	if err != nil {
		t.Fatalf("start test server: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func openStore(t testing.TB, url string, opts kurrentdb.Options) *kurrentdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrentdb.Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("open %s: %v", kurrentdb.Redact(url), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestContractOnTheTestServer(t *testing.T) {
	srv := testServer(t)
	storetest.Run(t, func(t *testing.T) events.Store {
		return openStore(t, srv.URL(), kurrentdb.Options{})
	}, storetest.IDsPerStream())
}

// TestContractOnARealServer runs the suite against the server named by
// PNYX_TEST_KURRENTDB_URL (README: "The contract suite on a real
// KurrentDB"). The suite names its own streams, so a shared server does.
func TestContractOnARealServer(t *testing.T) {
	url := os.Getenv("PNYX_TEST_KURRENTDB_URL")
	if url == "" {
		t.Skip("PNYX_TEST_KURRENTDB_URL is not set: no real KurrentDB server to run the contract suite against (the test server run covers it in every build)")
	}
	storetest.Run(t, func(t *testing.T) events.Store {
		return openStore(t, url, kurrentdb.Options{})
	}, storetest.IDsPerStream())
}

func TestSubscriptionAfterADroppedConnection(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{Resubscribe: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	appendN := func(from, n int) {
		for i := range n {
			ev := events.Event{Type: "xvote.ballot_cast", Data: json.RawMessage(`{"n":` + itoa(from+i) + `}`)}
			if _, err := s.Append(ctx, "xvote-1", events.Any, ev); err != nil {
				t.Fatalf("append: %v", err)
			}
		}
	}
	appendN(0, 5)
	sub, err := s.SubscribeAll(ctx, 0)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer sub.Close()
	var got []events.RecordedEvent
	take := func(n int) {
		for len(got) < n {
			batch, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("next after %d events: %v", len(got), err)
			}
			got = append(got, batch...)
		}
	}
	take(5)
	for round := range 3 {
		srv.Drop()
		appendN(5+round*5, 5)
		take(10 + round*5)
	}
	t.Run("every event arrives once, in order, across three drops", func(t *testing.T) {
		if len(got) != 20 {
			t.Fatalf("%d events, want 20", len(got))
		}
		for i, ev := range got {
			if ev.Version != int64(i) {
				t.Fatalf("event %d has version %d: a gap or a duplicate", i, ev.Version)
			}
			if i > 0 && ev.Position <= got[i-1].Position {
				t.Fatalf("event %d at %d after %d: not ascending", i, ev.Position, got[i-1].Position)
			}
		}
	})
}

func TestPositionsAreOrderedNotDense(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	ctx := context.Background()
	a, err := s.Append(ctx, "xbody-1", events.NoStream, events.Event{Type: "xbody.registered", Data: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Append(ctx, "xbody-1", events.Exact(0), events.Event{Type: "xbody.member_joined", Data: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if b.Position <= a.Position+1 {
		t.Errorf("positions %d then %d: the test server should leave gaps, as a real server does", a.Position, b.Position)
	}
}

func TestRecordedTimeIsTheInjectedClock(t *testing.T) {
	srv := testServer(t)
	clock := time.Date(2026, 3, 10, 12, 0, 0, 987654321, time.FixedZone("EEST", 3*3600))
	s := openStore(t, srv.URL(), kurrentdb.Options{Now: func() time.Time { return clock }})
	ctx := context.Background()
	if _, err := s.Append(ctx, "xdecision-1", events.NoStream, events.Event{Type: "xdecision.adopted", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadStream(ctx, "xdecision-1", events.ReadStreamOptions{})
	if err != nil || len(got) != 1 {
		t.Fatalf("read: %v, %d events", err, len(got))
	}
	if got[0].RecordedAt != clock.UTC() || got[0].OccurredAt != clock.UTC() {
		t.Errorf("recorded %v occurred %v, want both %v", got[0].RecordedAt, got[0].OccurredAt, clock.UTC())
	}
}

func TestAnAppendOverTheRequestLimitIsInvalidAndWritesNothing(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{MaxAppendBytes: 1 << 20})
	big := json.RawMessage(`{"text":"` + string(make([]byte, 0)) + repeat("x", 600_000) + `"}`)
	_, err := s.Append(context.Background(), "xdecision-2", events.NoStream,
		events.Event{Type: "xdecision.adopted", Data: big}, events.Event{Type: "xdecision.published", Data: big})
	if events.ErrorCode(err) != events.CodeInvalid {
		t.Fatalf("append: %v; want an invalid error", err)
	}
	if srv.Len() != 0 {
		t.Errorf("%d events written, want none", srv.Len())
	}
}

func TestOpenRefusesABadConnectionString(t *testing.T) {
	_, err := kurrentdb.Open(context.Background(), "postgres://user:secret@host", kurrentdb.Options{})
	if events.ErrorCode(err) != events.CodeInvalid {
		t.Fatalf("open: %v; want invalid", err)
	}
	if msg := err.Error(); contains(msg, "secret") {
		t.Errorf("the error repeats the password: %s", msg)
	}
}

func TestOpenOnAServerThatIsNotThereIsUnavailable(t *testing.T) {
	srv := testServer(t)
	url := srv.URL() + "&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1"
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := kurrentdb.Open(ctx, url, kurrentdb.Options{Timeout: 2 * time.Second})
	if events.ErrorCode(err) != events.CodeUnavailable {
		t.Fatalf("open: %v; want unavailable", err)
	}
}

func TestEveryCallHasADeadline(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{Timeout: 200 * time.Millisecond})
	release := srv.Hold()
	defer release()
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"an append to a server that does not answer is unavailable", func() error {
			_, err := s.Append(ctx, "xvote-9", events.Any, events.Event{Type: "xvote.opened", Data: json.RawMessage(`{}`)})
			return err
		}},
		{"a stream read of a server that does not answer is unavailable", func() error {
			_, err := s.ReadStream(ctx, "xvote-9", events.ReadStreamOptions{})
			return err
		}},
		{"a read of the log of a server that does not answer is unavailable", func() error {
			_, err := s.ReadAll(ctx, events.ReadAllOptions{})
			return err
		}},
		{"the head of a server that does not answer is unavailable", func() error {
			_, err := s.Head(ctx)
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- tc.call() }()
			select {
			case err := <-done:
				if events.ErrorCode(err) != events.CodeUnavailable {
					t.Fatalf("got %v; want unavailable", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the call did not end at its deadline")
			}
		})
	}
	release()
	if _, err := s.Head(ctx); err != nil {
		t.Errorf("after the server answers again: %v", err)
	}
}

func TestAServerThatGoesAwayAndComesBack(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{Resubscribe: time.Millisecond, Timeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	appendOne := func(i int) error {
		_, err := s.Append(ctx, "xrequest-1", events.Exact(int64(i)-1),
			events.Event{ID: events.DeterministicID("restart", i), Type: "xrequest.noted", Data: json.RawMessage(`{}`)})
		return err
	}
	for i := range 3 {
		if err := appendOne(i); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := s.SubscribeAll(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var got []events.RecordedEvent
	take := func(n int) {
		for len(got) < n {
			batch, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("next after %d events: %v", len(got), err)
			}
			got = append(got, batch...)
		}
	}
	take(3)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// A retried append (same id, same expected version) is how a caller
	// rides over the restart; idempotency makes the retry safe.
	for i := 3; i < 6; i++ {
		for attempt := 0; ; attempt++ {
			err := appendOne(i)
			if err == nil {
				break
			}
			if events.ErrorCode(err) != events.CodeUnavailable || attempt == 200 {
				t.Fatalf("append %d after the restart: %v", i, err)
			}
			time.Sleep(10 * time.Millisecond) // retrying against a server coming back
		}
	}
	take(6)
	t.Run("the subscription resumes after the restart without a gap or a duplicate", func(t *testing.T) {
		if len(got) != 6 {
			t.Fatalf("%d events, want 6", len(got))
		}
		for i, ev := range got {
			if ev.Version != int64(i) {
				t.Fatalf("event %d has version %d", i, ev.Version)
			}
		}
	})
	t.Run("calls work again", func(t *testing.T) {
		if v, err := s.StreamVersion(ctx, "xrequest-1"); err != nil || v != 5 {
			t.Errorf("stream version %d, %v; want 5", v, err)
		}
	})
}

func TestAClientThatGaveUpIsReplaced(t *testing.T) {
	srv := testServer(t)
	// One discovery attempt: the client closes itself for good at the
	// first failed discovery, as it does after ten by default.
	url := srv.URL() + "&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1"
	var logged syncBuffer
	s := openStore(t, url, kurrentdb.Options{Timeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	ctx := context.Background()
	srv.Down()
	for range 3 {
		if _, err := s.Head(ctx); events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("head with the server down: %v; want unavailable", err)
		}
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	var err error
	for attempt := 0; attempt < 200; attempt++ {
		if _, err = s.Head(ctx); err == nil {
			if !strings.Contains(logged.String(), "closed itself") {
				t.Errorf("the store never replaced its client; log:\n%s", logged.String())
			}
			return
		}
		time.Sleep(10 * time.Millisecond) // retrying against a server coming back
	}
	t.Fatalf("the store never reached the server again: %v", err)
}

func TestTLSAndCredentialsComeFromTheConnectionString(t *testing.T) {
	cfg, caPEM, err := kurrenttest.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := kurrenttest.Start(kurrenttest.Options{MaxAppendBytes: kurrentdb.DefaultMaxAppendBytes, TLS: cfg,
		Users: map[string]string{"pnyx": "Πνύκα-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(strings.TrimSuffix(srv.URL(), "?tls=true"), "kurrentdb://")
	withLogin := func(login string) string {
		return "kurrentdb://" + login + "@" + host + "?tls=true&tlsCAFile=" + ca
	}
	t.Run("the login of the connection string is sent over TLS and accepted", func(t *testing.T) {
		s := openStore(t, withLogin("pnyx:"+url.QueryEscape("Πνύκα-2026")), kurrentdb.Options{})
		if _, err := s.Append(context.Background(), "xbody-1", events.NoStream, events.Event{Type: "xbody.registered", Data: json.RawMessage(`{}`)}); err != nil {
			t.Fatalf("append: %v", err)
		}
	})
	t.Run("a wrong password makes the store unavailable, and the error does not repeat it", func(t *testing.T) {
		_, err := kurrentdb.Open(context.Background(), withLogin("pnyx:wrong-secret"), kurrentdb.Options{})
		if events.ErrorCode(err) != events.CodeUnavailable || strings.Contains(err.Error(), "wrong-secret") {
			t.Fatalf("open: %v; want unavailable without the password", err)
		}
	})
	t.Run("a server certificate the connection string does not trust is refused", func(t *testing.T) {
		_, err := kurrentdb.Open(context.Background(), "kurrentdb://pnyx:x@"+host+"?tls=true&maxDiscoverAttempts=1&gossipTimeout=1", kurrentdb.Options{Timeout: 2 * time.Second})
		if events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("open: %v; want unavailable", err)
		}
	})
}

func TestAnAppendReadsOnlyWhatIsNewInItsStream(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{})
	ctx := context.Background()
	const n = 300
	before := srv.EventsRead()
	for i := range n {
		if _, err := s.Append(ctx, "xconsultation-1", events.Exact(int64(i)-1),
			events.Event{Type: "xconsultation.comment_submitted", Data: json.RawMessage(`{"text":"σχόλιο"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	// Reading the whole stream before each append would read n*(n-1)/2
	// events (44,850); the index reads each event about once.
	if read := srv.EventsRead() - before; read > 2*n {
		t.Errorf("%d appends read %d events: more than each new event once or twice", n, read)
	}
}

func TestRetriesAreFoundAfterTheIndexForgotTheStream(t *testing.T) {
	srv := testServer(t)
	s := openStore(t, srv.URL(), kurrentdb.Options{IndexedIDs: 5})
	ctx := context.Background()
	first := []events.Event{
		{ID: events.NewEventID(), Type: "xrequest.submitted", Data: json.RawMessage(`{}`)},
		{ID: events.NewEventID(), Type: "xrequest.acknowledged", Data: json.RawMessage(`{}`)},
	}
	res, err := s.Append(ctx, "xrequest-1", events.NoStream, first...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // enough other streams to push request-1 out of the index
		if _, err := s.Append(ctx, "xrequest-other-"+itoa(i), events.NoStream, events.Event{Type: "xrequest.submitted", Data: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		batch []events.Event
		want  error
	}{
		{"the same batch is a retry with the first result", first, nil},
		{"the same id with other data is a conflict", []events.Event{{ID: first[0].ID, Type: "xrequest.submitted", Data: json.RawMessage(`{"x":1}`)}}, events.ErrDuplicateEventID},
		{"recorded ids in another order are a conflict", []events.Event{first[1], first[0]}, events.ErrDuplicateEventID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Append(ctx, "xrequest-1", events.Any, tc.batch...)
			if tc.want == nil && (err != nil || got != res) {
				t.Fatalf("retry: %+v, %v; want %+v", got, err, res)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("append: %v; want %v", err, tc.want)
			}
		})
	}
}
