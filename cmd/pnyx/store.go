package main

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// storeSetting is the parsed value of the store setting: the embedded
// SQLite file at Path, or the KurrentDB server named by URL.
type storeSetting struct {
	Path string // sqlite: the events.db file
	URL  string // kurrentdb: the connection string
}

// IsKurrentDB reports whether the log is on a KurrentDB server.
func (s storeSetting) IsKurrentDB() bool { return s.URL != "" }

// String is the setting as a log line may show it (no password).
func (s storeSetting) String() string {
	if s.IsKurrentDB() {
		return kurrentdb.Redact(s.URL)
	}
	return "sqlite:" + s.Path
}

// parseStore reads a store setting: "" (the default) is
// sqlite:DATA_DIR/events.db; sqlite:PATH is that file; a kurrentdb://,
// esdb:// (or +discover) connection string names a server.
func parseStore(s, dataDir string) (storeSetting, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return storeSetting{Path: filepath.Join(dataDir, "events.db")}, nil
	case strings.HasPrefix(s, "sqlite:"):
		path := strings.TrimSpace(strings.TrimPrefix(s, "sqlite:"))
		path = strings.TrimPrefix(path, "//") // sqlite://PATH reads the same
		if path == "" {
			return storeSetting{}, events.Invalidf("store %q: sqlite: needs a file path, such as sqlite:./pnyx-data/events.db", s)
		}
		if strings.ContainsRune(path, 0) {
			return storeSetting{}, events.Invalidf("store: the sqlite path contains a NUL")
		}
		return storeSetting{Path: filepath.Clean(path)}, nil
	case kurrentdb.IsConnectionString(s):
		if _, err := kurrentdb.ParseConnectionString(s); err != nil {
			return storeSetting{}, err
		}
		return storeSetting{URL: s}, nil
	}
	return storeSetting{}, events.Invalidf("store %q: want sqlite:PATH, kurrentdb://HOST:PORT or esdb://HOST:PORT", kurrentdb.Redact(s))
}

// logStore is an event log the commands can close.
type logStore interface {
	events.Store
	Close() error
}

// openStore opens the configured event log: the embedded file (created
// when missing; its subscriptions see appends of this process at once and
// those of another process, such as pnyx events append, within the poll
// interval) or the KurrentDB server.
func (c *cli) openStore(ctx context.Context) (logStore, error) {
	return c.openStoreAt(ctx, c.cfg.Store, c.now)
}

// openStoreAt opens the log of setting st, stamping appends with now.
func (c *cli) openStoreAt(ctx context.Context, st storeSetting, now func() time.Time) (logStore, error) {
	if st.IsKurrentDB() {
		return kurrentdb.Open(ctx, st.URL, kurrentdb.Options{
			MaxEventBytes: c.cfg.MaxEventBytes,
			Now:           now,
			Logger:        c.log,
		})
	}
	return sqlite.Open(ctx, st.Path, sqlite.Options{
		MaxEventBytes: c.cfg.MaxEventBytes,
		PollInterval:  c.cfg.PollInterval,
		Now:           now,
		Logger:        c.log,
	})
}
