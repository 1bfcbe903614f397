package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func TestTokenCommands(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) result {
		return pnyx(t, ctx, nil, append(args, "--data-dir", dir)...)
	}
	admin := adminToken(t, dir)

	t.Run("the first admin is recorded by the installer, and a second needs an admin", func(t *testing.T) {
		evs := readLines(t, run("events", "read", "--stream", events.AccessStream(tokenIDOf(admin))).stdout)
		if len(evs) != 1 || evs[0].Type != "access.granted" || evs[0].Actor != events.InstallerActor {
			t.Fatalf("the admin's stream holds %+v", evs)
		}
		if strings.Contains(string(evs[0].Data), admin) || !strings.Contains(string(evs[0].Data), events.SecretSHA256(admin)) {
			t.Fatalf("the grant holds %s; want the secret's hash only", evs[0].Data)
		}
		if r := run("token", "create", "--role", "admin"); events.ErrorCode(r.err) != events.CodeForbidden {
			t.Fatalf("a second installer's admin: %v; want forbidden", r.err)
		}
		if r := run("token", "create", "--role", "clerk"); events.ErrorCode(r.err) != events.CodeUnauthenticated {
			t.Fatalf("a clerk without a token: %v; want unauthenticated", r.err)
		}
	})

	var clerk tokenOutput
	t.Run("an admin grants a token with expiry and label, printed once with its secret", func(t *testing.T) {
		r := run("token", "create", "--role", "procurement_officer", "--expires", "90d", "--label", "Τμήμα Προμηθειών", "--token", admin)
		if r.err != nil {
			t.Fatalf("%v\n%s", r.err, r.stderr)
		}
		if err := json.Unmarshal([]byte(r.stdout), &clerk); err != nil || clerk.Secret == "" || clerk.ExpiresAt == nil ||
			clerk.GrantedBy != tokenIDOf(admin) || clerk.Scope != events.ScopeAll || !strings.Contains(r.stderr, "only this once") {
			t.Fatalf("printed %q, %v", r.stdout, err)
		}
		if want := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 90); clerk.ExpiresAt.Sub(want).Abs() > time.Minute {
			t.Fatalf("expires %s, want about %s", clerk.ExpiresAt, want)
		}
	})
	t.Run("a scope must name a registered body", func(t *testing.T) {
		if r := run("token", "create", "--role", "clerk", "--scope", "body:council", "--token", admin); events.ErrorCode(r.err) != events.CodeNotFound {
			t.Fatalf("scope of no body: %v; want not_found", r.err)
		}
	})
	for _, c := range []struct{ name, flag, value string }{
		{"a scope not of the form body:ID", "--scope", "council"},
		{"an expiry of no days", "--expires", "0d"},
		{"an expiry in the past", "--expires", "2020-01-01"},
		{"an expiry that is no time", "--expires", "soon"},
		{"an unknown role", "--role", "mayor"},
	} {
		t.Run(c.name+" is invalid", func(t *testing.T) {
			args := []string{"token", "create", "--role", "clerk", "--token", admin, c.flag, c.value}
			if r := run(args...); exitCode(r.err) != 2 {
				t.Fatalf("%v; want an invalid input", r.err)
			}
		})
	}
	t.Run("a token that is not an admin grants nothing", func(t *testing.T) {
		if r := run("token", "create", "--role", "clerk", "--token", clerk.Secret); events.ErrorCode(r.err) != events.CodeForbidden {
			t.Fatalf("%v; want forbidden", r.err)
		}
	})
	t.Run("revoke, then list shows every token's state and no secret", func(t *testing.T) {
		if r := run("token", "revoke", clerk.TokenID, "--reason", "Αποχώρηση", "--token", admin); r.err != nil {
			t.Fatalf("revoke: %v\n%s", r.err, r.stderr)
		}
		if r := run("token", "revoke", clerk.TokenID, "--reason", "again", "--token", admin); events.ErrorCode(r.err) != events.CodeConflict {
			t.Fatalf("revoke again: %v; want conflict", r.err)
		}
		if r := run("token", "revoke", clerk.TokenID, "--token", admin); exitCode(r.err) != 2 {
			t.Fatalf("revoke without a reason: %v; want an invalid input", r.err)
		}
		r := run("token", "list")
		if r.err != nil || strings.Contains(r.stdout, admin) || strings.Contains(r.stdout, clerk.Secret) || strings.Contains(r.stdout, "secret") {
			t.Fatalf("list: %v\n%s", r.err, r.stdout)
		}
		states := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var o tokenOutput
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			states[o.TokenID] = o.State
		}
		if len(states) != 2 || states[tokenIDOf(admin)] != "in_force" || states[clerk.TokenID] != "revoked" {
			t.Fatalf("states %v", states)
		}
	})
	t.Run("a revoked token records nothing more", func(t *testing.T) {
		if r := run("token", "revoke", tokenIDOf(admin), "--reason", "x", "--token", clerk.Secret); events.ErrorCode(r.err) != events.CodeUnauthenticated {
			t.Fatalf("%v; want unauthenticated", r.err)
		}
	})
	t.Run("a secret this server never issued is unauthenticated", func(t *testing.T) {
		if r := run("token", "revoke", clerk.TokenID, "--reason", "x", "--token", "not-a-secret"); events.ErrorCode(r.err) != events.CodeUnauthenticated {
			t.Fatalf("%v; want unauthenticated", r.err)
		}
	})
	t.Run("PNYX_TOKEN gives the secret as the flag does", func(t *testing.T) {
		t.Setenv("PNYX_TOKEN", admin)
		if r := run("token", "create", "--role", "moderator"); r.err != nil {
			t.Fatalf("%v\n%s", r.err, r.stderr)
		}
	})
}

func TestWritingCommandsNeedAToken(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	dir, ref := newVaultDir(t)
	t.Run("forget without a token destroys nothing", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--subject", string(ref), "--reason", "άρθρο 17")
		if events.ErrorCode(r.err) != events.CodeUnauthenticated {
			t.Fatalf("forget = %v; want unauthenticated", r.err)
		}
		c := &cli{now: fixedClock(), cfg: config{DataDir: dir}}
		v, err := c.openVault(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if _, err := v.Get(ctx, ref); err != nil {
			t.Fatalf("the person after a refused forget: %v", err)
		}
	})
	t.Run("projections skip without a token records nothing", func(t *testing.T) {
		seed(t, dir, 1)
		before := headOf(t, dir)
		r := pnyx(t, ctx, nil, "projections", "skip", "1", "--reason", "x", "--data-dir", dir)
		if events.ErrorCode(r.err) != events.CodeUnauthenticated || headOf(t, dir) != before {
			t.Fatalf("skip = %v; want unauthenticated", r.err)
		}
	})
}
