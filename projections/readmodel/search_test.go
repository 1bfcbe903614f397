package readmodel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)

	find := func(t *testing.T, q string, opts readmodel.SearchOptions) []readmodel.SearchHit {
		t.Helper()
		hits, err := e.snap(t).Search(ctx, q, opts)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return hits.Items
	}
	has := func(hits []readmodel.SearchHit, kind, id string) bool {
		for _, h := range hits {
			if h.Kind == kind && h.EntityID == id {
				return true
			}
		}
		return false
	}

	t.Run("accented, capital and plain spellings find the same rows", func(t *testing.T) {
		want := find(t, "προϋπολογισμός", readmodel.SearchOptions{})
		if !has(want, readmodel.SearchDecision, "d1") || !has(want, readmodel.SearchAgendaItem, "item1") {
			t.Fatalf("προϋπολογισμός found %+v", want)
		}
		for _, q := range []string{"ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ", "προυπολογισμος", "Προϋπολογισμού", "ΠΡΟΥΠΟΛΟΓΙΣΜΩΝ"} {
			got := find(t, q, readmodel.SearchOptions{})
			if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
				t.Errorf("%s found %v, προϋπολογισμός found %v", q, ids(got), ids(want))
			}
		}
	})
	t.Run("the snippet shows the original accented text with the match highlighted", func(t *testing.T) {
		for _, h := range find(t, "προυπολογισμος", readmodel.SearchOptions{Kinds: []string{readmodel.SearchDecision}}) {
			marked := h.Snippet.Marked("[", "]")
			if !strings.Contains(marked, "[ΠΡΟΫΠΟΛΟΓΙΣΜΟ]") {
				t.Errorf("snippet %q", marked)
			}
		}
	})
	t.Run("every word must match and the title weighs more", func(t *testing.T) {
		hits := find(t, "οδοποιία", readmodel.SearchOptions{})
		if len(hits) < 2 {
			t.Fatalf("οδοποιία found %v", ids(hits))
		}
		if hits := find(t, "οδοποιία παιδικές", readmodel.SearchOptions{}); len(hits) != 0 {
			t.Errorf("two words never together found %v", ids(hits))
		}
		roads := find(t, "ασφαλτόστρωση", readmodel.SearchOptions{})
		if len(roads) < 2 || roads[0].Rank > roads[len(roads)-1].Rank {
			t.Errorf("ranking %+v", roads)
		}
	})
	t.Run("a hidden comment is not found", func(t *testing.T) {
		if hits := find(t, "προσβολές", readmodel.SearchOptions{}); len(hits) != 0 {
			t.Errorf("hidden comment found: %v", ids(hits))
		}
		if hits := find(t, "παιδικές χαρές", readmodel.SearchOptions{Kinds: []string{readmodel.SearchComment}}); len(hits) != 1 {
			t.Errorf("published comment: %v", ids(hits))
		}
	})
	t.Run("query syntax in the input is read as words, never as operators", func(t *testing.T) {
		plain := ids(find(t, "προϋπολογισμός 2026", readmodel.SearchOptions{}))
		for _, q := range []string{
			`"προϋπολογισμός 2026`, `προϋπολογισμός* 2026*`, `(προϋπολογισμός) 2026`, `προϋπολογισμός: 2026`,
			`-προϋπολογισμός +2026`, `προϋπολογισμός^ 2026)`, `{προϋπολογισμός} [2026]`,
		} {
			if got := ids(find(t, q, readmodel.SearchOptions{})); fmt.Sprint(got) != fmt.Sprint(plain) {
				t.Errorf("%s found %v, want %v", q, got, plain)
			}
		}
		// Operators and column names are words that every hit must contain.
		for _, q := range []string{`προϋπολογισμός OR καμία`, `NEAR(προϋπολογισμός καμία)`, `NOT καμία`,
			`(προϋπολογισμός) AND 2026`, `title:προϋπολογισμός 2026`} {
			if got := find(t, q, readmodel.SearchOptions{}); len(got) != 0 {
				t.Errorf("%s was read as an operator: found %v", q, ids(got))
			}
		}
		for _, q := range []string{"", "   ", `"*:()-^`, "\x00\xff"} {
			if got := find(t, q, readmodel.SearchOptions{}); len(got) != 0 {
				t.Errorf("%q found %v", q, ids(got))
			}
		}
	})
	t.Run("an unknown kind or a bad page is invalid", func(t *testing.T) {
		if _, err := e.snap(t).Search(ctx, "δήμος", readmodel.SearchOptions{Kinds: []string{"members"}}); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("unknown kind: %v", err)
		}
		if _, err := e.snap(t).Search(ctx, "δήμος", readmodel.SearchOptions{Page: readmodel.Page{First: 5000}}); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("limit: %v", err)
		}
	})
}

