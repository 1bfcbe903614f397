package events

import (
	"time"

	"github.com/google/uuid"
)

// A skip is the way back from an event already in the log that no code can
// apply: one written by an older version or by another tool, which stops
// every projection that reaches it, and stops them again at every rebuild,
// since the log is immutable. An administrator records, as an event of its
// own, that the projections pass over that event, with the reason; the
// record says who, when and why, in the public change feed like every
// event. The projections runner honours it (see package projections).
//
// A skip names the event by its id, which every store keeps, and by the
// position where the administrator saw it; its stream is skip-<event id>,
// so the runner finds the skip of a failing event with one stream read,
// however far after the event the skip was recorded, and a copy of the log
// into another store (whose positions differ) keeps it.

// EventSkipped records that the projections pass over one event of the
// log when they cannot apply it.
type EventSkipped struct {
	EventID  uuid.UUID `json:"event_id"`
	Position Position  `json:"position"`
	Stream   string    `json:"stream"`
	Version  int64     `json:"version"`
	Type     string    `json:"type"`
	Reason   string    `json:"reason"`
	// SkippedBy is the id of the administrator's access token.
	SkippedBy string `json:"skipped_by"`
}

func (EventSkipped) EventType() string { return "skip.recorded" }

func init() {
	Register[EventSkipped]("skip", 1, "An administrator recorded that the projections pass over an event of the log that they cannot apply, with the reason.")
	RegisterDecider(SkipDecider)
}

// SkipEvent records that the projections pass over the event with id
// EventID, seen at Position in stream EventStream at EventVersion, of
// type EventType. It is an administrator's command.
type SkipEvent struct {
	EventID      uuid.UUID
	Position     Position
	EventStream  string
	EventVersion int64
	EventType    string
	Reason       string
	SkippedBy    string
	At           time.Time
}

// SkipStream returns the stream of the skip of event id.
func SkipStream(id uuid.UUID) string { return StreamName("skip", id.String()) }

func (c SkipEvent) Stream() string        { return SkipStream(c.EventID) }
func (c SkipEvent) OccurredAt() time.Time { return c.At }

// SkipState is what a skip stream tells: whether the event is skipped, and
// the record.
type SkipState struct {
	Skipped bool
	Record  EventSkipped
}

func evolveSkip(s SkipState, p Payload) SkipState {
	if e, ok := p.(EventSkipped); ok {
		return SkipState{Skipped: true, Record: e}
	}
	return s
}
