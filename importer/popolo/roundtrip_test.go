package popolo_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/popolo"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

func day(n int) time.Time { return time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

// scenario records a council of Pnyx's own: five members in two factions
// and an independent, one who leaves, and three sittings: roll-call and
// show-of-hands votes with every choice, one member absent, and a secret
// vote counted from its ballot box.
func scenario(t *testing.T, st events.Store) {
	ctx := context.Background()
	s := events.NewService(st, events.ServiceOptions{Now: importtest.Clock})
	admin := events.WithActor(importtest.Admin(t, st))
	must := func(cmd events.Command) {
		t.Helper()
		if _, err := s.Handle(ctx, cmd, admin); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	must(events.RegisterBody{BodyID: "council", Name: "Δημοτικό Συμβούλιο Βόλου", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(6), At: day(0)})
	must(events.FormFaction{FactionID: "council-proodos", BodyID: "council", Name: "Πρόοδος Βόλου", ShortName: "ΠρΒ", Colour: "#0072b2", Role: events.FactionOpposition, At: day(0)})
	must(events.FormFaction{FactionID: "council-ananeosi", BodyID: "council", Name: "Ανανέωση", ShortName: "Α", Colour: "#e69f00", Role: events.FactionOpposition, At: day(0)})
	members := []struct{ id, name, faction string }{
		{"papadopoulou", "Μαρία Παπαδοπούλου", "council-proodos"}, {"georgiou", "Γιώργος Γεωργίου", "council-proodos"},
		{"ioannou", "Ελένη Ιωάννου", "council-ananeosi"}, {"nikolaou", "Νίκος Νικολάου", "council-ananeosi"},
		{"dimou", "Δήμητρα Δήμου", ""}, {"karras", "Κώστας Κάρρας", ""},
	}
	for i, m := range members {
		role := events.MemberRole("member")
		if i == 0 {
			role = "chair"
		}
		must(events.AddMember{BodyID: "council", MemberID: m.id, Name: m.name, FactionID: m.faction, Role: role, At: day(0)})
	}
	must(events.ChangeFactionLeader{FactionID: "council-proodos", MemberID: "georgiou", At: day(0)})
	must(events.RemoveMember{BodyID: "council", MemberID: "karras", Reason: "Λήξη θητείας", At: day(20)})
	sitting := func(meeting string, at time.Time, present []string, votes map[string][]events.BallotChoice, method events.VoteMethod) {
		t.Helper()
		must(events.ScheduleMeeting{MeetingID: meeting, BodyID: "council", StartsAt: at, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: at.AddDate(0, 0, -10)})
		for id := range votes {
			must(events.AddItem{MeetingID: meeting, ItemID: meeting + "-" + id, Title: "Θέμα " + id, Description: "Εισήγηση " + id, QuestionType: events.QuestionOrdinary, Presenter: "papadopoulou", At: at.AddDate(0, 0, -10)})
		}
		must(events.PublishAgenda{MeetingID: meeting, BodyID: "council", ConsultationClosesAt: at.Add(-24 * time.Hour), At: at.AddDate(0, 0, -9)})
		must(events.ConveneMeeting{MeetingID: meeting, BodyID: "council", Present: present, PresidingMemberID: "papadopoulou", At: at})
		for id, choices := range votes {
			must(events.OpenVote{VoteID: id, BodyID: "council", MeetingID: meeting, ItemID: meeting + "-" + id, Question: "Εγκρίνεται το θέμα " + id + ";",
				QuestionType: events.QuestionOrdinary, Method: method, At: at})
			var tally *events.VoteTally
			for i, c := range choices {
				if method == events.VoteSecret { // the ballot box's tally
					if tally == nil {
						tally = &events.VoteTally{}
					}
					switch c {
					case events.BallotYes:
						tally.Yes++
					case events.BallotNo:
						tally.No++
					}
					continue
				}
				must(events.CastBallot{VoteID: id, BodyID: "council", MeetingID: meeting, MemberID: present[i], Choice: c, At: at})
			}
			must(events.CloseVote{VoteID: id, BodyID: "council", MeetingID: meeting, Tally: tally, At: at.Add(10 * time.Minute)})
		}
		must(events.AdjournMeeting{MeetingID: meeting, At: at.Add(2 * time.Hour)})
	}
	y, n, a, p := events.BallotYes, events.BallotNo, events.BallotAbstain, events.BallotPresent
	sitting("2025-01", day(30).Add(18*time.Hour), []string{"papadopoulou", "georgiou", "ioannou", "nikolaou", "dimou"}, map[string][]events.BallotChoice{"v-2025-1": {y, y, n, a, y}}, events.VoteRollCall)
	sitting("2025-02", day(60).Add(18*time.Hour), []string{"papadopoulou", "georgiou", "ioannou", "nikolaou"}, map[string][]events.BallotChoice{"v-2025-2": {y, n, p, a}}, events.VoteShowOfHands)
	sitting("2025-03", day(90).Add(18*time.Hour), []string{"papadopoulou", "georgiou", "ioannou", "nikolaou"}, map[string][]events.BallotChoice{"v-2025-3": {y, y, y, n}}, events.VoteSecret)
}

// readModel projects st's log into a read model.
func readModel(t *testing.T, st events.Store) (*readmodel.ReadModel, *sql.DB) {
	ctx := context.Background()
	db, err := projections.OpenReadModel(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r, err := projections.NewRunner(db, st, []projections.Projection{readmodel.NewReadModelProjection(nil)}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	err = r.WaitFor(ctx, importtest.Head(t, st))
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return readmodel.NewReadModelQueries(db, st), db
}

// popoloExport is Pnyx's own Popolo export of rm, from a release.
func popoloExport(t *testing.T, rm *readmodel.ReadModel, st events.Store) []byte {
	ctx := context.Background()
	snap, err := rm.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	out := filepath.Join(t.TempDir(), "release")
	if _, err := exports.WriteRelease(ctx, snap, st, out, exports.ReleaseOptions{Catalog: opendata.DefaultConfig(), Now: importtest.Clock}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, exports.PopoloFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// voteDump is the canonical dump of the read model's vote tables: the
// bodies, factions, memberships, votes and ballots, without what Popolo
// does not carry (named in dropped by table and column).
func voteDump(t *testing.T, db *sql.DB) string {
	ctx := context.Background()
	var buf bytes.Buffer
	if err := projections.Dump(ctx, db, &buf, readmodel.ReadModelName); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var drop map[int]bool
	on := false
	for _, line := range strings.Split(buf.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "## readmodel."); ok {
			name, _, _ = strings.Cut(name, " ")
			_, on = dropped[name]
			drop = nil
			if on {
				out.WriteString(line + "\n")
			}
			continue
		}
		if !on || line == "" {
			continue
		}
		cells := strings.Split(line, "\t")
		if drop == nil { // the header
			drop = map[int]bool{}
			for i, c := range cells {
				name, _, _ := strings.Cut(c, " ")
				for _, d := range dropped[currentTable(out.String())] {
					if d == name {
						drop[i] = true
					}
				}
			}
		}
		var kept []string
		for i, c := range cells {
			if !drop[i] {
				kept = append(kept, c)
			}
		}
		out.WriteString(strings.Join(kept, "\t") + "\n")
	}
	return out.String()
}

func currentTable(dump string) string {
	i := strings.LastIndex(dump, "## readmodel.")
	name, _, _ := strings.Cut(dump[i+len("## readmodel."):], " ")
	name, _, _ = strings.Cut(name, "\n")
	return name
}

// dropped are the vote tables compared, each with the columns Popolo does
// not carry: an imported vote's sitting is its own (meeting and item
// popolo-<vote id>), a faction's role and colour are not in Popolo, and
// the imported marks differ by design.
var dropped = map[string][]string{
	"bodies":      {},
	"factions":    {"role", "colour"},
	"memberships": {},
	"votes":       {"meeting_id", "item_id", "imported"},
	"ballots":     {"meeting_id"},
}

// TestRoundTrip exports Pnyx's own Popolo, imports it into an empty store
// and finds the same vote data in the read model.
func TestRoundTrip(t *testing.T) {
	original := importtest.Store(t)
	scenario(t, original)
	orm, odb := readModel(t, original)
	pkg := popoloExport(t, orm, original)

	imported := importtest.Store(t)
	dec := popolo.NewDecoder(context.Background(), bytes.NewReader(pkg), popolo.Options{SpillDir: t.TempDir()})
	defer dec.Close()
	rep, err := importer.Import(context.Background(), imported, importer.Source{Name: "pnyx", RetrievedAt: importtest.Now}, dec,
		importer.Options{Actor: importtest.Admin(t, imported), Now: importtest.Clock})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b)
	if rep.Refused != 0 {
		t.Fatalf("import of Pnyx's own Popolo:\n%s\n%s", b.String(), pkg)
	}
	_, idb := readModel(t, imported)
	want, got := voteDump(t, odb), voteDump(t, idb)
	if !strings.Contains(want, `"v-2025-3"	"council"`) {
		t.Fatalf("the secret vote is not in the dump:\n%s", want)
	}
	if got != want {
		wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("line %d:\n  exported %s\n  imported %s", i+1, w, g)
			}
		}
	}
}
