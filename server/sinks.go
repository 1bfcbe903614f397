package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pnyx-civic/pnyx/projections"
)

// Sink is an external projection the server reports on, such as the
// ClickHouse analytics sink: /readyz shows its status under "sinks" and
// /metrics its collectors. A sink never fails readiness: the API serves
// without it (the analytics it feeds answer unavailable meanwhile), and a
// load balancer must not take the server out of service because an
// analytics store is down.
type Sink interface {
	// Status reports the sink's progress and lag; it does no I/O and
	// never fails.
	Status() projections.Status
	// RegisterMetrics registers the sink's collectors on reg, failing
	// when they are registered there already.
	RegisterMetrics(reg prometheus.Registerer) error
}

// sinkStatus is one sink in /readyz's answer.
type sinkStatus struct {
	Name     string            `json:"name"`
	State    projections.State `json:"state"`
	Position uint64            `json:"position"`
	Head     uint64            `json:"head"`
	Lag      uint64            `json:"lag"`
	Error    string            `json:"error,omitempty"`
}

func sinkStatuses(sinks []Sink) []sinkStatus {
	if len(sinks) == 0 {
		return nil
	}
	out := make([]sinkStatus, len(sinks))
	for i, s := range sinks {
		st := s.Status()
		// The error's text is the sink's own (an address refusing
		// connections); it carries no client data, and an operator reading
		// /readyz needs it.
		out[i] = sinkStatus{Name: st.Name, State: st.State, Position: uint64(st.Position), Head: uint64(st.Head), Lag: st.Lag, Error: st.LastError}
	}
	return out
}
