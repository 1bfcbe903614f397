package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Handler runs a command; *events.Service is the one the demo uses.
type Handler interface {
	Handle(ctx context.Context, cmd events.Command, opts ...events.HandleOption) (events.Handled, error)
}

// Vault keeps the demo citizens' personal data. Its references must be
// drawn from a seeded source for the demo to be reproducible.
type Vault interface {
	Put(ctx context.Context, p events.Person) (events.SubjectRef, error)
}

// Options choose how much of the world to generate.
type Options struct {
	// Seed makes the world; the same seed gives the same events.
	Seed uint64
	// Years of the world to generate; Events instead generates whole years
	// until the log holds at least Events events. Neither means one year.
	Years  int
	Events int64
	// Start is the first day of the world; zero means DefaultStart.
	Start time.Time
	// Workers is how many chains of commands run at once; zero means
	// DefaultWorkers. With 1, the global order of the log is reproducible
	// too, not only each stream.
	Workers int
	// Progress, when set, learns the number of events written so far. It is
	// called from several goroutines.
	Progress func(written int64)
	// Logger receives a line per generated year; nil discards them.
	Logger *slog.Logger
}

// DefaultStart is the first day of the demo world.
var DefaultStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultWorkers keeps enough appends in flight for the store's group commit
// to batch them.
const DefaultWorkers = 8192

// Stats describe what Generate wrote.
type Stats struct {
	Years    int
	Commands int64
	Events   int64
	Citizens int
	// Until is the end of the generated world.
	Until time.Time
}

