package ledger

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// HeaderTreeSize names the header that says which tree size an answer
// reflects (the tree's size, or the size a proof is against).
const HeaderTreeSize = "Pnyx-Tree-Size"

// TileHeight is the height of the tiles served at /ledger/tile/.
const TileHeight = 8

// Route is one endpoint of the ledger: a ServeMux pattern and its handler,
// which writes its answer or returns an error having written nothing.
type Route struct {
	Pattern string
	Handle  func(w http.ResponseWriter, r *http.Request) error
}

// Routes are the ledger's public endpoints, for the server to mount:
//
//	GET /ledger/key                   the verifier key (text)
//	GET /ledger/checkpoint            the newest signed checkpoint (a signed note)
//	GET /ledger/checkpoint?size=N     the checkpoint signed at tree size N
//	GET /ledger/proof/inclusion?position=P[&size=N]
//	                                  the event at P, its leaf and audit path
//	                                  against tree size N (the newest checkpoint's
//	                                  when not given), as InclusionProofJSON
//	GET /ledger/proof/consistency?from=A&to=B
//	                                  the consistency proof, as ConsistencyProofJSON
//	GET /ledger/tile/8/L/NNN[.p/W]    a hash tile in tlog's layout
func (l *Ledger) Routes() []Route {
	return []Route{
		{"GET /ledger/key", l.serveKey},
		{"GET /ledger/checkpoint", l.serveCheckpoint},
		{"GET /ledger/proof/inclusion", l.serveInclusion},
		{"GET /ledger/proof/consistency", l.serveConsistency},
		{"GET /ledger/tile/", l.serveTile},
	}
}

func (l *Ledger) serveKey(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err := w.Write([]byte(l.key.VerifierKey + "\n"))
	return ignoreClient(err)
}

func (l *Ledger) serveCheckpoint(w http.ResponseWriter, r *http.Request) error {
	var c SignedCheckpoint
	var err error
	if r.URL.Query().Has("size") {
		size, perr := intParam(r, "size", 1)
		if perr != nil {
			return perr
		}
		c, err = l.CheckpointAt(r.Context(), size)
	} else {
		c, err = l.NewestCheckpoint(r.Context())
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set(HeaderTreeSize, strconv.FormatInt(c.Size, 10))
	h.Set("ETag", `"`+strconv.FormatInt(c.Size, 10)+`"`)
	_, err = w.Write(c.Note)
	return ignoreClient(err)
}

// NewestCheckpoint returns the checkpoint of the largest size signed, or
// a not_found error while none is; unlike Checkpoint it signs nothing.
func (l *Ledger) NewestCheckpoint(ctx context.Context) (SignedCheckpoint, error) {
	l.mu.Lock()
	size := l.signed
	l.mu.Unlock()
	if size == 0 {
		return SignedCheckpoint{}, events.Errorf(events.CodeNotFound, "no checkpoint is signed yet")
	}
	return l.CheckpointAt(ctx, size)
}

// InclusionProofJSON is an inclusion proof as served and as pnyx verify
// --proof reads it. Hashes are base64, as in checkpoints.
type InclusionProofJSON struct {
	Position events.Position `json:"position"`
	Index    int64           `json:"index"`
	TreeSize int64           `json:"tree_size"`
	// Leaf is the event's canonical bytes (docs/LEDGER.md); LeafHash is
	// its RFC 6962 hash.
	Leaf     string   `json:"leaf"`
	LeafHash string   `json:"leaf_hash"`
	Proof    []string `json:"proof"`
}

// ConsistencyProofJSON is a consistency proof as served.
type ConsistencyProofJSON struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof []string `json:"proof"`
}

