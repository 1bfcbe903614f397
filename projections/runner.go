package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Log is the part of the event store the runner reads; events.Store
// satisfies it.
type Log interface {
	// SubscribeAll returns a subscription to every event after position
	// after, catching up and then following live appends without gaps or
	// duplicates (see events.Store).
	SubscribeAll(ctx context.Context, after events.Position) (events.Subscription, error)
	// Head returns the position of the last event, 0 for an empty log.
	Head(ctx context.Context) (events.Position, error)
	// ReadStream reads events of a stream, ErrStreamNotFound when it has
	// none; the runner reads the skip of a failing event with it (see
	// runner_skip.go).
	ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error)
}

// Options tune a Runner. The zero value is ready to use.
type Options struct {
	// Now is the clock for checkpoint times and apply rates; time.Now when
	// nil.
	Now func() time.Time
	// Logger receives swaps, failures and retries; slog.Default() when nil.
	Logger *slog.Logger
	// RateWindow is the span over which Status reports the apply rate;
	// 10 seconds when zero.
	RateWindow time.Duration
	// MaxTxEvents caps the events applied in one transaction when
	// subscription batches are already waiting (catching up, rebuilding);
	// 60,000 when zero. Larger transactions commit less often and let a
	// projection write a row changed many times in a batch once.
	MaxTxEvents int
	// RetryAfter is the first pause before retrying after an error that is
	// not an event's (store unavailable, disk full); it doubles up to 32
	// times itself. One second when zero.
	RetryAfter time.Duration
}

// Runner keeps projections current with the log. It writes the read model
// through one connection of db, which it holds from first use until Close;
// db must allow at least that connection. All methods are safe for
// concurrent use.
type Runner struct {
	db     *sql.DB
	log    Log
	tracks []*track // sorted by name
	byName map[string]*track
	now    func() time.Time
	logger *slog.Logger
	window time.Duration
	retry  time.Duration
	// maxTxEvents caps a transaction when several batches are ready.
	maxTxEvents int

	writeMu sync.Mutex
	conn    *sql.Conn // the writer, under writeMu
	closed  bool

	mu      sync.Mutex    // guards every track's progress fields and changed
	changed chan struct{} // closed and replaced whenever progress changes
	head    events.Position
	running bool
}

// track is one projection and what the runner knows of its builds.
type track struct {
	p   Projection
	sem chan struct{} // held by whoever drives a building build in this process

	// Guarded by Runner.mu.
	builds  map[int64]*buildState
	loaded  bool
	applied uint64 // events applied by this process, all builds
	rate    rateMeter
	lastErr string // the last error that was not an event's, until progress resumes
	fatal   string // why the projection stopped for good in this process (Setup failed)
	caches  map[int64]*stmtCache
}

// buildState is the runner's view of one checkpoint row.
type buildState struct {
	checkpoint
	active bool // being applied by this process now
}

// NewRunner returns a runner of projs over log, writing to the read model
// db (see OpenReadModel). It returns an invalid error for a projection
// without a valid name, with a version below 1, or with the name of
// another. It does no I/O.
func NewRunner(db *sql.DB, log Log, projs []Projection, opts Options) (*Runner, error) {
	if db == nil || log == nil {
		return nil, events.Invalidf("projections runner needs a read model and a log")
	}
	r := &Runner{
		db: db, log: log, byName: map[string]*track{},
		now: opts.Now, logger: opts.Logger, window: opts.RateWindow, retry: opts.RetryAfter,
		changed: make(chan struct{}),
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	if r.window <= 0 {
		r.window = 10 * time.Second
	}
	if r.maxTxEvents = opts.MaxTxEvents; r.maxTxEvents <= 0 {
		r.maxTxEvents = 60_000
	}
	if r.retry <= 0 {
		r.retry = time.Second
	}
	for _, p := range projs {
		if p == nil {
			return nil, events.Invalidf("projection is nil")
		}
		name := p.Name()
		if err := validLogicalName(name); err != nil {
			return nil, events.Invalidf("projection name: %v", err)
		}
		if p.Version() < 1 {
			return nil, events.Invalidf("projection %s: version %d must be at least 1", name, p.Version())
		}
		if r.byName[name] != nil {
			return nil, events.Invalidf("projection %s is given twice", name)
		}
		t := &track{p: p, sem: make(chan struct{}, 1), builds: map[int64]*buildState{}, caches: map[int64]*stmtCache{}}
		t.rate.window = r.window
		r.byName[name] = t
		r.tracks = append(r.tracks, t)
	}
	slices.SortFunc(r.tracks, func(a, b *track) int { return strings.Compare(a.p.Name(), b.p.Name()) })
	return r, nil
}

// Run keeps every projection current until ctx ends, then returns nil. A
// projection whose event fails stops at that event with status failed
// while the others go on; other errors (the store unavailable, the disk
// full) are retried with a growing pause. Run returns an error only when
// the read model cannot be prepared at all, or when called twice at once.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return events.Errorf(events.CodeConflict, "projections runner is already running")
	}
	r.running = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running = false
		r.notifyLocked()
		r.mu.Unlock()
	}()
	if err := r.withConn(ctx, func(*sql.Conn) error { return nil }); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var wg sync.WaitGroup
	for _, t := range r.tracks {
		wg.Go(func() { r.runTrack(ctx, t) })
	}
	wg.Wait()
	return nil
}

