package kurrentdb

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

func TestMetadataRoundTrip(t *testing.T) {
	ev := events.Event{
		Schema:        3,
		OccurredAt:    time.Date(2026, 3, 3, 19, 30, 15, 123456789, time.FixedZone("EET", 7200)),
		Actor:         events.Actor{TokenID: "κλειδί-1", Role: "γραμματεία"},
		CausationID:   uuid.New(),
		CorrelationID: uuid.New(),
	}
	rec := time.Date(2026, 3, 10, 8, 0, 0, 1, time.UTC)
	cases := []struct {
		name string
		ev   events.Event
	}{
		{"every field reads back", ev},
		{"nil causation and correlation read back as nil", events.Event{Schema: 1, OccurredAt: rec}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := decodeMetadata(encodeMetadata(tc.ev, rec))
			if err != nil {
				t.Fatal(err)
			}
			// AppendStreams's properties, as a classic read returns them:
			// the server's JSON of them, with its own keys added.
			var props map[string]string
			if err := json.Unmarshal(encodeProperties(tc.ev, rec), &props); err != nil {
				t.Fatalf("properties are not a JSON object of strings: %v", err)
			}
			props["$schema.name"], props["$schema.format"] = "xdecision.adopted", "JSON"
			read, _ := json.Marshal(props)
			if p, err := decodeMetadata(read); err != nil {
				t.Fatalf("properties: %v", err)
			} else if a, b := mustJSON(t, p), mustJSON(t, m); a != b {
				t.Errorf("properties read back %s, the envelope %s", a, b)
			}
			var caus, corr uuid.UUID
			if m.CausationID != nil {
				caus = *m.CausationID
			}
			if m.CorrelationID != nil {
				corr = *m.CorrelationID
			}
			if m.Schema != tc.ev.Schema || !m.OccurredAt.Equal(tc.ev.OccurredAt) || m.RecordedAt != rec ||
				m.Actor != tc.ev.Actor || caus != tc.ev.CausationID || corr != tc.ev.CorrelationID {
				t.Errorf("read back %+v from %+v", m, tc.ev)
			}
		})
	}
	refused := []struct{ name, in string }{
		{"empty metadata is refused", ``},
		{"metadata of another writer is refused", `{"$correlationId":"x"}`},
		{"another layout is refused", `{"pnyx":2,"schema":1,"recorded_at":"2026-01-01T00:00:00Z"}`},
		{"a zero schema is refused", `{"pnyx":1,"schema":0,"recorded_at":"2026-01-01T00:00:00Z"}`},
		{"a missing recorded time is refused", `{"pnyx":1,"schema":1}`},
		{"trailing data is refused", `{"pnyx":1,"schema":1,"recorded_at":"2026-01-01T00:00:00Z"} {}`},
		{"properties beside Pnyx's that are not the server's are refused", `{"pnyx":"{\"pnyx\":1,\"schema\":1,\"recorded_at\":\"2026-01-01T00:00:00Z\"}","tenant":"x"}`},
		{"properties whose envelope is itself properties are refused", `{"pnyx":"{\"pnyx\":\"{}\"}"}`},
		{"properties whose envelope is another layout are refused", `{"pnyx":"{\"pnyx\":2,\"schema\":1,\"recorded_at\":\"2026-01-01T00:00:00Z\"}"}`},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeMetadata([]byte(tc.in)); err == nil {
				t.Errorf("decoded %q", tc.in)
			}
		})
	}
}

