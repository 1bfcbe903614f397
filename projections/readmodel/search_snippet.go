package readmodel

import (
	"strings"
	"unicode/utf8"
)

// Snippet is an excerpt of a search hit's original (accented) text, with
// the byte ranges of Text that matched a query term. Ranges are sorted and
// do not overlap.
type Snippet struct {
	Text       string  `json:"text"`
	Highlights []Range `json:"highlights"`
}

// Range is a half-open byte range [Start, End).
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Marked returns the snippet's text with each highlight wrapped in open and
// close, such as "<mark>" and "</mark>". The caller escapes Text for its
// output format first if it needs to; highlights never split a rune.
func (s Snippet) Marked(open, close string) string {
	var b strings.Builder
	last := 0
	for _, h := range s.Highlights {
		b.WriteString(s.Text[last:h.Start])
		b.WriteString(open)
		b.WriteString(s.Text[h.Start:h.End])
		b.WriteString(close)
		last = h.End
	}
	b.WriteString(s.Text[last:])
	return b.String()
}

// snippetWords is how many words a snippet shows around its first match.
const (
	snippetWords       = 24
	snippetWordsBefore = 6
	ellipsis           = "…"
)

type span struct{ start, end int } // byte offsets in the original text

// makeSnippet cuts an excerpt of original around the first word that a
// term matches as a prefix, and highlights every such word in it. Matching
// runs on the folded text, the same folding as the index; the highlights
// are mapped back to the original through the folding's offsets, so the
// reader sees the accents and capitals as written. Without a match it
// returns the text's first words and no highlights.
func makeSnippet(original string, terms []string) Snippet {
	original = strings.ToValidUTF8(original, "")
	f := foldWithOffsets(original)
	var words []span
	var hit []bool
	first := -1
	inWord, start := false, 0
	flush := func(end int) {
		w := f.text[start:end]
		matched := false
		for _, t := range terms {
			if t != "" && strings.HasPrefix(w, t) {
				matched = true
				break
			}
		}
		if matched && first < 0 {
			first = len(words)
		}
		words = append(words, span{f.origin[start], f.origin[end]})
		hit = append(hit, matched)
	}
	for i, r := range f.text {
		switch w := isWordRune(r); {
		case w && !inWord:
			inWord, start = true, i
		case !w && inWord:
			inWord = false
			flush(i)
		}
	}
	if inWord {
		flush(len(f.text))
	}
	if len(words) == 0 {
		return Snippet{Text: strings.TrimSpace(truncateRunes(original, 200))}
	}
	from := 0
	if first > snippetWordsBefore {
		from = first - snippetWordsBefore
	}
	to := min(from+snippetWords, len(words))
	begin, end := words[from].start, words[to-1].end
	if from == 0 {
		begin = 0
	}
	if to == len(words) {
		end = len(original)
	}
	var b strings.Builder
	var highlights []Range
	if from > 0 {
		b.WriteString(ellipsis)
	}
	offset := b.Len() - begin
	b.WriteString(original[begin:end])
	for i := from; i < to; i++ {
		if hit[i] {
			highlights = append(highlights, Range{words[i].start + offset, words[i].end + offset})
		}
	}
	if to < len(words) {
		b.WriteString(ellipsis)
	}
	text := b.String()
	// Strip leading and trailing space without moving the highlights.
	trimmed := strings.TrimLeft(text, " \t\r\n")
	cut := len(text) - len(trimmed)
	text = strings.TrimRight(trimmed, " \t\r\n")
	for i := range highlights {
		highlights[i].Start -= cut
		highlights[i].End -= cut
	}
	return Snippet{Text: text, Highlights: highlights}
}

func truncateRunes(s string, n int) string {
	i := 0
	for range n {
		if i >= len(s) {
			return s
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + ellipsis
}
