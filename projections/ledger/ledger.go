package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"

	_ "modernc.org/sqlite" // the ledger's SQLite driver
)

// schema is the ledger's file: one row per leaf, so following the log
// costs one insert per event. A row holds the leaf's event position and
// the stored hashes (tlog's StoredHashes) that appending the leaf made:
// the leaf hash first, then the hash of each subtree the leaf completed,
// one level up each, 32 bytes apiece. The stored hash at level L, index N
// is therefore in the row of leaf (N+1)<<L - 1, at offset 32*L. Positions
// ascend with the leaf index, so a position is found by binary search,
// with no index to maintain (positions need not be dense: KurrentDB's are
// not). ledger_checkpoints keeps every checkpoint signed, by tree size.
const schema = `
CREATE TABLE IF NOT EXISTS ledger_leaves (
	idx      INTEGER PRIMARY KEY,
	position INTEGER NOT NULL,
	hashes   BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
	size      INTEGER PRIMARY KEY,
	note      BLOB    NOT NULL,
	signed_at TEXT    NOT NULL
);`

// Log is the part of the event store the ledger follows; events.Store
// satisfies it.
type Log interface {
	// SubscribeAll follows every event after position after, in order,
	// without gaps or duplicates (see events.Store).
	SubscribeAll(ctx context.Context, after events.Position) (events.Subscription, error)
	// ReadAll reads events after opts.After in position order.
	ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error)
	// Head returns the last position, 0 for an empty log.
	Head(ctx context.Context) (events.Position, error)
}

// Options tune a Ledger.
type Options struct {
	// Key signs the checkpoints (see LoadOrCreateKey). Required.
	Key Key
	// Every signs a checkpoint whenever the tree reaches a multiple of
	// this many events; DefaultEvery when zero.
	Every int64
	// Interval signs a checkpoint of the whole tree when it has grown
	// since the last one and this long has passed; DefaultInterval when
	// zero.
	Interval time.Duration
	// Now is the clock of the checkpoints' signing times; time.Now when
	// nil.
	Now func() time.Time
	// RetryAfter is the pause before following the log again after an
	// error of the store; one second when zero.
	RetryAfter time.Duration
	// Synchronous is SQLite's synchronous setting for the ledger file;
	// "NORMAL" when empty: the ledger can be rebuilt from the log, and a
	// checkpoint is deterministic (Ed25519), so a lost last transaction
	// is simply done again.
	Synchronous string
}

// Defaults of Options.
const (
	DefaultEvery    = 10_000
	DefaultInterval = time.Minute
)

// maxTxEvents caps the events appended in one transaction when several
// batches of the subscription are waiting.
const maxTxEvents = 50_000

// Ledger is the Merkle tree over one log, kept in its own SQLite file and
// current by Run. Its methods are safe for concurrent use; only one Run
// may be active.
type Ledger struct {
	db   *sql.DB
	path string
	log  Log
	key  Key
	opts Options

	writeMu sync.Mutex // one writer: Run's appends and Sign

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when the tree grows
	size     int64
	last     events.Position // position of the last leaf
	frontier map[int64]tlog.Hash
	signed   int64 // size of the newest checkpoint
	signedAt time.Time
	failure  error // why Run stopped following, until it resumes
}