// Inclusion builds the inclusion proof of the event at pos against tree
// size size (the newest checkpoint's when size is 0).
func (l *Ledger) Inclusion(ctx context.Context, pos events.Position, size int64) (InclusionProofJSON, error) {
	if size == 0 {
		c, err := l.NewestCheckpoint(ctx)
		if err != nil {
			return InclusionProofJSON{}, err
		}
		size = c.Size
	}
	idx, err := l.IndexOf(ctx, pos)
	if err != nil {
		return InclusionProofJSON{}, err
	}
	proof, err := l.InclusionProof(ctx, idx, size)
	if err != nil {
		return InclusionProofJSON{}, err
	}
	evs, err := l.log.ReadAll(ctx, events.ReadAllOptions{After: pos - 1, Limit: 1})
	if err != nil {
		return InclusionProofJSON{}, err
	}
	if len(evs) != 1 || evs[0].Position != pos {
		return InclusionProofJSON{}, events.Errorf(events.CodeNotFound, "the log holds no event at position %d", pos)
	}
	leaf, err := Leaf(evs[0])
	if err != nil {
		return InclusionProofJSON{}, err
	}
	return InclusionProofJSON{Position: pos, Index: idx, TreeSize: size, Leaf: string(leaf),
		LeafHash: tlog.RecordHash(leaf).String(), Proof: hashStrings(proof)}, nil
}

func (l *Ledger) serveInclusion(w http.ResponseWriter, r *http.Request) error {
	pos, err := intParam(r, "position", 1)
	if err != nil {
		return err
	}
	var size int64
	if r.URL.Query().Has("size") {
		if size, err = intParam(r, "size", 1); err != nil {
			return err
		}
	}
	p, err := l.Inclusion(r.Context(), events.Position(pos), size)
	if err != nil {
		return err
	}
	return writeJSON(w, p.TreeSize, p)
}

func (l *Ledger) serveConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := intParam(r, "from", 1)
	if err != nil {
		return err
	}
	to, err := intParam(r, "to", 1)
	if err != nil {
		return err
	}
	proof, err := l.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, to, ConsistencyProofJSON{From: from, To: to, Proof: hashStrings(proof)})
}

func (l *Ledger) serveTile(w http.ResponseWriter, r *http.Request) error {
	path := strings.TrimPrefix(r.URL.Path, "/ledger/")
	t, err := tlog.ParseTilePath(path)
	if err != nil || t.H != TileHeight {
		return events.Invalidf("tile path %q: want tile/%d/L/N[.p/W] as tlog lays tiles out", truncate(path), TileHeight)
	}
	data, err := l.Tile(r.Context(), t)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if t.W == 1<<TileHeight {
		h.Set("Cache-Control", "public, max-age=31536000, immutable") // a full tile never changes
	}
	_, err = w.Write(data)
	return ignoreClient(err)
}

func writeJSON(w http.ResponseWriter, size int64, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(HeaderTreeSize, strconv.FormatInt(size, 10))
	_, err = w.Write(append(b, '\n'))
	return ignoreClient(err)
}

// intParam reads a decimal parameter of at least lo.
func intParam(r *http.Request, name string, lo int64) (int64, error) {
	vs, ok := r.URL.Query()[name]
	if !ok || len(vs) != 1 {
		return 0, events.Invalidf("%s: give it once", name)
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil || n < lo {
		return 0, events.Invalidf("%s %q: want an integer of at least %d", name, truncate(vs[0]), lo)
	}
	return n, nil
}

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// ignoreClient drops a write error: once an answer has begun, a client
// that goes away is not the ledger's error.
func ignoreClient(error) error { return nil }

// CheckInclusion checks offline that p proves its leaf is in the tree c
// states: the leaf hashes to p's leaf hash, p is against c's size, and the
// audit path leads to c's root. It returns an invalid error saying which
// does not hold.
func CheckInclusion(p InclusionProofJSON, c Checkpoint) error {
	leafHash := tlog.RecordHash([]byte(p.Leaf))
	if p.LeafHash != "" && p.LeafHash != leafHash.String() {
		return events.Invalidf("the proof's leaf does not hash to its leaf_hash")
	}
	if p.TreeSize != c.Size {
		return events.Invalidf("the proof is against tree size %d, the checkpoint is of size %d", p.TreeSize, c.Size)
	}
	proof := make(tlog.RecordProof, len(p.Proof))
	for i, s := range p.Proof {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return events.Invalidf("proof hash %d is not base64 of 32 bytes", i)
		}
		proof[i] = h
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, p.Index, leafHash); err != nil {
		return events.Invalidf("the event at position %d (leaf %d) is not in the checkpoint's tree: %v", p.Position, p.Index, err)
	}
	return nil
}
