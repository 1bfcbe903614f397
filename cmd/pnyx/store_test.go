package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestStoreSetting(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		wantPath  string
		wantURL   string
		wantError bool
	}{
		{"no setting is events.db in the data directory", "", filepath.Join("data", "events.db"), "", false},
		{"sqlite:PATH is that file", "sqlite:/var/lib/pnyx/log.db", "/var/lib/pnyx/log.db", "", false},
		{"sqlite://PATH reads the same", "sqlite:///var/lib/pnyx/log.db", "/var/lib/pnyx/log.db", "", false},
		{"a relative sqlite path stays relative", "sqlite:./x/../events.db", "events.db", "", false},
		{"a kurrentdb connection string names a server", "kurrentdb://localhost:2113?tls=false", "", "kurrentdb://localhost:2113?tls=false", false},
		{"an esdb cluster string names a server", "esdb+discover://admin:changeit@a:2113,b:2113", "", "esdb+discover://admin:changeit@a:2113,b:2113", false},
		{"sqlite: without a path is refused", "sqlite:", "", "", true},
		{"a bare path is refused", "/var/lib/pnyx/events.db", "", "", true},
		{"another scheme is refused", "postgres://localhost/pnyx", "", "", true},
		{"a bad kurrentdb string is refused", "kurrentdb://localhost:2113?tls=perhaps", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStore(tc.in, "data")
			if tc.wantError {
				if events.ErrorCode(err) != events.CodeInvalid {
					t.Fatalf("parse %q: %+v, %v; want an invalid error", tc.in, got, err)
				}
				return
			}
			if err != nil || got.Path != tc.wantPath || got.URL != tc.wantURL {
				t.Fatalf("parse %q: %+v, %v; want path %q url %q", tc.in, got, err, tc.wantPath, tc.wantURL)
			}
		})
	}
	t.Run("the setting comes from PNYX_STORE and from --store, the flag winning", func(t *testing.T) {
		cleanEnv(t)
		t.Setenv("PNYX_STORE", "sqlite:/from/env.db")
		r := pnyx(t, context.Background(), nil, "events", "stats", "--data-dir", t.TempDir())
		if r.err == nil || !strings.Contains(r.err.Error(), "/from/env.db") {
			t.Errorf("with PNYX_STORE: %v", r.err)
		}
		r = pnyx(t, context.Background(), nil, "events", "stats", "--data-dir", t.TempDir(), "--store", "sqlite:/from/flag.db")
		if r.err == nil || !strings.Contains(r.err.Error(), "/from/flag.db") {
			t.Errorf("with --store: %v", r.err)
		}
	})
	t.Run("in pnyx.yaml the setting is store.url, beside the other store keys", func(t *testing.T) {
		cleanEnv(t)
		dir := t.TempDir()
		file := writeFile(t, dir, "pnyx.yaml", "store:\n  url: sqlite:/from/file.db\n  max_event_bytes: 2048\n")
		r := pnyx(t, context.Background(), nil, "events", "stats", "--config", file, "--data-dir", dir)
		if r.err == nil || !strings.Contains(r.err.Error(), "/from/file.db") {
			t.Errorf("with store.url in the file: %v", r.err)
		}
	})
	t.Run("a password in the setting never reaches an error", func(t *testing.T) {
		_, err := parseStore("kurrentdb://admin:hunter22@localhost:2113?tls=perhaps", "data")
		if err == nil || strings.Contains(err.Error(), "hunter22") {
			t.Errorf("error %v", err)
		}
	})
}

func FuzzStoreSetting(f *testing.F) {
	for _, s := range []string{"", "sqlite:events.db", "kurrentdb://localhost:2113?tls=false", "esdb://u:p@h:1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseStore(s, "data")
		if err != nil {
			if events.ErrorCode(err) != events.CodeInvalid {
				t.Fatalf("parse %q: code %q, want invalid", s, events.ErrorCode(err))
			}
			return
		}
		if (got.Path == "") == (got.URL == "") {
			t.Fatalf("parse %q: %+v names neither or both", s, got)
		}
	})
}
