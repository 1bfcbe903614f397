package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// FuzzAppend feeds arbitrary stream names, types, data and actors to Append: every
// input is either refused as invalid with nothing written, or recorded and
// read back byte for byte.
func FuzzAppend(f *testing.F) {
	for _, seed := range []struct{ stream, typ, data string }{
		{"xdecision-1", "xdecision.adopted", `{"number":"123/2026"}`},
		{"δήμος-Αθηναίων", "xdecision.adopted", `{"title":"Προϋπολογισμός 2026"}`},
		{"", "xdecision.adopted", `{}`},
		{"xmeeting-\x00", "xmeeting.scheduled", `{}`},
		{"xmeeting-1", "", `{}`},
		{"xmeeting-1", "meeting scheduled", `{}`},
		{"xmeeting-1", "xmeeting.scheduled", `[1]`},
		{"xmeeting-1", "xmeeting.scheduled", `{"a":`},
		{"xmeeting-1", "xmeeting.scheduled", " \n{\"a\":\"\\u0000\"} "},
		{"xmeeting-\xff", "xmeeting.scheduled", `{}`},
	} {
		f.Add(seed.stream, seed.typ, []byte(seed.data), "tok-1", "γραμματεία")
	}
	s := openStore(f, filepath.Join(f.TempDir(), "events.db"), sqlite.Options{MaxEventBytes: 4096})
	ctx := context.Background()
	f.Add("xrequest-1", "xrequest.submitted", []byte(`{}`), "tok\x00\xff", "")
	f.Fuzz(func(t *testing.T, stream, typ string, data []byte, token, role string) {
		head, err := s.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Append(ctx, stream, events.Any, events.Event{Type: typ, Data: data, Actor: events.Actor{TokenID: token, Role: role}})
		if err != nil {
			if !errors.Is(err, events.ErrInvalid) || events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("append %q %q %q: %v, want an invalid-input error", stream, typ, data, err)
			}
			if after, _ := s.Head(ctx); after != head {
				t.Fatalf("a refused append moved the head from %d to %d", head, after)
			}
			return
		}
		got, err := s.ReadAll(ctx, events.ReadAllOptions{After: res.Position - 1, Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("read back: %v, %d events", err, len(got))
		}
		if ev := got[0]; ev.Stream != stream || ev.Type != typ || string(ev.Data) != string(data) ||
			ev.Actor.TokenID != token || ev.Actor.Role != role {
			t.Fatalf("read back %q %q %q %+v, want %q %q %q %q %q", ev.Stream, ev.Type, ev.Data, ev.Actor, stream, typ, data, token, role)
		}
	})
}
