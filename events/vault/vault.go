// Package vault is the embedded personal-data vault: citizens' names,
// contacts and display names in their own SQLite file, apart from the
// public log, which refers to them only by events.SubjectRef.
//
// Each person's record is sealed with AES-256-GCM under a key of its own,
// drawn at random; that key is stored wrapped (sealed) by a master key the
// operator keeps outside the file, in configuration. Forgetting a person
// deletes their key and their record in one transaction: without the key
// no backup of the file can reveal them again (crypto-shredding), and
// SQLite's secure_delete overwrites the freed pages so the ciphertext is
// gone from the file too. A tombstone keeps the reference, so the vault
// can tell "forgotten" from "never existed".
package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// MasterKeySize is the size of the master key: AES-256.
const MasterKeySize = 32

// Options configure a vault.
type Options struct {
	// MasterKey wraps every person's key; MasterKeySize bytes, required.
	// Losing it loses every record; opening a vault with another key
	// fails.
	MasterKey []byte
	// Now is the clock of forget times; time.Now when nil.
	Now func() time.Time
	// Random draws references, keys and nonces; crypto/rand when nil.
	Random io.Reader
}

// Vault is the embedded vault. It is safe for concurrent use.
type Vault struct {
	db     *sql.DB
	master cipher.AEAD
	now    func() time.Time
	random io.Reader
	mu     sync.Mutex // guards random, which need not be safe for concurrent use
}

var _ events.Vault = (*Vault)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS vault_meta (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS subjects (
	ref          TEXT PRIMARY KEY,
	forgotten_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS subject_keys (
	ref     TEXT PRIMARY KEY REFERENCES subjects(ref),
	wrapped BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS subject_records (
	ref    TEXT PRIMARY KEY REFERENCES subjects(ref),
	sealed BLOB NOT NULL
) STRICT;
`

// keyCheck is sealed with the master key when a vault is created, so that
// opening it with another key fails at once rather than at the first Get.
const keyCheck = "pnyx vault master key check"

// Open opens or creates the vault file at path.
func Open(ctx context.Context, path string, opts Options) (*Vault, error) {
	if len(opts.MasterKey) != MasterKeySize {
		return nil, events.Invalidf("vault master key is %d bytes; want %d", len(opts.MasterKey), MasterKeySize)
	}
	master, err := newAEAD(opts.MasterKey)
	if err != nil {
		return nil, err
	}
	v := &Vault{master: master, now: opts.Now, random: opts.Random}
	if v.now == nil {
		v.now = time.Now
	}
	if v.random == nil {
		v.random = rand.Reader
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(DELETE)&_pragma=synchronous(FULL)" +
		"&_pragma=secure_delete(ON)&_pragma=foreign_keys(ON)"
	if v.db, err = sql.Open("sqlite", dsn); err != nil {
		return nil, fmt.Errorf("open vault %s: %w", path, err)
	}
	v.db.SetMaxOpenConns(1) // one writer; the vault's load is small
	if _, err := v.db.ExecContext(ctx, schema); err != nil {
		v.db.Close()
		return nil, fmt.Errorf("create vault schema: %w", err)
	}
	if err := v.checkMasterKey(ctx); err != nil {
		v.db.Close()
		return nil, err
	}
	return v, nil
}

func (v *Vault) checkMasterKey(ctx context.Context) error {
	var sealed []byte
	err := v.db.QueryRowContext(ctx, `SELECT value FROM vault_meta WHERE name = 'key_check'`).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		if sealed, err = v.seal(v.master, []byte(keyCheck), "key check"); err != nil {
			return err
		}
		_, err = v.db.ExecContext(ctx, `INSERT INTO vault_meta (name, value) VALUES ('key_check', ?)`, sealed)
		return err
	}
	if err != nil {
		return fmt.Errorf("read vault key check: %w", err)
	}
	if plain, err := open(v.master, sealed, "key check"); err != nil || string(plain) != keyCheck {
		return &events.Error{Code: events.CodeInvalid, Message: "the vault's master key does not open this vault"}
	}
	return nil
}

// Close closes the file. Later calls return events.ErrUnavailable.
func (v *Vault) Close() error { return v.db.Close() }

// Put seals p under a new key and returns its new reference.
func (v *Vault) Put(ctx context.Context, p events.Person) (events.SubjectRef, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	v.mu.Lock()
	ref, err := events.NewSubjectRef(v.random)
	key := make([]byte, 32)
	if err == nil {
		_, err = io.ReadFull(v.random, key)
	}
	v.mu.Unlock()
	if err != nil {
		return "", &events.Error{Code: events.CodeInternal, Message: "draw vault key", Err: err}
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	personal, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	sealed, err := v.seal(personal, plain, "record "+string(ref))
	if err != nil {
		return "", err
	}
	wrapped, err := v.seal(v.master, key, "key "+string(ref))
	if err != nil {
		return "", err
	}
	clear(key)
	err = v.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subjects (ref) VALUES (?)`, string(ref)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_keys (ref, wrapped) VALUES (?, ?)`, string(ref), wrapped); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO subject_records (ref, sealed) VALUES (?, ?)`, string(ref), sealed)
		return err
	})
	if err != nil {
		return "", v.storeError("put", err)
	}
	return ref, nil
}

