package events

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Position is an event's place in the global log. Positions start at 1 and
// ascend; on the embedded store they are gap-free. Position 0 means "before
// the first event", so reading after 0 reads from the beginning.
type Position uint64

// Actor says who recorded an event: the access token's id and its role.
// It never holds a secret.
type Actor struct {
	TokenID string `json:"token_id,omitempty"`
	Role    string `json:"role,omitempty"`
}

// Event is an event proposed for appending. The store assigns its stream,
// version, position and recorded time.
type Event struct {
	// ID identifies the event. Callers that may retry set it themselves
	// (see NewEventID and DeterministicID): re-sending the same id is
	// idempotent. A zero ID is replaced by a new UUIDv7 at append.
	ID uuid.UUID
	// Type names the event, such as "decision.corrected".
	Type string
	// Schema is the version of Type's payload; 0 is read as 1.
	Schema int
	// OccurredAt is when the fact happened in the world (UTC). Zero means
	// "when recorded".
	OccurredAt    time.Time
	Actor         Actor
	CausationID   uuid.UUID
	CorrelationID uuid.UUID
	// Data is the payload, a JSON object.
	Data json.RawMessage
}

// RecordedEvent is an event as the log holds it: the full envelope.
type RecordedEvent struct {
	ID            uuid.UUID       `json:"id"`
	Stream        string          `json:"stream"`
	Version       int64           `json:"version"`
	Position      Position        `json:"position"`
	Type          string          `json:"type"`
	Schema        int             `json:"schema"`
	OccurredAt    time.Time       `json:"occurred_at"`
	RecordedAt    time.Time       `json:"recorded_at"`
	Actor         Actor           `json:"actor"`
	CausationID   uuid.UUID       `json:"causation_id"`
	CorrelationID uuid.UUID       `json:"correlation_id"`
	Data          json.RawMessage `json:"data"`
}

// NewEventID returns a new time-ordered UUIDv7.
func NewEventID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// idempotencyNamespace is the UUIDv5 namespace of Pnyx event ids derived
// from idempotency keys. It never changes: changing it would change every
// derived id.
var idempotencyNamespace = uuid.MustParse("6f1b8a52-3f0e-5d3c-9a61-0c8e2f6b7d41")

// DeterministicID derives the id of the i-th event written for an
// idempotency key, so a retried request produces the same ids and the store
// writes nothing new.
func DeterministicID(key string, i int) uuid.UUID {
	return uuid.NewSHA1(idempotencyNamespace, []byte(key+"\x00"+strconv.Itoa(i)))
}

// CommandEventID derives the id of the i-th event a command writes under
// an idempotency key: its first eight bytes come from the key
// (DeterministicID), the rest (but the UUID variant's bits) from the
// command's hash. A retry of the same command gets the same ids, so the
// store writes nothing new; the key reused with another command gets ids
// that share the key's half, so the command service finds the key used
// and refuses the command instead of answering with the first one's
// result. The id carries the command hash, so no other metadata does.
func CommandEventID(key string, commandHash [32]byte, i int) uuid.UUID {
	id := DeterministicID(key, i)
	copy(id[9:], commandHash[:7])
	id[8] = 0x80 | commandHash[7]&0x3f
	return id
}

// SameKey reports whether two event ids were derived from the same
// idempotency key and index (CommandEventID), whatever the command.
func SameKey(a, b uuid.UUID) bool { return [8]byte(a[:8]) == [8]byte(b[:8]) }
