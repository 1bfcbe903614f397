package events

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// cachedState is a stream's folded state at version. Counter streams are
// cached with a nil state: only their version matters.
type cachedState struct {
	state   any
	version int64
	// lastAt is the latest occurred_at of the stream's events.
	lastAt time.Time
	// keys indexes the ids of the stream's events derived from idempotency
	// keys, up to version at least; nil when not built.
	keys *keyIndex
}

// keyIndex holds the key halves (SameKey) of a stream's keyed event ids.
// It only grows, with events recorded in the log, so every cached version
// of a stream shares one index: for a version it is complete once it was
// built from the stream's start.
type keyIndex struct {
	mu  sync.Mutex
	ids map[[8]byte]uuid.UUID
}

func (k *keyIndex) add(id uuid.UUID) {
	if k == nil || id.Version() != 5 {
		return
	}
	k.mu.Lock()
	if k.ids == nil {
		k.ids = map[[8]byte]uuid.UUID{}
	}
	k.ids[[8]byte(id[:8])] = id
	k.mu.Unlock()
}

// find returns the id recorded with watch's key half.
func (k *keyIndex) find(watch uuid.UUID) uuid.UUID {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ids[[8]byte(watch[:8])]
}

// stateCache keeps recently used folded states, bounded: entries live in
// two generations, and when the young one fills up the old one is dropped,
// so the memory held is at most twice the young generation and an entry
// used in either generation survives.
type stateCache struct {
	mu         sync.Mutex
	limit      int // entries per generation; 0 disables the cache
	young, old map[string]cachedState
}

func newStateCache(size int) *stateCache {
	if size == 0 {
		size = DefaultStateCacheSize
	}
	c := &stateCache{limit: max(size/2, 0)}
	if size > 0 {
		c.limit = max(size/2, 1)
	}
	c.young, c.old = map[string]cachedState{}, map[string]cachedState{}
	return c
}

func (c *stateCache) get(stream string) (cachedState, bool) {
	if c.limit == 0 {
		return cachedState{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.young[stream]; ok {
		return e, true
	}
	e, ok := c.old[stream]
	if ok {
		c.putLocked(stream, e)
	}
	return e, ok
}

func (c *stateCache) put(stream string, e cachedState) {
	if c.limit == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(stream, e)
}

func (c *stateCache) putLocked(stream string, e cachedState) {
	if _, ok := c.young[stream]; !ok && len(c.young) >= c.limit {
		c.old, c.young = c.young, make(map[string]cachedState, c.limit)
	}
	c.young[stream] = e
	delete(c.old, stream)
}

func (c *stateCache) drop(stream string) {
	if c.limit == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.young, stream)
	delete(c.old, stream)
}
