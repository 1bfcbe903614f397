package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// projectionList is every projection the runner keeps current, the read
// model opening citizens' words through the vault. A new projection is one
// line here.
func projectionList(v readmodel.Opener) []projections.Projection {
	return []projections.Projection{
		readmodel.NewReadModelProjection(v),
	}
}

// readModelPath is the read model's file in the data directory.
func readModelPath(cfg config) string { return filepath.Join(cfg.DataDir, "readmodel.db") }

// openRunner opens the read model read-write, creating readmodel.db when
// missing, and a runner of every projection over log, opening citizens'
// words through v. The caller closes the runner, then the database.
func openRunner(ctx context.Context, cfg config, log projections.Log, v readmodel.Opener, opts projections.Options) (*projections.Runner, *sql.DB, error) {
	db, err := projections.OpenReadModel(ctx, readModelPath(cfg))
	if err != nil {
		return nil, nil, err
	}
	r, err := projections.NewRunner(db, log, projectionList(v), opts)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return r, db, nil
}

func newProjectionsCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "projections",
		Short: "Inspect and rebuild the projections of the read model",
		Args:  cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Show each projection's version, state, position, lag and last error",
		Long: "Read the checkpoints of the read model (readmodel.db in the data directory) and\n" +
			"the head of the event log, and print one line per projection. States:\n" +
			"caught_up, running (behind the log), rebuilding (a new build is catching up;\n" +
			"readers still see the previous one), failed (an event failed: see LAST ERROR;\n" +
			"pnyx projections skip records a way past it). PASSED OVER lists the positions\n" +
			"of events passed over by a skip; a line per event then gives the skip's reason.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.projectionsStatus(cmd)
		},
	})
	cmd.AddCommand(newProjectionsSkipCommand(c))
	cmd.AddCommand(&cobra.Command{
		Use:   "rebuild [NAME]",
		Short: "Rebuild one projection (or all) from the start of the log",
		Long: "Build the projection again from position 0 into fresh tables and swap them in\n" +
			"once they have caught up with the log; until then readers (and a running\n" +
			"pnyx serve) keep the current tables. Without NAME, every projection is\n" +
			"rebuilt in turn. Progress shows as a bar on a terminal, as log lines\n" +
			"otherwise.",
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.projectionsRebuild(cmd, args)
		},
	})
	return cmd
}

func (c *cli) projectionsStatus(cmd *cobra.Command) error {
	ctx := cmd.Context()
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	// Status applies nothing, so it opens no vault.
	r, db, err := openRunner(ctx, c.cfg, store, nil, projections.Options{Now: c.now, Logger: c.log})
	if err != nil {
		return err
	}
	defer db.Close()
	defer r.Close()
	statuses, err := r.Inspect(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tVERSION\tSTATE\tPOSITION\tHEAD\tLAG\tSKIPPED\tSERVING\tPASSED OVER\tLAST ERROR")
	for _, s := range statuses {
		serving := "-"
		if s.ServingVersion > 0 {
			serving = fmt.Sprintf("v%d at %d", s.ServingVersion, s.ServingPosition)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", s.Name, s.Version, s.State,
			s.Position, s.Head, s.Lag, s.SkippedUnknown, serving, passedPositions(s.PassedOver), s.LastError)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, s := range statuses {
		for _, p := range s.PassedOver {
			fmt.Fprintf(cmd.OutOrStdout(), "%s passed over event %d (%s, %s): skip at %d: %s\n",
				s.Name, p.Position, p.Type, p.EventID, p.SkipPosition, p.Reason)
		}
	}
	return nil
}

// passedPositions lists the positions of the events passed over, "-" for
// none.
func passedPositions(passed []projections.PassedOver) string {
	if len(passed) == 0 {
		return "-"
	}
	out := make([]string, len(passed))
	for i, p := range passed {
		out[i] = strconv.FormatUint(uint64(p.Position), 10)
	}
	return strings.Join(out, ",")
}

func (c *cli) projectionsRebuild(cmd *cobra.Command, args []string) error {
	ctx := cmd.Context()
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := c.openVault(ctx, true)
	if err != nil {
		return err
	}
	defer v.Close()
	r, db, err := openRunner(ctx, c.cfg, store, v, projections.Options{Now: c.now, Logger: c.log})
	if err != nil {
		return err
	}
	defer db.Close()
	defer r.Close()
	names := r.Names()
	if len(args) == 1 {
		names = args
	}
	for _, name := range names {
		began := c.now()
		progress, done := c.rebuildProgress(name)
		err := r.Rebuild(ctx, name, progress)
		done()
		if err != nil {
			return fmt.Errorf("rebuild %s: %w", name, err)
		}
		head, err := store.Head(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: rebuilt %d events in %s\n", name, head, c.now().Sub(began).Round(time.Millisecond))
	}
	return nil
}

// rebuildProgress returns the progress callback of a rebuild: a bar on a
// terminal, otherwise a log line every five seconds and at the end.
func (c *cli) rebuildProgress(name string) (func(done, total events.Position), func()) {
	if isTerminal(c.stderr) {
		bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(c.stderr),
			progressbar.OptionSetDescription("rebuild "+name), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		return func(done, total events.Position) {
				bar.ChangeMax64(int64(total))
				_ = bar.Set64(int64(done))
			}, func() {
				_ = bar.Finish()
			}
	}
	var last time.Time
	var at, of events.Position
	return func(done, total events.Position) {
			at, of = done, total
			if now := c.now(); now.Sub(last) >= 5*time.Second {
				last = now
				c.log.Info("rebuild progress", "projection", name, "position", uint64(done), "head", uint64(total))
			}
		}, func() {
			c.log.Info("rebuild ended", "projection", name, "position", uint64(at), "head", uint64(of))
		}
}
