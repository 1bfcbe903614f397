package events

import "time"

// AccessDecider holds the rules of access grants.
var AccessDecider = Decider[AccessState]{
	Kind:    "access",
	Initial: func() AccessState { return AccessState{} },
	Evolve:  evolveAccess,
	Decide:  decideAccess,
}

// reservedTokenIDs are the ids of actors that are not tokens.
var reservedTokenIDs = map[string]bool{InstallerTokenID: true, string(AccessPublic): true}

func decideAccess(s AccessState, c Command, f Facts) ([]Payload, error) {
	switch c := c.(type) {
	case GrantAccess:
		return decideGrant(s, c, f)
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
		by, _ := FactOf[AccessState](f, AccessStream(c.RevokedBy))
		if c.RevokedBy == c.TokenID {
			by = s // an admin leaving revokes itself
		}
		if err := adminInForce(by, c.RevokedBy, c.At); err != nil {
			return nil, err
		}
		if !s.Exists {
			return nil, Errorf(CodeNotFound, "token %s was never granted access", c.TokenID)
		}
		if s.Revoked {
			return nil, Errorf(CodeConflict, "token %s is already revoked", c.TokenID)
		}
		out := []Payload{AccessRevoked{Reason: c.Reason, RevokedBy: c.RevokedBy}}
		if s.Role == AccessAdmin {
			out = append(out, OnStream{Stream: AdminRollStream, Payload: AdminStruckOff{TokenID: c.TokenID}})
		}
		return out, nil
	}
	return nil, Invalidf("command %T is not an access command", c)
}

func decideGrant(s AccessState, c GrantAccess, f Facts) ([]Payload, error) {
	if err := ValidateID("token id", c.TokenID); err != nil {
		return nil, err
	}
	if reservedTokenIDs[c.TokenID] {
		return nil, Invalidf("token id %q is reserved", c.TokenID)
	}
	if !c.Role.valid() {
		return nil, Invalidf("role %q: want one of clerk, secretariat, procurement_officer, request_officer, moderator, admin", c.Role)
	}
	if c.Scope != ScopeAll {
		if err := ValidateID("scope (a body id or *)", c.Scope); err != nil {
			return nil, err
		}
		if !c.Role.bodyRole() {
			return nil, Invalidf("a token of role %s records nothing of a body: its scope is *", c.Role)
		}
	}
	if err := ValidateID("granting token id", c.GrantedBy); err != nil {
		return nil, err
	}
	if err := ValidateText("label", c.Label, MaxTokenLabelRunes); c.Label != "" && err != nil {
		return nil, err
	}
	if c.SecretSHA256 != "" && !isSHA256Hex(c.SecretSHA256) {
		return nil, Invalidf("secret hash: want the 64 lower-case hex digits of a SHA-256")
	}
	if err := needTime(c.At); err != nil {
		return nil, err
	}
	if !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(c.At) {
		return nil, Invalidf("a token expiring at %s, not after its grant at %s", c.ExpiresAt.UTC().Format(time.RFC3339), c.At.UTC().Format(time.RFC3339))
	}
	if c.GrantedBy == c.TokenID {
		return nil, Errorf(CodeForbidden, "token %s cannot grant access to itself", c.TokenID)
	}
	roll, _ := FactOf[AdminRollState](f, AdminRollStream)
	if c.GrantedBy == InstallerTokenID {
		if c.Role != AccessAdmin {
			return nil, Errorf(CodeForbidden, "the installer grants only the first admin token")
		}
		if roll.InForce(c.At) {
			return nil, Errorf(CodeForbidden, "an admin token is in force: the installer grants only the first admin; ask an admin")
		}
	} else {
		by, _ := FactOf[AccessState](f, AccessStream(c.GrantedBy))
		if err := adminInForce(by, c.GrantedBy, c.At); err != nil {
			return nil, err
		}
	}
	if c.Scope != ScopeAll {
		if b, _ := FactOf[BodyState](f, StreamName("body", c.Scope)); !b.Exists {
			return nil, Errorf(CodeNotFound, "scope: no body %s is registered", c.Scope)
		}
	}
	if s.Exists {
		return nil, Errorf(CodeConflict, "token %s was already granted access; token ids are never reused", c.TokenID)
	}
	g := AccessGranted{TokenID: c.TokenID, Role: c.Role, Scope: c.Scope, GrantedBy: c.GrantedBy, Label: c.Label, SecretSHA256: c.SecretSHA256}
	var exp *time.Time
	if !c.ExpiresAt.IsZero() {
		t := c.ExpiresAt.UTC()
		exp, g.ExpiresAt = &t, &t
	}
	out := []Payload{g}
	if c.Role == AccessAdmin {
		out = append(out, OnStream{Stream: AdminRollStream, Payload: AdminEnrolled{TokenID: c.TokenID, ExpiresAt: exp}})
	}
	return out, nil
}

// adminInForce refuses a grant or revocation by a token that is not an
// admin in force at t, by its grant g read as a fact.
func adminInForce(g AccessState, token string, t time.Time) error {
	switch {
	case !g.Exists || g.Revoked || (!g.ExpiresAt.IsZero() && !t.Before(g.ExpiresAt)):
		return Errorf(CodeForbidden, "token %s is not an access token in force: only an admin in force grants and revokes", token)
	case g.Role != AccessAdmin:
		return Errorf(CodeForbidden, "token %s is of role %s: only an admin grants and revokes", token, g.Role)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