// Open opens (creating it when missing) the ledger file at path over log.
// It returns an invalid error without a key, and an unavailable error
// when the file cannot be opened.
func Open(ctx context.Context, path string, log Log, opts Options) (*Ledger, error) {
	if opts.Key.Signer == nil || log == nil {
		return nil, events.Invalidf("ledger needs a log and a signing key")
	}
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	if opts.Synchronous == "" {
		opts.Synchronous = "NORMAL"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, events.Errorf(events.CodeUnavailable, "create the ledger's directory: %v", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+opts.Synchronous+")")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, &events.Error{Code: events.CodeUnavailable, Message: "ledger unavailable", Err: fmt.Errorf("open %s: %w", path, err)}
	}
	l := &Ledger{db: db, path: path, log: log, key: opts.Key, opts: opts, changed: make(chan struct{})}
	if err := l.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// OpenRecord opens the ledger file at path read-only, for what an audit
// reads of it: LeafHashes, Checkpoints, TreeHash and the proofs. The
// returned Ledger has no log and no key: it cannot Run or sign. A missing
// file is a not_found error.
func OpenRecord(ctx context.Context, path string) (*Ledger, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, events.Errorf(events.CodeNotFound, "no ledger file %s", filepath.Base(path))
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	l := &Ledger{db: db, path: path, changed: make(chan struct{})}
	if err := l.load(ctx); err != nil {
		db.Close()
		return nil, &events.Error{Code: events.CodeUnavailable, Message: "ledger unavailable", Err: err}
	}
	return l, nil
}

// Close closes the ledger file. Call it after Run has returned.
func (l *Ledger) Close() error { return l.db.Close() }

// load reads the tree's size, last position, frontier and newest
// checkpoint from the file.
func (l *Ledger) load(ctx context.Context) error {
	var size int64
	var last sql.NullInt64
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(idx) + 1, 0), (SELECT position FROM ledger_leaves ORDER BY idx DESC LIMIT 1) FROM ledger_leaves`).Scan(&size, &last); err != nil {
		return fmt.Errorf("load ledger: %w", err)
	}
	var signed int64
	var signedAt sql.NullString
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(size), 0), (SELECT signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1) FROM ledger_checkpoints`).Scan(&signed, &signedAt); err != nil {
		return fmt.Errorf("load ledger checkpoints: %w", err)
	}
	idx := frontierIndexes(size)
	hashes, err := l.readHashes(ctx, l.db, idx)
	if err != nil {
		return fmt.Errorf("load ledger frontier: %w", err)
	}
	l.frontier = map[int64]tlog.Hash{}
	for i, id := range idx {
		l.frontier[id] = hashes[i]
	}
	l.size, l.last, l.signed = size, events.Position(last.Int64), signed
	if t, err := time.Parse(time.RFC3339Nano, signedAt.String); err == nil {
		l.signedAt = t
	}
	return nil
}

// frontierIndexes are the stored-hash indexes of the complete subtrees
// that a tree of size n is made of: all that appending the next leaf, or
// hashing the tree at size n, reads.
func frontierIndexes(n int64) []int64 {
	var out []int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, (n>>level)-1))
		}
	}
	return out
}

// Tree is the ledger's tree as last appended.
type Tree struct {
	Size int64
	// Position is the position of the last leaf's event, 0 when empty.
	Position events.Position
	Root     tlog.Hash
}

// Tree returns the current tree.
func (l *Ledger) Tree() Tree {
	l.mu.Lock()
	defer l.mu.Unlock()
	root, _ := tlog.TreeHash(l.size, frontierReader(l.frontier))
	return Tree{Size: l.size, Position: l.last, Root: root}
}

// frontierReader reads hashes from a frontier kept in memory.
type frontierReader map[int64]tlog.Hash

func (f frontierReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, id := range idx {
		h, ok := f[id]
		if !ok {
			return nil, fmt.Errorf("ledger: hash %d is not on the frontier", id)
		}
		out[i] = h
	}
	return out, nil
}

// appendBatch adds evs, which follow the tree's last leaf in the log, and
// signs the checkpoints at every multiple of Every it reaches, in one
// transaction.
func (l *Ledger) appendBatch(ctx context.Context, evs []events.RecordedEvent) error {
	leaves := make([]tlog.Hash, len(evs))
	positions := make([]events.Position, len(evs))
	for i, ev := range evs {
		h, err := LeafHash(ev)
		if err != nil {
			return &LeafError{Position: ev.Position, Err: err}
		}
		leaves[i], positions[i] = h, ev.Position
	}
	return l.appendLeaves(ctx, leaves, positions)
}