func ids(hits []readmodel.SearchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Kind + ":" + h.EntityID
	}
	return out
}

// TestSearchRecallOfInflectedForms indexes one agenda item per inflected
// form of a few Greek words and queries with each form: recall is the share
// of the other forms found. Greek is inflected; matching a stem by prefix
// is what makes recall complete.
func TestSearchRecallOfInflectedForms(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	words := [][]string{
		{"προϋπολογισμός", "προϋπολογισμού", "προϋπολογισμό", "προϋπολογισμοί", "προϋπολογισμών", "προϋπολογισμούς"},
		{"απόφαση", "απόφασης", "αποφάσεις", "αποφάσεων"},
		{"σύμβαση", "σύμβασης", "συμβάσεις", "συμβάσεων"},
		{"οδοποιία", "οδοποιίας", "οδοποιίες"},
		{"ύδρευση", "ύδρευσης", "ΥΔΡΕΥΣΗΣ"},
		{"έργο", "έργα", "έργων", "ΕΡΓΟΥ"},
	}
	var added []events.Payload
	added = append(added, events.MeetingScheduled{MeetingID: "recall", BodyID: "council", StartsAt: day(4, 1), Call: 1})
	for g, forms := range words {
		for f, form := range forms {
			added = append(added, events.MeetingItemAdded{ItemID: fmt.Sprintf("w%d-f%d", g, f), Title: "Θέμα: " + form, Description: "Εισήγηση."})
		}
	}
	e.add(t, "meeting-recall", day(3, 1), added...)
	e.sync(t)
	found, wanted := 0, 0
	for g, forms := range words {
		for _, q := range forms {
			hits, err := e.snap(t).Search(ctx, q, readmodel.SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range hits.Items {
				got[h.EntityID] = true
			}
			for f := range forms {
				wanted++
				if got[fmt.Sprintf("w%d-f%d", g, f)] {
					found++
				} else {
					t.Errorf("%s does not find %s", q, forms[f])
				}
			}
			for id := range got {
				if !strings.HasPrefix(id, fmt.Sprintf("w%d-", g)) {
					t.Errorf("%s finds %s, a form of another word", q, id)
				}
			}
		}
	}
	t.Logf("recall of inflected forms: %d/%d", found, wanted)
}

// FuzzSearch asserts that no input, however it mixes FTS5 syntax, quotes,
// operators or broken UTF-8, makes Search fail or panic.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"προϋπολογισμός", `"`, `*`, `NEAR(a b)`, `a OR b`, `title:x`, `(((`, `-x`, `a AND NOT b`, "\x00", "\xff\xfe", `"a"*`, "^x", "{a b}:c"} {
		f.Add(s)
	}
	e := newRMEnv(f)
	e.scenario(f, 1)
	e.sync(f)
	f.Fuzz(func(t *testing.T, q string) {
		hits, err := e.snap(t).Search(context.Background(), q, readmodel.SearchOptions{})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, h := range hits.Items {
			for _, r := range h.Snippet.Highlights {
				if r.Start < 0 || r.End > len(h.Snippet.Text) || r.Start >= r.End {
					t.Fatalf("highlight %v out of %q", r, h.Snippet.Text)
				}
			}
		}
	})
}

func TestSnapshotBeforeTheReadModelIsBuilt(t *testing.T) {
	t.Run("a read model file with no serving build is unavailable, not internal", func(t *testing.T) {
		ctx := context.Background()
		path := t.TempDir() + "/empty.db"
		db, err := projections.OpenReadModel(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rm := readmodel.NewReadModelQueries(db, nil)
		if _, err := rm.Snapshot(ctx); events.ErrorCode(err) != events.CodeUnavailable {
			t.Errorf("snapshot: %v, want unavailable", err)
		}
		if _, err := rm.ServingPosition(ctx); events.ErrorCode(err) != events.CodeUnavailable {
			t.Errorf("serving position: %v, want unavailable", err)
		}
	})
}
