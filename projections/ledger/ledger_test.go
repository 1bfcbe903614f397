package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/kurrentdb/kurrenttest"
)

// treeOf computes the tree head of evs the plain way: every leaf hashed,
// the tree built in memory by tlog.
func treeOf(t *testing.T, evs []events.RecordedEvent) tlog.Hash {
	t.Helper()
	stored := map[int64]tlog.Hash{}
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, id := range idx {
			out[i] = stored[id]
		}
		return out, nil
	})
	for n, ev := range evs {
		leaf, err := Leaf(ev)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(int64(n), leaf, r)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hs {
			stored[tlog.StoredHashCount(int64(n))+int64(i)] = h
		}
	}
	h, err := tlog.TreeHash(int64(len(evs)), r)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func readAll(t *testing.T, log Log) []events.RecordedEvent {
	t.Helper()
	var out []events.RecordedEvent
	var after events.Position
	for {
		evs, err := log.ReadAll(context.Background(), events.ReadAllOptions{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].Position
	}
}

func TestLedgerFollowsTheLog(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	appendEvents(t, st, 0, 250)
	l := openTestLedger(t, st, Options{Every: 100})
	running(t, l)
	caughtUp(t, l, st)
	appendEvents(t, st, 250, 60) // live appends after catching up
	caughtUp(t, l, st)

	evs := readAll(t, st)
	tree := l.Tree()
	if tree.Size != int64(len(evs)) || tree.Position != evs[len(evs)-1].Position {
		t.Fatalf("tree of %d leaves up to position %d, want %d up to %d", tree.Size, tree.Position, len(evs), evs[len(evs)-1].Position)
	}
	if want := treeOf(t, evs); tree.Root != want {
		t.Fatalf("root %s, want the plain computation's %s", tree.Root, want)
	}

	t.Run("a checkpoint is signed at every multiple of Every", func(t *testing.T) {
		for _, size := range []int64{100, 200, 300} {
			c, err := l.CheckpointAt(ctx, size)
			if err != nil {
				t.Fatal(err)
			}
			if want := treeOf(t, evs[:size]); c.Root != want || c.Origin != testOrigin {
				t.Errorf("checkpoint at %d: %+v, want root %s", size, c.Checkpoint, want)
			}
		}
		if _, err := l.CheckpointAt(ctx, 150); !(events.ErrorCode(err) == events.CodeNotFound) {
			t.Errorf("a checkpoint at 150: %v, want not_found", err)
		}
	})
	t.Run("Checkpoint signs the whole tree", func(t *testing.T) {
		c, err := l.Checkpoint(ctx)
		if err != nil || c.Size != 310 || c.Root != tree.Root {
			t.Fatalf("Checkpoint = %+v, %v", c.Checkpoint, err)
		}
		if _, err := OpenCheckpoint(c.Note, l.Verifier()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("proofs check against the checkpoints", func(t *testing.T) {
		c300, _ := l.CheckpointAt(ctx, 300)
		c310, _ := l.Checkpoint(ctx)
		for _, idx := range []int64{0, 1, 99, 150, 299} {
			p, err := l.InclusionProof(ctx, idx, 300)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := LeafHash(evs[idx])
			if err := tlog.CheckRecord(p, 300, c300.Root, idx, h); err != nil {
				t.Errorf("leaf %d: %v", idx, err)
			}
		}
		p, err := l.ConsistencyProof(ctx, 300, 310)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, 310, c310.Root, 300, c300.Root); err != nil {
			t.Error(err)
		}
		if _, err := l.InclusionProof(ctx, 300, 300); !(events.ErrorCode(err) == events.CodeInvalid) {
			t.Errorf("leaf 300 in a tree of 300: %v, want invalid", err)
		}
		if _, err := l.ConsistencyProof(ctx, 10, 311); !(events.ErrorCode(err) == events.CodeInvalid) {
			t.Errorf("a size past the tree: %v, want invalid", err)
		}
	})
	t.Run("tiles hold the stored hashes", func(t *testing.T) {
		tile := tlog.TileForIndex(8, tlog.StoredHashIndex(0, 255))
		data, err := l.Tile(ctx, tile)
		if err != nil || len(data) != 256*tlog.HashSize {
			t.Fatalf("tile %s: %d bytes, %v", tile.Path(), len(data), err)
		}
		h, _ := tlog.HashFromTile(tile, data, tlog.StoredHashIndex(0, 17))
		if want, _ := LeafHash(evs[17]); h != want {
			t.Errorf("leaf 17 in the tile is %s, want %s", h, want)
		}
		// A monitor reads the tree through tiles alone and gets the root.
		r := tlog.TileHashReader(tlog.Tree{N: 310, Hash: tree.Root}, tileReader{l})
		if got, err := tlog.TreeHash(310, r); err != nil || got != tree.Root {
			t.Errorf("root from tiles = %s, %v", got, err)
		}
		if _, err := l.Tile(ctx, tlog.Tile{H: 8, L: 0, N: 2, W: 256}); !(events.ErrorCode(err) == events.CodeNotFound) {
			t.Errorf("a tile past the tree: %v, want not_found", err)
		}
	})
	t.Run("reopened, it continues where it was", func(t *testing.T) {
		l2 := reopen(t, l)
		if got := l2.Tree(); got != tree {
			t.Fatalf("reopened tree %+v, want %+v", got, tree)
		}
	})
}

// tileReader serves tiles from a ledger, as a monitor's client would
// fetch them over HTTP.
type tileReader struct{ l *Ledger }

func (r tileReader) Height() int { return 8 }
func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := r.l.Tile(context.Background(), t)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func TestLedgerOnKurrentDB(t *testing.T) {
	srv, err := kurrenttest.Start(kurrenttest.Options{})
	if err != nil {
		t.Skipf("KurrentDB test double: %v", err)
	}
	t.Cleanup(srv.Close)
	st, err := kurrentdb.Open(context.Background(), srv.URL(), kurrentdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	appendEvents(t, st, 0, 120)
	l := openTestLedger(t, st, Options{Every: 50})
	running(t, l)
	caughtUp(t, l, st)
	evs := readAll(t, st)
	if got, want := l.Tree(), treeOf(t, evs); got.Root != want || got.Size != 120 {
		t.Fatalf("tree %+v, want 120 leaves with root %s", got, want)
	}
	// Positions on KurrentDB are not dense: the ledger maps them.
	idx, err := l.IndexOf(context.Background(), evs[77].Position)
	if err != nil || idx != 77 {
		t.Fatalf("IndexOf(%d) = %d, %v; want 77", evs[77].Position, idx, err)
	}
}

// TestLedgerOnKurrentDBAcrossStreams follows a KurrentDB log written by
// atomic appends across streams, while they are written, beside appends
// to one stream: each event of an append is a leaf of its own, at its own
// position, and the ledger's order is the log's.
func TestLedgerOnKurrentDBAcrossStreams(t *testing.T) {
	srv, err := kurrenttest.Start(kurrenttest.Options{})
	if err != nil {
		t.Skipf("KurrentDB test double: %v", err)
	}
	t.Cleanup(srv.Close)
	ctx := context.Background()
	st, err := kurrentdb.Open(ctx, srv.URL(), kurrentdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l := openTestLedger(t, st, Options{Every: 16})
	running(t, l)
	note := func(n int) events.Event {
		return events.Event{Type: "test.noted", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		appendEvents(t, st, 0, 30)
	}()
	go func() {
		defer wg.Done()
		for i := range 30 {
			if _, err := st.AppendStreams(ctx,
				events.StreamAppend{Stream: fmt.Sprintf("cmd-%d", i), Expected: events.NoStream, Events: []events.Event{note(i), note(i)}},
				events.StreamAppend{Stream: "counter-1", Expected: events.Any, Events: []events.Event{note(i)}},
				events.StreamAppend{Stream: "test-0", Expected: events.Any}); err != nil {
				t.Errorf("append %d: %v", i, err)
				return
			}
		}
	}()
	wg.Wait()
	caughtUp(t, l, st)
	evs := readAll(t, st)
	if got, want := l.Tree(), treeOf(t, evs); got.Root != want || got.Size != 120 || len(evs) != 120 {
		t.Fatalf("tree %+v of %d events, want 120 leaves with root %s", got, len(evs), want)
	}
	for i, ev := range evs {
		if idx, err := l.IndexOf(ctx, ev.Position); err != nil || idx != int64(i) {
			t.Fatalf("IndexOf(%d) = %d, %v; want %d", ev.Position, idx, err, i)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "ledger.key")
	k, err := LoadOrCreateKey(path, "kallithea.example/pnyx")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	again, err := LoadOrCreateKey(path, "kallithea.example/pnyx")
	if err != nil || again.VerifierKey != k.VerifierKey {
		t.Fatalf("the key read back differs: %v", err)
	}
	if _, err := LoadOrCreateKey(path, "other.example/pnyx"); !(events.ErrorCode(err) == events.CodeInvalid) {
		t.Errorf("a key of another origin: %v, want invalid", err)
	}
	if _, err := LoadOrCreateKey(path, "bad origin"); !(events.ErrorCode(err) == events.CodeInvalid) {
		t.Errorf("an origin with a space: %v, want invalid", err)
	}
	c, err := k.Sign(Checkpoint{Origin: "kallithea.example/pnyx", Size: 3, Root: tlog.RecordHash(nil)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVerifierKey(k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(c.Note, v); err != nil {
		t.Fatalf("a checkpoint does not open with the published key: %v", err)
	}
	other := testKey(t, "kallithea.example/pnyx")
	if _, err := OpenCheckpoint(c.Note, other.Verifier); !errors.Is(err, ErrBadSignature) {
		t.Errorf("opened with another key of the same name: %v, want ErrBadSignature", err)
	}
}
