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
		for _, phase := range []string{"spill items", "sort the spill", "import records"} {
			if !strings.Contains(r.stderr, phase) {
				t.Errorf("no progress of %q in the log:\n%s", phase, r.stderr)
			}
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

func TestImportOpen311(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PNYX_TOKEN", "")
	ctx := context.Background()
	dir := t.TempDir()
	secret := adminToken(t, dir)
	testdata := filepath.Join("..", "..", "importer", "open311", "testdata")
	args := []string{"--data-dir", dir, "--token", secret, "--log-level", "debug", "import", "open311", filepath.Join(testdata, "requests.json"),
		"--mapping", filepath.Join(testdata, "mapping.json"), "--report", filepath.Join(dir, "report.json")}
	t.Run("without the vault's master key the import writes nothing", func(t *testing.T) {
		if r := pnyx(t, ctx, nil, args...); events.ErrorCode(r.err) != events.CodeInvalid || !strings.Contains(r.err.Error(), "master key") {
			t.Fatalf("%v", r.err)
		}
	})
	t.Setenv("PNYX_VAULT_MASTER_KEY", strings.Repeat("ab", 32))
	var out strings.Builder
	t.Run("an import, then the same import again, writes once", func(t *testing.T) {
		r := pnyx(t, ctx, nil, args...)
		if r.err != nil || !strings.Contains(r.stdout, "open311: 17 records read; imported 6, 1 unchanged, 10 refused") {
			t.Fatalf("%v\n%s\n%s", r.err, r.stdout, r.stderr)
		}
		out.WriteString(r.stdout + r.stderr)
		r = pnyx(t, ctx, nil, args...)
		if r.err != nil || !strings.Contains(r.stdout, "imported 0, 7 unchanged") {
			t.Fatalf("%v\n%s", r.err, r.stdout)
		}
		out.WriteString(r.stdout + r.stderr)
	})
	t.Run("no personal field reaches the output, the log or the report", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		for _, p := range []string{"maria.papadopoulou", "Παπαδοπούλου", "694 123 4567", "dev-8c1f2a", "acc-77", "Νικολάου", "not-an-address"} {
			if strings.Contains(out.String(), p) {
				t.Errorf("%q reached the output", p)
			}
		}
	})
	t.Run("a bad mapping file is refused", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(`{"services": {"x": "y"}}`), 0o600)
		r := pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "open311", filepath.Join(testdata, "requests.json"), "--mapping", bad)
		if events.ErrorCode(r.err) != events.CodeInvalid {
			t.Fatalf("%v", r.err)
		}
	})
}

func TestImportPopoloCSV(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PNYX_TOKEN", "")
	ctx := context.Background()
	dir := t.TempDir()
	secret := adminToken(t, dir)
	csvDir := filepath.Join("..", "..", "importer", "popolo", "testdata", "csv")
	r := pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "popolo", csvDir)
	if r.err != nil || !strings.Contains(r.stdout, "popolo: 17 records read; imported 10, 0 unchanged, 7 refused") {
		t.Fatalf("%v\n%s", r.err, r.stdout)
	}
	r = pnyx(t, ctx, nil, "--data-dir", dir, "--token", secret, "import", "popolo", csvDir)
	if r.err != nil || !strings.Contains(r.stdout, "imported 0, 10 unchanged") {
		t.Fatalf("%v\n%s", r.err, r.stdout)
	}
}
