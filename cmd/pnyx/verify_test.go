package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"

	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/projections/ledger"

	_ "modernc.org/sqlite"
)

const testLedgerOrigin = "pnyx.local/ledger"

// ledgerDir is a data directory with 300 events and their ledger
// (checkpoints at 100, 200 and 300), its files closed, and the verifier
// key.
func ledgerDir(t *testing.T) (dir, vkey string) {
	t.Helper()
	dir = t.TempDir()
	seed(t, dir, 300)
	return dir, runLedger(t, dir, 100)
}

// runLedger brings the ledger of the data directory dir up to its store's
// head, signing every `every` events, and closes it.
func runLedger(t *testing.T, dir string, every int64) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, err := ledger.LoadOrCreateKey(filepath.Join(dir, "ledger.key"), testLedgerOrigin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, filepath.Join(dir, "ledger.db"), st, ledger.Options{Key: key, Every: every, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); l.Run(rctx, nil) }()
	defer func() { cancel(); <-done }()
	head, _ := st.Head(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := l.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	return key.VerifierKey
}

// copyDir copies the files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// editStore runs statements on a store file directly, as someone with
// access to the disk would, bypassing Pnyx.
func editStore(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // temporary tables live on one connection
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func verify(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cleanEnv(t)
	return pnyx(t, context.Background(), nil, append([]string{"verify", "--data-dir", dir, "--log-format", "json"}, args...)...)
}

func wantVerified(t *testing.T, r result, want string) {
	t.Helper()
	if r.err != nil || !strings.Contains(r.stdout, want) {
		t.Fatalf("verify: %v\nstdout %s\nstderr %s\nwant %q", r.err, r.stdout, r.stderr, want)
	}
}

func wantDiverged(t *testing.T, r result, want ...string) {
	t.Helper()
	if r.err == nil || exitCode(r.err) != exitDiverged {
		t.Fatalf("verify: %v (exit %d), want a divergence; stdout %s", r.err, exitCode(r.err), r.stdout)
	}
	for _, w := range want {
		if !strings.Contains(r.err.Error(), w) {
			t.Errorf("verify said %q, which does not name %q", r.err, w)
		}
	}
}

func TestVerifyTheStore(t *testing.T) {
	pristine, vkey := ledgerDir(t)
	t.Run("an untouched store verifies", func(t *testing.T) {
		wantVerified(t, verify(t, copyDir(t, pristine)), "verified: 300 events up to position 300")
		wantVerified(t, verify(t, copyDir(t, pristine), "--key", vkey), "3 checkpoints hold (newest of size 300)")
	})
	for _, tc := range []struct {
		name  string
		edits []string
		want  []string
	}{
		{"a byte flipped in an event", []string{`UPDATE events SET data = replace(data, 'Συνεδρίαση 41', 'Συνεδρίαση 51') WHERE position = 42`},
			[]string{"at position 42", "changed"}},
		{"a deleted event", []string{`DELETE FROM events WHERE position = 150`},
			[]string{"at position 150", "deleted"}},
		{"two events swapped", []string{
			`CREATE TEMP TABLE a AS SELECT * FROM events WHERE position = 10`,
			`CREATE TEMP TABLE b AS SELECT * FROM events WHERE position = 20`,
			`UPDATE events SET id = randomblob(16), stream = 'tmp-' || position WHERE position IN (10, 20)`,
			`UPDATE events SET (id, stream, version, type, schema, occurred_at, recorded_at, actor_token, actor_role, causation_id, correlation_id, data) =
				(SELECT id, stream, version, type, schema, occurred_at, recorded_at, actor_token, actor_role, causation_id, correlation_id, data FROM b) WHERE position = 10`,
			`UPDATE events SET (id, stream, version, type, schema, occurred_at, recorded_at, actor_token, actor_role, causation_id, correlation_id, data) =
				(SELECT id, stream, version, type, schema, occurred_at, recorded_at, actor_token, actor_role, causation_id, correlation_id, data FROM a) WHERE position = 20`,
		}, []string{"at position 10"}},
		{"a recorded time changed", []string{`UPDATE events SET recorded_at = '2026-03-01T09:00:00.000000000Z' WHERE position = 77`},
			[]string{"at position 77"}},
		{"an event appended behind Pnyx's back in the middle", []string{`UPDATE events SET position = 1000 WHERE position = 300`},
			[]string{"at position 300"}},
	} {
		t.Run(tc.name+" is named", func(t *testing.T) {
			dir := copyDir(t, pristine)
			editStore(t, filepath.Join(dir, "events.db"), tc.edits...)
			wantDiverged(t, verify(t, dir), tc.want...)
		})
	}
	t.Run("a checkpoint with a forged signature is named", func(t *testing.T) {
		dir := copyDir(t, pristine)
		editStore(t, filepath.Join(dir, "ledger.db"),
			`UPDATE ledger_checkpoints SET note = CAST(replace(CAST(note AS TEXT), '—', '— ') AS BLOB) WHERE size = 200`)
		r := verify(t, dir)
		if r.err == nil {
			t.Fatal("a forged checkpoint verified")
		}
		// A note garbled beyond parsing is bad input; a changed signature
		// is a divergence. Either way it is named.
		dir = copyDir(t, pristine)
		forgeSignature(t, filepath.Join(dir, "ledger.db"), 200)
		wantDiverged(t, verify(t, dir), "checkpoint of size 200", "not signed by the ledger's key")
	})
	t.Run("a checkpoint from a forked log is named", func(t *testing.T) {
		fork := copyDir(t, pristine)
		os.Remove(filepath.Join(fork, "ledger.db"))
		editStore(t, filepath.Join(fork, "events.db"), `UPDATE events SET data = '{"title":"forged"}' WHERE position = 120`)
		runLedger(t, fork, 250) // the same key signs the forked log at 250
		forked := checkpointNote(t, filepath.Join(fork, "ledger.db"), 250)
		dir := copyDir(t, pristine)
		editStore(t, filepath.Join(dir, "ledger.db"), `INSERT INTO ledger_checkpoints (size, note, signed_at) VALUES (250, X'`+hexOf(forked)+`', '2026-03-10T09:00:00Z')`)
		wantDiverged(t, verify(t, dir), "checkpoint of size 250", "forked log")
	})
	t.Run("bad input is exit code 2", func(t *testing.T) {
		r := verify(t, copyDir(t, pristine), "--key", "not a key")
		if exitCode(r.err) != 2 {
			t.Errorf("a bad key: %v, exit %d", r.err, exitCode(r.err))
		}
		r = verify(t, t.TempDir(), "--release", t.TempDir(), "--key", vkey)
		if exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "events.ndjson") {
			t.Errorf("a folder that is no release: %v, exit %d", r.err, exitCode(r.err))
		}
	})
}

