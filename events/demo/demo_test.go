package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
)

// importedAt is the store's clock in demo tests: the whole archive is
// recorded at one instant.
var importedAt = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

type generated struct {
	store *sqlite.Store
	vault *vault.Vault
	stats demo.Stats
}

// generate runs the demo into fresh files under dir.
func generate(t testing.TB, dir string, opts demo.Options) generated {
	t.Helper()
	return generateAt(t, dir, opts, importedAt)
}

// generateAt runs the demo with the store's clock at recorded.
func generateAt(t testing.TB, dir string, opts demo.Options, recorded time.Time) generated {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{Now: func() time.Time { return recorded }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key := make([]byte, vault.MasterKeySize)
	v, err := vault.Open(ctx, filepath.Join(dir, "vault.db"), vault.Options{MasterKey: key, KeysPath: filepath.Join(dir, "vault-keys.db"),
		Now: func() time.Time { return recorded }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	stats, err := demo.Generate(ctx, st, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	return generated{store: st, vault: v, stats: stats}
}

// readAll returns the whole log.
func readAll(t testing.TB, st events.Store) []events.RecordedEvent {
	t.Helper()
	var all []events.RecordedEvent
	for after := events.Position(0); ; {
		page, err := st.ReadAll(context.Background(), events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Position
	}
}

// openedAll returns the log with its sealed texts opened through v and
// author references dropped: both come from each run's random keys.
func openedAll(t testing.TB, v *vault.Vault, evs []events.RecordedEvent) []events.RecordedEvent {
	t.Helper()
	out := slices.Clone(evs)
	for i := range out {
		out[i].Data = opened(t, v, out[i])
	}
	return out
}

func TestSameSeedSameEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo four times")
	}
	// A little more than a year's worth of events makes two years. Under
	// the race detector, which slows the demo tenfold, the world is the
	// first months of one year.
	opts, years, end, minEvents := demo.Options{Seed: 7, Events: demo.EventsPerYear + 1}, 2, demo.DefaultEnd, 2*demo.EventsPerYear*9/10
	small := func(o demo.Options) demo.Options { return o }
	if raceEnabled {
		small = func(o demo.Options) demo.Options { return demo.Truncated(o, raceMonths) }
		opts, years = small(demo.Options{Seed: 7, Years: 1}), 1
		end = demo.DefaultEnd.AddDate(-1, raceMonths, 0)
		minEvents = demo.EventsPerYear * raceMonths / 12 * 8 / 10
	}
	a := generate(t, t.TempDir(), opts)
	log := readAll(t, a.store)
	t.Run("runs on different days write the same events at the same positions", func(t *testing.T) {
		// The world ends on a fixed day, so the day it is generated on (the
		// store's clock) changes only the recorded times.
		later := importedAt.AddDate(3, 2, 1)
		b := generateAt(t, t.TempDir(), opts, later)
		ea, eb := openedAll(t, a.vault, log), openedAll(t, b.vault, readAll(t, b.store))
		if len(ea) != len(eb) || len(ea) < minEvents {
			t.Fatalf("%d and %d events", len(ea), len(eb))
		}
		for i := range ea {
			if !eb[i].RecordedAt.Equal(later) {
				t.Fatalf("event %d recorded at %s", i, eb[i].RecordedAt)
			}
			eb[i].RecordedAt = ea[i].RecordedAt
			if !reflect.DeepEqual(ea[i], eb[i]) {
				t.Fatalf("event %d differs:\n%+v\n%+v", i, ea[i], eb[i])
			}
		}
	})
	t.Run("no text carries a formatting error", func(t *testing.T) {
		// A subject template without its verb once gave titles ending in
		// "%!(EXTRA string=…)"; fmt marks every misuse with "%!".
		for _, re := range openedAll(t, a.vault, log) {
			if i := bytes.Index(re.Data, []byte("%!")); i >= 0 {
				t.Fatalf("%s %s at %d: %s", re.Stream, re.Type, re.Position, re.Data[max(0, i-80):min(len(re.Data), i+40)])
			}
		}
	})
	t.Run("the world spans the years before its end", func(t *testing.T) {
		if !a.stats.Until.Equal(end) || !a.stats.From.Equal(demo.DefaultEnd.AddDate(-years, 0, 0)) || a.stats.Years != years {
			t.Errorf("stats %+v, want %d years from %s until %s", a.stats, years, demo.DefaultEnd.AddDate(-years, 0, 0), end)
		}
	})
	t.Run("everything happened before the world's end and was recorded after it", func(t *testing.T) {
		var last time.Time
		for _, re := range log {
			if !re.OccurredAt.Before(end) {
				t.Fatalf("%s %s occurred at %s, not before the end %s", re.Stream, re.Type, re.OccurredAt, end)
			}
			if re.OccurredAt.After(re.RecordedAt) {
				t.Fatalf("%s %s occurred at %s, after it was recorded at %s", re.Stream, re.Type, re.OccurredAt, re.RecordedAt)
			}
			last = maxTime(last, re.OccurredAt)
		}
		if last.Before(end.AddDate(0, -1, 0)) {
			t.Errorf("the last event occurred at %s, more than a month before the end", last)
		}
	})
	t.Run("another seed gives another world", func(t *testing.T) {
		a := generate(t, t.TempDir(), small(demo.Options{Seed: 8, Years: 1}))
		b := generate(t, t.TempDir(), small(demo.Options{Seed: 9, Years: 1}))
		if reflect.DeepEqual(openedAll(t, a.vault, readAll(t, a.store)), openedAll(t, b.vault, readAll(t, b.store))) {
			t.Fatal("seeds 8 and 9 gave the same events")
		}
	})
}

func TestDemoKeepsPersonalDataInTheVault(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo year")
	}
	// Under the race detector the world is the first months of a year,
	// too short for every kind of the record.
	opts := demo.Options{Seed: 3, Years: 1}
	if raceEnabled {
		opts = demo.Truncated(opts, raceMonths)
	}
	g := generate(t, t.TempDir(), opts)
	log := readAll(t, g.store)
	authors := map[string]int{}
	for _, re := range log {
		var data map[string]any
		if err := json.Unmarshal(re.Data, &data); err != nil {
			t.Fatal(err)
		}
		if a, ok := data["author"].(string); ok {
			authors[a]++
		}
		for _, leak := range []string{"subj-", "@example.gr"} {
			if strings.Contains(string(re.Data), leak) {
				t.Fatalf("%s %s carries %q: %s", re.Stream, re.Type, leak, re.Data)
			}
		}
		if _, ok := data["text"]; ok && re.Type == "consultation.comment_submitted" {
			t.Fatalf("%s carries a comment in the clear", re.Stream)
		}
	}
	if len(authors) < 1000*raceMonths/12 {
		t.Fatalf("only %d author references in the log", len(authors))
	}
	t.Run("no author reference links two acts of one person", func(t *testing.T) {
		for a, n := range authors {
			if n > 1 {
				t.Fatalf("author reference %s appears on %d events", a, n)
			}
		}
	})
	t.Run("every sealed text opens through the vault", func(t *testing.T) {
		for _, re := range log {
			opened(t, g.vault, re)
		}
	})
	t.Run("every kind of the record is generated", func(t *testing.T) {
		if raceEnabled {
			t.Skip("the race detector's world is too short for every kind")
		}
		seen := map[string]bool{}
		for _, re := range log {
			seen[re.Type] = true
		}
		for _, typ := range []string{"body.member_joined", "meeting.convened", "meeting.postponed", "consultation.comment_moderated",
			"amendment.accepted", "amendment.rejected", "vote.ballot_cast", "vote.closed", "decision.adopted", "decision.corrected",
			"decision.published", "counter.advanced", "procurement.awarded", "procurement.payment_made", "procurement.cancelled",
			"procurement.completed", "procurement.tender_amended", "procurement.contract_amended", "meeting.quorum_failed",
			"supplier.registered", "request.rejected", "request.closed", "request.reopened", "access.revoked",
			"decision.revoked", "vote.ballot_changed",
			// The record as a Greek municipality keeps it (issue 17).
			"minutes.drafted", "minutes.corrected", "minutes.approved", "meeting.conflict_declared", "meeting.member_stepped_out",
			"meeting.absence_justified", "decision.reissued", "protocol.registered", "consultation.closed", "consultation.reopened"} {
			if !seen[typ] {
				t.Errorf("no %s event in a demo year", typ)
			}
		}
	})
	t.Run("each office decides in its own register, the committee under its delegated powers", func(t *testing.T) {
		if raceEnabled {
			t.Skip("the race detector's world is too short for every office")
		}
		kinds := map[events.BodyKind]string{}
		bodyKinds := map[string]events.BodyKind{}
		registers := map[string]bool{}
		withdrawn := map[string]bool{}
		closedOnWithdrawal := 0
		for _, re := range log {
			p, err := events.Decode(re)
			if err != nil {
				t.Fatal(err)
			}
			switch e := p.(type) {
			case events.BodyRegistered:
				bodyKinds[e.BodyID] = e.Kind
			case events.DecisionAdopted:
				switch {
				case e.Exception != nil:
					registers[e.Exception.Kind+" "+e.Exception.Office] = true
				case e.VoteID != "":
					kinds[bodyKinds[e.BodyID]] = e.Ref()
				}
			case events.MeetingItemWithdrawn:
				withdrawn[e.ItemID] = true
			case events.ConsultationClosed:
				if _, item, _ := strings.Cut(re.Stream, "-"); withdrawn[item] {
					closedOnWithdrawal++
				}
			}
		}
		if kinds[events.BodyCommittee] == "" || kinds[events.BodyCouncil] == "" {
			t.Errorf("decisions by vote per kind of body: %v; want the council's and the committee's", kinds)
		}
		if !registers[events.ExceptionMayorDecision+" "] || len(registers) < 3 {
			t.Errorf("the offices' registers: %v; want the mayor's and two deputy mayors'", registers)
		}
		if closedOnWithdrawal == 0 {
			t.Error("no consultation closed by its item's withdrawal")
		}
	})
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestSeveralYearsRunForEverySeed generates worlds of several years, where
// each year's sittings depend on the term changes at its start: with years
// run side by side, seed 1 convened a sitting before its new member joined.
func TestSeveralYearsRunForEverySeed(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("generates three worlds of three years (about 30 s); skipped with -short and under the race detector")
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			g := generate(t, t.TempDir(), demo.Options{Seed: seed, Years: 3})
			if g.stats.Years != 3 || g.stats.Events < 3*demo.EventsPerYear/2 {
				t.Fatalf("three years gave %+v", g.stats)
			}
		})
	}
}

