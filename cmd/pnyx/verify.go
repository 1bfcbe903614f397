package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/ledger"
)

// Exit codes of pnyx verify: 0 verified, exitBadInput (2, as every
// command's refused input), exitDiverged.
const exitDiverged = 3

// divergedExit marks an error as pnyx verify's finding, exit code 3.
type divergedExit struct{ err error }

func (e divergedExit) Error() string { return e.err.Error() }
func (e divergedExit) Unwrap() error { return e.err }
func (e divergedExit) ExitCode() int { return exitDiverged }

func newVerifyCommand(c *cli) *cobra.Command {
	var release, checkpoint, proof string
	var keys []string
	var inclusion uint64
	cmd := &cobra.Command{
		Use:   "verify [--release DIR] [--key KEY] | --inclusion POSITION --checkpoint FILE --proof FILE --key KEY",
		Short: "Recompute the ledger's tree and check every signed checkpoint against it",
		Long: "Recompute the RFC 6962 tree of the log from its events, compare every leaf with the one\n" +
			"the ledger recorded, check every checkpoint's signature and that each is the root of a\n" +
			"prefix of that one tree (so consecutive checkpoints are consistent), and name the first\n" +
			"position where anything diverges.\n\n" +
			"  pnyx verify                 the configured store and the ledger file beside it\n" +
			"  pnyx verify --release DIR   an export release alone (its ledger/ folder), offline\n" +
			"  pnyx verify --inclusion POSITION --checkpoint FILE --proof FILE\n" +
			"                              one event, offline: the proof as GET\n" +
			"                              /ledger/proof/inclusion serves it, against a checkpoint\n\n" +
			"--key is the ledger's verifier key as GET /ledger/key publishes it, or a file holding\n" +
			"it; without it the store's own key is used, or the release's (which proves only that\n" +
			"the release agrees with itself).\n" +
			"Exit codes: 0 verified, 3 diverged (the report names where), 2 bad input, 1 the check\n" +
			"could not run (the store unavailable).",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if cmd.Flags().Changed("inclusion") {
				if checkpoint == "" || proof == "" {
					return events.Invalidf("--inclusion needs --checkpoint FILE and --proof FILE")
				}
				return c.verifyInclusion(cmd, events.Position(inclusion), checkpoint, proof, keys)
			}
			var rep ledger.Report
			var err error
			if release != "" {
				rep, err = c.verifyRelease(ctx, release, keys)
			} else {
				rep, err = c.verifyStore(ctx, keys)
			}
			var d *ledger.DivergedError
			if errors.As(err, &d) {
				return divergedExit{err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "verified: %d events up to position %d, root %s; %d checkpoints hold (newest of size %d)\n",
				rep.Events, rep.Position, rep.Root, rep.Checkpoints, rep.Newest)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&release, "release", "", "verify the export release in DIR instead of the store")
	f.StringArrayVar(&keys, "key", nil, "the ledger's verifier key, or a file holding it; repeat it for the earlier keys after a rotation")
	f.Uint64Var(&inclusion, "inclusion", 0, "check that the event at POSITION is in the checkpoint's tree")
	f.StringVar(&checkpoint, "checkpoint", "", "with --inclusion: the signed checkpoint file")
	f.StringVar(&proof, "proof", "", "with --inclusion: the proof file (JSON of GET /ledger/proof/inclusion)")
	return cmd
}

// verifiersFrom reads each --key: a verifier key, or a file holding one.
func verifiersFrom(keys []string) ([]note.Verifier, error) {
	var out []note.Verifier
	for _, key := range keys {
		if b, err := os.ReadFile(key); err == nil {
			key = string(b)
		}
		v, err := ledger.ParseVerifierKey(strings.TrimSpace(key))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// verifyStore audits the configured store against the ledger file and its
// checkpoints.
func (c *cli) verifyStore(ctx context.Context, keys []string) (ledger.Report, error) {
	vs, err := verifiersFrom(keys)
	if err != nil {
		return ledger.Report{}, err
	}
	if len(vs) == 0 {
		b, err := os.ReadFile(c.cfg.Ledger.KeyPath)
		if err != nil {
			return ledger.Report{}, events.Invalidf("no --key given and no ledger key at %s to take it from", c.cfg.Ledger.KeyPath)
		}
		k, err := ledger.ParseSignerKey(strings.TrimSpace(string(b)))
		if err != nil {
			return ledger.Report{}, err
		}
		vs = append(vs, k.Verifier)
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return ledger.Report{}, err
	}
	defer st.Close()
	rec, err := ledger.OpenRecord(ctx, ledgerPath(c.cfg))
	if err != nil {
		return ledger.Report{}, err
	}
	defer rec.Close()
	cps, err := rec.Checkpoints(ctx)
	if err != nil {
		return ledger.Report{}, err
	}
	head, err := st.Head(ctx)
	if err != nil {
		return ledger.Report{}, err
	}
	progress, done := c.verifyProgress(int64(head))
	defer done()
	return ledger.Verify(ctx, ledger.Audit{
		Events: func(ctx context.Context, yield func(events.RecordedEvent) error) error {
			var after events.Position
			for {
				evs, err := st.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
				if err != nil || len(evs) == 0 {
					return err
				}
				for _, ev := range evs {
					if err := yield(ev); err != nil {
						return err
					}
				}
				after = evs[len(evs)-1].Position
			}
		},
		Checkpoints: cps,
		Verifiers:   vs,
		Recorded: func(ctx context.Context, fn func(int64, events.Position, tlog.Hash) (bool, error)) error {
			return rec.LeafHashes(ctx, 0, fn)
		},
		RecordedRoot: rec.TreeHash,
		Consistency:  rec.ConsistencyProof,
		RecordedSize: rec.Tree().Size,
		Progress:     progress,
	})
}

// verifyRelease audits a release folder on its own.
func (c *cli) verifyRelease(ctx context.Context, dir string, keys []string) (ledger.Report, error) {
	r, err := ledger.OpenRelease(dir)
	if err != nil {
		return ledger.Report{}, err
	}
	if len(keys) == 0 {
		if r.Key == "" {
			return ledger.Report{}, events.Invalidf("no --key given and the release carries none")
		}
		fmt.Fprintln(c.stderr, "pnyx verify: no --key given: checking with the release's own key, which proves only that the release agrees with itself; pass the key the municipality publishes")
		keys = []string{r.Key}
	}
	vs, err := verifiersFrom(keys)
	if err != nil {
		return ledger.Report{}, err
	}
	progress, done := c.verifyProgress(-1)
	defer done()
	return ledger.Verify(ctx, ledger.Audit{Events: r.Events, Checkpoints: r.Checkpoints, Verifiers: vs, Progress: progress})
}

// verifyInclusion checks one event's proof against a checkpoint, offline.
func (c *cli) verifyInclusion(cmd *cobra.Command, pos events.Position, checkpointFile, proofFile string, keys []string) error {
	if len(keys) == 0 {
		return events.Invalidf("--inclusion needs --key: the verifier key the municipality publishes")
	}
	vs, err := verifiersFrom(keys)
	if err != nil {
		return err
	}
	v := vs[0]
	msg, err := os.ReadFile(checkpointFile)
	if err != nil {
		return events.Invalidf("--checkpoint: %v", err)
	}
	cp, err := ledger.OpenCheckpoint(msg, vs...)
	if err != nil {
		if errors.Is(err, ledger.ErrBadSignature) {
			return divergedExit{fmt.Errorf("diverged: the checkpoint %s is not signed by %s", checkpointFile, v.Name())}
		}
		return err
	}
	b, err := os.ReadFile(proofFile)
	if err != nil {
		return events.Invalidf("--proof: %v", err)
	}
	var p ledger.InclusionProofJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return events.Invalidf("--proof %s: not an inclusion proof (JSON of GET /ledger/proof/inclusion): %v", proofFile, err)
	}
	if p.Position != pos {
		return events.Invalidf("--proof is of position %d, not %d", p.Position, pos)
	}
	if err := ledger.CheckInclusion(p, cp.Checkpoint); err != nil {
		return divergedExit{fmt.Errorf("diverged: %s", events.ErrorMessage(err))}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "verified: the event at position %d (leaf %d) is in the tree of size %d signed by %s\n%s\n",
		pos, p.Index, cp.Size, v.Name(), p.Leaf)
	return nil
}

// verifyProgress shows events checked on a terminal (with a bar when the
// total is known), and logs now and then otherwise.
func (c *cli) verifyProgress(total int64) (func(int64), func()) {
	if isTerminal(c.stderr) {
		bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(c.stderr), progressbar.OptionSetDescription("verify events"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		return func(n int64) { _ = bar.Set64(n) }, func() { _ = bar.Finish() }
	}
	var last time.Time
	return func(n int64) {
		if now := c.now(); now.Sub(last) >= 5*time.Second {
			last = now
			c.log.Info("verify progress", "events", n)
		}
	}, func() {}
}
