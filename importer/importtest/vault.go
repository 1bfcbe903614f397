package importtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events/vault"
)

// Vault opens a real vault in t's directory under a master key of zeros,
// closed at the end of the test: where an import puts requesters.
func Vault(t testing.TB) *vault.Vault {
	t.Helper()
	dir := t.TempDir()
	v, err := vault.Open(context.Background(), filepath.Join(dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(dir, "vault-keys.db"), Now: Clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}
