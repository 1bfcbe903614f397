package ledger

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// The published RFC 6962 test vectors (Certificate Transparency's, as in
// its reference implementations): eight leaf inputs, the tree head at
// every size, audit paths and consistency proofs. The ledger stores the
// hashes in its SQLite file and answers from there.
var (
	rfc6962Leaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	rfc6962Roots  = []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	rfc6962Inclusion = []struct {
		index, size int64
		proof       []string
	}{
		{0, 1, nil},
		{0, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{5, 8, []string{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 3, []string{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
		{1, 5, []string{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	}
	rfc6962Consistency = []struct {
		older, newer int64
		proof        []string
	}{
		{1, 1, nil},
		{1, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{6, 8, []string{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 5, []string{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	}
)

func TestRFC6962Vectors(t *testing.T) {
	ctx := context.Background()
	l := openTestLedger(t, nil, Options{Every: 1 << 40})
	var leaves []tlog.Hash
	for i, in := range rfc6962Leaves {
		data, err := hex.DecodeString(in)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, tlog.RecordHash(data))
		// One leaf a transaction, so the frontier kept between batches is
		// exercised as well as the one within a batch.
		if err := l.appendLeaves(ctx, leaves[i:i+1], []events.Position{events.Position(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	// Reopening reads the frontier back from the file.
	l = reopen(t, l)
	for size, want := range rfc6962Roots {
		got, err := l.TreeHash(ctx, int64(size+1))
		if err != nil || hex.EncodeToString(got[:]) != want {
			t.Errorf("tree head of size %d = %x, %v; want %s", size+1, got, err, want)
		}
	}
	if got := l.Tree().Root; hex.EncodeToString(got[:]) != rfc6962Roots[7] {
		t.Errorf("Tree().Root = %x, want %s", got, rfc6962Roots[7])
	}
	for _, tc := range rfc6962Inclusion {
		p, err := l.InclusionProof(ctx, tc.index, tc.size)
		if err != nil {
			t.Fatal(err)
		}
		if !sameHashes(p, tc.proof) {
			t.Errorf("audit path of %d in %d = %x, want %v", tc.index, tc.size, p, tc.proof)
		}
		root, _ := tlog.ParseHash(b64(rfc6962Roots[tc.size-1]))
		if err := tlog.CheckRecord(p, tc.size, root, tc.index, leaves[tc.index]); err != nil {
			t.Errorf("audit path of %d in %d does not check: %v", tc.index, tc.size, err)
		}
	}
	for _, tc := range rfc6962Consistency {
		p, err := l.ConsistencyProof(ctx, tc.older, tc.newer)
		if err != nil {
			t.Fatal(err)
		}
		if !sameHashes(p, tc.proof) {
			t.Errorf("consistency %d→%d = %x, want %v", tc.older, tc.newer, p, tc.proof)
		}
		oldRoot, _ := tlog.ParseHash(b64(rfc6962Roots[tc.older-1]))
		newRoot, _ := tlog.ParseHash(b64(rfc6962Roots[tc.newer-1]))
		if err := tlog.CheckTree(p, tc.newer, newRoot, tc.older, oldRoot); err != nil {
			t.Errorf("consistency %d→%d does not check: %v", tc.older, tc.newer, err)
		}
	}
}

func sameHashes(got []tlog.Hash, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if hex.EncodeToString(got[i][:]) != want[i] {
			return false
		}
	}
	return true
}

// b64 turns a hex hash into tlog's base64 form.
func b64(h string) string {
	b, _ := hex.DecodeString(h)
	var x tlog.Hash
	copy(x[:], b)
	return x.String()
}

func reopen(t *testing.T, l *Ledger) *Ledger {
	t.Helper()
	path := l.path
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := Open(context.Background(), path, l.log, l.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

var _ = filepath.Join
