package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Who may record what is decided here, on every command the Service
// handles, so GraphQL, the CLI and the importers obey the same rules.
//
// An actor is one of three things:
//   - a token: Actor.TokenID names access-<token id>, whose grant (role,
//     scope, expiry, revocation) the Service folds from the log; a bearer
//     proves it holds the token with its secret (Authenticate);
//   - PublicActor, TokenID "" and role "public": an anonymous citizen, who
//     may only submit (and withdraw) their own comments and web requests;
//   - InstallerActor, TokenID "installer": the local installer, who may
//     only grant the first admin token while no admin is in force.
//
// The zero Actor is nobody: every command refuses it as unauthenticated.

// AccessPublic is the declared role of anonymous callers. It is never
// granted to a token.
const AccessPublic AccessRole = "public"

// InstallerTokenID is the actor of the installer path; no token is ever
// granted this id.
const InstallerTokenID = "installer"

// PublicActor is the actor of an anonymous caller: no token, the public
// role. Only SubmitComment, WithdrawComment (by its author) and a
// SubmitRequest on the web are open to it.
var PublicActor = Actor{Role: string(AccessPublic)}

// InstallerActor records the first admin token of a data directory, on a
// path that has no token to present (pnyx token create on a local data
// directory). It may record a GrantAccess of role admin by "installer", and
// only while no admin token is in force (the admin roll, read atomically).
var InstallerActor = Actor{TokenID: InstallerTokenID, Role: "installer"}

// ErrNotPermitted is matched by every refusal of the authorization step
// for a valid actor without the right (code forbidden), so callers can
// tell it from a rule of the record that also says forbidden.
var ErrNotPermitted = &Error{Code: CodeForbidden, Message: "not permitted"}

func notPermitted(format string, args ...any) error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...), Err: ErrNotPermitted}
}

func unauthenticated(format string, args ...any) error {
	return &Error{Code: CodeUnauthenticated, Message: fmt.Sprintf(format, args...)}
}

// A token's secret is "pnyx." + token id + "." + 43 characters of
// base64url: 256 random bits. Only its SHA-256 is kept, in the grant
// (AccessGranted.SecretSHA256): the log is public, and a hash of 256 random
// bits cannot be turned back into the secret nor guessed, so publishing it
// proves nothing to anyone but the holder. The token id travels in the
// secret so Authenticate folds one stream, with no index of hashes.
const secretPrefix = "pnyx."

// secretBytes is the entropy of a secret.
const secretBytes = 32

// AccessToken is a new token: its id, the secret to hand over once, and
// the hash that the grant records.
type AccessToken struct {
	ID           string
	Secret       string
	SecretSHA256 string
}

// NewAccessToken draws a new token id and secret from r (crypto/rand's
// Reader when nil).
func NewAccessToken(r io.Reader) (AccessToken, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [8 + secretBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return AccessToken{}, &Error{Code: CodeInternal, Message: "draw a token secret", Err: err}
	}
	id := "tok-" + hex.EncodeToString(b[:8])
	secret := secretPrefix + id + "." + base64.RawURLEncoding.EncodeToString(b[8:])
	return AccessToken{ID: id, Secret: secret, SecretSHA256: SecretSHA256(secret)}, nil
}

// SecretSHA256 is the lower-case hex SHA-256 of a secret, as a grant
// records it.
func SecretSHA256(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// tokenOfSecret returns the token id a secret names.
func tokenOfSecret(secret string) (string, bool) {
	rest, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 || len(rest)-i-1 != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return "", false
	}
	id := rest[:i]
	if ValidateID("token id", id) != nil {
		return "", false
	}
	return id, true
}

