package readmodel

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
