package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// Group commit limits: a batch takes every queued append up to these, so
// one transaction stays bounded in rows and in bytes.
const (
	maxBatchRequests = 1024
	maxBatchEvents   = 16 * 1024
	maxBatchBytes    = 64 << 20
)

// writer owns the only write connection. It takes queued appends in
// batches, writes each in its own savepoint inside one transaction, commits
// (one fsync) and then answers every caller.
//
// It remembers the head and the versions of recently written streams, so a
// single-event append costs one INSERT. What it remembers is checked once
// per batch against PRAGMA data_version, which changes when another
// connection (another process's writer) has committed: then it forgets.
type writer struct {
	s    *Store
	conn *sql.Conn

	// Statements are prepared once on conn and run on it directly: the
	// writer issues BEGIN IMMEDIATE and COMMIT itself, because database/sql
	// re-prepares a connection's statements inside every *sql.Tx.
	begin, commit, rollback                             *sql.Stmt
	dataVersionStmt, headStmt, streamVersion, eventByID *sql.Stmt
	insertEvent                                         *sql.Stmt
	savepoint, release, rollbackTo                      *sql.Stmt

	// head is the last committed position and dataVersion the file's
	// data_version when it was read; known is false until they are read
	// and after any failure, when the file is the only truth.
	known             bool
	head, dataVersion int64
	// versions holds committed stream versions; batch the versions written
	// by the open transaction, merged into versions after its commit.
	versions *versionCache
	batch    map[string]int64
}