// forgeSignature replaces the signature of the checkpoint at size with
// another of the same length and key hash.
func forgeSignature(t *testing.T, ledgerDB string, size int64) {
	t.Helper()
	msg := checkpointNote(t, ledgerDB, size)
	i := strings.LastIndex(string(msg), " ")
	sig := []byte(msg[i+1:])
	// The base64 after the 4-byte key hash: change one character.
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	forged := append(append([]byte{}, msg[:i+1]...), sig...)
	editStore(t, ledgerDB, `UPDATE ledger_checkpoints SET note = X'`+hexOf(forged)+`' WHERE size = `+itoa(size))
}

func checkpointNote(t *testing.T, ledgerDB string, size int64) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", ledgerDB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var msg []byte
	if err := db.QueryRow(`SELECT note FROM ledger_checkpoints WHERE size = ?`, size).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func hexOf(b []byte) string {
	const h = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = h[c>>4], h[c&15]
	}
	return string(out)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeTestRelease writes the ledger part of a release of dir's log into
// a new folder, as pnyx export does.
func writeTestRelease(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, err := ledger.LoadOrCreateKey(filepath.Join(dir, "ledger.key"), testLedgerOrigin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, filepath.Join(dir, "ledger.db"), st, ledger.Options{Key: key, Every: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out := t.TempDir()
	if _, err := l.WriteRelease(ctx, out, 300); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyARelease(t *testing.T) {
	pristine, vkey := ledgerDir(t)
	release := writeTestRelease(t, copyDir(t, pristine))
	events := filepath.Join(release, "ledger", "events.ndjson")
	lines, _ := os.ReadFile(events)
	all := strings.SplitAfter(string(lines), "\n")

	// copyRelease copies the release's ledger folder into a new release.
	copyRelease := func(t *testing.T) string {
		t.Helper()
		out := t.TempDir()
		if err := os.CopyFS(filepath.Join(out, "ledger"), os.DirFS(filepath.Join(release, "ledger"))); err != nil {
			t.Fatal(err)
		}
		return out
	}
	run := func(t *testing.T, dir string, args ...string) result {
		return verify(t, t.TempDir(), append([]string{"--release", dir}, args...)...)
	}
	t.Run("an untouched release verifies offline with the published key", func(t *testing.T) {
		wantVerified(t, run(t, release, "--key", vkey), "verified: 300 events up to position 300")
	})
	t.Run("without --key it says it trusts the release's own", func(t *testing.T) {
		r := run(t, release)
		wantVerified(t, r, "verified")
		if !strings.Contains(r.stderr, "release's own key") {
			t.Errorf("no warning: %s", r.stderr)
		}
	})
	t.Run("a truncated release is named", func(t *testing.T) {
		dir := copyRelease(t)
		os.WriteFile(filepath.Join(dir, "ledger", "events.ndjson"), []byte(strings.Join(all[:250], "")), 0o644)
		wantDiverged(t, run(t, dir, "--key", vkey), "ends after 250 events (position 250)", "size 300")
		dir = copyRelease(t)
		cut := strings.Join(all[:250], "") + all[250][:40]
		os.WriteFile(filepath.Join(dir, "ledger", "events.ndjson"), []byte(cut), 0o644)
		wantDiverged(t, run(t, dir, "--key", vkey), "line 251", "damaged")
	})
	t.Run("an event edited in the release is placed between checkpoints", func(t *testing.T) {
		dir := copyRelease(t)
		edited := append([]string{}, all...)
		edited[149] = strings.Replace(edited[149], "Συνεδρίαση 149", "Συνεδρίαση 148", 1)
		os.WriteFile(filepath.Join(dir, "ledger", "events.ndjson"), []byte(strings.Join(edited, "")), 0o644)
		wantDiverged(t, run(t, dir, "--key", vkey), "between positions 101 and 200")
	})
	t.Run("a forged release checkpoint is named", func(t *testing.T) {
		dir := copyRelease(t)
		msg, _ := os.ReadFile(filepath.Join(dir, "ledger", "checkpoint"))
		forged := strings.Replace(string(msg), "\n300\n", "\n299\n", 1)
		os.WriteFile(filepath.Join(dir, "ledger", "checkpoint"), []byte(forged), 0o644)
		wantDiverged(t, run(t, dir, "--key", vkey), "not signed by the ledger's key")
	})
	t.Run("a checkpoint from a forked log is named", func(t *testing.T) {
		fork := copyDir(t, pristine)
		os.Remove(filepath.Join(fork, "ledger.db"))
		editStore(t, filepath.Join(fork, "events.db"), `UPDATE events SET data = '{"title":"forged"}' WHERE position = 120`)
		runLedger(t, fork, 250)
		dir := copyRelease(t)
		os.WriteFile(filepath.Join(dir, "ledger", "checkpoints", "250"), checkpointNote(t, filepath.Join(fork, "ledger.db"), 250), 0o644)
		wantDiverged(t, run(t, dir, "--key", vkey), "size 250", "forked log")
	})
	t.Run("one event checks offline with its proof", func(t *testing.T) {
		ctx := context.Background()
		dir := copyDir(t, pristine)
		st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := ledger.LoadOrCreateKey(filepath.Join(dir, "ledger.key"), testLedgerOrigin)
		l, err := ledger.Open(ctx, filepath.Join(dir, "ledger.db"), st, ledger.Options{Key: key})
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.Inclusion(ctx, 42, 300)
		l.Close()
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		proof := writeFile(t, dir, "proof.json", string(b))
		cp := filepath.Join(release, "ledger", "checkpoint")
		keyFile := writeFile(t, dir, "key.txt", vkey+"\n")
		wantVerified(t, verify(t, dir, "--inclusion", "42", "--checkpoint", cp, "--proof", proof, "--key", keyFile), "position 42 (leaf 41) is in the tree of size 300")
		p.Leaf = strings.Replace(p.Leaf, "Συνεδρίαση 41", "Συνεδρίαση 40", 1)
		p.LeafHash = ""
		b, _ = json.Marshal(p)
		forged := writeFile(t, dir, "forged.json", string(b))
		wantDiverged(t, verify(t, dir, "--inclusion", "42", "--checkpoint", cp, "--proof", forged, "--key", vkey), "not in the checkpoint's tree")
		r := verify(t, dir, "--inclusion", "42", "--checkpoint", cp, "--key", vkey)
		if exitCode(r.err) != 2 {
			t.Errorf("without --proof: %v", r.err)
		}
	})
}

func TestVerifyAcrossAKeyRotation(t *testing.T) {
	dir, oldKey := ledgerDir(t)
	// Rotation: the old signing key is retired and a new one made for the
	// same origin; the log goes on.
	if err := os.Remove(filepath.Join(dir, "ledger.key")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{"place":"Συνεδρίαση ` + itoa(int64(300+i)) + `"}`)}
		if _, err := st.Append(ctx, "meeting-r"+itoa(int64(i)), events.NoStream, ev); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	newKey := runLedger(t, dir, 100)
	if newKey == oldKey {
		t.Fatal("no new key")
	}
	wantDiverged(t, verify(t, dir, "--key", newKey), "checkpoint of size", "not signed")
	wantVerified(t, verify(t, dir, "--key", oldKey, "--key", newKey), "verified: 400 events up to position 400, root")
}
