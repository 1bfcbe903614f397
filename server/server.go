// Package server owns the HTTP side of pnyx serve: the routes, what every
// route shares (a request id, request metrics, the access log, gzip, a
// body-size limit, security headers and CORS), /healthz, /readyz, /metrics,
// and the one table that turns the code of a domain error into an HTTP
// status and the JSON error body.
//
// Products own their handlers (the change feed is exports'; GraphQL, the
// downloads and the catalog will be graphql's, exports' and opendata's) and
// the server mounts them, so the server imports the products and never the
// other way round. A product's handler has the form
//
//	func(w http.ResponseWriter, r *http.Request) error
//
// It writes its answer, or returns an error having written nothing; the
// server then writes that error through its table, with the request's id in
// the body and in the Pnyx-Request-Id header, and logs the error's cause
// with the same id. A client sees the domain message and the id, never the
// cause; an operator finds the cause by the id. One table means a conflict
// is a 409 on every route alike.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/ledger"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// HeaderRequestID names the header that carries every answer's request id.
const HeaderRequestID = "Pnyx-Request-Id"

// Defaults of Options left zero.
const (
	DefaultMaxBodyBytes     = 2 << 20
	DefaultShutdownTimeout  = 10 * time.Second
	DefaultReadinessTimeout = 2 * time.Second
)

// Log is the event log as the server reads it and hands it on: the change
// feed pages through it (see exports.Log), and /readyz and /metrics ask its
// head. Head returns the last position, 0 for an empty log; errors carry
// domain codes (unavailable when the store is closed).
type Log interface {
	exports.Log
}

// Commands is the write side: the command service (events.Service). The
// server holds it for the products that record (GraphQL mutations,
// importers); none of the products mounted today writes.
type Commands interface {
	// Handle runs cmd. It returns a domain error and writes nothing when
	// the command is malformed (invalid), refused by the rules of the
	// current state (conflict), refers to an aggregate that does not exist
	// (not_found) or is not allowed (forbidden); unavailable or internal
	// when the store fails.
	Handle(ctx context.Context, cmd events.Command, opts ...events.HandleOption) (events.Handled, error)
}

// Projections is what the server reads of the projection runner that keeps
// the read model current.
type Projections interface {
	// Ready returns nil when every projection serves (a build swapped in,
	// none failed), an unavailable error saying which is not otherwise. It
	// returns promptly once ctx ends.
	Ready(ctx context.Context) error
	// Status returns each projection's progress as the runner last saw
	// it, sorted by name; it does no I/O and never fails.
	Status() []projections.Status
	// RegisterMetrics registers the runner's collectors on reg, failing
	// when they are registered there already.
	RegisterMetrics(reg prometheus.Registerer) error
}

// Sources are what pnyx serve opens once and the server hands to the
// products it mounts: the log, the write side, and the read side with the
// runner that keeps it current. Every field is required.
type Sources struct {
	Log      Log
	Commands Commands
	// ReadModel is the read model's queries, opened read-only. The
	// products that answer from it (GraphQL, the downloads) will each
	// declare the methods they call; none of the products mounted today
	// reads it, so the server holds it as it is.
	ReadModel   *readmodel.ReadModel
	Projections Projections
	// Ledger is the auditors' ledger; nil mounts no /ledger routes.
	Ledger Ledger
	// Sinks are the external projections to report on (optional).
	Sinks []Sink
	// Analytics answers the aggregate questions with the configured
	// engine, for the products that expose them (GraphQL's analytics
	// field); optional.
	Analytics analytics.Engine
}

// Ledger is the Merkle tree over the log (projections/ledger), as the
// server mounts it: the endpoints it serves under /ledger, and the
// checkpoints and proofs GraphQL's ledger field reads.
type Ledger interface {
	Routes() []ledger.Route
	graphql.Ledger
}

// Options tune a Server. The zero value is ready to use.
type Options struct {
	// Now is the clock of request durations; time.Now when nil.
	Now func() time.Time
	// Logger receives the access log and every error's cause; nil
	// discards them.
	Logger *slog.Logger
	// NewRequestID returns the id of a new request; 128 random bits as
	// base32 text (crypto/rand.Text) when nil. An id never comes from the
	// client, so one client cannot make its requests look like another's
	// in the log.
	NewRequestID func() string
	// Metrics is the registry /metrics serves; New makes one when nil.
	// Give one to meter the store before the server exists (MeterStore).
	Metrics *Metrics
	// MaxBodyBytes caps a request's body; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// CORSOrigins are the origins whose pages may read answers from a
	// browser ("https://example.org"); "*" allows every origin; none
	// allows none.
	CORSOrigins []string
	// FeedMaxLimit caps a page of the change feed; see
	// exports.ChangeFeedOptions.
	FeedMaxLimit int
	// ShutdownTimeout is how long requests in flight may finish once
	// Serve's context ends; DefaultShutdownTimeout when zero.
	ShutdownTimeout time.Duration
	// GraphQL tunes the API at /graphql (limits, timeout, clock).
	GraphQL graphql.Options
	// ReadinessTimeout bounds each readiness check;
	// DefaultReadinessTimeout when zero.
	ReadinessTimeout time.Duration
	// ReleaseDir holds the open-data releases the downloads serve (see
	// exports.Downloads); without it /datasets/ is not mounted.
	ReleaseDir string
	// Catalog describes the open data (publisher, licence, public URL).
	Catalog opendata.Config
}