func newWriter(ctx context.Context, s *Store) (*writer, error) {
	conn, err := s.writeDB.Conn(ctx)
	if err != nil {
		return nil, mapErr(ctx, "open writer", err)
	}
	w := &writer{s: s, conn: conn, versions: newVersionCache(versionCacheSize), batch: map[string]int64{}}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.begin, "BEGIN IMMEDIATE"},
		{&w.commit, "COMMIT"},
		{&w.rollback, "ROLLBACK"},
		{&w.dataVersionStmt, "PRAGMA data_version"},
		{&w.headStmt, "SELECT coalesce(max(position), 0) FROM events"},
		{&w.streamVersion, streamVersionSQL},
		{&w.eventByID, "SELECT " + eventColumns + " FROM events WHERE id = ?"},
		// No position: SQLite gives a new row the largest rowid plus one,
		// which is the next gap-free position (rows rolled back leave no
		// trace), and appends at the end of the table without a seek.
		{&w.insertEvent, `INSERT INTO events (id, stream, version, type, schema, occurred_at, recorded_at,
			actor_token, actor_role, causation_id, correlation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.savepoint, "SAVEPOINT pnyx_append"},
		{&w.release, "RELEASE pnyx_append"},
		{&w.rollbackTo, "ROLLBACK TO pnyx_append"},
	} {
		if *p.stmt, err = conn.PrepareContext(ctx, p.sql); err != nil {
			w.close()
			return nil, mapErr(ctx, "prepare writer", err)
		}
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.begin, w.commit, w.rollback, w.dataVersionStmt, w.headStmt, w.streamVersion, w.eventByID, w.insertEvent, w.savepoint, w.release, w.rollbackTo} {
		if st != nil {
			st.Close()
		}
	}
	w.conn.Close()
}

// run serves appends until the queue is closed and drained.
func (w *writer) run() {
	defer w.close()
	batch := make([]*appendRequest, 0, 64)
	for req := range w.s.appends {
		batch = append(batch[:0], req)
		n, size := req.events(), req.bytes()
	drain:
		for len(batch) < maxBatchRequests && n < maxBatchEvents && size < maxBatchBytes {
			select {
			case r, ok := <-w.s.appends:
				if !ok {
					break drain
				}
				batch = append(batch, r)
				n += r.events()
				size += r.bytes()
			default:
				break drain
			}
		}
		w.commitBatch(batch)
		clear(batch)
		// Let the callers just answered queue their next appends, so the
		// next batch is not a lone early arrival.
		runtime.Gosched()
	}
}

// commitBatch writes one batch in one transaction and answers its callers.
// An append refused by a rule (wrong expected version, duplicate id) writes
// nothing and does not affect the others: in a batch of several, a
// multi-event append runs in its own savepoint; a single-event one needs
// none, because its only write that can be refused is one INSERT, which
// SQLite undoes alone; an append alone in its batch rolls the transaction
// back. Any other error
// (I/O, a full disk) may have ended the transaction, so it fails the whole
// batch, as does a failed commit.
func (w *writer) commitBatch(batch []*appendRequest) {
	ctx := context.Background() // a batch is not cancelled by any one caller
	if w.s.onBatch != nil {
		w.s.onBatch(batch)
	}
	outs := make([]appendOutcome, len(batch))
	pending := 0
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			outs[i].err = err
			continue
		}
		pending++
	}
	if pending == 0 {
		w.answer(batch, outs)
		return
	}

	if _, err := w.begin.ExecContext(ctx); err != nil {
		w.forget()
		w.failAll(batch, outs, mapErr(ctx, "begin append", err))
		return
	}
	if err := w.sync(ctx); err != nil {
		w.abortBatch(batch, outs, err)
		return
	}
	clear(w.batch)
	head := w.head

	wrote := false
	for i, req := range batch {
		if outs[i].err != nil {
			continue
		}
		// A multi-event append shares the transaction with others only in a
		// batch of several; alone, a refusal rolls the transaction back.
		savepoint := (len(req.evs) > 1 || len(req.parts) > 0) && pending > 1
		if savepoint {
			if _, err := w.savepoint.ExecContext(ctx); err != nil {
				w.abortBatch(batch, outs, mapErr(ctx, "append", err))
				return
			}
		}
		var res events.AppendResult
		var results []events.AppendResult
		var written bool
		var err error
		if req.parts != nil {
			results, written, err = w.appendParts(ctx, req, &head)
		} else {
			res, written, err = w.appendOne(ctx, req, &head)
		}
		if err != nil && !refused(err) {
			w.abortBatch(batch, outs, err)
			return
		}
		if err != nil && pending == 1 {
			w.abort()
			clear(w.batch)
			outs[i].err = err
			w.answer(batch, outs)
			return
		}
		if err != nil {
			outs[i].err = err
			if savepoint {
				if _, err := w.rollbackTo.ExecContext(ctx); err != nil {
					w.abortBatch(batch, outs, mapErr(ctx, "roll back append", err))
					return
				}
			}
		}
		if savepoint {
			if _, err := w.release.ExecContext(ctx); err != nil {
				w.abortBatch(batch, outs, mapErr(ctx, "append", err))
				return
			}
		}
		if err == nil {
			outs[i].res, outs[i].results = res, results
			wrote = wrote || written
		}
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		w.abortBatch(batch, outs, mapErr(ctx, "commit append", err))
		return
	}
	w.head = head
	for stream, v := range w.batch {
		w.versions.put(stream, v)
	}
	clear(w.batch)
	if wrote {
		w.s.committed()
	}
	w.answer(batch, outs)
}

// sync checks, inside the batch's transaction, that what the writer
// remembers is still the file: when another connection has committed
// since, it forgets the stream versions and reads the head again.
func (w *writer) sync(ctx context.Context) error {
	var dv int64
	if err := w.dataVersionStmt.QueryRowContext(ctx).Scan(&dv); err != nil {
		return mapErr(ctx, "read data version", err)
	}
	if w.known && dv == w.dataVersion {
		return nil
	}
	w.versions.reset()
	if err := w.headStmt.QueryRowContext(ctx).Scan(&w.head); err != nil {
		return mapErr(ctx, "read head", err)
	}
	w.known, w.dataVersion = true, dv
	return nil
}

// forget drops everything remembered, after a failure that may have left
// the file other than the writer believes.
func (w *writer) forget() {
	w.known = false
	w.versions.reset()
	clear(w.batch)
}

// version returns stream's last version as the open transaction sees it,
// -1 for a stream with no events.
func (w *writer) version(ctx context.Context, stream string) (int64, error) {
	if v, ok := w.batch[stream]; ok {
		return v, nil
	}
	if v, ok := w.versions.get(stream); ok {
		return v, nil
	}
	var v sql.NullInt64
	if err := w.streamVersion.QueryRowContext(ctx, stream).Scan(&v); err != nil {
		return 0, mapErr(ctx, "read stream version", err)
	}
	if !v.Valid {
		return -1, nil
	}
	return v.Int64, nil
}

// errPositionMismatch and errVersionMismatch fail a batch whose rows did
// not land where the writer counted; they never happen while SQLite assigns
// rowids as documented and data_version tells of other writers.
var (
	errPositionMismatch = errors.New("position mismatch")
	errVersionMismatch  = errors.New("stream version mismatch")
)

// refused reports whether an append's error is a rule's answer, after which
// the transaction is intact.
func refused(err error) bool {
	return errors.Is(err, events.ErrWrongExpectedVersion) || errors.Is(err, events.ErrDuplicateEventID)
}

// abortBatch rolls the transaction back and fails every append of the batch
// not already refused: none of them is written.
func (w *writer) abortBatch(batch []*appendRequest, outs []appendOutcome, err error) {
	w.s.log.Error("event store batch failed", "err", err, "appends", len(batch))
	w.abort()
	w.forget()
	for i := range outs {
		outs[i].res, outs[i].results = events.AppendResult{}, nil
	}
	w.failAll(batch, outs, err)
}

// abort rolls the open transaction back. SQLite may already have rolled it
// back after an I/O error, so a failing ROLLBACK is only logged.
func (w *writer) abort() {
	if _, err := w.rollback.ExecContext(context.Background()); err != nil {
		w.s.log.Warn("event store rollback", "err", err)
	}
}

// failAll replaces every outcome not already failed with err.
func (w *writer) failAll(batch []*appendRequest, outs []appendOutcome, err error) {
	for i := range outs {
		if outs[i].err == nil {
			outs[i] = appendOutcome{err: err}
		}
	}
	w.answer(batch, outs)
}

func (w *writer) answer(batch []*appendRequest, outs []appendOutcome) {
	for i, req := range batch {
		req.done <- outs[i]
	}
}

// appendOne writes one request inside the batch's transaction, advancing
// head. written is false for an idempotent retry. A retry is found by its
// first id: when the expected version does not hold, or when inserting the
// first event breaks the id's UNIQUE constraint (which undoes only that
// statement), so a new append pays no look-up for it.
func (w *writer) appendOne(ctx context.Context, req *appendRequest, head *int64) (res events.AppendResult, written bool, err error) {
	current, err := w.version(ctx, req.stream)
	if err != nil {
		return res, false, err
	}
	if !req.expected.Holds(current) {
		if req.callerIDs {
			if res, found, err := w.retry(ctx, req); found || err != nil {
				return res, false, err
			}
		}
		return res, false, &events.WrongExpectedVersionError{Stream: req.stream, Expected: req.expected, Actual: current}
	}

	recordedAt := w.s.now().UTC()
	recorded := formatTime(recordedAt)
	pos := *head // advanced only once every event is in
	for i, ev := range req.evs {
		pos++
		occurred := recorded
		if !ev.OccurredAt.IsZero() {
			occurred = formatTime(ev.OccurredAt)
		}
		result, err := w.insertEvent.ExecContext(ctx, ev.ID[:], req.stream, current+1+int64(i), ev.Type, ev.Schema,
			occurred, recorded, ev.Actor.TokenID, ev.Actor.Role, nullableID(ev.CausationID), nullableID(ev.CorrelationID),
			string(ev.Data))
		if err != nil {
			if !isUniqueViolation(err) {
				return res, false, mapErr(ctx, "append", err)
			}
			if i == 0 && req.callerIDs {
				if res, found, err := w.retry(ctx, req); found || err != nil {
					return res, false, err
				}
			}
			if _, found, lerr := w.recordedByID(ctx, ev.ID); lerr != nil {
				return res, false, lerr
			} else if !found {
				// The version was free by the writer's count, yet taken.
				return res, false, fmt.Errorf("append to %s: version %d is already taken: %w", req.stream, current+1+int64(i), errVersionMismatch)
			}
			return res, false, fmt.Errorf("append to %s: event %d (%s): %w", req.stream, i, ev.ID, events.ErrDuplicateEventID)
		}
		if i == len(req.evs)-1 {
			// The positions counted here are the ones SQLite gave; if not,
			// the log is not what this writer believes and nothing is written.
			if got, err := result.LastInsertId(); err != nil || got != pos {
				return res, false, fmt.Errorf("append to %s: event stored at position %d, expected %d: %w", req.stream, got, pos, errors.Join(err, errPositionMismatch))
			}
		}
	}
	next := current + int64(len(req.evs))
	w.batch[req.stream] = next
	*head = pos
	return events.AppendResult{NextVersion: next, Position: events.Position(pos)}, true, nil
}

// appendParts writes the parts of an AppendStreams request in order. A
// part without events only checks its condition. When a part is refused,
// what the earlier parts wrote is undone by the caller (savepoint or
// rollback); appendParts restores what the writer counted for them.
func (w *writer) appendParts(ctx context.Context, req *appendRequest, head *int64) ([]events.AppendResult, bool, error) {
	startHead := *head
	prior := make(map[string]*int64, len(req.parts))
	restore := func() {
		*head = startHead
		for stream, v := range prior {
			if v == nil {
				delete(w.batch, stream)
			} else {
				w.batch[stream] = *v
			}
		}
	}
	results := make([]events.AppendResult, len(req.parts))
	written := false
	for i, p := range req.parts {
		if v, ok := w.batch[p.stream]; ok {
			prior[p.stream] = &v
		} else {
			prior[p.stream] = nil
		}
		if len(p.evs) == 0 {
			current, err := w.version(ctx, p.stream)
			if err != nil {
				restore()
				return nil, false, err
			}
			if !p.expected.Holds(current) {
				restore()
				return nil, false, &events.WrongExpectedVersionError{Stream: p.stream, Expected: p.expected, Actual: current}
			}
			results[i] = events.AppendResult{NextVersion: current}
			continue
		}
		res, wrote, err := w.appendOne(ctx, p, head)
		if err != nil {
			restore()
			return nil, false, err
		}
		results[i], written = res, written || wrote
	}
	return results, written, nil
}

// retry looks up req's first event; found, req must re-send the recorded
// append, and the original result is returned.
func (w *writer) retry(ctx context.Context, req *appendRequest) (events.AppendResult, bool, error) {
	first, found, err := w.recordedByID(ctx, req.evs[0].ID)
	if err != nil || !found {
		return events.AppendResult{}, false, err
	}
	res, err := w.retried(ctx, req, first)
	return res, true, err
}

// retried checks that req re-sends events already recorded, in the same
// stream, order and content, and returns the original result.
func (w *writer) retried(ctx context.Context, req *appendRequest, first events.RecordedEvent) (events.AppendResult, error) {
	rec := first
	for i, ev := range req.evs {
		if i > 0 {
			var found bool
			var err error
			if rec, found, err = w.recordedByID(ctx, ev.ID); err != nil {
				return events.AppendResult{}, err
			} else if !found {
				return events.AppendResult{}, fmt.Errorf("append to %s: event %d (%s) was not in the recorded append: %w",
					req.stream, i, ev.ID, events.ErrDuplicateEventID)
			}
		}
		if rec.Stream != req.stream || rec.Version != first.Version+int64(i) || !sameContent(ev, rec) {
			return events.AppendResult{}, fmt.Errorf("append to %s: event %d (%s): %w", req.stream, i, ev.ID, events.ErrDuplicateEventID)
		}
	}
	return events.AppendResult{NextVersion: rec.Version, Position: rec.Position}, nil
}

func (w *writer) recordedByID(ctx context.Context, id uuid.UUID) (events.RecordedEvent, bool, error) {
	rows, err := w.eventByID.QueryContext(ctx, id[:])
	if err != nil {
		return events.RecordedEvent{}, false, mapErr(ctx, "read event", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return events.RecordedEvent{}, false, mapErr(ctx, "read event", rows.Err())
	}
	var sc eventScanner
	ev, err := sc.scan(rows)
	if err != nil {
		return events.RecordedEvent{}, false, mapErr(ctx, "read event", err)
	}
	return ev, true, nil
}

// sameContent compares what the caller sent with what was recorded. A zero
// OccurredAt means "when recorded" and matches any recorded time.
func sameContent(ev events.Event, rec events.RecordedEvent) bool {
	return ev.Type == rec.Type && ev.Schema == rec.Schema && ev.Actor == rec.Actor &&
		ev.CausationID == rec.CausationID && ev.CorrelationID == rec.CorrelationID &&
		string(ev.Data) == string(rec.Data) &&
		(ev.OccurredAt.IsZero() || ev.OccurredAt.Equal(rec.OccurredAt))
}

func nullableID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id[:]
}
