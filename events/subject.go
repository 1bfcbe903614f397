package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Forgetting a person happens in the vault, which destroys their key and
// record; the log then says that it happened, with the public reason, so
// every projection can drop the person's words at once. The event carries
// no personal data and no reference to the person: its stream is named by
// an erasure id drawn at random for this one act, never by the vault's
// subject reference, and nothing in it says which comments or requests
// were the person's.

// SubjectForgotten records that a person asked to be forgotten and was:
// their key and record are gone from the vault, so their sealed words
// can no longer be opened by anyone.
type SubjectForgotten struct {
	Reason string `json:"reason"`
}

func (SubjectForgotten) EventType() string { return "subject.forgotten" }

func init() {
	Register[SubjectForgotten]("subject", 1, "A person was forgotten: their key and record left the vault, so their sealed words read as the author asked to be forgotten; no personal data or reference to the person is recorded.")
	RegisterDecider(SubjectDecider)
}

// RecordForgetting records that the vault forgot a person (Vault.Forget
// first, then this command). ErasureID names this act alone: a new random
// id (NewErasureID), never the person's SubjectRef. Reason is the public
// ground, such as the article of the GDPR, and must not name the person.
type RecordForgetting struct {
	ErasureID string
	Reason    string
	At        time.Time
}

func (c RecordForgetting) Stream() string        { return StreamName("subject", c.ErasureID) }
func (c RecordForgetting) OccurredAt() time.Time { return c.At }

// SubjectState is an act of forgetting as folded.
type SubjectState struct{ Recorded bool }

// SubjectDecider holds the rule of forgetting: one act per erasure id.
var SubjectDecider = Decider[SubjectState]{
	Kind:    "subject",
	Initial: func() SubjectState { return SubjectState{} },
	Evolve: func(s SubjectState, p Payload) SubjectState {
		if _, ok := p.(SubjectForgotten); ok {
			s.Recorded = true
		}
		return s
	},
	Decide: func(s SubjectState, c Command, _ Facts) ([]Payload, error) {
		f, ok := c.(RecordForgetting)
		if !ok {
			return nil, Invalidf("command %T is not for forgetting", c)
		}
		if err := validErasureID(f.ErasureID); err != nil {
			return nil, err
		}
		if err := ValidateText("reason for forgetting", f.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if s.Recorded {
			return nil, Errorf(CodeConflict, "erasure %s is already recorded", f.ErasureID)
		}
		return []Payload{SubjectForgotten{Reason: f.Reason}}, nil
	},
}

const erasureIDPrefix = "erasure-"

// NewErasureID returns a new random erasure id: "erasure-" and 32
// lower-case hex digits, as unrelated to the person as a new
// SubjectRef is.
func NewErasureID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return erasureIDPrefix + hex.EncodeToString(b[:])
}

func validErasureID(id string) error {
	if len(id) != len(erasureIDPrefix)+32 || id[:len(erasureIDPrefix)] != erasureIDPrefix || !lowerHex(id[len(erasureIDPrefix):]) {
		return Invalidf("erasure id: want erasure- and 32 lower-case hex digits (NewErasureID)")
	}
	return nil
}

// Forgetter is the part of the vault Forget uses.
type Forgetter interface {
	// Forget destroys the person under ref (Vault.Forget).
	Forget(ctx context.Context, ref SubjectRef) error
}

// Forget is the administrative act of forgetting a person, for every
// caller (pnyx forget, an administrator's API): it checks the reason,
// makes v forget subject, then records RecordForgetting through s under a
// new erasure id, which it returns. The vault goes first, so a projection
// applying the event finds the person forgotten; when recording fails
// after the vault forgot, calling Forget again records it (the vault
// forgets twice without harm). Errors are those of Vault.Forget and
// Service.Handle; a bad subject or reason is invalid and changes nothing.
func Forget(ctx context.Context, v Forgetter, s *Service, subject SubjectRef, reason string, at time.Time, opts ...HandleOption) (string, error) {
	if err := subject.Validate(); err != nil {
		return "", err
	}
	if err := ValidateText("reason for forgetting", reason, MaxReasonRunes); err != nil {
		return "", err
	}
	if err := v.Forget(ctx, subject); err != nil {
		return "", err
	}
	erasure := NewErasureID()
	if _, err := s.Handle(ctx, RecordForgetting{ErasureID: erasure, Reason: reason, At: at}, opts...); err != nil {
		return "", fmt.Errorf("the person is forgotten, but recording it failed (forget them again to record it): %w", err)
	}
	return erasure, nil
}
