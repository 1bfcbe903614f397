// Package vault is the embedded personal-data vault: citizens' names,
// contacts and display names, the keys that seal what they write, and the
// secrets that derive their author references, all apart from the public
// log, which holds only author references and sealed text.
//
// The vault is two SQLite files. The records file holds each person's
// record, sealed with AES-256-GCM under a key of that person's own. The
// key store, a file of its own with its own (short) backup retention,
// holds each person's key and link secret, wrapped by a master key the
// operator keeps apart from both files, and the index from author
// references to people. Forgetting a person deletes their key, secret,
// record and index rows in one transaction across both files: a backup of
// the records taken before cannot be opened once the key is gone, and no
// backup of the records links the person's acts together
// (crypto-shredding). secure_delete overwrites the freed pages. A
// tombstone keeps the reference, so the vault tells "forgotten" from
// "never existed". Keys, secrets and nonces always come from crypto/rand.
package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pnyx-civic/pnyx/events"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// MasterKeySize is the size of the master key: AES-256.
const MasterKeySize = 32

// personKeySize is the size of a person's key and of their link secret.
const personKeySize = 32

// Options configure a vault.
type Options struct {
	// MasterKey wraps every person's key; MasterKeySize bytes, required.
	// Losing it loses every record; opening a vault with another key
	// fails, writing nothing.
	MasterKey []byte
	// KeysPath is the key store's file, required and apart from the
	// records file.
	KeysPath string
	// Now is the clock of forget times; time.Now when nil.
	Now func() time.Time
}

// Vault is the embedded vault. It is safe for concurrent use; its
// operations run one at a time on one connection that has both files.
type Vault struct {
	mu     sync.Mutex // guards every field below
	db     *sql.DB
	conn   *sql.Conn
	master cipher.AEAD
	now    func() time.Time
	// keys and owners cache unwrapped keys and the index, so that a read
	// model rebuild does not unwrap a person's key for every text. They
	// are dropped whenever another connection (pnyx forget in another
	// process) has written to the key store since they were filled
	// (seen, SQLite's data_version), and the entries of a person this
	// vault forgets at once.
	keys   map[events.SubjectRef]personKeys
	owners map[events.AuthorRef]events.SubjectRef
	seen   int64
}

// maxCached bounds each cache; a full cache is emptied.
const maxCached = 50_000

// fresh empties the caches when another connection wrote to the key store
// since they were filled; v.mu is held.
func (v *Vault) fresh(ctx context.Context) error {
	var version int64
	if err := v.conn.QueryRowContext(ctx, `PRAGMA keys.data_version`).Scan(&version); err != nil {
		return storeError("read", err)
	}
	if version != v.seen || len(v.keys) > maxCached || len(v.owners) > maxCached {
		v.drop()
		v.seen = version
	}
	return nil
}

// drop empties the caches; v.mu is held.
func (v *Vault) drop() {
	for _, k := range v.keys {
		clear(k.key)
		clear(k.link)
	}
	v.keys, v.owners = map[events.SubjectRef]personKeys{}, map[events.AuthorRef]events.SubjectRef{}
}

var _ events.Vault = (*Vault)(nil)

const recordsSchema = `
CREATE TABLE IF NOT EXISTS main.subjects (
	ref          TEXT PRIMARY KEY,
	forgotten_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS main.subject_records (
	ref    TEXT PRIMARY KEY REFERENCES subjects(ref),
	sealed BLOB NOT NULL
) STRICT;
`

const keysSchema = `
CREATE TABLE IF NOT EXISTS keys.vault_meta (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS keys.subject_keys (
	ref     TEXT PRIMARY KEY,
	wrapped BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS keys.authors (
	author TEXT PRIMARY KEY,
	ref    TEXT NOT NULL,
	entity TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys.authors_ref ON authors (ref, entity);
CREATE TABLE IF NOT EXISTS keys.forgotten_authors (
	author TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
`

// keyCheck is sealed with the master key when a key store is created, so
// that opening it with another key fails at once rather than at the first
// Get.
const keyCheck = "pnyx vault master key check"

