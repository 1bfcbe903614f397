// Package tokentest grants access tokens through the command service, for
// the tests of packages whose subject is not who may record what but that
// record through an authorizing events.Service: the installer's first
// admin, then tokens of any role on demand, each with its secret. Nothing
// but tests may use it.
package tokentest

import (
	"context"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Tokens grants tokens on one log through svc.
type Tokens struct {
	svc   *events.Service
	at    time.Time
	admin events.Actor
	// Secret of the admin token.
	AdminSecret string
	byRole      map[events.AccessRole]events.Actor
	secrets     map[string]string
}

// New grants the first admin token of the log at time at (by the
// installer, so no admin may be in force yet).
func New(ctx context.Context, t testing.TB, svc *events.Service, at time.Time) *Tokens {
	t.Helper()
	k := &Tokens{svc: svc, at: at, byRole: map[events.AccessRole]events.Actor{}, secrets: map[string]string{}}
	tok, err := events.NewAccessToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Handle(ctx, events.GrantAccess{TokenID: tok.ID, Role: events.AccessAdmin, Scope: events.ScopeAll,
		GrantedBy: events.InstallerTokenID, SecretSHA256: tok.SecretSHA256, At: at}, events.WithActor(events.InstallerActor)); err != nil {
		t.Fatalf("tokentest: grant the first admin: %v", err)
	}
	k.admin, k.AdminSecret = events.Actor{TokenID: tok.ID, Role: string(events.AccessAdmin)}, tok.Secret
	k.byRole[events.AccessAdmin] = k.admin
	k.secrets[tok.ID] = tok.Secret
	return k
}

// Admin is the admin token's actor.
func (k *Tokens) Admin() events.Actor { return k.admin }

// Grant grants token id the role and scope (events.ScopeAll or a body
// registered), by the admin, and returns its actor and secret.
func (k *Tokens) Grant(ctx context.Context, t testing.TB, id string, role events.AccessRole, scope string) (events.Actor, string) {
	t.Helper()
	tok, err := events.NewAccessToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		id = tok.ID
	} else {
		tok.Secret = "pnyx." + id + tok.Secret[len("pnyx.")+len(tok.ID):]
		tok.SecretSHA256 = events.SecretSHA256(tok.Secret)
	}
	if _, err := k.svc.Handle(ctx, events.GrantAccess{TokenID: id, Role: role, Scope: scope, GrantedBy: k.admin.TokenID,
		SecretSHA256: tok.SecretSHA256, At: k.at}, events.WithActor(k.admin)); err != nil {
		t.Fatalf("tokentest: grant %s the role %s: %v", id, role, err)
	}
	k.secrets[id] = tok.Secret
	return events.Actor{TokenID: id, Role: string(role)}, tok.Secret
}

// For returns the option that records cmd with an actor allowed to:
// the public for a citizen's own acts, else the admin, else a token of the
// first role allowed (granted for every body on first use).
func (k *Tokens) For(ctx context.Context, t testing.TB, cmd events.Command) events.HandleOption {
	t.Helper()
	if events.Allowed(events.AccessPublic, cmd) {
		return events.WithActor(events.PublicActor)
	}
	for _, role := range append([]events.AccessRole{events.AccessAdmin}, events.AccessRoles...) {
		if !events.Allowed(role, cmd) {
			continue
		}
		a, ok := k.byRole[role]
		if !ok {
			a, _ = k.Grant(ctx, t, "", role, events.ScopeAll)
			k.byRole[role] = a
		}
		return events.WithActor(a)
	}
	t.Fatalf("tokentest: no role may record %T", cmd)
	return nil
}
