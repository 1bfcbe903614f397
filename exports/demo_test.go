package exports_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events/demo"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// demoWorld is one year of the demo municipality in a real event store,
// with its read model built: made once for the package's tests, in a
// folder removed by TestMain.
type demoWorld struct {
	store *sqlite.Store
	rm    *readmodel.ReadModel
}

var (
	demoOnce sync.Once
	demoDir  string
	demoW    *demoWorld
	demoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoW != nil {
		demoW.rm.Close()
		demoW.store.Close()
	}
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// demoRecorded is when the demo's archive was recorded.
var demoRecorded = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func demoMunicipality(t testing.TB) *demoWorld {
	t.Helper()
	if testing.Short() {
		t.Skip("generates a year of the demo municipality")
	}
	demoOnce.Do(func() { demoW, demoErr = buildDemo() })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoW
}

func buildDemo() (*demoWorld, error) {
	ctx := context.Background()
	var err error
	if demoDir, err = os.MkdirTemp("", "pnyx-exports-demo-"); err != nil {
		return nil, err
	}
	store, err := sqlite.Open(ctx, filepath.Join(demoDir, "events.db"), sqlite.Options{Now: func() time.Time { return demoRecorded }})
	if err != nil {
		return nil, err
	}
	v, err := vault.Open(ctx, filepath.Join(demoDir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(demoDir, "vault-keys.db"), Now: func() time.Time { return demoRecorded }})
	if err != nil {
		return nil, err
	}
	defer v.Close()
	if _, err := demo.Generate(ctx, store, v, demo.Options{Seed: 7, Years: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		return nil, err
	}
	path := filepath.Join(demoDir, "readmodel.db")
	db, err := projections.OpenReadModel(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r, err := projections.NewRunner(db, store, []projections.Projection{readmodel.NewReadModelProjection(v)}, projections.Options{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	head, err := store.Head(ctx)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	err = r.WaitFor(ctx, head)
	cancel()
	<-done
	if err != nil {
		return nil, err
	}
	rm, err := readmodel.OpenReadModelQueries(ctx, path, store)
	if err != nil {
		return nil, err
	}
	return &demoWorld{store: store, rm: rm}, nil
}
