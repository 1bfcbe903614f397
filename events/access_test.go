package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAccessGrants(t *testing.T) {
	admin := AccessState{Exists: true, TokenID: "tok-admin", Role: AccessAdmin, Scope: ScopeAll}
	council := BodyState{Exists: true, ID: "council"}
	facts := Facts{AccessStream("tok-admin"): admin, StreamName("body", "council"): council}
	hash := SecretSHA256("pnyx.tok-clerk-1.secret")
	grant := GrantAccess{TokenID: "tok-clerk-1", Role: AccessClerk, Scope: "council", GrantedBy: "tok-admin", Label: "Γραμματεία", SecretSHA256: hash,
		ExpiresAt: psT0.Add(90 * 24 * time.Hour), At: psT0}
	granted := psDecide(t, AccessDecider, nil, facts, grant)
	revoked := append(append([]Payload(nil), granted...), AccessRevoked{Reason: "left the service", RevokedBy: "tok-admin"})

	t.Run("a granted token holds its role, scope, expiry, label and hash until revoked", func(t *testing.T) {
		s := AccessDecider.Fold(granted...)
		if !s.Exists || s.Revoked || s.Role != AccessClerk || s.Scope != "council" || s.GrantedBy != "tok-admin" ||
			!s.ExpiresAt.Equal(grant.ExpiresAt) || s.Label != "Γραμματεία" || s.SecretSHA256 != hash {
			t.Fatalf("state = %+v", s)
		}
		evs := psDecide(t, AccessDecider, granted, facts, RevokeAccess{TokenID: grant.TokenID, Reason: "left", RevokedBy: "tok-admin", At: psDay(1)})
		if s := AccessDecider.Fold(append(granted, evs...)...); !s.Revoked {
			t.Fatalf("state after revoke = %+v", s)
		}
		psRoundTrip(t, append(granted, evs...)...)
	})
	t.Run("an admin grant and its revocation enter and strike off the roll", func(t *testing.T) {
		g := grant
		g.TokenID, g.Role, g.Scope = "tok-admin-2", AccessAdmin, ScopeAll
		evs := psDecide(t, AccessDecider, nil, facts, g)
		if len(evs) != 2 || evs[1].(OnStream).Stream != AdminRollStream {
			t.Fatalf("events = %#v", evs)
		}
		roll := AdminRollDecider.Fold(evs[1].(OnStream).Payload)
		if !roll.InForce(psT0) || roll.InForce(g.ExpiresAt) {
			t.Fatalf("roll = %+v", roll)
		}
		rev := psDecide(t, AccessDecider, evs[:1], facts, RevokeAccess{TokenID: g.TokenID, Reason: "r", RevokedBy: "tok-admin", At: psDay(1)})
		if len(rev) != 2 || AdminRollDecider.Fold(evs[1].(OnStream).Payload, rev[1].(OnStream).Payload).InForce(psT0) {
			t.Fatalf("revocation = %#v", rev)
		}
	})
	t.Run("the installer grants the first admin while none is in force", func(t *testing.T) {
		first := GrantAccess{TokenID: "tok-first", Role: AccessAdmin, Scope: ScopeAll, GrantedBy: InstallerTokenID, At: psT0}
		psDecide(t, AccessDecider, nil, nil, first)
		expired := AdminRollDecider.Fold(AdminEnrolled{TokenID: "tok-old", ExpiresAt: &psT0})
		psDecide(t, AccessDecider, nil, Facts{AdminRollStream: expired}, first)
	})
	t.Run("a schema 1 grant reads as unlabelled, never expiring and without a secret", func(t *testing.T) {
		p, err := Decode(RecordedEvent{Type: "access.granted", Schema: 1,
			Data: json.RawMessage(`{"token_id":"tok-a","role":"clerk","scope":"council","granted_by":"tok-admin"}`)})
		if err != nil {
			t.Fatal(err)
		}
		g := p.(AccessGranted)
		if g.TokenID != "tok-a" || g.Role != AccessClerk || g.Scope != "council" || g.GrantedBy != "tok-admin" || g.ExpiresAt != nil || g.Label != "" || g.SecretSHA256 != "" {
			t.Fatalf("upcast = %+v", g)
		}
	})

	bad := func(f func(*GrantAccess)) GrantAccess { c := grant; f(&c); return c }
	inForce := AdminRollDecider.Fold(AdminEnrolled{TokenID: "tok-admin"})
	clerk := AccessState{Exists: true, TokenID: "tok-clerk", Role: AccessClerk, Scope: ScopeAll}
	psCheckRefusals(t, AccessDecider, []psRefusal{
		{name: "an unknown role is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.Role = "mayor" }), code: CodeInvalid},
		{name: "the public role is not granted", facts: facts, cmd: bad(func(c *GrantAccess) { c.Role = AccessPublic }), code: CodeInvalid},
		{name: "a reserved token id is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.TokenID = InstallerTokenID }), code: CodeInvalid},
		{name: "a scope that is neither a body id nor * is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.Scope = "" }), code: CodeInvalid},
		{name: "a scope for a role that records nothing of a body is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.Role = AccessProcurementOfficer }), code: CodeInvalid},
		{name: "a scope naming no registered body is not found", facts: Facts{AccessStream("tok-admin"): admin}, cmd: grant, code: CodeNotFound},
		{name: "an expiry not after the grant is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.ExpiresAt = c.At }), code: CodeInvalid},
		{name: "a malformed secret hash is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.SecretSHA256 = strings.ToUpper(hash) }), code: CodeInvalid},
		{name: "a label over the limit is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.Label = strings.Repeat("α", MaxTokenLabelRunes+1) }), code: CodeInvalid},
		{name: "a grant without its granter is invalid", facts: facts, cmd: bad(func(c *GrantAccess) { c.GrantedBy = "" }), code: CodeInvalid},
		{name: "a token granting itself is forbidden", facts: facts, cmd: bad(func(c *GrantAccess) { c.GrantedBy = c.TokenID }), code: CodeForbidden},
		{name: "a grant by a token never granted is forbidden", facts: facts, cmd: bad(func(c *GrantAccess) { c.GrantedBy = "tok-nobody" }), code: CodeForbidden},
		{name: "a grant by a token that is not an admin is forbidden", facts: Facts{AccessStream("tok-clerk"): clerk, StreamName("body", "council"): council},
			cmd: bad(func(c *GrantAccess) { c.GrantedBy = "tok-clerk" }), code: CodeForbidden},
		{name: "a grant by a revoked admin is forbidden", facts: Facts{AccessStream("tok-admin"): AccessState{Exists: true, Role: AccessAdmin, Revoked: true}, StreamName("body", "council"): council},
			cmd: grant, code: CodeForbidden},
		{name: "a grant by an expired admin is forbidden", facts: Facts{AccessStream("tok-admin"): AccessState{Exists: true, Role: AccessAdmin, ExpiresAt: psT0}, StreamName("body", "council"): council},
			cmd: grant, code: CodeForbidden},
		{name: "the installer grants no role but admin", cmd: bad(func(c *GrantAccess) { c.GrantedBy = InstallerTokenID; c.Scope = ScopeAll }), code: CodeForbidden},
		{name: "the installer grants no admin while one is in force", facts: Facts{AdminRollStream: inForce},
			cmd: GrantAccess{TokenID: "tok-second", Role: AccessAdmin, Scope: ScopeAll, GrantedBy: InstallerTokenID, At: psT0}, code: CodeForbidden},
		{name: "granting a token twice is a conflict", given: granted, facts: facts, cmd: grant, code: CodeConflict},
		{name: "granting a revoked token again is a conflict", given: revoked, facts: facts, cmd: grant, code: CodeConflict},
		{name: "revoking an unknown token is not found", facts: facts, cmd: RevokeAccess{TokenID: "tok-x", Reason: "r", RevokedBy: "tok-admin", At: psT0}, code: CodeNotFound},
		{name: "revoking by a token that is not an admin is forbidden", given: granted, facts: Facts{AccessStream("tok-clerk"): clerk},
			cmd: RevokeAccess{TokenID: grant.TokenID, Reason: "r", RevokedBy: "tok-clerk", At: psT0}, code: CodeForbidden},
		{name: "revoking twice is a conflict", given: revoked, facts: facts, cmd: RevokeAccess{TokenID: grant.TokenID, Reason: "r", RevokedBy: "tok-admin", At: psT0}, code: CodeConflict},
		{name: "revoking without a reason is invalid", given: granted, facts: facts, cmd: RevokeAccess{TokenID: grant.TokenID, RevokedBy: "tok-admin", At: psT0}, code: CodeInvalid},
		{name: "a command of another aggregate is invalid", cmd: CloseRequest{RequestID: "r1", At: psT0}, code: CodeInvalid},
	})
}

func TestAccessSecrets(t *testing.T) {
	tok, err := NewAccessToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a new secret names its token and carries 256 random bits", func(t *testing.T) {
		id, ok := tokenOfSecret(tok.Secret)
		if !ok || id != tok.ID || !strings.HasPrefix(tok.ID, "tok-") {
			t.Fatalf("token %+v: id %q, %v", tok, id, ok)
		}
		if tok.SecretSHA256 != SecretSHA256(tok.Secret) || !isSHA256Hex(tok.SecretSHA256) {
			t.Fatalf("hash %q", tok.SecretSHA256)
		}
		other, _ := NewAccessToken(nil)
		if other.ID == tok.ID || other.Secret == tok.Secret {
			t.Fatal("two tokens alike")
		}
	})
	for _, s := range []string{"", "pnyx.", "pnyx.tok-a", "bearer " + tok.Secret, tok.Secret + "x", strings.TrimPrefix(tok.Secret, "pnyx."), "pnyx..abc"} {
		if _, ok := tokenOfSecret(s); ok {
			t.Errorf("secret %q names a token", s)
		}
	}
}
