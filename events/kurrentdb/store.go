package kurrentdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
)

var _ events.Store = (*Store)(nil)

// Options configure a Store. The zero value is usable.
type Options struct {
	// MaxEventBytes limits one event's data; <= 0 means
	// events.DefaultMaxEventBytes (1 MiB).
	MaxEventBytes int
	// MaxAppendBytes limits one append request (data and metadata of every
	// event in it), checked before sending; <= 0 means DefaultMaxAppendBytes.
	// The server's own limit (MaxAppendSize, 1 MiB by default) must be at
	// least this: see docs/DEPLOYMENT.md.
	MaxAppendBytes int
	// Timeout is the deadline of every call to the server that is not a
	// subscription's stream; <= 0 means 10 seconds.
	Timeout time.Duration
	// Now is the clock that stamps recorded_at; nil means time.Now.
	Now func() time.Time
	// Logger receives operational messages, the client's own included (at
	// debug level); nil discards them.
	Logger *slog.Logger
	// IndexedIDs bounds the event ids the store keeps in memory so that an
	// append reads only the events recorded since the previous append to
	// its stream, not the whole stream; <= 0 means 500,000 (some tens of
	// megabytes). Streams used least lately are forgotten first.
	IndexedIDs int
	// Resubscribe is the first wait before a dropped subscription is opened
	// again; it doubles up to 5 seconds. <= 0 means 100 milliseconds.
	Resubscribe time.Duration
}

// DefaultMaxAppendBytes is the default limit of one append request: room
// for a batch of several events at the 1 MiB data limit.
const DefaultMaxAppendBytes = 16 << 20

// Store is the event log on a KurrentDB (or EventStoreDB 20.6+) server. It
// is safe for concurrent use.
type Store struct {
	conn           string
	cfg            kurrentdb.Configuration
	maxEventBytes  int
	maxAppendBytes int
	timeout        time.Duration
	now            func() time.Time
	log            *slog.Logger
	resubscribe    time.Duration
	ids            *idIndex

	mu     sync.Mutex
	client *kurrentdb.Client
	closed bool
	done   chan struct{}
}

// Open connects to the server named by connection string conn (see
// ParseConnectionString) and checks that it answers.
func Open(ctx context.Context, conn string, opts Options) (*Store, error) {
	cfg, err := ParseConnectionString(conn)
	if err != nil {
		return nil, err
	}
	s := &Store{
		conn:           conn,
		maxEventBytes:  opts.MaxEventBytes,
		maxAppendBytes: opts.MaxAppendBytes,
		timeout:        opts.Timeout,
		now:            opts.Now,
		log:            opts.Logger,
		resubscribe:    opts.Resubscribe,
		ids:            newIDIndex(cmp.Or(max(opts.IndexedIDs, 0), defaultIndexedIDs)),
		done:           make(chan struct{}),
	}
	if s.maxEventBytes <= 0 {
		s.maxEventBytes = events.DefaultMaxEventBytes
	}
	if s.maxAppendBytes <= 0 {
		s.maxAppendBytes = DefaultMaxAppendBytes
	}
	if s.timeout <= 0 {
		s.timeout = 10 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.resubscribe <= 0 {
		s.resubscribe = 100 * time.Millisecond
	}
	if cfg.DefaultDeadline == nil {
		cfg.DefaultDeadline = &s.timeout
	}
	log := s.log
	cfg.Logger = func(level kurrentdb.LogLevel, format string, args ...any) {
		log.Debug("kurrentdb client: " + fmt.Sprintf(format, args...))
	}
	s.cfg = *cfg
	if s.client, err = kurrentdb.NewClient(cfg); err != nil {
		return nil, events.Invalidf("%s: %v", describe(conn), redactIn(err.Error(), conn))
	}
	if _, err := s.Head(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", describe(conn), err)
	}
	return s, nil
}

// Close ends the connection. Later calls, and subscriptions' Next, return
// events.ErrUnavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	return s.client.Close()
}

// call runs fn with the current client under the store's deadline and maps
// its error. The client closes itself for good when it cannot discover a
// node; call then gives the store a new client, so the next call (or the
// next resubscription) tries the server again.
func (s *Store) call(ctx context.Context, op string, fn func(ctx context.Context, c *kurrentdb.Client) error) error {
	c, err := s.current(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err = fn(cctx, c)
	if err == nil {
		return nil
	}
	s.renewIfClosed(c, err)
	// mapErr sees the caller's ctx: the caller's own end stays itself,
	// the store's deadline (cctx's) makes the store unavailable.
	return mapErr(ctx, op, err)
}

// current returns the client, or the store's closed error.
func (s *Store) current(ctx context.Context) (*kurrentdb.Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("store closed: %w", events.ErrUnavailable)
	}
	return s.client, nil
}

func (s *Store) renewIfClosed(c *kurrentdb.Client, err error) {
	var ke *kurrentdb.Error
	if !errors.As(err, &ke) || ke.Code() != kurrentdb.ErrorCodeConnectionClosed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.client != c {
		return
	}
	cfg := s.cfg
	fresh, nerr := kurrentdb.NewClient(&cfg)
	if nerr != nil {
		return
	}
	s.log.Warn("kurrentdb client closed itself; reconnecting", "store", Redact(s.conn), "error", err)
	c.Close()
	s.client = fresh
}

// deadline is the per-call deadline given to the client's streaming calls,
// which otherwise have none (checked in v1.4.2: reads and subscriptions
// get math.MaxInt64, other calls DefaultDeadline or 10 seconds).
func (s *Store) deadline() *time.Duration {
	d := s.timeout
	return &d
}
