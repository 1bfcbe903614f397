package readmodel

import (
	"container/list"
	"sync"

	"github.com/pnyx-civic/pnyx/events"
)

// asOfCacheEvents bounds the events AsOf keeps decoded, all streams
// together: about 60 MB for events of the demo municipality's size.
const asOfCacheEvents = 100_000

// streamCache keeps the decoded events of the streams AsOf read last, so
// asking again for an entity (at another point, or after it changed) reads
// and decodes only the events it has not seen: the log is append-only, so
// a stream's prefix never changes and needs no invalidation. Reading and
// decoding are most of the cost of a fold; folding 1,000 decoded events
// into a view is a fraction of a millisecond. The least recently used
// streams are dropped beyond max events. Safe for concurrent use: a
// stream's slices are only ever appended to under mu, past the length any
// reader holds.
type streamCache struct {
	mu      sync.Mutex
	max     int
	held    int
	streams map[string]*list.Element // of *cachedStream
	lru     list.List                // front: most recently used
}

// cachedStream is the first len(evs) events of a stream, from version 0,
// with their payloads (nil for a type this build does not know).
type cachedStream struct {
	stream   string
	evs      []events.RecordedEvent
	payloads []events.Payload
}

func newStreamCache(max int) *streamCache {
	return &streamCache{max: max, streams: map[string]*list.Element{}}
}

// prefix returns the cached events of stream from version 0; empty when
// none are cached. A nil cache caches nothing.
func (c *streamCache) prefix(stream string) ([]events.RecordedEvent, []events.Payload) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.streams[stream]
	if e == nil {
		return nil, nil
	}
	c.lru.MoveToFront(e)
	s := e.Value.(*cachedStream)
	return s.evs, s.payloads
}

// extend adds evs, the events of stream that follow its first from events,
// unless another reader has extended it meanwhile.
func (c *streamCache) extend(stream string, from int, evs []events.RecordedEvent, payloads []events.Payload) {
	if c == nil || len(evs) == 0 || len(evs) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.streams[stream]
	if e == nil {
		if from != 0 {
			return
		}
		e = c.lru.PushFront(&cachedStream{stream: stream})
		c.streams[stream] = e
	}
	c.lru.MoveToFront(e)
	s := e.Value.(*cachedStream)
	if len(s.evs) != from {
		return
	}
	s.evs = append(s.evs, evs...)
	s.payloads = append(s.payloads, payloads...)
	c.held += len(evs)
	for c.held > c.max {
		last := c.lru.Back()
		old := last.Value.(*cachedStream)
		c.lru.Remove(last)
		delete(c.streams, old.stream)
		c.held -= len(old.evs)
	}
}
