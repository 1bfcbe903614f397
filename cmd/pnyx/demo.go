package main

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/vault"
)

// newDemoCommand is pnyx demo: the fictional municipality of events/demo,
// generated through the command service into the data directory. pnyx
// serve --demo generates it the same way (demoIfEmpty).
func newDemoCommand(c *cli) *cobra.Command {
	var opts demo.Options
	var end string
	cmd := &cobra.Command{
		Use:   "demo [--years N | --events N] [--seed S]",
		Short: "Generate the record of a fictional Greek municipality into the data directory",
		Long: "Generate Δήμος Καλλιθέας Αιγαίου, a fictional municipality, through the command\n" +
			"service: bodies, meetings, consultations, votes, decisions, procurement and\n" +
			"requests. Citizens' personal data goes to the vault (vault.db, its keys in\n" +
			"vault-keys.db, under the master key vault.key); their words are sealed. The world ends\n" +
			"on a fixed day (--end), so the same seed gives the same events at the same\n" +
			"positions whenever it runs;\n" +
			"the whole archive is recorded at the moment the command starts, after all of it\n" +
			"happened.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if end != "" {
				t, err := time.Parse(time.DateOnly, end)
				if err != nil {
					return events.Invalidf("--end %q: want a date like 2026-01-01", end)
				}
				opts.End = t
			}
			return c.runDemo(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Years, "years", 0, "years of the world to generate (default 1 when --events is not given)")
	f.Int64Var(&opts.Events, "events", 0, fmt.Sprintf("generate about this many events: whole years of about %d each", demo.EventsPerYear))
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the world; the same seed gives the same events")
	f.StringVar(&end, "end", "", "the day after the world's last, not after today (default "+demo.DefaultEnd.Format(time.DateOnly)+")")
	return cmd
}

// runDemo generates into the configured data directory, which must hold
// no events yet.
func (c *cli) runDemo(ctx context.Context, opts demo.Options) error {
	importedAt := c.now().UTC().Truncate(time.Second)
	if err := demoInThePast(opts, importedAt); err != nil {
		return err
	}
	st, err := c.openStoreAt(ctx, c.cfg.Store, func() time.Time { return importedAt })
	if err != nil {
		return err
	}
	defer st.Close()
	if head, err := st.Head(ctx); err != nil {
		return err
	} else if head > 0 {
		return events.Errorf(events.CodeConflict, "the event store %s already holds %d events; the demo needs an empty data directory", c.cfg.Store, head)
	}
	began := c.now()
	stats, err := c.generateDemo(ctx, st, opts)
	if err != nil {
		return err
	}
	took := c.now().Sub(began)
	fmt.Fprintf(c.stderr, "demo: %d events (%d commands) from %s until %s in %s: %.0f events/s\n",
		stats.Events, stats.Commands, stats.From.Format(time.DateOnly), stats.Until.Format(time.DateOnly), took.Round(time.Millisecond), float64(stats.Events)/took.Seconds())
	return nil
}

// generateDemo runs the generator on an open store, with the vault of the
// data directory (created on first use) and progress on the terminal.
func (c *cli) generateDemo(ctx context.Context, st events.Store, opts demo.Options) (demo.Stats, error) {
	if err := demoInThePast(opts, c.now()); err != nil {
		return demo.Stats{}, err
	}
	v, err := c.openVault(ctx, true)
	if err != nil {
		return demo.Stats{}, err
	}
	defer v.Close()
	opts.OCIDPrefix = c.cfg.Catalog.OCIDPrefix
	return c.generateDemoInto(ctx, st, v, opts)
}

// generateDemoInto runs the generator with the vault v: its references,
// keys and nonces come from crypto/rand, so the same seed gives the same
// world but not the same keys.
func (c *cli) generateDemoInto(ctx context.Context, st events.Store, v *vault.Vault, opts demo.Options) (demo.Stats, error) {
	if err := demoInThePast(opts, c.now()); err != nil {
		return demo.Stats{}, err
	}
	opts.Logger = c.log
	if isTerminal(c.stderr) {
		total := opts.Events
		if total == 0 {
			total = -1 // a count without a bar: the events of N years are not known ahead
		}
		bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(c.stderr), progressbar.OptionSetDescription("demo events"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		opts.Progress = func(n int64) { _ = bar.Set64(n) }
		defer bar.Finish()
	} else {
		var last time.Time
		opts.Progress = func(n int64) {
			if now := c.now(); now.Sub(last) >= 5*time.Second {
				last = now
				c.log.Info("demo progress", "events", n)
			}
		}
	}
	return demo.Generate(ctx, st, v, opts)
}

// demoInThePast refuses options the generator cannot follow and a world
// that would end after it is recorded.
func demoInThePast(opts demo.Options, recorded time.Time) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	if end := cmp.Or(opts.End, demo.DefaultEnd); end.After(recorded) {
		return events.Invalidf("the demo world would end on %s, after now (%s): what is recorded must have happened",
			end.Format(time.DateOnly), recorded.UTC().Format(time.RFC3339))
	}
	return nil
}
