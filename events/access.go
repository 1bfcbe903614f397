package events

import (
	"encoding/json"
	"time"
)

// Access is who may record what. A token is granted a role and a scope,
// and later revoked; both are events, so who was allowed to write the
// record is itself on the record. The command service enforces them on
// every command (authorize.go, permissions.go).

// AccessRole is the role of an access token.
type AccessRole string

const (
	AccessClerk              AccessRole = "clerk"
	AccessSecretariat        AccessRole = "secretariat"
	AccessProcurementOfficer AccessRole = "procurement_officer"
	AccessRequestOfficer     AccessRole = "request_officer"
	AccessModerator          AccessRole = "moderator"
	AccessAdmin              AccessRole = "admin"
)

// AccessRoles lists every role a token may be granted, in a stable order.
var AccessRoles = []AccessRole{AccessClerk, AccessSecretariat, AccessProcurementOfficer, AccessRequestOfficer, AccessModerator, AccessAdmin}

func (r AccessRole) valid() bool {
	for _, v := range AccessRoles {
		if r == v {
			return true
		}
	}
	return false
}

// bodyRole reports whether a role records commands of a body, so that a
// token of it may be scoped to one.
func (r AccessRole) bodyRole() bool {
	return r == AccessClerk || r == AccessSecretariat || r == AccessModerator
}

// ScopeAll is the scope of a token valid for every body.
const ScopeAll = "*"

// MaxTokenLabelRunes bounds a token's label.
const MaxTokenLabelRunes = 200

// AccessGranted records a token's role and scope (a body id or ScopeAll),
// the token that granted it, when it expires (nil: never), a label saying
// whom or what it is for, and the SHA-256 of its secret (hex; empty for a
// token no bearer can present, such as the demo's). Schema 2 added the
// expiry, the label and the hash; schema 1 grants read as never expiring,
// unlabelled and without a secret.
type AccessGranted struct {
	TokenID      string     `json:"token_id"`
	Role         AccessRole `json:"role"`
	Scope        string     `json:"scope"`
	GrantedBy    string     `json:"granted_by"`
	ExpiresAt    *time.Time `json:"expires_at"`
	Label        string     `json:"label"`
	SecretSHA256 string     `json:"secret_sha256"`
}

// AccessRevoked records that a token may record nothing more.
type AccessRevoked struct {
	Reason    string `json:"reason"`
	RevokedBy string `json:"revoked_by"`
}

func (AccessGranted) EventType() string { return "access.granted" }
func (AccessRevoked) EventType() string { return "access.revoked" }

func init() {
	Register[AccessGranted]("access", 2, "An access token was granted a role and a scope (a body or all) by an admin token (the first admin by the installer), with its expiry, label and the SHA-256 of its secret (never the secret).")
	Register[AccessRevoked]("access", 1, "An access token was revoked for good, with the reason.")
	RegisterUpcaster("access.granted", 1, upcastAccessGrantedV1)
	RegisterDecider(AccessDecider)
}

