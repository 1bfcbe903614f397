package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/events/vault/vaulttest"
)

// testKey is a fixed master key for tests, never for production.
var testKey = sha256.Sum256([]byte("pnyx vault test key"))

// keysOf is the key store beside the records file path in the tests.
func keysOf(path string) string { return strings.TrimSuffix(path, ".db") + "-keys.db" }

func openAt(t testing.TB, path string) *vault.Vault {
	t.Helper()
	return openWith(t, path, keysOf(path), testKey[:])
}

func openWith(t testing.TB, path, keys string, master []byte) *vault.Vault {
	t.Helper()
	clock := func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }
	v, err := vault.Open(context.Background(), path, vault.Options{MasterKey: master, KeysPath: keys, Now: clock})
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

// fileBytes returns both files of the vault and any journal next to them.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-journal", path + "-wal", keysOf(path), keysOf(path) + "-journal", keysOf(path) + "-wal"} {
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
		before := fileBytes(t, path)
		other := sha256.Sum256([]byte("another key"))
		if _, err := vault.Open(ctx, path, vault.Options{MasterKey: other[:], KeysPath: keysOf(path)}); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Open with another key = %v, want invalid", err)
		}
		if !bytes.Equal(before, fileBytes(t, path)) {
			t.Fatal("opening with a wrong master key changed the files")
		}
	})

	t.Run("a master key of the wrong size is refused", func(t *testing.T) {
		for _, n := range []int{0, 16, 31, 33} {
			dir := t.TempDir()
			_, err := vault.Open(ctx, filepath.Join(dir, "vault.db"), vault.Options{MasterKey: make([]byte, n), KeysPath: filepath.Join(dir, "k.db")})
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Open with a %d-byte key = %v, want invalid", n, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("Open with a %d-byte key wrote %d files", n, len(entries))
			}
		}
	})

	t.Run("a key store in the records file, or none, is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		for _, keys := range []string{"", path} {
			if _, err := vault.Open(ctx, path, vault.Options{MasterKey: testKey[:], KeysPath: keys}); events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Open with key store %q = %v, want invalid", keys, err)
			}
		}
	})

	t.Run("records whose key store is lost are refused, not given a new one", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		if _, err := v.Put(ctx, eleni); err != nil {
			t.Fatal(err)
		}
		v.Close()
		if err := os.Remove(keysOf(path)); err != nil {
			t.Fatal(err)
		}
		if _, err := vault.Open(ctx, path, vault.Options{MasterKey: testKey[:], KeysPath: keysOf(path)}); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Open without the key store = %v, want invalid", err)
		}
	})

	t.Run("a backup of the records taken before forgetting does not give the person back", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "vault.db")
		v := openAt(t, path)
		ref, err := v.Put(ctx, eleni)
		if err != nil {
			t.Fatal(err)
		}
		author, sealed, err := v.Seal(ctx, ref, events.RequestEntity("r-1"), "Αίτημα της Ελένης")
		if err != nil {
			t.Fatal(err)
		}
		backup := filepath.Join(dir, "backup.db")
		if _, err := rawDB(t, path).Exec(`VACUUM INTO ?`, backup); err != nil {
			t.Fatal(err)
		}
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		v.Close()
		// The operator restores the records from the backup, beside the
		// key store as it is now, with the right master key.
		restored := openWith(t, backup, keysOf(path), testKey[:])
		if p, err := restored.Get(ctx, ref); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get from the backup = %+v, %v; want ErrForgotten", p, err)
		}
		if txt, err := restored.Open(ctx, author, events.RequestEntity("r-1"), sealed[0]); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Open from the backup = %q, %v; want ErrForgotten", txt, err)
		}
		if raw, _ := os.ReadFile(backup); bytes.Contains(raw, []byte(author)) {
			t.Fatal("the records file links the person to their author reference")
		}
	})

	t.Run("rotating the master key rewraps every key: the new key opens the vault, the old one no longer", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		a, _ := v.Put(ctx, eleni)
		b, _ := v.Put(ctx, events.Person{DisplayName: "Νίκος"})
		author, sealed, _ := v.Seal(ctx, a, events.RequestEntity("r-1"), "κείμενο")
		if err := v.Forget(ctx, b); err != nil {
			t.Fatal(err)
		}
		next := sha256.Sum256([]byte("next master key"))
		n, err := v.RotateMaster(ctx, next[:])
		if err != nil || n != 1 {
			t.Fatalf("RotateMaster = %d, %v; want 1 key rewrapped", n, err)
		}
		if got, err := v.Get(ctx, a); err != nil || got != eleni {
			t.Fatalf("Get after rotation = %+v, %v", got, err)
		}
		v.Close()
		if _, err := vault.Open(ctx, path, vault.Options{MasterKey: testKey[:], KeysPath: keysOf(path)}); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Open with the old key = %v, want invalid", err)
		}
		w := openWith(t, path, keysOf(path), next[:])
		if got, err := w.Open(ctx, author, events.RequestEntity("r-1"), sealed[0]); err != nil || got != "κείμενο" {
			t.Fatalf("Open after rotation = %q, %v", got, err)
		}
		if _, err := w.Get(ctx, b); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("the forgotten person after rotation: %v", err)
		}
	})

	t.Run("a new master key of the wrong size is refused and nothing changes", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		ref, _ := v.Put(ctx, eleni)
		before := fileBytes(t, path)
		if _, err := v.RotateMaster(ctx, []byte("short")); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("RotateMaster = %v, want invalid", err)
		}
		if !bytes.Equal(before, fileBytes(t, path)) {
			t.Fatal("a refused rotation changed the files")
		}
		if _, err := v.Get(ctx, ref); err != nil {
			t.Fatal(err)
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
		if _, err := rawDB(t, keysOf(path)).Exec(`UPDATE subject_keys SET wrapped = ? WHERE ref = ?`, wrappedA, string(b)); err != nil {
			t.Fatal(err)
		}
		if p, err := v.Get(ctx, b); events.ErrorCode(err) != events.CodeInternal {
			t.Fatalf("Get of a swapped record = %+v, %v; want an internal error", p, err)
		}
	})

	t.Run("an author lost from the index (a power cut) is found again among the keys", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		v := openAt(t, path)
		ref, _ := v.Put(ctx, eleni)
		if _, err := v.Put(ctx, events.Person{DisplayName: "Νίκος"}); err != nil {
			t.Fatal(err)
		}
		author, sealed, _ := v.Seal(ctx, ref, events.RequestEntity("r-1"), "κείμενο")
		if _, err := rawDB(t, keysOf(path)).Exec(`DELETE FROM authors`); err != nil {
			t.Fatal(err)
		}
		if got, err := v.Open(ctx, author, events.RequestEntity("r-1"), sealed[0]); err != nil || got != "κείμενο" {
			t.Fatalf("Open = %q, %v", got, err)
		}
		if mine, err := v.Authored(ctx, ref); err != nil || len(mine) != 1 {
			t.Fatalf("Authored after the scan = %+v, %v; want the entity indexed again", mine, err)
		}
	})

	t.Run("a person forgotten by another process is forgotten here at once, whatever this vault keeps in memory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vault.db")
		serving := openAt(t, path)
		ref, _ := serving.Put(ctx, eleni)
		author, sealed, _ := serving.Seal(ctx, ref, events.RequestEntity("r-1"), "κείμενο")
		if got, err := serving.Open(ctx, author, events.RequestEntity("r-1"), sealed[0]); err != nil || got != "κείμενο" {
			t.Fatalf("Open = %q, %v", got, err)
		}
		if err := openAt(t, path).Forget(ctx, ref); err != nil { // pnyx forget
			t.Fatal(err)
		}
		if f, err := serving.Forgotten(ctx, author); err != nil || !f {
			t.Fatalf("Forgotten = %v, %v", f, err)
		}
		if got, err := serving.Open(ctx, author, events.RequestEntity("r-1"), sealed[0]); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Open after another process forgot = %q, %v", got, err)
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
	if err := db.QueryRow(`SELECT sealed FROM subject_records WHERE ref = ?`, string(ref)).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if err := rawDB(t, keysOf(path)).QueryRow(`SELECT wrapped FROM subject_keys WHERE ref = ?`, string(ref)).Scan(&wrapped); err != nil {
		t.Fatal(err)
	}
	return sealed, wrapped
}
