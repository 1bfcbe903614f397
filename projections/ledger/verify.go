package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// Audit is what Verify checks: the log's events in order, the signed
// checkpoints, and, when there is one, the ledger's own record of each
// leaf.
type Audit struct {
	// Events calls yield with every event of the log in log order, from
	// the first; it stops at yield's first error and returns it.
	Events func(ctx context.Context, yield func(events.RecordedEvent) error) error
	// Checkpoints are signed notes as published, in any order.
	Checkpoints [][]byte
	// Verifiers check the checkpoints' signatures: the ledger's key, and
	// its earlier keys after a rotation.
	Verifiers []note.Verifier
	// Recorded, when set, gives the leaf hash and position the ledger
	// recorded at each index from 0 on (Ledger.LeafHashes), so a changed
	// event is named exactly even between checkpoints.
	Recorded func(ctx context.Context, fn func(idx int64, pos events.Position, h tlog.Hash) (bool, error)) error
	// Consistency, when set, proves from the ledger's file that the tree
	// of size older is a prefix of the tree of size newer
	// (Ledger.ConsistencyProof); every pair of consecutive checkpoints
	// within the file's tree is then checked with it as well.
	Consistency func(ctx context.Context, older, newer int64) (tlog.TreeProof, error)
	// RecordedRoot, when set, is the root of the ledger file's tree at a
	// size (Ledger.TreeHash): each checkpoint within the file's tree is
	// compared with it first.
	RecordedRoot func(ctx context.Context, size int64) (tlog.Hash, error)
	// RecordedSize is the size of the ledger file's tree, for
	// RecordedRoot and Consistency.
	RecordedSize int64
	// Progress, when set, is told the number of events checked now and
	// then.
	Progress func(done int64)
}

// Report is what a verification found when nothing diverged.
type Report struct {
	Events      int64
	Position    events.Position // of the last event, 0 for none
	Root        tlog.Hash
	Checkpoints int // verified, each a prefix of the recomputed tree
	Newest      int64
}

// DivergedError names the first place where the log, the ledger's record
// and the signed checkpoints disagree. Position is that of the first
// event that differs when it is known exactly; otherwise the divergence
// lies in the positions after After up to Position.
type DivergedError struct {
	Position events.Position
	After    events.Position // with Ranged, the divergence is somewhere in (After, Position]
	Ranged   bool
	Index    int64 // leaf index, -1 when not an event's
	Reason   string
}

func (e *DivergedError) Error() string {
	switch {
	case e.Index < 0:
		return "diverged: " + e.Reason
	case e.Ranged:
		return fmt.Sprintf("diverged between positions %d and %d: %s", e.After+1, e.Position, e.Reason)
	}
	return fmt.Sprintf("diverged at position %d (leaf %d): %s", e.Position, e.Index, e.Reason)
}

