package graphql

import (
	"context"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

// Ledger is the auditors' Merkle tree the ledger field reads;
// *ledger.Ledger implements it. Its answers follow the tree, not the read
// model, so a query that reads it is never answered from the response
// cache.
type Ledger interface {
	// Key is the verifier key of the checkpoints.
	Key() string
	// NewestCheckpoint is the checkpoint of the largest size; not_found
	// while none is signed.
	NewestCheckpoint(ctx context.Context) (ledger.SignedCheckpoint, error)
	// CheckpointAt is the checkpoint signed at size; not_found when none
	// was.
	CheckpointAt(ctx context.Context, size int64) (ledger.SignedCheckpoint, error)
	// Inclusion proves the event at pos is in the tree of size (the
	// newest checkpoint's when 0): not_found for a position the ledger
	// does not hold, invalid for a size beyond the tree or before pos.
	Inclusion(ctx context.Context, pos events.Position, size int64) (ledger.InclusionProofJSON, error)
	// ConsistencyProof proves the tree of size older is a prefix of that
	// of newer: invalid unless 1 <= older <= newer <= the tree's size.
	ConsistencyProof(ctx context.Context, older, newer int64) (tlog.TreeProof, error)
}

var _ Ledger = (*ledger.Ledger)(nil)

type ledgerResolver struct{ *resolver }

func (r *resolver) Ledger() generated.LedgerResolver { return ledgerResolver{r} }

func (r queryResolver) Ledger(ctx context.Context) (*generated.Ledger, error) {
	l, err := r.ledger(ctx)
	if err != nil {
		return nil, err
	}
	return &generated.Ledger{VerifierKey: l.Key()}, nil
}

// ledger is the server's ledger, marking the request's answer uncached;
// an unavailable error when the server keeps none.
func (r *resolver) ledger(ctx context.Context) (Ledger, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	if r.h.opts.Ledger == nil {
		return nil, events.Errorf(events.CodeUnavailable, "the ledger is not served here")
	}
	q.uncached.Store(true)
	return r.h.opts.Ledger, nil
}

func (r ledgerResolver) Checkpoint(ctx context.Context, _ *generated.Ledger, treeSize *int64) (*generated.Checkpoint, error) {
	l, err := r.ledger(ctx)
	if err != nil {
		return nil, err
	}
	c, err := checkpointOf(ctx, l, treeSize)
	if events.ErrorCode(err) == events.CodeNotFound {
		return nil, nil
	}
	return c, err
}

func checkpointOf(ctx context.Context, l Ledger, size *int64) (*generated.Checkpoint, error) {
	var c ledger.SignedCheckpoint
	var err error
	if size == nil {
		c, err = l.NewestCheckpoint(ctx)
	} else {
		c, err = l.CheckpointAt(ctx, *size)
	}
	if err != nil {
		return nil, err
	}
	return &generated.Checkpoint{Origin: c.Origin, TreeSize: c.Size, RootHash: c.Root.String(), Note: string(c.Note)}, nil
}

func (r ledgerResolver) InclusionProof(ctx context.Context, _ *generated.Ledger, position events.Position, treeSize *int64) (*generated.InclusionProof, error) {
	l, err := r.ledger(ctx)
	if err != nil {
		return nil, err
	}
	var size int64
	if treeSize != nil {
		if *treeSize < 1 {
			return nil, events.Invalidf("treeSize %d: want at least 1", *treeSize)
		}
		size = *treeSize
	}
	p, err := l.Inclusion(ctx, position, size)
	if err != nil {
		return nil, err
	}
	c, err := checkpointOf(ctx, l, &p.TreeSize)
	if err != nil && events.ErrorCode(err) != events.CodeNotFound {
		return nil, err
	}
	return &generated.InclusionProof{Position: p.Position, LeafIndex: p.Index, TreeSize: p.TreeSize,
		Leaf: p.Leaf, LeafHash: p.LeafHash, Hashes: p.Proof, Checkpoint: c}, nil
}

func (r ledgerResolver) ConsistencyProof(ctx context.Context, _ *generated.Ledger, from, to int64) (*generated.ConsistencyProof, error) {
	l, err := r.ledger(ctx)
	if err != nil {
		return nil, err
	}
	proof, err := l.ConsistencyProof(ctx, from, to)
	if err != nil {
		return nil, err
	}
	hashes := make([]string, len(proof))
	for i, h := range proof {
		hashes[i] = h.String()
	}
	return &generated.ConsistencyProof{From: from, To: to, Hashes: hashes}, nil
}
