package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// The crash child is this test binary re-executed with these variables set.
const (
	crashDBEnv   = "PNYX_CRASH_DB"
	crashAckEnv  = "PNYX_CRASH_ACKS"
	crashWriters = 32
)

// TestCrashDurability kills a process that is appending with SIGKILL at
// random moments and checks, after each kill, that every append the process
// saw acknowledged is in the file, intact, and that positions stay 1..head
// without a gap.
func TestCrashDurability(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	dir := t.TempDir()
	db, acks := filepath.Join(dir, "events.db"), filepath.Join(dir, "acks")

	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDBEnv+"="+db, crashAckEnv+"="+acks)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child prints "appending" once its first append is acknowledged.
		lines := bufio.NewScanner(out)
		for lines.Scan() && lines.Text() != "appending" {
		}
		time.Sleep(time.Duration(rng.Int64N(int64(150 * time.Millisecond)))) // the random moment to kill
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		n := verifyAfterCrash(t, db, acks)
		t.Logf("round %d: %d acknowledged events all present", round, n)
		if n == 0 {
			t.Fatalf("round %d: the child acknowledged nothing; the test proves nothing", round)
		}
	}
}

// verifyAfterCrash reopens the store and checks it against the acks file.
// It returns the number of acknowledged events.
func verifyAfterCrash(t *testing.T, db, acks string) int {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()

	byID := map[uuid.UUID]events.RecordedEvent{}
	next := map[string]int64{}
	var after events.Position
	for {
		page, err := s.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			if ev.Position != after+1 {
				t.Fatalf("position %d follows %d: a gap", ev.Position, after)
			}
			if ev.Version != next[ev.Stream] {
				t.Fatalf("%s: version %d where %d was due", ev.Stream, ev.Version, next[ev.Stream])
			}
			next[ev.Stream]++
			after = ev.Position
			byID[ev.ID] = ev
		}
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Head != after || st.Events != int64(after) || st.Streams != int64(len(next)) {
		t.Fatalf("stats %+v (%v) disagree with the %d events read in %d streams", st, err, after, len(next))
	}

	raw, err := os.ReadFile(acks)
	if err != nil {
		t.Fatal(err)
	}
	// The kill may cut the last record short: its append was not yet seen
	// acknowledged. Drop the torn tail so the next round's records start on
	// a line of their own.
	if whole := strings.LastIndexByte(string(raw), '\n') + 1; whole < len(raw) {
		raw = raw[:whole]
		if err := os.Truncate(acks, int64(whole)); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for line := range strings.Lines(string(raw)) {
		stream, idText, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		id, err := uuid.Parse(idText)
		if err != nil {
			t.Fatalf("acks file line %d is damaged: %q", n+1, line)
		}
		ev, ok := byID[id]
		if !ok {
			t.Fatalf("acknowledged event %s of %s is missing after the kill", id, stream)
		}
		if ev.Stream != stream || string(ev.Data) != string(crashData(ev.ID)) {
			t.Fatalf("acknowledged event %s is damaged: stream %s, data %s", id, ev.Stream, ev.Data)
		}
		n++
	}
	return n
}

// crashData is the payload of a crash test event, derived from its id so
// the parent can check it.
func crashData(id uuid.UUID) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"title":"Προϋπολογισμός 2026","pad":%q}`, id, strings.Repeat("α", int(id[15]))))
}

// TestCrashChild is the process TestCrashDurability kills. It appends from
// many goroutines until killed, recording each acknowledged event.
func TestCrashChild(t *testing.T) {
	db, acks := os.Getenv(crashDBEnv), os.Getenv(crashAckEnv)
	if db == "" || acks == "" {
		t.Skip("runs only as the child of TestCrashDurability")
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Each record is one write(2) of whole lines, unbuffered: once written
	// it survives the process being killed.
	ackFile, err := os.OpenFile(acks, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var once sync.Once
	for w := range crashWriters {
		go func() {
			stream := fmt.Sprintf("crash-%d", w%8)
			for i := 0; ; i++ {
				evs := make([]events.Event, 1+2*min(1, i%5/4)) // every fifth append is a batch of three
				var rec strings.Builder
				for j := range evs {
					id := events.NewEventID()
					evs[j] = events.Event{ID: id, Type: "crash.noted", Data: crashData(id)}
					fmt.Fprintf(&rec, "%s %s\n", stream, id)
				}
				if _, err := s.Append(ctx, stream, events.Any, evs...); err != nil {
					fmt.Fprintln(os.Stderr, "crash child: append:", err)
					os.Exit(3)
				}
				mu.Lock()
				_, err := ackFile.WriteString(rec.String())
				mu.Unlock()
				if err != nil {
					os.Exit(4)
				}
				once.Do(func() { fmt.Println("appending") })
			}
		}()
	}
	// The parent kills this process; if the parent is gone, stop anyway.
	time.Sleep(time.Minute)
	os.Exit(5)
}
