package kurrentdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// metadataVersion marks an event's metadata as written by Pnyx, in this
// layout. A later layout gets a new number and a decoder for it.
const metadataVersion = 1

// metadata is the part of Pnyx's envelope that KurrentDB has no field for.
// It travels as JSON in the event's custom metadata. The recorded time is
// Pnyx's own (the store's injected clock), not the server's "created"
// stamp, so a migration between stores keeps it exactly.
type metadata struct {
	Pnyx          int          `json:"pnyx"`
	Schema        int          `json:"schema"`
	OccurredAt    time.Time    `json:"occurred_at"`
	RecordedAt    time.Time    `json:"recorded_at"`
	Actor         events.Actor `json:"actor"`
	CausationID   *uuid.UUID   `json:"causation_id,omitempty"`
	CorrelationID *uuid.UUID   `json:"correlation_id,omitempty"`
}

// encodeMetadata returns the custom metadata of ev recorded at recorded.
// ev has been validated and normalised (schema >= 1, occurred time set).
func encodeMetadata(ev events.Event, recorded time.Time) []byte {
	m := metadata{
		Pnyx:       metadataVersion,
		Schema:     ev.Schema,
		OccurredAt: ev.OccurredAt.UTC(),
		RecordedAt: recorded.UTC(),
		Actor:      ev.Actor,
	}
	if ev.CausationID != uuid.Nil {
		id := ev.CausationID
		m.CausationID = &id
	}
	if ev.CorrelationID != uuid.Nil {
		id := ev.CorrelationID
		m.CorrelationID = &id
	}
	b, err := json.Marshal(m)
	if err != nil {
		// Only times out of JSON's range fail, and ValidateAppend's callers
		// never produce them; keep the envelope whole rather than panic.
		b, _ = json.Marshal(metadata{Pnyx: metadataVersion, Schema: ev.Schema, Actor: ev.Actor})
	}
	return b
}

// propertiesKey is the one property that carries Pnyx's metadata on an
// event written by AppendRecords, whose properties are strings only.
const propertiesKey = "pnyx"

// encodeProperties is encodeMetadata for AppendRecords, which takes
// metadata as a JSON object of strings only (the client refuses anything
// else): the envelope travels whole, as the string value of one property.
// A classic read returns the server's JSON of the properties, with its own
// "$" keys added, which decodeMetadata unwraps.
func encodeProperties(ev events.Event, recorded time.Time) []byte {
	b, _ := json.Marshal(map[string]string{propertiesKey: string(encodeMetadata(ev, recorded))})
	return b
}

// decodeMetadata reads the custom metadata of a recorded event, written
// by Append (the envelope itself) or by AppendStreams (the envelope as a
// property, see encodeProperties). It refuses metadata that Pnyx did not
// write: the log must not silently hold events whose envelope is unknown.
func decodeMetadata(b []byte) (metadata, error) {
	inner, err := unwrapProperties(b)
	if err != nil {
		return metadata{}, err
	}
	if inner != nil {
		b = inner
	}
	var m metadata
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return metadata{}, fmt.Errorf("event metadata is not Pnyx's: %w", err)
	}
	if dec.More() {
		return metadata{}, fmt.Errorf("event metadata has trailing data")
	}
	switch {
	case m.Pnyx != metadataVersion:
		return metadata{}, fmt.Errorf("event metadata layout %d, want %d", m.Pnyx, metadataVersion)
	case m.Schema < 1:
		return metadata{}, fmt.Errorf("event metadata schema %d, want >= 1", m.Schema)
	case m.RecordedAt.IsZero():
		return metadata{}, fmt.Errorf("event metadata has no recorded time")
	}
	m.OccurredAt = m.OccurredAt.UTC()
	m.RecordedAt = m.RecordedAt.UTC()
	return m, nil
}

// unwrapProperties returns the envelope carried as a property, or nil for
// metadata that is not properties (the envelope itself, or something else
// for decodeMetadata to refuse). Besides Pnyx's property, only the
// server's own keys (starting with "$") may be there.
func unwrapProperties(b []byte) ([]byte, error) {
	var props map[string]json.RawMessage
	if json.Unmarshal(b, &props) != nil {
		return nil, nil
	}
	raw := props[propertiesKey]
	if len(raw) == 0 || raw[0] != '"' {
		return nil, nil
	}
	var inner string
	if err := json.Unmarshal(raw, &inner); err != nil {
		return nil, fmt.Errorf("event metadata: property %s: %w", propertiesKey, err)
	}
	for k := range props {
		if k != propertiesKey && !strings.HasPrefix(k, "$") {
			return nil, fmt.Errorf("event metadata has a property %q that Pnyx did not write", k)
		}
	}
	return []byte(inner), nil
}
