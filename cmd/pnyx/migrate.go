package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
)

func newMigrateCommand(c *cli) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from STORE --to STORE",
		Short: "Copy the event log from one store to another, then prove both logs equal",
		Long: "Copy every event of the log at --from to the log at --to, in log order, with its\n" +
			"id, stream, version, type, schema, times, actor, causation and correlation ids\n" +
			"and data; a store is sqlite:PATH or a kurrentdb:// or esdb:// connection\n" +
			"string, as in the store setting. Stop pnyx serve and every other writer first.\n\n" +
			"A migration that was interrupted resumes: the events the target already holds\n" +
			"are checked against the source's first events and skipped. A target that holds\n" +
			"anything else is refused. Positions are each store's own (the embedded store's\n" +
			"are dense, KurrentDB's are not); everything else is copied exactly.\n\n" +
			"Afterwards both logs are read again and their canonical hashes compared (the\n" +
			"SHA-256 of every event's fields but its position, in log order); any difference\n" +
			"fails the command.",
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := parseStore(from, c.cfg.DataDir)
			if err == nil && from == "" {
				err = events.Invalidf("--from is required: the store to copy from")
			}
			if err != nil {
				return err
			}
			dst, err := parseStore(to, c.cfg.DataDir)
			if err == nil && to == "" {
				err = events.Invalidf("--to is required: the store to copy to")
			}
			if err != nil {
				return err
			}
			if src == dst {
				return events.Invalidf("--from and --to are the same store, %s", src)
			}
			return c.migrate(cmd.Context(), src, dst)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the store to copy from: sqlite:PATH, kurrentdb://… or esdb://…")
	cmd.Flags().StringVar(&to, "to", "", "the store to copy to: sqlite:PATH, kurrentdb://… or esdb://…")
	return cmd
}

// migrationGroup is the most events copied in one append: consecutive
// events of one stream recorded at the same time were one append, and are
// copied as one.
const migrationGroup = 100

// migrate copies the log of src into dst, resuming where dst stopped, and
// compares the two logs' canonical hashes.
func (c *cli) migrate(ctx context.Context, srcSetting, dstSetting storeSetting) error {
	src, err := c.openStoreAt(ctx, srcSetting, c.now)
	if err != nil {
		return fmt.Errorf("open the source: %w", err)
	}
	defer closeLogged(c, "source store", src.Close)
	// The target's clock is the recorded time of the event being copied,
	// so every event keeps the time the source recorded it at.
	var recordedAt atomic.Int64
	dst, err := c.openStoreAt(ctx, dstSetting, func() time.Time { return time.Unix(0, recordedAt.Load()).UTC() })
	if err != nil {
		return fmt.Errorf("open the target: %w", err)
	}
	defer closeLogged(c, "target store", dst.Close)

	want, err := digestLog(ctx, src)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	c.log.Info("migrate", "from", srcSetting.String(), "to", dstSetting.String(), "events", want.Events)

	// Resume: the target must hold a prefix of the source.
	srcCur := &logCursor{store: src}
	dstCur := &logCursor{store: dst}
	var done int64
	for {
		got, ok, err := dstCur.next(ctx)
		if err != nil {
			return fmt.Errorf("read the target: %w", err)
		}
		if !ok {
			break
		}
		ev, ok, err := srcCur.next(ctx)
		if err != nil {
			return fmt.Errorf("read the source: %w", err)
		}
		if !ok {
			return events.Errorf(events.CodeConflict, "the target holds more events than the source (%d): it is not a copy of it", want.Events)
		}
		if string(canonical(ev)) != string(canonical(got)) {
			return events.Errorf(events.CodeConflict, "the target's event %d (%s in %s) differs from the source's (%s in %s): the target is not a copy of the source",
				done, got.ID, got.Stream, ev.ID, ev.Stream)
		}
		done++
	}
	resumed := done
	if resumed > 0 {
		c.log.Info("migrate: resuming", "already_copied", resumed)
	}

	progress, finish := c.migrateProgress(want.Events)
	defer finish()
	progress(done)
	var group []events.RecordedEvent
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		first := group[0]
		batch := make([]events.Event, len(group))
		for i, ev := range group {
			batch[i] = events.Event{
				ID: ev.ID, Type: ev.Type, Schema: ev.Schema, OccurredAt: ev.OccurredAt, Actor: ev.Actor,
				CausationID: ev.CausationID, CorrelationID: ev.CorrelationID, Data: ev.Data,
			}
		}
		recordedAt.Store(first.RecordedAt.UnixNano())
		if _, err := dst.Append(ctx, first.Stream, events.Exact(first.Version-1), batch...); err != nil {
			return fmt.Errorf("copy event %s of %s: %w", first.ID, first.Stream, err)
		}
		done += int64(len(group))
		progress(done)
		if c.onMigrated != nil {
			c.onMigrated(done)
		}
		group = group[:0]
		return nil
	}
	for {
		ev, ok, err := srcCur.next(ctx)
		if err != nil {
			return fmt.Errorf("read the source: %w", err)
		}
		if !ok {
			break
		}
		if n := len(group); n > 0 {
			last := group[n-1]
			if n == migrationGroup || last.Stream != ev.Stream || last.Version+1 != ev.Version || !last.RecordedAt.Equal(ev.RecordedAt) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		group = append(group, ev)
	}
	if err := flush(); err != nil {
		return err
	}
	finish()

	got, err := digestLog(ctx, dst)
	if err != nil {
		return fmt.Errorf("read the target again: %w", err)
	}
	if got != want {
		return &events.Error{Code: events.CodeInternal, Message: fmt.Sprintf(
			"migration check FAILED: the source holds %d events with hash %s, the target %d events with hash %s",
			want.Events, want.Hash, got.Events, got.Hash)}
	}
	fmt.Fprintf(c.stderr, "migrate: %d events, %d copied now; both logs hash to sha256:%s\n", want.Events, done-resumed, want.Hash)
	return nil
}

