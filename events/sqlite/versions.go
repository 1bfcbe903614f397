package sqlite

// versionCacheSize bounds the stream versions the writer remembers: enough
// for every stream a busy day touches, a few megabytes at most.
const versionCacheSize = 1 << 16

// versionCache maps streams to their last committed version, bounded: when
// the young generation fills up, the old one is dropped, so a stream
// written in either generation stays and memory holds at most twice size/2
// entries. Only the writer goroutine uses it.
type versionCache struct {
	limit      int
	young, old map[string]int64
}

func newVersionCache(size int) *versionCache {
	c := &versionCache{limit: max(size/2, 1)}
	c.reset()
	return c
}

func (c *versionCache) get(stream string) (int64, bool) {
	if v, ok := c.young[stream]; ok {
		return v, true
	}
	v, ok := c.old[stream]
	if ok {
		c.put(stream, v)
	}
	return v, ok
}

func (c *versionCache) put(stream string, v int64) {
	if _, ok := c.young[stream]; !ok && len(c.young) >= c.limit {
		c.old, c.young = c.young, make(map[string]int64, c.limit)
	}
	c.young[stream] = v
	delete(c.old, stream)
}

// reset forgets every stream.
func (c *versionCache) reset() {
	c.young, c.old = map[string]int64{}, map[string]int64{}
}