// Get unseals the person under ref.
func (v *Vault) Get(ctx context.Context, ref events.SubjectRef) (events.Person, error) {
	if err := ref.Validate(); err != nil {
		return events.Person{}, err
	}
	var (
		forgotten       sql.NullString
		wrapped, sealed []byte
	)
	err := v.db.QueryRowContext(ctx, `
		SELECT s.forgotten_at, k.wrapped, r.sealed FROM subjects s
		LEFT JOIN subject_keys k ON k.ref = s.ref
		LEFT JOIN subject_records r ON r.ref = s.ref
		WHERE s.ref = ?`, string(ref)).Scan(&forgotten, &wrapped, &sealed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return events.Person{}, notFound(ref)
	case err != nil:
		return events.Person{}, v.storeError("get", err)
	case forgotten.Valid:
		return events.Person{}, forgottenError(ref)
	}
	key, err := open(v.master, wrapped, "key "+string(ref))
	if err != nil {
		return events.Person{}, &events.Error{Code: events.CodeInternal, Message: "unwrap the key of " + string(ref), Err: err}
	}
	defer clear(key)
	personal, err := newAEAD(key)
	if err != nil {
		return events.Person{}, err
	}
	plain, err := open(personal, sealed, "record "+string(ref))
	if err != nil {
		return events.Person{}, &events.Error{Code: events.CodeInternal, Message: "open the record of " + string(ref), Err: err}
	}
	var p events.Person
	if err := json.Unmarshal(plain, &p); err != nil {
		return events.Person{}, &events.Error{Code: events.CodeInternal, Message: "decode the record of " + string(ref), Err: err}
	}
	return p, nil
}

// Forget deletes the key and record under ref and keeps a tombstone.
func (v *Vault) Forget(ctx context.Context, ref events.SubjectRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	err := v.inTx(ctx, func(tx *sql.Tx) error {
		var forgotten sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT forgotten_at FROM subjects WHERE ref = ?`, string(ref)).Scan(&forgotten)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return notFound(ref)
		case err != nil:
			return err
		case forgotten.Valid:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subject_keys WHERE ref = ?`, string(ref)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subject_records WHERE ref = ?`, string(ref)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE subjects SET forgotten_at = ? WHERE ref = ?`,
			v.now().UTC().Format(time.RFC3339Nano), string(ref))
		return err
	})
	if err != nil {
		return v.storeError("forget", err)
	}
	return nil
}

func (v *Vault) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := v.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// storeError keeps domain errors and the context's, and marks the rest as
// the vault being unavailable (closed) or internal.
func (v *Vault) storeError(op string, err error) error {
	var de *events.Error
	switch {
	case errors.As(err, &de), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, sql.ErrConnDone) || err.Error() == "sql: database is closed":
		return &events.Error{Code: events.CodeUnavailable, Message: "vault is closed", Err: events.ErrUnavailable}
	}
	return &events.Error{Code: events.CodeInternal, Message: "vault " + op, Err: err}
}

func notFound(ref events.SubjectRef) error {
	return &events.Error{Code: events.CodeNotFound, Message: "no person under " + string(ref), Err: events.ErrSubjectNotFound}
}

func forgottenError(ref events.SubjectRef) error {
	return &events.Error{Code: events.CodeNotFound, Message: "the person under " + string(ref) + " asked to be forgotten", Err: events.ErrForgotten}
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, &events.Error{Code: events.CodeInternal, Message: "vault cipher", Err: err}
	}
	return cipher.NewGCM(block)
}

// seal returns nonce||ciphertext; what binds the ciphertext to its place
// (as additional data), so a record cannot be moved under another ref.
func (v *Vault) seal(a cipher.AEAD, plain []byte, what string) ([]byte, error) {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	v.mu.Lock()
	_, err := io.ReadFull(v.random, nonce)
	v.mu.Unlock()
	if err != nil {
		return nil, &events.Error{Code: events.CodeInternal, Message: "draw vault nonce", Err: err}
	}
	return a.Seal(nonce, nonce, plain, []byte("pnyx vault "+what)), nil
}

func open(a cipher.AEAD, sealed []byte, what string) ([]byte, error) {
	if len(sealed) < a.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	return a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte("pnyx vault "+what))
}
