package main

import (
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
)

// cli is what every command shares: the clock, the configuration and
// logger loaded before the command runs, and test hooks.
type cli struct {
	now func() time.Time // the clock; safe for concurrent use, like time.Now
	cfg config
	log *slog.Logger
	// stderr receives the logs; cobra's ErrOrStderr.
	stderr io.Writer
	// onListen, when set, learns the address serve listens on (tests
	// listen on port 0).
	onListen func(net.Addr)
	// onMigrated, when set, learns how many events pnyx migrate has
	// copied after each append (tests interrupt a migration with it).
	onMigrated func(copied int64)
}

// subcommands are the commands under pnyx (help lists them by name).
// Adding a command is one line here.
var subcommands = []func(*cli) *cobra.Command{
	newServeCommand,
	newDemoCommand,
	newEventsCommand,
	newProjectionsCommand,
	newMigrateCommand,
	newBackupCommand,
	newForgetCommand,
	newVaultCommand,
	newVerifyCommand,
	newReplayCommand,
	newExportCommand,
	newImportCommand,
	newVersionCommand,
	newGraphQLCommand,
	newTokenCommand,
	newBenchCommand,
}

// skipConfig marks commands that run without reading the configuration
// (pnyx version must work even when pnyx.yaml is broken).
const skipConfig = "pnyx/skip-config"

// newRootCommand builds the command tree. Commands write results to
// cmd.OutOrStdout() and logs to cmd.ErrOrStderr(), so tests run the tree
// with buffers.
func newRootCommand(c *cli) *cobra.Command {
	if c.now == nil {
		c.now = time.Now
	}
	root := &cobra.Command{
		Use:   "pnyx",
		Short: "Pnyx: the municipal record as an open, verifiable event log",
		Long: "Pnyx records every agenda, vote, decision, procurement step and citizen request\n" +
			"of a municipality as an immutable event, and publishes the log and its products.\n\n" +
			"Configuration: flags > PNYX_* environment variables > pnyx.yaml > defaults.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Subcommands must not define their own PersistentPreRunE: cobra
		// would run theirs instead of this one.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			c.stderr = cmd.ErrOrStderr()
			if cmd.Annotations[skipConfig] != "" {
				c.log = slog.New(slog.DiscardHandler)
				return nil
			}
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			c.cfg = cfg
			c.log = newLogger(c.stderr, cfg.LogFormat, cfg.LogLevel)
			return nil
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return events.Invalidf("%v (see %s --help)", err, cmd.CommandPath())
	})
	for _, sub := range subcommands {
		root.AddCommand(sub(c))
	}
	// Every setting's flag: persistent ones on root, serve's on serve.
	serve, _, _ := root.Find([]string{"serve"})
	addSettingFlags(root.PersistentFlags(), serve.Flags())
	return root
}

// storePath is the embedded event store's file: the store setting's
// path (DATA_DIR/events.db by default).
func (c *cli) storePath() string { return c.cfg.Store.Path }

// cobraArgs wraps a cobra argument check so a wrong argument is an invalid
// input (exit code 2), like a wrong flag.
func cobraArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return events.Invalidf("%v (see %s --help)", err, cmd.CommandPath())
		}
		return nil
	}
}