// Server is the HTTP server of pnyx serve. Its handler is safe for
// concurrent use.
type Server struct {
	src             Sources
	now             func() time.Time
	log             *slog.Logger
	newID           func() string
	metrics         *Metrics
	maxBody         int64
	cors            cors
	shutdownTimeout time.Duration
	ready           *readiness
	mux             *http.ServeMux
}

// New returns a Server over src with every route mounted. It returns an
// invalid error, doing nothing, when a source is missing or an option is
// out of range (a CORS origin that is not one), and the runner's error when
// its metrics cannot be registered.
func New(src Sources, opts Options) (*Server, error) {
	switch {
	case src.Log == nil:
		return nil, events.Invalidf("server: no event log")
	case src.Commands == nil:
		return nil, events.Invalidf("server: no command service")
	case src.ReadModel == nil:
		return nil, events.Invalidf("server: no read model")
	case src.Projections == nil:
		return nil, events.Invalidf("server: no projection runner")
	case opts.MaxBodyBytes < 0:
		return nil, events.Invalidf("server: body limit %d: want a positive size", opts.MaxBodyBytes)
	}
	c, err := newCORS(opts.CORSOrigins)
	if err != nil {
		return nil, err
	}
	s := &Server{
		src: src, now: opts.Now, log: opts.Logger, newID: opts.NewRequestID, metrics: opts.Metrics,
		maxBody: opts.MaxBodyBytes, cors: c, shutdownTimeout: opts.ShutdownTimeout, mux: http.NewServeMux(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.newID == nil {
		s.newID = rand.Text
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.maxBody == 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.shutdownTimeout <= 0 {
		s.shutdownTimeout = DefaultShutdownTimeout
	}
	timeout := opts.ReadinessTimeout
	if timeout <= 0 {
		timeout = DefaultReadinessTimeout
	}
	if err := s.metrics.register(src.Log.Head, src.Projections); err != nil {
		return nil, err
	}
	for _, sk := range src.Sinks {
		if err := sk.RegisterMetrics(s.metrics.reg); err != nil {
			return nil, err
		}
	}
	s.ready = newReadiness(timeout, s.log, src.Projections)
	s.ready.sinks = src.Sinks
	s.ready.add("store", func(ctx context.Context) error {
		_, err := src.Log.Head(ctx)
		return err
	})
	s.ready.add("projections", src.Projections.Ready)
	s.routes(opts)
	return s, nil
}

// routes mounts every route: the server's own, then each product's.
func (s *Server) routes(opts Options) {
	s.mux.HandleFunc("GET /healthz", serveHealth)
	s.mux.Handle("GET /readyz", s.ready)
	s.mux.Handle("GET /metrics", s.metrics.handler())

	feed := exports.NewChangeFeed(s.src.Log, exports.ChangeFeedOptions{MaxLimit: opts.FeedMaxLimit})
	s.handle("GET /v1/events", feed.Serve)

	gopts := opts.GraphQL
	if gopts.Analytics == nil {
		gopts.Analytics = s.src.Analytics
	}
	if gopts.Ledger == nil && s.src.Ledger != nil {
		gopts.Ledger = s.src.Ledger
	}
	api := graphql.New(s.src.ReadModel, s.src.Log, gopts)
	s.handle("POST /graphql", api.Serve)
	s.handle("GET /graphql", api.Serve)
	s.handle("GET /graphql/explorer/{file}", api.ServeExplorerFile)
	if s.src.Ledger != nil {
		for _, rt := range s.src.Ledger.Routes() {
			s.handle(rt.Pattern, rt.Handle)
		}
	}
	if opts.ReleaseDir != "" {
		dl := exports.NewDownloads(s.src.ReadModel, s.src.Log, exports.DownloadsOptions{
			Dir: opts.ReleaseDir, Catalog: opts.Catalog, Now: s.now, Logger: s.log,
		})
		s.handle("GET /datasets/{$}", dl.ServeIndex)
		s.handle("GET /datasets/{file}", dl.ServeFile)
		s.handle("GET /ocds/releases.json", dl.ServeNamed(exports.OCDSReleasesFile))
		s.handle("GET /ocds/records.json", dl.ServeNamed(exports.OCDSRecordsFile))
		s.handle("GET /popolo/popolo.json", dl.ServeNamed(exports.PopoloFile))
		portal := exports.NewPortal(s.src.ReadModel, dl, opts.Catalog)
		s.handle("GET /{$}", portal.ServePage)
		s.handle("GET /portal.css", portal.ServeCSS)
	}
	geo := exports.NewOpen311(s.src.ReadModel, s.now)
	s.handle("GET /open311/v2/services.json", geo.ServeServices)
	s.handle("GET /open311/v2/requests.json", geo.ServeRequests)
	s.handle("GET /open311/v2/requests/{file}", geo.ServeRequest)
}

// handle mounts a product's handler on pattern (a ServeMux pattern such as
// "GET /v1/events"). h writes its answer, or returns an error having
// written nothing, which the server writes through the status table.
func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// Handler returns the server's handler: every route behind what every
// route shares.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// NewHTTPServer is the net/http server Serve runs h on, with its timeouts
// and limits; `pnyx bench graphql` serves its fixed-bytes baseline on one
// too, so both sides of that pair meet the same per-connection work.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve answers HTTP on ln until ctx ends, then stops accepting requests
// and gives those in flight up to the shutdown timeout. It returns nil
// after a clean shutdown, and an error when the listener fails or requests
// outlast the timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := NewHTTPServer(s.Handler(), s.log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("shutdown: %w", err)
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("http server: %w", serr)
	}
	s.log.Info("stopped")
	return err
}
