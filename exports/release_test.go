package exports_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/internal/schematest"
	"github.com/pnyx-civic/pnyx/opendata"
)

var releaseTime = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func writeRelease(t testing.TB, w *demoWorld, since events.Position) (string, exports.Manifest) {
	t.Helper()
	ctx := context.Background()
	snap, err := w.rm.DatasetSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	out := filepath.Join(t.TempDir(), "release")
	m, err := exports.WriteRelease(ctx, snap, w.store, out, exports.ReleaseOptions{
		Catalog: opendata.DefaultConfig(), Since: since, Now: func() time.Time { return releaseTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, m
}

// columnsOf reads the column names of a release file and counts its rows.
func columnsOf(t *testing.T, path string, f opendata.Format) ([]string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch f.Ext {
	case "csv", "excel.csv":
		if f.Ext == "excel.csv" {
			rest, ok := bytes.CutPrefix(b, []byte("\ufeff"))
			if !ok {
				t.Errorf("%s: no byte order mark", path)
			}
			if !bytes.HasSuffix(rest, []byte("\r\n")) || bytes.Count(rest, []byte("\n")) != bytes.Count(rest, []byte("\r\n")) {
				t.Errorf("%s: a line ends without CRLF", path)
			}
			b = rest
		} else if bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Errorf("%s: a byte order mark in plain CSV", path)
		}
		r := csv.NewReader(bytes.NewReader(b))
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: not RFC 4180: %v", path, err)
		}
		return recs[0], int64(len(recs) - 1)
	case "json":
		var rows []json.RawMessage
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(rows) == 0 {
			return nil, 0
		}
		return objectKeys(t, rows[0]), int64(len(rows))
	case "ndjson":
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 16<<20)
		var cols []string
		var n int64
		for sc.Scan() {
			if n == 0 {
				cols = objectKeys(t, sc.Bytes())
			}
			n++
		}
		return cols, n
	case "parquet":
		pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var cols []string
		for _, c := range pf.Schema().Columns() {
			cols = append(cols, c[0])
		}
		return cols, pf.NumRows()
	}
	t.Fatalf("format %s", f.Ext)
	return nil, 0
}

