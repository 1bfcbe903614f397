package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
)

func TestServe(t *testing.T) {
	t.Run("answers on the listener until the context ends, then shuts down cleanly", func(t *testing.T) {
		w := newWorld(t, nil, Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.srv.Serve(ctx, ln) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get(HeaderRequestID) == "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Serve returned %v after the context ended, want nil", err)
		}
		if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
			t.Fatal("the server still answers after shutdown")
		}
	})
	t.Run("a listener that fails is Serve's error", func(t *testing.T) {
		w := newWorld(t, nil, Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		if err := w.srv.Serve(context.Background(), ln); err == nil || errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("Serve returned %v, want the listener's error", err)
		}
	})
}
