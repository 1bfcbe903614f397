// Command pnyx runs Pnyx: the HTTP server (pnyx serve) and the operator's
// tools on the event log (pnyx events ...). main stays thin: signals,
// then the command tree of root.go, which reads the configuration and wires
// the pieces.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand(&cli{now: time.Now}).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pnyx:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for a refused input (a bad flag, argument or value), 1 for
// anything else.
func exitCode(err error) int {
	if events.ErrorCode(err) == events.CodeInvalid {
		return 2
	}
	return 1
}
