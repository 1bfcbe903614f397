package demo_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
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
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{Now: func() time.Time { return importedAt }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key := make([]byte, vault.MasterKeySize)
	v, err := vault.Open(ctx, filepath.Join(dir, "vault.db"), vault.Options{MasterKey: key,
		Random: rand.NewChaCha8([32]byte{byte(opts.Seed)}), Now: func() time.Time { return importedAt }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	stats, err := demo.Generate(ctx, events.NewService(st, events.ServiceOptions{SoleWriter: true}), v, opts)
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

// byStream orders events by stream and version, dropping their global
// positions, which depend on how parallel chains interleave.
func byStream(evs []events.RecordedEvent) []events.RecordedEvent {
	out := slices.Clone(evs)
	for i := range out {
		out[i].Position = 0
	}
	slices.SortFunc(out, func(a, b events.RecordedEvent) int {
		if c := strings.Compare(a.Stream, b.Stream); c != 0 {
			return c
		}
		return int(a.Version - b.Version)
	})
	return out
}

func TestSameSeedSameEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo year four times")
	}
	t.Run("parallel runs write the same streams, event for event", func(t *testing.T) {
		a := generate(t, t.TempDir(), demo.Options{Seed: 7, Years: 1})
		b := generate(t, t.TempDir(), demo.Options{Seed: 7, Years: 1})
		ea, eb := byStream(readAll(t, a.store)), byStream(readAll(t, b.store))
		if len(ea) != len(eb) || len(ea) < 10_000 {
			t.Fatalf("%d and %d events", len(ea), len(eb))
		}
		for i := range ea {
			if !reflect.DeepEqual(ea[i], eb[i]) {
				t.Fatalf("event %d differs:\n%+v\n%+v", i, ea[i], eb[i])
			}
		}
	})
	t.Run("another seed gives another world", func(t *testing.T) {
		a := generate(t, t.TempDir(), demo.Options{Seed: 8, Years: 1})
		b := generate(t, t.TempDir(), demo.Options{Seed: 9, Years: 1})
		if reflect.DeepEqual(byStream(readAll(t, a.store)), byStream(readAll(t, b.store))) {
			t.Fatal("seeds 8 and 9 gave the same events")
		}
	})
}

func TestDemoKeepsPersonalDataInTheVault(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo year")
	}
	g := generate(t, t.TempDir(), demo.Options{Seed: 3, Years: 1})
	log := readAll(t, g.store)
	var refs int
	for _, re := range log {
		var data map[string]any
		if err := json.Unmarshal(re.Data, &data); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"subject_ref", "requester"} {
			ref, ok := data[k].(string)
			if !ok {
				continue
			}
			refs++
			p, err := g.vault.Get(context.Background(), events.SubjectRef(ref))
			if err != nil {
				t.Fatalf("%s of %s: %v", k, re.Stream, err)
			}
			if strings.Contains(string(re.Data), p.Email) || strings.Contains(string(re.Data), p.Name) {
				t.Fatalf("%s carries personal data of its subject", re.Stream)
			}
		}
		if strings.Contains(string(re.Data), "@example.gr") {
			t.Fatalf("%s carries an e-mail address", re.Stream)
		}
	}
	if refs < 1000 {
		t.Fatalf("only %d subject references in the log", refs)
	}
	t.Run("every kind of the record is generated", func(t *testing.T) {
		seen := map[string]bool{}
		for _, re := range log {
			seen[re.Type] = true
		}
		for _, typ := range []string{"body.member_joined", "meeting.convened", "meeting.postponed", "consultation.comment_moderated",
			"amendment.accepted", "amendment.rejected", "vote.ballot_cast", "vote.closed", "decision.adopted", "decision.corrected",
			"decision.published", "counter.advanced", "procurement.awarded", "procurement.payment_made", "procurement.cancelled",
			"procurement.completed", "supplier.registered", "request.rejected", "request.closed", "request.reopened", "access.revoked"} {
			if !seen[typ] {
				t.Errorf("no %s event in a demo year", typ)
			}
		}
	})
}
