// Command pnyx runs Pnyx: the HTTP server (pnyx serve) and the operator's
// tools on the event log (pnyx events ...). It holds commands, configuration
// and wiring only: main stays thin (signals, then the command tree of
// root.go, which reads the configuration of config.go), and one function,
// serve in serve.go, builds the parts of pnyx serve in the order they need
// each other. The HTTP side is package server's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &cli{now: time.Now}, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command tree with args, results to stdout and logs to
// stderr, and returns the exit code, having written any error to stderr.
func run(ctx context.Context, c *cli, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(c)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "pnyx: interrupted")
		return exitInterrupted
	default:
		fmt.Fprintln(stderr, "pnyx:", err)
		return exitCode(err)
	}
}

// exitInterrupted is the shell's code for a command stopped by SIGINT
// (128+2), used when SIGINT or SIGTERM cut a command short. pnyx serve
// instead shuts down cleanly and exits 0.
const exitInterrupted = 130

// exitCode is 2 for a refused input (a bad flag, argument or value), a
// command's own code for an error that carries one (pnyx verify's 3 for a
// divergence), 1 for anything else.
func exitCode(err error) int {
	var own interface{ ExitCode() int }
	if errors.As(err, &own) {
		return own.ExitCode()
	}
	if events.ErrorCode(err) == events.CodeInvalid {
		return 2
	}
	return 1
}
