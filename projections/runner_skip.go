package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/pnyx-civic/pnyx/events"
)

// The skips of failing events: see "Passing over an event that cannot be
// applied" in the package doc.

// PassedOver is one event a build passed over because applying it failed
// and a skip of it is on the log.
type PassedOver struct {
	Position events.Position `json:"position"`
	EventID  uuid.UUID       `json:"event_id"`
	Type     string          `json:"type"`
	// SkipPosition is the position of the skip's event, Reason its reason.
	SkipPosition events.Position `json:"skip_position"`
	Reason       string          `json:"reason"`
}

// skipOf returns the skip recorded for event re, if any.
func (r *Runner) skipOf(ctx context.Context, re events.RecordedEvent) (PassedOver, bool, error) {
	evs, err := r.log.ReadStream(ctx, events.SkipStream(re.ID), events.ReadStreamOptions{Limit: 1})
	switch {
	case errors.Is(err, events.ErrStreamNotFound):
		return PassedOver{}, false, nil
	case err != nil:
		return PassedOver{}, false, fmt.Errorf("look up a skip of event %d: %w", re.Position, err)
	case len(evs) == 0:
		return PassedOver{}, false, nil
	}
	p, err := events.Decode(evs[0])
	if err != nil {
		return PassedOver{}, false, fmt.Errorf("look up a skip of event %d: %w", re.Position, err)
	}
	sk, ok := p.(events.EventSkipped)
	if !ok || sk.EventID != re.ID {
		return PassedOver{}, false, nil
	}
	return PassedOver{Position: re.Position, EventID: re.ID, Type: re.Type, SkipPosition: evs[0].Position, Reason: sk.Reason}, true, nil
}

// awaitSkip blocks until a skip of the event that stopped a projection is
// on the log, or ctx ends. Errors of the log are retried with a growing
// pause.
func (r *Runner) awaitSkip(ctx context.Context, t *track, f *EventError) {
	pause := r.retry
	for {
		err := r.watchSkip(ctx, events.SkipStream(f.EventID))
		if err == nil || ctx.Err() != nil {
			return
		}
		r.logger.Warn("projection cannot watch for a skip of its failing event, will retry", "projection", t.p.Name(),
			"position", uint64(f.Position), "error", err, "retry_in", pause)
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		pause = min(2*pause, 32*r.retry)
	}
}

// watchSkip returns nil once stream has an event: at once when it has one
// already, otherwise when one is appended.
func (r *Runner) watchSkip(ctx context.Context, stream string) error {
	head, err := r.log.Head(ctx)
	if err != nil {
		return err
	}
	_, err = r.log.ReadStream(ctx, stream, events.ReadStreamOptions{Limit: 1})
	if err == nil {
		return nil
	}
	if !errors.Is(err, events.ErrStreamNotFound) {
		return err
	}
	sub, err := r.log.SubscribeAll(ctx, head)
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		batch, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		for _, ev := range batch {
			if ev.Stream == stream {
				return nil
			}
		}
	}
}

// passedOverSchema lists, per build, the events it passed over.
const passedOverSchema = `
CREATE TABLE IF NOT EXISTS projection_passed_over (
	projection    TEXT    NOT NULL,
	build         INTEGER NOT NULL,
	position      INTEGER NOT NULL,
	event_id      TEXT    NOT NULL,
	type          TEXT    NOT NULL,
	skip_position INTEGER NOT NULL,
	reason        TEXT    NOT NULL,
	PRIMARY KEY (projection, build, position)
);`

func recordPassedOver(ctx context.Context, c Execer, b buildRef, passed []PassedOver) error {
	for _, p := range passed {
		if _, err := c.ExecContext(ctx, `INSERT OR REPLACE INTO projection_passed_over
			(projection, build, position, event_id, type, skip_position, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			b.projection, b.build, p.Position, p.EventID.String(), p.Type, p.SkipPosition, p.Reason); err != nil {
			return fmt.Errorf("record event %d passed over: %w", p.Position, err)
		}
	}
	return nil
}

// loadPassedOver returns the events each build of projection passed over,
// in position order.
func loadPassedOver(ctx context.Context, q Queryer, projection string) (map[int64][]PassedOver, error) {
	rows, err := q.QueryContext(ctx, `SELECT build, position, event_id, type, skip_position, reason
		FROM projection_passed_over WHERE projection = ? ORDER BY build, position`, projection)
	if err != nil {
		return nil, fmt.Errorf("load events passed over by %s: %w", projection, err)
	}
	defer rows.Close()
	out := map[int64][]PassedOver{}
	for rows.Next() {
		var build int64
		var p PassedOver
		var id string
		if err := rows.Scan(&build, &p.Position, &id, &p.Type, &p.SkipPosition, &p.Reason); err != nil {
			return nil, fmt.Errorf("load events passed over by %s: %w", projection, err)
		}
		p.EventID, _ = uuid.Parse(id)
		out[build] = append(out[build], p)
	}
	return out, rows.Err()
}
