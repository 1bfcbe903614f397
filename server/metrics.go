package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pnyx-civic/pnyx/events"
)

// Metrics is what /metrics exposes, on a registry of its own (never the
// global one): HTTP requests by route and status with their latency, the
// store's head position and appends by result, and the projection runner's
// metrics. It is made before the server so the store can be metered
// (MeterStore) before the command service and the runner are built over
// it. It is safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	appends  *prometheus.CounterVec
	appended prometheus.Counter
}

// NewMetrics returns the metrics of one server, with the Go runtime's and
// the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pnyx_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pnyx_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9), // 0.5 ms to 33 s
		}, []string{"route"}),
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pnyx_store_appends_total",
			Help: "Appends to the event store, by result: ok or the error code.",
		}, []string{"result"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pnyx_store_appended_events_total",
			Help: "Events in successful appends (an idempotent retry counts again).",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.appends, m.appended,
	)
	return m
}

// register adds the head of the log and the runner's metrics.
func (m *Metrics) register(head func(context.Context) (events.Position, error), p Projections) error {
	if err := m.reg.Register(&headCollector{head: head}); err != nil {
		return err
	}
	return p.RegisterMetrics(m.reg)
}

// handler serves the registry in the Prometheus text format. A failing
// collector (the store is down) is reported and the rest still served.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// observe counts and times one request by its route pattern, never by raw
// path, so labels stay few.
func (m *Metrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// headCollector reads the store's head position at each scrape.
type headCollector struct {
	head func(context.Context) (events.Position, error)
}

var headDesc = prometheus.NewDesc("pnyx_store_head_position", "Position of the last event in the log.", nil, nil)

func (c *headCollector) Describe(ch chan<- *prometheus.Desc) { ch <- headDesc }

func (c *headCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pos, err := c.head(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(headDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(headDesc, prometheus.GaugeValue, float64(pos))
}

// MeterStore returns store with its appends counted on m. pnyx serve hands
// the metered store, not the bare one, to every part that writes.
func (m *Metrics) MeterStore(store events.Store) events.Store {
	return meteredStore{Store: store, m: m}
}

// meteredStore counts the appends made through it.
type meteredStore struct {
	events.Store
	m *Metrics
}

var _ events.Store = meteredStore{}

func (s meteredStore) Append(ctx context.Context, stream string, expected events.Expected, evs ...events.Event) (events.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, evs...)
	if err != nil {
		s.m.appends.WithLabelValues(string(events.ErrorCode(err))).Inc()
		return res, err
	}
	s.m.appends.WithLabelValues("ok").Inc()
	s.m.appended.Add(float64(len(evs)))
	return res, nil
}

func (s meteredStore) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	res, err := s.Store.AppendStreams(ctx, parts...)
	if err != nil {
		s.m.appends.WithLabelValues(string(events.ErrorCode(err))).Inc()
		return res, err
	}
	s.m.appends.WithLabelValues("ok").Inc()
	n := 0
	for _, p := range parts {
		n += len(p.Events)
	}
	s.m.appended.Add(float64(n))
	return res, nil
}