// Authenticate resolves a bearer's secret to the actor it stands for: the
// token's id and granted role. It returns a CodeUnauthenticated error for a
// malformed or unknown secret, and for a token revoked or expired (by the
// Service's clock). The comparison of hashes takes constant time.
func (s *Service) Authenticate(ctx context.Context, secret string) (Actor, error) {
	id, ok := tokenOfSecret(secret)
	if !ok {
		return Actor{}, unauthenticated("the access token is not one this server issued")
	}
	g, err := s.grant(ctx, id)
	if err != nil {
		return Actor{}, err
	}
	want, err := hex.DecodeString(g.SecretSHA256)
	got := sha256.Sum256([]byte(secret))
	if !g.Exists || err != nil || len(want) != sha256.Size || subtle.ConstantTimeCompare(want, got[:]) != 1 {
		return Actor{}, unauthenticated("unknown access token")
	}
	if err := g.inForce(s.now()); err != nil {
		return Actor{}, err
	}
	return Actor{TokenID: id, Role: string(g.Role)}, nil
}

// grant folds the access stream of token id: from the cache for a
// SoleWriter (its revocations pass through it), brought up to date from
// the store otherwise, so a revocation appended by anyone is seen by the
// next command.
func (s *Service) grant(ctx context.Context, id string) (AccessState, error) {
	l, err := s.load(ctx, accessAggregate, AccessStream(id), !s.soleWriter, uuid.Nil)
	if err != nil {
		return AccessState{}, err
	}
	g, _ := l.state.(AccessState)
	return g, nil
}

var accessAggregate = Aggregate{
	Kind:    AccessDecider.Kind,
	Initial: func() any { return AccessDecider.Initial() },
	Evolve:  func(s any, p Payload) any { return AccessDecider.Evolve(s.(AccessState), p) },
	Decide:  func(s any, c Command, f Facts) ([]Payload, error) { return AccessDecider.Decide(s.(AccessState), c, f) },
}

