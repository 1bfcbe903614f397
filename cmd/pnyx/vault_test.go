package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// newVaultDir returns a data directory whose vault holds one person, and
// that person's reference.
func newVaultDir(t *testing.T) (string, events.SubjectRef) {
	t.Helper()
	cleanEnv(t)
	dir := t.TempDir()
	c := &cli{now: fixedClock(), log: slog.New(slog.DiscardHandler), cfg: config{DataDir: dir, Store: storeSetting{Path: filepath.Join(dir, "events.db")}}}
	v, err := c.openVault(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ref, err := v.Put(context.Background(), events.Person{Name: "Ελένη"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, ref
}

func headOf(t *testing.T, dir string) events.Position {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestForgetCommand(t *testing.T) {
	ctx := context.Background()
	t.Run("forget destroys the person and records subject.forgotten without them", func(t *testing.T) {
		dir, ref := newVaultDir(t)
		admin := adminToken(t, dir)
		before := headOf(t, dir)
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", string(ref), "--reason", "άρθρο 17 ΓΚΠΔ")
		if r.err != nil {
			t.Fatalf("forget: %v\n%s", r.err, r.stderr)
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		evs, err := st.ReadAll(ctx, events.ReadAllOptions{After: before, Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].Type != "subject.forgotten" || evs[0].Actor != (events.Actor{TokenID: tokenIDOf(admin), Role: "admin"}) || bytes.Contains(evs[0].Data, []byte(ref)) || bytes.Contains([]byte(evs[0].Stream), []byte(ref)) {
			t.Fatalf("log = %+v, %v", evs, err)
		}
		if bytes.Contains([]byte(r.stderr), []byte(ref)) {
			t.Fatal("the command's log names the subject")
		}
		c := &cli{now: fixedClock(), cfg: config{DataDir: dir}}
		v, err := c.openVault(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if _, err := v.Get(ctx, ref); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get = %v, want ErrForgotten", err)
		}
	})
	for _, c := range []struct{ name, subject, reason string }{
		{"an e-mail instead of a reference is invalid", "eleni@example.gr", "άρθρο 17"},
		{"a missing reason is invalid", "subj-0123456789abcdef0123456789abcdef", ""},
	} {
		t.Run(c.name+" and writes nothing", func(t *testing.T) {
			dir, _ := newVaultDir(t)
			r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--subject", c.subject, "--reason", c.reason)
			if events.ErrorCode(r.err) != events.CodeInvalid {
				t.Fatalf("forget = %v, want invalid", r.err)
			}
			if _, err := os.Stat(filepath.Join(dir, "events.db")); err == nil && headOf(t, dir) != 0 {
				t.Fatal("a refused forget wrote to the log")
			}
		})
	}
	t.Run("an unknown person is not found and nothing is recorded", func(t *testing.T) {
		dir, _ := newVaultDir(t)
		admin := adminToken(t, dir)
		before := headOf(t, dir)
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", "subj-00000000000000000000000000000000", "--reason", "άρθρο 17")
		if !errors.Is(r.err, events.ErrSubjectNotFound) || headOf(t, dir) != before {
			t.Fatalf("forget = %v, head %d", r.err, headOf(t, dir))
		}
	})
	t.Run("a missing master key is a clear error, and no new key is made", func(t *testing.T) {
		dir, ref := newVaultDir(t)
		admin := adminToken(t, dir)
		if err := os.Rename(filepath.Join(dir, "vault.key"), filepath.Join(dir, "elsewhere.key")); err != nil {
			t.Fatal(err)
		}
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", string(ref), "--reason", "άρθρο 17")
		if events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("forget = %v, want invalid", r.err)
		}
		if _, err := os.Stat(filepath.Join(dir, "vault.key")); err == nil {
			t.Fatal("a new master key was written")
		}
		r = pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--vault-master-key-file", filepath.Join(dir, "elsewhere.key"), "--subject", string(ref), "--reason", "άρθρο 17")
		if r.err != nil {
			t.Fatalf("forget with the key file named = %v", r.err)
		}
	})
	t.Run("a wrong master key is refused and nothing is written", func(t *testing.T) {
		dir, ref := newVaultDir(t)
		admin := adminToken(t, dir)
		before := headOf(t, dir)
		t.Setenv(masterKeyEnv, hex.EncodeToString(bytes.Repeat([]byte{9}, 32)))
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", string(ref), "--reason", "άρθρο 17")
		if events.ErrorCode(r.err) != events.CodeInvalid || headOf(t, dir) != before {
			t.Fatalf("forget = %v, head %d", r.err, headOf(t, dir))
		}
		t.Setenv(masterKeyEnv, "not hex")
		if r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", string(ref), "--reason", "x"); events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("forget with a malformed %s = %v", masterKeyEnv, r.err)
		}
	})
}

func TestRotateMaster(t *testing.T) {
	ctx := context.Background()
	dir, ref := newVaultDir(t)
	next := filepath.Join(t.TempDir(), "next.key")
	r := pnyx(t, ctx, nil, "vault", "rotate-master", "--data-dir", dir, "--new-key-file", next)
	if r.err != nil {
		t.Fatalf("rotate-master: %v\n%s", r.err, r.stderr)
	}
	if fi, err := os.Stat(next); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new key file: %v, %v", fi, err)
	}
	t.Run("the old master key no longer opens the vault", func(t *testing.T) {
		c := &cli{now: fixedClock(), cfg: config{DataDir: dir}}
		if _, err := c.openVault(ctx, false); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("open with the old key = %v, want invalid", err)
		}
	})
	t.Run("the new master key opens it, every person whole", func(t *testing.T) {
		c := &cli{now: fixedClock(), cfg: config{DataDir: dir, VaultMasterKeyFile: next}}
		v, err := c.openVault(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if p, err := v.Get(ctx, ref); err != nil || p.Name != "Ελένη" {
			t.Fatalf("Get = %+v, %v", p, err)
		}
	})
	t.Run("rotating onto the current key file is refused", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "vault", "rotate-master", "--data-dir", dir, "--vault-master-key-file", next, "--new-key-file", next)
		if events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("rotate-master = %v, want invalid", r.err)
		}
	})
	t.Run("no log is touched", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "events.db")); err == nil {
			t.Fatal("rotation opened the event log")
		}
	})
}
