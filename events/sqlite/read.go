package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

const eventColumns = `position, id, stream, version, type, schema, occurred_at, recorded_at,
	actor_token, actor_role, causation_id, correlation_id, data`

// readStatements are the reads, prepared once on the read pool; database/sql
// prepares each on a pooled connection the first time it runs there.
type readStatements struct {
	head, streamVersion, streamForwards, streamBackwards *sql.Stmt
	// all is indexed by the filters used: bit 0 a type prefix, bit 1 a
	// stream prefix.
	all [4]*sql.Stmt
}

const (
	filterType = 1 << iota
	filterStream
)

func prepareReads(ctx context.Context, db *sql.DB) (*readStatements, error) {
	r := &readStatements{}
	queries := []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&r.head, "SELECT coalesce(max(position), 0) FROM events"},
		{&r.streamVersion, streamVersionSQL},
		{&r.streamForwards, "SELECT " + eventColumns + " FROM events WHERE stream = ? AND version >= ? ORDER BY version LIMIT ?"},
		{&r.streamBackwards, "SELECT " + eventColumns + " FROM events WHERE stream = ? AND version <= ? ORDER BY version DESC LIMIT ?"},
	}
	for filters := range r.all {
		// Numbered parameters: every variant takes the same four arguments.
		q := "SELECT " + eventColumns + " FROM events WHERE position > ?1"
		// substr and length count characters of TEXT, so a prefix with
		// Greek letters compares whole characters.
		if filters&filterType != 0 {
			q += " AND substr(type, 1, length(?2)) = ?2"
		}
		if filters&filterStream != 0 {
			q += " AND substr(stream, 1, length(?3)) = ?3"
		}
		queries = append(queries, struct {
			stmt **sql.Stmt
			sql  string
		}{&r.all[filters], q + " ORDER BY position LIMIT ?4"})
	}
	for _, q := range queries {
		var err error
		if *q.stmt, err = db.PrepareContext(ctx, q.sql); err != nil {
			r.close()
			return nil, mapErr(ctx, "prepare reads", err)
		}
	}
	return r, nil
}

func (r *readStatements) close() {
	for _, st := range append([]*sql.Stmt{r.head, r.streamVersion, r.streamForwards, r.streamBackwards}, r.all[:]...) {
		if st != nil {
			st.Close()
		}
	}
}

// ReadStream reads up to opts.Limit events of stream from version opts.From,
// forwards or backwards (From < 0 backwards starts at the last event). It
// returns events.ErrStreamNotFound when the stream has no events.
func (s *Store) ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	limit := events.ClampLimit(opts.Limit)
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.readErr(ctx, "read stream", err)
	}
	defer tx.Rollback()

	// One read transaction: the existence check and the read see the same
	// snapshot.
	var version sql.NullInt64
	if err := tx.StmtContext(ctx, s.reads.streamVersion).QueryRowContext(ctx, stream).Scan(&version); err != nil {
		return nil, s.readErr(ctx, "read stream", err)
	} else if !version.Valid {
		return nil, fmt.Errorf("%s: %w", stream, events.ErrStreamNotFound)
	}
	last := version.Int64

	var rows *sql.Rows
	switch opts.Direction {
	case events.Forwards:
		from := max(opts.From, 0)
		rows, err = tx.StmtContext(ctx, s.reads.streamForwards).QueryContext(ctx, stream, from, limit)
	case events.Backwards:
		from := opts.From
		if from < 0 || from > last {
			from = last
		}
		rows, err = tx.StmtContext(ctx, s.reads.streamBackwards).QueryContext(ctx, stream, from, limit)
	default:
		return nil, events.Invalidf("read %s: unknown direction %d", stream, opts.Direction)
	}
	if err != nil {
		return nil, s.readErr(ctx, "read stream", err)
	}
	evs, err := collect(rows, limit)
	if err != nil {
		return nil, s.readErr(ctx, "read events", err)
	}
	return evs, nil
}

// ReadAll reads up to opts.Limit events after position opts.After, in
// position order, keeping those whose type and stream start with the
// prefixes given.
func (s *Store) ReadAll(ctx context.Context, opts events.ReadAllOptions) ([]events.RecordedEvent, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if opts.After > events.Position(math.MaxInt64) {
		return nil, events.Invalidf("read all: position %d is out of range", opts.After)
	}
	filters := 0
	if opts.TypePrefix != "" {
		filters |= filterType
	}
	if opts.StreamPrefix != "" {
		filters |= filterStream
	}
	limit := events.ClampLimit(opts.Limit)
	rows, err := s.reads.all[filters].QueryContext(ctx, int64(opts.After), opts.TypePrefix, opts.StreamPrefix, limit)
	if err != nil {
		return nil, s.readErr(ctx, "read all", err)
	}
	evs, err := collect(rows, limit)
	if err != nil {
		return nil, s.readErr(ctx, "read events", err)
	}
	return evs, nil
}

func collect(rows *sql.Rows, limit int) ([]events.RecordedEvent, error) {
	defer rows.Close()
	out := make([]events.RecordedEvent, 0, min(limit, 256))
	var sc eventScanner
	for rows.Next() {
		ev, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// eventScanner reads rows of eventColumns, reusing its buffers for the
// columns that are parsed rather than returned.
type eventScanner struct {
	id, cause, corr, occurred, recorded sql.RawBytes
}

func (sc *eventScanner) scan(rows *sql.Rows) (events.RecordedEvent, error) {
	var (
		ev   events.RecordedEvent
		pos  int64
		data []byte
	)
	err := rows.Scan(&pos, &sc.id, &ev.Stream, &ev.Version, &ev.Type, &ev.Schema, &sc.occurred, &sc.recorded,
		&ev.Actor.TokenID, &ev.Actor.Role, &sc.cause, &sc.corr, &data)
	if err != nil {
		return ev, err
	}
	ev.Position = events.Position(pos)
	ev.Data = data
	if ev.ID, err = uuid.FromBytes(sc.id); err != nil {
		return ev, fmt.Errorf("event at %d: id: %w", pos, err)
	}
	if ev.CausationID, err = optionalID(sc.cause); err != nil {
		return ev, fmt.Errorf("event at %d: causation id: %w", pos, err)
	}
	if ev.CorrelationID, err = optionalID(sc.corr); err != nil {
		return ev, fmt.Errorf("event at %d: correlation id: %w", pos, err)
	}
	if ev.OccurredAt, err = parseTime(sc.occurred); err != nil {
		return ev, fmt.Errorf("event at %d: occurred_at: %w", pos, err)
	}
	if ev.RecordedAt, err = parseTime(sc.recorded); err != nil {
		return ev, fmt.Errorf("event at %d: recorded_at: %w", pos, err)
	}
	return ev, nil
}

func optionalID(b []byte) (uuid.UUID, error) {
	if b == nil {
		return uuid.Nil, nil
	}
	return uuid.FromBytes(b)
}
