package projections

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics registers the runner's Prometheus metrics on reg, one
// series per projection, read from Status at each scrape:
//
//	pnyx_projection_position            last position applied (build being applied)
//	pnyx_projection_head                head of the log as last seen
//	pnyx_projection_lag_events          head - position
//	pnyx_projection_apply_rate          events per second over the rate window
//	pnyx_projection_events_total        events handled by this process
//	pnyx_projection_skipped_unknown     events of unknown types skipped by this build
//	pnyx_projection_passed_over         failing events passed over by a skip in this build
//	pnyx_projection_version             version of the build being applied
//	pnyx_projection_state{state}        1 for the projection's current state
func (r *Runner) RegisterMetrics(reg prometheus.Registerer) error {
	return reg.Register(&runnerCollector{r: r})
}

var (
	labels          = []string{"projection"}
	descPosition    = prometheus.NewDesc("pnyx_projection_position", "Last log position applied by the projection's current build.", labels, nil)
	descHead        = prometheus.NewDesc("pnyx_projection_head", "Head of the event log as last seen by the projection.", labels, nil)
	descLag         = prometheus.NewDesc("pnyx_projection_lag_events", "Events in the log not yet applied by the projection.", labels, nil)
	descRate        = prometheus.NewDesc("pnyx_projection_apply_rate", "Events per second applied by the projection, over the rate window.", labels, nil)
	descApplied     = prometheus.NewDesc("pnyx_projection_events_total", "Events applied or skipped by the projection in this process.", labels, nil)
	descSkipped     = prometheus.NewDesc("pnyx_projection_skipped_unknown", "Events of unknown types skipped by the projection's current build.", labels, nil)
	descPassedOver  = prometheus.NewDesc("pnyx_projection_passed_over", "Failing events the projection's current build passed over, as skips record.", labels, nil)
	descVersion     = prometheus.NewDesc("pnyx_projection_version", "Version of the projection's current build.", labels, nil)
	descState       = prometheus.NewDesc("pnyx_projection_state", "1 for the projection's current state.", []string{"projection", "state"}, nil)
	allStates       = []State{StateStarting, StateRunning, StateCaughtUp, StateRebuilding, StateFailed}
	runnerDescsList = []*prometheus.Desc{descPosition, descHead, descLag, descRate, descApplied, descSkipped, descPassedOver, descVersion, descState}
)

// runnerCollector turns Status into metrics at scrape time, so the runner
// keeps no metric state of its own and nothing is global.
type runnerCollector struct{ r *Runner }

func (c *runnerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range runnerDescsList {
		ch <- d
	}
}

func (c *runnerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.r.Status() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, s.Name)
		}
		gauge(descPosition, float64(s.Position))
		gauge(descHead, float64(s.Head))
		gauge(descLag, float64(s.Lag))
		gauge(descRate, s.Rate)
		gauge(descSkipped, float64(s.SkippedUnknown))
		gauge(descPassedOver, float64(len(s.PassedOver)))
		gauge(descVersion, float64(s.Version))
		ch <- prometheus.MustNewConstMetric(descApplied, prometheus.CounterValue, float64(s.Applied), s.Name)
		for _, st := range allStates {
			v := 0.0
			if st == s.State {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(descState, prometheus.GaugeValue, v, s.Name, string(st))
		}
	}
}
