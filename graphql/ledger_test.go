package graphql_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

type checkpointAnswer struct {
	Origin   string `json:"origin"`
	TreeSize int64  `json:"treeSize"`
	RootHash string `json:"rootHash"`
	Note     string `json:"note"`
}

// verified opens a checkpoint's note with the published verifier key, as
// an auditor does, and requires its fields to be the note's.
func verified(t *testing.T, verifierKey string, c checkpointAnswer) tlog.Tree {
	t.Helper()
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		t.Fatalf("verifier key %q: %v", verifierKey, err)
	}
	n, err := note.Open([]byte(c.Note), note.VerifierList(v))
	if err != nil {
		t.Fatalf("the checkpoint's note does not verify: %v", err)
	}
	// The body is the C2SP checkpoint: origin, size, base64 root.
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[3] != "" {
		t.Fatalf("checkpoint body %q: want origin, size and root lines", n.Text)
	}
	var tree tlog.Tree
	if tree.N, err = strconv.ParseInt(lines[1], 10, 64); err != nil {
		t.Fatalf("checkpoint size %q: %v", lines[1], err)
	}
	if tree.Hash, err = tlog.ParseHash(lines[2]); err != nil {
		t.Fatalf("checkpoint root %q: %v", lines[2], err)
	}
	if c.Origin != testLedgerOrigin || lines[0] != c.Origin || tree.N != c.TreeSize || tree.Hash.String() != c.RootHash {
		t.Fatalf("checkpoint fields %+v, the note says %q", c, n.Text)
	}
	return tree
}

