package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
	"golang.org/x/sync/errgroup"

	"github.com/pnyx-civic/pnyx/events"
)

// lookupsAtOnce bounds the stream reads an AppendStreams runs at once
// (an import's commit reads hundreds of streams).
const lookupsAtOnce = 8

// streamPart is one part of an AppendStreams call as the store works on
// it: its events normalised, and the stream's state as last read.
type streamPart struct {
	events.StreamAppend
	ids     []uuid.UUID
	current int64   // the stream's version when last read; -1 for none
	found   []int64 // the version of each of ids in the stream, -1 for none
}

// AppendStreams writes every part in one atomic step, through KurrentDB's
// AppendRecords (KurrentDB 26.1 and later; see "Commands across streams"
// in the package documentation).
//
// As Append does, it first reads each stream it names (the events
// recorded since the store last looked, for the parts with events; the
// version, for the others), answers a retry of recorded ids with the
// original results, and checks each part's Expected. It then sends every
// event, in the parts' order, with one consistency check per part at the
// exact version it found, whether the part writes or only rests on the
// stream: the server evaluates every check and commits every event in one
// transaction, or refuses the whole request. A check that fails because
// another writer got there first makes it look again.
func (s *Store) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := events.ValidateAppendStreams(s.maxEventBytes, parts); err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		res, err := s.Append(ctx, parts[0].Stream, parts[0].Expected, parts[0].Events...)
		if err != nil {
			return nil, err
		}
		return []events.AppendResult{res}, nil
	}
	if err := distinctIgnoringCase(parts); err != nil {
		return nil, err
	}
	work := make([]*streamPart, len(parts))
	for i, p := range parts {
		w := &streamPart{StreamAppend: p}
		if len(p.Events) > 0 {
			w.Events, w.ids = prepare(p.Events)
		}
		work[i] = w
	}
	for attempt := 0; ; attempt++ {
		if err := s.lookupParts(ctx, work); err != nil {
			return nil, err
		}
		if res, isRetry, err := s.retriedParts(ctx, work); isRetry || err != nil {
			return res, err
		}
		for _, w := range work {
			if !w.Expected.Holds(w.current) {
				return nil, &events.WrongExpectedVersionError{Stream: w.Stream, Expected: w.Expected, Actual: w.current}
			}
		}
		res, err := s.writeParts(ctx, work)
		var wrong *events.WrongExpectedVersionError
		if errors.As(err, &wrong) && attempt < maxAppendAttempts {
			continue // another writer got there first: look again
		}
		if wrong != nil {
			for _, w := range work {
				if w.Stream == wrong.Stream {
					wrong.Expected = w.Expected
				}
			}
		}
		return res, err
	}
}

// distinctIgnoringCase refuses two parts whose streams differ only in
// case: KurrentDB's AppendRecords groups a request's streams ignoring
// case, so it would check and write them as one stream.
func distinctIgnoringCase(parts []events.StreamAppend) error {
	seen := make(map[string]string, len(parts))
	for _, p := range parts {
		f := foldCase(p.Stream)
		if prev, ok := seen[f]; ok {
			return events.Invalidf("append: streams %s and %s differ only in case, which KurrentDB cannot write in one step", prev, p.Stream)
		}
		seen[f] = p.Stream
	}
	return nil
}

