package readmodel

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"modernc.org/sqlite"
)

// The search index: search_docs keeps each document's original text under
// a stable integer id; search_fts indexes the folded text under the same
// rowid. Titles weigh more than bodies in the ranking.
const searchIndexSchema = `CREATE VIRTUAL TABLE {search_fts} USING fts5(title, body, content = '', tokenize = 'unicode61 remove_diacritics 0')`

// searchDocRow is a row of search_docs. A building batch writes them in
// the order Apply made them, so each gets the doc_id a statement per event
// would have given it, and an entity indexed again keeps its doc_id and
// the time it was first indexed.
type searchDocRow struct {
	docID                       int64
	kind, entityID, title, body string
	at                          time.Time
}

type searchDocKey struct{ kind, entityID string }

var searchDocs = define(&table[searchDocKey, searchDocRow]{
	name: "search_docs", keyAt: 1, keys: 2, rowid: true, auto: "doc_id", upsert: true, constraint: "UNIQUE (kind, entity_id)",
	columns: []column[searchDocRow]{
		int64Col("doc_id", "INTEGER PRIMARY KEY", func(r *searchDocRow) *int64 { return &r.docID }),
		textCol("kind", "TEXT NOT NULL", func(r *searchDocRow) *string { return &r.kind }),
		textCol("entity_id", "TEXT NOT NULL", func(r *searchDocRow) *string { return &r.entityID }),
		textCol("title", "TEXT NOT NULL", func(r *searchDocRow) *string { return &r.title }),
		textCol("body", "TEXT NOT NULL", func(r *searchDocRow) *string { return &r.body }),
		once(timeCol("at", func(r *searchDocRow) *time.Time { return &r.at })),
	},
	key:    func(r *searchDocRow) searchDocKey { return searchDocKey{r.kind, r.entityID} },
	newRow: func(k searchDocKey) searchDocRow { return searchDocRow{kind: k.kind, entityID: k.entityID} },
})

// Kinds of search documents.
const (
	SearchAgendaItem  = "agenda_item"
	SearchDecision    = "decision"
	SearchProcurement = "procurement"
	SearchComment     = "comment"
)

var searchKinds = []string{SearchAgendaItem, SearchComment, SearchDecision, SearchProcurement}

// weights of the title and body columns in bm25.
const searchRank = `bm25(%s, 4.0, 1.0)`

// index adds or replaces the search document of an entity: the document
// keeps its id, and FTS5 replaces the indexed row with that rowid. While
// the build is Building only the document is written; Finish indexes them
// all at once.
func (w writer) index(kind, id, title, body string) error {
	if w.tx == nil {
		return nil // a fold for AsOf: no search index
	}
	if w.tx.Building() {
		docs, k := searchDocs.of(w), searchDocKey{kind, id}
		if r := docs.held(k); r != nil {
			r.title, r.body = title, body
			docs.write(k)
			return nil
		}
		docs.put(searchDocRow{kind: kind, entityID: id, title: title, body: body, at: w.at()})
		return nil
	}
	if err := w.unindexText(kind, id); err != nil {
		return err
	}
	var docID int64
	if err := w.queryRow(`INSERT INTO {search_docs} (kind, entity_id, title, body, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, entity_id) DO UPDATE SET title = excluded.title, body = excluded.body RETURNING doc_id`,
		kind, id, title, body, w.occurred()).Scan(&docID); err != nil {
		return err
	}
	return w.exec(`INSERT INTO {search_fts} (rowid, title, body) VALUES (?, ?, ?)`, docID, FoldText(title), FoldText(body))
}

// unindexText removes an entity's document, if any, from the FTS5 index.
// The index is contentless (search_docs holds the text, and snippets are
// cut from it), so FTS5 is told the folded text it indexed, which
// search_docs still holds: FoldText of the same text is the same.
func (w writer) unindexText(kind, id string) error {
	return w.exec(`INSERT INTO {search_fts} ({search_fts}, rowid, title, body)
		SELECT 'delete', doc_id, `+foldFunction+`(title), `+foldFunction+`(body) FROM {search_docs} WHERE kind = ? AND entity_id = ?`, kind, id)
}

// unindex removes an entity's search document, if any.
func (w writer) unindex(kind, id string) error {
	if w.tx == nil {
		return nil
	}
	if w.tx.Building() {
		searchDocs.of(w).delete(searchDocKey{kind, id})
		return nil
	}
	if err := w.unindexText(kind, id); err != nil {
		return err
	}
	return w.exec(`DELETE FROM {search_docs} WHERE kind = ? AND entity_id = ?`, kind, id)
}

// fillSearchIndex indexes every search document in one statement, folding
// its text with FoldText through the SQL function foldFunction: one FTS5
// insert of all rows builds a few large segments, where a statement per
// document flushes and merges small ones.
func fillSearchIndex(ctx context.Context, tx *projections.Tx) error {
	for _, stmt := range []string{
		// A hash of terms large enough for every document, so FTS5 writes
		// few segments and merges none; back to the default for the
		// smaller transactions of live applies.
		`INSERT INTO {search_fts} ({search_fts}, rank) VALUES ('hashsize', 268435456)`,
		`INSERT INTO {search_fts} (rowid, title, body)
		SELECT doc_id, ` + foldFunction + `(title), ` + foldFunction + `(body) FROM {search_docs} ORDER BY doc_id`,
		`INSERT INTO {search_fts} ({search_fts}, rank) VALUES ('hashsize', 1048576)`,
	} {
		if _, err := tx.SQL().ExecContext(ctx, physicalSQL(tx, stmt)); err != nil {
			return err
		}
	}
	return nil
}

// foldFunction is FoldText in SQL, registered with the SQLite driver for
// every connection.
const foldFunction = "pnyx_fold"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(foldFunction, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return FoldText(v), nil
		case []byte:
			return FoldText(string(v)), nil
		case nil:
			return nil, nil
		}
		return nil, fmt.Errorf("%s: want text, got %T", foldFunction, args[0])
	})
}
