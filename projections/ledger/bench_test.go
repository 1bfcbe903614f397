package ledger

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/internal/cputime"
)

// benchEvents is the size of the benchmarks' log: PNYX_LEDGER_BENCH_EVENTS,
// 100,000 when unset (docs/BENCHMARKS.md records a run at 1,000,000).
func benchEvents(b *testing.B) int {
	if s := os.Getenv("PNYX_LEDGER_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("PNYX_LEDGER_BENCH_EVENTS=%q: want an integer of at least 1000", s)
		}
		return n
	}
	return 100_000
}

var benchData = json.RawMessage(`{"decision":"123/2026","title":"Προϋπολογισμός 2026 του Δήμου","body":"council","amount":{"cents":1250000,"currency":"EUR"}}`)

// fillStore appends n events to a new embedded store in batches of 1,000
// per stream, the store's fastest way in, and returns the store and the
// time the appends took.
func fillStore(b *testing.B, n int) (*sqlite.Store, time.Duration) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "events.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	batch := make([]events.Event, 1000)
	began := time.Now()
	for i := 0; i < n; i += len(batch) {
		for j := range batch {
			batch[j] = events.Event{ID: uuid.New(), Type: "decision.adopted", Actor: events.Actor{TokenID: "tok-1", Role: "secretariat"}, Data: benchData}
		}
		if _, err := st.Append(ctx, fmt.Sprintf("decision-%d", i), events.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
	return st, time.Since(began)
}

// BenchmarkLedgerKeepsUp compares, in one run, the rate at which the
// embedded store takes batched appends with the rate at which the ledger
// follows that log from its start (reading, hashing, writing the stored
// hashes and signing a checkpoint every 10,000 events). The ledger keeps
// up when ledger/store is at least 1.
func BenchmarkLedgerKeepsUp(b *testing.B) {
	n := benchEvents(b)
	for b.Loop() {
		b.StopTimer()
		cpu := cputime.Process()
		st, appendTook := fillStore(b, n)
		storeCPU := cputime.Process() - cpu
		l := openTestLedger(b, st, Options{Every: 10_000, Now: time.Now})
		b.StartTimer()
		began, cpu := time.Now(), cputime.Process()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); l.Run(ctx, nil) }()
		if err := l.WaitFor(context.Background(), events.Position(n)); err != nil {
			b.Fatal(err)
		}
		ledgerTook, ledgerCPU := time.Since(began), cputime.Process()-cpu
		cancel()
		<-done
		storeRate, ledgerRate := float64(n)/appendTook.Seconds(), float64(n)/ledgerTook.Seconds()
		b.ReportMetric(storeRate, "store-events/s")
		b.ReportMetric(ledgerRate, "ledger-events/s")
		b.ReportMetric(ledgerRate/storeRate, "ledger/store")
		b.ReportMetric(float64(storeCPU.Microseconds())/float64(n), "store-cpu-µs/event")
		b.ReportMetric(float64(ledgerCPU.Microseconds())/float64(n), "ledger-cpu-µs/event")
	}
}

// BenchmarkVerifyRelease compares, in one run, pnyx verify's check of a
// release of n events (reading the NDJSON, canonicalising and hashing
// every leaf, recomputing the tree, checking every checkpoint) with
// sha256sum over the same file, and with Go's SHA-256 over it.
func BenchmarkVerifyRelease(b *testing.B) {
	n := benchEvents(b)
	st, _ := fillStore(b, n)
	l := openTestLedger(b, st, Options{Every: 10_000, Now: time.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx, nil) }()
	dir := b.TempDir()
	if _, err := l.WriteRelease(context.Background(), dir, events.Position(n)); err != nil {
		b.Fatal(err)
	}
	cancel()
	<-done
	rel, err := OpenRelease(dir)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, ReleaseDir, ReleaseEvents)
	fi, _ := os.Stat(file)
	sha256sum, _ := exec.LookPath("sha256sum")
	for b.Loop() {
		began, cpu := time.Now(), cputime.Process()
		rep, err := Verify(context.Background(), Audit{Events: rel.Events, Checkpoints: rel.Checkpoints, Verifiers: []note.Verifier{l.Verifier()}})
		if err != nil || rep.Events != int64(n) {
			b.Fatalf("verify: %+v, %v", rep, err)
		}
		verifyTook, verifyCPU := time.Since(began), cputime.Process()-cpu

		began = time.Now()
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, bufio.NewReaderSize(f, 1<<20)); err != nil {
			b.Fatal(err)
		}
		f.Close()
		goSHA := time.Since(began)
		b.ReportMetric(verifyTook.Seconds(), "verify-s")
		b.ReportMetric(verifyCPU.Seconds(), "verify-cpu-s")
		b.ReportMetric(goSHA.Seconds(), "go-sha256-s")
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
		if sha256sum != "" {
			began = time.Now()
			cmd := exec.Command(sha256sum, file)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("sha256sum: %v %s", err, out)
			}
			sumTook := time.Since(began)
			sumCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			b.ReportMetric(sumTook.Seconds(), "sha256sum-s")
			b.ReportMetric(sumCPU.Seconds(), "sha256sum-cpu-s")
			b.ReportMetric(verifyTook.Seconds()/sumTook.Seconds(), "verify/sha256sum")
			b.ReportMetric(verifyCPU.Seconds()/sumCPU.Seconds(), "verify/sha256sum-cpu")
		}
	}
}
