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

// TestGrantsAndImportsOnKurrentDB records, on the KurrentDB store, what
// rests on facts of other streams and so needs AppendStreams: the
// installer's first admin, an admin's grant, an OCDS import and a
// decision register (each decision takes its number), all through the
// command service.
func TestGrantsAndImportsOnKurrentDB(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PNYX_TOKEN", "")
	srv := kurrentServer(t)
	ctx := context.Background()
	run := func(args ...string) result {
		return pnyx(t, ctx, nil, append(args, "--data-dir", t.TempDir(), "--store", srv.URL())...)
	}
	var admin string
	t.Run("the installer records the first admin, and only one", func(t *testing.T) {
		r := run("token", "create", "--role", "admin", "--label", "εγκατάσταση")
		var out struct{ Secret string }
		if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil || out.Secret == "" {
			t.Fatalf("token create: %v %q\n%s", r.err, r.stdout, r.stderr)
		}
		admin = out.Secret
		evs := readLines(t, run("events", "read", "--stream", events.AccessStream(tokenIDOf(admin))).stdout)
		if len(evs) != 1 || evs[0].Type != "access.granted" || evs[0].Actor != events.InstallerActor {
			t.Fatalf("the admin's stream holds %+v", evs)
		}
		if r := run("token", "create", "--role", "admin"); events.ErrorCode(r.err) != events.CodeForbidden {
			t.Fatalf("a second installer's admin: %v; want forbidden", r.err)
		}
	})
	if admin == "" {
		t.FailNow()
	}
	t.Run("an admin grants a clerk", func(t *testing.T) {
		r := run("token", "create", "--role", "clerk", "--label", "Γραμματεία", "--token", admin)
		var out tokenOutput
		if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil || out.GrantedBy != tokenIDOf(admin) {
			t.Fatalf("token create: %v %q\n%s", r.err, r.stdout, r.stderr)
		}
		r = run("token", "list", "--token", admin)
		if r.err != nil || strings.Count(r.stdout, `"in_force"`) != 2 {
			t.Fatalf("token list: %v\n%s", r.err, r.stdout)
		}
	})
	t.Run("an OCDS import writes every process once", func(t *testing.T) {
		dir := filepath.Join("..", "..", "importer", "ocds", "testdata")
		if r := run("--token", admin, "import", "ocds", dir); r.err != nil || !strings.Contains(r.stdout, "imported 6, 0 unchanged") {
			t.Fatalf("%v\n%s\n%s", r.err, r.stdout, r.stderr)
		}
		if r := run("--token", admin, "import", "ocds", dir); r.err != nil || !strings.Contains(r.stdout, "imported 0, 6 unchanged") {
			t.Fatalf("again: %v\n%s", r.err, r.stdout)
		}
	})
	t.Run("a decision register adopts its decisions with their numbers", func(t *testing.T) {
		f, err := os.Open(filepath.Join("..", "..", "importer", "decisions", "testdata", "register.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := pnyxWithInput(t, ctx, nil, f, "--data-dir", t.TempDir(), "--store", srv.URL(), "--token", admin, "import", "decisions", "-")
		if r.err != nil || !strings.Contains(r.stdout, "imported 5") {
			t.Fatalf("%v\n%s\n%s", r.err, r.stdout, r.stderr)
		}
		types := map[string]int{}
		for _, ev := range readLines(t, run("events", "read", "--all").stdout) {
			types[ev.Type]++
		}
		// Four decisions, each with its number taken from the counter in
		// the same step, one correction and one revocation.
		if types["decision.adopted"] != 4 || types["counter.advanced"] != 4 || types["decision.corrected"] != 1 || types["decision.revoked"] != 1 {
			t.Fatalf("the log holds %v", types)
		}
	})
}
