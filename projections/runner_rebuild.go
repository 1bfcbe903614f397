package projections

import (
	"context"
	"errors"

	"github.com/pnyx-civic/pnyx/events"
)

// Rebuild builds projection name again from position 0 into fresh tables,
// calling progress (if not nil) with the position reached and the head
// after every batch, and swaps the new build in once it has caught up;
// until then the serving build keeps serving (and, if Run is running, keeps
// following the log). It returns a not_found error for an unknown name, an
// *EventError when an event fails (the serving build is untouched), and
// ctx.Err() when ctx ends first (the unfinished build is dropped by the
// next rebuild).
func (r *Runner) Rebuild(ctx context.Context, name string, progress func(done, total events.Position)) error {
	t := r.byName[name]
	if t == nil {
		return events.Errorf(events.CodeNotFound, "no projection named %q", name)
	}
	if err := t.acquire(ctx); err != nil {
		return err
	}
	defer t.release()
	cp, err := r.startBuild(ctx, t)
	if err != nil {
		return err
	}
	err = r.follow(ctx, t, *cp, progress)
	if errors.Is(err, errCheckpointMoved) {
		return events.Errorf(events.CodeConflict, "rebuild of %s: another runner changed its checkpoints", name)
	}
	return err
}

// Names returns the names of the runner's projections, sorted.
func (r *Runner) Names() []string {
	out := make([]string, len(r.tracks))
	for i, t := range r.tracks {
		out[i] = t.p.Name()
	}
	return out
}
