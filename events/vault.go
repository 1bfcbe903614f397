package events

import (
	"context"
	"encoding/hex"
	"io"
	"net/mail"
	"unicode/utf8"
)

// The log is public in full, so citizens' personal data lives outside it,
// in a vault; events carry only the opaque SubjectRef the vault hands out.
// Forgetting a person destroys their record in the vault and leaves the
// log whole and verifiable.

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
	for _, c := range []byte(s[len(subjectRefPrefix):]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return Invalidf("subject reference: want subj- and 32 lower-case hex digits")
		}
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

// Vault keeps citizens' personal data out of the public log. Every
// implementation passes the contract suite in events/vault/vaulttest and is
// safe for concurrent use.
type Vault interface {
	// Put stores p under a new random reference and returns it; storing
	// the same person twice gives two references. It returns an invalid
	// error, storing nothing, when p does not pass Person.Validate.
	Put(ctx context.Context, p Person) (SubjectRef, error)

	// Get returns the person stored under ref. It returns an error matching
	// ErrForgotten when the person was forgotten, ErrSubjectNotFound when
	// ref was never handed out, and an invalid error for a malformed ref.
	Get(ctx context.Context, ref SubjectRef) (Person, error)

	// Forget destroys the person stored under ref: their key and their
	// record, so no copy of the store can reveal them again. Later Gets
	// return ErrForgotten. Forgetting a forgotten person succeeds and
	// changes nothing; an unknown ref is ErrSubjectNotFound.
	Forget(ctx context.Context, ref SubjectRef) error
}

var (
	// ErrForgotten is matched by errors for a person who asked to be
	// forgotten; public views show that the author asked to be forgotten.
	ErrForgotten = &Error{Code: CodeNotFound, Message: "the person asked to be forgotten"}
	// ErrSubjectNotFound is matched by errors for a reference the vault
	// never handed out.
	ErrSubjectNotFound = &Error{Code: CodeNotFound, Message: "no such person in the vault"}
)