// Open opens or creates the vault: the records file at path and the key
// store at opts.KeysPath. It returns an invalid error, writing nothing,
// for a missing or malformed master key, for a master key that does not
// open the key store, and for a records file whose key store is missing.
func Open(ctx context.Context, path string, opts Options) (*Vault, error) {
	if len(opts.MasterKey) != MasterKeySize {
		return nil, events.Invalidf("vault master key is %d bytes; want %d", len(opts.MasterKey), MasterKeySize)
	}
	if opts.KeysPath == "" || opts.KeysPath == path {
		return nil, events.Invalidf("the vault's key store needs a file of its own, apart from the records")
	}
	master, err := newAEAD(opts.MasterKey)
	if err != nil {
		return nil, err
	}
	v := &Vault{master: master, now: opts.Now, seen: -1}
	v.drop()
	if v.now == nil {
		v.now = time.Now
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(DELETE)&_pragma=synchronous(FULL)" +
		"&_pragma=secure_delete(ON)&_pragma=foreign_keys(ON)"
	if v.db, err = sql.Open("sqlite", dsn); err != nil {
		return nil, fmt.Errorf("open vault %s: %w", path, err)
	}
	if err := v.setup(ctx, opts.KeysPath); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *Vault) setup(ctx context.Context, keysPath string) (err error) {
	if v.conn, err = v.db.Conn(ctx); err != nil {
		return fmt.Errorf("open vault: %w", err)
	}
	// Attached files share the connection's transactions: SQLite commits
	// both files atomically (in rollback-journal mode).
	if _, err := v.conn.ExecContext(ctx, `ATTACH DATABASE ? AS keys`, keysPath); err != nil {
		return fmt.Errorf("open the vault's key store %s: %w", keysPath, err)
	}
	// The key store is in WAL mode so that Seal's index rows cost no
	// fsync (synchronous NORMAL for them, FULL for every other write; see
	// Seal). Its transactions with the records are then atomic per file,
	// which the order of Put's and Forget's writes makes safe.
	for _, p := range []string{"journal_mode = WAL", "synchronous = FULL", "secure_delete = ON"} {
		if _, err := v.conn.ExecContext(ctx, "PRAGMA keys."+p); err != nil {
			return fmt.Errorf("key store: %w", err)
		}
	}
	var sealed []byte
	err = v.conn.QueryRowContext(ctx, `SELECT value FROM keys.vault_meta WHERE name = 'key_check'`).Scan(&sealed)
	switch {
	case err == nil:
		if plain, err := open(v.master, sealed, "key check"); err != nil || string(plain) != keyCheck {
			return &events.Error{Code: events.CodeInvalid, Message: "the vault's master key does not open this vault"}
		}
		_, err = v.conn.ExecContext(ctx, recordsSchema)
		return err
	case !isNoTable(err) && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("read vault key check: %w", err)
	}
	// A new key store: refuse it beside records that had one.
	var people int
	if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM main.sqlite_master WHERE name = 'subjects'`).Scan(&people); err != nil {
		return fmt.Errorf("read vault: %w", err)
	}
	if people > 0 {
		if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM main.subjects`).Scan(&people); err != nil {
			return fmt.Errorf("read vault: %w", err)
		}
	}
	if people > 0 {
		return &events.Error{Code: events.CodeInvalid, Message: "the vault's key store is missing: its records cannot be opened without it"}
	}
	if sealed, err = seal(v.master, []byte(keyCheck), "key check"); err != nil {
		return err
	}
	return v.inTx(ctx, func(tx *sql.Tx) error {
		for _, s := range []string{recordsSchema, keysSchema} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("create vault schema: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO keys.vault_meta (name, value) VALUES ('key_check', ?)`, sealed)
		return err
	})
}

func isNoTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

// Close closes both files. Later calls return an unavailable error.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.conn.Close()
	}
	return v.db.Close()
}

