// Package storetest is the contract suite of events.Store. Every store
// (the embedded SQLite file, KurrentDB) runs the same suite, so a new
// backend is correct when Run passes, not when it looks similar.
//
// The suite does not assume an empty log: each subtest names its own
// streams and event types (outside the event catalog, prefixed x as in
// xdecision-1, except in the catalog subtest, since a store takes an event
// of the catalog only when it decodes), and reads the global log from the head it found,
// so it also runs against a shared server. Subtests run one after another.
package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// Option adjusts the suite to what a store promises.
type Option func(*config)

type config struct {
	gapFree      bool
	idsPerStream bool
}

// GapFree makes the suite check that positions are consecutive, for stores
// that promise a dense global log (the embedded store does). Without it the
// suite checks the contract every store keeps: positions ascend in log
// order, with gaps allowed (KurrentDB's are byte offsets in its log).
func GapFree() Option { return func(c *config) { c.gapFree = true } }

// IDsPerStream is for stores that find a reused event id only within the
// stream it is appended to, because their server keeps no index of ids
// across streams (KurrentDB). The suite then skips, with that reason, the
// check that the same id appended to another stream is refused; every
// other idempotency check still runs.
func IDsPerStream() Option { return func(c *config) { c.idsPerStream = true } }

// Run runs the contract suite. newStore returns a ready store, with the
// default data size limit events.DefaultMaxEventBytes, and registers its
// own cleanup with t; it is called once per subtest.
func Run(t *testing.T, newStore func(t *testing.T) events.Store, opts ...Option) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := suite{config: c, newStore: newStore}
	t.Run("append and read", s.appendAndRead)
	t.Run("expected version", s.expectedVersion)
	t.Run("racing writers", s.racingWriters)
	t.Run("idempotency", s.idempotency)
	t.Run("multi-stream append", s.multiStream)
	t.Run("validation", s.validation)
	t.Run("catalog", s.catalog)
	t.Run("event size", s.eventSize)
	t.Run("read stream", s.readStream)
	t.Run("read all", s.readAll)
	t.Run("subscriptions", s.subscriptions)
	t.Run("cancellation", s.cancellation)
	t.Run("greek text", s.greekText)
}

type suite struct {
	config
	newStore func(t *testing.T) events.Store
}

// unique returns a short random name part, so subtests never share a
// stream or an event type, even on a shared server.
func unique() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
