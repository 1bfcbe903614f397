package readmodel

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FoldText returns s as search matches it: decomposed (NFD), without
// combining marks, lower case, with final sigma ς as σ. So
// "Προϋπολογισμός", "ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ" and "προυπολογισμος" all fold to
// "προυπολογισμοσ". SQLite's unicode61 tokenizer does not fold Greek
// accents, so text is folded here, with this one function, both before it
// is indexed and before a query is matched against it. Invalid UTF-8 bytes
// are dropped.
func FoldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		appendFolded(&b, r)
	}
	return b.String()
}

// foldedText is text folded rune by rune with, for each byte of the folded
// text, the byte offset in the original where the rune it came from starts.
// It lets a match found in folded text be shown in the original, accented
// text.
type foldedText struct {
	text   string
	origin []int // len(text)+1 entries; the last is len(original)
}

func foldWithOffsets(s string) foldedText {
	var b strings.Builder
	b.Grow(len(s))
	origin := make([]int, 0, len(s)+1)
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				continue // an invalid byte: dropped, as FoldText does
			}
		}
		before := b.Len()
		appendFolded(&b, r)
		for range b.Len() - before {
			origin = append(origin, i)
		}
	}
	origin = append(origin, len(s))
	return foldedText{text: b.String(), origin: origin}
}

// appendFolded writes the folding of one rune. Decomposing rune by rune
// gives the same result as decomposing the whole string, because the marks
// a composition would recombine are dropped anyway. Runes below
// foldTableSize (Latin, Greek with its extended block, Cyrillic) are folded
// once into a table, since search indexes whole texts.
func appendFolded(b *strings.Builder, r rune) {
	switch {
	case r == utf8.RuneError:
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
	case r < foldTableSize:
		b.WriteString(foldTable()[r])
	default:
		b.WriteString(foldRune(r))
	}
}

// foldTableSize covers the scripts Pnyx expects, up to the end of Greek
// Extended (U+1FFF).
const foldTableSize = 0x2000

var foldTable = sync.OnceValue(func() *[foldTableSize]string {
	var t [foldTableSize]string
	for r := range rune(foldTableSize) {
		t[r] = foldRune(r)
	}
	return &t
})

// foldRune folds one rune: NFD, combining marks dropped, lower case, final
// sigma as σ.
func foldRune(r rune) string {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	var out []byte
	for _, d := range norm.NFD.String(string(buf[:n])) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		d = unicode.ToLower(d)
		if d == 'ς' {
			d = 'σ'
		}
		out = utf8.AppendRune(out, d)
	}
	return string(out)
}

// greekEndings are inflectional endings of Greek nouns, adjectives and
// verbs, folded, longest first. stemTerm cuts one of them so that a query
// for any case or number of a word matches its other forms by prefix:
// προϋπολογισμός, -ού, -ό, -οί, -ών, -ούς all become "προυπολογισμ".
var greekEndings = []string{
	"ματων", "ματοσ", "ουμε", "ουσα", "ουνε",
	"ματα", "εισ", "εων", "ιων", "ιεσ", "ιασ", "ιου", "ιοσ", "ουσ", "ουν", "ησ", "εσ",
	"ων", "οσ", "ου", "οι", "ασ", "ια", "ιο", "ει", "μα",
	"α", "ε", "η", "ι", "ο", "υ", "ω",
}

// minStemRunes is the shortest stem stemTerm leaves: three letters keep
// short words (έργα, έργων: "εργ") findable in all their forms; shorter
// stems would match too much to be useful.
const minStemRunes = 3

// stemTerm cuts the inflectional ending of a folded Greek term, keeping at
// least minStemRunes runes. Terms in other scripts, and short terms, are
// kept whole; they are still matched by prefix.
func stemTerm(term string) string {
	if !isGreekTerm(term) {
		return term
	}
	n := utf8.RuneCountInString(term)
	for _, end := range greekEndings {
		if strings.HasSuffix(term, end) && n-utf8.RuneCountInString(end) >= minStemRunes {
			return strings.TrimSuffix(term, end)
		}
	}
	return term
}

func isGreekTerm(term string) bool {
	for _, r := range term {
		if unicode.Is(unicode.Greek, r) {
			return true
		}
	}
	return false
}