// opened returns the data of re with its sealed texts opened through v and
// its author reference removed; other events' data unchanged.
func opened(t testing.TB, v *vault.Vault, re events.RecordedEvent) json.RawMessage {
	t.Helper()
	if re.Type != "consultation.comment_submitted" && re.Type != "request.submitted" {
		return re.Data
	}
	p, err := events.Decode(re)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out any
	switch e := p.(type) {
	case events.ConsultationCommentSubmitted:
		_, item, _ := strings.Cut(re.Stream, "-")
		text, err := v.Open(ctx, e.Author, events.CommentEntity(item, e.CommentID), e.Text)
		if err != nil {
			t.Fatalf("%s: open comment %s: %v", re.Stream, e.CommentID, err)
		}
		e.Author, e.Text, e.LegacyText = "", nil, text
		out = e
	case events.RequestSubmitted:
		text, err := v.Open(ctx, e.Author, events.RequestEntity(e.RequestID), e.Subject)
		if err != nil {
			t.Fatalf("%s: open request: %v", re.Stream, err)
		}
		var description string
		if len(e.Description) > 0 {
			if description, err = v.Open(ctx, e.Author, events.RequestEntity(e.RequestID), e.Description); err != nil {
				t.Fatalf("%s: open request description: %v", re.Stream, err)
			}
		}
		e.Author, e.Subject, e.LegacySubject, e.Description = "", nil, text, nil
		out = struct {
			events.RequestSubmitted
			OpenedDescription string `json:"opened_description,omitempty"`
		}{e, description}
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
