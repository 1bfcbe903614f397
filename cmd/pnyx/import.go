package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/decisions"
	"github.com/pnyx-civic/pnyx/importer/ocds"
	"github.com/pnyx-civic/pnyx/importer/popolo"
)

// importFlags are the flags every pnyx import shares.
type importFlags struct {
	dryRun      bool
	report      string
	source      string
	sourceURL   string
	retrievedAt string
	body        string
}

// newImportCommand is pnyx import FORMAT FILE|DIR|-.
func newImportCommand(c *cli) *cobra.Command {
	var fl importFlags
	cmd := &cobra.Command{
		Use:   "import ocds|popolo|decisions FILE|DIR|- [--dry-run] [--report FILE]",
		Short: "Bring a municipality's history in: OCDS procurement, Popolo council votes, a decision register",
		Long: "Read records of another system and record them through the command service,\n" +
			"so the rules run and the actor is checked: each record (a contracting process,\n" +
			"a decision) is written whole or refused whole, with the reason in the report.\n" +
			"Imported records carry the imported exception and their provenance (source,\n" +
			"id there, address, when it was read); docs/IMPORTS.md lists the rules an\n" +
			"import relaxes. Ids derive from the source's ids: running the same import again\n" +
			"writes nothing, so an interrupted import is simply run again.\n\n" +
			"  ocds       OCDS 1.0 or 1.1: release or record packages, releases, JSON Lines\n" +
			"  popolo     Popolo JSON: bodies, members and factions, vote events and votes\n" +
			"  decisions  a decision register as CSV or JSON Lines (see docs/IMPORTS.md)\n\n" +
			"FILE is a file, DIR every .json, .jsonl, .ndjson and .csv file in it (in name\n" +
			"order), - standard input. --dry-run writes nothing and reports what would be\n" +
			"written; --report FILE writes the report as JSON too. The actor is the token of\n" +
			"--token or PNYX_TOKEN.",
		Args: cobraArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runImport(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), args[0], args[1], fl)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fl.dryRun, "dry-run", false, "decide every record, write nothing, report what would be written")
	f.StringVar(&fl.report, "report", "", "also write the report as JSON to this file")
	f.StringVar(&fl.source, "source", "", "the source's name in the provenance (default: the format's, ocds or diavgeia)")
	f.StringVar(&fl.sourceURL, "source-url", "", "the address the file was retrieved from (default: file:NAME)")
	f.StringVar(&fl.retrievedAt, "retrieved-at", "", "when the file was retrieved, RFC 3339 (default: the file's modification time)")
	f.StringVar(&fl.body, "body", "", "the body every record belongs to (default: the buyer or issuing unit of each record)")
	return cmd
}

// importFormats are the formats pnyx import reads, with their default
// source names.
var importFormats = map[string]string{"ocds": "ocds", "decisions": "diavgeia", "popolo": "popolo"}

func (c *cli) runImport(ctx context.Context, stdin io.Reader, out io.Writer, format, path string, fl importFlags) error {
	defName, ok := importFormats[format]
	if !ok {
		return events.Invalidf("import: unknown format %q; want one of %s", format, strings.Join(slices.Sorted(maps.Keys(importFormats)), ", "))
	}
	files, err := importInputs(path)
	if err != nil {
		return err
	}
	src := importer.Source{Name: cmp.Or(fl.source, defName), URL: fl.sourceURL}
	if fl.retrievedAt != "" {
		if src.RetrievedAt, err = time.Parse(time.RFC3339, fl.retrievedAt); err != nil {
			return events.Invalidf("--retrieved-at %q: want an RFC 3339 time", fl.retrievedAt)
		}
	}
	var readers []io.Reader
	for _, name := range files {
		if name == "-" {
			readers = append(readers, stdin)
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return events.Invalidf("import: %v", err)
		}
		defer f.Close()
		readers = append(readers, f)
		if src.RetrievedAt.IsZero() {
			if st, err := f.Stat(); err == nil {
				src.RetrievedAt = st.ModTime().UTC().Truncate(time.Second)
			}
		}
	}
	if src.URL == "" && len(files) == 1 && files[0] != "-" {
		src.URL = "file:" + filepath.Base(files[0])
	} else if src.URL == "" && path != "-" {
		src.URL = "file:" + filepath.Base(filepath.Clean(path))
	}
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	actor, err := c.actor(ctx, events.NewService(store, events.ServiceOptions{Now: c.now}))
	if err != nil {
		return err
	}
	dec, closeDec, err := importDecoder(ctx, format, readers, fl)
	if err != nil {
		return err
	}
	defer closeDec()
	progress, done := c.importProgress()
	rep, err := importer.Import(ctx, store, src, dec, importer.Options{Actor: actor, DryRun: fl.dryRun, Now: c.now, Progress: progress})
	done()
	if rep != nil {
		if fl.report != "" {
			if werr := writeReport(fl.report, rep); werr != nil && err == nil {
				err = werr
			}
		}
		if werr := rep.WriteText(out); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

func importDecoder(ctx context.Context, format string, in []io.Reader, fl importFlags) (importer.Decoder, func(), error) {
	switch format {
	case "ocds":
		d := ocds.NewDecoder(ctx, ocds.Options{Body: fl.body}, in...)
		return d, func() { d.Close() }, nil
	case "popolo":
		var decs []importer.Decoder
		var closers []func() error
		for _, r := range in {
			d := popolo.NewDecoder(ctx, r, popolo.Options{})
			decs, closers = append(decs, d), append(closers, d.Close)
		}
		return &chain{decs: decs}, func() {
			for _, c := range closers {
				c()
			}
		}, nil
	case "decisions":
		var decs []importer.Decoder
		for _, r := range in {
			d, err := decisions.NewDecoder(r, decisions.Options{Body: fl.body})
			if err != nil {
				return nil, nil, err
			}
			decs = append(decs, d)
		}
		return &chain{decs: decs}, func() {}, nil
	}
	return nil, nil, events.Invalidf("import: unknown format %q", format)
}

// chain reads decoders one after the other.
type chain struct{ decs []importer.Decoder }

func (c *chain) Next() (importer.Record, error) {
	for len(c.decs) > 0 {
		rec, err := c.decs[0].Next()
		if errors.Is(err, io.EOF) {
			c.decs = c.decs[1:]
			continue
		}
		return rec, err
	}
	return importer.Record{}, io.EOF
}

// importInputs lists the files of path: itself, a directory's data files
// in name order, or "-" for standard input.
func importInputs(path string) ([]string, error) {
	if path == "-" {
		return []string{"-"}, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, events.Invalidf("import: %v", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, events.Invalidf("import: %v", err)
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".json", ".jsonl", ".ndjson", ".csv":
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, events.Invalidf("import: %s holds no .json, .jsonl, .ndjson or .csv file", path)
	}
	return files, nil
}

func writeReport(path string, rep *importer.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return events.Invalidf("--report: %v", err)
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// importProgress is a count of records on a terminal, a log line every
// five seconds otherwise.
func (c *cli) importProgress() (func(int), func()) {
	if isTerminal(c.stderr) {
		bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(c.stderr), progressbar.OptionSetDescription("import records"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		return func(n int) { _ = bar.Set(n) }, func() { _ = bar.Finish() }
	}
	var last time.Time
	return func(n int) {
		if now := c.now(); now.Sub(last) >= 5*time.Second {
			last = now
			c.log.Info("import progress", "records", n)
		}
	}, func() {}
}
