package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func newReplayCommand(c *cli) *cobra.Command {
	var stream, decision, body string
	var asJSON, all, check bool
	cmd := &cobra.Command{
		Use:   "replay --stream STREAM | --decision N/YEAR --body ID | --all --check",
		Short: "Show a history event by event with the state after each step, or check the read model against a rebuild",
		Long: "Replay one aggregate's history from the log: each event with who recorded it (token\n" +
			"and role), when it happened and when it was recorded, and the aggregate's state after\n" +
			"it (the fields that changed in the table; the whole state with --json).\n\n" +
			"  pnyx replay --stream decision-42\n" +
			"  pnyx replay --decision 123/2026 --body council   a decision by its public number\n" +
			"  pnyx replay --all --check   rebuild every projection from the log into a temporary\n" +
			"                              folder and compare it with the live read model, naming\n" +
			"                              every difference (exit 3 when there is one)",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			switch {
			case all || check:
				if !all || !check || stream != "" || decision != "" {
					return events.Invalidf("--all and --check go together, without --stream or --decision")
				}
				return c.replayCheck(ctx, cmd.OutOrStdout())
			case decision != "":
				if stream != "" || body == "" {
					return events.Invalidf("--decision needs --body (the body whose numbering it is) and no --stream")
				}
				return c.replayDecision(ctx, cmd.OutOrStdout(), decision, body, asJSON)
			case stream != "":
				return c.replayStream(ctx, cmd.OutOrStdout(), stream, asJSON)
			}
			return events.Invalidf("give --stream, --decision with --body, or --all --check")
		},
	}
	f := cmd.Flags()
	f.StringVar(&stream, "stream", "", "the stream to replay, such as decision-42")
	f.StringVar(&decision, "decision", "", "a decision's public number, such as 123/2026")
	f.StringVar(&body, "body", "", "with --decision: the id of the body that numbered it")
	f.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	f.BoolVar(&all, "all", false, "with --check: every projection")
	f.BoolVar(&check, "check", false, "with --all: compare the read model with a rebuild from the log")
	return cmd
}