// lookupParts reads the state of every part's stream, a few at a time.
func (s *Store) lookupParts(ctx context.Context, work []*streamPart) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(lookupsAtOnce)
	for _, w := range work {
		g.Go(func() error {
			if len(w.Events) > 0 {
				var err error
				w.current, w.found, err = s.lookup(gctx, w.Stream, w.ids)
				return err
			}
			v, err := s.StreamVersion(gctx, w.Stream)
			switch {
			case isNotFound(err):
				v = -1
			case err != nil:
				return err
			}
			w.current = v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}

// retriedParts reports whether the call re-sends a recorded one: every
// part with events re-sends events recorded in its stream (checked as
// Append checks one stream), and every check-only part still holds. It
// returns the original results then. Ids recorded for some parts and not
// others are events.ErrDuplicateEventID: the store writes a call whole or
// not at all, so such a call is not a retry of one.
func (s *Store) retriedParts(ctx context.Context, work []*streamPart) ([]events.AppendResult, bool, error) {
	results := make([]events.AppendResult, len(work))
	recorded, fresh := 0, 0
	for i, w := range work {
		if len(w.Events) == 0 {
			continue
		}
		res, isRetry, err := s.retried(ctx, w.Stream, w.Events, w.found)
		if err != nil {
			return nil, true, err
		}
		if isRetry {
			recorded++
			results[i] = res
		} else {
			fresh++
		}
	}
	switch {
	case recorded == 0:
		return nil, false, nil
	case fresh > 0:
		return nil, true, fmt.Errorf("append to %d streams: the ids of some parts were recorded by another append: %w", len(work), events.ErrDuplicateEventID)
	}
	for i, w := range work {
		if len(w.Events) > 0 {
			continue
		}
		if !w.Expected.Holds(w.current) {
			return nil, true, &events.WrongExpectedVersionError{Stream: w.Stream, Expected: w.Expected, Actual: w.current}
		}
		results[i] = events.AppendResult{NextVersion: w.current}
	}
	return results, true, nil
}

// writeParts sends one AppendRecords request: every part's events in
// order, and a check of every part's stream at the version found. A
// failed check is a *events.WrongExpectedVersionError for the first part
// whose check failed.
func (s *Store) writeParts(ctx context.Context, work []*streamPart) ([]events.AppendResult, error) {
	now := s.now().UTC()
	var records []kurrentdb.AppendRecord
	checks := make([]kurrentdb.ConsistencyCheck, len(work))
	size := 0
	for i, w := range work {
		var state kurrentdb.StreamState = kurrentdb.NoStream{}
		if w.current >= 0 {
			state = kurrentdb.StreamRevision{Value: uint64(w.current)}
		}
		checks[i] = kurrentdb.StreamStateCheck{Stream: w.Stream, ExpectedState: state}
		for _, ev := range w.Events {
			d, n := eventData(ev, now, encodeProperties)
			records = append(records, kurrentdb.AppendRecord{Stream: w.Stream, Record: d})
			size += n
		}
	}
	if size > s.maxAppendBytes {
		return nil, events.Invalidf("append to %d streams: %d bytes with metadata, over the limit of %d per append", len(work), size, s.maxAppendBytes)
	}
	op := fmt.Sprintf("append to %d streams", len(work))
	var resp *kurrentdb.AppendRecordsResponse
	err := s.call(ctx, op, func(ctx context.Context, c *kurrentdb.Client) error {
		var err error
		resp, err = c.AppendRecords(ctx, records, checks...)
		return err
	})
	if err != nil {
		return nil, s.recordsErr(err, work)
	}
	results := make([]events.AppendResult, len(work))
	revisions := make(map[string]int64, len(resp.Responses))
	for _, r := range resp.Responses {
		revisions[r.Stream] = r.StreamRevision
	}
	for i, w := range work {
		next := w.current + int64(len(w.Events))
		if got, ok := revisions[w.Stream]; len(w.Events) > 0 && (!ok || got != next) {
			return nil, &events.Error{Code: events.CodeInternal, Message: op,
				Err: fmt.Errorf("the server answered revision %d (given: %v) for %s, the store counted %d", got, ok, w.Stream, next)}
		}
		results[i] = events.AppendResult{NextVersion: next}
	}
	if err := s.positions(ctx, work, results, events.Position(resp.Position)); err != nil {
		// The events are recorded: a retry of the call answers them.
		return nil, &events.Error{Code: events.CodeInternal, Message: op + ": recorded, but the positions could not be read back", Err: err}
	}
	return results, nil
}

// recordsErr maps an AppendRecords error. A consistency violation becomes
// a *events.WrongExpectedVersionError naming the first part whose check
// failed, with the version the server saw.
func (s *Store) recordsErr(err error, work []*streamPart) error {
	var ke *kurrentdb.Error
	if errors.As(err, &ke) && ke.Code() == kurrentdb.ErrorCodeUnsupportedFeature {
		return &events.Error{Code: events.CodeInternal,
			Message: "the KurrentDB server does not offer AppendRecords: commands that rest on other streams need KurrentDB 26.1 or later", Err: err}
	}
	var cv *kurrentdb.AppendConsistencyViolationError
	if !errors.As(err, &cv) || len(cv.Violations) == 0 {
		return err
	}
	first := cv.Violations[0]
	for _, v := range cv.Violations {
		if v.CheckIndex < first.CheckIndex {
			first = v
		}
	}
	actual := int64(-1)
	if r, ok := first.ActualState.(kurrentdb.StreamRevision); ok {
		actual = int64(r.Value)
	}
	wrong := &events.WrongExpectedVersionError{Stream: first.Stream, Actual: actual}
	if i := int(first.CheckIndex); i >= 0 && i < len(work) {
		wrong.Stream, wrong.Expected = work[i].Stream, work[i].Expected
	}
	return wrong
}

// positions fills in each written part's position: that of its last
// event. The server answers the position of the request's last event
// only. One transaction's events lie together in the log, in the
// request's order, so the others are the events just before it: one read
// of $all backwards, from the leader, which acknowledged the write. Each
// is recognised by its id; a part whose event is not among them (a server
// that laid them out otherwise) is read from its stream.
func (s *Store) positions(ctx context.Context, work []*streamPart, results []events.AppendResult, last events.Position) error {
	var ids []uuid.UUID
	for _, w := range work {
		ids = append(ids, w.ids...)
	}
	type place struct {
		stream string
		pos    events.Position
	}
	lastPart := work[len(work)-1]
	for _, w := range work {
		if len(w.Events) > 0 {
			lastPart = w
		}
	}
	at := map[uuid.UUID]place{ids[len(ids)-1]: {lastPart.Stream, last}}
	if len(ids) > 1 {
		from := kurrentdb.Position{Commit: uint64(last), Prepare: uint64(last)}
		err := s.call(ctx, "read the positions of an append", func(ctx context.Context, c *kurrentdb.Client) error {
			return s.recvAll(ctx, c, kurrentdb.ReadAllOptions{Direction: kurrentdb.Backwards, From: from, RequiresLeader: true}, uint64(len(ids)-1),
				func(re *kurrentdb.ResolvedEvent) bool {
					if re.Event != nil {
						at[re.Event.EventID] = place{re.Event.StreamID, position(re.Event.Position)}
					}
					return true
				})
		})
		if err != nil {
			return err
		}
	}
	for i, w := range work {
		if len(w.Events) == 0 {
			continue
		}
		if p, ok := at[w.ids[len(w.ids)-1]]; ok && p.stream == w.Stream {
			results[i].Position = p.pos
			continue
		}
		evs, err := s.ReadStream(ctx, w.Stream, events.ReadStreamOptions{From: results[i].NextVersion, Limit: 1})
		if err != nil {
			return err
		}
		if len(evs) != 1 || evs[0].ID != w.ids[len(w.ids)-1] {
			return fmt.Errorf("%s: event %d is not the one appended", w.Stream, results[i].NextVersion)
		}
		results[i].Position = evs[0].Position
	}
	return nil
}

// foldCase maps s to one spelling of all those equal to it ignoring case
// (Unicode simple folding, as strings.EqualFold: "ς", "σ" and "Σ" are
// one), a little wider than the server's ordinal comparison ignoring case.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
