package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

// twoBodies writes a log of two registered bodies into dir.
func twoBodies(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, b := range []events.BodyRegistered{
		{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(27)},
		{BodyID: "committee", Name: "Δημοτική Επιτροπή", Kind: events.BodyCommittee, Settings: events.DefaultBodySettings(7)},
	} {
		ev, err := events.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		ev.OccurredAt = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		ev.Actor = events.Actor{TokenID: "tok-admin", Role: "admin"}
		if _, err := s.Append(ctx, events.StreamName("body", b.BodyID), events.NoStream, ev); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExportAll(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	twoBodies(t, dir)
	out := filepath.Join(dir, "release")
	r := pnyx(t, context.Background(), nil, "--data-dir", dir, "--public-url", "https://data.example.gov.gr/", "export", "--all", "--out", out)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "at position 2") {
		t.Errorf("stdout %q", r.stdout)
	}
	var m exports.Manifest
	b, err := os.ReadFile(filepath.Join(out, exports.ManifestName))
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Position != 2 || m.Datasets[0].Name != "bodies" || m.Datasets[0].Rows != 2 {
		t.Errorf("manifest %+v", m)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "bodies.csv"))
	if !strings.Contains(string(csv), "Δημοτικό Συμβούλιο") {
		t.Errorf("bodies.csv:\n%s", csv)
	}
	cat, _ := os.ReadFile(filepath.Join(out, exports.CatalogFile))
	if !strings.Contains(string(cat), "https://data.example.gov.gr/datasets/bodies.csv") {
		t.Error("the catalog's links do not start with the public url")
	}
	t.Run("the release carries the ledger's part and verifies offline with the key", func(t *testing.T) {
		key, err := os.ReadFile(filepath.Join(dir, "ledger.key"))
		if err != nil {
			t.Fatal(err)
		}
		k, err := ledger.ParseSignerKey(strings.TrimSpace(string(key)))
		if err != nil {
			t.Fatal(err)
		}
		r := pnyx(t, context.Background(), nil, "verify", "--data-dir", t.TempDir(), "--release", out, "--key", k.VerifierKey)
		if r.err != nil || !strings.Contains(r.stdout, "verified: 2 events up to position 2") {
			t.Fatalf("%v\n%s%s", r.err, r.stdout, r.stderr)
		}
		sums, _ := os.ReadFile(filepath.Join(out, exports.SumsFile))
		if !strings.Contains(string(sums), "  ledger/checkpoint\n") || !strings.Contains(string(sums), "  ledger/events.ndjson\n") {
			t.Errorf("SHA256SUMS does not cover the ledger's files:\n%s", sums)
		}
	})
	t.Run("an incremental release since the head holds no rows", func(t *testing.T) {
		out := filepath.Join(dir, "since")
		if r := pnyx(t, context.Background(), nil, "--data-dir", dir, "export", "--all", "--out", out, "--since", "2"); r.err != nil {
			t.Fatal(r.err)
		}
		b, _ := os.ReadFile(filepath.Join(out, "bodies.csv"))
		if strings.Count(string(b), "\n") != 1 {
			t.Errorf("bodies.csv:\n%s", b)
		}
	})
	for _, c := range []struct {
		name string
		args []string
	}{
		{"without --all it is refused", []string{"export", "--out", filepath.Join(dir, "x")}},
		{"without --out it is refused", []string{"export", "--all"}},
		{"a --since past the head is refused", []string{"export", "--all", "--out", filepath.Join(dir, "y"), "--since", "9"}},
		{"an unknown licence is refused", []string{"--licence", "GPL", "export", "--all", "--out", filepath.Join(dir, "z")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := pnyx(t, context.Background(), nil, append([]string{"--data-dir", dir}, c.args...)...)
			if !errors.Is(r.err, events.ErrInvalid) || exitCode(r.err) != 2 {
				t.Errorf("err %v", r.err)
			}
		})
	}
	t.Run("a folder holding files is refused", func(t *testing.T) {
		r := pnyx(t, context.Background(), nil, "--data-dir", dir, "export", "--all", "--out", out)
		if events.ErrorCode(r.err) != events.CodeConflict {
			t.Errorf("err %v", r.err)
		}
	})
}
