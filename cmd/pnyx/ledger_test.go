package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/ledger"
)

func TestServeLedger(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 30)
	base, stop := startServe(t, dir, "--checkpoint-every", "10")

	code, _, vkey := fetch(t, base+"/ledger/key")
	v, err := ledger.ParseVerifierKey(vkey)
	if code != 200 || err != nil || v.Name() != "pnyx.local/ledger" {
		t.Fatalf("/ledger/key: %d %q %v", code, vkey, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "ledger.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v; want mode 0600", fi, err)
	}
	// The ledger catches up in the background: ask until the checkpoint
	// of all 30 events is signed. There is no signal to wait on from
	// outside the process but the answer itself.
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; {
		code, _, body = fetch(t, base+"/ledger/checkpoint")
		if code == 200 && strings.Contains(body, "\n30\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of 30 events: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := ledger.OpenCheckpoint([]byte(body), v); err != nil {
		t.Fatal(err)
	}
	if code, _, body := fetch(t, base+"/ledger/proof/inclusion?position=7"); code != 200 || !strings.Contains(body, `"tree_size":30`) {
		t.Fatalf("inclusion proof: %d %s", code, body)
	}
	if r := stop(); r.err != nil {
		t.Fatalf("serve: %v\n%s", r.err, r.stderr)
	}
	r := verify(t, dir, "--key", vkey)
	wantVerified(t, r, "verified: 30 events up to position 30")
	wantVerified(t, r, "3 checkpoints hold")
}
