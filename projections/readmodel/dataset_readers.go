package readmodel

import (
	"context"
	"sync"
)

// servingStamp reads the serving build of the read model and its
// position. Two read transactions that read the same stamp read the same
// rows: the runner commits a build's rows with its checkpoint, and a
// build's rows at a position are those of the log up to it.
const servingStamp = `SELECT build, position FROM projection_checkpoints
	WHERE projection = '` + ReadModelName + `' AND status = 'serving'`

// datasetReaders are the connections of one Snapshot's dataset scans:
// read-only connections of its own to the read model's file (rawConn),
// each in a read transaction at exactly the snapshot's state. The first
// is opened at the first scan (or by DatasetSnapshot) and checked against the snapshot's
// transaction by the serving stamp; each further one, for scans running
// at the same time (Popolo reads ballots beside votes), opens the first's
// WAL snapshot (sqlite3_snapshot_open) and is checked the same way. They
// are kept for the snapshot's later scans and closed with it.
//
// When a connection cannot be had at the snapshot's state (the read
// model moved on between the snapshot's first read and its first scan, an
// in-memory database, the WAL restarted past the shared snapshot), acquire
// returns nil and the scan reads through the snapshot's transaction: the
// same rows, slower.
type datasetReaders struct {
	mu     sync.Mutex
	tried  bool
	usable bool
	path   string
	stamp  [2]int64
	snap   uintptr // the first connection's WAL snapshot; 0 when none
	first  *rawConn
	idle   []*rawConn
	all    []*rawConn
}

// DatasetSnapshot is Snapshot with the first connection of its dataset
// scans opened at once, for a release that reads every dataset: two read
// transactions begun one after the other rarely fall on either side of a
// commit, and when they do it tries again, up to five times, before
// returning a snapshot whose scans read through its transaction.
func (m *ReadModel) DatasetSnapshot(ctx context.Context) (*Snapshot, error) {
	for try := 1; ; try++ {
		s, err := m.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		s.readers.mu.Lock()
		if !s.readers.tried {
			s.readers.tried = true
			s.readers.usable = s.readers.openFirst(ctx, s)
		}
		ok := s.readers.usable
		s.readers.mu.Unlock()
		if ok || try == 5 || ctx.Err() != nil {
			return s, nil
		}
		s.Close()
	}
}

// acquire returns a connection at s's state for one scan, nil when there
// is none (see datasetReaders); give it back with release.
func (d *datasetReaders) acquire(ctx context.Context, s *Snapshot) *rawConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.tried {
		d.tried = true
		d.usable = d.openFirst(ctx, s)
	}
	if !d.usable {
		return nil
	}
	if n := len(d.idle); n > 0 {
		c := d.idle[n-1]
		d.idle = d.idle[:n-1]
		return c
	}
	if d.snap == 0 {
		return nil
	}
	c, err := openRawConn(d.path)
	if err != nil {
		return nil
	}
	if c.exec("BEGIN") != nil || c.openSnapshot(d.snap) != nil {
		c.close()
		return nil
	}
	if st, err := c.stamp(); err != nil || st != d.stamp {
		c.close()
		return nil
	}
	d.all = append(d.all, c)
	return c
}

// openFirst opens the first connection and reports whether it reads
// what s reads.
func (d *datasetReaders) openFirst(ctx context.Context, s *Snapshot) bool {
	var file string
	if err := s.q.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil || file == "" {
		return false
	}
	var want [2]int64
	if err := s.q.QueryRowContext(ctx, servingStamp).Scan(&want[0], &want[1]); err != nil {
		return false
	}
	c, err := openRawConn(file)
	if err != nil {
		return false
	}
	if c.exec("BEGIN") != nil {
		c.close()
		return false
	}
	// The stamp is the transaction's first read: it starts its snapshot.
	if st, err := c.stamp(); err != nil || st != want {
		c.close()
		return false
	}
	d.path, d.stamp, d.first = file, want, c
	d.all = append(d.all, c)
	d.idle = append(d.idle, c)
	if snap, err := c.snapshot(); err == nil {
		d.snap = snap
	}
	return true
}

func (d *datasetReaders) release(c *rawConn) {
	d.mu.Lock()
	d.idle = append(d.idle, c)
	d.mu.Unlock()
}

// close closes every connection; the scans have ended.
func (d *datasetReaders) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.snap != 0 {
		d.first.freeSnapshot(d.snap)
		d.snap = 0
	}
	for _, c := range d.all {
		c.close()
	}
	d.all, d.idle, d.first, d.usable = nil, nil, nil, false
}

// stamp reads the serving stamp in the connection's transaction.
func (c *rawConn) stamp() ([2]int64, error) {
	var st [2]int64
	s, err := c.prepare(servingStamp)
	if err != nil {
		return st, err
	}
	defer s.close()
	r := NewDatasetRow(s.n)
	more, err := s.step()
	if err != nil || !more {
		return st, err
	}
	s.read(r)
	return [2]int64{r.Int(0), r.Int(1)}, nil
}
