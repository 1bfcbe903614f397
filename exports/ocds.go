package exports

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/opendata"
)

// Files of the OCDS publication in a release.
const (
	OCDSReleasesFile = "ocds_releases.json"
	OCDSRecordsFile  = "ocds_records.json"
)

// writeOCDS writes the OCDS release package of every procurement event up
// to pos (after since only, for an incremental release) and, for a whole
// release, the record package of every process, compiled. The mapping
// folds the log from its start either way, for the names of parties.
func writeOCDS(ctx context.Context, dir string, log Log, since, pos events.Position, cfg opendata.Config, created time.Time) ([]ManifestFile, error) {
	rf, err := newPackageFile(dir, OCDSReleasesFile, opendata.OCDSPackageHead(cfg, cfg.BaseURL+"/ocds/releases.json", created), "releases")
	if err != nil {
		return nil, err
	}
	defer rf.f.Close()
	m := opendata.NewOCDS()
	byProcess := map[string][][]byte{}
	var order []string
	err = scanLog(ctx, log, 0, pos, func(ev *events.RecordedEvent) error {
		rel, err := m.Add(*ev)
		if err != nil || rel == nil {
			return err
		}
		b, err := json.Marshal(rel)
		if err != nil {
			return err
		}
		if ev.Position > since {
			if err := rf.item(b); err != nil {
				return err
			}
		}
		if since == 0 {
			ocid := rel["ocid"].(string)
			if _, ok := byProcess[ocid]; !ok {
				order = append(order, ocid)
			}
			byProcess[ocid] = append(byProcess[ocid], b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	files := []ManifestFile{}
	f, err := rf.close()
	if err != nil {
		return nil, err
	}
	files = append(files, f)
	if since != 0 {
		return files, nil
	}
	cf, err := newPackageFile(dir, OCDSRecordsFile, opendata.OCDSPackageHead(cfg, cfg.BaseURL+"/ocds/records.json", created), "records")
	if err != nil {
		return nil, err
	}
	defer cf.f.Close()
	slices.Sort(order)
	for _, ocid := range order {
		var rels []opendata.OCDSRelease
		raw := make([]json.RawMessage, len(byProcess[ocid]))
		for i, b := range byProcess[ocid] {
			var r opendata.OCDSRelease
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&r); err != nil {
				return nil, err
			}
			rels = append(rels, r)
			raw[i] = b
		}
		rec, err := json.Marshal(map[string]any{"ocid": ocid, "releases": raw, "compiledRelease": opendata.CompileOCDS(rels)})
		if err != nil {
			return nil, err
		}
		if err := cf.item(rec); err != nil {
			return nil, err
		}
		delete(byProcess, ocid)
	}
	f, err = cf.close()
	if err != nil {
		return nil, err
	}
	return append(files, f), nil
}

// packageFile streams a JSON package: its head's fields, then an array of
// items under key.
type packageFile struct {
	f    *os.File
	w    *bufio.Writer
	ch   *countingHash
	name string
	n    int
}

func newPackageFile(dir, name string, head map[string]any, key string) (*packageFile, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	ch := &countingHash{w: f, h: sha256.New()}
	p := &packageFile{f: f, ch: ch, w: bufio.NewWriterSize(ch, 64<<10), name: name}
	b, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	p.w.Write(b[:len(b)-1])
	p.w.WriteString(`,"` + key + `":[`)
	return p, nil
}

func (p *packageFile) item(b []byte) error {
	if p.n > 0 {
		p.w.WriteString(",\n")
	} else {
		p.w.WriteString("\n")
	}
	p.n++
	_, err := p.w.Write(b)
	return err
}

func (p *packageFile) close() (ManifestFile, error) {
	p.w.WriteString("\n]}\n")
	if err := p.w.Flush(); err != nil {
		return ManifestFile{}, err
	}
	if err := p.f.Sync(); err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Path: p.name, Format: "ocds", MediaType: "application/json", Bytes: p.ch.n, SHA256: hex.EncodeToString(p.ch.h.Sum(nil))}, nil
}
