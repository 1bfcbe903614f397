package graphql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The two public mutations record what a citizen submits: a comment on an
// agenda item, a request. The person's name and contact go to the vault,
// which hands back a reference the command service turns into a
// per-entity author reference; the log, the answer and the log lines see
// neither. The idempotency key names the entity (its id is derived from
// the key), and a retry is the same command: it carries the time the
// first attempt was recorded at, found in the read model or, while the
// read model has not applied it yet, in the log after the serving
// position.

// SubmitComment records a citizen's comment.
func (m mutationResolver) SubmitComment(ctx context.Context, in generated.SubmitCommentInput, expected *int64, key *string) (*model.Written, error) {
	h := m.r.h
	opts, err := h.publicOptions(ctx, expected, key)
	if err != nil {
		return nil, err
	}
	id := derivedID(events.EntityComment, *key)
	stream := events.SubmitComment{ItemID: in.ItemID}.Stream()
	at, err := h.submittedAt(ctx, stream, func(s *readmodel.Snapshot) (time.Time, error) {
		c, err := s.Comment(ctx, id)
		return c.SubmittedAt, err
	}, func(p events.Payload) bool {
		c, ok := p.(events.ConsultationCommentSubmitted)
		return ok && c.CommentID == id
	})
	if err != nil {
		return nil, err
	}
	// The receipt is drawn anew for each attempt; the log keeps its hash
	// and the answer shows it once, for a first attempt only (a retry
	// replays the first, whose receipt is the one that works).
	receipt, hash := events.NewReceipt()
	w, err := h.submit(ctx, in.Author, func(subject events.SubjectRef) events.Command {
		return events.SubmitComment{ItemID: in.ItemID, CommentID: id, Kind: events.CommentKind(in.Kind), Text: in.Text,
			SubjectRef: subject, ReceiptSHA256: hash, At: at}
	}, opts, focus{comment: id})
	if err == nil && !w.Write.Replayed {
		w.Receipt = &receipt
	}
	return w, err
}

// SubmitRequest records a citizen's request. Without a token it came
// through the web; with one, staff record the channel it came through and
// who assisted.
func (m mutationResolver) SubmitRequest(ctx context.Context, in generated.SubmitRequestInput, expected *int64, key *string) (*model.Written, error) {
	h := m.r.h
	opts, err := h.publicOptions(ctx, expected, key)
	if err != nil {
		return nil, err
	}
	channel, assisted := events.RequestChannel("web"), ""
	if in.Channel != nil && *in.Channel != "" {
		channel = events.RequestChannel(*in.Channel)
	}
	if in.AssistedBy != nil {
		assisted = *in.AssistedBy
	}
	if callerOf(ctx).secret == "" && (channel != "web" || assisted != "") {
		return nil, &apiError{code: CodeUnauthenticated,
			message: "a request from another channel than the web, or assisted by staff, is recorded with a token"}
	}
	id := derivedID(events.EntityRequest, *key)
	stream := events.RequestStream(id)
	at, err := h.submittedAt(ctx, stream, func(s *readmodel.Snapshot) (time.Time, error) {
		r, err := s.Request(ctx, id)
		return r.SubmittedAt, err
	}, func(p events.Payload) bool {
		_, ok := p.(events.RequestSubmitted)
		return ok
	})
	if err != nil {
		return nil, err
	}
	return h.submit(ctx, in.Requester, func(subject events.SubjectRef) events.Command {
		return events.SubmitRequest{RequestID: id, Category: events.RequestCategory(in.Category), Subject: in.Subject,
			Channel: channel, AssistedBy: assisted, Requester: subject, At: at}
	}, opts, focus{request: id})
}

