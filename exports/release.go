package exports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// A release is every dataset of the catalog in every format, read in one
// snapshot of the read model and so at one log position, with what
// describes it: manifest.json (position, time, sizes, row counts),
// datapackage.json, catalog.jsonld and SHA256SUMS. It is written into a
// temporary folder beside its destination and renamed into place once
// complete, so an interrupted export leaves no partial release behind.

// Release files beside the datasets.
const (
	ManifestName    = "manifest.json"
	DataPackageFile = "datapackage.json"
	CatalogFile     = "catalog.jsonld"
	SumsFile        = "SHA256SUMS"
)

// Rows is the snapshot a release reads its datasets from:
// *readmodel.Snapshot. ScanDataset calls columns once, then row with each
// row's values (nil, int64, float64 or string) in key order, reusing the
// slice; ScanDatasetRows does the same with each row read in place (what
// the dataset files are written from). Both return a not-found error for
// an unknown dataset.
type Rows interface {
	Position() events.Position
	ScanDataset(ctx context.Context, name string, columns func([]string) error, row func([]any) error) error
	ScanDatasetRows(ctx context.Context, name string, columns func([]string) error, row func(*readmodel.DatasetRow) error) error
}

// ReleaseOptions say what a release holds and how it reports progress.
type ReleaseOptions struct {
	Catalog opendata.Config
	// Since, when not zero, makes an incremental release: the events after
	// Since, and the rows of the entities whose streams changed after it.
	Since events.Position
	Now   func() time.Time
	// Progress, when set, is called after each dataset with the number
	// written and the total.
	Progress func(done, total int)
	// Ledger, when set, writes the ledger's part of the release (the log
	// up to position upTo and a checkpoint signed for exactly it, see
	// projections/ledger) into the release's folder dir, before
	// SHA256SUMS is written, so the sums cover it too.
	Ledger func(ctx context.Context, dir string, upTo events.Position) error
}

// Manifest describes a release.
type Manifest struct {
	Position uint64    `json:"position"`
	Since    uint64    `json:"since,omitempty"`
	Created  time.Time `json:"created"`
	Licence  string    `json:"licence"`
	// OCIDPrefix is the publisher's registered OCDS prefix: the ocids of
	// its own processes begin with it.
	OCIDPrefix string            `json:"ocid_prefix,omitempty"`
	Datasets   []ManifestDataset `json:"datasets"`
	// Files are the publications in the open standards (OCDS, Popolo).
	Files []ManifestFile `json:"files"`
}

// ManifestDataset is one dataset of a release, with its files by format.
type ManifestDataset struct {
	Name  string         `json:"name"`
	Rows  int64          `json:"rows"`
	Files []ManifestFile `json:"files"`
}

// ManifestFile is one file of a release.
type ManifestFile struct {
	Path      string `json:"path"`
	Format    string `json:"format"`
	MediaType string `json:"media_type"`
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"`
}

