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
//
// A record needs every release of its process, and a process's releases
// are spread over the whole log: they are kept in a spill file beside
// the release as they are written, with only their places in memory, and
// read back one process at a time.
func writeOCDS(ctx context.Context, dir string, log Log, since, pos events.Position, cfg opendata.Config, created time.Time) ([]ManifestFile, error) {
	rf, err := newPackageFile(dir, OCDSReleasesFile, opendata.OCDSPackageHead(cfg, cfg.BaseURL+"/ocds/releases.json", created), "releases")
	if err != nil {
		return nil, err
	}
	defer rf.f.Close()
	var spill *releaseSpill
	if since == 0 {
		if spill, err = newReleaseSpill(dir); err != nil {
			return nil, err
		}
		defer spill.remove()
	}
	m := opendata.NewOCDS()
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
		if spill != nil {
			return spill.add(rel["ocid"].(string), b)
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
	if err := spill.w.Flush(); err != nil {
		return nil, err
	}
	for _, ocid := range spill.ocids() {
		raw, err := spill.releases(ocid)
		if err != nil {
			return nil, err
		}
		rels := make([]opendata.OCDSRelease, len(raw))
		for i, b := range raw {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&rels[i]); err != nil {
				return nil, err
			}
		}
		rec, err := json.Marshal(map[string]any{"ocid": ocid, "releases": raw, "compiledRelease": opendata.CompileOCDS(rels)})
		if err != nil {
			return nil, err
		}
		if err := cf.item(rec); err != nil {
			return nil, err
		}
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

// releaseSpill keeps the releases of a log scan in a file, by process,
// holding only where each release is in memory.
type releaseSpill struct {
	f     *os.File
	w     *bufio.Writer
	n     int64
	spans map[string][]span
}

type span struct{ off, len int64 }

func newReleaseSpill(dir string) (*releaseSpill, error) {
	f, err := os.CreateTemp(dir, ".ocds-spill-*")
	if err != nil {
		return nil, err
	}
	return &releaseSpill{f: f, w: bufio.NewWriterSize(f, 64<<10), spans: map[string][]span{}}, nil
}

func (s *releaseSpill) add(ocid string, b []byte) error {
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	s.spans[ocid] = append(s.spans[ocid], span{s.n, int64(len(b))})
	s.n += int64(len(b))
	return nil
}

// ocids are the processes with releases, sorted.
func (s *releaseSpill) ocids() []string {
	out := make([]string, 0, len(s.spans))
	for o := range s.spans {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// releases reads back the releases of ocid, in log order. The spill must
// be flushed.
func (s *releaseSpill) releases(ocid string) ([]json.RawMessage, error) {
	sp := s.spans[ocid]
	out := make([]json.RawMessage, len(sp))
	for i, p := range sp {
		b := make([]byte, p.len)
		if _, err := s.f.ReadAt(b, p.off); err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (s *releaseSpill) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}