// Put seals p under a new key and returns its new reference.
func (v *Vault) Put(ctx context.Context, p events.Person) (events.SubjectRef, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	ref, err := events.NewSubjectRef(rand.Reader)
	if err != nil {
		return "", err
	}
	keys := make([]byte, 2*personKeySize)
	defer clear(keys)
	if _, err := rand.Read(keys); err != nil {
		return "", &events.Error{Code: events.CodeInternal, Message: "draw vault key", Err: err}
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	personal, err := newAEAD(keys[:personKeySize])
	if err != nil {
		return "", err
	}
	sealed, err := seal(personal, plain, "record "+string(ref))
	if err != nil {
		return "", err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	wrapped, err := seal(v.master, keys, "key "+string(ref))
	if err != nil {
		return "", err
	}
	err = v.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO main.subjects (ref) VALUES (?)`, string(ref)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO main.subject_records (ref, sealed) VALUES (?, ?)`, string(ref), sealed); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO keys.subject_keys (ref, wrapped) VALUES (?, ?)`, string(ref), wrapped)
		return err
	})
	if err != nil {
		return "", storeError("put", err)
	}
	return ref, nil
}

// personKeys are a person's unwrapped key and link secret.
type personKeys struct {
	key, link []byte
}

func (k personKeys) author(entity string) events.AuthorRef {
	m := hmac.New(sha256.New, k.link)
	m.Write([]byte(entity))
	return events.AuthorRef("auth-" + hex.EncodeToString(m.Sum(nil)[:16]))
}

// keysOf returns the keys of ref; v.mu is held. A person whose key is
// gone is forgotten, even when the records file (a backup taken before)
// says otherwise.
func (v *Vault) keysOf(ctx context.Context, ref events.SubjectRef) (personKeys, error) {
	if err := v.fresh(ctx); err != nil {
		return personKeys{}, err
	}
	if k, ok := v.keys[ref]; ok {
		return k, nil
	}
	var (
		forgotten sql.NullString
		wrapped   []byte
	)
	err := v.conn.QueryRowContext(ctx, `
		SELECT s.forgotten_at, k.wrapped FROM main.subjects s
		LEFT JOIN keys.subject_keys k ON k.ref = s.ref
		WHERE s.ref = ?`, string(ref)).Scan(&forgotten, &wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return personKeys{}, notFound(ref)
	case err != nil:
		return personKeys{}, storeError("get", err)
	case forgotten.Valid || wrapped == nil:
		return personKeys{}, forgottenError(ref)
	}
	keys, err := open(v.master, wrapped, "key "+string(ref))
	if err != nil || len(keys) != 2*personKeySize {
		return personKeys{}, &events.Error{Code: events.CodeInternal, Message: "unwrap the key of " + string(ref), Err: err}
	}
	k := personKeys{key: keys[:personKeySize], link: keys[personKeySize:]}
	v.keys[ref] = k
	return k, nil
}

// Get unseals the person under ref.
func (v *Vault) Get(ctx context.Context, ref events.SubjectRef) (events.Person, error) {
	if err := ref.Validate(); err != nil {
		return events.Person{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	k, err := v.keysOf(ctx, ref)
	if err != nil {
		return events.Person{}, err
	}
	var sealed []byte
	if err := v.conn.QueryRowContext(ctx, `SELECT sealed FROM main.subject_records WHERE ref = ?`, string(ref)).Scan(&sealed); err != nil {
		return events.Person{}, &events.Error{Code: events.CodeInternal, Message: "read the record of " + string(ref), Err: err}
	}
	personal, err := newAEAD(k.key)
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

// AuthorOf derives subject's author reference for entity.
func (v *Vault) AuthorOf(ctx context.Context, subject events.SubjectRef, entity string) (events.AuthorRef, error) {
	if err := subject.Validate(); err != nil {
		return "", err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	k, err := v.keysOf(ctx, subject)
	if err != nil {
		return "", err
	}
	return k.author(entity), nil
}

// Seal records subject as an author of entity and seals texts under
// their key, with entity as associated data.
func (v *Vault) Seal(ctx context.Context, subject events.SubjectRef, entity string, texts ...string) (events.AuthorRef, []events.Sealed, error) {
	if err := subject.Validate(); err != nil {
		return "", nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	k, err := v.keysOf(ctx, subject)
	if err != nil {
		return "", nil, err
	}
	author := k.author(entity)
	personal, err := newAEAD(k.key)
	if err != nil {
		return "", nil, err
	}
	out := make([]events.Sealed, len(texts))
	for i, t := range texts {
		nonce := make([]byte, personal.NonceSize(), personal.NonceSize()+len(t)+personal.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return "", nil, &events.Error{Code: events.CodeInternal, Message: "draw nonce", Err: err}
		}
		out[i] = personal.Seal(nonce, nonce, []byte(t), []byte(entity))
	}
	if err := v.index(ctx, author, subject, entity); err != nil {
		return "", nil, err
	}
	return author, out, nil
}

// index records author as subject's on entity; v.mu is held. The index
// row is written without an fsync of its own: a row lost with the power
// (never with the process) is found again by scanning the keys
// (authorOwner), so it is a cache, while every key is written durably.
func (v *Vault) index(ctx context.Context, author events.AuthorRef, subject events.SubjectRef, entity string) error {
	if _, err := v.conn.ExecContext(ctx, `PRAGMA keys.synchronous = NORMAL`); err != nil {
		return storeError("seal", err)
	}
	_, err := v.conn.ExecContext(ctx, `INSERT OR IGNORE INTO keys.authors (author, ref, entity) VALUES (?, ?, ?)`,
		string(author), string(subject), entity)
	if _, perr := v.conn.ExecContext(ctx, `PRAGMA keys.synchronous = FULL`); err == nil {
		err = perr
	}
	return storeError("seal", err)
}

// authorOwner returns the person of author; v.mu is held. An author the
// index does not hold is looked for among every key, for entity, and
// indexed when found (see index).
func (v *Vault) authorOwner(ctx context.Context, author events.AuthorRef, entity string) (events.SubjectRef, error) {
	if err := author.Validate(); err != nil {
		return "", err
	}
	if err := v.fresh(ctx); err != nil {
		return "", err
	}
	if ref, ok := v.owners[author]; ok {
		return ref, nil
	}
	var ref string
	err := v.conn.QueryRowContext(ctx, `SELECT ref FROM keys.authors WHERE author = ?`, string(author)).Scan(&ref)
	if err == nil {
		v.owners[author] = events.SubjectRef(ref)
		return events.SubjectRef(ref), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", storeError("open", err)
	}
	var n int
	if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM keys.forgotten_authors WHERE author = ?`, string(author)).Scan(&n); err != nil {
		return "", storeError("open", err)
	}
	if n > 0 {
		return "", &events.Error{Code: events.CodeNotFound, Message: "the author asked to be forgotten", Err: events.ErrForgotten}
	}
	if entity != "" {
		found, err := v.scan(ctx, author, entity)
		if err != nil || found != "" {
			return found, err
		}
	}
	return "", &events.Error{Code: events.CodeNotFound, Message: "the vault never sealed for " + string(author), Err: events.ErrSubjectNotFound}
}

