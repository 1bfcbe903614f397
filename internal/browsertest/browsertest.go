// Package browsertest runs a page's checks in headless Chromium, for the
// tests of the pages Pnyx serves: a Node script (playwright-core and
// axe-core, pinned in the repository's package-lock.json) drives the
// browser and exits non-zero on the first failed check. A test without
// Chromium, Node or the Node packages skips, saying why, and fails instead
// when PNYX_REQUIRE_BROWSER=1, as CI sets. Nothing but tests may use it.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Browser is what a browser test needs, found by Require.
type Browser struct {
	chromium, node string
}

// Require finds Chromium ($PNYX_CHROMIUM or /usr/bin/chromium), node and
// the installed Node packages, or skips the test, saying what is missing
// (fails instead under PNYX_REQUIRE_BROWSER=1). Call it before building
// what the page needs, so that a skip costs nothing.
func Require(t testing.TB) Browser {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("PNYX_REQUIRE_BROWSER") == "1" {
			t.Fatalf("PNYX_REQUIRE_BROWSER=1 but %s", why)
		}
		t.Skip("skipped: " + why)
	}
	b := Browser{chromium: os.Getenv("PNYX_CHROMIUM")}
	if b.chromium == "" {
		b.chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(b.chromium); err != nil {
		missing("no Chromium at " + b.chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node on PATH")
	}
	b.node = node
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		missing("the Node packages are not installed (run npm ci at the repository's root)")
	}
	return b
}

// Run runs script (a path from the test's package folder) with the
// server's base URL and the path of a screenshot, saved as name.png in the
// artifact folder ($PNYX_ARTIFACT_DIR, or pnyx-artifacts in the temporary
// folder). The test fails when the script fails or saves no screenshot;
// the script's output goes to the test's log.
func (b Browser) Run(t testing.TB, script, baseURL, name string) {
	t.Helper()
	dir := os.Getenv("PNYX_ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "pnyx-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, name+".png")
	if err := os.Remove(shot); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, script, baseURL, shot)
	cmd.Env = append(os.Environ(), "PNYX_CHROMIUM="+b.chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the browser checks failed: %v", err)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
	t.Logf("screenshot saved as %s", shot)
}

// repositoryRoot is the nearest folder above the working directory (a
// test's package folder) that holds go.mod.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", os.ErrNotExist
		}
		dir = up
	}
}
