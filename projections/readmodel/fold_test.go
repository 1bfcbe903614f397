package readmodel

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFoldText(t *testing.T) {
	cases := []struct {
		rule, in, want string
	}{
		{"accents and capitals of Greek fold away", "Προϋπολογισμός", "προυπολογισμοσ"},
		{"upper case with dialytika folds the same", "ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ", "προυπολογισμοσ"},
		{"unaccented lower case is unchanged but for final sigma", "προυπολογισμος", "προυπολογισμοσ"},
		{"iota with dialytika and tonos folds to iota", "ΐ ΰ Ϊ", "ι υ ι"},
		{"decomposed input folds like composed input", "προ\u03c5\u0308πολογισμο\u0301ς", "προυπολογισμοσ"},
		{"Latin accents fold too", "Café ÉLYSÉE", "cafe elysee"},
		{"digits and punctuation are kept", "123/2026, Α.Δ.Α.", "123/2026, α.δ.α."},
		{"invalid UTF-8 bytes are dropped", "ab\xffγ", "abγ"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := FoldText(c.in); got != c.want {
				t.Errorf("FoldText(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestFoldTableMatchesNormalisation(t *testing.T) {
	t.Run("every rune folds as NFD of the whole text, marks dropped, lower case and final sigma as σ", func(t *testing.T) {
		reference := func(s string) string {
			var b strings.Builder
			for _, d := range norm.NFD.String(s) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				d = unicode.ToLower(d)
				if d == 'ς' {
					d = 'σ'
				}
				b.WriteRune(d)
			}
			return b.String()
		}
		for r := rune(0); r <= 0x2FFF; r++ {
			if r == utf8.RuneError || (r >= 0xD800 && r <= 0xDFFF) {
				continue
			}
			s := string(r)
			if got, want := FoldText(s), reference(s); got != want {
				t.Fatalf("FoldText(%q U+%04X) = %q, want %q", s, r, got, want)
			}
		}
	})
}

func TestFoldWithOffsets(t *testing.T) {
	t.Run("every folded byte points at the original rune it came from", func(t *testing.T) {
		in := "Ο Δήμαρχος ΰ\u0301x ενέκρινε τον ΠΡΟΫΠΟΛΟΓΙΣΜΟ"
		f := foldWithOffsets(in)
		if f.text != FoldText(in) {
			t.Fatalf("folded text %q differs from FoldText %q", f.text, FoldText(in))
		}
		if len(f.origin) != len(f.text)+1 || f.origin[len(f.text)] != len(in) {
			t.Fatalf("origin has %d entries for %d bytes", len(f.origin), len(f.text))
		}
		for i, r := range f.text {
			o := f.origin[i]
			orig, _ := utf8.DecodeRuneInString(in[o:])
			if FoldText(string(orig)) == "" || !strings.HasPrefix(FoldText(string(orig)), string(r)) {
				t.Errorf("folded %q at %d maps to original %q", r, i, orig)
			}
		}
	})
}

func TestStemTerm(t *testing.T) {
	t.Run("inflected forms of a Greek word share one stem", func(t *testing.T) {
		groups := [][]string{
			{"προϋπολογισμός", "προϋπολογισμού", "προϋπολογισμό", "προϋπολογισμοί", "προϋπολογισμών", "προϋπολογισμούς"},
			{"απόφαση", "απόφασης", "αποφάσεις", "αποφάσεων"},
			{"σύμβαση", "σύμβασης", "συμβάσεις", "συμβάσεων"},
			{"συμβούλιο", "συμβουλίου", "συμβούλια", "συμβουλίων"},
			{"οδοποιία", "οδοποιίας"},
		}
		for _, g := range groups {
			want := stemTerm(FoldText(g[0]))
			for _, w := range g[1:] {
				if got := stemTerm(FoldText(w)); !strings.HasPrefix(FoldText(w), want) || got != want {
					t.Errorf("%s stems to %q, %s to %q", g[0], want, w, got)
				}
			}
		}
	})
	t.Run("short words and words in other scripts are kept whole", func(t *testing.T) {
		for _, w := range []string{"νέο", "ada", "2026", "budget", "ΟΤΑ"} {
			f := FoldText(w)
			if got := stemTerm(f); got != f {
				t.Errorf("stemTerm(%q) = %q", f, got)
			}
		}
	})
	t.Run("a stem keeps at least the minimum length", func(t *testing.T) {
		for _, w := range []string{"δήμος", "έργα", "έργων", "νόμου", "οδός"} {
			if got := stemTerm(FoldText(w)); utf8.RuneCountInString(got) < minStemRunes || !strings.HasPrefix(FoldText(w), got) {
				t.Errorf("stemTerm(%q) = %q", FoldText(w), got)
			}
		}
		if stemTerm(FoldText("έργα")) != stemTerm(FoldText("έργων")) {
			t.Errorf("έργα and έργων do not share a stem")
		}
	})
}

func TestSearchTerms(t *testing.T) {
	cases := []struct {
		rule, in string
		want     []string
	}{
		{"query syntax is read as separators", `"προϋπολογισμός" OR (δρόμος* -NEAR) title:έργα`, []string{"προυπολογισμ", "or", "δρομ", "near", "title", "εργ"}},
		{"unbalanced quotes and parentheses give plain words", `"((ΑΔΑ`, []string{"αδα"}},
		{"only punctuation gives no terms", `"*-:()^`, nil},
		{"a repeated word is one term", "Έργα έργα ΕΡΓΑ", []string{"εργ"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := searchTerms(c.in)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("searchTerms(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	t.Run("at most a bounded number of terms is kept", func(t *testing.T) {
		if n := len(searchTerms(strings.Repeat("α1 α2 α3 α4 α5 α6 α7 α8 α9 β1 β2 β3 β4 β5 β6 β7 β8 β9 ", 3))); n != maxQueryTerms {
			t.Errorf("%d terms, want %d", n, maxQueryTerms)
		}
	})
	t.Run("every term holds only word characters", func(t *testing.T) {
		for _, term := range searchTerms("a\"b c*d e:f (g) ħ-ι \x00ζ") {
			for _, r := range term {
				if !isWordRune(r) || unicode.IsSpace(r) {
					t.Errorf("term %q holds %q", term, r)
				}
			}
		}
	})
}

func TestMakeSnippet(t *testing.T) {
	t.Run("the snippet shows the original accented text with its matches highlighted", func(t *testing.T) {
		s := makeSnippet("Έγκριση του ΠΡΟΫΠΟΛΟΓΙΣΜΟΥ οικονομικού έτους 2026.", searchTerms("προυπολογισμος"))
		if got := s.Marked("[", "]"); got != "Έγκριση του [ΠΡΟΫΠΟΛΟΓΙΣΜΟΥ] οικονομικού έτους 2026." {
			t.Errorf("snippet %q", got)
		}
	})
	t.Run("a long text is cut around the first match with ellipses", func(t *testing.T) {
		long := strings.Repeat("λέξη ", 40) + "ασφαλτόστρωση οδού Αγίου Νικολάου " + strings.Repeat("τέλος ", 40)
		s := makeSnippet(long, searchTerms("ασφαλτοστρωσεις"))
		if !strings.HasPrefix(s.Text, ellipsis) || !strings.HasSuffix(s.Text, ellipsis) {
			t.Errorf("snippet %q is not cut at both ends", s.Text)
		}
		if len(s.Highlights) != 1 || s.Text[s.Highlights[0].Start:s.Highlights[0].End] != "ασφαλτόστρωση" {
			t.Errorf("highlights %v in %q", s.Highlights, s.Text)
		}
	})
	t.Run("without a match the snippet is the text's beginning", func(t *testing.T) {
		s := makeSnippet("  Καμία αντιστοιχία εδώ  ", []string{"xyz"})
		if s.Text != "Καμία αντιστοιχία εδώ" || len(s.Highlights) != 0 {
			t.Errorf("snippet %+v", s)
		}
	})
	t.Run("combining marks in the original stay inside the highlighted word", func(t *testing.T) {
		s := makeSnippet("προ\u03c5\u0308πολογισμο\u0301ς 2026", searchTerms("προϋπολογισμός"))
		if got := s.Marked("[", "]"); got != "[προ\u03c5\u0308πολογισμο\u0301ς] 2026" {
			t.Errorf("snippet %q", got)
		}
	})
}

func FuzzMakeSnippet(f *testing.F) {
	f.Add("Προϋπολογισμός 2026", "προυπολογισμος")
	f.Add("\xff\xfe ΐ\u0301", "ι")
	f.Fuzz(func(t *testing.T, text, q string) {
		s := makeSnippet(text, searchTerms(q))
		if !utf8.ValidString(s.Text) {
			t.Fatalf("snippet %q is not valid UTF-8", s.Text)
		}
		last := 0
		for _, h := range s.Highlights {
			if h.Start < last || h.End <= h.Start || h.End > len(s.Text) {
				t.Fatalf("highlight %v out of order or range in %q", h, s.Text)
			}
			last = h.End
		}
		_ = s.Marked("<", ">")
	})
}