// WriteRelease writes a release of rows (and of log's events up to rows'
// position) into the folder out, which must not exist or be empty. It
// returns its manifest. Any error leaves out as it was: the release is
// written into a temporary folder beside out and renamed to out at the
// end. An out that holds files is a conflict error.
func WriteRelease(ctx context.Context, rows Rows, log Log, out string, opts ReleaseOptions) (Manifest, error) {
	if err := emptyOrAbsent(out); err != nil {
		return Manifest{}, err
	}
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("exports: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".pnyx-release-*")
	if err != nil {
		return Manifest{}, fmt.Errorf("exports: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return Manifest{}, fmt.Errorf("exports: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	m := Manifest{Position: uint64(rows.Position()), Since: uint64(opts.Since), Created: now().UTC().Truncate(time.Second), Licence: opts.Catalog.Licence.ID,
		OCIDPrefix: opts.Catalog.OCIDPrefix}
	changed, err := changedStreams(ctx, log, opts.Since, rows.Position())
	if err != nil {
		return Manifest{}, err
	}
	ds := opendata.Datasets()
	for i, d := range ds {
		md, err := writeDataset(ctx, tmp, d, rows, log, opts.Since, changed)
		if err != nil {
			return Manifest{}, fmt.Errorf("exports: %s: %w", d.Name, err)
		}
		m.Datasets = append(m.Datasets, md)
		if opts.Progress != nil {
			opts.Progress(i+1, len(ds))
		}
	}
	if m.Files, err = writeOCDS(ctx, tmp, log, opts.Since, rows.Position(), opts.Catalog, m.Created); err != nil {
		return Manifest{}, fmt.Errorf("exports: ocds: %w", err)
	}
	if opts.Since == 0 {
		pf, err := writePopolo(ctx, tmp, rows)
		if err != nil {
			return Manifest{}, fmt.Errorf("exports: popolo: %w", err)
		}
		m.Files = append(m.Files, pf)
	}
	rel := opendata.Release{Position: m.Position, Created: m.Created, Files: map[string]opendata.File{}}
	for _, d := range m.Datasets {
		for _, f := range d.Files {
			rel.Files[f.Path] = opendata.File{Bytes: f.Bytes, SHA256: f.SHA256, Rows: d.Rows}
		}
	}
	dp, err := opendata.DataPackage(opts.Catalog, rel)
	if err != nil {
		return Manifest{}, err
	}
	cat, err := opendata.DCAT(opts.Catalog, rel)
	if err != nil {
		return Manifest{}, err
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	for name, b := range map[string][]byte{DataPackageFile: dp, CatalogFile: cat, ManifestName: mj} {
		if err := os.WriteFile(filepath.Join(tmp, name), append(b, '\n'), 0o644); err != nil {
			return Manifest{}, fmt.Errorf("exports: %w", err)
		}
	}
	if opts.Ledger != nil {
		if err := opts.Ledger(ctx, tmp, rows.Position()); err != nil {
			return Manifest{}, fmt.Errorf("exports: the ledger's part: %w", err)
		}
	}
	if err := writeSums(tmp); err != nil {
		return Manifest{}, err
	}
	if err := syncDir(tmp); err != nil {
		return Manifest{}, err
	}
	if err := ctx.Err(); err != nil {
		return Manifest{}, err
	}
	os.Remove(out) // an empty folder gives way; emptyOrAbsent checked it
	if err := os.Rename(tmp, out); err != nil {
		return Manifest{}, fmt.Errorf("exports: %w", err)
	}
	done = true
	return m, syncDir(parent)
}

func emptyOrAbsent(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return events.Invalidf("--out %s: %v", dir, err)
	}
	if len(entries) > 0 {
		return events.Errorf(events.CodeConflict, "%s already holds files; a release goes into a new or empty folder", dir)
	}
	return nil
}

// changedStreams returns the streams written after since, up to pos; nil
// for a whole release (since 0).
func changedStreams(ctx context.Context, log Log, since, pos events.Position) (map[string]bool, error) {
	if since == 0 {
		return nil, nil
	}
	changed := map[string]bool{}
	err := scanLog(ctx, log, since, pos, func(ev *events.RecordedEvent) error {
		changed[ev.Stream] = true
		return nil
	})
	return changed, err
}

// logPage is how many events scanLog reads at once: its memory, whatever
// the length of the log (a page of events.MaxReadLimit held about 100 MB
// of the 1M-event demo's log).
const logPage = 1000

// scanLog calls fn with every event after after, up to and including to.
func scanLog(ctx context.Context, log Log, after, to events.Position, fn func(*events.RecordedEvent) error) error {
	for after < to {
		page, err := log.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: logPage})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for i := range page {
			if page[i].Position > to {
				return nil
			}
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		after = page[len(page)-1].Position
	}
	return nil
}

// countingHash counts and hashes what is written to a file.
type countingHash struct {
	w io.Writer
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// writeDataset writes d in every format in one pass over its rows.
func writeDataset(ctx context.Context, dir string, d opendata.Dataset, rows Rows, log Log, since events.Position, changed map[string]bool) (ManifestDataset, error) {
	md := ManifestDataset{Name: d.Name}
	type out struct {
		f  *os.File
		ch *countingHash
		tw TableWriter
		fm opendata.Format
	}
	var outs []*out
	defer func() {
		for _, o := range outs {
			o.f.Close()
		}
	}()
	for _, fm := range opendata.Formats {
		f, err := os.Create(filepath.Join(dir, opendata.FileName(d.Name, fm)))
		if err != nil {
			return md, err
		}
		o := &out{f: f, ch: &countingHash{w: f, h: sha256.New()}, fm: fm}
		outs = append(outs, o)
		if o.tw, err = NewTableWriter(fm, d, o.ch); err != nil {
			return md, err
		}
	}
	write := func(r *readmodel.DatasetRow) error {
		for _, o := range outs {
			if err := o.tw.WriteRow(r); err != nil {
				return err
			}
		}
		md.Rows++
		return nil
	}
	var err error
	if d.Name == "events" {
		err = writeEvents(ctx, log, since, rows.Position(), write)
	} else {
		keep := func(*readmodel.DatasetRow) bool { return true }
		err = rows.ScanDatasetRows(ctx, d.Name, func(cols []string) error {
			if want := d.FieldNames(); !slices.Equal(cols, want) {
				return fmt.Errorf("the read model's columns %v are not the catalog's %v", cols, want)
			}
			if changed != nil && d.Stream.Kind != "" {
				col := slices.Index(cols, d.Stream.Column)
				keep = func(r *readmodel.DatasetRow) bool {
					return changed[events.StreamName(d.Stream.Kind, r.TextString(col))]
				}
			}
			return nil
		}, func(r *readmodel.DatasetRow) error {
			if !keep(r) {
				return nil
			}
			return write(r)
		})
	}
	if err != nil {
		return md, err
	}
	for _, o := range outs {
		if err := o.tw.Close(); err != nil {
			return md, err
		}
		if err := o.f.Sync(); err != nil {
			return md, err
		}
		md.Files = append(md.Files, ManifestFile{
			Path: opendata.FileName(d.Name, o.fm), Format: o.fm.Ext, MediaType: o.fm.MediaType,
			Bytes: o.ch.n, SHA256: hex.EncodeToString(o.ch.h.Sum(nil)),
		})
	}
	return md, nil
}

// writeEvents writes the log's events after since up to pos as rows of
// the events dataset.
func writeEvents(ctx context.Context, log Log, since, pos events.Position, write func(*readmodel.DatasetRow) error) error {
	vals := make([]any, 10)
	r := readmodel.NewDatasetRow(len(vals))
	return scanLog(ctx, log, since, pos, func(ev *events.RecordedEvent) error {
		vals[0] = int64(ev.Position)
		vals[1] = ev.ID.String()
		vals[2] = ev.Stream
		vals[3] = ev.Version
		vals[4] = ev.Type
		vals[5] = int64(ev.Schema)
		vals[6] = eventTime(ev.OccurredAt)
		vals[7] = eventTime(ev.RecordedAt)
		vals[8] = ev.Actor.Role
		vals[9] = string(ev.Data)
		if err := r.SetValues(vals); err != nil {
			return err
		}
		return write(r)
	})
}

// eventTime is an event's time in the read model's fixed-width format.
func eventTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// writeSums writes SHA256SUMS: the SHA-256 of every other file of dir
// and of its folders (such as ledger/), in the format sha256sum -c reads,
// sorted by path.
func writeSums(dir string) error {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == SumsFile {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%x  %s\n", h.Sum(nil), filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, SumsFile), []byte(b.String()), 0o644)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