// scan looks for the person whose author reference for entity is author
// among every key; v.mu is held.
func (v *Vault) scan(ctx context.Context, author events.AuthorRef, entity string) (events.SubjectRef, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT ref, wrapped FROM keys.subject_keys`)
	if err != nil {
		return "", storeError("open", err)
	}
	var found events.SubjectRef
	for rows.Next() && found == "" {
		var ref string
		var wrapped []byte
		if err := rows.Scan(&ref, &wrapped); err != nil {
			rows.Close()
			return "", storeError("open", err)
		}
		keys, err := open(v.master, wrapped, "key "+ref)
		if err != nil || len(keys) != 2*personKeySize {
			continue
		}
		if (personKeys{link: keys[personKeySize:]}).author(entity) == author {
			found = events.SubjectRef(ref)
		}
		clear(keys)
	}
	rows.Close()
	if found == "" {
		return "", storeError("open", rows.Err())
	}
	return found, v.index(ctx, author, found, entity)
}

// Open returns the text author sealed for entity.
func (v *Vault) Open(ctx context.Context, author events.AuthorRef, entity string, sealed events.Sealed) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ref, err := v.authorOwner(ctx, author, entity)
	if err != nil {
		return "", err
	}
	k, err := v.keysOf(ctx, ref)
	if err != nil {
		return "", &events.Error{Code: events.CodeNotFound, Message: "the author asked to be forgotten", Err: events.ErrForgotten}
	}
	if subtle.ConstantTimeCompare([]byte(k.author(entity)), []byte(author)) != 1 {
		return "", &events.Error{Code: events.CodeInternal, Message: "sealed text names an author of another entity"}
	}
	personal, err := newAEAD(k.key)
	if err != nil {
		return "", err
	}
	if len(sealed) < personal.NonceSize() {
		return "", &events.Error{Code: events.CodeInternal, Message: "sealed text is too short"}
	}
	plain, err := personal.Open(nil, sealed[:personal.NonceSize()], sealed[personal.NonceSize():], []byte(entity))
	if err != nil {
		return "", &events.Error{Code: events.CodeInternal, Message: "sealed text does not open for " + entity, Err: err}
	}
	return string(plain), nil
}

// Forgotten reports whether author's person was forgotten.
func (v *Vault) Forgotten(ctx context.Context, author events.AuthorRef) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ref, err := v.authorOwner(ctx, author, "")
	if errors.Is(err, events.ErrForgotten) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := v.keysOf(ctx, ref); errors.Is(err, events.ErrForgotten) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return false, nil
}

// Authored lists the entities subject was recorded as an author of.
func (v *Vault) Authored(ctx context.Context, subject events.SubjectRef) ([]events.Authored, error) {
	if err := subject.Validate(); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, err := v.keysOf(ctx, subject); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT entity, author FROM keys.authors WHERE ref = ? ORDER BY entity`, string(subject))
	if err != nil {
		return nil, storeError("authored", err)
	}
	defer rows.Close()
	out := []events.Authored{}
	for rows.Next() {
		var a events.Authored
		if err := rows.Scan(&a.Entity, &a.Author); err != nil {
			return nil, storeError("authored", err)
		}
		out = append(out, a)
	}
	return out, storeError("authored", rows.Err())
}

