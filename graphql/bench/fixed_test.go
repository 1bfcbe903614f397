package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTheBaselineSendsWhatTheServerSent checks the fixed-bytes baseline
// replays the server's answer as it went on the wire: compressed when the
// server compressed it, so the client decodes the same answer from both.
func TestTheBaselineSendsWhatTheServerSent(t *testing.T) {
	const plain = `{"data":{"decisions":{"edges":[]}},"extensions":{"position":7}}`
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(plain))
	_ = zw.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/graphql-response+json")
		w.Header().Set("Vary", "Accept-Encoding")
		if r.Header.Get("Accept-Encoding") == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped.Bytes())
			return
		}
		_, _ = w.Write([]byte(plain))
	}))
	defer api.Close()
	ctx := context.Background()
	a, err := wire(ctx, api.URL, TypicalQuery)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Body, zipped.Bytes()) || a.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("kept %v %q, want the compressed bytes", a.Header, a.Body)
	}
	made := false
	in, feed := io.Pipe()
	urls, out := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- FixedServer(in, out, func(h http.Handler) *http.Server { made = true; return &http.Server{Handler: h} })
	}()
	go func() { _ = json.NewEncoder(feed).Encode(a) }()
	line, err := bufio.NewReader(urls).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(line)
	c := &http.Client{}
	got, err := post(ctx, c, url, TypicalQuery, false)
	if err != nil || string(got) != plain || !made {
		t.Fatalf("the baseline answered %q (%v), server made by the option: %v", got, err, made)
	}
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("the baseline's headers: %v", resp.Header)
	}
	feed.Close()
	if err := <-served; err != nil {
		t.Fatalf("the baseline ended with %v", err)
	}
	if err := FixedServer(strings.NewReader("not an answer"), io.Discard, nil); err == nil {
		t.Error("served an input that is no answer")
	}
}
