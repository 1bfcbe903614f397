package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/pnyx-civic/pnyx/events"
)

var _ events.Store = (*Store)(nil)

// Options configure a Store. The zero value is usable.
type Options struct {
	// MaxEventBytes limits one event's data; <= 0 means
	// events.DefaultMaxEventBytes (1 MiB).
	MaxEventBytes int
	// Now is the clock that stamps recorded_at; nil means time.Now.
	Now func() time.Time
	// PollInterval is how often a subscription looks for events appended by
	// another process on the same file; <= 0 means one second. Appends in
	// this process wake subscribers at once.
	PollInterval time.Duration
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
}

// Store is the embedded event log. It is safe for concurrent use.
type Store struct {
	path          string
	maxEventBytes int
	now           func() time.Time
	pollInterval  time.Duration
	log           *slog.Logger

	writeDB *sql.DB // one connection, owned by the writer goroutine
	readDB  *sql.DB // a pool; WAL readers never block the writer
	reads   *readStatements

	appends chan *appendRequest
	// mu guards closed and the send side of appends, so Close can wait for
	// every accepted append.
	mu       sync.RWMutex
	closed   bool
	done     chan struct{} // closed when Close begins
	writerWG sync.WaitGroup

	// onBatch, when set by a test before the first append, sees each batch
	// before it is written.
	onBatch func(batch []*appendRequest)

	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced after each commit
}

// Stats describe the log and the size of its files.
type Stats struct {
	Events    int64
	Head      events.Position
	Streams   int64
	FileBytes int64 // the database file plus its write-ahead log
}

// Open opens the store at path (the .db file), creating the parent
// directory and the schema if needed.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, events.Invalidf("store path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, unavailable(fmt.Errorf("create store directory: %w", err))
		}
	}
	s := &Store{
		path:          path,
		maxEventBytes: opts.MaxEventBytes,
		now:           opts.Now,
		pollInterval:  opts.PollInterval,
		log:           opts.Logger,
		appends:       make(chan *appendRequest, 1024),
		done:          make(chan struct{}),
		notify:        make(chan struct{}),
	}
	if s.maxEventBytes <= 0 {
		s.maxEventBytes = events.DefaultMaxEventBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pollInterval <= 0 {
		s.pollInterval = time.Second
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}

	var err error
	if s.writeDB, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, unavailable(fmt.Errorf("open %s: %w", path, err))
	}
	s.writeDB.SetMaxOpenConns(1)
	s.writeDB.SetMaxIdleConns(1)
	s.writeDB.SetConnMaxLifetime(0)
	s.writeDB.SetConnMaxIdleTime(0)
	if err := migrate(ctx, s.writeDB); err != nil {
		s.writeDB.Close()
		return nil, err
	}
	if s.readDB, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		s.writeDB.Close()
		return nil, unavailable(fmt.Errorf("open %s: %w", path, err))
	}
	s.readDB.SetMaxOpenConns(8)
	s.readDB.SetMaxIdleConns(8)
	if s.reads, err = prepareReads(ctx, s.readDB); err != nil {
		s.readDB.Close()
		s.writeDB.Close()
		return nil, err
	}

	w, err := newWriter(ctx, s)
	if err != nil {
		s.reads.close()
		s.readDB.Close()
		s.writeDB.Close()
		return nil, err
	}
	s.writerWG.Add(1)
	go func() {
		defer s.writerWG.Done()
		w.run()
	}()
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return mapErr(ctx, "open store", err)
	}
	if mode != "wal" {
		return unavailable(fmt.Errorf("open store: journal mode is %q, want wal", mode))
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return mapErr(ctx, "open store", err)
	}
	if v > schemaVersion {
		return unavailable(fmt.Errorf("open store: schema version %d is newer than this program's %d", v, schemaVersion))
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return mapErr(ctx, "create schema", err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return mapErr(ctx, "create schema", err)
	}
	return nil
}

// Close waits for appends already accepted, then closes the files. Later
// calls, and subscriptions' Next, return events.ErrUnavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	close(s.appends)
	s.mu.Unlock()

	s.writerWG.Wait()
	s.reads.close()
	return errors.Join(s.readDB.Close(), s.writeDB.Close())
}

// Head returns the position of the last event, 0 for an empty log.
func (s *Store) Head(ctx context.Context) (events.Position, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	var head int64
	if err := s.reads.head.QueryRowContext(ctx).Scan(&head); err != nil {
		return 0, s.readErr(ctx, "read head", err)
	}
	return events.Position(head), nil
}

// StreamVersion returns the version of stream's last event, or
// events.ErrStreamNotFound.
func (s *Store) StreamVersion(ctx context.Context, stream string) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if err := events.ValidateStream(stream); err != nil {
		return 0, err
	}
	var v sql.NullInt64
	if err := s.reads.streamVersion.QueryRowContext(ctx, stream).Scan(&v); err != nil {
		return 0, s.readErr(ctx, "read stream version", err)
	}
	if !v.Valid {
		return 0, fmt.Errorf("%s: %w", stream, events.ErrStreamNotFound)
	}
	return v.Int64, nil
}

// Stats counts events and streams and measures the files.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	if err := s.usable(ctx); err != nil {
		return Stats{}, err
	}
	var st Stats
	var head int64
	err := s.readDB.QueryRowContext(ctx,
		"SELECT (SELECT count(*) FROM events), (SELECT coalesce(max(position), 0) FROM events), (SELECT count(DISTINCT stream) FROM events)").
		Scan(&st.Events, &head, &st.Streams)
	if err != nil {
		return Stats{}, s.readErr(ctx, "read stats", err)
	}
	st.Head = events.Position(head)
	for _, p := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Stats{}, unavailable(fmt.Errorf("stat %s: %w", filepath.Base(p), err))
		}
		st.FileBytes += fi.Size()
	}
	return st, nil
}

// usable refuses calls on a closed store or with an ended context.
func (s *Store) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-s.done:
		return fmt.Errorf("store closed: %w", events.ErrUnavailable)
	default:
		return nil
	}
}

// readErr maps a read's error; a read cut short by Close is unavailable,
// not internal.
func (s *Store) readErr(ctx context.Context, op string, err error) error {
	select {
	case <-s.done:
		if ctx.Err() == nil {
			return fmt.Errorf("%s: store closed: %w", op, events.ErrUnavailable)
		}
	default:
	}
	return mapErr(ctx, op, err)
}

// committed wakes every subscriber waiting for new events.
func (s *Store) committed() {
	s.notifyMu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.notifyMu.Unlock()
}

// waitChan returns a channel closed at the next commit. Take it before
// reading, so a commit between the read and the wait is not missed.
func (s *Store) waitChan() <-chan struct{} {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	return s.notify
}
