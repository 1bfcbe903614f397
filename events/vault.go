package events

import (
	"context"
	"encoding/hex"
	"io"
	"net/mail"
	"unicode/utf8"
)

// The log is public in full, so citizens' personal data lives outside it,
// in a vault. Commands name a person by the SubjectRef the vault hands
// out; events never do: they carry an AuthorRef that differs for every
// entity, and what the person wrote Sealed under their own key.
// Forgetting a person destroys their key and record in the vault and
// leaves the log whole and verifiable.

// SubjectRef is the opaque reference to a person in the vault: "subj-" and
// 32 lower-case hex digits of randomness. It is never derived from personal
// data, and its strict form keeps personal data (an e-mail typed into the
// wrong field) from being recorded as a reference.
type SubjectRef string

const subjectRefPrefix = "subj-"

// NewSubjectRef draws a new reference from random (crypto/rand.Reader in
// production).
func NewSubjectRef(random io.Reader) (SubjectRef, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", &Error{Code: CodeInternal, Message: "draw subject reference", Err: err}
	}
	return SubjectRef(subjectRefPrefix + hex.EncodeToString(b[:])), nil
}

// Validate checks the form of a reference.
func (r SubjectRef) Validate() error {
	s := string(r)
	if len(s) != len(subjectRefPrefix)+32 || s[:len(subjectRefPrefix)] != subjectRefPrefix {
		return Invalidf("subject reference: want subj- and 32 hex digits")
	}
	if !lowerHex(s[len(subjectRefPrefix):]) {
		return Invalidf("subject reference: want subj- and 32 lower-case hex digits")
	}
	return nil
}

// Person is the personal data of a citizen who files a request or comments
// on an agenda: what is needed to answer them and, for comments, the name
// they chose to show in public. Every field is optional but not all empty.
type Person struct {
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// Limits of a Person's fields, in characters.
const (
	MaxPersonFieldRunes = 200
)

// Validate checks a person: at least one field, valid UTF-8 within
// MaxPersonFieldRunes, an e-mail address if one is given, a phone number of
// digits, spaces, '+', '-', '(' and ')' with 6 to 20 digits.
func (p Person) Validate() error {
	if p == (Person{}) {
		return Invalidf("person: no name, e-mail, phone or display name")
	}
	for _, f := range []struct{ what, v string }{{"name", p.Name}, {"e-mail", p.Email}, {"phone", p.Phone}, {"display name", p.DisplayName}} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > MaxPersonFieldRunes {
			return Invalidf("person: %s is not valid UTF-8 or over %d characters", f.what, MaxPersonFieldRunes)
		}
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return Invalidf("person: e-mail is not an address like name@example.gr")
		}
	}
	if p.Phone != "" {
		digits := 0
		for _, r := range p.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
			default:
				return Invalidf("person: phone may hold digits, spaces and + - ( ) only")
			}
		}
		if digits < 6 || digits > 20 {
			return Invalidf("person: phone has %d digits, want 6 to 20", digits)
		}
	}
	return nil
}

// AuthorRef is how an event names the citizen who wrote it: "auth-" and 32
// lower-case hex digits of an HMAC-SHA-256 of the entity (EntityOf) under a
// secret the vault keeps for that person alone. It differs for every
// entity, so the public log cannot link one person's comments and requests
// together, and it means nothing without the vault; once the person is
// forgotten their secret is gone and no link can be recomputed.
type AuthorRef string

const authorRefPrefix = "auth-"

// Validate checks the form of an author reference.
func (r AuthorRef) Validate() error {
	s := string(r)
	if len(s) != len(authorRefPrefix)+32 || s[:len(authorRefPrefix)] != authorRefPrefix {
		return Invalidf("author reference: want auth- and 32 hex digits")
	}
	if !lowerHex(s[len(authorRefPrefix):]) {
		return Invalidf("author reference: want auth- and 32 lower-case hex digits")
	}
	return nil
}

func lowerHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Sealed is a citizen's words as the log holds them: a 12-byte nonce and
// the AES-256-GCM ciphertext under the author's own key, with the entity
// (EntityOf) as associated data, so sealed text cannot be moved to another
// comment or request. In JSON it is base64. Only the vault opens it, and
// only while the author is not forgotten.
type Sealed []byte

// MaxSealedBytes bounds sealed text: the longest text of the record in
// UTF-8 (4 bytes a character) with the nonce and the tag.
const MaxSealedBytes = 4*MaxTextRunes + 12 + 16

