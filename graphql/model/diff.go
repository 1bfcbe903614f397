package model

import "strings"

// DiffLine is one line of a diff: kept ("equal"), added ("insert") or
// removed ("delete") in the field ("title" or "text").
type DiffLine struct {
	Op    string
	Field string
	Text  string
}

// maxDiffCells bounds the table of the longest common subsequence; past it
// the diff is the whole old text removed and the whole new text added.
const maxDiffCells = 4 << 20

// diffLines diffs old and new line by line, by the longest common
// subsequence of lines: applying the deletes and inserts to old in order
// gives new.
func diffLines(field, old, new string) []DiffLine {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	out := []DiffLine{}
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			out = append(out, DiffLine{"delete", field, l})
		}
		for _, l := range b {
			out = append(out, DiffLine{"insert", field, l})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, DiffLine{"equal", field, a[i]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, DiffLine{"insert", field, b[j]})
			j++
		default:
			out = append(out, DiffLine{"delete", field, a[i]})
			i++
		}
	}
	return out
}
