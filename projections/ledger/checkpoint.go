package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
)

// Checkpoint is a signed statement of the tree: the C2SP tlog-checkpoint
// body (origin line, tree size, base64 root hash, each ending in a
// newline) in a C2SP signed note.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint's body, the text the note signs.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n"
}

// ParseCheckpoint reads a checkpoint body. Lines after the third (C2SP's
// optional extension lines) are refused: Pnyx writes none. It returns an
// invalid error for any other shape.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, events.Invalidf("checkpoint: want three lines (origin, size, root hash)")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	if origin == "" || strings.TrimSpace(origin) != origin {
		return Checkpoint{}, events.Invalidf("checkpoint: the origin line is empty or padded")
	}
	sizeText := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, events.Invalidf("checkpoint: size %q is not a decimal tree size", truncate(sizeText))
	}
	root, err := tlog.ParseHash(strings.TrimSuffix(lines[2], "\n"))
	if err != nil {
		return Checkpoint{}, events.Invalidf("checkpoint: root hash is not base64 of 32 bytes")
	}
	return Checkpoint{Origin: origin, Size: size, Root: root}, nil
}

// SignedCheckpoint is a checkpoint with the note that carries it.
type SignedCheckpoint struct {
	Checkpoint
	Note []byte // the signed note, as published
}

// OpenCheckpoint verifies msg, a signed note, with the verifiers (the
// ledger's key, and its earlier keys after a rotation) and parses its
// checkpoint. It returns an error matching ErrBadSignature when no
// signature by one of the keys is valid, and an invalid error when msg is
// not a note holding a checkpoint of the signing key's origin.
func OpenCheckpoint(msg []byte, vs ...note.Verifier) (SignedCheckpoint, error) {
	if len(vs) == 0 {
		return SignedCheckpoint{}, events.Invalidf("checkpoint: no verifier key to check it with")
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return SignedCheckpoint{}, fmt.Errorf("%w: not signed by %s", ErrBadSignature, vs[0].Name())
		}
		return SignedCheckpoint{}, events.Invalidf("checkpoint: not a signed note: %v", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if c.Origin != n.Sigs[0].Name {
		return SignedCheckpoint{}, events.Invalidf("checkpoint: origin %q is not the key's log %q", truncate(c.Origin), n.Sigs[0].Name)
	}
	return SignedCheckpoint{Checkpoint: c, Note: msg}, nil
}

// ErrBadSignature reports a checkpoint whose signature does not verify
// with the ledger's key: forged, or signed by another key.
var ErrBadSignature = &events.Error{Code: events.CodeInvalid, Message: "checkpoint signature does not verify"}

// Key is the ledger's signing key and its public verifier key.
type Key struct {
	Signer   note.Signer
	Verifier note.Verifier
	// VerifierKey is the encoded public key that auditors are given
	// ("origin+hash+base64"), as note.NewVerifier reads it.
	VerifierKey string
}

// LoadOrCreateKey reads the signing key at path (a note signer key
// "PRIVATE+KEY+origin+..."), creating one for origin, readable by its
// owner only (0600), when the file does not exist. It returns an invalid
// error when the file holds no key or a key named for another origin, and
// an unavailable error when it cannot be read or written.
func LoadOrCreateKey(path, origin string) (Key, error) {
	if err := validOrigin(origin); err != nil {
		return Key{}, err
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		skey, _, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			return Key{}, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return Key{}, events.Errorf(events.CodeUnavailable, "create the ledger key's directory: %v", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return Key{}, events.Errorf(events.CodeUnavailable, "create the ledger key: %v", err)
		}
		_, werr := f.WriteString(skey + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return Key{}, events.Errorf(events.CodeUnavailable, "write the ledger key: %v", err)
		}
		data = []byte(skey)
	case err != nil:
		return Key{}, events.Errorf(events.CodeUnavailable, "read the ledger key: %v", err)
	}
	k, err := ParseSignerKey(strings.TrimSpace(string(data)))
	if err != nil {
		return Key{}, err
	}
	if k.Signer.Name() != origin {
		return Key{}, events.Invalidf("the ledger key %s signs for %q, not for the configured origin %q", path, k.Signer.Name(), origin)
	}
	return k, nil
}

// ParseSignerKey reads an encoded Ed25519 note signer key and derives its
// verifier key.
func ParseSignerKey(skey string) (Key, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, events.Invalidf("ledger key: not a note signer key")
	}
	// PRIVATE+KEY+name+hash+base64(alg || seed)
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return Key{}, events.Invalidf("ledger key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return Key{}, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return Key{}, err
	}
	return Key{Signer: signer, Verifier: verifier, VerifierKey: vkey}, nil
}

// ParseVerifierKey reads an encoded verifier key as /ledger/key serves it.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, events.Invalidf("ledger verifier key: %v", err)
	}
	return v, nil
}

// Sign signs c with k.
func (k Key) Sign(c Checkpoint) (SignedCheckpoint, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, k.Signer)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	return SignedCheckpoint{Checkpoint: c, Note: msg}, nil
}

// validOrigin accepts what a note key name may be: non-empty UTF-8 with
// no white space and no '+'.
func validOrigin(origin string) error {
	if origin == "" || strings.ContainsAny(origin, "+ \t\r\n") || strings.TrimSpace(origin) != origin {
		return events.Invalidf("ledger origin %q: want a name without spaces or '+' such as example.gr/pnyx", truncate(origin))
	}
	return nil
}

// truncate keeps an echoed value short.
func truncate(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
