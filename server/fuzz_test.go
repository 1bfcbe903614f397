package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzRequest sends arbitrary paths, queries and header values to the
// whole server over a real store: every answer carries a request id and no
// input makes it fail (a 5xx) or panic.
func FuzzRequest(f *testing.F) {
	w := newWorld(f, nil, Options{CORSOrigins: []string{"https://data.example.org"}, MaxBodyBytes: 64})
	for _, seed := range [][4]string{
		{"GET", "/v1/events", "after=1&limit=2", "gzip"},
		{"GET", "/v1/events", "after=%zz", "gzip;q=x"},
		{"HEAD", "/v1/events", "limit=0", "*;q=0, gzip"},
		{"OPTIONS", "/v1/events", "", ",,;;q="},
		{"POST", "/readyz", "", "br"},
		{"GET", "/v1/Μαρία", "q=Παπαδοπούλου", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, method, path, query, acceptEncoding string) {
		switch method {
		case "GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE":
		default:
			method = "GET"
		}
		req := httptest.NewRequest(method, "/", nil)
		req.URL = &url.URL{Path: "/" + path, RawQuery: query}
		req.Header.Set("Accept-Encoding", acceptEncoding)
		req.Header.Set("Origin", "https://data.example.org")
		req.Header.Set("Access-Control-Request-Method", "GET")
		if path == "metrics" {
			return // takes no input, and gathering the runtime's metrics is slow
		}
		rec := w.do(req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %q ? %q: status %d: %s", method, path, query, rec.Code, rec.Body)
		}
		if rec.Header().Get(HeaderRequestID) == "" {
			t.Fatalf("%s %q: no request id", method, path)
		}
	})
}

// FuzzAcceptsGzip reads arbitrary Accept-Encoding values without panicking.
func FuzzAcceptsGzip(f *testing.F) {
	for _, seed := range []string{"gzip", "gzip;q=0", "*;q=0.5", "br, gzip;q=0.1", ";;,,=", "gzip;q=NaN"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		_ = acceptsGzip([]string{v})
	})
}
