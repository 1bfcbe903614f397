package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// newEventsCommand groups the operator's tools on the event log. They talk
// to the store file directly; the public reads the log through the change
// feed of pnyx serve.
func newEventsCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Append to, read and measure the event log",
		Args:  cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newEventsAppendCommand(c), newEventsReadCommand(c), newEventsStatsCommand(c))
	return cmd
}

func newEventsAppendCommand(c *cli) *cobra.Command {
	var (
		stream, typ, data, expected, id, occurred, actorToken, actorRole string
		schema                                                           int
	)
	cmd := &cobra.Command{
		Use:   "append --stream S --type T --data JSON",
		Short: "Append one event outside the record and print the append result as JSON",
		Long: "Append one event to a stream and print {\"next_version\":V,\"position\":P}.\n" +
			"Give --id to make a retried append idempotent. --data - reads the data from\n" +
			"standard input, for data too large for a command line (up to the size limit).\n\n" +
			"This writes events outside the catalog only, such as the notes of another tool\n" +
			"or test events. The record (every type of docs/EVENTS.md, and every stream of\n" +
			"an aggregate: decision-…, meeting-…, access-…, or any stream that holds an\n" +
			"event of the catalog) is written only by commands through the command\n" +
			"service, which check each against the rules; such an append is refused as\n" +
			"forbidden and writes nothing.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range []string{"stream", "type", "data"} {
				if !cmd.Flags().Changed(name) {
					return events.Invalidf("--%s is required (see %s --help)", name, cmd.CommandPath())
				}
			}
			exp, err := events.ParseExpected(expected)
			if err != nil {
				return err
			}
			if data == "-" {
				if data, err = readData(cmd.InOrStdin(), c.cfg.MaxEventBytes); err != nil {
					return err
				}
			}
			ev := events.Event{
				Type:   typ,
				Schema: schema,
				Data:   json.RawMessage(data),
				Actor:  events.Actor{TokenID: actorToken, Role: actorRole},
			}
			if id != "" {
				if ev.ID, err = uuid.Parse(id); err != nil {
					return events.Invalidf("--id %q: want a UUID", id)
				}
			}
			if occurred != "" {
				t, err := time.Parse(time.RFC3339Nano, occurred)
				if err != nil {
					return events.Invalidf("--occurred-at %q: want an RFC 3339 time such as 2026-03-03T18:00:00Z", occurred)
				}
				ev.OccurredAt = t.UTC()
			}
			// Refuse bad input before the store file is created or opened.
			if err := events.ValidateStream(stream); err != nil {
				return err
			}
			if err := events.CheckRawAppend(stream, []events.Event{ev}); err != nil {
				return err
			}
			if err := events.ValidateAppend(stream, c.cfg.MaxEventBytes, []events.Event{ev}); err != nil {
				return err
			}
			ctx := cmd.Context()
			store, err := c.openStore(ctx)
			if err != nil {
				return err
			}
			res, err := appendRaw(ctx, store, stream, exp, ev)
			if cerr := store.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&stream, "stream", "", "stream to append to, such as import-notes-7, outside the aggregates' streams (required)")
	f.StringVar(&typ, "type", "", "event type, such as import.noted, outside the catalog (required)")
	f.StringVar(&data, "data", "", "event data, a JSON object, or - to read it from standard input (required)")
	f.StringVar(&expected, "expected", "any", "expected stream state: any, no-stream, stream-exists or the version of its last event")
	f.StringVar(&id, "id", "", "event id (UUID); a retry with the same id writes nothing new")
	f.IntVar(&schema, "schema", 1, "schema version of the event type's data")
	f.StringVar(&occurred, "occurred-at", "", "when the fact happened, RFC 3339 (default: when recorded)")
	f.StringVar(&actorToken, "actor-token", "cli", "id of the token recording the event (never a secret)")
	f.StringVar(&actorRole, "actor-role", "operator", "role of the one recording the event")
	return cmd
}

// appendRaw appends ev to stream unless the stream already holds an event
// of the catalog (a counter, say, whose kind CheckRawAppend cannot know).
// The check and the append are two steps: a command that starts such a
// stream between them is not seen, which a counter's owner tolerates no
// worse than a raw event appended before its first number.
func appendRaw(ctx context.Context, store events.Store, stream string, exp events.Expected, ev events.Event) (events.AppendResult, error) {
	first, err := store.ReadStream(ctx, stream, events.ReadStreamOptions{Limit: 1})
	switch {
	case errors.Is(err, events.ErrStreamNotFound):
	case err != nil:
		return events.AppendResult{}, err
	case len(first) == 1:
		if _, ok := events.Spec(first[0].Type); ok {
			return events.AppendResult{}, events.RawStreamRefusal(stream, first[0].Type)
		}
	}
	return store.Append(ctx, stream, exp, ev)
}

// stdinSlack is how much white space may follow data of the largest size
// on standard input (a final newline, an editor's indentation).
const stdinSlack = 64 << 10

