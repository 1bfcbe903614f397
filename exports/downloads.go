package exports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The downloads: GET /datasets/ (the catalog with the current release's
// files), /datasets/{file} (a dataset in a format, datapackage.json,
// catalog.jsonld, manifest.json, SHA256SUMS). A release is made once per
// read-model position, on the first request that needs it, into a folder
// of its own, and every request at that position is served from its files
// on disk: with the position in X-Pnyx-Position, an ETag made of it and
// the file's checksum, conditional GET and Range. Only the names a
// release's manifest lists are served; nothing a client sends becomes part
// of a path.

// HeaderPosition is the header of the log position an answer reflects.
const HeaderPosition = "X-Pnyx-Position"

// Snapshots open read-model snapshots: *readmodel.ReadModel. Snapshot
// returns an unavailable error while the read model is not built yet;
// DatasetSnapshot is Snapshot ready to scan whole datasets, for a release;
// ServingPosition reads the position a new snapshot would have.
type Snapshots interface {
	Snapshot(ctx context.Context) (*readmodel.Snapshot, error)
	DatasetSnapshot(ctx context.Context) (*readmodel.Snapshot, error)
	ServingPosition(ctx context.Context) (events.Position, error)
}

// DownloadsOptions configure Downloads.
type DownloadsOptions struct {
	// Dir holds one folder per release, named by its position; older
	// releases are removed once a newer one is complete, keeping Keep.
	Dir     string
	Keep    int // releases kept; 2 when zero
	Catalog opendata.Config
	Now     func() time.Time
	Logger  *slog.Logger
}

// Downloads serves releases from disk. It is safe for concurrent use.
type Downloads struct {
	rm   Snapshots
	log  Log
	opts DownloadsOptions

	mu       sync.Mutex
	building map[events.Position]*build
	latest   *served // the newest release made
}

type build struct {
	done chan struct{}
	rel  *served
	err  error
}

// served is a release on disk with its manifest's files by name.
type served struct {
	pos      events.Position
	dir      string
	manifest Manifest
	files    map[string]ManifestFile
}

// NewDownloads returns the downloads of the read model rm and the log.
func NewDownloads(rm Snapshots, log Log, opts DownloadsOptions) *Downloads {
	if opts.Keep <= 0 {
		opts.Keep = 2
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Downloads{rm: rm, log: log, opts: opts, building: map[events.Position]*build{}}
}

// release returns the release of the read model's serving position,
// making it when it is not on disk yet: the first one is waited for (by
// every request that asks meanwhile, for one build); once one exists, it
// is served while a newer position's is made, one build at a time.
func (d *Downloads) release(ctx context.Context) (*served, error) {
	pos, err := d.rm.ServingPosition(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	cur := d.latest
	if cur != nil && cur.pos >= pos {
		d.mu.Unlock()
		return cur, nil
	}
	b, ok := d.building[pos]
	if !ok && len(d.building) == 0 {
		b = &build{done: make(chan struct{})}
		d.building[pos] = b
		go d.make(b, pos)
	} else if !ok {
		for _, other := range d.building {
			b = other // one build at a time: the next request asks again
		}
	}
	d.mu.Unlock()
	if cur != nil {
		// The release of an earlier position is served, labelled with
		// it, while the newer one is made.
		return cur, nil
	}
	select {
	case <-b.done:
		return b.rel, b.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// make writes the release of pos, or opens it when an earlier process
// wrote it. It runs apart from the request that asked, so a client that
// goes away does not waste the work of those waiting.
func (d *Downloads) make(b *build, pos events.Position) {
	defer close(b.done)
	ctx := context.Background()
	rel, err := d.open(pos)
	if errors.Is(err, os.ErrNotExist) {
		rel, err = d.write(ctx)
	}
	d.mu.Lock()
	delete(d.building, pos)
	if err == nil && (d.latest == nil || rel.pos > d.latest.pos) {
		d.latest = rel
	}
	d.mu.Unlock()
	b.rel, b.err = rel, err
	if err != nil {
		d.opts.Logger.Error("release", "position", uint64(pos), "err", err)
		return
	}
	d.prune()
}

func (d *Downloads) write(ctx context.Context) (*served, error) {
	snap, err := d.rm.DatasetSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	pos := snap.Position()
	if rel, err := d.open(pos); err == nil {
		return rel, nil
	}
	dir := filepath.Join(d.opts.Dir, releaseName(pos))
	if _, err := WriteRelease(ctx, snap, d.log, dir, ReleaseOptions{Catalog: d.opts.Catalog, Now: d.opts.Now}); err != nil {
		return nil, err
	}
	return d.open(pos)
}

func releaseName(pos events.Position) string { return fmt.Sprintf("%020d", uint64(pos)) }

// open reads the release of pos from disk; an error matching
// os.ErrNotExist when there is none.
func (d *Downloads) open(pos events.Position) (*served, error) {
	dir := filepath.Join(d.opts.Dir, releaseName(pos))
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	rel := &served{pos: pos, dir: dir, files: map[string]ManifestFile{}}
	if err := json.Unmarshal(b, &rel.manifest); err != nil {
		return nil, fmt.Errorf("release %s: %w", dir, err)
	}
	for _, ds := range rel.manifest.Datasets {
		for _, f := range ds.Files {
			rel.files[f.Path] = f
		}
	}
	for _, f := range rel.manifest.Files {
		rel.files[f.Path] = f
	}
	for name, mt := range map[string]string{DataPackageFile: "application/json", CatalogFile: "application/ld+json",
		ManifestName: "application/json", SumsFile: "text/plain; charset=utf-8"} {
		rel.files[name] = ManifestFile{Path: name, MediaType: mt}
	}
	return rel, nil
}

// prune removes all but the newest Keep releases.
func (d *Downloads) prune() {
	entries, err := os.ReadDir(d.opts.Dir)
	if err != nil {
		return
	}
	var names []string
	for _, e := range entries {
		if _, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() && len(e.Name()) == 20 {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for len(names) > d.opts.Keep {
		os.RemoveAll(filepath.Join(d.opts.Dir, names[0]))
		names = names[1:]
	}
}

// current returns the newest release made, nil before the first, and
// has the release of the serving position made in the background.
func (d *Downloads) current() *served {
	go d.release(context.Background())
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.latest
}

// ServeIndex answers GET /datasets/: the catalog's datasets with the
// current release's files, as JSON.
func (d *Downloads) ServeIndex(w http.ResponseWriter, r *http.Request) error {
	rel, err := d.release(r.Context())
	if err != nil {
		return err
	}
	type file struct {
		Format    string `json:"format"`
		MediaType string `json:"media_type"`
		URL       string `json:"url"`
		Bytes     int64  `json:"bytes"`
		SHA256    string `json:"sha256"`
	}
	type dataset struct {
		opendata.Dataset
		Licence string `json:"licence"`
		Rows    int64  `json:"rows"`
		Files   []file `json:"files"`
	}
	out := struct {
		Position    uint64    `json:"position"`
		Created     time.Time `json:"created"`
		DataPackage string    `json:"datapackage"`
		Catalog     string    `json:"catalog"`
		Sums        string    `json:"sha256sums"`
		Datasets    []dataset `json:"datasets"`
	}{Position: uint64(rel.pos), Created: rel.manifest.Created, DataPackage: "/datasets/" + DataPackageFile,
		Catalog: "/datasets/" + CatalogFile, Sums: "/datasets/" + SumsFile}
	for _, md := range rel.manifest.Datasets {
		ds, ok := opendata.DatasetByName(md.Name)
		if !ok {
			continue
		}
		x := dataset{Dataset: ds, Licence: d.opts.Catalog.Licence.ID, Rows: md.Rows}
		for _, f := range md.Files {
			x.Files = append(x.Files, file{Format: f.Format, MediaType: f.MediaType, URL: "/datasets/" + f.Path, Bytes: f.Bytes, SHA256: f.SHA256})
		}
		out.Datasets = append(out.Datasets, x)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(HeaderPosition, strconv.FormatUint(uint64(rel.pos), 10))
	h.Set("ETag", fmt.Sprintf(`"p%d-index"`, rel.pos))
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", rel.manifest.Created, strings.NewReader(string(b)))
	return nil
}

// ServeFile answers GET /datasets/{file}: a file of the current release,
// by name. A name the release does not list is a not-found error.
func (d *Downloads) ServeFile(w http.ResponseWriter, r *http.Request) error {
	return d.serveFile(w, r, r.PathValue("file"))
}

// ServeNamed returns the handler of one file of the current release, such
// as OCDSReleasesFile for GET /ocds/releases.json.
func (d *Downloads) ServeNamed(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { return d.serveFile(w, r, name) }
}

func (d *Downloads) serveFile(w http.ResponseWriter, r *http.Request, name string) error {
	if !validFileName(name) {
		return events.Errorf(events.CodeNotFound, "no dataset file %q", truncate(name))
	}
	rel, err := d.release(r.Context())
	if err != nil {
		return err
	}
	mf, ok := rel.files[name]
	if !ok {
		return events.Errorf(events.CodeNotFound, "no dataset file %q", truncate(name))
	}
	f, err := os.Open(filepath.Join(rel.dir, mf.Path))
	if err != nil {
		return fmt.Errorf("release file %s: %w", mf.Path, err)
	}
	defer f.Close()
	h := w.Header()
	ct := mf.MediaType
	if strings.HasPrefix(ct, "text/csv") {
		ct = "text/csv; charset=utf-8; header=present"
	}
	h.Set("Content-Type", ct)
	h.Set(HeaderPosition, strconv.FormatUint(uint64(rel.pos), 10))
	etag := fmt.Sprintf(`"p%d-%s"`, rel.pos, name)
	if mf.SHA256 != "" {
		etag = fmt.Sprintf(`"p%d-%.16s"`, rel.pos, mf.SHA256)
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// ServeContent answers conditional requests by the ETag and ranges
	// from the file; a partial answer is never gzipped (see server).
	http.ServeContent(w, r, name, rel.manifest.Created, f)
	return nil
}

// validFileName reports whether name could be a release file's name: no
// separator, no dot-dot, nothing but letters, digits, '_', '-' and '.'.
func validFileName(name string) bool {
	if name == "" || len(name) > 100 || strings.Contains(name, "..") {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
