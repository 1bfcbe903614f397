package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// readiness answers /readyz: the checks each part that must work before
// traffic is sent adds (the store answers, the projections serve), and what
// the read model's queries see. Checks are added before the server serves;
// then it is safe for concurrent use.
type readiness struct {
	timeout     time.Duration
	log         *slog.Logger
	projections Projections
	checks      []readinessCheck
	sinks       []Sink
}

// readinessCheck returns nil when its part can serve. It must return
// promptly once ctx ends.
type readinessCheck struct {
	name  string
	check func(ctx context.Context) error
}

func newReadiness(timeout time.Duration, log *slog.Logger, p Projections) *readiness {
	return &readiness{timeout: timeout, log: log, projections: p}
}

// add registers a check under name, shown in /readyz's answer.
func (r *readiness) add(name string, check func(ctx context.Context) error) {
	r.checks = append(r.checks, readinessCheck{name: name, check: check})
}

// checkStatus is one check in /readyz's answer. Error is the domain
// message only.
type checkStatus struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// readModelStatus says what the read model's queries see: the position of
// the build they read (ServingPosition, when one is swapped in), or
// "not built yet". It informs and never fails readiness by itself: on a
// fresh data directory the first build may not have started, and the
// projections check already says whether the read model serves.
type readModelStatus struct {
	State           projections.State `json:"state"`
	ServingPosition *events.Position  `json:"serving_position,omitempty"`
	Note            string            `json:"note,omitempty"`
}

// readyAnswer is the body of /readyz.
type readyAnswer struct {
	Ready     bool            `json:"ready"`
	Checks    []checkStatus   `json:"checks"`
	ReadModel readModelStatus `json:"read_model"`
	Sinks     []sinkStatus    `json:"sinks,omitempty"`
}

// run runs every check at once, each bounded by the timeout.
func (r *readiness) run(ctx context.Context) readyAnswer {
	checks := r.checks
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ans := readyAnswer{Ready: true, Checks: make([]checkStatus, len(checks)), ReadModel: r.readModel(), Sinks: sinkStatuses(r.sinks)}
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			st := checkStatus{Name: c.name, OK: true}
			if err := c.check(ctx); err != nil {
				st.OK, st.Error = false, detailOf(err).Message
				r.log.WarnContext(ctx, "not ready", "check", c.name, "request_id", requestID(ctx), "err", err)
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

// readModel reports the read model projection's serving build, from the
// runner's status (no I/O, so it cannot fail).
func (r *readiness) readModel() readModelStatus {
	for _, s := range r.projections.Status() {
		if s.Name != readmodel.ReadModelName {
			continue
		}
		st := readModelStatus{State: s.State}
		if s.ServingVersion > 0 {
			pos := s.ServingPosition
			st.ServingPosition = &pos
		} else {
			st.Note = "not built yet"
		}
		return st
	}
	return readModelStatus{State: projections.StateStarting, Note: "not built yet"}
}

// ServeHTTP answers 200 when every check passes, 503 otherwise, with each
// check's result and the read model's serving position as JSON.
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

// requestID is the id of the request whose context is ctx, "" outside one.
func requestID(ctx context.Context) string {
	if ex := exchangeOf(ctx); ex != nil {
		return ex.id
	}
	return ""
}
