package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/internal/tokentest"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// writeEnv is a municipality being recorded through the API: a real
// command service over a SQLite log with a vault, the read model's
// runner following the log, and a handler over both.
type writeEnv struct {
	dir    string
	store  *sqlite.Store
	vault  *vault.Vault
	svc    *events.Service
	runner *projections.Runner
	rm     *readmodel.ReadModel
	h      *graphql.Handler
	clock  *testClock
	logs   *syncBuffer
	tokens *tokentest.Tokens
	// secrets are the bearer secrets of the scenario's tokens, by name:
	// admin, secretariat (every body), procurement, requests, moderator;
	// clerk-b1, the body's secretariat, once the body exists.
	secrets map[string]string
}

// writeT0 is "now" of the recorded municipality: a citizen's submission
// is stamped with it.
var writeT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects the log lines of the handler and the runner.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newWriteEnv builds an empty municipality; tune adjusts the handler's
// options before it is made.
func newWriteEnv(t testing.TB, tune func(*graphql.Options)) *writeEnv {
	t.Helper()
	ctx := context.Background()
	e := &writeEnv{dir: t.TempDir(), clock: &testClock{now: writeT0}, logs: &syncBuffer{}}
	var err error
	if e.store, err = sqlite.Open(ctx, filepath.Join(e.dir, "events.db"), sqlite.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	if e.vault, err = vault.Open(ctx, filepath.Join(e.dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(e.dir, "vault-keys.db"), Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.vault.Close() })
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.svc = events.NewService(e.store, events.ServiceOptions{Sealer: e.vault,
		Now: func() time.Time { return writeT0.Add(90 * 24 * time.Hour) }})
	path := filepath.Join(e.dir, "readmodel.db")
	db, err := projections.OpenReadModel(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if e.runner, err = projections.NewRunner(db, e.store, []projections.Projection{readmodel.NewReadModelProjection(e.vault)},
		projections.Options{Logger: logger}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = e.runner.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; e.runner.Close() })
	if e.rm, err = readmodel.OpenReadModelQueries(ctx, path, e.store); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.rm.Close() })
	e.rm.UseVault(e.vault)
	e.tokens = tokentest.New(ctx, t, e.svc, writeT0.Add(-40*24*time.Hour))
	e.secrets = map[string]string{"admin": e.tokens.AdminSecret}
	for name, role := range map[string]events.AccessRole{"secretariat": events.AccessSecretariat, "procurement": events.AccessProcurementOfficer,
		"requests": events.AccessRequestOfficer, "moderator": events.AccessModerator} {
		_, e.secrets[name] = e.tokens.Grant(ctx, t, "tok-"+name, role, events.ScopeAll)
	}
	// The read model serves once its first build has applied the grants.
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := e.runner.WaitFor(wctx, e.head(t)); err != nil {
		t.Fatalf("read model: %v", err)
	}
	opts := graphql.Options{Now: e.clock.Now, Logger: logger, Writes: graphql.Writes{
		Commands: e.svc, Tokens: e.svc, People: e.vault, Progress: e.runner}}
	if tune != nil {
		tune(&opts)
	}
	e.h = graphql.New(e.rm, e.store, opts)
	return e
}

// call is one GraphQL request as a client sends it.
type call struct {
	query  string
	vars   map[string]any
	token  string // the bearer secret; "" for none
	remote string // the client's address; 192.0.2.1 when empty
	header http.Header
	method string // POST unless set
}

// do sends c and decodes the answer; raw is its body as sent.
func (e *writeEnv) do(t testing.TB, c call) (r response, raw string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
	if err != nil {
		t.Fatal(err)
	}
	var req *http.Request
	if c.method == http.MethodGet {
		req = httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{"query": {c.query}}.Encode(), nil)
	} else {
		req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.RemoteAddr = c.remote
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:40000"
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %.300s", w.Code, err, b)
	}
	return r, string(b)
}

// head is the log's last position.
func (e *writeEnv) head(t testing.TB) events.Position {
	t.Helper()
	p, err := e.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tokenOf is the token a step's mutation is sent with: the body's own
// clerk (its secretariat, scoped to b1) for the body's record once the
// body exists, else the role that records it.
func (e *writeEnv) tokenOf(t testing.TB, mutation string) string {
	t.Helper()
	switch mutation {
	case "grantAccess", "revokeAccess", "skipEvent", "recordForgetting":
		return e.secrets["admin"]
	case "registerBody":
		return e.secrets["secretariat"]
	case "moderateComment":
		return e.secrets["moderator"]
	case "registerProtocolEntry":
		return e.secrets["secretariat"] // the municipality's protocol: a token of every body
	}
	switch {
	case strings.Contains(mutation, "Procurement"), strings.Contains(mutation, "Tender"), strings.Contains(mutation, "Bid"),
		strings.Contains(mutation, "Contract"), strings.Contains(mutation, "Supplier"), mutation == "recordPayment",
		mutation == "recordCommitment", mutation == "recordEvaluation", strings.Contains(mutation, "Appeal"):
		return e.secrets["procurement"]
	case strings.Contains(mutation, "Request"):
		return e.secrets["requests"]
	}
	if _, ok := e.secrets["clerk-b1"]; !ok {
		_, e.secrets["clerk-b1"] = e.tokens.Grant(context.Background(), t, "tok-clerk-b1", events.AccessSecretariat, "b1")
	}
	return e.secrets["clerk-b1"]
}
