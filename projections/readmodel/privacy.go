package readmodel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// Citizens' words reach the read model sealed (events.Sealed): the read
// model opens them through the vault (Opener) as it applies them, so its
// rows, search and views show them while the author is not forgotten, and
// shows events.ForgottenText once the author is. Each row of a citizen's
// entity has its author reference (public in the log, different for every
// entity) in private_authors, which no public query reads, so that
// applying a subject.forgotten event, which names nobody, can ask the
// vault which rows' authors are now forgotten and drop their words from
// the rows and the search index. A rebuild after forgetting opens nothing
// of the forgotten person. The vault's subject references never reach the
// read model.
func init() { appliers = append(appliers, applyForgetting) }

// authorRow is a row of private_authors.
type authorRow struct {
	kind, entityID, author string
	forgotten              bool
}

type authorKey struct{ kind, entityID string }

var privateAuthors = define(&table[authorKey, authorRow]{
	name: "private_authors", keys: 2, constraint: "PRIMARY KEY (kind, entity_id)",
	columns: []column[authorRow]{
		textCol("kind", "TEXT NOT NULL", func(r *authorRow) *string { return &r.kind }),
		textCol("entity_id", "TEXT NOT NULL", func(r *authorRow) *string { return &r.entityID }),
		textCol("author", "TEXT NOT NULL", func(r *authorRow) *string { return &r.author }),
		boolCol("forgotten", "INTEGER NOT NULL DEFAULT 0", func(r *authorRow) *bool { return &r.forgotten }),
	},
	key:    func(r *authorRow) authorKey { return authorKey{r.kind, r.entityID} },
	newRow: func(k authorKey) authorRow { return authorRow{kind: k.kind, entityID: k.entityID} },
	order: func(a, b authorKey) int {
		return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.entityID, b.entityID))
	},
})

// Opener opens citizens' sealed words for the read model: the vault
// (events.Vault). Both methods are safe for concurrent use.
type Opener interface {
	// Open returns the text author sealed for entity. It returns an error
	// matching events.ErrForgotten when the author was forgotten; any
	// other error (an author the vault does not know: the wrong vault)
	// stops the read model rather than hide words that should show.
	Open(ctx context.Context, author events.AuthorRef, entity string, sealed events.Sealed) (string, error)
	// Forgotten reports whether author was forgotten.
	Forgotten(ctx context.Context, author events.AuthorRef) (bool, error)
}

// errNoOpener is the error of sealed words met without a vault to open
// them.
var errNoOpener = &events.Error{Code: events.CodeUnavailable, Message: "the read model has no vault to open citizens' words"}

// openWords returns the public text of a citizen's words: opened through
// o, events.ForgottenText (forgotten true) when the author was forgotten,
// or the clear legacy text of an event recorded before texts were sealed.
func openWords(ctx context.Context, o Opener, author events.AuthorRef, entity string, sealed events.Sealed, legacy string) (text string, forgotten bool, err error) {
	if len(sealed) == 0 {
		return legacy, false, nil
	}
	if o == nil {
		return "", false, errNoOpener
	}
	text, err = o.Open(ctx, author, entity, sealed)
	if errors.Is(err, events.ErrForgotten) {
		return events.ForgottenText, true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open the words of %s: %w", entity, err)
	}
	return text, false, nil
}

// open opens words for the entity of the event being applied and records
// its author in private_authors.
func (w writer) open(kind, id string, author events.AuthorRef, entity string, sealed events.Sealed, legacy string) (string, bool, error) {
	text, forgotten, err := openWords(w.ctx, w.opener, author, entity, sealed, legacy)
	if err != nil || author == "" {
		return text, forgotten, err
	}
	privateAuthors.of(w).put(authorRow{kind: kind, entityID: id, author: string(author), forgotten: forgotten})
	return text, forgotten, nil
}

// applyForgetting drops the words of every author the vault now says is
// forgotten: the event does not say whose they were.
func applyForgetting(w writer, p events.Payload) (bool, error) {
	if _, ok := p.(events.SubjectForgotten); !ok {
		return false, nil
	}
	if w.opener == nil {
		return true, errNoOpener
	}
	// The authors not forgotten: those of the table, as this batch holds
	// them, and those it added.
	authors := privateAuthors.of(w)
	var living []authorKey
	if w.tx != nil {
		rows, err := w.tx.Query(w.ctx, physicalSQL(w.tx, `SELECT kind, entity_id FROM {private_authors} WHERE forgotten = 0`))
		if err != nil {
			return true, err
		}
		for rows.Next() {
			var k authorKey
			if err := rows.Scan(&k.kind, &k.entityID); err != nil {
				rows.Close()
				return true, err
			}
			if authors.held(k) == nil {
				living = append(living, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return true, err
		}
	}
	authors.each(func(r *authorRow) {
		if !r.forgotten {
			living = append(living, authorKey{r.kind, r.entityID})
		}
	})
	for _, k := range living {
		r, err := authors.get(w, k)
		if err != nil {
			return true, err
		}
		forgotten, err := w.opener.Forgotten(w.ctx, events.AuthorRef(r.author))
		if err != nil {
			return true, fmt.Errorf("ask the vault about an author of %s %s: %w", r.kind, r.entityID, err)
		}
		if !forgotten {
			continue
		}
		r.forgotten = true
		authors.write(k)
		switch r.kind {
		case events.EntityComment:
			err = w.forgetComment(r.entityID)
		case events.EntityRequest:
			err = w.forgetRequest(r.entityID)
		}
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// forgetComment replaces a published comment's text and empties its
// search document, which then matches no search: emptied rather than
// removed, the document keeps its number, as a rebuild after the
// forgetting numbers it (see applyCouncil). A hidden or withdrawn comment
// has no text or document left.
func (w writer) forgetComment(id string) error {
	published, err := comments.of(w).change(w, id, func(r *commentRow) {
		if r.Status == CommentPublished {
			r.Text = events.ForgottenText
		}
	})
	if err != nil || !published {
		return err
	}
	if r := comments.of(w).held(id); r.Status != CommentPublished {
		return nil
	}
	return w.index(SearchComment, id, "", "")
}

// forgetRequest replaces a request's subject and description; the rest
// of it is not personal.
func (w writer) forgetRequest(id string) error {
	_, err := requests.of(w).change(w, id, func(r *requestRow) {
		r.Subject = events.ForgottenText
		if r.Description != "" {
			r.Description = events.ForgottenText
		}
	})
	return err
}
