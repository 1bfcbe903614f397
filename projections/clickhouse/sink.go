// Package clickhouse owns the ClickHouse side of Pnyx's analytics: the sink
// that copies the event log into ClickHouse (every event, and fact tables
// for ballots and votes, attendance, decisions, procurement money flows,
// request timings and consultation participation), and Engine, which
// answers the analytics.Engine questions from those tables. ClickHouse is
// for a national scale (every municipality's record in one place); one
// municipality is served as well by the embedded engine (analytics/embedded),
// and both give the same answers.
//
// # Exactly once, from at least once
//
// The sink is an external projection: it cannot commit its checkpoint in
// the transaction of the rows it writes, as the runner of package
// projections does in SQLite. It inserts a batch's rows into every table,
// then the batch's last position into the checkpoints table, and on start
// resumes after the highest checkpoint, so a batch cut short is inserted
// again. Every table is a ReplacingMergeTree keyed by the natural id of its
// rows and the position of the event that wrote them, so a row inserted
// twice is the same key twice: merges collapse it, and every query groups
// by the natural id taking argMax(column, position) and never counts raw
// rows, so the answers hold whether or not ClickHouse has merged yet.
//
// # Never in the way
//
// The sink reads the log through a subscription and writes nothing the
// write side or the API waits for. When ClickHouse is unreachable it
// retries with exponential backoff (up to Options.MaxBackoff), while
// Status, /readyz and the metrics report its state, the error and its lag
// behind the log's head. Inserts are batched: up to Options.BatchEvents
// events (10,000) or Options.FlushInterval (1 s), whichever comes first,
// while it follows the log; up to Options.CatchUpEvents (100,000) while it
// catches up from further behind. A batch's tables are inserted at once,
// each on its own connection and as one INSERT of several blocks, while
// the next batch is gathered; only the payloads of the types that make
// fact rows are decoded. Each ballot is written with the faction its
// member held when casting it (see factState), so no question joins the
// ballots with the members' history.
//
// # ClickHouse versions
//
// The schema and every query run on ClickHouse 18.16 (Debian's
// clickhouse-server) as on current releases: the native protocol (the
// client, github.com/ClickHouse/clickhouse-go/v2, does not speak 18.16's
// HTTP), explicit column lists on every insert, none of LowCardinality,
// DateTime64, JSON or Map, no WITH subqueries, joins by USING.
package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

// Log is the part of the event log the sink reads: events.Store satisfies
// it.
type Log interface {
	// SubscribeAll delivers every event after position after, catching up
	// and then following appends, without gaps or duplicates.
	SubscribeAll(ctx context.Context, after events.Position) (events.Subscription, error)
	// Head returns the last position of the log, 0 when empty.
	Head(ctx context.Context) (events.Position, error)
}

// Name is the sink's name in checkpoints, status and metrics.
const Name = "clickhouse"

// StateRetrying is the sink's state while ClickHouse (or the log) fails
// and it waits to try again.
const StateRetrying projections.State = "retrying"

// Defaults of Options.
const (
	DefaultDatabase      = "pnyx"
	DefaultBatchEvents   = 10_000
	DefaultCatchUpEvents = 100_000
	DefaultFlushInterval = time.Second
	DefaultMaxBackoff    = 30 * time.Second
)