// runTrack drives one projection until ctx ends. When one of its events
// fails it waits for a skip of that event (see runner_skip.go).
func (r *Runner) runTrack(ctx context.Context, t *track) {
	pause := r.retry
	for ctx.Err() == nil {
		err := r.step(ctx, t, nil)
		var failed *EventError
		var setup *SetupError
		switch {
		case err == nil, errors.Is(err, errCheckpointMoved):
			pause = r.retry
			continue
		case ctx.Err() != nil:
			return
		case errors.As(err, &failed):
			r.logger.Error("projection stopped at a failing event; it resumes once a skip of the event is recorded", "projection", t.p.Name(),
				"position", uint64(failed.Position), "type", failed.Type, "event_id", failed.EventID.String(), "error", failed.Err)
			r.awaitSkip(ctx, t, failed)
			pause = r.retry
			continue
		case errors.As(err, &setup):
			r.logger.Error("projection stopped: its setup failed", "projection", t.p.Name(), "error", setup.Err)
			r.mu.Lock()
			t.fatal = setup.Error()
			r.notifyLocked()
			r.mu.Unlock()
			<-ctx.Done()
			return
		}
		r.setLastErr(t, err)
		r.logger.Warn("projection paused, will retry", "projection", t.p.Name(), "error", err, "retry_in", pause)
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		pause = min(2*pause, 32*r.retry)
	}
}

// step loads the projection's builds and advances the right one: the
// serving build when it has the projection's version, otherwise a new
// build (resumed if one was started) until it is swapped in. It returns nil
// after a swap, errCheckpointMoved when the checkpoints changed under it.
func (r *Runner) step(ctx context.Context, t *track, progress func(done, total events.Position)) error {
	serving, building, err := r.reload(ctx, t, true)
	if err != nil {
		return err
	}
	if serving != nil && serving.version == t.p.Version() {
		return r.follow(ctx, t, *serving, nil)
	}
	if err := t.acquire(ctx); err != nil {
		return err
	}
	defer t.release()
	if serving, building, err = r.reload(ctx, t, true); err != nil {
		return err
	}
	if serving != nil && serving.version == t.p.Version() {
		return nil // built meanwhile by a Rebuild
	}
	if building == nil {
		if building, err = r.startBuild(ctx, t); err != nil {
			return err
		}
	}
	return r.follow(ctx, t, *building, progress)
}

