package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readHashes reads stored hashes by index from q.
func (l *Ledger) readHashes(ctx context.Context, q queryer, idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, id := range idx {
		level, n := tlog.SplitStoredHashIndex(id)
		leaf := (n+1)<<level - 1
		var b []byte
		if err := q.QueryRowContext(ctx, `SELECT hashes FROM ledger_leaves WHERE idx = ?`, leaf).Scan(&b); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, &events.Error{Code: events.CodeInternal, Message: "ledger hash missing", Err: fmt.Errorf("stored hash %d (leaf %d)", id, leaf)}
			}
			return nil, unavailable(err)
		}
		if len(b) < (level+1)*tlog.HashSize {
			return nil, &events.Error{Code: events.CodeInternal, Message: "ledger hash damaged", Err: fmt.Errorf("leaf %d holds %d bytes of hashes", leaf, len(b))}
		}
		copy(out[i][:], b[level*tlog.HashSize:])
	}
	return out, nil
}

// hashReader reads the ledger file's stored hashes for tlog.
func (l *Ledger) hashReader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return l.readHashes(ctx, l.db, idx) })
}

// Key returns the ledger's verifier key, as auditors are given it.
func (l *Ledger) Key() string { return l.key.VerifierKey }

// Verifier returns the verifier of the ledger's checkpoints.
func (l *Ledger) Verifier() note.Verifier { return l.key.Verifier }

// Checkpoint returns the newest signed checkpoint, signing one of the
// whole tree first when the tree has grown since (so an export release
// or an auditor gets a checkpoint of everything the ledger holds). It
// returns a not_found error while the tree is empty.
func (l *Ledger) Checkpoint(ctx context.Context) (SignedCheckpoint, error) {
	t := l.Tree()
	if t.Size == 0 {
		return SignedCheckpoint{}, events.Errorf(events.CodeNotFound, "the ledger holds no events yet")
	}
	if err := l.sign(ctx, t); err != nil {
		return SignedCheckpoint{}, err
	}
	return l.CheckpointAt(ctx, t.Size)
}

// CheckpointAt returns the checkpoint signed at size, or a not_found
// error when none was.
func (l *Ledger) CheckpointAt(ctx context.Context, size int64) (SignedCheckpoint, error) {
	var msg []byte
	err := l.db.QueryRowContext(ctx, `SELECT note FROM ledger_checkpoints WHERE size = ?`, size).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return SignedCheckpoint{}, events.Errorf(events.CodeNotFound, "no checkpoint was signed at tree size %d", size)
	}
	if err != nil {
		return SignedCheckpoint{}, unavailable(err)
	}
	return OpenCheckpoint(msg, l.key.Verifier)
}

// Checkpoints returns every checkpoint kept, by size, each as stored (not
// verified: the verifier checks them).
func (l *Ledger) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT note FROM ledger_checkpoints ORDER BY size`)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, unavailable(err)
		}
		out = append(out, b)
	}
	return out, unavailable(rows.Err())
}

// sign signs a checkpoint of tree t unless one exists at its size.
func (l *Ledger) sign(ctx context.Context, t Tree) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_checkpoints WHERE size = ?`, t.Size).Scan(&n); err != nil {
		return unavailable(err)
	}
	if n > 0 {
		return nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	now := l.opts.Now()
	if err := l.storeCheckpoint(ctx, tx, Checkpoint{Origin: l.key.Signer.Name(), Size: t.Size, Root: t.Root}, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return unavailable(err)
	}
	l.mu.Lock()
	if t.Size > l.signed {
		l.signed, l.signedAt = t.Size, now
	}
	l.mu.Unlock()
	return nil
}

// TreeHash returns the root of the tree's first size leaves. It returns
// an invalid error when size exceeds the tree.
func (l *Ledger) TreeHash(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := l.within(size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(size, l.hashReader(ctx))
}

// InclusionProof proves that the leaf at index is in the tree of size
// size (RFC 6962 audit path). It returns an invalid error unless
// 0 <= index < size <= the tree's size.
func (l *Ledger) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.within(size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, events.Invalidf("leaf %d is not in a tree of size %d", index, size)
	}
	return tlog.ProveRecord(size, index, l.hashReader(ctx))
}

