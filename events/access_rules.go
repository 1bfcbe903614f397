package events

import "strings"

// AccessDecider holds the rules of access grants.
var AccessDecider = Decider[AccessState]{
	Kind:    "access",
	Initial: func() AccessState { return AccessState{} },
	Evolve:  evolveAccess,
	Decide:  decideAccess,
}

func decideAccess(s AccessState, c Command, _ Facts) ([]Payload, error) {
	switch c := c.(type) {
	case GrantAccess:
		if err := ValidateID("token id", c.TokenID); err != nil {
			return nil, err
		}
		if !c.Role.valid() {
			return nil, Invalidf("role %q: want one of clerk, secretariat, procurement_officer, request_officer, moderator, admin", c.Role)
		}
		if c.Scope != ScopeAll {
			if err := ValidateID("scope (a body id or *)", c.Scope); err != nil {
				return nil, err
			}
		}
		if err := ValidateID("granting token id", c.GrantedBy); err != nil {
			return nil, err
		}
		if err := needTime(c.At); err != nil {
			return nil, err
		}
		if c.GrantedBy == c.TokenID {
			return nil, Errorf(CodeForbidden, "token %s cannot grant access to itself", c.TokenID)
		}
		if s.Exists {
			return nil, Errorf(CodeConflict, "token %s was already granted access; token ids are never reused", c.TokenID)
		}
		return []Payload{AccessGranted{TokenID: c.TokenID, Role: c.Role, Scope: c.Scope, GrantedBy: c.GrantedBy}}, nil
	case RevokeAccess:
		if err := ValidateID("token id", c.TokenID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := ValidateID("revoking token id", c.RevokedBy); err != nil {
			return nil, err
		}
		if err := needTime(c.At); err != nil {
			return nil, err
		}
		if !s.Exists {
			return nil, Errorf(CodeNotFound, "token %s was never granted access", c.TokenID)
		}
		if s.Revoked {
			return nil, Errorf(CodeConflict, "token %s is already revoked", c.TokenID)
		}
		return []Payload{AccessRevoked{Reason: c.Reason, RevokedBy: c.RevokedBy}}, nil
	}
	return nil, Invalidf("command %T is not an access command", c)
}

// roleKinds says which aggregate kinds each role may record commands for.
// A citizen's own submissions (requests on the web, comments on an agenda)
// come through the public API, not a token, and are not listed here.
var roleKinds = map[AccessRole][]string{
	AccessClerk:              {"meeting", "amendment", "vote"},
	AccessSecretariat:        {"body", "faction", "meeting", "amendment", "vote", "decision", "consultation"},
	AccessProcurementOfficer: {"procurement", "supplier"},
	AccessRequestOfficer:     {"request"},
	AccessModerator:          {"consultation"},
	AccessAdmin:              {"access", "body", "faction", "meeting", "amendment", "vote", "decision", "consultation", "procurement", "supplier", "request", "skip"},
}

// Allowed reports whether role may record cmd, by the kind of the
// aggregate cmd changes. Only admins manage access itself.
func Allowed(role AccessRole, cmd Command) bool {
	kind, _, _ := strings.Cut(cmd.Stream(), "-")
	for _, k := range roleKinds[role] {
		if k == kind {
			return true
		}
	}
	return false
}

// BodyScoped is implemented by commands that act within one body (a
// meeting of a council, a vote in a committee); a token scoped to a body
// may record only those of its body.
type BodyScoped interface {
	ScopeBody() string
}

// Permits reports whether the token of s may record cmd now: it is granted
// and not revoked, its role is Allowed cmd, and its scope is ScopeAll or
// the body of a BodyScoped cmd.
func (s AccessState) Permits(cmd Command) bool {
	if !s.Exists || s.Revoked || !Allowed(s.Role, cmd) {
		return false
	}
	if s.Scope == ScopeAll {
		return true
	}
	b, ok := cmd.(BodyScoped)
	return ok && b.ScopeBody() == s.Scope
}
