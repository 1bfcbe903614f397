package graphql_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	t.Run("a writer that compresses gets the kept answer compressed", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": query})
		send := func(w http.ResponseWriter) int64 {
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Encoding", "gzip")
			return statements(func() { h.ServeHTTP(w, req) })
		}
		plain := httptest.NewRecorder()
		send(plain)
		for _, accepts := range []bool{true, true, false} {
			w := &compressingRecorder{ResponseRecorder: httptest.NewRecorder(), accepts: accepts}
			if n := send(w); n != 0 {
				t.Fatalf("accepts %v: %d statements", accepts, n)
			}
			got := w.Body.Bytes()
			if enc := w.Header().Get("Content-Encoding"); (enc == "gzip") != accepts {
				t.Fatalf("accepts %v: Content-Encoding %q", accepts, enc)
			}
			if accepts {
				if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
					t.Errorf("Vary %q", w.Header().Get("Vary"))
				}
				zr, err := gzip.NewReader(w.Body)
				if err != nil {
					t.Fatalf("not gzip: %v", err)
				}
				if got, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, plain.Body.Bytes()) {
				t.Fatalf("accepts %v: %q, want %q", accepts, got, plain.Body.Bytes())
			}
		}
		if plain.Header().Get("Content-Encoding") != "" {
			t.Fatal("a writer that does not compress got gzip")
		}
		w := httptest.NewRecorder() // Accept-Encoding alone is the server's to honour
		if send(w); w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), plain.Body.Bytes()) {
			t.Fatalf("a plain writer: %v", w.Header())
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

// compressingRecorder is a response writer that says, as the server's
// does, whether it would compress the answer.
type compressingRecorder struct {
	*httptest.ResponseRecorder
	accepts bool
}

func (c *compressingRecorder) AcceptsGzip() bool { return c.accepts }
