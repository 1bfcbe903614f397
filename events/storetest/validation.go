package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func (s suite) validation(t *testing.T) {
	store := s.newStore(t)
	ctx := context.Background()
	ok := event("xmeeting.scheduled", 0)
	repeated := events.NewEventID()
	cases := []struct {
		name   string
		stream string
		evs    []events.Event
	}{
		{"an empty stream name is refused", "", []events.Event{ok}},
		{"an oversized stream name is refused", "xmeeting-" + strings.Repeat("x", events.MaxStreamNameBytes), []events.Event{ok}},
		{"a stream name with a newline is refused", "xmeeting-1\nmeeting-2", []events.Event{ok}},
		{"a stream name with a NUL is refused", "xmeeting-\x00", []events.Event{ok}},
		{"a stream name with a delete character is refused", "xmeeting-\x7f", []events.Event{ok}},
		{"a stream name that is not UTF-8 is refused", "xmeeting-\xff", []events.Event{ok}},
		{"an append without events is refused", "xmeeting-" + unique(), nil},
		{"an empty type is refused", "xmeeting-" + unique(), []events.Event{{Data: json.RawMessage(`{}`)}}},
		{"a type with a space is refused", "xmeeting-" + unique(), []events.Event{{Type: "meeting scheduled", Data: json.RawMessage(`{}`)}}},
		{"an oversized type is refused", "xmeeting-" + unique(), []events.Event{{Type: strings.Repeat("t", events.MaxTypeBytes+1), Data: json.RawMessage(`{}`)}}},
		{"invalid JSON is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Data: json.RawMessage(`{"a":`)}}},
		{"empty data is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled"}}},
		{"an array as data is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Data: json.RawMessage(`[1,2]`)}}},
		{"a string as data is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Data: json.RawMessage(`"x"`)}}},
		{"null as data is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Data: json.RawMessage(`null`)}}},
		{"a negative schema is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Schema: -1, Data: json.RawMessage(`{}`)}}},
		{"an oversized event is refused", "xmeeting-" + unique(), []events.Event{{Type: "xmeeting.scheduled", Data: bigObject(events.DefaultMaxEventBytes + 1)}}},
		{"an id repeated in the batch is refused", "xmeeting-" + unique(), []events.Event{
			{ID: repeated, Type: "xmeeting.scheduled", Data: json.RawMessage(`{}`)},
			{ID: repeated, Type: "xmeeting.convened", Data: json.RawMessage(`{}`)},
		}},
		{"one invalid event in a batch writes none of it", "xmeeting-" + unique(), []events.Event{
			ok, {Type: "xmeeting.item_added", Data: json.RawMessage(`{"item":`)}, event("xmeeting.convened", 2),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head := mustHead(t, store)
			_, err := store.Append(ctx, tc.stream, events.Any, tc.evs...)
			if !errors.Is(err, events.ErrInvalid) || events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("append: %v; want an error matching ErrInvalid", err)
			}
			requireNotWritten(t, store, head, tc.stream, -1)
		})
	}

	t.Run("a wrong expected version in a batch writes none of it", func(t *testing.T) {
		stream := "xmeeting-" + unique()
		head := mustHead(t, store)
		_, err := store.Append(ctx, stream, events.StreamExists, ok, event("xmeeting.convened", 1))
		if !errors.Is(err, events.ErrWrongExpectedVersion) {
			t.Fatalf("append: %v; want ErrWrongExpectedVersion", err)
		}
		requireNotWritten(t, store, head, stream, -1)
	})
}

func (s suite) eventSize(t *testing.T) {
	store := s.newStore(t)
	t.Run("an event just under the size limit is accepted and reads back whole", func(t *testing.T) {
		stream := "xdecision-" + unique()
		data := bigObject(events.DefaultMaxEventBytes - 1024)
		mustAppend(t, store, stream, events.NoStream, events.Event{Type: "xdecision.adopted", Data: data})
		got, err := store.ReadStream(context.Background(), stream, events.ReadStreamOptions{})
		if err != nil || len(got) != 1 || string(got[0].Data) != string(data) {
			t.Fatalf("read: %v, %d events; want the %d bytes back", err, len(got), len(data))
		}
	})
	t.Run("an event of exactly the size limit (1 MiB by default) is accepted and reads back whole", func(t *testing.T) {
		stream := "xdecision-" + unique()
		data := bigObject(events.DefaultMaxEventBytes)
		res := mustAppend(t, store, stream, events.NoStream, events.Event{Type: "xdecision.adopted", Data: data})
		got, err := store.ReadAll(context.Background(), events.ReadAllOptions{After: res.Position - 1, Limit: 1})
		if err != nil || len(got) != 1 || got[0].Stream != stream || string(got[0].Data) != string(data) {
			t.Fatalf("read all: %v, %d events; want the %d bytes back at %d", err, len(got), len(data), res.Position)
		}
	})
	t.Run("an event one byte over the limit is refused", func(t *testing.T) {
		stream := "xdecision-" + unique()
		head := mustHead(t, store)
		_, err := store.Append(context.Background(), stream, events.Any,
			events.Event{Type: "xdecision.adopted", Data: bigObject(events.DefaultMaxEventBytes + 1)})
		if !errors.Is(err, events.ErrInvalid) {
			t.Fatalf("append: %v; want ErrInvalid", err)
		}
		requireNotWritten(t, store, head, stream, -1)
	})
}

// bigObject returns a JSON object of exactly n bytes (n >= 10) of Greek and
// ASCII text.
func bigObject(n int) json.RawMessage {
	const head, tail = `{"text":"`, `"}`
	body := strings.Repeat("Δήμος ", (n-len(head)-len(tail))/len("Δήμος "))
	body += strings.Repeat("x", n-len(head)-len(tail)-len(body))
	return json.RawMessage(head + body + tail)
}
