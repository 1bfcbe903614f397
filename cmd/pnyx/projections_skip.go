package main

import (
	"strconv"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/pnyx-civic/pnyx/events"
)

// newProjectionsSkipCommand is the administrator's way back from an event
// in the log that no code can apply: a command through the command
// service, with an admin's identity, that records a skip of it.
func newProjectionsSkipCommand(c *cli) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "skip POSITION --reason TEXT",
		Short: "Record that the projections pass over the event at POSITION, with the reason",
		Long: "Record, as an event of the log (skip.recorded in stream skip-<event id>), that\n" +
			"the projections pass over the event at POSITION when they cannot apply it:\n" +
			"an event written by an older version or another tool that stops the read\n" +
			"model at that position, at every restart and every rebuild. Who (the admin\n" +
			"token given with --token or PNYX_TOKEN), when and why (--reason) are on the record, in\n" +
			"the public change feed. A running pnyx serve resumes past the event once the\n" +
			"skip reaches it; rebuilds pass over it too. An event that applies is never\n" +
			"passed over, so a skip recorded by mistake changes nothing. pnyx projections\n" +
			"status lists the events passed over. Prints the skip as JSON; run again, it\n" +
			"writes nothing and prints the same skip with \"replayed\":true.",
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			pos, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || pos == 0 {
				return events.Invalidf("position %q: want the position of an event, a whole number from 1", args[0])
			}
			if !cmd.Flags().Changed("reason") {
				return events.Invalidf("--reason is required: say why the event is passed over, for the record")
			}
			ctx := cmd.Context()
			store, err := c.openExistingStore(ctx)
			if err != nil {
				return err
			}
			defer store.Close()
			evs, err := store.ReadAll(ctx, events.ReadAllOptions{After: events.Position(pos - 1), Limit: 1})
			if err != nil {
				return err
			}
			if len(evs) == 0 || evs[0].Position != events.Position(pos) {
				return events.Errorf(events.CodeNotFound, "no event at position %d", pos)
			}
			ev := evs[0]
			svc := events.NewService(store, events.ServiceOptions{Now: c.now})
			actor, err := c.actor(ctx, svc)
			if err != nil {
				return err
			}
			h, err := svc.Handle(ctx, events.SkipEvent{
				EventID: ev.ID, Position: ev.Position, EventStream: ev.Stream, EventVersion: ev.Version,
				EventType: ev.Type, Reason: reason, SkippedBy: actor.TokenID, At: c.now(),
			}, events.WithActor(actor), events.WithIdempotencyKey("skip:"+ev.ID.String()))
			if err != nil {
				return err
			}
			_, decodeErr := events.Decode(ev)
			return writeJSON(cmd.OutOrStdout(), skipOutput{
				Skipped: ev.Position, EventID: ev.ID, Type: ev.Type, Stream: ev.Stream,
				Decodes: decodeErr == nil, Position: h.Result.Position, Replayed: h.Replayed,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&reason, "reason", "", "why the event is passed over, for the public record (required)")
	return cmd
}

// skipOutput is what pnyx projections skip prints. Decodes tells whether
// this build can decode the event: one that decodes is passed over only by
// a projection whose Apply fails on it.
type skipOutput struct {
	Skipped  events.Position `json:"skipped"`
	EventID  uuid.UUID       `json:"event_id"`
	Type     string          `json:"type"`
	Stream   string          `json:"stream"`
	Decodes  bool            `json:"decodes"`
	Position events.Position `json:"position"`
	Replayed bool            `json:"replayed"`
}
