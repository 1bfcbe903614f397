package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// State is what a projection is doing.
type State string

const (
	// StateStarting: the runner has not read the projection's checkpoint
	// yet.
	StateStarting State = "starting"
	// StateRunning: the serving build is behind the head and being applied.
	StateRunning State = "running"
	// StateCaughtUp: the serving build has applied the whole log.
	StateCaughtUp State = "caught_up"
	// StateRebuilding: a new build is catching up; readers still see the
	// previous one, if any.
	StateRebuilding State = "rebuilding"
	// StateFailed: an event failed (LastError says which) or the runner
	// cannot reach the log or the read model; it does not advance.
	StateFailed State = "failed"
)

// Status is one projection's progress.
type Status struct {
	Name    string `json:"name"`
	Version int    `json:"version"` // the version of the build being applied
	Build   int64  `json:"build"`
	State   State  `json:"state"`
	// Position is the last event applied by the build being applied, the
	// serving build unless one is rebuilding.
	Position events.Position `json:"position"`
	// Head is the log's last position as last seen; Lag is Head-Position.
	Head events.Position `json:"head"`
	Lag  uint64          `json:"lag"`
	// ServingVersion and ServingPosition describe what readers see: 0 when
	// nothing has been swapped in yet.
	ServingVersion  int             `json:"serving_version"`
	ServingPosition events.Position `json:"serving_position"`
	LastError       string          `json:"last_error,omitempty"`
	// SkippedUnknown counts events of types not in the catalog skipped by
	// this build.
	SkippedUnknown uint64 `json:"skipped_unknown"`
	// PassedOver lists the events this build passed over, in position
	// order: each failed to apply and has a skip on the log.
	PassedOver []PassedOver `json:"passed_over,omitempty"`
	// Applied counts events handled by this process since it started, Rate
	// the events per second handled over the runner's rate window.
	Applied uint64  `json:"applied"`
	Rate    float64 `json:"rate"`
	// Active is true while this process is applying the projection.
	Active bool `json:"active"`
}

// Status returns every projection's progress as this runner last saw it,
// sorted by name. Before Run or Inspect it reports StateStarting.
func (r *Runner) Status() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Status, 0, len(r.tracks))
	for _, t := range r.tracks {
		out = append(out, r.statusLocked(t))
	}
	return out
}

func (r *Runner) statusLocked(t *track) Status {
	s := Status{Name: t.p.Name(), Version: t.p.Version(), State: StateStarting, Head: r.head,
		Applied: t.applied, Rate: t.rate.perSecond(r.now()), LastError: t.lastErr}
	if !t.loaded {
		return s
	}
	var serving, building *buildState
	for _, bs := range t.builds {
		switch {
		case bs.status == statusServing:
			serving = bs
		case building == nil || bs.build > building.build:
			building = bs
		}
	}
	cur := serving
	if building != nil && (building.active || serving == nil || serving.version != t.p.Version()) {
		cur = building
	}
	if serving != nil {
		s.ServingVersion, s.ServingPosition = serving.version, serving.position
	}
	switch {
	case cur == nil:
		s.State = StateRebuilding // nothing built yet: the first build is pending
	default:
		s.Version, s.Build, s.Position, s.SkippedUnknown, s.Active = cur.version, cur.build, cur.position, cur.skipped, cur.active
		s.PassedOver = append([]PassedOver(nil), cur.passed...)
		if cur.err != "" {
			s.LastError = cur.err
		}
		switch {
		case s.LastError != "":
			s.State = StateFailed
		case cur.status == statusBuilding || cur.version != t.p.Version():
			s.State = StateRebuilding
		case cur.position >= r.head:
			s.State = StateCaughtUp
		default:
			s.State = StateRunning
		}
	}
	if t.fatal != "" {
		s.LastError = t.fatal
	}
	if s.LastError != "" {
		s.State = StateFailed
	}
	if s.Head > s.Position {
		s.Lag = uint64(s.Head - s.Position)
	}
	return s
}

// Inspect reads every projection's checkpoints and the log's head, then
// returns Status. It is what a process that does not run the projections
// (pnyx projections status) reports.
func (r *Runner) Inspect(ctx context.Context) ([]Status, error) {
	head, err := r.log.Head(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range r.tracks {
		if _, _, err := r.reload(ctx, t, false); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.head = max(r.head, head)
	r.mu.Unlock()
	return r.Status(), nil
}

// WaitFor blocks until every projection's serving build, of its current
// version, has applied position pos, so a reader of the read model sees
// that event. It needs Run to be running. It returns ctx.Err() when ctx
// ends first, and an unavailable error when a projection has failed
// before reaching pos.
func (r *Runner) WaitFor(ctx context.Context, pos events.Position) error {
	for {
		r.mu.Lock()
		done, err := true, error(nil)
		for _, t := range r.tracks {
			s := r.statusLocked(t)
			if s.ServingVersion == t.p.Version() && s.ServingPosition >= pos {
				continue
			}
			done = false
			if s.State == StateFailed && s.LastError != t.lastErr {
				err = &events.Error{Code: events.CodeUnavailable,
					Message: fmt.Sprintf("projection %s failed before position %d", s.Name, pos), Err: errors.New(s.LastError)}
				break
			}
		}
		changed := r.changed
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Changed returns a channel that is closed at the runner's next change of
// any projection's progress or state, for a caller that waits on a
// condition of Status: take the channel, check Status, and wait on the
// channel only when the condition does not hold yet.
func (r *Runner) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// Ready reports whether the read model can answer queries: the runner is
// running and every projection has a serving build and has not failed. A
// rebuild in progress is ready, since the previous build keeps serving. The
// error, an unavailable events.Error, says which projection is not ready
// and why; it is meant for /readyz. A failure's detail (an event's error,
// which may name files or driver messages) is the error's cause, not its
// message, so it reaches logs and not clients.
func (r *Runner) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running {
		return events.Errorf(events.CodeUnavailable, "projections are not running")
	}
	for _, t := range r.tracks {
		s := r.statusLocked(t)
		switch {
		case s.State == StateFailed:
			return &events.Error{Code: events.CodeUnavailable, Message: "projection " + s.Name + " failed", Err: errors.New(s.LastError)}
		case s.State == StateStarting:
			return events.Errorf(events.CodeUnavailable, "projection %s is starting", s.Name)
		case s.ServingVersion == 0:
			return events.Errorf(events.CodeUnavailable, "projection %s is building (%d of %d events)", s.Name, s.Position, s.Head)
		}
	}
	return nil
}

// rateMeter measures events per second from samples taken at each batch.
// It keeps the newest sample older than the window as a baseline, so the
// rate covers at least the window and decays to zero when idle.
type rateMeter struct {
	window  time.Duration
	samples []rateSample // oldest first
	total   uint64
}

type rateSample struct {
	at    time.Time
	total uint64
}

func (m *rateMeter) add(now time.Time, n uint64) {
	m.total += n
	m.samples = append(m.samples, rateSample{now, m.total})
	drop := 0
	for drop < len(m.samples)-1 && now.Sub(m.samples[drop+1].at) >= m.window {
		drop++
	}
	m.samples = append(m.samples[:0], m.samples[drop:]...)
}

// perSecond is the rate from the baseline sample to now.
func (m *rateMeter) perSecond(now time.Time) float64 {
	if len(m.samples) == 0 {
		return 0
	}
	base := m.samples[0]
	span := now.Sub(base.at).Seconds()
	if span <= 0 {
		return 0
	}
	return float64(m.total-base.total) / span
}
