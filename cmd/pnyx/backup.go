package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
)

func newBackupCommand(c *cli) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to DIR",
		Short: "Copy the embedded files (event store, read model, vault) while Pnyx runs",
		Long: "Write a consistent copy of each SQLite file of the data directory into DIR,\n" +
			"which must not exist yet or be empty: events.db (when the log is the embedded\n" +
			"store), readmodel.db, vault.db and the vault's key store vault-keys.db, each as\n" +
			"one online backup (VACUUM INTO: a snapshot taken in one read transaction, while\n" +
			"pnyx serve goes on writing), and vault.key copied as it is. Keep the copy of\n" +
			"vault.key apart from the others: together they open every citizen's personal\n" +
			"data. Keep copies of vault-keys.db for a short time only: a copy taken before a\n" +
			"person was forgotten holds their key (docs/PRIVACY.md). A log on KurrentDB is backed\n" +
			"up with the server's own tools (docs/DEPLOYMENT.md).",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return events.Invalidf("--to is required: the directory to write the backup into")
			}
			return c.backup(cmd.Context(), to)
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "directory to write the backup into; it must not exist yet or be empty")
	return cmd
}

// backup copies the data directory's SQLite files into dir.
func (c *cli) backup(ctx context.Context, dir string) error {
	if err := emptyDir(dir); err != nil {
		return err
	}
	files := []string{}
	if !c.cfg.Store.IsKurrentDB() {
		files = append(files, c.storePath())
	}
	files = append(files, readModelPath(c.cfg), vaultPath(c.cfg), vaultKeysPath(c.cfg))
	copied := 0
	for _, src := range files {
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			c.log.Info("backup: no such file, skipped", "file", src)
			continue
		}
		dst := filepath.Join(dir, filepath.Base(src))
		if err := backupSQLite(ctx, src, dst); err != nil {
			return err
		}
		c.log.Info("backup written", "file", src, "copy", dst)
		copied++
	}
	key := vaultMasterKeyPath(c.cfg)
	if b, err := os.ReadFile(key); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "vault.key"), b, 0o600); err != nil {
			return events.Errorf(events.CodeUnavailable, "backup: write the vault key's copy: %v", err)
		}
		copied++
	} else if !errors.Is(err, fs.ErrNotExist) {
		return events.Errorf(events.CodeUnavailable, "backup: read the vault key: %v", err)
	}
	if copied == 0 {
		return events.Errorf(events.CodeNotFound, "backup: no file to back up in %s (check data_dir)", c.cfg.DataDir)
	}
	fmt.Fprintf(c.stderr, "backup: %d files written to %s\n", copied, dir)
	return nil
}

// emptyDir creates dir, or checks that it is an empty directory: a backup
// never overwrites another.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return events.Errorf(events.CodeUnavailable, "backup: create %s: %v", dir, err)
		}
		return nil
	case err != nil:
		return events.Invalidf("backup: %s is not a directory that can be read: %v", dir, err)
	case len(entries) > 0:
		return events.Invalidf("backup: %s is not empty; a backup goes into a new or empty directory", dir)
	}
	return nil
}

// backupSQLite writes a consistent copy of the SQLite file src to dst with
// VACUUM INTO, which reads src in one transaction: writers in WAL mode go
// on meanwhile, and the copy is the state at the transaction's start, a
// complete database (no -wal file) that opens on its own.
func backupSQLite(ctx context.Context, src, dst string) error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: src}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return events.Errorf(events.CodeUnavailable, "backup %s: %v", filepath.Base(src), err)
	}
	defer db.Close()
	abs, err := filepath.Abs(dst)
	if err != nil {
		return events.Errorf(events.CodeUnavailable, "backup %s: %v", filepath.Base(src), err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return events.Errorf(events.CodeUnavailable, "backup %s: %v", filepath.Base(src), err)
	}
	return nil
}
