package server

import (
	"compress/gzip"
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
	t.Run("a cached answer is the same bytes compressed or not", func(t *testing.T) {
		const body = `{"query":"{ bodies(first: 2) { totalCount edges { node { name } } } }"}`
		send := func(accept string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			return w.do(req)
		}
		plain := send("").Body.String() // answered afresh, then kept
		for i := range 2 {              // the first compresses the kept answer, the second reuses it
			rec := send("gzip")
			if rec.Code != http.StatusOK || rec.Header().Values("Content-Encoding")[0] != "gzip" ||
				len(rec.Header().Values("Content-Encoding")) != 1 || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Fatalf("request %d: %d %v", i, rec.Code, rec.Header())
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatalf("request %d: not gzip: %v", i, err)
			}
			if got := readAll(t, zr); got != plain {
				t.Fatalf("request %d: %q, want %q", i, got, plain)
			}
		}
		if rec := send(""); rec.Body.String() != plain || rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("identity after gzip: %v %q", rec.Header(), rec.Body.String())
		}
	})
	t.Run("GET refuses a mutation", func(t *testing.T) {
		rec := w.get("/graphql?query=" + url.QueryEscape("mutation { x }"))
		if rec.Code == http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	})
}
