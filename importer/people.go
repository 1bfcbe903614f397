package importer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/pnyx-civic/pnyx/events"
)

// People is the part of the vault an import writes: a requester is put in
// it before their request is handled (the command service seals what they
// wrote under their key), and forgotten again when their record is not
// written. Errors as events.Vault's; safe for concurrent use.
type People interface {
	events.Sealer
	Put(ctx context.Context, p events.Person) (events.SubjectRef, error)
	Forget(ctx context.Context, ref events.SubjectRef) error
}

// dryPeople stands in for the vault in a dry run, which writes nothing: it
// checks each person as the vault does and seals under one key of its
// own, drawn for the run and dropped with it, so the rules see sealed
// text of the real shape and nothing reaches the vault.
type dryPeople struct{ key [32]byte }

var _ People = (*dryPeople)(nil)

func newDryPeople() *dryPeople {
	d := &dryPeople{}
	rand.Read(d.key[:])
	return d
}

func (d *dryPeople) Put(_ context.Context, p events.Person) (events.SubjectRef, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	return events.NewSubjectRef(rand.Reader)
}

func (d *dryPeople) Forget(context.Context, events.SubjectRef) error { return nil }

func (d *dryPeople) AuthorOf(_ context.Context, subject events.SubjectRef, entity string) (events.AuthorRef, error) {
	if err := subject.Validate(); err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, d.key[:])
	m.Write([]byte(string(subject) + "\x00" + entity))
	return events.AuthorRef("auth-" + hex.EncodeToString(m.Sum(nil)[:16])), nil
}

func (d *dryPeople) Seal(ctx context.Context, subject events.SubjectRef, entity string, texts ...string) (events.AuthorRef, []events.Sealed, error) {
	author, err := d.AuthorOf(ctx, subject, entity)
	if err != nil {
		return "", nil, err
	}
	sealed := make([]events.Sealed, len(texts))
	for i, t := range texts {
		sealed[i] = make(events.Sealed, 12+len(t)+16) // a nonce, the text's length, a tag: never read
	}
	return author, sealed, nil
}
