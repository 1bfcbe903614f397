package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/graphql/bench"
	"github.com/pnyx-civic/pnyx/projections"
)

// TestHeavyBaselineIsTheSameAnswer requires the hand-written join the
// heavy query is measured against to read exactly the rows GraphQL
// answers, so the ratio compares the same work.
func TestHeavyBaselineIsTheSameAnswer(t *testing.T) {
	e := demoEnv(t)
	db, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base, err := bench.HeavyBySQL(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	r := post(t, e.h, bench.HeavyQuery, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var want, got any
	if err := json.Unmarshal(r.Data, &want); err != nil {
		t.Fatal(err)
	}
	var b struct{ Data any }
	if err := json.Unmarshal(base, &b); err != nil {
		t.Fatal(err)
	}
	got = b.Data
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the join's answer differs from GraphQL's:\n%.600s\n%.600s", base, r.Data)
	}
	if !bytes.Contains(base, []byte(`"ballots":[{`)) {
		t.Fatal("no ballots in the heavy answer: it proves nothing")
	}
}

// TestNoCacheRequestsAreAnsweredAfresh: a request saying Cache-Control:
// no-cache is neither answered from the response cache nor kept in it.
func TestNoCacheRequestsAreAnsweredAfresh(t *testing.T) {
	e := demoEnv(t)
	h := graphql.New(e.rm, e.store, graphql.Options{Now: func() time.Time { return demoNow }})
	const q = `{ bodies(first: 1) { edges { node { id } } } }`
	send := func(noCache bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(q), nil)
		if noCache {
			req.Header.Set("Cache-Control", "no-cache")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := send(true); w.Header().Get("ETag") != "" {
		t.Fatalf("a no-cache answer carries an ETag %q", w.Header().Get("ETag"))
	}
	if w := send(false); w.Header().Get("ETag") == "" {
		t.Fatal("a cacheable GET answer carries no ETag")
	}
}

// TestBenchRuns runs pnyx bench graphql's measurements briefly against a
// server over the fixture: every pair measures both sides.
func TestBenchRuns(t *testing.T) {
	e := demoEnv(t)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	db, err := projections.OpenReadOnly(context.Background(), filepath.Join(e.dir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := bench.Run(context.Background(), bench.Options{URL: srv.URL, ReadModel: db, Duration: 40 * time.Millisecond, Rounds: 2, Clients: 2})
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]time.Duration{"heavy graphql": r.HeavyGraphQL, "heavy SQL": r.HeavySQL, "p50": r.TypicalP50,
		"p99": r.TypicalP99, "cached": r.Cached, "fixed bytes": r.FixedBytes} {
		if d <= 0 {
			t.Errorf("%s not measured: %+v", name, r)
		}
	}
	if r.TypicalPerSecond <= 0 || r.TypicalP99 < r.TypicalP50 {
		t.Errorf("typical page %+v", r)
	}
	none := httptest.NewServer(http.NotFoundHandler())
	defer none.Close()
	if _, err := bench.Run(context.Background(), bench.Options{URL: none.URL, ReadModel: db, Duration: time.Millisecond}); err == nil {
		t.Error("a URL that answers no GraphQL measured without an error")
	}
}
