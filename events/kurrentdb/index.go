package kurrentdb

import (
	"container/list"
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// defaultIndexedIDs bounds the event ids the store keeps in memory.
const defaultIndexedIDs = 500_000

// idIndex remembers, for the streams appended to lately, the version of
// each recorded event id, so that an append reads only the events recorded
// since the last one instead of the whole stream. It is exact with any
// number of writers: the log is append-only, so what it holds stays true,
// and every use first reads the stream's newer events. Streams used least
// lately are forgotten past the bound, and read whole again when needed.
type idIndex struct {
	mu      sync.Mutex
	max     int
	total   int
	streams map[string]*list.Element // of *streamIDs
	lru     *list.List               // front: used most lately
}

type streamIDs struct {
	stream  string
	version int64 // the last version indexed; -1 for none
	ids     map[uuid.UUID]int64
}

func newIDIndex(max int) *idIndex {
	return &idIndex{max: max, streams: map[string]*list.Element{}, lru: list.New()}
}

// known returns the last version indexed for stream, -1 for none.
func (x *idIndex) known(stream string) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	if el, ok := x.streams[stream]; ok {
		return el.Value.(*streamIDs).version
	}
	return -1
}

// add indexes evs, the events of stream from version from on, read in
// order, and returns the stream's current version and the version of each
// of ids (-1 when not recorded). It returns ok == false when evs cannot
// join what the index holds (the stream was forgotten meanwhile): the
// caller reads again from the start.
func (x *idIndex) add(stream string, from int64, evs []events.RecordedEvent, ids []uuid.UUID) (current int64, found []int64, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	el, exists := x.streams[stream]
	if !exists {
		if from > 0 {
			return 0, nil, false
		}
		e := &streamIDs{stream: stream, version: -1, ids: map[uuid.UUID]int64{}}
		if len(evs) > 0 {
			// A stream truncated by the server starts after version 0.
			e.version = evs[0].Version - 1
		}
		el = x.lru.PushFront(e)
		x.streams[stream] = el
	}
	e := el.Value.(*streamIDs)
	if from > e.version+1 {
		return 0, nil, false
	}
	x.lru.MoveToFront(el)
	for _, ev := range evs {
		if ev.Version == e.version+1 {
			e.ids[ev.ID] = ev.Version
			e.version = ev.Version
			x.total++
		}
	}
	found = make([]int64, len(ids))
	for i, id := range ids {
		v, ok := e.ids[id]
		if !ok {
			v = -1
		}
		found[i] = v
	}
	for x.total > x.max && x.lru.Len() > 1 {
		old := x.lru.Back()
		oe := old.Value.(*streamIDs)
		x.total -= len(oe.ids)
		delete(x.streams, oe.stream)
		x.lru.Remove(old)
	}
	return e.version, found, true
}

// lookup reads stream's events recorded since the index last saw it and
// returns its current version and the version at which each of ids is
// recorded (-1 for none).
func (s *Store) lookup(ctx context.Context, stream string, ids []uuid.UUID) (int64, []int64, error) {
	for {
		from := s.ids.known(stream) + 1
		var newer []events.RecordedEvent
		for {
			page, err := s.ReadStream(ctx, stream, events.ReadStreamOptions{From: from + int64(len(newer)), Limit: events.MaxReadLimit})
			if err != nil && !isNotFound(err) {
				return 0, nil, err
			}
			newer = append(newer, page...)
			if len(page) < events.MaxReadLimit {
				break
			}
		}
		if current, found, ok := s.ids.add(stream, from, newer, ids); ok {
			return current, found, nil
		}
		// Forgotten while being read: known is -1 now, read from the start.
	}
}
