package demo_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
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
	stats, err := demo.Generate(ctx, events.NewService(st, events.ServiceOptions{}), v, opts)
	if err != nil {
		t.Fatal(err)
	}
	return generated{store: st, vault: v, stats: stats}
}

func TestGenerateOneYear(t *testing.T) {
	start := time.Now()
	g := generate(t, t.TempDir(), demo.Options{Seed: 1, Years: 1})
	t.Logf("%+v in %v", g.stats, time.Since(start))
}
