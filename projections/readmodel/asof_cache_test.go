package readmodel

import (
	"fmt"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestStreamCache(t *testing.T) {
	evs := func(stream string, from, n int) []events.RecordedEvent {
		out := make([]events.RecordedEvent, n)
		for i := range out {
			out[i] = events.RecordedEvent{Stream: stream, Version: int64(from + i)}
		}
		return out
	}
	t.Run("a stream is extended only from where its cached prefix ends", func(t *testing.T) {
		c := newStreamCache(100)
		c.extend("s", 0, evs("s", 0, 3), make([]events.Payload, 3))
		c.extend("s", 2, evs("s", 2, 3), make([]events.Payload, 3)) // overlaps: another reader was first
		c.extend("s", 3, evs("s", 3, 2), make([]events.Payload, 2))
		c.extend("t", 4, evs("t", 4, 2), make([]events.Payload, 2)) // no prefix from version 0
		got, payloads := c.prefix("s")
		if len(got) != 5 || len(payloads) != 5 || c.held != 5 {
			t.Fatalf("prefix of %d events (%d payloads), %d held; want 5", len(got), len(payloads), c.held)
		}
		for i, re := range got {
			if re.Version != int64(i) {
				t.Fatalf("event %d has version %d", i, re.Version)
			}
		}
		if got, _ := c.prefix("t"); len(got) != 0 {
			t.Errorf("t cached %d events without its start", len(got))
		}
	})
	t.Run("the least recently used streams go first beyond the bound", func(t *testing.T) {
		c := newStreamCache(10)
		for i := range 4 {
			s := fmt.Sprint("s", i)
			c.extend(s, 0, evs(s, 0, 3), make([]events.Payload, 3))
			if i == 1 {
				c.prefix("s0") // used again: s1 is now the oldest
			}
		}
		if c.held > 10 {
			t.Fatalf("%d events held, bound 10", c.held)
		}
		for s, want := range map[string]bool{"s0": true, "s1": false, "s2": true, "s3": true} {
			if got, _ := c.prefix(s); (len(got) > 0) != want {
				t.Errorf("%s cached: %v, want %v", s, len(got) > 0, want)
			}
		}
	})
	t.Run("a nil cache caches nothing", func(t *testing.T) {
		var c *streamCache
		c.extend("s", 0, evs("s", 0, 1), make([]events.Payload, 1))
		if got, _ := c.prefix("s"); got != nil {
			t.Errorf("nil cache returned %d events", len(got))
		}
	})
}