// Forget deletes the key, link secret, record and author index of ref in
// one transaction across both files, and keeps tombstones.
func (v *Vault) Forget(ctx context.Context, ref events.SubjectRef) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.drop() // the person's key and authorship leave the memory too
	err := v.inTx(ctx, func(tx *sql.Tx) error {
		var forgotten sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT forgotten_at FROM main.subjects WHERE ref = ?`, string(ref)).Scan(&forgotten)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return notFound(ref)
		case err != nil:
			return err
		}
		for _, stmt := range []string{
			`INSERT OR IGNORE INTO keys.forgotten_authors (author) SELECT author FROM keys.authors WHERE ref = ?`,
			`DELETE FROM keys.authors WHERE ref = ?`,
			`DELETE FROM keys.subject_keys WHERE ref = ?`,
			`DELETE FROM main.subject_records WHERE ref = ?`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, string(ref)); err != nil {
				return err
			}
		}
		if forgotten.Valid {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE main.subjects SET forgotten_at = ? WHERE ref = ?`,
			v.now().UTC().Format(time.RFC3339Nano), string(ref))
		return err
	})
	if err != nil {
		return storeError("forget", err)
	}
	// The old pages of the key store, the wrapped key among them, stay in
	// its write-ahead log until a checkpoint moves the overwritten pages
	// into the file; truncating the log then drops them from it.
	_, err = v.conn.ExecContext(ctx, `PRAGMA keys.wal_checkpoint(TRUNCATE)`)
	return storeError("forget", err)
}

// RotateMaster rewraps every person's key under newKey and makes it the
// vault's master key, in one transaction: on any error nothing changed
// and the old key still opens the vault. It returns the number of keys
// rewrapped. The log is not touched: it holds no key.
func (v *Vault) RotateMaster(ctx context.Context, newKey []byte) (int, error) {
	if len(newKey) != MasterKeySize {
		return 0, events.Invalidf("new vault master key is %d bytes; want %d", len(newKey), MasterKeySize)
	}
	next, err := newAEAD(newKey)
	if err != nil {
		return 0, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	err = v.inTx(ctx, func(tx *sql.Tx) error {
		type row struct {
			ref     string
			wrapped []byte
		}
		var all []row
		rows, err := tx.QueryContext(ctx, `SELECT ref, wrapped FROM keys.subject_keys ORDER BY ref`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.ref, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			keys, err := open(v.master, r.wrapped, "key "+r.ref)
			if err != nil {
				return &events.Error{Code: events.CodeInternal, Message: "unwrap the key of " + r.ref, Err: err}
			}
			rewrapped, err := seal(next, keys, "key "+r.ref)
			clear(keys)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE keys.subject_keys SET wrapped = ? WHERE ref = ?`, rewrapped, r.ref); err != nil {
				return err
			}
			n++
		}
		check, err := seal(next, []byte(keyCheck), "key check")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE keys.vault_meta SET value = ? WHERE name = 'key_check'`, check)
		return err
	})
	if err != nil {
		return 0, storeError("rotate master key", err)
	}
	v.master = next
	v.drop()
	return n, nil
}

func (v *Vault) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if v.conn == nil {
		return sql.ErrConnDone
	}
	tx, err := v.conn.BeginTx(ctx, nil)
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
func storeError(op string, err error) error {
	var de *events.Error
	switch {
	case err == nil:
		return nil
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

// seal returns nonce||ciphertext with a nonce from crypto/rand; what binds
// the ciphertext to its place (as additional data), so a record or key
// cannot be moved under another ref.
func seal(a cipher.AEAD, plain []byte, what string) ([]byte, error) {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
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
