package events

import "time"

// Access is who may record what. A token is granted a role and a scope,
// and later revoked; both are events, so who was allowed to write the
// record is itself on the record. The API layer enforces Permits.

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

// AccessRoles lists every role, in a stable order.
var AccessRoles = []AccessRole{AccessClerk, AccessSecretariat, AccessProcurementOfficer, AccessRequestOfficer, AccessModerator, AccessAdmin}

func (r AccessRole) valid() bool {
	for _, v := range AccessRoles {
		if r == v {
			return true
		}
	}
	return false
}

// ScopeAll is the scope of a token valid for every body.
const ScopeAll = "*"

// AccessGranted records a token's role and scope (a body id or ScopeAll),
// and the token that granted it.
type AccessGranted struct {
	TokenID   string     `json:"token_id"`
	Role      AccessRole `json:"role"`
	Scope     string     `json:"scope"`
	GrantedBy string     `json:"granted_by"`
}

// AccessRevoked records that a token may record nothing more.
type AccessRevoked struct {
	Reason    string `json:"reason"`
	RevokedBy string `json:"revoked_by"`
}

func (AccessGranted) EventType() string { return "access.granted" }
func (AccessRevoked) EventType() string { return "access.revoked" }

func init() {
	Register[AccessGranted]("access", 1, "An access token was granted a role and a scope (a body or all), by another token.")
	Register[AccessRevoked]("access", 1, "An access token was revoked for good, with the reason.")
	RegisterDecider(AccessDecider)
}

// GrantAccess gives token TokenID a role and scope. GrantedBy is the id of
// the granting token ("bootstrap" for the first admin).
type GrantAccess struct {
	TokenID   string
	Role      AccessRole
	Scope     string
	GrantedBy string
	At        time.Time
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

// AccessState is a token's grant as its stream tells it.
type AccessState struct {
	Exists    bool
	TokenID   string
	Role      AccessRole
	Scope     string
	GrantedBy string
	Revoked   bool
}

func evolveAccess(s AccessState, p Payload) AccessState {
	switch e := p.(type) {
	case AccessGranted:
		return AccessState{Exists: true, TokenID: e.TokenID, Role: e.Role, Scope: e.Scope, GrantedBy: e.GrantedBy}
	case AccessRevoked:
		s.Revoked = true
	}
	return s
}
