package readmodel_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/projections"
)

func readModelDump(t testing.TB, e *rmEnv) string {
	t.Helper()
	var b bytes.Buffer
	if err := projections.Dump(context.Background(), e.db, &b, readmodel.ReadModelName); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return b.String()
}

// -update rewrites the golden files, declared here unless another file
// of the package's tests already did.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
	return true
}()

// updateGolden reports whether the tests run with -update.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestReadModelDeterminism(t *testing.T) {
	e := newRMEnv(t)
	copies := 30
	if testing.Short() {
		copies = 5
	}
	for n := 1; n <= copies; n++ {
		e.scenario(t, n)
	}
	e.sync(t)
	first := readModelDump(t, e)

	t.Run("rebuilding from the same log twice gives identical dumps", func(t *testing.T) {
		e.startReadModel(t, "second.db")
		if second := readModelDump(t, e); second != first {
			t.Errorf("second rebuild differs:\n%s", firstDifference(first, second))
		}
	})
	t.Run("rebuilding while events are appended gives the dump of a rebuild after", func(t *testing.T) {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := copies + 1; n <= 2*copies; n++ {
				e.scenario(t, n)
			}
		}()
		e.startReadModel(t, "during.db") // starts rebuilding at once, while appends go on
		wg.Wait()
		e.sync(t)
		during := readModelDump(t, e)
		e.startReadModel(t, "after.db")
		if after := readModelDump(t, e); after != during {
			t.Errorf("rebuild during appends differs from a rebuild after:\n%s", firstDifference(after, during))
		}
		if during == first {
			t.Errorf("the appended events did not reach the read model")
		}
	})
}

// TestReadModelGolden keeps the read model of one scenario in
// testdata/readmodel_scenario.golden: a change of what the tables hold
// shows up as a reviewed diff (regenerate with -update).
func TestReadModelGolden(t *testing.T) {
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.offices(t, 1)
	e.sync(t)
	// Author references derive from each person's random secret in the
	// vault: the golden file holds their place, not their value.
	got := regexp.MustCompile(`auth-[0-9a-f]{32}`).ReplaceAllString(readModelDump(t, e), "auth-…")
	path := filepath.Join("testdata", "readmodel_scenario.golden")
	if updateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", path, err)
	}
	if got != string(want) {
		t.Errorf("read model differs from %s (run with -update and review the diff):\n%s", path, firstDifference(string(want), got))
	}
}

// firstDifference shows the first line where two dumps differ.
func firstDifference(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := range max(len(al), len(bl)) {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + strconv.Itoa(i+1) + ":\n- " + string(x) + "\n+ " + string(y)
		}
	}
	return "(equal)"
}
