package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

func TestLedgerRoutesAreMounted(t *testing.T) {
	w := newWorld(t, nil, Options{})
	key, err := ledger.LoadOrCreateKey(filepath.Join(w.dir, "ledger.key"), "test.example/pnyx")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(context.Background(), filepath.Join(w.dir, "ledger.db"), w.store, ledger.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	src := w.srv.src
	src.Ledger = l
	srv, err := New(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec
	}
	if rec := get("/ledger/key"); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != key.VerifierKey {
		t.Fatalf("/ledger/key: %d %q", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		target string
		status int
		code   events.Code
	}{
		{"/ledger/checkpoint", 404, events.CodeNotFound}, // an empty log has none
		{"/ledger/proof/inclusion?position=x", 400, events.CodeInvalid},
		{"/ledger/tile/8/0/000", 404, events.CodeNotFound},
	} {
		rec := get(tc.target)
		var body ErrorBody
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code != tc.code ||
			body.Error.RequestID == "" || body.Error.RequestID != rec.Header().Get(HeaderRequestID) {
			t.Errorf("%s: %d %s, want %d %s through the server's error table", tc.target, rec.Code, rec.Body, tc.status, tc.code)
		}
	}
}