// ConsistencyProof proves that the tree of size older is a prefix of the
// tree of size newer. It returns an invalid error unless
// 1 <= older <= newer <= the tree's size.
func (l *Ledger) ConsistencyProof(ctx context.Context, older, newer int64) (tlog.TreeProof, error) {
	if err := l.within(newer); err != nil {
		return nil, err
	}
	if older < 1 || older > newer {
		return nil, events.Invalidf("tree size %d is not between 1 and %d", older, newer)
	}
	return tlog.ProveTree(newer, older, l.hashReader(ctx))
}

// Tile returns the hash tile t (tlog's layout). A tile beyond the tree
// is a not_found error.
func (l *Ledger) Tile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	if t.L < 0 {
		return nil, events.Invalidf("data tiles are the change feed: read GET /v1/events")
	}
	// The tile's last hash, at level H*L, covers the leaves up to
	// (N<<H + W) << (H*L): the tree must reach that far.
	need := (t.N<<uint(t.H) + int64(t.W)) << uint(t.H*t.L)
	if need > l.Tree().Size {
		return nil, events.Errorf(events.CodeNotFound, "tile %s is beyond the tree", t.Path())
	}
	return tlog.ReadTileData(t, l.hashReader(ctx))
}

func (l *Ledger) within(size int64) error {
	if n := l.Tree().Size; size < 0 || size > n {
		return events.Invalidf("tree size %d: the tree holds %d events", size, n)
	}
	return nil
}

// IndexOf returns the leaf index of the event at position pos, or a
// not_found error when the ledger holds no such event.
func (l *Ledger) IndexOf(ctx context.Context, pos events.Position) (int64, error) {
	// Positions ascend with leaf indexes: search for the first leaf at or
	// after pos.
	lo, hi := int64(0), l.Tree().Size
	for lo < hi {
		mid := lo + (hi-lo)/2
		p, err := l.PositionOf(ctx, mid)
		if err != nil {
			return 0, err
		}
		if p < pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < l.Tree().Size {
		if p, err := l.PositionOf(ctx, lo); err != nil {
			return 0, err
		} else if p == pos {
			return lo, nil
		}
	}
	return 0, events.Errorf(events.CodeNotFound, "the ledger holds no event at position %d", pos)
}

// PositionOf returns the position of the event at leaf index idx, or a
// not_found error.
func (l *Ledger) PositionOf(ctx context.Context, idx int64) (events.Position, error) {
	var pos int64
	err := l.db.QueryRowContext(ctx, `SELECT position FROM ledger_leaves WHERE idx = ?`, idx).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, events.Errorf(events.CodeNotFound, "the ledger holds no leaf %d", idx)
	}
	return events.Position(pos), unavailable(err)
}

// LeafHashes calls fn with the recorded hash and position of every leaf
// from index from on, in order, until fn returns false or an error.
func (l *Ledger) LeafHashes(ctx context.Context, from int64, fn func(idx int64, pos events.Position, h tlog.Hash) (bool, error)) error {
	const page = 4096
	for {
		rows, err := l.db.QueryContext(ctx, `SELECT idx, position, hashes FROM ledger_leaves WHERE idx >= ? ORDER BY idx LIMIT ?`, from, page)
		if err != nil {
			return unavailable(err)
		}
		type leaf struct {
			idx int64
			pos events.Position
			h   tlog.Hash
		}
		var got []leaf
		for rows.Next() {
			var lf leaf
			var b []byte
			if err := rows.Scan(&lf.idx, &lf.pos, &b); err != nil {
				rows.Close()
				return unavailable(err)
			}
			copy(lf.h[:], b)
			got = append(got, lf)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return unavailable(err)
		}
		if len(got) == 0 {
			return nil
		}
		for _, lf := range got {
			more, err := fn(lf.idx, lf.pos, lf.h)
			if err != nil || !more {
				return err
			}
		}
		from = got[len(got)-1].idx + 1
	}
}
