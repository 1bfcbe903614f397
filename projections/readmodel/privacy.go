package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {private_authors} (
	kind      TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	author    TEXT NOT NULL,
	forgotten INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, entity_id)
) WITHOUT ROWID;
`)
	appliers = append(appliers, applyForgetting)
}

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
	return text, forgotten, w.exec(`INSERT OR REPLACE INTO {private_authors} (kind, entity_id, author, forgotten) VALUES (?, ?, ?, ?)`,
		kind, id, string(author), forgotten)
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
	type row struct{ kind, id, author string }
	var living []row
	rows, err := w.tx.Query(w.ctx, physicalSQL(w.tx, `SELECT kind, entity_id, author FROM {private_authors} WHERE forgotten = 0`))
	if err != nil {
		return true, err
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.kind, &r.id, &r.author); err != nil {
			rows.Close()
			return true, err
		}
		living = append(living, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return true, err
	}
	for _, r := range living {
		forgotten, err := w.opener.Forgotten(w.ctx, events.AuthorRef(r.author))
		if err != nil {
			return true, fmt.Errorf("ask the vault about an author of %s %s: %w", r.kind, r.id, err)
		}
		if !forgotten {
			continue
		}
		if err := w.exec(`UPDATE {private_authors} SET forgotten = 1 WHERE kind = ? AND entity_id = ?`, r.kind, r.id); err != nil {
			return true, err
		}
		switch r.kind {
		case events.EntityComment:
			err = w.forgetComment(r.id)
		case events.EntityRequest:
			err = w.forgetRequest(r.id)
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
	var status string
	if row := pendingComments(w).row(id); row != nil {
		status, _ = row[commentStatus].(string)
	} else if err := w.queryRow(`SELECT status FROM {comments} WHERE comment_id = ?`, id).Scan(&status); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if status != CommentPublished {
		return nil
	}
	pendingComments(w).update(id, func(row []any) { row[commentText] = events.ForgottenText },
		`UPDATE {comments} SET text = ? WHERE comment_id = ?`, events.ForgottenText, id)
	return w.index(SearchComment, id, "", "")
}

// forgetRequest replaces a request's subject; the rest of it is not
// personal.
func (w writer) forgetRequest(id string) error {
	r, err := batchOf(w).request(w, id, false)
	if err != nil || !r.exists {
		return err
	}
	r.subject, r.dirty = events.ForgottenText, true
	return nil
}