// inForce refuses a grant that does not exist, was revoked, or has
// expired at now.
func (g AccessState) inForce(now time.Time) error {
	switch {
	case !g.Exists:
		return unauthenticated("unknown access token")
	case g.Revoked:
		return unauthenticated("access token %s was revoked", g.TokenID)
	case !g.ExpiresAt.IsZero() && !now.Before(g.ExpiresAt):
		return unauthenticated("access token %s expired at %s", g.TokenID, g.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// authorize checks that actor may record cmd: that it is somebody, that
// its token is in force, and that its role is Allowed cmd. It returns the
// actor to record (with the granted role) and the grant, whose scope
// attempt checks once the command's stream is folded (checkScope).
func (s *Service) authorize(ctx context.Context, cmd Command, actor Actor) (Actor, AccessState, error) {
	switch {
	case actor == (Actor{}):
		return Actor{}, AccessState{}, unauthenticated("%s needs an access token", commandName(cmd))
	case actor == PublicActor:
		if !Allowed(AccessPublic, cmd) {
			return Actor{}, AccessState{}, unauthenticated("%s needs an access token; the public may only submit comments and requests", commandName(cmd))
		}
		return actor, AccessState{Exists: true, Role: AccessPublic, Scope: ScopeAll}, nil
	case actor.TokenID == InstallerTokenID:
		if g, ok := cmd.(GrantAccess); !ok || g.Role != AccessAdmin || g.GrantedBy != InstallerTokenID || actor != InstallerActor {
			return Actor{}, AccessState{}, notPermitted("the installer may only grant the first admin token")
		}
		return actor, AccessState{Exists: true, TokenID: InstallerTokenID, Role: AccessAdmin, Scope: ScopeAll}, nil
	case actor.TokenID == "":
		return Actor{}, AccessState{}, unauthenticated("%s needs an access token", commandName(cmd))
	}
	if ValidateID("token id", actor.TokenID) != nil {
		return Actor{}, AccessState{}, unauthenticated("unknown access token")
	}
	g, err := s.grant(ctx, actor.TokenID)
	if err != nil {
		return Actor{}, AccessState{}, err
	}
	if err := g.inForce(s.now()); err != nil {
		return Actor{}, AccessState{}, err
	}
	if actor.Role != "" && actor.Role != string(g.Role) {
		return Actor{}, AccessState{}, unauthenticated("access token %s holds the role %s, not %s", g.TokenID, g.Role, actor.Role)
	}
	if !Allowed(g.Role, cmd) {
		return Actor{}, AccessState{}, notPermitted("the role %s may not record %s", g.Role, commandName(cmd))
	}
	if err := byItsToken(cmd, g.TokenID); err != nil {
		return Actor{}, AccessState{}, err
	}
	if g.Scope != ScopeAll {
		if _, ok := cmd.(BodyScoped); !ok {
			return Actor{}, AccessState{}, notPermitted("access token %s is scoped to body %s; %s belongs to no body", g.TokenID, g.Scope, commandName(cmd))
		}
	}
	return Actor{TokenID: g.TokenID, Role: string(g.Role)}, g, nil
}

// byItsToken refuses a grant or revocation that names another token than
// the one recording it: who granted is on the record, so it must be true.
func byItsToken(cmd Command, token string) error {
	var by string
	switch c := cmd.(type) {
	case GrantAccess:
		by = c.GrantedBy
	case RevokeAccess:
		by = c.RevokedBy
	default:
		return nil
	}
	if by != token {
		return notPermitted("access token %s cannot record a grant or revocation in the name of %s", token, by)
	}
	return nil
}

// checkScope refuses a BodyScoped command of another body than the
// grant's scope, given the folded state of the command's stream.
func (s *Service) checkScope(ctx context.Context, cmd Command, g AccessState, state any) error {
	if g.Scope == ScopeAll || g.Role == AccessPublic {
		return nil
	}
	b, ok := cmd.(BodyScoped)
	if !ok {
		return notPermitted("access token %s is scoped to body %s; %s belongs to no body", g.TokenID, g.Scope, commandName(cmd))
	}
	body, meeting := b.ScopeBody(state)
	if body == "" && meeting != "" && ValidateID("meeting id", meeting) == nil {
		l, err := s.load(ctx, meetingAggregate(), meetingStream(meeting), false, uuid.Nil)
		if err != nil {
			return err
		}
		if m, ok := l.state.(MeetingState); ok {
			body = m.BodyID
		}
	}
	if body != g.Scope {
		return notPermitted("access token %s is scoped to body %s; %s is not of that body", g.TokenID, g.Scope, commandName(cmd))
	}
	return nil
}

func meetingAggregate() Aggregate {
	a, _ := AggregateOf(meetingStream("x"))
	return a
}

// commandName is the name of a command's type, as Rules names it.
func commandName(cmd Command) string {
	t := reflect.TypeOf(cmd)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// BodyScoped is implemented by commands that act within one body: the
// commands of bodies, meetings and their items (attendance included),
// votes, decisions, minutes, consultations and amendments; not the
// protocol, which is the municipality's. A token scoped to a body may record only
// those of its body. ScopeBody names the body given the folded state of
// the command's own stream: the record's body once it exists, the
// command's otherwise; or, where only the meeting is known (the steps of a
// consultation), "" and the meeting's id, whose body the Service looks up.
type BodyScoped interface {
	ScopeBody(state any) (bodyID, meetingID string)
}

// scopeOf is the body (or meeting) of a record from its state, falling
// back to what the command names for a record not yet begun.
func scopeOf(state any, body, meeting string) (string, string) {
	switch s := state.(type) {
	case MeetingState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	case VoteState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	case DecisionState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	case AmendmentState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	case FactionState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	case ConsultationState:
		if s.MeetingID != "" {
			return "", s.MeetingID
		}
	case MinutesState:
		if s.BodyID != "" {
			return s.BodyID, ""
		}
	}
	return body, meeting
}

func (c RegisterBody) ScopeBody(any) (string, string)        { return c.BodyID, "" }
func (c ChangeBodySettings) ScopeBody(any) (string, string)  { return c.BodyID, "" }
func (c AddMember) ScopeBody(any) (string, string)           { return c.BodyID, "" }
func (c RemoveMember) ScopeBody(any) (string, string)        { return c.BodyID, "" }
func (c ChangeMemberRole) ScopeBody(any) (string, string)    { return c.BodyID, "" }
func (c ChangeMemberFaction) ScopeBody(any) (string, string) { return c.BodyID, "" }

func (c FormFaction) ScopeBody(s any) (string, string)          { return scopeOf(s, c.BodyID, "") }
func (c ChangeFactionDetails) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c ChangeFactionLeader) ScopeBody(s any) (string, string)  { return scopeOf(s, "", "") }
func (c ChangeFactionRole) ScopeBody(s any) (string, string)    { return scopeOf(s, "", "") }
func (c DissolveFaction) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }

func (c ScheduleMeeting) ScopeBody(s any) (string, string)     { return scopeOf(s, c.BodyID, "") }
func (c AddItem) ScopeBody(s any) (string, string)             { return scopeOf(s, "", "") }
func (c WithdrawItem) ScopeBody(s any) (string, string)        { return scopeOf(s, "", "") }
func (c PublishAgenda) ScopeBody(s any) (string, string)       { return scopeOf(s, "", "") }
func (c ConveneMeeting) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }
func (c RecordQuorumFailure) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c RecordArrival) ScopeBody(s any) (string, string)       { return scopeOf(s, "", "") }
func (c RecordDeparture) ScopeBody(s any) (string, string)     { return scopeOf(s, "", "") }
func (c AdjournMeeting) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }
func (c PublishMinutes) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }
func (c PostponeMeeting) ScopeBody(s any) (string, string)     { return scopeOf(s, "", "") }
func (c CancelMeeting) ScopeBody(s any) (string, string)       { return scopeOf(s, "", "") }
func (c StepOut) ScopeBody(s any) (string, string)             { return scopeOf(s, "", "") }
func (c DeclareConflict) ScopeBody(s any) (string, string)     { return scopeOf(s, "", "") }
func (c JustifyAbsence) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }
func (c SeatSubstitute) ScopeBody(s any) (string, string)      { return scopeOf(s, "", "") }