// readData reads event data from r for --data -, trimmed of surrounding
// white space. More than maxEventBytes plus stdinSlack is refused without
// reading on; the size limit itself is checked with the rest of the event.
func readData(r io.Reader, maxEventBytes int) (string, error) {
	limit := int64(maxEventBytes) + stdinSlack
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", events.Invalidf("--data -: read standard input: %v", err)
	}
	if int64(len(b)) > limit {
		return "", events.Invalidf("--data -: standard input holds more than %d bytes, over the limit of %d", limit, maxEventBytes)
	}
	return string(bytes.TrimSpace(b)), nil
}

// readOptions are the flags of pnyx events read.
type readOptions struct {
	stream       string
	all          bool
	from         int64
	limit        int
	typePrefix   string
	streamPrefix string
}

func (o readOptions) validate() error {
	switch {
	case o.all == (o.stream != ""):
		return events.Invalidf("give exactly one of --stream S and --all")
	case o.from < 0:
		return events.Invalidf("--from %d: want a version or position >= 0", o.from)
	case o.limit < 0:
		return events.Invalidf("--limit %d: want a number of events >= 0 (0 reads to the end)", o.limit)
	case !o.all && (o.typePrefix != "" || o.streamPrefix != ""):
		return events.Invalidf("--type-prefix and --stream-prefix filter --all only")
	case o.stream != "":
		return events.ValidateStream(o.stream)
	}
	return nil
}

func newEventsReadCommand(c *cli) *cobra.Command {
	var o readOptions
	cmd := &cobra.Command{
		Use:   "read (--stream S | --all)",
		Short: "Write events as NDJSON, one recorded event per line",
		Long: "Write the events of one stream (from version --from) or of the whole log\n" +
			"(from position --from: events with position >= N) as NDJSON to stdout.\n" +
			"--limit 0 reads to the end.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			ctx := cmd.Context()
			store, err := c.openExistingStore(ctx)
			if err != nil {
				return err
			}
			err = readEvents(ctx, store, o, cmd.OutOrStdout())
			if cerr := store.Close(); err == nil {
				err = cerr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.stream, "stream", "", "read this stream")
	f.BoolVar(&o.all, "all", false, "read the whole log in position order")
	f.Int64Var(&o.from, "from", 0, "first version (--stream) or first position (--all) to read")
	f.IntVar(&o.limit, "limit", 0, "most events to write; 0 reads to the end")
	f.StringVar(&o.typePrefix, "type-prefix", "", "with --all, keep events whose type starts with this")
	f.StringVar(&o.streamPrefix, "stream-prefix", "", "with --all, keep events whose stream starts with this")
	return cmd
}

// readEvents pages through the store and writes each event as one JSON line.
func readEvents(ctx context.Context, store events.Store, o readOptions, out io.Writer) error {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	left := o.limit
	page := func() int {
		if left > 0 {
			return min(left, events.DefaultReadLimit)
		}
		return events.DefaultReadLimit
	}
	var after events.Position
	if o.from > 0 {
		after = events.Position(o.from - 1) // --from is the first position to read
	}
	version := o.from
	for {
		var (
			evs []events.RecordedEvent
			err error
		)
		n := page()
		if o.all {
			evs, err = store.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: n, TypePrefix: o.typePrefix, StreamPrefix: o.streamPrefix})
		} else {
			evs, err = store.ReadStream(ctx, o.stream, events.ReadStreamOptions{From: version, Limit: n})
		}
		if err != nil {
			return err
		}
		for i := range evs {
			if err := enc.Encode(&evs[i]); err != nil {
				return fmt.Errorf("write events: %w", err)
			}
		}
		if len(evs) == 0 {
			break
		}
		if o.all {
			// With filters a page may hold fewer than n events although
			// more follow, so only an empty page ends the read.
			after = evs[len(evs)-1].Position
		} else {
			version = evs[len(evs)-1].Version + 1
			if len(evs) < n {
				break
			}
		}
		if left > 0 {
			if left -= len(evs); left == 0 {
				break
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

func newEventsStatsCommand(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Print the number of events and streams, the head position and the file size as JSON",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, err := c.openExistingStore(ctx)
			if err != nil {
				return err
			}
			file, ok := store.(*sqlite.Store)
			if !ok {
				store.Close()
				return events.Invalidf("events stats reads the embedded store's file; the store is %s", c.cfg.Store)
			}
			st, err := file.Stats(ctx)
			if cerr := store.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), storeStats{
				Path: c.storePath(), Events: st.Events, Head: st.Head, Streams: st.Streams, FileBytes: st.FileBytes,
			})
		},
	}
}

// storeStats is the output of pnyx events stats.
type storeStats struct {
	Path      string          `json:"path"`
	Events    int64           `json:"events"`
	Head      events.Position `json:"head"`
	Streams   int64           `json:"streams"`
	FileBytes int64           `json:"file_bytes"`
}

// openExistingStore opens the store for reading; a missing file is an
// error rather than a new empty log in the wrong directory.
func (c *cli) openExistingStore(ctx context.Context) (logStore, error) {
	if c.cfg.Store.IsKurrentDB() {
		return c.openStore(ctx)
	}
	if _, err := os.Stat(c.storePath()); errors.Is(err, fs.ErrNotExist) {
		return nil, events.Errorf(events.CodeNotFound, "no event store at %s (check data_dir)", c.storePath())
	}
	return c.openStore(ctx)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
