package readmodel_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestForgettingReachesTheReadModel forgets one of the scenario's two
// citizens and checks every path of the read model: rows, search, as-of
// views, and a rebuild from the log.
func TestForgettingReachesTheReadModel(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)
	const aWrote, bWrote = "Προτείνω αύξηση των κονδυλίων για παιδικές χαρές.", "Λακκούβα στην οδό Ερμού"

	t.Run("while the citizens live their words are public and searchable", func(t *testing.T) {
		c, err := e.snap(t).Comment(ctx, "c11")
		if err != nil || c.Text != aWrote {
			t.Fatalf("comment = %+v, %v", c, err)
		}
		hits, err := e.snap(t).Search(ctx, "παιδικές χαρές", readmodel.SearchOptions{Kinds: []string{readmodel.SearchComment}})
		if err != nil || len(hits.Items) != 1 {
			t.Fatalf("search = %+v, %v", hits.Items, err)
		}
	})

	if err := e.vault.Forget(ctx, e.people[citizenA]); err != nil {
		t.Fatal(err)
	}
	e.add(t, "subject-"+events.NewErasureID(), day(4, 1), events.SubjectForgotten{Reason: "άρθρο 17 ΓΚΠΔ"})
	e.sync(t)
	live := readModelDump(t, e)

	check := func(t *testing.T) {
		t.Helper()
		s := e.snap(t)
		if c, err := s.Comment(ctx, "c11"); err != nil || c.Text != events.ForgottenText || c.Status != readmodel.CommentPublished {
			t.Errorf("the forgotten author's comment = %+v, %v", c, err)
		}
		if c, err := s.Comment(ctx, "c21"); err != nil || c.Text != "" || c.Status != readmodel.CommentHidden {
			t.Errorf("the other citizen's hidden comment = %+v, %v", c, err)
		}
		if r, err := s.Request(ctx, "r-open1"); err != nil || r.Subject != events.ForgottenText || r.Category != string(events.RequestInformation) || r.DueAt.IsZero() {
			t.Errorf("the forgotten requester's request = %+v, %v; want its subject gone and the rest kept", r, err)
		}
		if r, err := s.Request(ctx, "r-done1"); err != nil || r.Subject != bWrote || r.AnswerSummary == "" {
			t.Errorf("the other citizen's request = %+v, %v", r, err)
		}
		if hits, err := s.Search(ctx, "παιδικές χαρές", readmodel.SearchOptions{Kinds: []string{readmodel.SearchComment}}); err != nil || len(hits.Items) != 0 {
			t.Errorf("search still finds the forgotten words: %+v, %v", hits.Items, err)
		}
		for _, stream := range []string{"consultation-item1", "request-r-open1"} {
			st, err := e.rm.AsOf(ctx, stream, readmodel.Point{})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(st)
			if strings.Contains(string(b), "παιδικές") || strings.Contains(string(b), "Αντίγραφο μελέτης") || !strings.Contains(string(b), events.ForgottenText) {
				t.Errorf("as of now, %s = %s", stream, b)
			}
		}
		if strings.Contains(readModelDump(t, e), "παιδικές χαρές") {
			t.Error("the read model file still holds the forgotten words")
		}
	}
	t.Run("applying subject.forgotten drops the person's words everywhere, and only theirs", check)
	t.Run("the past as of a point before the forgetting shows the words no more", func(t *testing.T) {
		st, err := e.rm.AsOf(ctx, "consultation-item1", readmodel.Point{Position: 10})
		if err == nil {
			if b, _ := json.Marshal(st); strings.Contains(string(b), "παιδικές") {
				t.Errorf("as of position 10: %s", b)
			}
		}
	})
	e.startReadModel(t, "rebuilt.db")
	t.Run("a rebuild after forgetting gives the same read model", func(t *testing.T) {
		if got := readModelDump(t, e); got != live {
			t.Errorf("rebuild differs from the live read model:\n%s", firstDifference(live, got))
		}
		check(t)
	})
}

// TestReadModelWithoutVault: sealed words met without a vault are an
// error, never shown as forgotten.
func TestReadModelWithoutVault(t *testing.T) {
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)
	e.rm.UseVault(nil)
	if _, err := e.rm.AsOf(context.Background(), "request-r-open1", readmodel.Point{}); events.ErrorCode(err) != events.CodeUnavailable {
		t.Fatalf("AsOf without a vault = %v, want unavailable", err)
	}
}
