package graphql

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The mutations hand each command to the command service, which decides
// and enforces the actor's grant, then answer what was written and the
// entity as the read model shows it once it has applied the write. The
// read model follows the log asynchronously, so a mutation waits for it,
// within a bound: when it has not caught up in time the answer says so
// (write.caughtUp false, the entity null) instead of showing a state
// that does not hold the write yet.

// Commands is the write side: the command service (events.Service).
type Commands interface {
	// Handle runs cmd. It returns a domain error and writes nothing when
	// the command is malformed (invalid), refused by the rules
	// (conflict), names what does not exist (not_found) or is not allowed
	// to the actor given with events.WithActor (forbidden); unavailable
	// or internal when the store fails.
	Handle(ctx context.Context, cmd events.Command, opts ...events.HandleOption) (events.Handled, error)
}

// Authenticator turns a bearer token's secret into the actor it stands
// for. *events.Service implements it.
type Authenticator interface {
	// Authenticate returns the actor of secret, or an unauthenticated
	// error when the secret is unknown, expired or revoked. It is safe
	// for concurrent use and never logs the secret.
	Authenticate(ctx context.Context, secret string) (events.Actor, error)
}

// People is the personal-data vault as the public mutations use it: the
// name and contact of a citizen go there, never to the log.
// *vault.Vault implements it.
type People interface {
	// Put stores p under a new reference; an invalid error, storing
	// nothing, when p does not pass Person.Validate.
	Put(ctx context.Context, p events.Person) (events.SubjectRef, error)
	// Forget destroys the person stored under ref; ErrSubjectNotFound for
	// a reference never handed out.
	Forget(ctx context.Context, ref events.SubjectRef) error
}

// Progress tells when the read model has applied a log position.
// *projections.Runner implements it.
type Progress interface {
	// WaitFor returns nil once every projection serves pos, ctx.Err()
	// when ctx ends first, and an unavailable error when a projection
	// failed before reaching it.
	WaitFor(ctx context.Context, pos events.Position) error
}

// Writes is the write side the mutations record through. Without
// Commands every mutation answers UNAVAILABLE; without Tokens every
// mutation that needs a token does; without People the public
// submissions do.
type Writes struct {
	Commands Commands
	Tokens   Authenticator
	People   People
	// Progress is waited on for the read model to apply a write; without
	// it a mutation looks once at the serving position.
	Progress Progress
	// CatchUp bounds how long a mutation waits for the read model, within
	// the request's own timeout; DefaultCatchUp when zero.
	CatchUp time.Duration
	// PublicRate and PublicBurst limit the public submissions of one
	// client (token-less submitComment and submitRequest):
	// DefaultPublicRate and DefaultPublicBurst when zero.
	PublicRate  rate.Limit
	PublicBurst int
	// ClientIPHeader names the header a trusted reverse proxy sets to the
	// client's address (X-Forwarded-For, X-Real-IP), whose last entry
	// then identifies the client for the rate limit. Empty (the default)
	// trusts no header and uses the connection's address: set it only
	// behind a proxy that sets the header itself, or any client can pose
	// as many.
	ClientIPHeader string
}

// Defaults of Writes.
const (
	DefaultCatchUp = 5 * time.Second
	// DefaultPublicBurst submissions at once, then one every
	// 1/DefaultPublicRate seconds.
	DefaultPublicBurst = 5
	DefaultPublicRate  = rate.Limit(1.0 / 6)
	// MaxIdempotencyKeyBytes bounds an idempotency key;
	// minPublicKeyBytes is the shortest a public submission takes, long
	// enough to be unguessable when random.
	MaxIdempotencyKeyBytes = 128
	minPublicKeyBytes      = 16
)

type mutationResolver struct{ r *resolver }

func (r *resolver) Mutation() generated.MutationResolver { return mutationResolver{r} }

// focus names the entities of a command beside its stream's: the member
// of a body, the item of a meeting, the comment of a consultation.
type focus struct {
	member, item, comment, request string
}

// record runs an official command: one that needs a token.
func (m mutationResolver) record(ctx context.Context, cmd events.Command, expected *int64, key *string, f focus) (*model.Written, error) {
	h := m.r.h
	if h.writes.Commands == nil {
		return nil, errNoWrites
	}
	actor, err := h.authenticate(ctx, true)
	if err != nil {
		return nil, err
	}
	opts, err := handleOptions(actor, expected, key, false)
	if err != nil {
		return nil, err
	}
	done, err := h.writes.Commands.Handle(ctx, cmd, opts...)
	if err != nil {
		return nil, err
	}
	return h.written(ctx, done, f)
}

