package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// newExportCommand is pnyx export --all: a release of every dataset.
func newExportCommand(c *cli) *cobra.Command {
	var all bool
	var out string
	var since uint64
	cmd := &cobra.Command{
		Use:   "export --all --out DIR [--since POSITION]",
		Short: "Write a release of every public dataset in every format into a new folder",
		Long: "Bring the read model up to the log's head, then write every dataset of the\n" +
			"catalog, read in one snapshot (one log position), as CSV, CSV for spreadsheets\n" +
			"(excel dialect: BOM and CRLF), JSON, NDJSON and Parquet, with datapackage.json\n" +
			"(Frictionless v2), catalog.jsonld (DCAT-AP 3), manifest.json (position, time,\n" +
			"sizes, row counts) and SHA256SUMS. With --since, only what changed after that\n" +
			"position. The release is written beside DIR and renamed into place when whole:\n" +
			"an interrupted export leaves nothing behind. DIR must not exist or be empty.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !all {
				return events.Invalidf("give --all: a release holds every dataset")
			}
			if strings.TrimSpace(out) == "" {
				return events.Invalidf("give --out DIR, the folder of the release")
			}
			m, err := c.export(cmd.Context(), out, events.Position(since))
			if err != nil {
				return err
			}
			var files, bytes int64
			for _, d := range m.Datasets {
				for _, f := range d.Files {
					files++
					bytes += f.Bytes
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "export: %d datasets, %d files, %d bytes at position %d into %s\n", len(m.Datasets), files, bytes, m.Position, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "every dataset in every format")
	f.StringVar(&out, "out", "", "folder of the release (new or empty)")
	f.Uint64Var(&since, "since", 0, "an incremental release: what changed after this log position")
	return cmd
}

// export catches the read model up with the log and writes a release
// from one snapshot of it.
func (c *cli) export(ctx context.Context, out string, since events.Position) (exports.Manifest, error) {
	store, err := c.openStore(ctx)
	if err != nil {
		return exports.Manifest{}, err
	}
	defer store.Close()
	head, err := store.Head(ctx)
	if err != nil {
		return exports.Manifest{}, err
	}
	if since > head {
		return exports.Manifest{}, events.Invalidf("--since %d is past the log's head %d", since, head)
	}
	if err := c.catchUp(ctx, store, head); err != nil {
		return exports.Manifest{}, err
	}
	rm, err := readmodel.OpenReadModelQueries(ctx, readModelPath(c.cfg), store)
	if err != nil {
		return exports.Manifest{}, err
	}
	defer rm.Close()
	snap, err := rm.DatasetSnapshot(ctx)
	if err != nil {
		return exports.Manifest{}, err
	}
	defer snap.Close()
	// The ledger follows the log here too (beside pnyx serve's, if one
	// runs: leaves are deterministic, and each reloads what the other
	// wrote), so the release gets the events and a checkpoint of exactly
	// its position.
	ldg, err := c.openLedger(ctx, store)
	if err != nil {
		return exports.Manifest{}, err
	}
	defer closeLogged(c, "ledger", ldg.Close)
	lctx, stopLedger := context.WithCancel(ctx)
	ledgerDone := make(chan struct{})
	go func() { defer close(ledgerDone); ldg.Run(lctx, c.log) }()
	defer func() { stopLedger(); <-ledgerDone }()
	progress, done := c.exportProgress()
	defer done()
	return exports.WriteRelease(ctx, snap, store, out, exports.ReleaseOptions{
		Catalog: c.cfg.Catalog, Since: since, Now: c.now, Progress: progress,
		Ledger: func(ctx context.Context, dir string, upTo events.Position) error {
			_, err := ldg.WriteRelease(ctx, dir, upTo)
			return err
		},
	})
}

// catchUp runs the projections until they reach head.
func (c *cli) catchUp(ctx context.Context, store projections.Log, head events.Position) error {
	// Catching up applies citizens' words, which open through the vault.
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
	runCtx, cancel := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()
	err = r.WaitFor(ctx, head)
	cancel()
	if rerr := <-ran; rerr != nil && !errors.Is(rerr, context.Canceled) && err == nil {
		err = rerr
	}
	return err
}

// exportProgress is a bar of datasets on a terminal, a log line per
// dataset otherwise.
func (c *cli) exportProgress() (func(done, total int), func()) {
	if isTerminal(c.stderr) {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(c.stderr),
			progressbar.OptionSetDescription("export datasets"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		return func(done, total int) {
				bar.ChangeMax(total)
				_ = bar.Set(done)
			}, func() {
				_ = bar.Finish()
			}
	}
	return func(done, total int) {
		c.log.Info("export progress", "datasets", done, "of", total)
	}, func() {}
}

// catalogConfig is the catalog of the configuration's open-data keys.
func catalogConfig(baseURL, publisher, licence, ocidPrefix string) (opendata.Config, error) {
	cfg := opendata.DefaultConfig()
	cfg.BaseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return cfg, events.Invalidf("opendata.base_url %q: want an http:// or https:// address", baseURL)
	}
	cfg.Publisher.URL = cfg.BaseURL + "/"
	if p := strings.TrimSpace(publisher); p != "" {
		cfg.Publisher.Name = opendata.Text{EL: p, EN: p}
	}
	l, ok := opendata.LicenceByID(licence)
	if !ok {
		return cfg, events.Invalidf("opendata.licence %q: want one of %s", licence, strings.Join(opendata.LicenceIDs(), ", "))
	}
	cfg.Licence = l
	if p := strings.TrimSpace(ocidPrefix); p != "" {
		if err := opendata.ValidateOCIDPrefix(p); err != nil {
			return cfg, events.Invalidf("opendata.ocid_prefix: %s", events.ErrorMessage(err))
		}
		cfg.OCIDPrefix = p
	}
	return cfg, nil
}
