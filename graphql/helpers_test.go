package graphql_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/ledger"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The fixture municipality is one year of the demo (2025, seed 1): every
// kind of entity the schema has, with corrections, amendments, tenders,
// payments and overdue requests. It is generated once per test binary.

// demoNow is "now" for the queries: the last day of the demo's year.
var demoNow = time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)

type env struct {
	dir    string
	store  *sqlite.Store
	rm     *readmodel.ReadModel
	vault  *vault.Vault
	ledger *ledger.Ledger
	h      *graphql.Handler
	// statements counts the SQL statements snapshots run, while counting
	// is on.
	statements atomic.Int64
	counting   atomic.Bool
}

var (
	fixtureOnce sync.Once
	fixture     *env
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture != nil {
		fixture.rm.Close()
		fixture.ledger.Close()
		fixture.store.Close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// demoEnv returns the fixture municipality with a handler over it.
func demoEnv(t testing.TB) *env {
	t.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = buildFixture() })
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return fixture
}

func buildFixture() (*env, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pnyx-graphql-test-")
	if err != nil {
		return nil, err
	}
	fixtureDir = dir
	e := &env{dir: dir}
	if e.store, err = sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{}); err != nil {
		return nil, err
	}
	v, err := vault.Open(ctx, filepath.Join(dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(dir, "vault-keys.db"), Now: func() time.Time { return demoNow }})
	if err != nil {
		return nil, err
	}
	// The vault stays open with the fixture: the read model opens
	// citizens' words through it.
	if _, err := demo.Generate(ctx, e.store, v,
		demo.Options{Seed: 1, Years: 1}); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	path := filepath.Join(dir, "readmodel.db")
	if err := buildReadModel(ctx, e.store, v, path); err != nil {
		return nil, err
	}
	if e.rm, err = readmodel.OpenReadModelQueries(ctx, path, e.store); err != nil {
		return nil, err
	}
	e.rm.UseVault(v)
	e.vault = v
	e.rm.Observe(func(q projections.Queryer) projections.Queryer { return &countingQueryer{q: q, e: e} })
	if e.ledger, err = buildLedger(ctx, e.store, filepath.Join(dir, "ledger.db")); err != nil {
		return nil, err
	}
	e.h = graphql.New(e.rm, e.store, graphql.Options{Now: func() time.Time { return demoNow },
		// A window wide enough that every field of a level joins its
		// batch on a loaded machine: the statement counts are exact.
		BatchWait: 20 * time.Millisecond,
		Analytics: embedded.New(e.rm), Ledger: e.ledger})
	return e, nil
}

// testLedgerOrigin names the fixture's log in its checkpoints.
const testLedgerOrigin = "test.example/pnyx"

// buildLedger builds the ledger of the whole log at path, with a fixed
// key, and signs two checkpoints: of the first half of the log and of all
// of it.
func buildLedger(ctx context.Context, store *sqlite.Store, path string) (*ledger.Ledger, error) {
	skey, _, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte("pnyx"), 64)), testLedgerOrigin)
	if err != nil {
		return nil, err
	}
	key, err := ledger.ParseSignerKey(skey)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(ctx, path, store, ledger.Options{Key: key, Every: 1 << 40, Interval: 1 << 62})
	if err != nil {
		return nil, err
	}
	head, err := store.Head(ctx)
	if err == nil {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- l.Run(runCtx, nil) }()
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
		err = l.WaitFor(wctx, head)
		wcancel()
		cancel()
		if rerr := <-done; err == nil {
			err = rerr
		}
	}
	if err == nil {
		_, err = l.SignAt(ctx, int64(head)/2)
	}
	if err == nil {
		_, err = l.SignAt(ctx, int64(head))
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return l, nil
}

// buildReadModel runs the read model projection over the whole log.
func buildReadModel(ctx context.Context, store *sqlite.Store, v *vault.Vault, path string) error {
	db, err := projections.OpenReadModel(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := projections.NewRunner(db, store, []projections.Projection{readmodel.NewReadModelProjection(v)}, projections.Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	head, err := store.Head(ctx)
	if err == nil {
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
		err = r.WaitFor(wctx, head)
		wcancel()
	}
	cancel()
	<-done
	return err
}

type countingQueryer struct {
	q projections.Queryer
	e *env
}

func (c *countingQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if c.e.counting.Load() {
		c.e.statements.Add(1)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c *countingQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if c.e.counting.Load() {
		c.e.statements.Add(1)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// response is a GraphQL answer as the tests read it.
type response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post runs query with vars through h and decodes the answer.
func post(t testing.TB, h http.Handler, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return postRaw(t, h, body)
}

func postRaw(t testing.TB, h http.Handler, body []byte) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var r response
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %.300s", w.Code, err, w.Body.String())
	}
	return r
}

// mustData runs query and decodes its data into out, failing on any
// error.
func mustData(t testing.TB, h http.Handler, query string, vars map[string]any, out any) response {
	t.Helper()
	r := post(t, h, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("data: %v: %s", err, r.Data)
	}
	return r
}
