package projections_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pnyx-civic/pnyx/projections"
)

func TestMetrics(t *testing.T) {
	t.Run("metrics report position, lag, skipped events and state per projection", func(t *testing.T) {
		e := newEnv(t)
		e.note(t, "notes-1", "a", "b")
		last := e.appendRaw(t, "future-1", "future.thing", map[string]any{})
		r := newRunner(t, e, e.db, &tally{version: 1})
		reg := prometheus.NewRegistry()
		if err := r.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		start(t, r)
		waitFor(t, r, last)
		got := gather(t, reg)
		for name, want := range map[string]float64{
			"pnyx_projection_position/":        3,
			"pnyx_projection_lag_events/":      0,
			"pnyx_projection_skipped_unknown/": 1,
			"pnyx_projection_passed_over/":     0,
			"pnyx_projection_events_total/":    3,
			"pnyx_projection_version/":         1,
			"pnyx_projection_state/caught_up":  1,
			"pnyx_projection_state/failed":     0,
			"pnyx_projection_apply_rate/":      -1, // present
			"pnyx_projection_head/":            3,
		} {
			v, ok := got[name]
			switch {
			case !ok:
				t.Errorf("metric %s missing", name)
			case want >= 0 && v != want:
				t.Errorf("metric %s = %v, want %v", name, v, want)
			}
		}
	})

	t.Run("registering twice on one registry is refused", func(t *testing.T) {
		e := newEnv(t)
		r := newRunner(t, e, e.db, &tally{version: 1})
		reg := prometheus.NewRegistry()
		if err := r.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		var already prometheus.AlreadyRegisteredError
		if err := r.RegisterMetrics(reg); !errors.As(err, &already) {
			t.Errorf("second registration = %v, want AlreadyRegisteredError", err)
		}
	})
}

// gather returns the tally projection's metrics keyed "name/state".
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var state string
			tally := false
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "projection":
					tally = l.GetValue() == "tally"
				case "state":
					state = l.GetValue()
				}
			}
			if tally {
				out[f.GetName()+"/"+state] = value(m)
			}
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	if g := m.GetGauge(); g != nil {
		return g.GetValue()
	}
	return m.GetCounter().GetValue()
}

func TestRateIsMeasuredOnTheInjectedClock(t *testing.T) {
	e := newEnv(t)
	clock := &fakeClock{}
	r, err := projections.NewRunner(e.db, e.store, []projections.Projection{&tally{version: 1}}, projections.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start(t, r)
	waitFor(t, r, e.note(t, "m-1", "a")) // at 0 s
	clock.Advance(2 * time.Second)
	waitFor(t, r, e.note(t, "m-1", "b", "c", "d", "e")) // at 2 s
	if s := statusOf(t, r, "tally"); s.Rate != 2.5 {
		t.Errorf("rate = %v events/s, want 5 events in 2 s", s.Rate)
	}
	clock.Advance(20 * time.Second)
	if s := statusOf(t, r, "tally"); s.Rate >= 1 {
		t.Errorf("rate after 20 idle seconds = %v, want it decayed below 1", s.Rate)
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC).Add(c.t.Sub(time.Time{}))
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
