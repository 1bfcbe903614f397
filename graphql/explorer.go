package graphql

import (
	"bytes"
	"embed"
	"encoding/json"
	"net/http"
	"path"
	"strings"
	"time"
)

// The explorer is GraphiQL, served from files embedded in the binary so it
// works offline: explorer/ holds the pinned npm packages' built files
// (graphiql, react, react-dom at the versions package-lock.json names;
// TestExplorerAssetsMatchTheLock checks they are the installed ones) and
// the few lines that start it with the example queries.
//
// The built files are committed rather than copied at build time, so that
// `go build` and `go install` need no Node: the lock pins their versions
// and CI, which runs npm ci, fails when they drift.

//go:embed explorer
var explorerFiles embed.FS

// explorerPolicy lets the explorer's own scripts and styles run and talk
// to this server only. GraphiQL's bundle compiles a few functions at run
// time and sets inline styles.
const explorerPolicy = "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'"

const explorerPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pnyx GraphQL explorer</title>
<link rel="stylesheet" href="graphql/explorer/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script src="graphql/explorer/react.production.min.js"></script>
<script src="graphql/explorer/react-dom.production.min.js"></script>
<script src="graphql/explorer/graphiql.min.js"></script>
<script src="graphql/explorer/explorer.js"></script>
</body>
</html>
`

// wantsExplorer reports whether r is a browser asking for the page: a GET
// with no query that accepts HTML.
func wantsExplorer(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Get("query") == "" &&
		r.URL.Query().Get("extensions") == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}

func serveExplorerPage(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", explorerPolicy)
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte(explorerPage))
}

// ServeExplorerFile serves a file of the explorer (GET
// /graphql/explorer/{file}), and examples.json from Examples; a name it
// does not hold is a not_found error.
func (h *Handler) ServeExplorerFile(w http.ResponseWriter, r *http.Request) error {
	name := path.Base(r.URL.Path)
	var body []byte
	ctype := ""
	switch {
	case name == "examples.json":
		type example struct {
			Name      string `json:"name"`
			Question  string `json:"question"`
			Query     string `json:"query"`
			Variables string `json:"variables"`
		}
		xs := make([]example, len(Examples))
		for i, x := range Examples {
			xs[i] = example{x.Name, x.Question, x.Query, x.Variables}
		}
		body, _ = json.Marshal(xs)
		ctype = "application/json"
	default:
		b, err := explorerFiles.ReadFile("explorer/" + name)
		if err != nil {
			return errNotFound(name)
		}
		body = b
		switch path.Ext(name) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Security-Policy", explorerPolicy)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return nil
}
