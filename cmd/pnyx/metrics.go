package main

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pnyx-civic/pnyx/events"
)

// metrics is what /metrics exposes, on a registry of its own (never the
// global one): HTTP requests by route and status with their latency, the
// store's head position, and appends by result.
type metrics struct {
	reg      *prometheus.Registry
	now      func() time.Time
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	appends  *prometheus.CounterVec
	appended prometheus.Counter
}

func newMetrics(now func() time.Time, head func(context.Context) (events.Position, error)) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		now: now,
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
		&headCollector{head: head},
	)
	return m
}

// handler serves the registry in the Prometheus text format. A failing
// collector (the store is down) is reported and the rest still served.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// instrument counts and times every request by its ServeMux pattern, never
// by raw path, so labels stay few; unmatched requests share one label. At
// debug level it logs each request's route, status and duration: never its
// query, body or client address.
func (m *metrics) instrument(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := m.now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern // set by ServeMux on this request
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		took := m.now().Sub(start)
		m.latency.WithLabelValues(route).Observe(took.Seconds())
		log.DebugContext(r.Context(), "http request", "route", route, "status", sw.status, "duration", took)
	})
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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

// meteredStore counts the appends made through it. The server hands it,
// not the bare store, to every part that writes.
type meteredStore struct {
	events.Store
	m *metrics
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