func upcastAccessGrantedV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 struct {
		TokenID   string     `json:"token_id"`
		Role      AccessRole `json:"role"`
		Scope     string     `json:"scope"`
		GrantedBy string     `json:"granted_by"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, Invalidf("access granted v1: %v", err)
	}
	return json.Marshal(AccessGranted{TokenID: v1.TokenID, Role: v1.Role, Scope: v1.Scope, GrantedBy: v1.GrantedBy})
}

// GrantAccess gives token TokenID a role and scope. GrantedBy is the id of
// the granting token, which must be the token recording the command: an
// admin in force, or InstallerTokenID for the first admin. ExpiresAt, when
// set, ends the token; SecretSHA256 is SecretSHA256 of the secret handed to
// its holder (NewAccessToken).
type GrantAccess struct {
	TokenID      string
	Role         AccessRole
	Scope        string
	GrantedBy    string
	ExpiresAt    time.Time
	Label        string
	SecretSHA256 string
	At           time.Time
}

// RevokeAccess withdraws a token for good; token ids are never reused.
type RevokeAccess struct {
	TokenID   string
	Reason    string
	RevokedBy string
	At        time.Time
}

// AccessStream returns the stream of token id.
func AccessStream(tokenID string) string { return StreamName("access", tokenID) }

func (c GrantAccess) Stream() string  { return AccessStream(c.TokenID) }
func (c RevokeAccess) Stream() string { return AccessStream(c.TokenID) }

func (c GrantAccess) OccurredAt() time.Time  { return c.At }
func (c RevokeAccess) OccurredAt() time.Time { return c.At }

// Needs: the granting token's grant, read atomically with the grant so a
// revocation of the granter cannot slip in between; the admin roll for an
// admin grant; the body a scope names.
func (c GrantAccess) Needs() []string {
	var needs []string
	if c.GrantedBy != InstallerTokenID && ValidateID("granting token id", c.GrantedBy) == nil {
		needs = append(needs, AccessStream(c.GrantedBy))
	}
	if c.Role == AccessAdmin {
		needs = append(needs, AdminRollStream)
	}
	if c.Scope != ScopeAll && ValidateID("scope", c.Scope) == nil {
		needs = append(needs, StreamName("body", c.Scope))
	}
	return needs
}

// Needs: the revoking token's grant.
func (c RevokeAccess) Needs() []string {
	if ValidateID("revoking token id", c.RevokedBy) != nil {
		return nil
	}
	return []string{AccessStream(c.RevokedBy)}
}

// NeedsGiven: the admin roll, when the token revoked is an admin.
func (c RevokeAccess) NeedsGiven(state any) []string {
	if s, ok := state.(AccessState); ok && s.Role == AccessAdmin {
		return []string{AdminRollStream}
	}
	return nil
}

// AccessState is a token's grant as its stream tells it.
type AccessState struct {
	Exists       bool
	TokenID      string
	Role         AccessRole
	Scope        string
	GrantedBy    string
	ExpiresAt    time.Time
	Label        string
	SecretSHA256 string
	Revoked      bool
}

func evolveAccess(s AccessState, p Payload) AccessState {
	switch e := p.(type) {
	case AccessGranted:
		s = AccessState{Exists: true, TokenID: e.TokenID, Role: e.Role, Scope: e.Scope, GrantedBy: e.GrantedBy, Label: e.Label, SecretSHA256: e.SecretSHA256}
		if e.ExpiresAt != nil {
			s.ExpiresAt = e.ExpiresAt.UTC()
		}
		return s
	case AccessRevoked:
		s.Revoked = true
	}
	return s
}

// The admin roll lists the admin tokens granted and not revoked, with
// their expiry: the installer may grant the first admin only while none
// is in force. Every admin grant and revocation appends to it in the same
// atomic step (OnStream), so two installers racing cannot both succeed.

// AdminRollStream is the stream of the admin roll.
const AdminRollStream = "adminroll-admins"

// AdminEnrolled records an admin token on the roll.
type AdminEnrolled struct {
	TokenID   string     `json:"token_id"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// AdminStruckOff records an admin token's revocation on the roll.
type AdminStruckOff struct {
	TokenID string `json:"token_id"`
}

func (AdminEnrolled) EventType() string  { return "adminroll.enrolled" }
func (AdminStruckOff) EventType() string { return "adminroll.struck_off" }

// AdminRollState maps each admin token not revoked to its expiry (zero:
// never).
type AdminRollState struct {
	Admins map[string]time.Time
}

// InForce reports whether an admin token is in force at t.
func (r AdminRollState) InForce(t time.Time) bool {
	for _, exp := range r.Admins {
		if exp.IsZero() || t.Before(exp) {
			return true
		}
	}
	return false
}

// AdminRollDecider folds the roll; only access commands write it.
var AdminRollDecider = Decider[AdminRollState]{
	Kind:    "adminroll",
	Initial: func() AdminRollState { return AdminRollState{} },
	Evolve: func(s AdminRollState, p Payload) AdminRollState {
		switch e := p.(type) {
		case AdminEnrolled:
			s.Admins = cloneOrMake(s.Admins)
			var exp time.Time
			if e.ExpiresAt != nil {
				exp = e.ExpiresAt.UTC()
			}
			s.Admins[e.TokenID] = exp
		case AdminStruckOff:
			s.Admins = cloneOrMake(s.Admins)
			delete(s.Admins, e.TokenID)
		}
		return s
	},
	Decide: func(_ AdminRollState, c Command, _ Facts) ([]Payload, error) {
		return nil, Invalidf("command %T: the admin roll is written by the grants and revocations of admin tokens", c)
	},
}

func init() {
	Register[AdminEnrolled]("adminroll", 1, "An admin token was entered on the roll of admins, with its expiry (written with its grant).")
	Register[AdminStruckOff]("adminroll", 1, "An admin token was struck off the roll of admins (written with its revocation).")
	RegisterDecider(AdminRollDecider)
}