// Options configure a Sink. Addr is required.
type Options struct {
	// Addr is the host:port of ClickHouse's native protocol (9000 by
	// default on a server).
	Addr string
	// Database holds the sink's tables; DefaultDatabase when empty. It
	// is created when missing.
	Database           string
	Username, Password string
	// BatchEvents and FlushInterval bound a batch while the sink follows
	// the log; CatchUpEvents bounds one while it is further behind the
	// log's head (a rebuild, a restart after an outage), when no timer
	// cuts it short. The defaults when zero; CatchUpEvents is at least
	// BatchEvents.
	BatchEvents   int
	FlushInterval time.Duration
	CatchUpEvents int
	// MaxBackoff caps the wait between retries; DefaultMaxBackoff when
	// zero. The first wait is 100 ms, doubling.
	MaxBackoff time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

// Validate reports an invalid error for options out of range, as NewSink
// and NewEngine would.
func (o Options) Validate() error { return o.fill() }

func (o *Options) fill() error {
	if o.Addr == "" {
		return events.Invalidf("clickhouse: no address")
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if !validName(o.Database) {
		return events.Invalidf("clickhouse: database %q: want letters, digits and underscores", o.Database)
	}
	if o.BatchEvents <= 0 {
		o.BatchEvents = DefaultBatchEvents
	}
	if o.CatchUpEvents <= 0 {
		o.CatchUpEvents = DefaultCatchUpEvents
	}
	o.CatchUpEvents = max(o.CatchUpEvents, o.BatchEvents)
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

func validName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != "" && len(s) <= 64
}

// Conn opens a connection pool to ClickHouse's native protocol. It does
// not dial: the first query does.
func Conn(o Options) (driver.Conn, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	conn, err := ch.Open(&ch.Options{
		Addr:         []string{o.Addr},
		Auth:         ch.Auth{Database: "default", Username: o.Username, Password: o.Password},
		DialTimeout:  2 * time.Second,
		ReadTimeout:  5 * time.Minute, // an analytics question over a national record may take minutes
		MaxOpenConns: 16,              // a batch inserts its 12 tables at once
		MaxIdleConns: 16,
		Compression:  &ch.Compression{Method: ch.CompressionLZ4},
	})
	if err != nil {
		return nil, &events.Error{Code: events.CodeInvalid, Message: "clickhouse: " + err.Error(), Err: err}
	}
	return conn, nil
}

// Sink copies the log into ClickHouse. Run it once; Status and the
// metrics are safe for concurrent use.
type Sink struct {
	log  Log
	conn driver.Conn
	opts Options

	mu      sync.Mutex
	state   projections.State
	pos     events.Position
	head    events.Position
	lastErr string
	applied uint64
	retries uint64
	rows    uint64
}

// NewSink returns a sink from log into the ClickHouse of opts. It returns
// an invalid error for options out of range; it does not dial.
func NewSink(log Log, opts Options) (*Sink, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	conn, err := Conn(opts)
	if err != nil {
		return nil, err
	}
	return &Sink{log: log, conn: conn, opts: opts, state: projections.StateStarting}, nil
}

// Close closes the connection pool.
func (s *Sink) Close() error { return s.conn.Close() }

// Status reports the sink's progress as a projection status; it does no
// I/O.
func (s *Sink) Status() projections.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := projections.Status{Name: Name, Version: Layout, State: s.state, Position: s.pos, Head: s.head, LastError: s.lastErr,
		Applied: s.applied, Active: s.state == projections.StateRunning || s.state == projections.StateCaughtUp}
	if s.head > s.pos {
		st.Lag = uint64(s.head - s.pos)
	}
	st.ServingPosition = s.pos
	return st
}

func (s *Sink) set(fn func(*Sink)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// Run copies the log into ClickHouse until ctx ends, then returns nil.
// Every failure of ClickHouse or of the log is retried, after a wait that
// doubles up to MaxBackoff and starts again after a batch goes through.
func (s *Sink) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		progressed, err := s.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if progressed {
			backoff = 100 * time.Millisecond
		}
		s.set(func(s *Sink) {
			s.state, s.lastErr = StateRetrying, errorText(err)
			s.retries++
		})
		s.opts.Logger.Warn("analytics sink: retrying", "in", backoff.String(), "err", err)
		if head, herr := s.log.Head(ctx); herr == nil {
			s.set(func(s *Sink) { s.head = head })
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, s.opts.MaxBackoff)
	}
}

func errorText(err error) string {
	if err == nil {
		return "stopped"
	}
	return err.Error()
}