func (c *cli) migrateProgress(total int64) (func(done int64), func()) {
	if isTerminal(c.stderr) {
		bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(c.stderr),
			progressbar.OptionSetDescription("migrate events"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.stderr) }))
		var once sync.Once
		return func(done int64) { _ = bar.Set64(done) }, func() { once.Do(func() { _ = bar.Finish() }) }
	}
	var last time.Time
	var at int64
	var once sync.Once
	return func(done int64) {
			at = done
			if now := c.now(); now.Sub(last) >= 5*time.Second {
				last = now
				c.log.Info("migrate progress", "events", done, "of", total)
			}
		}, func() {
			once.Do(func() { c.log.Info("migrate: copied", "events", at, "of", total) })
		}
}

// logDigest is a log's canonical hash, until the ledger's root replaces
// it: the number of events and the SHA-256 of their canonical forms in
// log order.
type logDigest struct {
	Events int64
	Hash   string
}

func digestLog(ctx context.Context, s events.Store) (logDigest, error) {
	h := sha256.New()
	cur := &logCursor{store: s}
	var n int64
	for {
		ev, ok, err := cur.next(ctx)
		if err != nil {
			return logDigest{}, err
		}
		if !ok {
			return logDigest{Events: n, Hash: hex.EncodeToString(h.Sum(nil))}, nil
		}
		writeField(h, canonical(ev))
		n++
	}
}

// canonical is an event's every field but its position (which each store
// assigns its own way), each length-prefixed so that no two events share
// a form.
func canonical(ev events.RecordedEvent) []byte {
	var b []byte
	field := func(p []byte) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	field(ev.ID[:])
	field([]byte(ev.Stream))
	field(binary.BigEndian.AppendUint64(nil, uint64(ev.Version)))
	field([]byte(ev.Type))
	field(binary.BigEndian.AppendUint64(nil, uint64(ev.Schema)))
	field([]byte(ev.OccurredAt.UTC().Format(time.RFC3339Nano)))
	field([]byte(ev.RecordedAt.UTC().Format(time.RFC3339Nano)))
	field([]byte(ev.Actor.TokenID))
	field([]byte(ev.Actor.Role))
	field(ev.CausationID[:])
	field(ev.CorrelationID[:])
	field(ev.Data)
	return b
}

func writeField(h hash.Hash, p []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(p)))
	h.Write(n[:])
	h.Write(p)
}

// logCursor reads a whole log in order, a page at a time.
type logCursor struct {
	store events.Store
	after events.Position
	page  []events.RecordedEvent
	ended bool
}

func (c *logCursor) next(ctx context.Context) (events.RecordedEvent, bool, error) {
	if len(c.page) == 0 && !c.ended {
		page, err := c.store.ReadAll(ctx, events.ReadAllOptions{After: c.after, Limit: events.DefaultReadLimit})
		if err != nil {
			return events.RecordedEvent{}, false, err
		}
		if len(page) == 0 {
			c.ended = true
		} else {
			c.page = page
			c.after = page[len(page)-1].Position
		}
	}
	if len(c.page) == 0 {
		return events.RecordedEvent{}, false, nil
	}
	ev := c.page[0]
	c.page = c.page[1:]
	return ev, true, nil
}
