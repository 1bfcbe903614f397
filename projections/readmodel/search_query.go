package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// Limits on what one search reads from its input: a query is a handful of
// words, never a document.
const (
	maxQueryTerms     = 16
	maxQueryTermRunes = 64
)

// searchTerms splits a user's search text into folded, stemmed terms. The
// text is data, never query syntax: quotes, '*', '-', ':', parentheses and
// operators such as OR, AND, NOT and NEAR are separators or plain words.
// Terms repeat at most once, in the order first seen.
func searchTerms(q string) []string {
	folded := FoldText(q)
	var terms []string
	seen := map[string]bool{}
	for _, word := range strings.FieldsFunc(folded, func(r rune) bool { return !isWordRune(r) }) {
		if utf8.RuneCountInString(word) > maxQueryTermRunes {
			word = string([]rune(word)[:maxQueryTermRunes])
		}
		stem := stemTerm(word)
		if seen[stem] {
			continue
		}
		seen[stem] = true
		terms = append(terms, stem)
		if len(terms) == maxQueryTerms {
			break
		}
	}
	return terms
}

// matchExpression returns the FTS5 expression that finds rows containing
// every term as the prefix of some word: `"t1"* "t2"*`. Each term is a
// quoted string, so FTS5 reads it as a string, never as an operator or a
// column filter; terms contain only letters and digits, and a '"' would be
// doubled anyway. It returns "" for no terms.
func matchExpression(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteString(`"*`)
	}
	return b.String()
}

// isWordRune reports whether r belongs to a search term: letters, numbers
// and private-use characters, the token characters of SQLite's unicode61
// tokenizer, so a query splits words exactly where the index did.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}

// SearchOptions narrow a search. Kinds keeps documents of those kinds
// (SearchAgendaItem, SearchDecision, SearchProcurement, SearchComment);
// none means all.
type SearchOptions struct {
	Kinds []string
	Page
}

// SearchHit is one document found, best first.
type SearchHit struct {
	Kind     string  `json:"kind"`
	EntityID string  `json:"entity_id"`
	Title    string  `json:"title"`
	Snippet  Snippet `json:"snippet"`
	// Rank is the bm25 score: lower is more relevant.
	Rank float64 `json:"rank"`
}

// Search finds documents that contain every word of q, in any case, with
// or without accents and in any inflection (each word is matched by its
// stem as a prefix), ranked by bm25 with the title weighing more, then by
// the document's number in the index. q is data: quotes, '*', '-', ':', parentheses and operators
// such as OR or NEAR are never query syntax, so no text makes Search fail;
// text without words finds nothing. A search's cursor continues exactly
// within one snapshot; across snapshots it continues by rank, and since
// bm25 weighs each word by how many documents hold it, documents added
// meanwhile can move hits across it: relevance, unlike the other lists'
// orders, is not a property of one row. An unknown kind or a bad page is
// an invalid error; an unavailable error while the search index is not
// built yet.
func (s *Snapshot) Search(ctx context.Context, q string, opts SearchOptions) (List[SearchHit], error) {
	for _, k := range opts.Kinds {
		if !slices.Contains(searchKinds, k) {
			return List[SearchHit]{}, events.Invalidf("search: unknown kind %q (want one of %s)", truncate(k), strings.Join(searchKinds, ", "))
		}
	}
	if _, err := opts.Page.size(); err != nil {
		return List[SearchHit]{}, err
	}
	if opts.Desc {
		return List[SearchHit]{}, events.Invalidf("search: hits come best first; there is no reverse order")
	}
	terms := searchTerms(q)
	if len(terms) == 0 {
		if _, err := decodeCursor(opts.After, "search", 2); err != nil {
			return List[SearchHit]{}, err
		}
		out := List[SearchHit]{Items: []SearchHit{}, Next: opts.After}
		if opts.Total {
			out.Total = new(int)
		}
		return out, nil
	}
	tables, err := projections.ServingTables(ctx, s.q, ReadModelName)
	fts, docs := tables["search_fts"], tables["search_docs"]
	if err != nil || fts == "" || docs == "" {
		if err != nil && events.ErrorCode(err) != events.CodeNotFound && !strings.Contains(err.Error(), "no such table") {
			return List[SearchHit]{}, readError(err)
		}
		return List[SearchHit]{}, &events.Error{Code: events.CodeUnavailable, Message: "the search index is not built yet", Err: err}
	}
	var kindFilter string
	args := []any{matchExpression(terms)}
	if len(opts.Kinds) > 0 {
		kindFilter = ` AND rowid IN (SELECT doc_id FROM "` + docs + `" WHERE kind IN (?` + strings.Repeat(", ?", len(opts.Kinds)-1) + `))`
		for _, k := range opts.Kinds {
			args = append(args, k)
		}
	}
	// The page is ranked on the index alone: bm25 and the document's id
	// for every match, the texts read for the page's rows only, which
	// costs a fraction of sorting every match with its text. bm25 is
	// computed in the subquery, where FTS5 allows it.
	type ranked struct {
		docID int64
		rank  float64
	}
	page, err := runList(ctx, s, listSpec[ranked]{name: "search", columns: `doc_id, rank`,
		from: `(SELECT rowid AS doc_id, ` + fmt.Sprintf(searchRank, `"`+fts+`"`) + ` AS rank FROM "` + fts + `"
			WHERE "` + fts + `" MATCH ?` + kindFilter + `) hits`,
		args: args,
		key:  []string{"rank", "doc_id"},
		scan: func(s scanner) (ranked, error) {
			var r ranked
			return r, s.Scan(&r.docID, &r.rank)
		}}, query{}, opts.Page)
	if err != nil {
		return List[SearchHit]{}, err
	}
	// The hits keep the ranked rows' keys: each hit has its own cursor.
	out := List[SearchHit]{Items: make([]SearchHit, len(page.Items)), Next: page.Next, HasMore: page.HasMore, Total: page.Total,
		keys: page.keys, name: page.name}
	if len(page.Items) == 0 {
		return out, nil
	}
	at := make(map[int64]int, len(page.Items))
	ids := make([]any, len(page.Items))
	for i, r := range page.Items {
		at[r.docID], ids[i] = i, r.docID
		out.Items[i].Rank = r.rank
	}
	if _, err := queryRows(ctx, s.q, `SELECT doc_id, kind, entity_id, title, body FROM "`+docs+`"
		WHERE doc_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids, func(s scanner) (struct{}, error) {
		var id int64
		var kind, entity, title, body string
		if err := s.Scan(&id, &kind, &entity, &title, &body); err != nil {
			return struct{}{}, err
		}
		h := &out.Items[at[id]]
		h.Kind, h.EntityID, h.Title = kind, entity, title
		h.Snippet = makeSnippet(body, terms)
		if len(h.Snippet.Highlights) == 0 {
			if t := makeSnippet(title, terms); len(t.Highlights) > 0 {
				h.Snippet = t
			}
		}
		return struct{}{}, nil
	}); err != nil {
		return List[SearchHit]{}, err
	}
	return out, nil
}
