package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/vault"
)

// masterKeyEnv holds the vault's master key as 64 hex digits, instead of
// the master key file: for a secret store that injects it. It is read
// here only, never from a configuration file.
const masterKeyEnv = "PNYX_VAULT_MASTER_KEY"

// vaultPath is the vault's records file in the data directory.
func vaultPath(cfg config) string { return filepath.Join(cfg.DataDir, "vault.db") }

// vaultKeysPath is the vault's key store: vault.keys_file, by default
// vault-keys.db in the data directory.
func vaultKeysPath(cfg config) string {
	if cfg.VaultKeysFile != "" {
		return cfg.VaultKeysFile
	}
	return filepath.Join(cfg.DataDir, "vault-keys.db")
}

// vaultMasterKeyPath is the master key's file: vault.master_key_file, by
// default vault.key in the data directory.
func vaultMasterKeyPath(cfg config) string {
	if cfg.VaultMasterKeyFile != "" {
		return cfg.VaultMasterKeyFile
	}
	return filepath.Join(cfg.DataDir, "vault.key")
}

// openVault opens the vault with the master key of PNYX_VAULT_MASTER_KEY
// or of the master key file. create lets a fresh installation (serve, the
// demo) draw a new master key into the file when there is none; otherwise
// a missing master key is an invalid error and nothing is written.
func (c *cli) openVault(ctx context.Context, create bool) (*vault.Vault, error) {
	key, err := c.masterKey(create)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return vault.Open(ctx, vaultPath(c.cfg), vault.Options{MasterKey: key, KeysPath: vaultKeysPath(c.cfg), Now: c.now})
}

func (c *cli) masterKey(create bool) ([]byte, error) {
	if s := strings.TrimSpace(os.Getenv(masterKeyEnv)); s != "" {
		key, err := hex.DecodeString(s)
		if err != nil || len(key) != vault.MasterKeySize {
			return nil, events.Invalidf("%s: want %d bytes as %d hex digits", masterKeyEnv, vault.MasterKeySize, 2*vault.MasterKeySize)
		}
		return key, nil
	}
	path := vaultMasterKeyPath(c.cfg)
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, events.Invalidf("the vault's master key is missing: set %s or vault.master_key_file (%s does not exist)", masterKeyEnv, path)
		}
		return newKeyFile(path)
	}
	return key, err
}

// readKeyFile reads a master key file: MasterKeySize raw bytes.
func readKeyFile(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, events.Errorf(events.CodeUnavailable, "read the vault's master key: %v", err)
	}
	if len(key) != vault.MasterKeySize {
		return nil, events.Invalidf("vault master key %s is %d bytes; want %d", path, len(key), vault.MasterKeySize)
	}
	return key, nil
}

// newKeyFile draws a master key from crypto/rand into a new file at path,
// readable by its owner only; it never overwrites a file.
func newKeyFile(path string) ([]byte, error) {
	key := make([]byte, vault.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, events.Errorf(events.CodeUnavailable, "create the master key's directory: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, events.Errorf(events.CodeUnavailable, "write the vault's master key: %v", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, events.Errorf(events.CodeUnavailable, "write the vault's master key: %v", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, events.Errorf(events.CodeUnavailable, "write the vault's master key: %v", err)
	}
	return key, f.Close()
}

// newForgetCommand is pnyx forget: the vault forgets a person, then the
// log records that it did, without naming them.
func newForgetCommand(c *cli) *cobra.Command {
	var subject, reason string
	cmd := &cobra.Command{
		Use:   "forget --subject ID --reason TEXT",
		Short: "Forget a citizen: destroy their key and record, and record that it happened",
		Long: "Destroy the key, link secret and record of the citizen whose vault reference is\n" +
			"--subject (subj-...), so every comment and request text they wrote becomes\n" +
			"unreadable by every path, and append a subject.forgotten event with the public\n" +
			"--reason (such as the article of the GDPR; never the person's name). The event\n" +
			"names neither the person nor their acts; the read model, applying it, shows their\n" +
			"texts as \"" + events.ForgottenText + "\". Running it again for the same person\n" +
			"records the event again and changes nothing else.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.forget(cmd.Context(), events.SubjectRef(subject), reason)
		},
	}
	cmd.Flags().StringVar(&subject, "subject", "", "the person's vault reference, subj- and 32 hex digits")
	cmd.Flags().StringVar(&reason, "reason", "", "the public reason for forgetting")
	return cmd
}

func (c *cli) forget(ctx context.Context, subject events.SubjectRef, reason string) error {
	if err := subject.Validate(); err != nil {
		return err
	}
	if err := events.ValidateText("--reason", reason, events.MaxReasonRunes); err != nil {
		return err
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// The admin's token is checked before the person's key is destroyed.
	svc := events.NewService(st, events.ServiceOptions{Now: c.now})
	actor, err := c.actor(ctx, svc)
	if err != nil {
		return err
	}
	if !events.Allowed(events.AccessRole(actor.Role), events.RecordForgetting{}) {
		return events.Errorf(events.CodeForbidden, "the role %s may not record forgetting; an admin's token records it", actor.Role)
	}
	v, err := c.openVault(ctx, false)
	if err != nil {
		return err
	}
	defer v.Close()
	erasure, err := events.Forget(ctx, v, svc, subject, reason, c.now(), events.WithActor(actor))
	if err != nil {
		return err
	}
	c.log.Info("a person was forgotten", "erasure", erasure)
	fmt.Fprintf(c.stderr, "forget: the person's key and record are destroyed; recorded as %s\n", erasure)
	return nil
}

// newVaultCommand is pnyx vault: the vault's own maintenance.
func newVaultCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vault",
		Short: "Maintain the personal-data vault",
		Args:  cobraArgs(cobra.NoArgs),
	}
	var next string
	rotate := &cobra.Command{
		Use:   "rotate-master --new-key-file PATH",
		Short: "Rewrap every person's key under a new master key",
		Long: "Rewrap every key of the vault's key store under the master key in --new-key-file\n" +
			"(drawn at random into a new file, readable by its owner only, when PATH does not\n" +
			"exist), in one transaction: on an error nothing changes and the current master\n" +
			"key still opens the vault. The event log is not touched. Stop pnyx serve first:\n" +
			"a running server holds the old master key. Afterwards point\n" +
			"vault.master_key_file (or " + masterKeyEnv + ") at the new key, start the server,\n" +
			"and destroy the old key.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.rotateMaster(cmd.Context(), next)
		},
	}
	rotate.Flags().StringVar(&next, "new-key-file", "", "file of the new master key; created when it does not exist")
	cmd.AddCommand(rotate)
	return cmd
}

func (c *cli) rotateMaster(ctx context.Context, next string) error {
	if next == "" {
		return events.Invalidf("--new-key-file is required")
	}
	if abs, _ := filepath.Abs(next); abs == absPath(vaultMasterKeyPath(c.cfg)) && os.Getenv(masterKeyEnv) == "" {
		return events.Invalidf("--new-key-file is the current master key's file; name a new file")
	}
	v, err := c.openVault(ctx, false)
	if err != nil {
		return err
	}
	defer v.Close()
	key, err := readKeyFile(next)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = newKeyFile(next)
	}
	if err != nil {
		return err
	}
	defer clear(key)
	n, err := v.RotateMaster(ctx, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "vault: %d keys rewrapped under the master key in %s; point vault.master_key_file at it and destroy the old key\n", n, next)
	return nil
}

func absPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}