func FuzzDecodeMetadata(f *testing.F) {
	f.Add(encodeMetadata(events.Event{Schema: 2, OccurredAt: time.Unix(0, 0)}, time.Unix(1, 0)))
	f.Add([]byte(`{"pnyx":1,"schema":1,"recorded_at":"2026-01-01T00:00:00Z","actor":{"token_id":"t"}}`))
	f.Add([]byte(`null`))
	f.Add(encodeProperties(events.Event{Schema: 2, OccurredAt: time.Unix(0, 0)}, time.Unix(1, 0)))
	f.Add([]byte(`{"pnyx":"{\"pnyx\":1,\"schema\":1,\"recorded_at\":\"2026-01-01T00:00:00Z\"}","$schema.name":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMetadata(b)
		if err != nil {
			return
		}
		// What decodes encodes to the same metadata.
		ev := events.Event{Schema: m.Schema, OccurredAt: m.OccurredAt, Actor: m.Actor}
		if m.CausationID != nil {
			ev.CausationID = *m.CausationID
		}
		if m.CorrelationID != nil {
			ev.CorrelationID = *m.CorrelationID
		}
		again, err := decodeMetadata(encodeMetadata(ev, m.RecordedAt))
		if err != nil {
			t.Fatalf("re-encoded metadata does not decode: %v", err)
		}
		a, _ := json.Marshal(m)
		b2, _ := json.Marshal(again)
		if string(a) != string(b2) {
			t.Fatalf("round trip changed %s into %s", a, b2)
		}
	})
}

func TestParseConnectionString(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		valid bool
	}{
		{"a kurrentdb URL without TLS is valid", "kurrentdb://localhost:2113?tls=false", true},
		{"an esdb URL is valid", "esdb://localhost:2113?tls=false", true},
		{"a cluster with discovery is valid", "kurrentdb+discover://admin:changeit@node1:2113,node2:2113,node3:2113", true},
		{"an upper-case scheme is valid", "KurrentDB://localhost:2113?tls=false", true},
		{"a sqlite setting is not a connection string", "sqlite:events.db", false},
		{"another scheme is refused", "postgres://localhost", false},
		{"a URL without a host is refused", "kurrentdb://", false},
		{"an unknown TLS value is refused", "kurrentdb://localhost:2113?tls=maybe", false},
		{"a deadline in milliseconds is valid", "kurrentdb://localhost:2113?tls=false&defaultDeadline=5000", true},
		{"a deadline that is not a number is refused (the client would keep zero)", "kurrentdb://localhost:2113?tls=false&defaultDeadline=soon", false},
		{"a zero deadline is refused", "kurrentdb://localhost:2113?tls=false&defaultDeadline=0", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConnectionString(tc.in)
			if tc.valid != (err == nil) {
				t.Fatalf("parse %q: %v", tc.in, err)
			}
			if err != nil && events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("code %q, want invalid", events.ErrorCode(err))
			}
		})
	}
	t.Run("a password never appears in an error or in Redact", func(t *testing.T) {
		in := "kurrentdb://admin:s3cr3t@localhost:2113?tls=maybe"
		_, err := ParseConnectionString(in)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error %v", err)
		}
		if r := Redact(in); strings.Contains(r, "s3cr3t") {
			t.Errorf("redacted %q", r)
		}
	})
}

func FuzzParseConnectionString(f *testing.F) {
	for _, s := range []string{
		"kurrentdb://localhost:2113?tls=false",
		"esdb+discover://admin:changeit@a:1,b:2?nodePreference=leader&defaultDeadline=1000",
		"kurrentdb://user:pa@ss@host:1",
		"esdb://[::1]:2113?tlsCAFile=/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConnectionString(s)
		if err != nil {
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("code %q for %q", events.ErrorCode(err), s)
			}
			if u := passwordOf(s); len(u) >= 4 && strings.Contains(err.Error(), u) {
				t.Fatalf("the error repeats the password of %q: %v", s, err)
			}
			return
		}
		if cfg == nil {
			t.Fatalf("nil configuration without an error for %q", s)
		}
		if p := passwordOf(s); len(p) >= 4 && strings.Contains(Redact(s), p) {
			t.Fatalf("Redact(%q) keeps the password", s)
		}
	})
}

// passwordOf is the text between the first ':' after the scheme and the
// last '@', roughly what a reader would take for the password.
func passwordOf(s string) string {
	_, rest, ok := strings.Cut(s, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return ""
	}
	_, p, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return ""
	}
	return p
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
