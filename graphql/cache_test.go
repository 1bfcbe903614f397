package graphql_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// movingReadModel reports a serving position shift ahead of the real one,
// as if the runner had applied more events.
type movingReadModel struct {
	*readmodel.ReadModel
	shift atomic.Uint64
}

func (m *movingReadModel) ServingPosition(ctx context.Context) (events.Position, error) {
	p, err := m.ReadModel.ServingPosition(ctx)
	return p + events.Position(m.shift.Load()), err
}

func TestResponseCache(t *testing.T) {
	e := demoEnv(t)
	rm := &movingReadModel{ReadModel: e.rm}
	h := graphql.New(rm, e.store, graphql.Options{})
	const query = `{ decisions(first: 3) { totalCount edges { node { number } } } }`
	statements := func(run func()) int64 {
		e.statements.Store(0)
		e.counting.Store(true)
		run()
		e.counting.Store(false)
		return e.statements.Load()
	}
	var first response
	if n := statements(func() { first = post(t, h, query, nil) }); n == 0 || len(first.Errors) > 0 {
		t.Fatalf("the first answer ran %d statements: %+v", n, first.Errors)
	}
	t.Run("the same anonymous query at the same position is answered from the cache", func(t *testing.T) {
		var again response
		if n := statements(func() { again = post(t, h, query, nil) }); n != 0 {
			t.Fatalf("%d statements ran", n)
		}
		if string(again.Data) != string(first.Data) || again.Extensions["position"] != first.Extensions["position"] {
			t.Fatalf("a different answer: %s", again.Data)
		}
	})
	t.Run("other variables are another answer", func(t *testing.T) {
		if n := statements(func() { post(t, h, `query($n: Int) { decisions(first: $n) { totalCount } }`, map[string]any{"n": 2}) }); n == 0 {
			t.Fatal("answered from the cache")
		}
		if n := statements(func() { post(t, h, `query($n: Int) { decisions(first: $n) { totalCount } }`, map[string]any{"n": 1}) }); n == 0 {
			t.Fatal("variables 1 answered from the cache of variables 2")
		}
	})
	t.Run("a request with a token is not cached", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
		req.Header.Set("Authorization", "Bearer x")
		if n := statements(func() { h.ServeHTTP(httptest.NewRecorder(), req) }); n == 0 {
			t.Fatal("answered from the cache")
		}
	})
	t.Run("GET answers carry an ETag and revalidate with 304", func(t *testing.T) {
		target := "/graphql?query=" + url.QueryEscape(query)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		etag := w.Header().Get("ETag")
		if w.Code != http.StatusOK || etag == "" || w.Header().Get("Cache-Control") == "" {
			t.Fatalf("%d ETag %q Cache-Control %q", w.Code, etag, w.Header().Get("Cache-Control"))
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", etag)
		w = httptest.NewRecorder()
		if n := statements(func() { h.ServeHTTP(w, req) }); n != 0 || w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Fatalf("revalidation: %d, %d statements, %d bytes", w.Code, n, w.Body.Len())
		}
		rm.shift.Store(1)
		defer rm.shift.Store(0)
		req = httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", etag)
		w = httptest.NewRecorder()
		if n := statements(func() { h.ServeHTTP(w, req) }); n == 0 || w.Code != http.StatusOK {
			t.Fatalf("after the position moved: %d with %d statements", w.Code, n)
		}
	})
	t.Run("a moved position is a miss", func(t *testing.T) {
		rm.shift.Store(5)
		defer rm.shift.Store(0)
		if n := statements(func() { post(t, h, query, nil) }); n == 0 {
			t.Fatal("answered from the cache of another position")
		}
	})
	t.Run("an answer with errors is not kept", func(t *testing.T) {
		bad := `{ decisions(first: 1, after: "bm9wZQ") { totalCount } }`
		post(t, h, bad, nil)
		if n := statements(func() { post(t, h, bad, nil) }); n == 0 {
			t.Fatal("an error answered from the cache")
		}
	})
}
