package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestGraphQLIsMounted checks the server answers /graphql by POST and GET,
// with the serving position in extensions, and refuses a mutation by GET.
func TestGraphQLIsMounted(t *testing.T) {
	w := newWorld(t, nil, Options{})
	w.run(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.runner.WaitFor(ctx, 0); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Data       map[string]any `json:"data"`
		Errors     []any          `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}
	decode := func(rec *httptest.ResponseRecorder) answer {
		t.Helper()
		var a answer
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("%d %s: %v", rec.Code, rec.Body.String(), err)
		}
		return a
	}
	t.Run("POST answers a query with its position", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ bodies(first: 1) { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := w.do(req)
		a := decode(rec)
		if rec.Code != http.StatusOK || a.Errors != nil || a.Data["bodies"] == nil {
			t.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
		if _, ok := a.Extensions["position"]; !ok {
			t.Errorf("no extensions.position: %s", rec.Body.String())
		}
		if rec.Header().Get(HeaderRequestID) == "" {
			t.Error("no request id")
		}
	})
	t.Run("GET answers a query", func(t *testing.T) {
		rec := w.get("/graphql?query=" + url.QueryEscape("{ bodies { totalCount } }"))
		if a := decode(rec); rec.Code != http.StatusOK || a.Data["bodies"] == nil {
			t.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("a browser gets the explorer, its assets from the binary", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.Header.Set("Accept", "text/html")
		rec := w.do(req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "graphiql.min.js") ||
			!strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("%d %s", rec.Code, rec.Header())
		}
		if rec := w.get("/graphql/explorer/graphiql.min.js"); rec.Code != http.StatusOK || rec.Body.Len() < 1<<20 {
			t.Fatalf("graphiql.min.js: %d, %d bytes", rec.Code, rec.Body.Len())
		}
	})
	t.Run("GET refuses a mutation", func(t *testing.T) {
		rec := w.get("/graphql?query=" + url.QueryEscape("mutation { x }"))
		if rec.Code == http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	})
}
