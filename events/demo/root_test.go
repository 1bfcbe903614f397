package demo_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

// Pinned is the demo world of seed 1 in its first two months
// (demo.Truncated(Options{Seed: 1, Years: 1}, 2)), recorded at importedAt
// with the citizens' references and sealed texts of fixedVault: its
// events and the RFC 6962 root of the ledger's tree over them, as
// docs/LEDGER.md states. A change of the demo's world or order, of an
// event's encoding or of the leaf changes the root: update these values
// and the docs together, on purpose.
const (
	pinnedEvents = 7118
	pinnedRoot   = "XhOBptQClRWtR1a17I7S1F6IVlpPYR01cc62Ww4h/sE="
)

func TestDemoTreeRootIsPinned(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{Now: func() time.Time { return importedAt }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Generate(ctx, st, &fixedVault{}, demo.Truncated(demo.Options{Seed: 1, Years: 1}, 2)); err != nil {
		t.Fatal(err)
	}
	log := readAll(t, st)
	var hashes []tlog.Hash
	for i, re := range log {
		h, err := ledger.LeafHash(re)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := tlog.StoredHashes(int64(i), h[:], hashReader(hashes))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, stored...)
	}
	root, err := tlog.TreeHash(int64(len(log)), hashReader(hashes))
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != pinnedEvents || root.String() != pinnedRoot {
		t.Fatalf("the pinned demo world has %d events and root %s; pinned: %d events, root %s", len(log), root, pinnedEvents, pinnedRoot)
	}
}

// hashReader reads stored hashes from memory.
type hashReader []tlog.Hash

func (r hashReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(r)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = r[x]
	}
	return out, nil
}

// fixedVault is a vault whose references and sealed texts are functions
// of what it is given, so that a world's log is the same in every run:
// the real vault draws them from crypto/rand. It seals for real (AES-GCM
// under a key derived from the subject) but keeps no records.
type fixedVault struct {
	mu sync.Mutex
	n  int
}

func (v *fixedVault) Put(_ context.Context, p events.Person) (events.SubjectRef, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n++
	sum := sha256.Sum256(fmt.Appendf(nil, "subject %d", v.n))
	return events.SubjectRef("subj-" + hex.EncodeToString(sum[:16])), nil
}

func (v *fixedVault) AuthorOf(_ context.Context, subject events.SubjectRef, entity string) (events.AuthorRef, error) {
	sum := sha256.Sum256([]byte("author\x00" + string(subject) + "\x00" + entity))
	return events.AuthorRef("auth-" + hex.EncodeToString(sum[:16])), nil
}

func (v *fixedVault) Seal(ctx context.Context, subject events.SubjectRef, entity string, texts ...string) (events.AuthorRef, []events.Sealed, error) {
	author, _ := v.AuthorOf(ctx, subject, entity)
	key := sha256.Sum256([]byte("key\x00" + string(subject)))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return "", nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", nil, err
	}
	sealed := make([]events.Sealed, len(texts))
	for i, text := range texts {
		nonce := sha256.Sum256(fmt.Appendf(nil, "nonce\x00%s\x00%d", entity, i))
		sealed[i] = aead.Seal(nonce[:12:12], nonce[:12], []byte(text), []byte(entity))
	}
	return author, sealed, nil
}