// objectKeys returns the keys of a JSON object in the order written.
func objectKeys(t *testing.T, obj []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.Token()
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestReleaseOfTheDemo(t *testing.T) {
	w := demoMunicipality(t)
	out, m := writeRelease(t, w, 0)
	head, _ := w.store.Head(context.Background())
	if m.Position != uint64(head) {
		t.Errorf("release at %d, log head %d", m.Position, head)
	}
	t.Run("the columns of every format match the catalog exactly", func(t *testing.T) {
		for _, d := range opendata.Datasets() {
			for _, f := range opendata.Formats {
				cols, _ := columnsOf(t, filepath.Join(out, opendata.FileName(d.Name, f)), f)
				want := d.FieldNames()
				if f.Ext == "parquet" {
					want = slices.Sorted(slices.Values(want)) // Parquet orders a group's columns by name
				}
				if cols == nil && f.Ext != "csv" && f.Ext != "excel.csv" && f.Ext != "parquet" {
					continue // an empty JSON dataset has no keys to compare
				}
				if !slices.Equal(cols, want) {
					t.Errorf("%s.%s: columns %v\ncatalog %v", d.Name, f.Ext, cols, want)
				}
			}
		}
	})
	t.Run("every format holds the rows the manifest counts", func(t *testing.T) {
		empty := 0
		for _, d := range m.Datasets {
			if d.Rows == 0 {
				empty++
			}
			for _, f := range d.Files {
				fm, _ := opendata.FormatByExt(f.Format)
				if _, n := columnsOf(t, filepath.Join(out, f.Path), fm); n != d.Rows {
					t.Errorf("%s: %d rows, manifest %d", f.Path, n, d.Rows)
				}
			}
		}
		if empty > 0 {
			t.Logf("%d datasets are empty in the demo", empty)
		}
		if d := m.Datasets[len(m.Datasets)-1]; d.Name != "events" || d.Rows != int64(head) {
			t.Errorf("events: %d rows, the log holds %d", d.Rows, head)
		}
	})
	t.Run("SHA256SUMS verifies every file", func(t *testing.T) {
		sums, err := os.ReadFile(filepath.Join(out, exports.SumsFile))
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(out)
		lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
		if len(lines) != len(entries)-1 {
			t.Errorf("%d sums for %d files", len(lines), len(entries)-1)
		}
		for _, l := range lines {
			sum, name, _ := strings.Cut(l, "  ")
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			if h := sha256.Sum256(b); hex.EncodeToString(h[:]) != sum {
				t.Errorf("%s: checksum differs", name)
			}
		}
	})
	t.Run("datapackage.json validates and states every file's size", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(out, exports.DataPackageFile))
		if err != nil {
			t.Fatal(err)
		}
		pkg, _, _ := schematest.DataPackage(t)
		schematest.Validate(t, pkg, "datapackage.json", b)
		var p struct {
			Resources []struct {
				Path  string `json:"path"`
				Bytes int64  `json:"bytes"`
			} `json:"resources"`
		}
		json.Unmarshal(b, &p)
		for _, r := range p.Resources {
			st, err := os.Stat(filepath.Join(out, r.Path))
			if err != nil || st.Size() != r.Bytes {
				t.Errorf("%s: %d bytes stated, %v", r.Path, r.Bytes, err)
			}
		}
	})
	t.Run("no citizen's reference or display name is in any file", func(t *testing.T) {
		b, _ := os.ReadFile(filepath.Join(out, "consultation_comments.csv"))
		if strings.Contains(string(b), "display_name") || strings.Contains(string(b), "subject_ref") {
			t.Error("a private column is exported")
		}
	})
	t.Run("the same snapshot gives the same bytes", func(t *testing.T) {
		again, _ := writeRelease(t, w, 0)
		a, _ := os.ReadFile(filepath.Join(out, exports.SumsFile))
		b, _ := os.ReadFile(filepath.Join(again, exports.SumsFile))
		if !bytes.Equal(a, b) {
			t.Error("two releases of one position differ")
		}
	})
}

func TestIncrementalRelease(t *testing.T) {
	w := demoMunicipality(t)
	ctx := context.Background()
	head, _ := w.store.Head(ctx)
	since := head - 500
	out, m := writeRelease(t, w, since)
	if m.Since != uint64(since) {
		t.Errorf("since %d", m.Since)
	}
	changed := map[string]bool{}
	evs, _ := w.store.ReadAll(ctx, events.ReadAllOptions{After: since, Limit: 1000})
	for _, e := range evs {
		changed[e.Stream] = true
	}
	for _, d := range m.Datasets {
		if d.Name == "events" && d.Rows != 500 {
			t.Errorf("events: %d rows, want 500", d.Rows)
		}
	}
	ds, _ := opendata.DatasetByName("procurements")
	b, _ := os.ReadFile(filepath.Join(out, "procurements.csv"))
	recs, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	col := slices.Index(ds.FieldNames(), ds.Stream.Column)
	for _, r := range recs[1:] {
		if !changed[events.StreamName("procurement", r[col])] {
			t.Errorf("procurement %s did not change after %d", r[col], since)
		}
	}
}

func TestReleaseLeavesNothingPartial(t *testing.T) {
	w := demoMunicipality(t)
	ctx, cancel := context.WithCancel(context.Background())
	snap, err := w.rm.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	parent := t.TempDir()
	out := filepath.Join(parent, "release")
	_, err = exports.WriteRelease(ctx, snap, w.store, out, exports.ReleaseOptions{
		Catalog:  opendata.DefaultConfig(),
		Progress: func(done, total int) { cancel() }, // interrupted after the first dataset
	})
	if err == nil {
		t.Fatal("an interrupted release succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	t.Run("a folder holding files is refused", func(t *testing.T) {
		os.MkdirAll(out, 0o755)
		os.WriteFile(filepath.Join(out, "x"), nil, 0o644)
		_, err := exports.WriteRelease(context.Background(), snap, w.store, out, exports.ReleaseOptions{Catalog: opendata.DefaultConfig()})
		if events.ErrorCode(err) != events.CodeConflict {
			t.Errorf("err %v", err)
		}
	})
}