func TestLedgerProofsVerify(t *testing.T) {
	e := demoEnv(t)
	ctx := context.Background()
	head, err := e.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	half := int64(head) / 2
	var data struct {
		Ledger struct {
			VerifierKey string            `json:"verifierKey"`
			Newest      checkpointAnswer  `json:"newest"`
			Half        checkpointAnswer  `json:"half"`
			Unsigned    *checkpointAnswer `json:"unsigned"`
			Inclusion   struct {
				Position   uint64            `json:"position"`
				LeafIndex  int64             `json:"leafIndex"`
				TreeSize   int64             `json:"treeSize"`
				Leaf       string            `json:"leaf"`
				LeafHash   string            `json:"leafHash"`
				Hashes     []string          `json:"hashes"`
				Checkpoint *checkpointAnswer `json:"checkpoint"`
			} `json:"inclusion"`
			Consistency struct {
				From   int64    `json:"from"`
				To     int64    `json:"to"`
				Hashes []string `json:"hashes"`
			} `json:"consistency"`
		} `json:"ledger"`
	}
	const cp = "{ origin treeSize rootHash note }"
	pos := uint64(half) - 3 // an event inside both trees
	mustData(t, e.h, `query($half: Int64!, $pos: Position!, $head: Int64!) { ledger { verifierKey
		newest: checkpoint `+cp+` half: checkpoint(treeSize: $half) `+cp+` unsigned: checkpoint(treeSize: 5) `+cp+`
		inclusion: inclusionProof(position: $pos, treeSize: $half) { position leafIndex treeSize leaf leafHash hashes checkpoint `+cp+` }
		consistency: consistencyProof(from: $half, to: $head) { from to hashes } } }`,
		map[string]any{"half": half, "pos": pos, "head": int64(head)}, &data)
	l := data.Ledger

	if l.VerifierKey != e.ledger.Key() {
		t.Fatalf("verifier key %q, the ledger's is %q", l.VerifierKey, e.ledger.Key())
	}
	newest := verified(t, l.VerifierKey, l.Newest)
	older := verified(t, l.VerifierKey, l.Half)
	if newest.N != int64(head) || older.N != half {
		t.Fatalf("checkpoints of sizes %d and %d, want %d and %d", newest.N, older.N, head, half)
	}
	if l.Unsigned != nil {
		t.Fatalf("a checkpoint at a size never signed: %+v", l.Unsigned)
	}

	p := l.Inclusion
	t.Run("the inclusion proof's leaf is the event's canonical bytes", func(t *testing.T) {
		evs, err := e.store.ReadAll(ctx, events.ReadAllOptions{After: events.Position(pos - 1), Limit: 1})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%v %d", err, len(evs))
		}
		leaf, err := ledger.Leaf(evs[0])
		if err != nil {
			t.Fatal(err)
		}
		if p.Leaf != string(leaf) || p.LeafHash != tlog.RecordHash(leaf).String() || p.Position != pos || p.TreeSize != half {
			t.Fatalf("proof %+v for leaf %s", p, leaf)
		}
	})
	proof := make(tlog.RecordProof, len(p.Hashes))
	for i, s := range p.Hashes {
		if proof[i], err = tlog.ParseHash(s); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("tlog checks the inclusion proof against the signed checkpoint", func(t *testing.T) {
		if p.Checkpoint == nil || verified(t, l.VerifierKey, *p.Checkpoint) != older {
			t.Fatalf("the proof's checkpoint %+v is not the one of its size", p.Checkpoint)
		}
		if err := tlog.CheckRecord(proof, older.N, older.Hash, p.LeafIndex, tlog.RecordHash([]byte(p.Leaf))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a changed leaf or path does not verify", func(t *testing.T) {
		if tlog.CheckRecord(proof, older.N, older.Hash, p.LeafIndex, tlog.RecordHash([]byte(p.Leaf+" "))) == nil {
			t.Fatal("a changed leaf verified")
		}
		bad := append(tlog.RecordProof(nil), proof...)
		bad[0][0] ^= 1
		if tlog.CheckRecord(bad, older.N, older.Hash, p.LeafIndex, tlog.RecordHash([]byte(p.Leaf))) == nil {
			t.Fatal("a changed path verified")
		}
	})
	t.Run("tlog checks the consistency proof between the two checkpoints", func(t *testing.T) {
		c := l.Consistency
		tp := make(tlog.TreeProof, len(c.Hashes))
		for i, s := range c.Hashes {
			if tp[i], err = tlog.ParseHash(s); err != nil {
				t.Fatal(err)
			}
		}
		if c.From != half || c.To != int64(head) {
			t.Fatalf("proof between %d and %d", c.From, c.To)
		}
		if err := tlog.CheckTree(tp, newest.N, newest.Hash, older.N, older.Hash); err != nil {
			t.Fatal(err)
		}
		forked := older
		forked.Hash[0] ^= 1
		if tlog.CheckTree(tp, newest.N, newest.Hash, forked.N, forked.Hash) == nil {
			t.Fatal("a forked older tree verified")
		}
	})
}

func TestLedgerRefusals(t *testing.T) {
	e := demoEnv(t)
	head, err := e.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	beyond := strconv.FormatInt(int64(head)+1, 10)
	cases := []struct{ name, query, code string }{
		{"a position the log does not hold is not found",
			`{ ledger { inclusionProof(position: ` + beyond + `) { leaf } } }`, graphql.CodeNotFound},
		{"a tree size beyond the tree is bad input",
			`{ ledger { inclusionProof(position: 1, treeSize: ` + beyond + `) { leaf } } }`, graphql.CodeBadUserInput},
		{"a tree size of 0 is bad input",
			`{ ledger { inclusionProof(position: 1, treeSize: 0) { leaf } } }`, graphql.CodeBadUserInput},
		{"an event after the tree size is bad input",
			`{ ledger { inclusionProof(position: 9, treeSize: 4) { leaf } } }`, graphql.CodeBadUserInput},
		{"a consistency proof from 0 is bad input",
			`{ ledger { consistencyProof(from: 0, to: 4) { hashes } } }`, graphql.CodeBadUserInput},
		{"a consistency proof backwards is bad input",
			`{ ledger { consistencyProof(from: 5, to: 4) { hashes } } }`, graphql.CodeBadUserInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := post(t, e.h, c.query, nil); r.code() != c.code {
				t.Fatalf("code %q, want %q: %+v", r.code(), c.code, r.Errors)
			}
		})
	}
	t.Run("a server without a ledger answers unavailable", func(t *testing.T) {
		h := graphql.New(e.rm, e.store, graphql.Options{})
		if r := post(t, h, `{ ledger { verifierKey } }`, nil); r.code() != graphql.CodeUnavailable {
			t.Fatalf("code %q: %+v", r.code(), r.Errors)
		}
	})
}

// TestLedgerAnswersAreNotCached asks for a checkpoint before and after it
// is signed, at an unchanged read-model position: the second answer must
// be the ledger's, not the first one kept.
func TestLedgerAnswersAreNotCached(t *testing.T) {
	e := demoEnv(t)
	const q = `{ ledger { checkpoint(treeSize: 7) { treeSize } } }`
	var before, after struct {
		Ledger struct {
			Checkpoint *checkpointAnswer `json:"checkpoint"`
		} `json:"ledger"`
	}
	mustData(t, e.h, q, nil, &before)
	if before.Ledger.Checkpoint != nil {
		t.Fatal("tree size 7 is signed already: pick another")
	}
	if _, err := e.ledger.SignAt(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	mustData(t, e.h, q, nil, &after)
	if after.Ledger.Checkpoint == nil || after.Ledger.Checkpoint.TreeSize != 7 {
		t.Fatalf("after signing, the answer is %+v", after.Ledger.Checkpoint)
	}
}
