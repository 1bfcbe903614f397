package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestImport(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PNYX_TOKEN", "")
	ctx := context.Background()
	dir := t.TempDir()
	secret := adminToken(t, dir)
	ocdsDir := filepath.Join("..", "..", "importer", "ocds", "testdata")
	t.Run("a dry run reports and writes nothing", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "ocds", ocdsDir, "--dry-run", "--report", filepath.Join(dir, "dry.json"))
		if r.err != nil || !strings.Contains(r.stdout, "would import 6") {
			t.Fatalf("%v\n%s", r.err, r.stdout)
		}
		var rep struct {
			DryRun   bool `json:"dry_run"`
			Imported int  `json:"imported"`
			Refusals []struct {
				SourceID string `json:"source_id"`
				Reason   string `json:"reason"`
			} `json:"refusals"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "dry.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &rep); err != nil || !rep.DryRun || rep.Imported != 6 || len(rep.Refusals) == 0 || rep.Refusals[0].Reason == "" {
			t.Fatalf("report %s: %v", b, err)
		}
	})
	// The import after the dry run writes every process: the dry run wrote none.
	t.Run("an import, then the same import again, writes once", func(t *testing.T) {
		r := pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "ocds", ocdsDir)
		if r.err != nil || !strings.Contains(r.stdout, "imported 6, 0 unchanged") {
			t.Fatalf("%v\n%s", r.err, r.stdout)
		}
		r = pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "ocds", ocdsDir)
		if r.err != nil || !strings.Contains(r.stdout, "imported 0, 6 unchanged") {
			t.Fatalf("%v\n%s", r.err, r.stdout)
		}
	})
	t.Run("a decision register from standard input", func(t *testing.T) {
		f, err := os.Open(filepath.Join("..", "..", "importer", "decisions", "testdata", "register.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := pnyxWithInput(t, ctx, nil, f, "--data-dir", dir, "--token", secret, "import", "decisions", "-")
		if r.err != nil || !strings.Contains(r.stdout, "diavgeia: 15 records read; imported 5") {
			t.Fatalf("%v\n%s", r.err, r.stdout)
		}
	})
	for _, c := range []struct {
		name string
		args []string
	}{
		{"an unknown format is refused", []string{"import", "csv", "."}},
		{"a missing file is refused", []string{"import", "ocds", filepath.Join(dir, "nothing.json")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := pnyx(t, ctx, nil, append([]string{"--data-dir", dir, "--token", secret}, c.args...)...)
			if events.ErrorCode(r.err) != events.CodeInvalid {
				t.Fatalf("%v", r.err)
			}
		})
	}
	t.Run("an import without a token, or with an unknown one, is unauthenticated and writes nothing", func(t *testing.T) {
		for _, args := range [][]string{
			{"--data-dir", dir, "import", "ocds", ocdsDir},
			{"--data-dir", dir, "--token", "pnyx.nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "import", "ocds", ocdsDir},
		} {
			if r := pnyx(t, ctx, nil, args...); events.ErrorCode(r.err) != events.CodeUnauthenticated {
				t.Fatalf("%v: %v", args, r.err)
			}
		}
	})
}
