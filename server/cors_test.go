package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestCORS(t *testing.T) {
	get := func(w *world, origin string) http.Header {
		req := httptest.NewRequest(http.MethodGet, "/v1/events", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return w.do(req).Header()
	}
	preflight := func(w *world, origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/v1/events", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		return w.do(req)
	}

	t.Run("without configured origins no CORS header is sent and a preflight is not answered", func(t *testing.T) {
		w := newWorld(t, nil, Options{})
		if h := get(w, "https://data.example.org"); h.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("headers %v", h)
		}
		if rec := preflight(w, "https://data.example.org"); rec.Code == http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Methods") != "" {
			t.Fatalf("preflight answered %d %v", rec.Code, rec.Header())
		}
	})
	t.Run("a configured origin may read the answers and Pnyx's headers", func(t *testing.T) {
		w := newWorld(t, nil, Options{CORSOrigins: []string{"https://data.example.org", "http://localhost:3000"}})
		h := get(w, "https://data.example.org")
		if h.Get("Access-Control-Allow-Origin") != "https://data.example.org" || h.Get("Vary") == "" ||
			h.Get("Access-Control-Expose-Headers") != "Pnyx-Request-Id, Pnyx-Next-After, Pnyx-Head, ETag" {
			t.Fatalf("headers %v", h)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatal("credentials allowed")
		}
		rec := preflight(w, "http://localhost:3000")
		if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
			rec.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD, POST" || rec.Header().Get("Access-Control-Max-Age") == "" {
			t.Fatalf("preflight %d %v", rec.Code, rec.Header())
		}
	})
	t.Run("another origin gets no CORS header, so the browser keeps the answer from it", func(t *testing.T) {
		w := newWorld(t, nil, Options{CORSOrigins: []string{"https://data.example.org"}})
		if h := get(w, "https://evil.example"); h.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("headers %v", h)
		}
		if rec := preflight(w, "https://evil.example"); rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Header().Get("Access-Control-Allow-Methods") != "" {
			t.Fatalf("preflight %d %v", rec.Code, rec.Header())
		}
	})
	t.Run("* lets every origin read", func(t *testing.T) {
		w := newWorld(t, nil, Options{CORSOrigins: []string{"*"}})
		if h := get(w, "https://anyone.example"); h.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("headers %v", h)
		}
	})
}

func TestCheckCORSOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"*", true},
		{"https://data.example.org", true},
		{"http://localhost:3000", true},
		{"https://data.example.org/", true},
		{"data.example.org", false},
		{"https://data.example.org/api", false},
		{"ftp://data.example.org", false},
		{"https://user@data.example.org", false},
		{"https://data.example.org?x=1", false},
		{"https://", false},
		{"", false},
		{"**", false},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			err := CheckCORSOrigin(tc.origin)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, events.ErrInvalid)) {
				t.Fatalf("CheckCORSOrigin(%q) = %v, want ok %v", tc.origin, err, tc.ok)
			}
		})
	}
}
