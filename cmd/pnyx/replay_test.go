package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/internal/tokentest"
	"github.com/pnyx-civic/pnyx/projections"
)

// seedDecision records, through the command service, a council and its
// decision 1/2026: adopted on 3 March, recorded on 10 March, then
// published and corrected.
func seedDecision(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := events.NewService(st, events.ServiceOptions{})
	adopted := time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)
	tokens := tokentest.New(ctx, t, svc, adopted.AddDate(0, -3, 0))
	clerkActor, _ := tokens.Grant(ctx, t, "tok-clerk", events.AccessSecretariat, events.ScopeAll)
	clerk := events.WithActor(clerkActor)
	for _, cmd := range []events.Command{
		events.RegisterBody{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(33), At: adopted.AddDate(0, -2, 0)},
		events.AdoptDecision{DecisionID: "d1", BodyID: "council", Year: 2026, Exception: &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "ν. 3852/2010 άρθρο 67"},
			Title: "Έγκριση προϋπολογισμού", Text: "Εγκρίνεται ο προϋπολογισμός.", LegalBasis: "ν. 3463/2006", At: adopted},
		events.PublishDecision{DecisionID: "d1", RegisterID: "ΨΩ1Α46ΜΤΛ6-ΑΒΓ", DocumentSHA256: strings.Repeat("ab", 32), At: adopted.AddDate(0, 0, 1)},
		events.CorrectDecision{DecisionID: "d1", Reason: "Διόρθωση αριθμού", Title: "Έγκριση προϋπολογισμού 2026", Text: "Εγκρίνεται ο προϋπολογισμός του 2026.", At: adopted.AddDate(0, 0, 2)},
	} {
		if _, err := svc.Handle(ctx, cmd, clerk); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
}

func replay(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cleanEnv(t)
	return pnyx(t, context.Background(), nil, append([]string{"replay", "--data-dir", dir, "--log-format", "json"}, args...)...)
}

func TestReplay(t *testing.T) {
	dir := t.TempDir()
	seedDecision(t, dir)

	t.Run("a decision by its number shows each step with who, when and the state after it", func(t *testing.T) {
		r := replay(t, dir, "--decision", "1/2026", "--body", "council")
		if r.err != nil {
			t.Fatalf("%v\n%s", r.err, r.stderr)
		}
		for _, want := range []string{"decision-d1: 3 events", "decision.adopted", "decision.published", "decision.corrected",
			"secretariat (tok-clerk)", "2026-03-03T18:00:00Z", "Status = ", "ΨΩ1Α46ΜΤΛ6-ΑΒΓ", "Versions = "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the replay lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("--json gives every step's event and whole state", func(t *testing.T) {
		r := replay(t, dir, "--stream", "decision-d1", "--json")
		var out struct {
			Stream string       `json:"stream"`
			Steps  []replayStep `json:"steps"`
		}
		if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil || len(out.Steps) != 3 {
			t.Fatalf("%v %s", r.err, r.stdout)
		}
		first, last := out.Steps[0], out.Steps[2]
		if first.Actor.Role != "secretariat" || !first.OccurredAt.Equal(time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)) || first.RecordedAt.IsZero() {
			t.Errorf("first step %+v", first)
		}
		var state events.DecisionState
		if err := json.Unmarshal(last.State, &state); err != nil || len(state.Versions) != 2 || state.RegisterID != "ΨΩ1Α46ΜΤΛ6-ΑΒΓ" {
			t.Errorf("state after the correction: %s (%v)", last.State, err)
		}
	})
	for _, bad := range []struct {
		args []string
		code int
	}{
		{[]string{"--decision", "7/2026", "--body", "council"}, 1},
		{[]string{"--decision", "1/2026"}, 2},
		{[]string{"--decision", "one", "--body", "council"}, 2},
		{[]string{"--stream", "decision-nothing"}, 1},
		{[]string{"--stream", "nokind-1"}, 2},
		{[]string{}, 2},
		{[]string{"--all"}, 2},
	} {
		t.Run(strings.Join(bad.args, " ")+" is refused", func(t *testing.T) {
			if r := replay(t, dir, bad.args...); r.err == nil || exitCode(r.err) != bad.code {
				t.Errorf("%v, exit %d; want exit %d", r.err, exitCode(r.err), bad.code)
			}
		})
	}
}

func TestReplayCheck(t *testing.T) {
	dir := t.TempDir()
	seedDecision(t, dir)
	if r := pnyx(t, context.Background(), nil, "projections", "rebuild", "--data-dir", dir); r.err != nil {
		t.Fatalf("build the read model: %v\n%s", r.err, r.stderr)
	}
	r := replay(t, dir, "--all", "--check")
	if r.err != nil || !strings.Contains(r.stdout, "exactly a rebuild from the log at position") {
		t.Fatalf("%v\n%s\n%s", r.err, r.stdout, r.stderr)
	}
	// A row of the live read model changed behind the runner's back.
	db, err := sql.Open("sqlite", filepath.Join(dir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := projections.ServingTables(context.Background(), db, "readmodel")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	editStore(t, filepath.Join(dir, "readmodel.db"), `UPDATE "`+tables["decisions"]+`" SET title = 'Πλαστός τίτλος'`)
	r = replay(t, dir, "--all", "--check")
	if exitCode(r.err) != exitDiverged || !strings.Contains(r.stdout, "only in the live read model") || !strings.Contains(r.stdout, "Πλαστός τίτλος") {
		t.Fatalf("%v (exit %d)\n%s", r.err, exitCode(r.err), r.stdout)
	}
}