// Validate checks that s can be sealed text: a nonce, a tag, and no more
// than MaxSealedBytes.
func (s Sealed) Validate() error {
	if len(s) < 12+16 || len(s) > MaxSealedBytes {
		return Invalidf("sealed text of %d bytes: want %d to %d", len(s), 12+16, MaxSealedBytes)
	}
	return nil
}

// Entity kinds whose events concern a citizen.
const (
	EntityComment = "comment"
	EntityRequest = "request"
)

// EntityOf names the entity a citizen's act concerns: the stream of the
// request, or the consultation's stream and the comment id. It is the
// input of the author reference and the associated data of sealed text.
func EntityOf(kind, stream, id string) string {
	if kind == EntityRequest {
		return stream
	}
	return stream + "/" + id
}

// CommentEntity is the entity of comment commentID on item itemID.
func CommentEntity(itemID, commentID string) string {
	return EntityOf(EntityComment, consultationStream(itemID), commentID)
}

// RequestEntity is the entity of request id.
func RequestEntity(id string) string { return EntityOf(EntityRequest, RequestStream(id), id) }

// Sealer is the part of the vault the command service uses to keep a
// citizen's authorship and words out of the public log. Methods return an
// error matching ErrSubjectNotFound for a subject never stored,
// ErrForgotten for a forgotten one, and an invalid error for a malformed
// reference; they are safe for concurrent use.
type Sealer interface {
	// AuthorOf returns subject's author reference for entity, recording
	// nothing: what a command compares with the author an event names.
	AuthorOf(ctx context.Context, subject SubjectRef, entity string) (AuthorRef, error)
	// Seal records subject as an author of entity, so the vault can later
	// list and open it, and seals each text under subject's key with
	// entity as associated data. Each call draws new nonces.
	Seal(ctx context.Context, subject SubjectRef, entity string, texts ...string) (AuthorRef, []Sealed, error)
}

// Vault keeps citizens' personal data out of the public log. Every
// implementation passes the contract suite in events/vault/vaulttest and is
// safe for concurrent use.
type Vault interface {
	Sealer

	// Put stores p under a new random reference and returns it; storing
	// the same person twice gives two references. It returns an invalid
	// error, storing nothing, when p does not pass Person.Validate.
	Put(ctx context.Context, p Person) (SubjectRef, error)

	// Get returns the person stored under ref. It returns an error matching
	// ErrForgotten when the person was forgotten, ErrSubjectNotFound when
	// ref was never handed out, and an invalid error for a malformed ref.
	Get(ctx context.Context, ref SubjectRef) (Person, error)

	// Open returns the text author sealed for entity. It returns an error
	// matching ErrForgotten when the author was forgotten,
	// ErrSubjectNotFound when the vault never sealed for author, and an
	// internal error when sealed was not sealed by author for entity.
	Open(ctx context.Context, author AuthorRef, entity string, sealed Sealed) (string, error)

	// Forgotten reports whether author belongs to a forgotten person;
	// ErrSubjectNotFound when the vault never sealed for author.
	Forgotten(ctx context.Context, author AuthorRef) (bool, error)

	// Authored returns the entities subject was recorded as an author of
	// (by Seal), sorted, for the person's requests to see, correct or
	// erase their data. A command refused after sealing leaves an entity
	// here that the log does not hold under that author. Errors as Get.
	Authored(ctx context.Context, subject SubjectRef) ([]Authored, error)

	// Forget destroys the person stored under ref: their key, their link
	// secret, their record and the list of what they authored, so no copy
	// of the records can reveal them again. Later Gets return
	// ErrForgotten, and so do Open and Forgotten (true) for every author
	// reference of theirs. Forgetting a forgotten person succeeds and
	// changes nothing; an unknown ref is ErrSubjectNotFound.
	Forget(ctx context.Context, ref SubjectRef) error
}

// Authored is an entity a person authored, with their reference there.
type Authored struct {
	Entity string
	Author AuthorRef
}

var (
	// ErrForgotten is matched by errors for a person who asked to be
	// forgotten; public views show that the author asked to be forgotten.
	ErrForgotten = &Error{Code: CodeNotFound, Message: "the person asked to be forgotten"}
	// ErrSubjectNotFound is matched by errors for a reference the vault
	// never handed out.
	ErrSubjectNotFound = &Error{Code: CodeNotFound, Message: "no such person in the vault"}
)

// ForgottenText is what every public view shows instead of the words of a
// person who asked to be forgotten.
const ForgottenText = "the author asked to be forgotten"