// Generate plans the world year by year and runs each year's commands
// through h. Every command must succeed: a refusal is a bug of the demo and
// stops it with the domain error.
func Generate(ctx context.Context, h Handler, v Vault, opts Options) (Stats, error) {
	switch {
	case opts.Years < 0 || opts.Events < 0 || opts.Workers < 0:
		return Stats{}, events.Invalidf("demo: years, events and workers must not be negative")
	case opts.Years > 0 && opts.Events > 0:
		return Stats{}, events.Invalidf("demo: give years or events, not both")
	case opts.Years > 200:
		return Stats{}, events.Invalidf("demo: at most 200 years")
	case opts.Events > 100_000_000:
		return Stats{}, events.Invalidf("demo: at most 100000000 events")
	}
	if opts.Years == 0 && opts.Events == 0 {
		opts.Years = 1
	}
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	if opts.Workers == 0 {
		opts.Workers = DefaultWorkers
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := newWorld(opts.Seed, opts.Start.UTC())
	r := &runner{h: h, workers: opts.Workers, progress: opts.Progress}
	if err := w.populate(ctx, v); err != nil {
		return Stats{}, err
	}
	setup := w.setup()
	if err := r.run(ctx, setup); err != nil {
		return r.stats(w, 0), err
	}
	for year := 0; ; year++ {
		if err := ctx.Err(); err != nil {
			return r.stats(w, year), err
		}
		if year > 0 {
			for range citizensPerYear {
				if err := w.addCitizen(ctx, v); err != nil {
					return r.stats(w, year), err
				}
			}
			if err := r.run(ctx, w.newTerm(year)); err != nil {
				return r.stats(w, year), err
			}
		}
		if err := r.run(ctx, w.planYear(year)); err != nil {
			return r.stats(w, year), err
		}
		st := r.stats(w, year+1)
		log.Info("demo year generated", "year", w.yearStart(year).Year(), "events", st.Events, "commands", st.Commands)
		if opts.Events > 0 && st.Events >= opts.Events || opts.Years > 0 && year+1 >= opts.Years {
			return st, nil
		}
	}
}

func (r *runner) stats(w *world, years int) Stats {
	return Stats{Years: years, Commands: r.commands.Load(), Events: r.events.Load(), Citizens: len(w.citizens), Until: w.yearStart(years)}
}

// step is one command of a chain, with who records it and the idempotency
// key its event ids derive from.
type step struct {
	cmd   events.Command
	actor events.Actor
	key   string
}

// chain is a sequence of commands that must run in order, after the chains
// it depends on. Chains that do not depend on each other touch streams
// whose rules do not read each other, so they may run in any order.
type chain struct {
	name  string
	after []*chain
	steps []step
	done  chan struct{}
}

// runner executes chains through the command service.
type runner struct {
	h        Handler
	workers  int
	progress func(int64)
	commands atomic.Int64
	events   atomic.Int64
}

// run executes chains, each after its dependencies; chains must be given
// in an order where dependencies come first.
func (r *runner) run(ctx context.Context, chains []*chain) error {
	if r.workers == 1 {
		for _, c := range chains {
			if err := r.exec(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, r.workers)
	var wg sync.WaitGroup
	for _, c := range chains {
		c.done = make(chan struct{})
	}
	for _, c := range chains {
		wg.Go(func() {
			defer close(c.done)
			for _, d := range c.after {
				select {
				case <-d.done:
				case <-ctx.Done():
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			if err := r.exec(ctx, c); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func (r *runner) exec(ctx context.Context, c *chain) error {
	for i, s := range c.steps {
		h, err := r.h.Handle(ctx, s.cmd, events.WithActor(s.actor), events.WithIdempotencyKey(s.key))
		if err != nil {
			return fmt.Errorf("demo %s, step %d (%T on %s): %w", c.name, i, s.cmd, s.cmd.Stream(), err)
		}
		n := int64(len(h.EventIDs))
		if h.Number > 0 {
			n++ // the counter's event
		}
		r.commands.Add(1)
		total := r.events.Add(n)
		if r.progress != nil && (i == len(c.steps)-1 || i%16 == 15) {
			r.progress(total)
		}
	}
	return nil
}

// world is the municipality being planned. Planning is sequential and
// draws every choice from one seeded source, so the plan is a function of
// the seed alone.
type world struct {
	seed     uint64
	rng      *rand.Rand
	start    time.Time
	keys     int64
	ids      map[string]int
	citizens []events.SubjectRef
	bodies   []*body
	supplier []supplier
	// adopted holds decisions of past years that a later one may revoke;
	// thisYear those of the year being planned.
	adopted, thisYear []string
	// awards wait for the committee's decision.
	awards []*pendingAward
	// lastAdopt is each body's last chain adopting decisions: numbers
	// follow the order of these chains.
	lastAdopt map[string]*chain
}

func newWorld(seed uint64, start time.Time) *world {
	return &world{
		seed:      seed,
		rng:       rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		start:     start,
		ids:       map[string]int{},
		lastAdopt: map[string]*chain{},
	}
}

func (w *world) yearStart(year int) time.Time { return w.start.AddDate(year, 0, 0) }

// newChain starts a chain after the given ones.
func (w *world) newChain(name string, after ...*chain) *chain {
	deps := make([]*chain, 0, len(after))
	for _, a := range after {
		if a != nil {
			deps = append(deps, a)
		}
	}
	return &chain{name: name, after: deps}
}

// add appends a command, giving it the next idempotency key.
func (w *world) add(c *chain, actor events.Actor, cmd events.Command) {
	w.keys++
	c.steps = append(c.steps, step{cmd: cmd, actor: actor, key: fmt.Sprintf("demo-%d-%d", w.seed, w.keys)})
}

// nextID returns "prefix-N" with N counting from 1 per prefix.
func (w *world) nextID(prefix string) string {
	w.ids[prefix]++
	return fmt.Sprintf("%s-%d", prefix, w.ids[prefix])
}

// chance reports true with probability p.
func (w *world) chance(p float64) bool { return w.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (w *world) between(lo, hi int) int { return lo + w.rng.IntN(hi-lo+1) }

func pick[T any](w *world, xs []T) T { return xs[w.rng.IntN(len(xs))] }

// citizensPerYear join the demo population each year.
const citizensPerYear = 60

// planYear plans one year of the world.
func (w *world) planYear(year int) []*chain {
	w.adopted = append(w.adopted, w.thisYear...)
	w.thisYear = nil
	chains := w.planProcurement(year)
	for _, b := range w.bodies {
		chains = append(chains, w.planMeetings(b, year)...)
	}
	return append(chains, w.planRequests(year)...)
}