// runOnce makes the schema, reads the checkpoint and copies batches until
// something fails; it reports whether any batch went through.
func (s *Sink) runOnce(ctx context.Context) (progressed bool, err error) {
	if err := s.ensureSchema(ctx); err != nil {
		return false, err
	}
	from, err := s.checkpoint(ctx)
	if err != nil {
		return false, err
	}
	s.set(func(s *Sink) { s.pos = from })
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.log.SubscribeAll(subCtx, from)
	if err != nil {
		return false, fmt.Errorf("subscribe after %d: %w", from, err)
	}
	defer sub.Close()

	// The subscription is read in its own goroutine, so a batch is
	// flushed after FlushInterval even while the log is quiet.
	type delivery struct {
		evs []events.RecordedEvent
		err error
	}
	deliveries := make(chan delivery, 4)
	go func() {
		defer close(deliveries)
		for {
			evs, err := sub.Next(subCtx)
			select {
			case deliveries <- delivery{evs, err}:
			case <-subCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	state := projections.StateRunning
	if head, err := s.log.Head(ctx); err == nil {
		s.set(func(s *Sink) { s.head = head })
		if head == from {
			state = projections.StateCaughtUp
		}
	}
	s.set(func(s *Sink) { s.state, s.lastErr = state, "" })

	fix, err := s.loadFactState(ctx, from)
	if err != nil {
		return false, err
	}

	// Batches are inserted by a flusher of their own, one at a time and in
	// order, while the next batch is gathered; a full batch waits for the
	// flusher to take it, so at most two are in memory. A request without
	// a batch is a barrier: its done is closed once every batch before it
	// is in.
	type flushReq struct {
		b    *batch
		done chan struct{}
	}
	var flushed atomic.Bool
	flushes := make(chan flushReq)
	flushErr := make(chan error, 1)
	var flushing sync.WaitGroup
	defer flushing.Wait()
	defer close(flushes)
	flushing.Go(func() {
		for req := range flushes {
			b := req.b
			if b == nil {
				close(req.done)
				continue
			}
			if err := s.flush(subCtx, b); err != nil {
				flushErr <- err
				cancel()
				for range flushes { // drop what comes after the failure: it is read again
				}
				return
			}
			flushed.Store(true)
			head, herr := s.log.Head(subCtx)
			s.set(func(s *Sink) {
				s.pos = b.last
				s.applied += uint64(b.n)
				if herr == nil {
					s.head = head
				}
				s.head = max(s.head, b.last)
				if s.head == s.pos {
					s.state = projections.StateCaughtUp
				} else {
					s.state = projections.StateRunning
				}
			})
		}
	})
	fail := func(err error) (bool, error) {
		cancel()
		select {
		case ferr := <-flushErr:
			err = ferr
		default:
		}
		return flushed.Load(), err
	}
	handOver := func(req flushReq) error {
		select {
		case flushes <- req:
			return nil
		case err := <-flushErr:
			return err
		case <-subCtx.Done():
			return subCtx.Err()
		}
	}
	b := newBatch(fix, s.opts.BatchEvents)
	send := func() error {
		if b.n == 0 {
			return nil
		}
		if err := handOver(flushReq{b: b}); err != nil {
			return err
		}
		b = newBatch(fix, s.batchLimit(b))
		return nil
	}
	// stored reads ballots for a change read late, once every batch
	// handed over is in ClickHouse.
	stored := func(ctx context.Context, k memberKey, at int64, before uint64) ([]castBallot, error) {
		done := make(chan struct{})
		if err := handOver(flushReq{done: done}); err != nil {
			return nil, err
		}
		select {
		case <-done:
		case err := <-flushErr:
			return nil, err
		case <-subCtx.Done():
			return nil, subCtx.Err()
		}
		return s.ballotsSince(ctx, k, at, before)
	}
	timer := time.NewTimer(s.opts.FlushInterval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case err := <-flushErr:
			return fail(err)
		case d, ok := <-deliveries:
			if !ok {
				return fail(errors.New("subscription ended"))
			}
			if d.err != nil {
				return fail(fmt.Errorf("read the log: %w", d.err))
			}
			for _, re := range d.evs {
				if err := b.gather(subCtx, re, stored); err != nil {
					return fail(err)
				}
				if b.n >= s.batchLimit(b) {
					if err := send(); err != nil {
						return fail(err)
					}
				}
			}
		case <-timer.C:
			if s.batchLimit(b) == s.opts.BatchEvents {
				if err := send(); err != nil {
					return fail(err)
				}
			}
			timer.Reset(s.opts.FlushInterval)
		}
	}
}

// batchLimit is how many events the batch b gathers before it is sent:
// BatchEvents while the sink follows the log, CatchUpEvents while the log's
// head is more than BatchEvents ahead of b. A catch-up batch is also not
// sent by the timer: every insert makes a part of each table on the
// server, and fewer, larger parts are what a copy of the whole log needs.
func (s *Sink) batchLimit(b *batch) int {
	s.mu.Lock()
	head := s.head
	s.mu.Unlock()
	if head > b.last+events.Position(s.opts.BatchEvents) {
		return s.opts.CatchUpEvents
	}
	return s.opts.BatchEvents
}

// Layout is the version of the sink's tables. A database an older sink
// filled is rebuilt: ensureSchema drops the sink's tables and the sink
// copies the log again from its start. 2: each ballot carries its body
// and faction.
const Layout = 2

// layoutTable records the layout of the sink's tables.
var layoutTable = table{name: "layout", orderBy: "version", columns: cols(`version UInt32, written_ns Int64`)}

// ensureSchema creates the database and every table when missing, first
// dropping the tables an older sink filled. It refuses a database of a
// newer layout (an older sink must not write into it), and one of an
// older layout whose tables were made by hand (a cluster's replicated
// tables: their operator makes those of the new layout).
func (s *Sink) ensureSchema(ctx context.Context) error {
	db := s.opts.Database
	if err := s.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		return fmt.Errorf("create database %s: %w", db, err)
	}
	for _, t := range []*table{&layoutTable, &checkpointTable} {
		if err := s.conn.Exec(ctx, t.ddl(db)); err != nil {
			return fmt.Errorf("create table %s: %w", t.name, err)
		}
	}
	var layout uint32
	var filled uint64
	if err := s.conn.QueryRow(ctx, "SELECT toUInt32(max(version)) FROM "+db+"."+layoutTable.name).Scan(&layout); err != nil {
		return fmt.Errorf("read the layout: %w", err)
	}
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+db+".checkpoints").Scan(&filled); err != nil {
		return fmt.Errorf("read the checkpoints: %w", err)
	}
	if layout > Layout {
		return fmt.Errorf("database %s has the tables of layout %d, newer than this sink's %d", db, layout, Layout)
	}
	tables := append([]*table{&eventsTable, &checkpointTable}, factTables...)
	if layout < Layout && filled > 0 {
		var byHand uint64
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND engine != 'ReplacingMergeTree' AND name IN ('"+
			strings.Join(tableNames(tables), "', '")+"')", db).Scan(&byHand); err != nil {
			return fmt.Errorf("read the engines of the tables: %w", err)
		}
		if byHand > 0 {
			return fmt.Errorf("database %s has tables of layout %d made by hand: make those of layout %d (docs/DEPLOYMENT.md)", db, layout, Layout)
		}
		for _, t := range tables {
			if err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+db+"."+t.name); err != nil {
				return fmt.Errorf("drop table %s of layout %d: %w", t.name, layout, err)
			}
		}
		s.opts.Logger.Info("analytics sink: tables of an older layout dropped, to copy the log again", "database", db, "layout", Layout, "was", layout)
	}
	for _, t := range tables {
		if err := s.conn.Exec(ctx, t.ddl(db)); err != nil {
			return fmt.Errorf("create table %s: %w", t.name, err)
		}
	}
	if layout < Layout {
		c := newColumns(&layoutTable, 1)
		c.put([]any{uint32(Layout), s.opts.Now().UnixNano()})
		if err := s.insert(ctx, &layoutTable, c); err != nil {
			return err
		}
	}
	return nil
}

