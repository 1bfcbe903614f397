package graphql_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/internal/browsertest"
)

// TestExplorerAssetsMatchTheLock: the committed explorer files are those
// of the npm packages package-lock.json pins, when they are installed.
func TestExplorerAssetsMatchTheLock(t *testing.T) {
	for file, installed := range map[string]string{
		"graphiql.min.js":             "graphiql/graphiql.min.js",
		"graphiql.min.css":            "graphiql/graphiql.min.css",
		"react.production.min.js":     "react/umd/react.production.min.js",
		"react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
	} {
		want, err := os.ReadFile(filepath.Join("..", "node_modules", installed))
		if errors.Is(err, os.ErrNotExist) {
			if os.Getenv("PNYX_REQUIRE_BROWSER") == "1" {
				t.Fatalf("PNYX_REQUIRE_BROWSER=1 but %s is not installed (npm ci)", installed)
			}
			t.Skip("skipped: the Node packages are not installed (run npm ci at the repository's root)")
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("explorer", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("explorer/%s differs from node_modules/%s: copy the installed file", file, installed)
		}
	}
}

func explorerServer(t *testing.T) *httptest.Server {
	e := demoEnv(t)
	mux := http.NewServeMux()
	mux.Handle("/graphql", e.h)
	mux.HandleFunc("GET /graphql/explorer/{file}", func(w http.ResponseWriter, r *http.Request) {
		if err := e.h.ServeExplorerFile(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestExplorerIsServed(t *testing.T) {
	srv := explorerServer(t)
	get := func(path, accept string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if r := get("/graphql", "text/html,*/*"); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("a browser's GET /graphql: %d %s", r.StatusCode, r.Header)
	}
	for _, f := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "explorer.js", "examples.json"} {
		if r := get("/graphql/explorer/"+f, "*/*"); r.StatusCode != 200 {
			t.Errorf("%s: %d", f, r.StatusCode)
		}
	}
	if r := get("/graphql/explorer/nope.js", "*/*"); r.StatusCode != 404 {
		t.Errorf("an unknown file: %d", r.StatusCode)
	}
}

// TestExplorerInABrowser loads the explorer in headless Chromium, runs a
// query and sees data (testdata/browser/explorer.mjs), saving a
// screenshot. It skips, saying why, without Chromium, Node or the Node
// packages, and fails instead when PNYX_REQUIRE_BROWSER=1.
func TestExplorerInABrowser(t *testing.T) {
	b := browsertest.Require(t)
	srv := explorerServer(t)
	b.Run(t, "testdata/browser/explorer.mjs", srv.URL, "graphql-explorer")
}
