package model

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Written is the answer of every mutation: what the command wrote, and
// the entities it concerns as the read model shows them once it has
// caught up with the write. Each payload type of the schema binds to it
// and shows the entities of its kind; they are nil until caught up.
type Written struct {
	Write        Write
	Body         *Body
	Member       *Member
	Faction      *Faction
	Meeting      *Meeting
	Item         *AgendaItem
	Consultation *Consultation
	CommentID    string
	// Receipt is a comment submission's private receipt, answered once.
	Receipt     *string
	Comment     *readmodel.Comment
	Amendment   *Amendment
	Vote        *Vote
	Decision    *Decision
	Procurement *Procurement
	Supplier    *Supplier
	RequestID   string
	Request     *Request
}

// Write is what a command wrote to the log.
type Write struct {
	Stream   string
	EventIDs []uuid.UUID
	Version  int64
	Position events.Position
	Replayed bool
	Number   *int64
	CaughtUp bool
}

// MarshalBodySettings writes a body's settings as the JSON object the
// events record.
func MarshalBodySettings(s events.BodySettings) graphql.Marshaler {
	b, err := json.Marshal(s)
	if err != nil {
		b = []byte("null")
	}
	return graphql.WriterFunc(func(w io.Writer) { w.Write(b) })
}

// UnmarshalBodySettings reads a body's settings from a JSON object in the
// form the events record; a field it does not know is an invalid error,
// so a misspelt rule is not silently left at its zero value.
func UnmarshalBodySettings(v any) (events.BodySettings, error) {
	var s events.BodySettings
	if _, ok := v.(map[string]any); !ok {
		return s, events.Invalidf("settings: want a JSON object such as {\"seats\": 33, …}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return s, events.Invalidf("settings: not JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, events.Invalidf("settings: %s", truncate(err.Error()))
	}
	return s, nil
}