// Verify recomputes the tree from a.Events and checks it against every
// checkpoint and the ledger's record. It returns a *DivergedError naming
// the first divergence; an invalid error when a checkpoint cannot be read
// at all; the source's error when the events cannot be read.
func Verify(ctx context.Context, a Audit) (Report, error) {
	cps, err := openCheckpoints(a.Checkpoints, a.Verifiers)
	if err != nil {
		return Report{}, err
	}
	if a.RecordedRoot != nil {
		for _, c := range cps {
			if c.Size > a.RecordedSize {
				break
			}
			root, err := a.RecordedRoot(ctx, c.Size)
			if err != nil {
				return Report{}, err
			}
			if root != c.Root {
				return Report{}, &DivergedError{Index: -1, Reason: fmt.Sprintf("the checkpoint of size %d is signed by the ledger's key, but its root is not the ledger's tree at that size: it comes from a forked log, or the ledger file was rewritten", c.Size)}
			}
		}
	}
	if a.Consistency != nil {
		for i := 1; i < len(cps); i++ {
			older, newer := cps[i-1], cps[i]
			if newer.Size > a.RecordedSize {
				break
			}
			p, err := a.Consistency(ctx, older.Size, newer.Size)
			if err != nil {
				return Report{}, err
			}
			if tlog.CheckTree(p, newer.Size, newer.Root, older.Size, older.Root) != nil {
				return Report{}, &DivergedError{Index: -1, Reason: fmt.Sprintf("the checkpoints of sizes %d and %d are not consistent with each other through the ledger's tree: one of them is of another (forked) log, or the ledger file was rewritten", older.Size, newer.Size)}
			}
		}
	}
	var rec *recordedCursor
	if a.Recorded != nil {
		rec = newRecordedCursor(ctx, a.Recorded)
		defer rec.stop()
	}
	frontier := frontierReader{}
	var n int64
	var last, goodPos events.Position // goodPos: last event of the last checkpoint that held
	next := 0                         // the next checkpoint to reach
	var mismatch *DivergedError       // the first checkpoint whose root the log does not have
	var mismatchSize int64
	err = a.Events(ctx, func(ev events.RecordedEvent) error {
		if ev.Position <= last {
			return &DivergedError{Position: ev.Position, Index: n, Reason: fmt.Sprintf("position %d comes after %d: the log is out of order", ev.Position, last)}
		}
		h, err := LeafHash(ev)
		if err != nil {
			return &DivergedError{Position: ev.Position, Index: n, Reason: err.Error()}
		}
		if rec != nil {
			rpos, rh, ok, err := rec.next()
			if err != nil {
				return err
			}
			switch {
			case !ok:
				// The ledger has not seen this event yet: nothing to compare.
				rec = nil
			case rpos < ev.Position:
				return &DivergedError{Position: rpos, Index: n, Reason: fmt.Sprintf("the ledger recorded an event at position %d that the log no longer has (it has position %d next): an event was deleted", rpos, ev.Position)}
			case rpos > ev.Position:
				return &DivergedError{Position: ev.Position, Index: n, Reason: fmt.Sprintf("the log has an event at position %d that the ledger never recorded (it recorded %d next): an event was inserted", ev.Position, rpos)}
			case rh != h:
				return &DivergedError{Position: ev.Position, Index: n, Reason: "the event is not the one the ledger recorded at this position: it was changed (or moved) after it was recorded"}
			}
		}
		hashes, err := tlog.StoredHashesForRecordHash(n, h, frontier)
		if err != nil {
			return err
		}
		base := tlog.StoredHashCount(n)
		for i, sh := range hashes {
			frontier[base+int64(i)] = sh
		}
		n++
		last = ev.Position
		if len(frontier) > 256 {
			keep := frontierReader{}
			for _, id := range frontierIndexes(n) {
				keep[id] = frontier[id]
			}
			frontier = keep
		}
		for next < len(cps) && cps[next].Size == n {
			root, err := tlog.TreeHash(n, frontier)
			if err != nil {
				return err
			}
			switch {
			case root != cps[next].Root && mismatch == nil:
				mismatch = &DivergedError{Position: last, After: goodPos, Ranged: true, Index: n - 1,
					Reason: fmt.Sprintf("the log's first %d events do not have the root that the checkpoint of size %d signs", n, n)}
				mismatchSize = n
			case root == cps[next].Root && mismatch != nil:
				// A later checkpoint holds, and it commits to every event
				// before it: the log is whole, the earlier checkpoint is
				// of another log.
				return &DivergedError{Index: -1, Reason: fmt.Sprintf("the checkpoint of size %d is signed by the ledger's key but is not of this log, which the later checkpoint of size %d confirms: it comes from a forked log", mismatchSize, n)}
			case root == cps[next].Root:
				goodPos = last
			}
			next++
		}
		if a.Progress != nil && n%65536 == 0 {
			a.Progress(n)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	if a.Progress != nil {
		a.Progress(n)
	}
	if mismatch != nil {
		return Report{}, mismatch
	}
	if next < len(cps) {
		return Report{}, &DivergedError{Position: last, Index: -1,
			Reason: fmt.Sprintf("the log ends after %d events (position %d), but a checkpoint of size %d was signed: events were removed from its end", n, last, cps[next].Size)}
	}
	if rec != nil {
		if rpos, _, ok, err := rec.next(); err != nil {
			return Report{}, err
		} else if ok {
			return Report{}, &DivergedError{Position: rpos, Index: n,
				Reason: fmt.Sprintf("the ledger recorded an event at position %d after the log's last (%d): events were removed from its end", rpos, last)}
		}
	}
	root, _ := tlog.TreeHash(n, frontier)
	r := Report{Events: n, Position: last, Root: root, Checkpoints: len(cps)}
	if len(cps) > 0 {
		r.Newest = cps[len(cps)-1].Size
	}
	return r, nil
}

// openCheckpoints verifies and sorts the checkpoints, refusing two of one
// size with different roots (a log that forked).
func openCheckpoints(notes [][]byte, vs []note.Verifier) ([]Checkpoint, error) {
	var cps []Checkpoint
	for _, msg := range notes {
		c, err := OpenCheckpoint(msg, vs...)
		if err != nil {
			if errors.Is(err, ErrBadSignature) {
				size := "?"
				if body, perr := ParseCheckpoint(noteText(msg)); perr == nil {
					size = fmt.Sprint(body.Size)
				}
				return nil, &DivergedError{Index: -1, Reason: fmt.Sprintf("the checkpoint of size %s is not signed by the ledger's key %s: forged, or of another log", size, vs[0].Name())}
			}
			return nil, err
		}
		cps = append(cps, c.Checkpoint)
	}
	slices.SortFunc(cps, func(a, b Checkpoint) int { return int(a.Size - b.Size) })
	for i := 1; i < len(cps); i++ {
		if cps[i].Size == cps[i-1].Size && cps[i].Root != cps[i-1].Root {
			return nil, &DivergedError{Index: -1, Reason: fmt.Sprintf("two checkpoints of size %d, both signed, state different roots: the log forked", cps[i].Size)}
		}
	}
	return slices.CompactFunc(cps, func(a, b Checkpoint) bool { return a == b }), nil
}

// recordedCursor walks the ledger's recorded leaves beside the log.
type recordedCursor struct {
	ch     chan recordedLeaf
	cancel context.CancelFunc
	err    chan error
}

type recordedLeaf struct {
	pos events.Position
	h   tlog.Hash
}

func newRecordedCursor(ctx context.Context, walk func(ctx context.Context, fn func(idx int64, pos events.Position, h tlog.Hash) (bool, error)) error) *recordedCursor {
	ctx, cancel := context.WithCancel(ctx)
	c := &recordedCursor{ch: make(chan recordedLeaf, 4096), cancel: cancel, err: make(chan error, 1)}
	go func() {
		defer close(c.ch)
		c.err <- walk(ctx, func(_ int64, pos events.Position, h tlog.Hash) (bool, error) {
			select {
			case c.ch <- recordedLeaf{pos, h}:
				return true, nil
			case <-ctx.Done():
				return false, nil
			}
		})
	}()
	return c
}

func (c *recordedCursor) next() (events.Position, tlog.Hash, bool, error) {
	l, ok := <-c.ch
	if !ok {
		if err := <-c.err; err != nil {
			c.err <- err
			return 0, tlog.Hash{}, false, err
		}
		c.err <- nil
		return 0, tlog.Hash{}, false, nil
	}
	return l.pos, l.h, true, nil
}

func (c *recordedCursor) stop() {
	c.cancel()
	for range c.ch {
	}
}

// noteText is the text of a signed note, before the blank line that
// starts its signatures.
func noteText(msg []byte) string {
	s := string(msg)
	if i := strings.LastIndex(s, "\n\n"); i >= 0 {
		return s[:i+1]
	}
	return s
}
