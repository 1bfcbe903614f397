package server

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGzip(t *testing.T) {
	w := newWorld(t, nil, Options{})
	for i := range 5 {
		w.appendMeeting(t, fmt.Sprintf("meeting-%d", i))
	}
	plain := w.get("/v1/events").Body.String()
	if !strings.Contains(plain, "Συνεδρίαση") {
		t.Fatalf("the page without gzip: %q", plain)
	}
	for _, tc := range []struct {
		rule     string
		method   string
		target   string
		accept   string
		gzipped  bool
		contains string
	}{
		{"a page is compressed for a client that accepts gzip", "GET", "/v1/events", "gzip, deflate", true, "Συνεδρίαση"},
		{"a JSON error is compressed too", "GET", "/v1/events?after=x", "gzip", true, `"invalid"`},
		{"a weight names gzip too", "GET", "/v1/events", "br;q=1.0, gzip;q=0.5", true, "Συνεδρίαση"},
		{"* accepts gzip", "GET", "/v1/events", "*", true, "Συνεδρίαση"},
		{"nothing is compressed for a client that does not ask", "GET", "/v1/events", "", false, "Συνεδρίαση"},
		{"gzip;q=0 refuses gzip", "GET", "/v1/events", "gzip;q=0", false, "Συνεδρίαση"},
		{"gzip;q=0 refuses gzip whatever * says", "GET", "/v1/events", "gzip;q=0, *", false, "Συνεδρίαση"},
		{"a HEAD answer has no body to compress", "HEAD", "/v1/events", "gzip", false, ""},
		{"metrics compress themselves, once", "GET", "/metrics", "gzip", true, "pnyx_store_head_position 5"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := w.do(req)
			if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("Content-Encoding %q, want gzip %v", rec.Header().Get("Content-Encoding"), tc.gzipped)
			}
			if n := len(rec.Header().Values("Content-Encoding")); n > 1 {
				t.Fatalf("encoded %d times", n)
			}
			body := rec.Body.String()
			if tc.gzipped {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatalf("not gzip: %v", err)
				}
				body = readAll(t, zr)
				if rec.Header().Get("Content-Length") != "" {
					t.Error("a Content-Length of the uncompressed body")
				}
			}
			if !strings.Contains(body, tc.contains) || (tc.method == "HEAD" && rec.Body.Len() != 0) {
				t.Fatalf("body %q", body)
			}
			if tc.target == "/v1/events" && tc.method == "GET" && body != plain {
				t.Fatal("the decompressed page differs from the plain one")
			}
			if strings.HasPrefix(tc.target, "/v1/") && !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", rec.Header().Get("Vary"))
			}
		})
	}
}

func TestGzipWriter(t *testing.T) {
	t.Run("a body without a type is sniffed before it is compressed", func(t *testing.T) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		gz := newGzipWriter(rec, req)
		_, _ = gz.Write([]byte("plain text answer"))
		gz.close()
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("type %q, encoding %q", ct, rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("binary and empty answers pass through", func(t *testing.T) {
		for _, tc := range []struct {
			ct     string
			status int
		}{{"image/png", 200}, {"application/octet-stream", 200}, {"application/json", 204}, {"application/json", 304}} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			gz := newGzipWriter(rec, req)
			gz.Header().Set("Content-Type", tc.ct)
			gz.WriteHeader(tc.status)
			gz.close()
			if rec.Header().Get("Content-Encoding") != "" || rec.Body.Len() != 0 {
				t.Fatalf("%s %d: encoding %q, body %q", tc.ct, tc.status, rec.Header().Get("Content-Encoding"), rec.Body)
			}
		}
	})
}