// reload reads the projection's checkpoints into the track and returns its
// serving build and the newest build of its current version still
// building. With retry, a failure recorded by an earlier run is forgotten
// in memory, since the caller is about to apply that event again.
func (r *Runner) reload(ctx context.Context, t *track, retry bool) (serving, building *checkpoint, err error) {
	var cps []checkpoint
	var passed map[int64][]PassedOver
	if err := r.withConn(ctx, func(c *sql.Conn) (err error) {
		if cps, err = loadCheckpoints(ctx, c, t.p.Name()); err != nil {
			return err
		}
		passed, err = loadPassedOver(ctx, c, t.p.Name())
		return err
	}); err != nil {
		return nil, nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	builds := map[int64]*buildState{}
	for i := range cps {
		c := &cps[i]
		c.passed = passed[c.build]
		bs := &buildState{checkpoint: *c}
		if retry {
			bs.err, bs.failedPosition = "", 0
		}
		if old := t.builds[c.build]; old != nil {
			bs.active = old.active
		}
		builds[c.build] = bs
		switch {
		case c.status == statusServing:
			serving = c
		case c.version == t.p.Version():
			building = c
		}
	}
	for b, cache := range t.caches {
		if builds[b] == nil {
			cache.close()
			delete(t.caches, b)
		}
	}
	t.builds, t.loaded = builds, true
	r.notifyLocked()
	return serving, building, nil
}

// startBuild drops every unfinished build of t and starts a new one of its
// current version, in one transaction.
func (r *Runner) startBuild(ctx context.Context, t *track) (*checkpoint, error) {
	var b buildRef
	err := r.withTx(ctx, func(c *sql.Conn) error {
		cps, err := loadCheckpoints(ctx, c, t.p.Name())
		if err != nil {
			return err
		}
		for _, cp := range cps {
			if cp.status == statusBuilding {
				if err := dropBuild(ctx, c, cp.buildRef); err != nil {
					return err
				}
			}
		}
		b, err = newBuild(ctx, c, t.p, r.now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("start a build of %s: %w", t.p.Name(), err)
	}
	r.logger.Info("projection build started", "projection", b.projection, "version", b.version, "build", b.build)
	cp := checkpoint{buildRef: b, status: statusBuilding}
	r.mu.Lock()
	for id, bs := range t.builds {
		if bs.status == statusBuilding {
			delete(t.builds, id)
		}
	}
	t.builds[b.build] = &buildState{checkpoint: cp}
	r.notifyLocked()
	r.mu.Unlock()
	return &cp, nil
}

func (t *track) acquire(ctx context.Context) error {
	select {
	case t.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *track) release() { <-t.sem }

// Close releases the runner's writer connection and prepared statements.
// Call it after Run and Rebuild have returned; it does not close db.
func (r *Runner) Close() error {
	r.mu.Lock()
	for _, t := range r.tracks {
		for b, c := range t.caches {
			c.close()
			delete(t.caches, b)
		}
	}
	r.mu.Unlock()
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.closed = true
	if r.conn == nil {
		return nil
	}
	err := r.conn.Close()
	r.conn = nil
	return err
}

// withConn runs fn on the writer connection, creating the runner's tables
// on first use.
func (r *Runner) withConn(ctx context.Context, fn func(*sql.Conn) error) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.closed {
		return events.ErrUnavailable
	}
	if r.conn == nil {
		conn, err := r.db.Conn(ctx)
		if err != nil {
			return &events.Error{Code: events.CodeUnavailable, Message: "read model unavailable", Err: err}
		}
		// A larger page cache than SQLite's 2 MB keeps the B-trees of a
		// rebuild in memory instead of re-reading them through syscalls.
		// Temporary storage in memory keeps statement journals (of every
		// statement writing many rows) and the sorts of CREATE INDEX out
		// of temporary files: they live within one transaction, and a
		// crash loses them with it.
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA threads = 2"); err != nil {
			conn.Close()
			return fmt.Errorf("read model cache: %w", err)
		}
		if _, err := conn.ExecContext(ctx, checkpointSchema); err != nil {
			conn.Close()
			return fmt.Errorf("create checkpoint tables: %w", err)
		}
		r.conn = conn
	}
	return fn(r.conn)
}

// withTx runs fn in an immediate transaction on the writer connection,
// committing when fn returns nil and rolling back otherwise.
func (r *Runner) withTx(ctx context.Context, fn func(*sql.Conn) error) error {
	return r.withConn(ctx, func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			if _, rbErr := c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
				r.logger.Error("read model rollback failed", "error", rbErr)
			}
			return err
		}
		if _, err := c.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
			c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return err
		}
		return nil
	})
}

// notifyLocked wakes every waiter on progress. r.mu must be held.
func (r *Runner) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *Runner) setLastErr(t *track, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t.lastErr = err.Error()
	r.notifyLocked()
}
