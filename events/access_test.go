package events

import "testing"

func TestAccessGrants(t *testing.T) {
	grant := GrantAccess{TokenID: "tok-clerk-1", Role: AccessClerk, Scope: "council", GrantedBy: "tok-admin", At: psT0}
	granted := psDecide(t, AccessDecider, nil, nil, grant)
	revoked := append(append([]Payload(nil), granted...), AccessRevoked{Reason: "left the service", RevokedBy: "tok-admin"})

	t.Run("a granted token holds its role and scope until revoked", func(t *testing.T) {
		s := AccessDecider.Fold(granted...)
		if !s.Exists || s.Revoked || s.Role != AccessClerk || s.Scope != "council" || s.GrantedBy != "tok-admin" {
			t.Fatalf("state = %+v", s)
		}
		evs := psDecide(t, AccessDecider, granted, nil, RevokeAccess{TokenID: grant.TokenID, Reason: "left", RevokedBy: "tok-admin", At: psDay(1)})
		if s := AccessDecider.Fold(append(granted, evs...)...); !s.Revoked {
			t.Fatalf("state after revoke = %+v", s)
		}
		psRoundTrip(t, append(granted, evs...)...)
	})

	bad := func(f func(*GrantAccess)) GrantAccess { c := grant; f(&c); return c }
	psCheckRefusals(t, AccessDecider, []psRefusal{
		{name: "an unknown role is invalid", cmd: bad(func(c *GrantAccess) { c.Role = "mayor" }), code: CodeInvalid},
		{name: "a scope that is neither a body id nor * is invalid", cmd: bad(func(c *GrantAccess) { c.Scope = "" }), code: CodeInvalid},
		{name: "a grant without its granter is invalid", cmd: bad(func(c *GrantAccess) { c.GrantedBy = "" }), code: CodeInvalid},
		{name: "a token granting itself is forbidden", cmd: bad(func(c *GrantAccess) { c.GrantedBy = c.TokenID }), code: CodeForbidden},
		{name: "granting a token twice is a conflict", given: granted, cmd: grant, code: CodeConflict},
		{name: "granting a revoked token again is a conflict", given: revoked, cmd: grant, code: CodeConflict},
		{name: "revoking an unknown token is not found", cmd: RevokeAccess{TokenID: "tok-x", Reason: "r", RevokedBy: "tok-admin", At: psT0}, code: CodeNotFound},
		{name: "revoking twice is a conflict", given: revoked, cmd: RevokeAccess{TokenID: grant.TokenID, Reason: "r", RevokedBy: "tok-admin", At: psT0}, code: CodeConflict},
		{name: "revoking without a reason is invalid", given: granted, cmd: RevokeAccess{TokenID: grant.TokenID, RevokedBy: "tok-admin", At: psT0}, code: CodeInvalid},
		{name: "a command of another aggregate is invalid", cmd: CloseRequest{RequestID: "r1", At: psT0}, code: CodeInvalid},
	})
}

// psBodyCommand stands for a command that acts within a body, as the
// meeting and vote commands do.
type psBodyCommand struct{ body string }

func (c psBodyCommand) Stream() string    { return "meeting-m1" }
func (c psBodyCommand) ScopeBody() string { return c.body }

func TestAllowed(t *testing.T) {
	cmds := map[string]Command{
		"meeting":     psBodyCommand{body: "council"},
		"procurement": psPlan(),
		"supplier":    psSupplier(psVAT),
		"request":     psSubmit(),
		"access":      GrantAccess{TokenID: "t"},
	}
	want := map[AccessRole][]string{
		AccessClerk:              {"meeting"},
		AccessSecretariat:        {"meeting"},
		AccessProcurementOfficer: {"procurement", "supplier"},
		AccessRequestOfficer:     {"request"},
		AccessModerator:          {},
		AccessAdmin:              {"meeting", "procurement", "supplier", "request", "access"},
	}
	for _, role := range AccessRoles {
		allowed := map[string]bool{}
		for _, k := range want[role] {
			allowed[k] = true
		}
		for kind, cmd := range cmds {
			name := string(role) + " may not record " + kind
			if allowed[kind] {
				name = string(role) + " may record " + kind
			}
			t.Run(name, func(t *testing.T) {
				if got := Allowed(role, cmd); got != allowed[kind] {
					t.Fatalf("Allowed = %v", got)
				}
			})
		}
	}
	t.Run("only admins manage access", func(t *testing.T) {
		for _, role := range AccessRoles {
			if Allowed(role, GrantAccess{TokenID: "t"}) != (role == AccessAdmin) {
				t.Errorf("role %s", role)
			}
		}
	})
	t.Run("an unknown role may record nothing", func(t *testing.T) {
		if Allowed("mayor", psSubmit()) {
			t.Fatal("allowed")
		}
	})
}

func TestPermits(t *testing.T) {
	clerk := AccessState{Exists: true, TokenID: "t", Role: AccessClerk, Scope: "council"}
	for _, c := range []struct {
		name string
		s    AccessState
		cmd  Command
		want bool
	}{
		{"a token scoped to a body may record in that body", clerk, psBodyCommand{body: "council"}, true},
		{"a token scoped to a body may not record in another", clerk, psBodyCommand{body: "committee-finance"}, false},
		{"a token for all bodies may record in any", AccessState{Exists: true, Role: AccessClerk, Scope: ScopeAll}, psBodyCommand{body: "committee-finance"}, true},
		{"a body-scoped token may not record what belongs to no body", AccessState{Exists: true, Role: AccessProcurementOfficer, Scope: "council"}, psPlan(), false},
		{"a revoked token may record nothing", AccessState{Exists: true, Role: AccessAdmin, Scope: ScopeAll, Revoked: true}, psPlan(), false},
		{"a token never granted may record nothing", AccessState{Role: AccessAdmin, Scope: ScopeAll}, psPlan(), false},
		{"a role outside its kinds may not record even with scope *", AccessState{Exists: true, Role: AccessModerator, Scope: ScopeAll}, psPlan(), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Permits(c.cmd); got != c.want {
				t.Fatalf("Permits = %v", got)
			}
		})
	}
}
