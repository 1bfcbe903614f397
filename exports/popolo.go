package exports

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/pnyx-civic/pnyx/opendata"
)

// PopoloFile is the Popolo export in a release.
const PopoloFile = "popolo.json"

// writePopolo writes the Popolo export of the snapshot's council data.
func writePopolo(ctx context.Context, dir string, rows Rows) (ManifestFile, error) {
	p := opendata.NewPopolo()
	for _, name := range opendata.PopoloDatasets {
		var cols []string
		err := rows.ScanDataset(ctx, name, func(c []string) error { cols = c; return nil },
			func(vals []any) error { p.Row(name, cols, vals); return nil })
		if err != nil {
			return ManifestFile{}, err
		}
	}
	f, err := os.Create(filepath.Join(dir, PopoloFile))
	if err != nil {
		return ManifestFile{}, err
	}
	defer f.Close()
	ch := &countingHash{w: f, h: sha256.New()}
	w := bufio.NewWriterSize(ch, 64<<10)
	if err := p.Write(w); err != nil {
		return ManifestFile{}, err
	}
	if err := w.Flush(); err != nil {
		return ManifestFile{}, err
	}
	if err := f.Sync(); err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Path: PopoloFile, Format: "popolo", MediaType: "application/json", Bytes: ch.n, SHA256: hex.EncodeToString(ch.h.Sum(nil))}, nil
}
