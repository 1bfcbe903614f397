package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
)

// maxAppendAttempts bounds how often an append retries after losing a race
// for its stream to another writer while its own condition still holds
// (only Any and StreamExists can).
const maxAppendAttempts = 64

// Append writes evs to stream atomically.
//
// Idempotency is Pnyx's, not the server's: the server deduplicates a retry
// only in some cases (an exact expected version whose following events
// carry the same ids, or a recent id cache for Any). So Append first reads
// the stream's events recorded since it last looked (the store's index of
// recent streams' ids, index.go), answers a retry of recorded ids with the
// original result, and otherwise appends at the exact version it found;
// losing a race to another writer makes it look again. A reused id is found within the
// stream only: KurrentDB has no index of event ids across streams, so the
// same id appended to another stream is not refused (the contract suite
// runs with storetest.IDsPerStream for this store).
func (s *Store) Append(ctx context.Context, stream string, expected events.Expected, evs ...events.Event) (events.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return events.AppendResult{}, err
	}
	if err := events.ValidateAppend(stream, s.maxEventBytes, evs); err != nil {
		return events.AppendResult{}, err
	}
	batch, ids := prepare(evs)
	for attempt := 0; ; attempt++ {
		current, found, err := s.lookup(ctx, stream, ids)
		if err != nil {
			return events.AppendResult{}, err
		}
		if res, isRetry, err := s.retried(ctx, stream, batch, found); isRetry || err != nil {
			return res, err
		}
		if !expected.Holds(current) {
			return events.AppendResult{}, &events.WrongExpectedVersionError{Stream: stream, Expected: expected, Actual: current}
		}
		res, err := s.write(ctx, stream, current, batch)
		var wrong *events.WrongExpectedVersionError
		if errors.As(err, &wrong) && attempt < maxAppendAttempts {
			continue // another writer got there first: look again
		}
		if wrong != nil {
			wrong.Expected = expected
		}
		return res, err
	}
}

// prepare normalises batch (ids, schemas) in a copy the caller may keep.
func prepare(evs []events.Event) ([]events.Event, []uuid.UUID) {
	batch := make([]events.Event, len(evs))
	copy(batch, evs)
	ids := make([]uuid.UUID, len(batch))
	for i := range batch {
		// The client would give a nil id a random one of its own (checked
		// in v1.4.2, as in v4); Pnyx sets every id, so a retry of this
		// very call cannot duplicate it.
		if batch[i].ID == uuid.Nil {
			batch[i].ID = events.NewEventID()
		}
		if batch[i].Schema == 0 {
			batch[i].Schema = 1
		}
		ids[i] = batch[i].ID
	}
	return batch, ids
}

// eventData is ev as the client sends it, recorded at now, with its
// metadata encoded by encode; it also returns the bytes it counts against
// the append limit.
func eventData(ev events.Event, now time.Time, encode func(events.Event, time.Time) []byte) (kurrentdb.EventData, int) {
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = now
	}
	d := kurrentdb.EventData{
		EventID:     ev.ID,
		EventType:   ev.Type,
		ContentType: kurrentdb.ContentTypeJson,
		Data:        ev.Data,
		Metadata:    encode(ev, now),
	}
	return d, len(d.Data) + len(d.Metadata)
}