// The minutes of a meeting are of the meeting's body: the record's once
// drafted, the meeting's (looked up) before.
func (c DraftMinutes) ScopeBody(s any) (string, string)   { return scopeOf(s, "", c.MeetingID) }
func (c CorrectMinutes) ScopeBody(s any) (string, string) { return scopeOf(s, "", c.MeetingID) }
func (c ApproveMinutes) ScopeBody(s any) (string, string) { return scopeOf(s, "", c.MeetingID) }

func (c OpenVote) ScopeBody(s any) (string, string)     { return scopeOf(s, c.BodyID, "") }
func (c CastBallot) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }
func (c ChangeBallot) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c CloseVote) ScopeBody(s any) (string, string)    { return scopeOf(s, "", "") }

func (c AdoptDecision) ScopeBody(s any) (string, string)   { return scopeOf(s, c.BodyID, "") }
func (c PublishDecision) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c CorrectDecision) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c ReissueDecision) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c RevokeDecision) ScopeBody(s any) (string, string)  { return scopeOf(s, "", "") }
func (c AnnulDecision) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }

func (c OpenConsultation) ScopeBody(s any) (string, string)  { return scopeOf(s, "", c.MeetingID) }
func (c SubmitComment) ScopeBody(s any) (string, string)     { return scopeOf(s, "", "") }
func (c ModerateComment) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }
func (c WithdrawComment) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }
func (c CloseConsultation) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }

func (c ProposeAmendment) ScopeBody(s any) (string, string)  { return scopeOf(s, c.BodyID, "") }
func (c WithdrawAmendment) ScopeBody(s any) (string, string) { return scopeOf(s, "", "") }
func (c AcceptAmendment) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }
func (c RejectAmendment) ScopeBody(s any) (string, string)   { return scopeOf(s, "", "") }