// replayStep is one event of a replay with the state after it.
type replayStep struct {
	Position   events.Position `json:"position"`
	Version    int64           `json:"version"`
	Type       string          `json:"type"`
	Actor      events.Actor    `json:"actor"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Data       json.RawMessage `json:"data"`
	State      json.RawMessage `json:"state"`
}

// replayDecision finds the stream that took number n/year of body's
// decision counter, and replays it.
func (c *cli) replayDecision(ctx context.Context, w io.Writer, ref, body string, asJSON bool) error {
	num, yearText, ok := strings.Cut(ref, "/")
	n, err1 := strconv.ParseInt(num, 10, 64)
	year, err2 := strconv.Atoi(yearText)
	if !ok || err1 != nil || err2 != nil || n < 1 {
		return events.Invalidf("--decision %q: want a number like 123/2026", ref)
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	counter := fmt.Sprintf("decisionnumber-%s-%d", body, year)
	evs, err := readStream(ctx, st, counter)
	if errors.Is(err, events.ErrStreamNotFound) {
		return events.Errorf(events.CodeNotFound, "body %s numbered no decisions in %d", body, year)
	}
	if err != nil {
		return err
	}
	for _, ev := range evs {
		var adv events.CounterAdvanced
		if json.Unmarshal(ev.Data, &adv) == nil && adv.Number == n {
			return c.replay(ctx, w, st, adv.For, asJSON)
		}
	}
	return events.Errorf(events.CodeNotFound, "body %s has no decision %d/%d", body, n, year)
}

func (c *cli) replayStream(ctx context.Context, w io.Writer, stream string, asJSON bool) error {
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return c.replay(ctx, w, st, stream, asJSON)
}

// replay folds stream's events with its aggregate's Evolve and prints
// each with the state after it.
func (c *cli) replay(ctx context.Context, w io.Writer, st events.Store, stream string, asJSON bool) error {
	if err := events.ValidateStream(stream); err != nil {
		return err
	}
	agg, err := events.AggregateOf(stream)
	if err != nil {
		return err
	}
	evs, err := readStream(ctx, st, stream)
	if errors.Is(err, events.ErrStreamNotFound) {
		return events.Errorf(events.CodeNotFound, "stream %s has no events", stream)
	}
	if err != nil {
		return err
	}
	state := agg.Initial()
	steps := make([]replayStep, 0, len(evs))
	for _, ev := range evs {
		p, err := events.Decode(ev)
		if err == nil {
			state = agg.Evolve(state, p)
		}
		s, merr := json.Marshal(state)
		if merr != nil {
			return merr
		}
		steps = append(steps, replayStep{Position: ev.Position, Version: ev.Version, Type: ev.Type, Actor: ev.Actor,
			OccurredAt: ev.OccurredAt.UTC(), RecordedAt: ev.RecordedAt.UTC(), Data: ev.Data, State: s})
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Stream string       `json:"stream"`
			Steps  []replayStep `json:"steps"`
		}{stream, steps})
	}
	return writeReplayTable(w, stream, steps)
}

// writeReplayTable prints one row per event, and under it the fields of
// the state that the event changed.
func writeReplayTable(w io.Writer, stream string, steps []replayStep) error {
	fmt.Fprintf(w, "%s: %d events\n\n", stream, len(steps))
	// The rows are aligned on their own, then the state lines go between
	// them, so long states do not widen the columns.
	var rows bytes.Buffer
	tw := tabwriter.NewWriter(&rows, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tPOSITION\tTYPE\tRECORDED BY\tOCCURRED\tRECORDED")
	for _, s := range steps {
		by := s.Actor.Role
		if s.Actor.TokenID != "" {
			by += " (" + s.Actor.TokenID + ")"
		}
		late := ""
		if d := s.RecordedAt.Sub(s.OccurredAt); d >= 24*time.Hour {
			late = fmt.Sprintf("  (%d days later)", int(d/(24*time.Hour)))
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s%s\n", s.Version, s.Position, s.Type, by,
			s.OccurredAt.Format(time.RFC3339), s.RecordedAt.Format(time.RFC3339), late)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(rows.String(), "\n"), "\n")
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, lines[0])
	var prev map[string]json.RawMessage
	for i, s := range steps {
		fmt.Fprintln(bw, lines[i+1])
		var cur map[string]json.RawMessage
		if json.Unmarshal(s.State, &cur) != nil {
			fmt.Fprintf(bw, "    state: %s\n", clip(string(s.State)))
			continue
		}
		keys := make([]string, 0, len(cur))
		for k := range cur {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if prev != nil && string(prev[k]) == string(cur[k]) {
				continue
			}
			if prev == nil && isEmptyJSON(cur[k]) {
				continue
			}
			fmt.Fprintf(bw, "    %s = %s\n", k, clip(string(cur[k])))
		}
		prev = cur
	}
	return bw.Flush()
}

func isEmptyJSON(v json.RawMessage) bool {
	switch string(v) {
	case `""`, "0", "null", "[]", "{}", "false":
		return true
	}
	return false
}

// clip keeps a value on one readable line.
func clip(s string) string {
	const n = 100
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func readStream(ctx context.Context, st events.Store, stream string) ([]events.RecordedEvent, error) {
	var out []events.RecordedEvent
	var from int64
	for {
		evs, err := st.ReadStream(ctx, stream, events.ReadStreamOptions{From: from, Limit: events.MaxReadLimit})
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
		if len(evs) < events.MaxReadLimit {
			return out, nil
		}
		from = evs[len(evs)-1].Version + 1
	}
}

// replayCheck rebuilds every projection into a temporary folder and
// compares its dump with the live read model's.
func (c *cli) replayCheck(ctx context.Context, w io.Writer) error {
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	people, err := c.openVault(ctx, true)
	if err != nil {
		return err
	}
	defer people.Close()
	head, err := st.Head(ctx)
	if err != nil {
		return err
	}
	live, err := projections.OpenReadOnly(ctx, readModelPath(c.cfg))
	if err != nil {
		return err
	}
	defer live.Close()
	for _, p := range projectionList(people) {
		pos, err := projections.ServingPosition(ctx, live, p.Name())
		if err != nil {
			return err
		}
		if pos != head {
			return events.Errorf(events.CodeUnavailable, "the live projection %s serves position %d and the log's head is %d: compare when it has caught up (stop writers or wait)", p.Name(), pos, head)
		}
	}
	tmp, err := os.MkdirTemp("", "pnyx-replay-check-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db, err := projections.OpenReadModel(ctx, filepath.Join(tmp, "readmodel.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	runner, err := projections.NewRunner(db, st, projectionList(people), projections.Options{Now: c.now, Logger: c.log})
	if err != nil {
		return err
	}
	defer runner.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(rctx) }()
	werr := runner.WaitFor(ctx, head)
	cancel()
	if err := errors.Join(werr, <-done); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	// Dump reads the contentless search index through a temporary table,
	// which a read-only connection cannot create: the dump opens the file
	// read-write (it exists: its positions were read above) and writes
	// nothing to it.
	liveRW, err := projections.OpenReadModel(ctx, readModelPath(c.cfg))
	if err != nil {
		return err
	}
	defer liveRW.Close()
	liveDump, err := dumpTo(ctx, liveRW, filepath.Join(tmp, "live.dump"))
	if err != nil {
		return err
	}
	rebuiltDump, err := dumpTo(ctx, db, filepath.Join(tmp, "rebuilt.dump"))
	if err != nil {
		return err
	}
	diffs, err := compareDumps(liveDump, rebuiltDump, w, 50)
	if err != nil {
		return err
	}
	if diffs > 0 {
		return divergedExit{fmt.Errorf("diverged: the live read model differs from a rebuild from the log in %d rows (listed above)", diffs)}
	}
	fmt.Fprintf(w, "checked: the live read model is exactly a rebuild from the log at position %d (%d projections)\n", head, len(projectionList(nil)))
	return nil
}

func dumpTo(ctx context.Context, db *sql.DB, path string) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := projections.Dump(ctx, db, f); err != nil {
		return "", err
	}
	return path, f.Close()
}

// compareDumps merges two dumps (tables in order, rows sorted within
// each) and writes each row found in one only, at most max of them; it
// returns how many there are.
func compareDumps(livePath, rebuiltPath string, w io.Writer, max int) (int, error) {
	a, err := newDumpReader(livePath)
	if err != nil {
		return 0, err
	}
	defer a.close()
	b, err := newDumpReader(rebuiltPath)
	if err != nil {
		return 0, err
	}
	defer b.close()
	n := 0
	report := func(side, table, line string) {
		n++
		if n <= max {
			fmt.Fprintf(w, "%s %s: %s\n", side, table, clip(line))
		}
	}
	for a.ok || b.ok {
		switch {
		case a.ok && b.ok && a.key() == b.key():
			a.next()
			b.next()
		case !b.ok || (a.ok && a.key() < b.key()):
			report("only in the live read model", a.table, a.line)
			a.next()
		default:
			report("only in the rebuild", b.table, b.line)
			b.next()
		}
	}
	if n > max {
		fmt.Fprintf(w, "… and %d more\n", n-max)
	}
	return n, errors.Join(a.err, b.err)
}

// dumpReader walks a dump's rows with the table each is in.
type dumpReader struct {
	f      *os.File
	sc     *bufio.Scanner
	table  string
	line   string
	ok     bool
	header bool // the next line is a table's column line
	err    error
}

func newDumpReader(path string) (*dumpReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &dumpReader{f: f, sc: bufio.NewScanner(f)}
	r.sc.Buffer(make([]byte, 1<<20), 64<<20)
	r.next()
	return r, nil
}

// key orders rows by table, then by the row's text; a table's column
// line sorts before its rows.
func (r *dumpReader) key() string { return r.table + "\x00" + r.line }

func (r *dumpReader) next() {
	for r.sc.Scan() {
		line := r.sc.Text()
		if strings.HasPrefix(line, "## ") {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "## "), " (")
			r.table, r.header = name, true
			continue
		}
		if r.header {
			r.header = false
			r.line, r.ok = "\x00columns "+line, true
			return
		}
		r.line, r.ok = line, true
		return
	}
	r.ok, r.err = false, r.sc.Err()
}

func (r *dumpReader) close() { r.f.Close() }