func tableNames(ts []*table) []string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return names
}

// checkpoint reads the last position the sink committed, 0 for none.
func (s *Sink) checkpoint(ctx context.Context) (events.Position, error) {
	var pos uint64
	row := s.conn.QueryRow(ctx, "SELECT max(position) FROM "+s.opts.Database+".checkpoints WHERE sink = ?", Name)
	if err := row.Scan(&pos); err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	return events.Position(pos), nil
}

// flush inserts a batch: every fact table and the events table at once,
// each on a connection of its own (the server takes each insert's parts
// while it receives the next), then, once all of them are in, the
// checkpoint. A failure part way leaves rows that the retry inserts again.
func (s *Sink) flush(ctx context.Context, b *batch) error {
	var rows uint64
	tables := []*table{&eventsTable}
	cols := []*columns{b.events}
	for _, t := range factTables {
		if c := b.rows[t]; c != nil && c.n > 0 {
			tables, cols = append(tables, t), append(cols, c)
			rows += uint64(c.n)
		}
	}
	errs := make([]error, len(tables))
	var wg sync.WaitGroup
	for i := range tables {
		wg.Go(func() { errs[i] = s.insert(ctx, tables[i], cols[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	cp := newColumns(&checkpointTable, 1)
	cp.put([]any{Name, uint64(b.last), s.opts.Now().UnixNano()})
	if err := s.insert(ctx, &checkpointTable, cp); err != nil {
		return err
	}
	s.set(func(s *Sink) { s.rows += rows + uint64(b.events.n) })
	return nil
}

// insertBlockRows is the most rows of one block of an insert. A batch's
// rows go to each table in one INSERT of several blocks, which the server
// gathers into one part (up to its min_insert_block_size_rows, a million),
// while the driver encodes each block into buffers it reuses instead of
// growing them to the whole batch.
var insertBlockRows = 16_384 // a variable for tests only

func (s *Sink) insert(ctx context.Context, t *table, c *columns) error {
	if c.n == 0 {
		return nil
	}
	bt, err := s.conn.PrepareBatch(ctx, t.insert(s.opts.Database))
	if err != nil {
		return fmt.Errorf("insert into %s: %w", t.name, err)
	}
	for lo := 0; lo < c.n; lo += insertBlockRows {
		hi := min(lo+insertBlockRows, c.n)
		for i := range c.cols {
			if err := bt.Column(i).Append(c.rows(i, lo, hi)); err != nil {
				_ = bt.Abort()
				return fmt.Errorf("insert into %s, column %s: %w", t.name, t.columns[i].name, err)
			}
		}
		if hi < c.n {
			if err := bt.Flush(); err != nil {
				return fmt.Errorf("insert into %s: %w", t.name, err)
			}
		}
	}
	if err := bt.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", t.name, err)
	}
	return nil
}

// WaitFor blocks until the sink has committed position pos or ctx ends.
// It polls Status: for tests and tools, not the API.
func (s *Sink) WaitFor(ctx context.Context, pos events.Position) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if s.Status().Position >= pos {
			return nil
		}
		select {
		case <-ctx.Done():
			st := s.Status()
			return fmt.Errorf("clickhouse sink at %d, waiting for %d (%s %s): %w", st.Position, pos, st.State, st.LastError, ctx.Err())
		case <-t.C:
		}
	}
}

var (
	sinkLabels  = []string{"sink"}
	descSinkPos = prometheus.NewDesc("pnyx_analytics_sink_position", "Last log position the analytics sink committed.", sinkLabels, nil)
	descSinkHd  = prometheus.NewDesc("pnyx_analytics_sink_head", "Head of the event log as last seen by the analytics sink.", sinkLabels, nil)
	descSinkLag = prometheus.NewDesc("pnyx_analytics_sink_lag_events", "Events in the log the analytics sink has not committed yet.", sinkLabels, nil)
	descSinkUp  = prometheus.NewDesc("pnyx_analytics_sink_up", "1 while the analytics sink reaches its store, 0 while it retries.", sinkLabels, nil)
	descSinkEv  = prometheus.NewDesc("pnyx_analytics_sink_events_total", "Events the analytics sink committed in this process.", sinkLabels, nil)
	descSinkRow = prometheus.NewDesc("pnyx_analytics_sink_rows_total", "Rows the analytics sink inserted in this process.", sinkLabels, nil)
	descSinkRt  = prometheus.NewDesc("pnyx_analytics_sink_retries_total", "Times the analytics sink failed and waited to retry.", sinkLabels, nil)
)

// RegisterMetrics registers the sink's collector on reg, failing when it
// is registered there already. The metrics are read from Status at scrape
// time.
func (s *Sink) RegisterMetrics(reg prometheus.Registerer) error {
	return reg.Register(sinkCollector{s})
}

type sinkCollector struct{ s *Sink }

func (c sinkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSinkPos, descSinkHd, descSinkLag, descSinkUp, descSinkEv, descSinkRow, descSinkRt} {
		ch <- d
	}
}

func (c sinkCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Status()
	c.s.mu.Lock()
	rows, retries := c.s.rows, c.s.retries
	c.s.mu.Unlock()
	up := 0.0
	if st.State == projections.StateRunning || st.State == projections.StateCaughtUp {
		up = 1
	}
	for _, m := range []struct {
		d *prometheus.Desc
		t prometheus.ValueType
		v float64
	}{
		{descSinkPos, prometheus.GaugeValue, float64(st.Position)},
		{descSinkHd, prometheus.GaugeValue, float64(st.Head)},
		{descSinkLag, prometheus.GaugeValue, float64(st.Lag)},
		{descSinkUp, prometheus.GaugeValue, up},
		{descSinkEv, prometheus.CounterValue, float64(st.Applied)},
		{descSinkRow, prometheus.CounterValue, float64(rows)},
		{descSinkRt, prometheus.CounterValue, float64(retries)},
	} {
		ch <- prometheus.MustNewConstMetric(m.d, m.t, m.v, Name)
	}
}
