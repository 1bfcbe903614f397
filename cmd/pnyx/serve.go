package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/changefeed"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

func newServeCommand(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the change feed, health, readiness and metrics over HTTP",
		Long: "Open the event store and serve:\n" +
			"  GET /v1/events?after=POS&limit=N  the public change feed (NDJSON)\n" +
			"  GET /healthz                       the process is up\n" +
			"  GET /readyz                        every readiness check passes\n" +
			"  GET /metrics                       Prometheus metrics\n" +
			"until SIGINT or SIGTERM, then finish requests in flight and stop.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.serve(cmd.Context())
		},
	}
}

// server is the wiring of pnyx serve: the store, the routes, the readiness
// checks, the metrics and the components that run beside the HTTP server.
// Features in other files extend it in a serveHook.
type server struct {
	cfg   config
	log   *slog.Logger
	now   func() time.Time
	file  *sqlite.Store // the store as opened, for Stats and Close
	store events.Store  // the store every part reads and writes through (metered)

	mux        *http.ServeMux
	ready      *readiness
	metrics    *metrics
	components []component
}

// component runs beside the HTTP server until ctx ends (the projection
// runner, for one). Returning ctx.Err() is a clean stop; any other error
// stops the whole server, which then exits with it.
type component struct {
	name string
	run  func(ctx context.Context) error
}

// Handle mounts h on pattern (a ServeMux pattern such as "GET /v1/graphql"),
// counted and timed by the metrics.
func (s *server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Ready adds a readiness check to /readyz.
func (s *server) Ready(name string, check func(ctx context.Context) error) { s.ready.Add(name, check) }

// Run adds a component, started once the server listens.
func (s *server) Run(name string, run func(ctx context.Context) error) {
	s.components = append(s.components, component{name: name, run: run})
}

// serveHooks extend pnyx serve from their own files, in order, after the
// core routes are mounted and before the server listens: a hook mounts
// handlers, adds readiness checks and runs components. A feature adds its
// hook with one append in an init function; its flags are settings with
// Serve set (config.go).
var serveHooks []func(ctx context.Context, s *server) error

// serve runs the server until ctx ends.
func (c *cli) serve(ctx context.Context) error {
	file, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err := file.Close(); err != nil {
			c.log.Error("close event store", "err", err)
		}
	}()
	s := newServer(c.cfg, c.log, c.now, file)

	// Projections: the projection runner starts here, as a component
	// (s.Run) with a readiness check saying it has caught up (s.Ready).
	for _, hook := range serveHooks {
		if err := hook(ctx, s); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", c.cfg.Listen)
	if err != nil {
		return events.Errorf(events.CodeUnavailable, "listen on %s: %v", c.cfg.Listen, err)
	}
	if c.onListen != nil {
		c.onListen(ln.Addr())
	}
	return s.serve(ctx, ln)
}

// newServer mounts the core routes over an open store.
func newServer(cfg config, log *slog.Logger, now func() time.Time, file *sqlite.Store) *server {
	s := &server{cfg: cfg, log: log, now: now, file: file, mux: http.NewServeMux()}
	s.metrics = newMetrics(now, file.Head)
	s.store = meteredStore{Store: file, m: s.metrics}
	s.ready = newReadiness(2*time.Second, log)
	s.Ready("store", func(ctx context.Context) error {
		_, err := file.Head(ctx)
		return err
	})
	s.Handle("GET /healthz", http.HandlerFunc(serveHealth))
	s.Handle("GET /readyz", s.ready)
	s.Handle("GET /metrics", s.metrics.handler())
	s.Handle("GET /v1/events", changefeed.New(s.store, changefeed.Options{MaxLimit: cfg.FeedMaxLimit, Logger: log}))
	return s
}

// serve answers HTTP on ln and runs the components until ctx ends or one of
// them fails, then stops accepting requests and gives those in flight up to
// the shutdown timeout.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.metrics.instrument(s.mux, s.log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		s.log.Info("serving", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	for _, c := range s.components {
		g.Go(func() error {
			if err := c.run(gctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	})
	err := g.Wait()
	s.log.Info("stopped")
	return err
}