// handleOptions are the options of a command from its arguments: the
// actor, an expected version of -1 (no stream yet) or more, and an
// idempotency key of printable text, required when public.
func handleOptions(actor events.Actor, expected *int64, key *string, public bool) ([]events.HandleOption, error) {
	opts := []events.HandleOption{events.WithActor(actor)}
	if expected != nil {
		if *expected < -1 {
			return nil, events.Invalidf("expectedVersion %d: want -1 (no stream yet) or a version (0 or more)", *expected)
		}
		opts = append(opts, events.WithExpectedVersion(events.Exact(*expected)))
	}
	k := ""
	if key != nil {
		k = *key
	}
	switch {
	case k == "" && public:
		return nil, events.Invalidf("idempotencyKey is required: 16 to 128 characters of your choosing, such as a UUID, sent again with a retry")
	case k == "":
		return opts, nil
	case len(k) > MaxIdempotencyKeyBytes || public && len(k) < minPublicKeyBytes:
		shortest := 1
		if public {
			shortest = minPublicKeyBytes
		}
		return nil, events.Invalidf("idempotencyKey is %d bytes: want %d to %d", len(k), shortest, MaxIdempotencyKeyBytes)
	case !printable(k):
		return nil, events.Invalidf("idempotencyKey: want printable text without spaces")
	}
	return append(opts, events.WithIdempotencyKey(k)), nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// authenticate is the actor of the request's bearer token. Without a
// token it is an unauthenticated error when the mutation needs one, the
// public actor otherwise.
func (h *Handler) authenticate(ctx context.Context, needed bool) (events.Actor, error) {
	c := callerOf(ctx)
	switch {
	case c.malformed:
		return events.Actor{}, errMalformedAuth
	case c.secret == "" && needed:
		return events.Actor{}, errNoToken
	case c.secret == "":
		return events.PublicActor, nil
	case h.writes.Tokens == nil:
		return events.Actor{}, errNoTokens
	}
	return h.writes.Tokens.Authenticate(ctx, c.secret)
}

// written waits for the read model to apply what the command wrote, then
// reads the entities it concerns in a snapshot that holds the write.
func (h *Handler) written(ctx context.Context, done events.Handled, f focus) (*model.Written, error) {
	w := &model.Written{Write: model.Write{Stream: done.Stream, EventIDs: done.EventIDs, Version: done.Result.NextVersion,
		Position: done.Result.Position, Replayed: done.Replayed}, CommentID: f.comment, RequestID: f.request}
	if done.Number != 0 {
		n := done.Number
		w.Write.Number = &n
	}
	if w.Write.EventIDs == nil {
		w.Write.EventIDs = []uuid.UUID{}
	}
	if !h.caughtUp(ctx, done.Result.Position) {
		return w, nil
	}
	q := mutationRequestOf(ctx)
	if q == nil {
		return nil, &events.Error{Code: events.CodeInternal, Message: "internal error", Err: errNoSnapshot}
	}
	snap, err := h.rm.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	q.opened = append(q.opened, snap)
	if snap.Position() < done.Result.Position {
		return w, nil // another reader's connection not yet past the write
	}
	q.snap, q.loaders = snap, newLoaders(snap, h.opts.BatchWait)
	w.Write.CaughtUp = true
	return w, h.fill(withRequest(ctx, q), w, f)
}

// caughtUp waits, within the catch-up bound and the request's time, for
// the read model to serve pos.
func (h *Handler) caughtUp(ctx context.Context, pos events.Position) bool {
	if h.writes.Progress == nil {
		at, err := h.rm.ServingPosition(ctx)
		return err == nil && at >= pos
	}
	wctx, cancel := context.WithTimeout(ctx, h.writes.CatchUp)
	defer cancel()
	err := h.writes.Progress.WaitFor(wctx, pos)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		h.log.LogAttrs(ctx, slog.LevelWarn, "graphql mutation: read model not caught up", slog.Uint64("position", uint64(pos)), slog.Any("err", err))
	}
	return err == nil
}

// fill reads the entities of w's stream and focus.
func (h *Handler) fill(ctx context.Context, w *model.Written, f focus) error {
	r := &resolver{h: h}
	kind, id, _ := strings.Cut(w.Write.Stream, "-")
	var err error
	switch kind {
	case "body":
		if w.Body, err = r.body(ctx, id, nil); err == nil && f.member != "" {
			w.Member, err = r.member(ctx, f.member)
		}
	case "faction":
		var f *readmodel.Faction
		if f, err = r.faction(ctx, id); err == nil && f != nil {
			w.Faction = &model.Faction{Faction: *f}
		}
	case "meeting":
		if w.Meeting, err = r.meeting(ctx, id, nil); err == nil && f.item != "" {
			w.Item, err = r.item(ctx, f.item, nil)
		}
	case "minutes":
		// The minutes of a meeting are named by the meeting's id.
		w.Meeting, err = r.meeting(ctx, id, nil)
	case "consultation":
		if w.Consultation, err = r.consultation(ctx, id, nil); err == nil && f.comment != "" {
			w.Comment, err = comment(ctx, f.comment)
		}
	case "amendment":
		w.Amendment, err = r.amendment(ctx, id, nil)
	case "vote":
		w.Vote, err = r.vote(ctx, id, nil)
	case "decision":
		w.Decision, err = r.decision(ctx, id, nil)
	case "procurement":
		w.Procurement, err = r.procurement(ctx, id, nil)
	case "supplier":
		w.Supplier, err = r.supplier(ctx, id, nil)
	case "request":
		w.Request, err = r.request(ctx, id, nil)
	}
	return err
}

// comment reads one comment of the request's snapshot; nil when there is
// none.
func comment(ctx context.Context, id string) (*readmodel.Comment, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	c, err := q.snap.Comment(ctx, id)
	if events.ErrorCode(err) == events.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}