// write appends batch after version current, stamping it with the clock.
func (s *Store) write(ctx context.Context, stream string, current int64, batch []events.Event) (events.AppendResult, error) {
	now := s.now().UTC()
	data := make([]kurrentdb.EventData, len(batch))
	size := 0
	for i, ev := range batch {
		var n int
		data[i], n = eventData(ev, now, encodeMetadata)
		size += n
	}
	if size > s.maxAppendBytes {
		return events.AppendResult{}, events.Invalidf("append to %s: %d bytes with metadata, over the limit of %d per append", stream, size, s.maxAppendBytes)
	}
	var state kurrentdb.StreamState = kurrentdb.NoStream{}
	if current >= 0 {
		state = kurrentdb.StreamRevision{Value: uint64(current)}
	}
	var wr *kurrentdb.WriteResult
	err := s.call(ctx, "append to "+stream, func(ctx context.Context, c *kurrentdb.Client) error {
		var err error
		wr, err = c.AppendToStream(ctx, stream, kurrentdb.AppendToStreamOptions{StreamState: state}, data...)
		return err
	})
	if errors.Is(err, events.ErrWrongExpectedVersion) {
		return events.AppendResult{}, &events.WrongExpectedVersionError{Stream: stream, Actual: actualFrom(err, current)}
	}
	if err != nil {
		return events.AppendResult{}, err
	}
	// The server answers with the commit position of the write's last
	// event: Pnyx's position of the last event appended.
	res := events.AppendResult{NextVersion: current + int64(len(batch)), Position: events.Position(wr.CommitPosition)}
	return res, nil
}

// actualFrom reads the stream's actual version from the client's wrong
// expected version error. The client keeps it only in its message
// ("expecting 'X' but got 'Y'", v1.4.2); when the message says otherwise,
// the version read before the append is the best answer, and Append reads
// the stream again anyway.
func actualFrom(err error, fallback int64) int64 {
	msg := err.Error()
	const marker = "but got '"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return fallback
	}
	rest := msg[i+len(marker):]
	j := strings.IndexByte(rest, '\'')
	if j < 0 {
		return fallback
	}
	if rest[:j] == "no_stream" {
		return -1
	}
	v, perr := strconv.ParseInt(rest[:j], 10, 64)
	if perr != nil || v < 0 {
		return fallback
	}
	return v
}

// retried reports whether batch re-sends events already recorded; found
// is the version of each of its ids in the stream (-1 for none). It
// returns the original result when every event is there, in order and
// with the same content; events.ErrDuplicateEventID when only some are,
// or with other content.
func (s *Store) retried(ctx context.Context, stream string, batch []events.Event, found []int64) (events.AppendResult, bool, error) {
	some := false
	for _, v := range found {
		some = some || v >= 0
	}
	if !some {
		return events.AppendResult{}, false, nil
	}
	first := found[0]
	for i, v := range found {
		if first < 0 || v != first+int64(i) {
			return events.AppendResult{}, true, fmt.Errorf("append to %s: some ids were recorded in another append: %w", stream, events.ErrDuplicateEventID)
		}
	}
	recorded, err := s.ReadStream(ctx, stream, events.ReadStreamOptions{From: first, Limit: len(batch)})
	if err != nil {
		return events.AppendResult{}, true, err
	}
	if len(recorded) != len(batch) {
		return events.AppendResult{}, true, &events.Error{Code: events.CodeInternal, Message: "append to " + stream + ": recorded events missing from the stream"}
	}
	for i, ev := range batch {
		if rec := recorded[i]; rec.ID != ev.ID || !sameContent(ev, rec) {
			return events.AppendResult{}, true, fmt.Errorf("append to %s: event %d (%s): %w", stream, i, ev.ID, events.ErrDuplicateEventID)
		}
	}
	last := recorded[len(recorded)-1]
	return events.AppendResult{NextVersion: last.Version, Position: last.Position}, true, nil
}

// isNotFound reports a stream without events.
func isNotFound(err error) bool { return errors.Is(err, events.ErrStreamNotFound) }

// sameContent compares what the caller sent with what was recorded. A zero
// OccurredAt means "when recorded" and matches any recorded time.
func sameContent(ev events.Event, rec events.RecordedEvent) bool {
	return ev.Type == rec.Type && ev.Schema == rec.Schema && ev.Actor == rec.Actor &&
		ev.CausationID == rec.CausationID && ev.CorrelationID == rec.CorrelationID &&
		string(ev.Data) == string(rec.Data) &&
		(ev.OccurredAt.IsZero() || ev.OccurredAt.Equal(rec.OccurredAt))
}
