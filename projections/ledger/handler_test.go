package ledger

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// serveLedger mounts the routes the way the server does: an error
// becomes its code.
func serveLedger(l *Ledger) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range l.Routes() {
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := rt.Handle(w, r); err != nil {
				http.Error(w, string(events.ErrorCode(err))+": "+events.ErrorMessage(err), http.StatusTeapot)
			}
		})
	}
	return mux
}

func get(t *testing.T, h http.Handler, url string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, rec.Header(), string(b)
}

func TestHandler(t *testing.T) {
	st, _ := newStore(t)
	appendEvents(t, st, 0, 300)
	l := openTestLedger(t, st, Options{Every: 256})
	running(t, l)
	caughtUp(t, l, st)
	h := serveLedger(l)

	code, _, key := get(t, h, "/ledger/key")
	v, err := ParseVerifierKey(key)
	if code != 200 || err != nil {
		t.Fatalf("key: %d %q %v", code, key, err)
	}
	code, hdr, body := get(t, h, "/ledger/checkpoint")
	c, err := OpenCheckpoint([]byte(body), v)
	if code != 200 || err != nil || c.Size != 256 || hdr.Get(HeaderTreeSize) != "256" {
		t.Fatalf("checkpoint: %d %q %v", code, body, err)
	}

	t.Run("an inclusion proof checks offline against the checkpoint", func(t *testing.T) {
		code, _, body := get(t, h, "/ledger/proof/inclusion?position=42")
		var p InclusionProofJSON
		if code != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("%d %s", code, body)
		}
		if err := CheckInclusion(p, c.Checkpoint); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Leaf, `"n":41`) {
			t.Errorf("the leaf is not position 42's event: %s", p.Leaf)
		}
		p.Leaf = strings.Replace(p.Leaf, `"n":41`, `"n":40`, 1)
		if err := CheckInclusion(p, c.Checkpoint); err == nil {
			t.Error("an edited leaf checks")
		}
	})
	t.Run("a consistency proof checks", func(t *testing.T) {
		other, _ := l.Checkpoint(context.Background())
		code, _, body := get(t, h, "/ledger/proof/consistency?from=256&to=300")
		var p ConsistencyProofJSON
		if code != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("%d %s", code, body)
		}
		proof := make(tlog.TreeProof, len(p.Proof))
		for i, s := range p.Proof {
			proof[i], _ = tlog.ParseHash(s)
		}
		if err := tlog.CheckTree(proof, 300, other.Root, 256, c.Root); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a tile", func(t *testing.T) {
		code, hdr, body := get(t, h, "/ledger/tile/8/0/000")
		if code != 200 || len(body) != 256*32 || !strings.Contains(hdr.Get("Cache-Control"), "immutable") {
			t.Fatalf("%d, %d bytes, %q", code, len(body), hdr.Get("Cache-Control"))
		}
		code, hdr, body = get(t, h, "/ledger/tile/8/0/001.p/44")
		if code != 200 || len(body) != 44*32 || hdr.Get("Cache-Control") != "" {
			t.Fatalf("partial tile: %d, %d bytes", code, len(body))
		}
	})
	for _, bad := range []struct{ url, code string }{
		{"/ledger/proof/inclusion", "invalid"},
		{"/ledger/proof/inclusion?position=abc", "invalid"},
		{"/ledger/proof/inclusion?position=0", "invalid"},
		{"/ledger/proof/inclusion?position=9999", "not_found"},
		{"/ledger/proof/inclusion?position=5&size=301", "invalid"},
		{"/ledger/proof/consistency?from=3", "invalid"},
		{"/ledger/proof/consistency?from=30&to=20", "invalid"},
		{"/ledger/checkpoint?size=7", "not_found"},
		{"/ledger/tile/8/0/005", "not_found"},
		{"/ledger/tile/9/0/000", "invalid"},
		{"/ledger/tile/8/data/000", "invalid"},
		{"/ledger/tile/8/0/abc", "invalid"},
	} {
		t.Run(bad.url+" is refused", func(t *testing.T) {
			code, _, body := get(t, h, bad.url)
			if code != http.StatusTeapot || !strings.HasPrefix(body, bad.code+":") {
				t.Errorf("%d %q, want %s", code, body, bad.code)
			}
		})
	}
}
