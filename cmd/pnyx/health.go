package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events/httperror"
)

// readiness is the registry of checks behind /readyz. Each part of the
// server that must work before traffic is sent adds a check: the store
// (it answers), later the projection runner (it has caught up). It is safe
// for concurrent use.
type readiness struct {
	timeout time.Duration
	log     *slog.Logger

	mu     sync.Mutex
	checks []readinessCheck
}

// readinessCheck returns nil when its part can serve. It must return
// promptly once ctx ends.
type readinessCheck struct {
	name  string
	check func(ctx context.Context) error
}

func newReadiness(timeout time.Duration, log *slog.Logger) *readiness {
	return &readiness{timeout: timeout, log: log}
}

// Add registers a check under name, shown in /readyz's answer.
func (r *readiness) Add(name string, check func(ctx context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, readinessCheck{name: name, check: check})
}

// checkStatus is one line of /readyz's answer.
type checkStatus struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// readyAnswer is the body of /readyz.
type readyAnswer struct {
	Ready  bool          `json:"ready"`
	Checks []checkStatus `json:"checks"`
}

// run runs every check at once, each bounded by the timeout.
func (r *readiness) run(ctx context.Context) readyAnswer {
	r.mu.Lock()
	checks := append([]readinessCheck(nil), r.checks...)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ans := readyAnswer{Ready: true, Checks: make([]checkStatus, len(checks))}
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			st := checkStatus{Name: c.name, OK: true}
			if err := c.check(ctx); err != nil {
				st.OK, st.Error = false, httperror.Message(err)
				r.log.WarnContext(ctx, "not ready", "check", c.name, "err", err)
			}
			ans.Checks[i] = st
		})
	}
	wg.Wait()
	for _, st := range ans.Checks {
		ans.Ready = ans.Ready && st.OK
	}
	return ans
}

// ServeHTTP answers 200 when every check passes, 503 otherwise, with each
// check's result as JSON.
func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ans := r.run(req.Context())
	status := http.StatusOK
	if !ans.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSONStatus(w, status, ans)
}

// serveHealth answers /healthz: the process is up and serving HTTP.
func serveHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSONStatus(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
