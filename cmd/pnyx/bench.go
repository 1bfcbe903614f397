package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/graphql/bench"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/server"
)

func newBenchCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks against a running server, each beside its baseline in one run",
		Args:  cobraArgs(cobra.NoArgs),
	}
	var url string
	var duration time.Duration
	var rounds, clients int
	gq := &cobra.Command{
		Use:   "graphql [--url URL] [--duration 30s] [--clients 16]",
		Short: "The GraphQL goals against pnyx serve: the heavy query vs a SQL join, a typical page under concurrent clients, the response cache vs fixed bytes",
		Long: "Measures, against the server at --url (by default the configured listen address) and\n" +
			"its read model in the data directory:\n" +
			"  the heavy query over HTTP vs the same rows by one SQL join encoded as JSON (goal <= 3x);\n" +
			"  a typical page from --clients concurrent clients: p50, p99, throughput (goal p99 < 20 ms);\n" +
			"  a repeated anonymous query (response cache) vs a handler writing the same bytes (goal >= 0.5x).\n" +
			"Each pair alternates in rounds in one run; read the ratios, and the load printed beside them.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				url = "http://" + loopbackOf(c.cfg.Listen) + "/graphql"
			}
			db, err := projections.OpenReadOnly(cmd.Context(), readModelPath(c.cfg))
			if err != nil {
				return err
			}
			defer db.Close()
			r, err := bench.Run(cmd.Context(), bench.Options{URL: url, ReadModel: db, Duration: duration, Rounds: rounds,
				Clients: clients, Progress: cmd.ErrOrStderr(), ServeFixed: serveFixedApart})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "load average before %s, after %s\n", r.LoadBefore, r.LoadAfter)
			fmt.Fprintf(w, "heavy query        graphql %s/op   SQL join + JSON %s/op   ratio %.2fx (goal <= 3x)\n",
				ms(r.HeavyGraphQL), ms(r.HeavySQL), r.HeavyRatio())
			fmt.Fprintf(w, "typical page       %d clients: p50 %s  p99 %s  %.1f req/s (goal p99 < 20 ms)\n",
				r.TypicalClients, ms(r.TypicalP50), ms(r.TypicalP99), r.TypicalPerSecond)
			fmt.Fprintf(w, "repeated query     cached %s/op   fixed bytes %s/op   %.2fx the fixed handler's throughput (goal >= 0.5x)\n",
				ms(r.Cached), ms(r.FixedBytes), r.CachedThroughput())
			return nil
		},
	}
	gq.Flags().StringVar(&url, "url", "", "the server's GraphQL endpoint (default: the listen address's /graphql)")
	gq.Flags().DurationVar(&duration, "duration", 30*time.Second, "how long each side of each pair runs")
	gq.Flags().IntVar(&rounds, "rounds", 3, "how many times each pair alternates")
	gq.Flags().IntVar(&clients, "clients", 16, "concurrent clients of the typical page")
	cmd.AddCommand(gq)
	cmd.AddCommand(&cobra.Command{
		Use:    "fixed-bytes",
		Short:  "The fixed-bytes baseline of bench graphql, in a process of its own (started by it)",
		Long:   "Reads one answer as a JSON line on stdin, serves it on a loopback port on the\nnet/http server pnyx serve uses, prints its URL, and serves until stdin ends.",
		Hidden: true,
		Args:   cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.FixedServer(cmd.InOrStdin(), cmd.OutOrStdout(), func(h http.Handler) *http.Server {
				return server.NewHTTPServer(h, c.log)
			})
		},
	})
	return cmd
}

// serveFixedApart runs the fixed-bytes baseline in a process of its own,
// this executable's `bench fixed-bytes`, as the server runs in its own:
// see bench.Options.ServeFixed.
func serveFixedApart(ctx context.Context, a bench.Answer) (string, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("bench: this executable: %w", err)
	}
	child := exec.CommandContext(ctx, exe, "bench", "fixed-bytes")
	child.Stderr = os.Stderr
	in, err := child.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := child.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := child.Start(); err != nil {
		return "", nil, fmt.Errorf("bench: start the fixed-bytes baseline: %w", err)
	}
	stop := func() {
		_ = in.Close()
		_ = child.Wait()
	}
	if err := json.NewEncoder(in).Encode(a); err != nil {
		stop()
		return "", nil, fmt.Errorf("bench: hand the fixed-bytes baseline its answer: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bench: the fixed-bytes baseline did not start: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// loopbackOf is a listen address to dial: an unspecified host is the
// loopback.
func loopbackOf(listen string) string {
	if strings.HasPrefix(listen, ":") || strings.HasPrefix(listen, "0.0.0.0:") {
		return "127.0.0.1" + listen[strings.LastIndex(listen, ":"):]
	}
	return listen
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
