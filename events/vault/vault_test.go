package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/events/vault/vaulttest"
)

// testKey is a fixed master key for tests, never for production.
var testKey = sha256.Sum256([]byte("pnyx vault test key"))

func openAt(t *testing.T, path string) *vault.Vault {
	t.Helper()
	clock := func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }
	v, err := vault.Open(context.Background(), path, vault.Options{MasterKey: testKey[:], Now: clock})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func TestContract(t *testing.T) {
	vaulttest.Run(t, func(t *testing.T) events.Vault {
		return openAt(t, filepath.Join(t.TempDir(), "vault.db"))
	})
}

// fileBytes returns the vault file and any journal next to it.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-journal", path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestFile(t *testing.T) {
	ctx := context.Background()
	eleni := events.Person{Name: "Ελένη Παπαδοπούλου", Email: "eleni.papadopoulou@example.gr", Phone: "+30 210 123 4567", DisplayName: "Ελένη Π."}

	t.Run("no personal data is stored in plaintext", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		if _, err := v.Put(ctx, eleni); err != nil {
			t.Fatal(err)
		}
		raw := fileBytes(t, path)
		for _, s := range []string{eleni.Name, "Παπαδοπούλου", eleni.Email, "eleni", eleni.Phone, "123 4567", eleni.DisplayName} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("the vault file contains %q in plaintext", s)
			}
		}
	})

	t.Run("forget removes the ciphertext and the key from the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		ref, err := v.Put(ctx, eleni)
		if err != nil {
			t.Fatal(err)
		}
		sealed, wrapped := rawRow(t, path, ref)
		if raw := fileBytes(t, path); !bytes.Contains(raw, sealed) || !bytes.Contains(raw, wrapped) {
			t.Fatal("the sealed record or wrapped key is not in the file before Forget; the test looks in the wrong place")
		}
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		raw := fileBytes(t, path)
		if bytes.Contains(raw, sealed) {
			t.Error("the sealed record is still in the file after Forget")
		}
		if bytes.Contains(raw, wrapped) {
			t.Error("the wrapped key is still in the file after Forget")
		}
	})

	t.Run("records survive closing and reopening", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		ref, err := v.Put(ctx, eleni)
		if err != nil {
			t.Fatal(err)
		}
		forgotten, err := v.Put(ctx, events.Person{DisplayName: "Γιάννης"})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Forget(ctx, forgotten); err != nil {
			t.Fatal(err)
		}
		v.Close()
		v = openAt(t, path)
		if got, err := v.Get(ctx, ref); err != nil || got != eleni {
			t.Fatalf("Get after reopen = %+v, %v", got, err)
		}
		if _, err := v.Get(ctx, forgotten); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get of forgotten after reopen = %v, want ErrForgotten", err)
		}
	})

	t.Run("another master key does not open the vault", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		openAt(t, path).Close()
		other := sha256.Sum256([]byte("another key"))
		if _, err := vault.Open(ctx, path, vault.Options{MasterKey: other[:]}); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Open with another key = %v, want invalid", err)
		}
	})

	t.Run("a master key of the wrong size is refused", func(t *testing.T) {
		for _, n := range []int{0, 16, 31, 33} {
			_, err := vault.Open(ctx, filepath.Join(t.TempDir(), "vault.db"), vault.Options{MasterKey: make([]byte, n)})
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Open with a %d-byte key = %v, want invalid", n, err)
			}
		}
	})

	t.Run("a record moved under another reference does not open", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		a, _ := v.Put(ctx, eleni)
		b, _ := v.Put(ctx, events.Person{DisplayName: "Νίκος"})
		sealedA, wrappedA := rawRow(t, path, a)
		db := rawDB(t, path)
		if _, err := db.Exec(`UPDATE subject_records SET sealed = ? WHERE ref = ?`, sealedA, string(b)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE subject_keys SET wrapped = ? WHERE ref = ?`, wrappedA, string(b)); err != nil {
			t.Fatal(err)
		}
		if p, err := v.Get(ctx, b); events.ErrorCode(err) != events.CodeInternal {
			t.Fatalf("Get of a swapped record = %+v, %v; want an internal error", p, err)
		}
	})

	t.Run("a closed vault is unavailable", func(t *testing.T) {
		v := openAt(t, filepath.Join(t.TempDir(), "vault.db"))
		v.Close()
		if _, err := v.Put(ctx, eleni); events.ErrorCode(err) != events.CodeUnavailable {
			t.Fatalf("Put after Close = %v, want unavailable", err)
		}
	})
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rawRow(t *testing.T, path string, ref events.SubjectRef) (sealed, wrapped []byte) {
	t.Helper()
	db := rawDB(t, path)
	err := db.QueryRow(`SELECT r.sealed, k.wrapped FROM subject_records r JOIN subject_keys k USING (ref) WHERE ref = ?`, string(ref)).Scan(&sealed, &wrapped)
	if err != nil {
		t.Fatal(err)
	}
	return sealed, wrapped
}