// WithdrawComment records a comment's withdrawal by its author, who shows
// it is theirs with the comment's receipt (or, through a citizen service
// centre, their vault reference): a citizen's own act, so without a token
// and within the public rate, at the server's time.
func (m mutationResolver) WithdrawComment(ctx context.Context, in events.WithdrawComment, expected *int64, key *string) (*model.Written, error) {
	h := m.r.h
	if h.writes.Commands == nil {
		return nil, errNoWrites
	}
	actor, err := h.publicActor(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := handleOptions(actor, expected, key, false)
	if err != nil {
		return nil, err
	}
	if in.Receipt == "" && in.SubjectRef == "" {
		return nil, events.Invalidf("receipt: the comment's receipt is required")
	}
	if opts, err = h.timeOf(in, opts); err != nil {
		return nil, err
	}
	done, err := h.writes.Commands.Handle(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	return h.written(ctx, done, focus{comment: in.CommentID})
}

// publicActor is the actor of a citizen's act: the public within its
// client's rate, or the actor of a token sent with it (which the command
// service allows only what its role may).
func (h *Handler) publicActor(ctx context.Context) (events.Actor, error) {
	actor, err := h.authenticate(ctx, false)
	if err != nil {
		return events.Actor{}, err
	}
	if actor == events.PublicActor {
		if err := h.public.allow(ctx, callerOf(ctx).client, h.now()); err != nil {
			return events.Actor{}, err
		}
	}
	return actor, nil
}

// publicOptions checks what a public submission needs before anything is
// stored: a write side with a vault, the caller's rate (without a token)
// and an idempotency key.
func (h *Handler) publicOptions(ctx context.Context, expected *int64, key *string) ([]events.HandleOption, error) {
	switch {
	case h.writes.Commands == nil:
		return nil, errNoWrites
	case h.writes.People == nil:
		return nil, events.ErrNoVault
	}
	actor, err := h.publicActor(ctx)
	if err != nil {
		return nil, err
	}
	return handleOptions(actor, expected, key, true)
}

// submit stores the person in the vault and records the command naming
// them. When the command writes nothing new (refused, or a retry that
// replays the first attempt) the person stored for this attempt is
// forgotten again, so the vault keeps no one the log does not name.
func (h *Handler) submit(ctx context.Context, p *events.Person, cmd func(events.SubjectRef) events.Command,
	opts []events.HandleOption, f focus) (*model.Written, error) {
	if p == nil {
		return nil, events.Invalidf("the person is missing")
	}
	subject, err := h.writes.People.Put(ctx, *p)
	if err != nil {
		return nil, err
	}
	done, err := h.writes.Commands.Handle(ctx, cmd(subject), opts...)
	if err == nil && done.Replayed || err != nil && refusedOutright(err) {
		h.forget(ctx, subject)
	}
	if err != nil {
		return nil, err
	}
	return h.written(ctx, done, f)
}

// refusedOutright reports whether err says the command wrote nothing: a
// refusal of the rules, not a failure that may have followed a write.
func refusedOutright(err error) bool {
	switch events.ErrorCode(err) {
	case events.CodeInvalid, events.CodeConflict, events.CodeNotFound, events.CodeForbidden:
		return true
	}
	return false
}

// forget forgets a person stored for an attempt that wrote nothing, even
// when the request's time is up. A failure is logged without the
// reference: the person then stays in the vault, named by no event.
func (h *Handler) forget(ctx context.Context, subject events.SubjectRef) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.writes.People.Forget(fctx, subject); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "graphql: forget the person of a submission that wrote nothing", slog.String("code", string(events.ErrorCode(err))))
	}
}

// derivedID is the id of the entity a public submission's key names: the
// same key names the same comment or request on every retry, and one
// client cannot name another's entity without their key.
func derivedID(kind, key string) string {
	sum := sha256.Sum256([]byte("pnyx " + kind + "\x00" + key))
	return "web-" + hex.EncodeToString(sum[:12])
}

// submittedAt is the time of the submission an earlier attempt with the
// same key recorded, or now (to the second) for a first attempt: from the
// read model when it holds the entity (fromReadModel, a not_found error
// when it does not), else from the events of stream after the serving
// position (isSubmission picks the submission's event).
func (h *Handler) submittedAt(ctx context.Context, stream string, fromReadModel func(*readmodel.Snapshot) (time.Time, error),
	isSubmission func(events.Payload) bool) (time.Time, error) {
	snap, err := h.rm.Snapshot(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer snap.Close()
	at, err := fromReadModel(snap)
	switch {
	case err == nil:
		return at.UTC(), nil
	case events.ErrorCode(err) != events.CodeNotFound:
		return time.Time{}, err
	}
	const page = 500
	for after := snap.Position(); ; {
		evs, err := h.feed.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: page, StreamPrefix: stream})
		if err != nil {
			return time.Time{}, err
		}
		for _, re := range evs {
			if re.Stream != stream {
				continue
			}
			if p, err := events.Decode(re); err == nil && isSubmission(p) {
				return re.OccurredAt.UTC(), nil
			}
		}
		if len(evs) < page {
			return h.now().UTC().Truncate(time.Second), nil
		}
		after = evs[len(evs)-1].Position
	}
}
