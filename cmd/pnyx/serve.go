package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
	"github.com/pnyx-civic/pnyx/server"
)

func newServeCommand(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the portal, GraphQL, downloads, the change feed, the ledger, health and metrics over HTTP",
		Long: "Open the event store, the command service and the read model (building it in\n" +
			"the background, from an empty data directory too), and serve:\n" +
			"  GET /v1/events?after=POS&limit=N  the public change feed (NDJSON)\n" +
			"  POST, GET /graphql                 the GraphQL API (pnyx graphql schema)\n" +
			"  GET /healthz                       the process is up\n" +
			"  GET /readyz                        every readiness check passes; the read\n" +
			"                                     model's serving position\n" +
			"  GET /metrics                       Prometheus metrics\n" +
			"  GET /ledger/key, /ledger/checkpoint, /ledger/proof/inclusion?position=P,\n" +
			"      /ledger/proof/consistency?from=A&to=B, /ledger/tile/...\n" +
			"                                     the ledger: verifier key, signed\n" +
			"                                     checkpoints, proofs and tiles\n" +
			"Every answer carries a Pnyx-Request-Id header; an error's JSON body carries the\n" +
			"same id, under which the log holds the error's cause. With --demo, an empty\n" +
			"event store first gets one year of the demo municipality. Serve until SIGINT\n" +
			"or SIGTERM, then finish requests in flight and stop.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.serve(cmd.Context())
		},
	}
}

// serve is the whole wiring of pnyx serve, in the order each part needs
// the one before: the log; the write side and the read side over it; the
// HTTP server that mounts the products over both. Then the server and the
// projection runner run side by side until ctx ends or one of them fails,
// which stops the other.
func (c *cli) serve(ctx context.Context) error {
	// The log, metered, with the demo in it when asked for and empty.
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeLogged(c, "event store", store.Close)
	c.log.Info("data directory", "data_dir", c.cfg.DataDir, "store", c.cfg.Store.String())
	// The personal-data vault: it seals citizens' words on the write side
	// and opens them for the read side.
	people, err := c.openVault(ctx, true)
	if err != nil {
		return err
	}
	defer closeLogged(c, "vault", people.Close)
	if c.cfg.Demo {
		if err := c.demoIfEmpty(ctx, store, people); err != nil {
			return err
		}
	}
	metrics := server.NewMetrics()
	log := metrics.MeterStore(store)

	// The write side: commands decided on their streams, appended to log.
	// Not the sole writer: pnyx events append may write beside it.
	commands := events.NewService(log, events.ServiceOptions{Sealer: people})

	// The read side: the runner opens readmodel.db read-write (creating
	// it on a fresh data directory) and keeps it current; the queries
	// open it read-only, so only after the runner.
	runner, db, err := openRunner(ctx, c.cfg, log, people, projections.Options{Now: c.now, Logger: c.log})
	if err != nil {
		return err
	}
	defer closeLogged(c, "read model", db.Close)
	defer closeLogged(c, "projection runner", runner.Close)
	queries, err := readmodel.OpenReadModelQueries(ctx, readModelPath(c.cfg), log)
	if err != nil {
		return err
	}
	defer closeLogged(c, "read model queries", queries.Close)
	queries.UseVault(people)
	// The runner announces each commit: the serving position the cache
	// keys and ETags name is read once per commit, not per request.
	queries.FollowChanges(runner)

	// The auditors' ledger follows the log beside the runner, in its own
	// file, signing checkpoints with the key it creates on first start.
	ldg, err := c.openLedger(ctx, log)
	if err != nil {
		return err
	}
	defer closeLogged(c, "ledger", ldg.Close)
	c.log.Info("ledger", "origin", c.cfg.Ledger.Origin, "verifier_key", ldg.Key())

	// Analytics: the sink copies the log into ClickHouse when it has an
	// address, beside the rest and never in its way; the questions are
	// answered by the read model or by ClickHouse (analytics.engine).
	var sinks []server.Sink
	var sink *clickhouse.Sink
	if c.cfg.Analytics.Sink {
		if sink, err = clickhouse.NewSink(log, withLogger(c.cfg.Analytics.ClickHouse, c)); err != nil {
			return err
		}
		defer closeLogged(c, "analytics sink", sink.Close)
		sinks = append(sinks, sink)
	}
	var engine analytics.Engine = embedded.New(queries)
	if c.cfg.Analytics.Engine == analyticsClickHouse {
		ch, err := clickhouse.NewEngine(c.cfg.Analytics.ClickHouse)
		if err != nil {
			return err
		}
		defer closeLogged(c, "analytics engine", ch.Close)
		engine = ch
	}
	c.log.Info("analytics", "engine", c.cfg.Analytics.Engine, "sink", c.cfg.Analytics.Sink)

	// The HTTP server, mounting the products over both sides.
	srv, err := server.New(server.Sources{Log: log, Commands: commands, ReadModel: queries, Projections: runner,
		Ledger: ldg, Sinks: sinks, Analytics: engine}, server.Options{
		Now: c.now, Logger: c.log, Metrics: metrics,
		MaxBodyBytes: c.cfg.MaxBodyBytes, CORSOrigins: c.cfg.CORSOrigins, FeedMaxLimit: c.cfg.FeedMaxLimit,
		ShutdownTimeout: c.cfg.ShutdownTimeout,
		GraphQL: graphql.Options{Now: c.now, Logger: c.log, Writes: graphql.Writes{
			Commands: commands, Tokens: commands, People: people, Progress: runner, ClientIPHeader: c.cfg.ClientIPHeader,
		}},
		ReleaseDir: filepath.Join(c.cfg.DataDir, "releases"), Catalog: c.cfg.Catalog,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.cfg.Listen)
	if err != nil {
		return &events.Error{Code: events.CodeUnavailable, Message: "listen on " + c.cfg.Listen, Err: err}
	}
	if c.onListen != nil {
		c.onListen(ln.Addr())
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, ln) })
	g.Go(func() error {
		if err := runner.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("projections: %w", err)
		}
		return nil
	})
	g.Go(func() error { return ldg.Run(gctx, c.log) })
	if sink != nil {
		g.Go(func() error { return sink.Run(gctx) }) // retries while ClickHouse is down; nil when gctx ends
	}
	return g.Wait()
}

// demoIfEmpty generates one year of the demo municipality into file when
// it holds no events yet.
func (c *cli) demoIfEmpty(ctx context.Context, file events.Store, people *vault.Vault) error {
	head, err := file.Head(ctx)
	if err != nil || head > 0 {
		return err
	}
	c.log.Info("empty event store: generating one year of the demo municipality")
	stats, err := c.generateDemoInto(ctx, file, people, demo.Options{Seed: 1, Years: 1, OCIDPrefix: c.cfg.Catalog.OCIDPrefix})
	if err != nil {
		return err
	}
	c.log.Info("demo generated", "events", stats.Events, "until", stats.Until.Format(time.DateOnly))
	return nil
}

// withLogger gives the sink the command's logger and clock.
func withLogger(o clickhouse.Options, c *cli) clickhouse.Options {
	o.Logger, o.Now = c.log, c.now
	return o
}

// closeLogged runs a deferred close, logging its error: by then the
// command's own result is decided.
func closeLogged(c *cli, what string, close func() error) {
	if err := close(); err != nil {
		c.log.Error("close "+what, "err", err)
	}
}