// appendLeaves adds leaf hashes with the positions of their events.
func (l *Ledger) appendLeaves(ctx context.Context, leaves []tlog.Hash, positions []events.Position) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.mu.Lock()
	size, last := l.size, l.last
	frontier := make(frontierReader, len(l.frontier)+64)
	for k, v := range l.frontier {
		frontier[k] = v
	}
	l.mu.Unlock()

	rows := make([][]byte, 0, len(leaves))
	var checkpoints []Checkpoint
	for i, h := range leaves {
		if positions[i] <= last {
			return &events.Error{Code: events.CodeInternal,
				Message: fmt.Sprintf("ledger: the log delivered position %d after %d", positions[i], last)}
		}
		hashes, err := tlog.StoredHashesForRecordHash(size, h, frontier)
		if err != nil {
			return err
		}
		base := tlog.StoredHashCount(size)
		blob := make([]byte, 0, len(hashes)*tlog.HashSize)
		for i, sh := range hashes {
			blob = append(blob, sh[:]...)
			frontier[base+int64(i)] = sh
		}
		rows = append(rows, blob)
		size++
		last = positions[i]
		// Keep only what the next leaf and the tree hash need.
		keep := frontierIndexes(size)
		if len(frontier) > 2*len(keep)+8 {
			next := make(frontierReader, len(keep)+64)
			for _, id := range keep {
				next[id] = frontier[id]
			}
			frontier = next
		}
		if size%l.opts.Every == 0 {
			root, err := tlog.TreeHash(size, frontier)
			if err != nil {
				return err
			}
			checkpoints = append(checkpoints, Checkpoint{Origin: l.key.Signer.Name(), Size: size, Root: root})
		}
	}
	now := l.opts.Now()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	// Many rows a statement: the statement's own cost, not the rows',
	// dominates single-row inserts through database/sql.
	args := make([]any, 0, 3*insertRows)
	for from := 0; from < len(positions); from += insertRows {
		to := min(from+insertRows, len(positions))
		args = args[:0]
		for i := from; i < to; i++ {
			args = append(args, l.size+int64(i), int64(positions[i]), rows[i])
		}
		if _, err := tx.ExecContext(ctx, insertLeavesSQL(to-from), args...); err != nil {
			return unavailable(err)
		}
	}
	for _, c := range checkpoints {
		if err := l.storeCheckpoint(ctx, tx, c, now); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable(err)
	}
	final := make(map[int64]tlog.Hash, 64)
	for _, id := range frontierIndexes(size) {
		final[id] = frontier[id]
	}
	l.mu.Lock()
	l.size, l.last, l.frontier = size, last, final
	if len(checkpoints) > 0 {
		l.signed, l.signedAt = checkpoints[len(checkpoints)-1].Size, now
	}
	l.failure = nil
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	return nil
}

// insertRows is how many leaves one INSERT writes.
const insertRows = 256

var insertSQL = map[int]string{}
var insertSQLMu sync.Mutex

// insertLeavesSQL is the INSERT of n leaf rows.
func insertLeavesSQL(n int) string {
	insertSQLMu.Lock()
	defer insertSQLMu.Unlock()
	if q, ok := insertSQL[n]; ok {
		return q
	}
	q := "INSERT INTO ledger_leaves (idx, position, hashes) VALUES (?, ?, ?)" + strings.Repeat(", (?, ?, ?)", n-1)
	insertSQL[n] = q
	return q
}

// storeCheckpoint signs c and keeps it.
func (l *Ledger) storeCheckpoint(ctx context.Context, tx *sql.Tx, c Checkpoint, now time.Time) error {
	sc, err := l.key.Sign(c)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO ledger_checkpoints (size, note, signed_at) VALUES (?, ?, ?)`,
		c.Size, sc.Note, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return unavailable(err)
	}
	return nil
}

// LeafError reports an event the ledger cannot take: its data is not
// one JSON value. The ledger stops before it.
type LeafError struct {
	Position events.Position
	Err      error
}

func (e *LeafError) Error() string {
	return fmt.Sprintf("ledger: event at position %d: %v", e.Position, e.Err)
}

func (e *LeafError) Unwrap() error { return e.Err }

func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var de *events.Error
	if errors.As(err, &de) {
		return err
	}
	return &events.Error{Code: events.CodeUnavailable, Message: "ledger unavailable", Err: err}
}
