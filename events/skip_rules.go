package events

import (
	"strings"

	"github.com/google/uuid"
)

// SkipDecider holds the rules of skips.
var SkipDecider = Decider[SkipState]{
	Kind:    "skip",
	Initial: func() SkipState { return SkipState{} },
	Evolve:  evolveSkip,
	Decide:  decideSkip,
}

func decideSkip(s SkipState, c Command, _ Facts) ([]Payload, error) {
	sk, ok := c.(SkipEvent)
	if !ok {
		return nil, Invalidf("command %T is not for skips", c)
	}
	switch {
	case sk.EventID == uuid.Nil:
		return nil, Invalidf("the id of the event to skip is missing")
	case sk.Position == 0:
		return nil, Invalidf("the position of the event to skip is missing")
	case sk.EventVersion < 0:
		return nil, Invalidf("the version of the event to skip is negative")
	case sk.EventType == "" || len(sk.EventType) > MaxTypeBytes:
		return nil, Invalidf("the type of the event to skip is empty or over %d bytes", MaxTypeBytes)
	}
	if err := ValidateStream(sk.EventStream); err != nil {
		return nil, err
	}
	if strings.HasPrefix(sk.EventStream, "skip-") {
		return nil, Invalidf("a skip record cannot itself be skipped")
	}
	if err := ValidateText("reason", sk.Reason, MaxReasonRunes); err != nil {
		return nil, err
	}
	if err := ValidateID("skipping token id", sk.SkippedBy); err != nil {
		return nil, err
	}
	if err := needTime(sk.At); err != nil {
		return nil, err
	}
	if s.Skipped {
		return nil, Errorf(CodeConflict, "event %s at position %d is already skipped", sk.EventID, s.Record.Position)
	}
	return []Payload{EventSkipped{EventID: sk.EventID, Position: sk.Position, Stream: sk.EventStream,
		Version: sk.EventVersion, Type: sk.EventType, Reason: sk.Reason, SkippedBy: sk.SkippedBy}}, nil
}
