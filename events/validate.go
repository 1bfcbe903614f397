package events

import (
	"encoding/json"
	"unicode"
	"unicode/utf8"
)

// Limits that every store enforces.
const (
	// MaxStreamNameBytes is the longest stream name.
	MaxStreamNameBytes = 256
	// MaxTypeBytes is the longest event type name.
	MaxTypeBytes = 128
	// DefaultMaxEventBytes is the default size limit of one event's data,
	// like EventStoreDB's default append limit.
	DefaultMaxEventBytes = 1 << 20
)

// ValidateStream checks a stream name: non-empty, at most
// MaxStreamNameBytes of UTF-8, no control characters.
func ValidateStream(stream string) error {
	switch {
	case stream == "":
		return Invalidf("stream name is empty")
	case len(stream) > MaxStreamNameBytes:
		return Invalidf("stream name is %d bytes, over the limit of %d", len(stream), MaxStreamNameBytes)
	case !utf8.ValidString(stream):
		return Invalidf("stream name is not valid UTF-8")
	}
	for _, r := range stream {
		if unicode.IsControl(r) {
			return Invalidf("stream name contains a control character")
		}
	}
	return nil
}

// ValidateAppend checks a whole append before anything is written: the
// stream name, and for each event a type, a JSON object as data within
// maxEventBytes (DefaultMaxEventBytes when <= 0), and no id repeated within
// the batch; then that events of the catalog fit it (validateCatalogAppend).
// It returns the first problem, naming the event's index.
func ValidateAppend(stream string, maxEventBytes int, evs []Event) error {
	if err := ValidateStream(stream); err != nil {
		return err
	}
	if len(evs) == 0 {
		return Invalidf("append to %s: no events", stream)
	}
	if maxEventBytes <= 0 {
		maxEventBytes = DefaultMaxEventBytes
	}
	seen := make(map[[16]byte]bool, len(evs))
	for i, ev := range evs {
		switch {
		case ev.Type == "":
			return Invalidf("event %d: type is empty", i)
		case len(ev.Type) > MaxTypeBytes:
			return Invalidf("event %d: type is %d bytes, over the limit of %d", i, len(ev.Type), MaxTypeBytes)
		case !utf8.ValidString(ev.Type):
			return Invalidf("event %d: type is not valid UTF-8", i)
		case len(ev.Data) > maxEventBytes:
			return Invalidf("event %d: data is %d bytes, over the limit of %d", i, len(ev.Data), maxEventBytes)
		case len(ev.Data) == 0 || !json.Valid(ev.Data):
			return Invalidf("event %d: data is not valid JSON", i)
		case firstNonSpace(ev.Data) != '{':
			return Invalidf("event %d: data must be a JSON object", i)
		case ev.Schema < 0:
			return Invalidf("event %d: schema version is negative", i)
		}
		for _, r := range ev.Type {
			if unicode.IsControl(r) || unicode.IsSpace(r) {
				return Invalidf("event %d: type contains a space or control character", i)
			}
		}
		if ev.ID != [16]byte{} {
			if seen[ev.ID] {
				return Invalidf("event %d: id %s repeated in the batch", i, ev.ID)
			}
			seen[ev.ID] = true
		}
	}
	return validateCatalogAppend(stream, evs)
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}
