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

// Vault keeps the demo citizens' personal data. Its references, keys and
// nonces come from crypto/rand, as everywhere: the events of a seed are
// the same, event for event, except for their author references and
// sealed texts, which open to the same words through each run's vault.
type Vault interface {
	Put(ctx context.Context, p events.Person) (events.SubjectRef, error)
}

// Options choose how much of the world to generate.
type Options struct {
	// Seed makes the world; the same seed gives the same events.
	Seed uint64
	// Years of the world to generate; Events instead generates as many
	// years as give about Events events (EventsPerYear each). Neither
	// means one year.
	Years  int
	Events int64
	// End is the day after the world's last: nothing in it happens at or
	// after End, so a world recorded after End is wholly in the past. Zero
	// means DefaultEnd. The world begins Years years before End.
	End time.Time
	// Workers is how many chains of commands run at once; zero means
	// DefaultWorkers. With 1, the global order of the log is reproducible
	// too, not only each stream.
	Workers int
	// Progress, when set, learns the number of events written so far. It is
	// called from several goroutines.
	Progress func(written int64)
	// Logger receives a line per generated year; nil discards them.
	Logger *slog.Logger

	// months, when set, ends the world that many months after it begins,
	// cutting every chain there as the world's end does: a smaller world
	// for the tests under the race detector.
	months int
}

// DefaultEnd is the end of the demo world, fixed so that a seed gives the
// same world whatever the day it is generated.
var DefaultEnd = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// EventsPerYear is about how many events one year of the world holds; Generate
// uses it to choose the number of years for Options.Events.
const EventsPerYear = 39_000

// DefaultWorkers keeps enough appends in flight for the store's group commit
// to batch them.
const DefaultWorkers = 8192

// yearsInFlight is how many years run at once. Running the next years
// beside one whose long sequences (a body's decision numbers, its roll
// calls) hold its batches back gained about 5% (1m00s against 1m03s for 1M
// events), but with more than one year in flight some seeds convene a
// sitting before the term change its attendance depends on ("member does
// not sit in body"): a cross-year dependency is still missing. One year at a
// time is correct for every seed.
const yearsInFlight = 1

// Stats describe what Generate wrote.
type Stats struct {
	Years    int
	Commands int64
	Events   int64
	Citizens int
	// From and Until bound the generated world: From its first day, Until
	// the day after its last.
	From, Until time.Time
}

// Generate plans the world year by year and runs each year's commands
// through h. Every command must succeed: a refusal is a bug of the demo and
// stops it with the domain error.
func Generate(ctx context.Context, h Handler, v Vault, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	years, end := opts.span()
	if opts.Workers == 0 {
		opts.Workers = DefaultWorkers
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := end.AddDate(-years, 0, 0)
	if opts.months > 0 {
		end = start.AddDate(0, opts.months, 0)
	}
	w := newWorld(opts.Seed, start, end)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &runner{h: h, workers: opts.Workers, progress: opts.Progress, sem: make(chan struct{}, opts.Workers), cancel: cancel}
	stats := func(years int) Stats {
		return Stats{Years: years, Commands: r.commands.Load(), Events: r.events.Load(), Citizens: len(w.citizens),
			From: w.start, Until: minTime(w.yearStart(years), w.end)}
	}
	if err := w.populate(ctx, v); err != nil {
		return Stats{}, err
	}
	if err := r.start(ctx, w.setup()).wait(ctx); err != nil {
		return stats(0), err
	}
	running := make([]*batch, 0, years)
	// fail stops the run and waits for every chain started, so nothing
	// runs on after Generate returns.
	fail := func(err error, years int) (Stats, error) {
		cancel(err)
		for _, b := range running {
			b.wg.Wait()
		}
		return stats(years), context.Cause(ctx)
	}
	done := func(year int) error {
		if err := running[year].wait(ctx); err != nil {
			return err
		}
		st := stats(year + 1)
		log.Info("demo year generated", "year", w.yearStart(year).Year(), "events", st.Events, "commands", st.Commands)
		return nil
	}
	for year := range years {
		if year >= yearsInFlight {
			if err := done(year - yearsInFlight); err != nil {
				return fail(err, year-yearsInFlight)
			}
		}
		var chains []*chain
		if year > 0 {
			for range citizensPerYear {
				if err := w.addCitizen(ctx, v); err != nil {
					return fail(err, max(year-yearsInFlight, 0))
				}
			}
			chains = w.newTerm(year)
		}
		chains = append(chains, w.planYear(year)...)
		running = append(running, r.start(ctx, chains))
	}
	for year := max(years-yearsInFlight, 0); year < years; year++ {
		if err := done(year); err != nil {
			return fail(err, year)
		}
	}
	return stats(years), nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Validate refuses options Generate cannot follow, with an error matching
// events.ErrInvalid.
func (o Options) Validate() error {
	switch {
	case o.Years < 0 || o.Events < 0 || o.Workers < 0:
		return events.Invalidf("demo: years, events and workers must not be negative")
	case o.Years > 0 && o.Events > 0:
		return events.Invalidf("demo: give years or events, not both")
	case o.Years > 200:
		return events.Invalidf("demo: at most 200 years")
	case o.Events > 100_000_000:
		return events.Invalidf("demo: at most 100000000 events")
	}
	years, end := o.span()
	if y := end.Year() - years; y < 1900 || end.Year() > 9000 {
		return events.Invalidf("demo: a world of %d years ending %s starts in %d; want years 1900 to 9000", years, end.Format(time.DateOnly), y)
	}
	return nil
}

// span returns the number of years and the end of the world.
func (o Options) span() (int, time.Time) {
	years := o.Years
	if o.Events > 0 {
		years = int((o.Events + EventsPerYear - 1) / EventsPerYear)
	}
	end := o.End
	if end.IsZero() {
		end = DefaultEnd
	}
	return max(years, 1), end.UTC()
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
	// cut is set when a step would happen at or after the world's end:
	// that step and every later one of the chain are left out.
	cut  bool
	done chan struct{}
}

// runner executes chains through the command service.
type runner struct {
	h        Handler
	workers  int
	progress func(int64)
	sem      chan struct{}
	cancel   context.CancelCauseFunc
	commands atomic.Int64
	events   atomic.Int64
}

// batch is a set of chains started together.
type batch struct {
	wg sync.WaitGroup
}

// wait returns once every chain of the batch has ended, with the first
// error of any chain of the run.
func (b *batch) wait(ctx context.Context) error {
	b.wg.Wait()
	return context.Cause(ctx)
}

// start begins chains, each after its dependencies, which come earlier in
// chains or in an earlier batch. With one worker it runs them in order
// before returning.
func (r *runner) start(ctx context.Context, chains []*chain) *batch {
	b := &batch{}
	if r.workers == 1 {
		for _, c := range chains {
			if ctx.Err() != nil {
				break
			}
			if err := r.exec(ctx, c); err != nil {
				r.cancel(err)
			}
			c.release()
		}
		return b
	}
	for _, c := range chains {
		c.done = make(chan struct{})
	}
	for _, c := range chains {
		b.wg.Go(func() {
			defer close(c.done)
			for _, d := range c.after {
				select {
				case <-d.done:
				case <-ctx.Done():
					return
				}
			}
			select {
			case r.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-r.sem }()
			if ctx.Err() != nil {
				return
			}
			if err := r.exec(ctx, c); err != nil {
				r.cancel(err)
			}
			c.release()
		})
	}
	return b
}

// release lets a finished chain's commands and dependencies be collected;
// later chains keep only its done channel.
func (c *chain) release() { c.steps, c.after = nil, nil }

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
	seed       uint64
	rng        *rand.Rand
	start, end time.Time
	keys       int64
	ids        map[string]int
	citizens   []events.SubjectRef
	bodies     []*body
	supplier   []supplier
	// adopted holds decisions of past years that a later one may revoke;
	// thisYear those of the year being planned.
	adopted, thisYear []string
	// yearDecisions are this year's decisions not yet revoked, in the
	// order of their adoption per body.
	yearDecisions []yearDecision
	// pending wait for the committee's decision.
	pending []*pendingDecision
	// lastAdopt is the last chain adopting decisions of each counter (a
	// body's numbers of a year): numbers follow the order of these chains.
	lastAdopt map[string]*chain
	// decisionLife is each decision's chain after its adoption, which a
	// later revocation of it must follow.
	decisionLife map[string]*chain
	// council is every chain of the council's meetings of the year being
	// planned, which the next year's changes of membership must follow;
	// term is the chain of the year's changes, which its meetings follow.
	council []*chain
	term    *chain
	// minutes are each body's latest minutes, waiting for its next
	// sitting to approve them.
	minutes map[string]*minutesRef
}

func newWorld(seed uint64, start, end time.Time) *world {
	return &world{
		seed:         seed,
		rng:          rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		start:        start,
		end:          end,
		ids:          map[string]int{},
		lastAdopt:    map[string]*chain{},
		decisionLife: map[string]*chain{},
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

// add appends a command, giving it the next idempotency key, and reports
// whether it did: a command at or after the world's end cuts the chain
// there, since the steps of a chain happen in the order of their times.
func (w *world) add(c *chain, actor events.Actor, cmd events.Command) bool {
	if c.cut {
		return false
	}
	if t, ok := cmd.(events.Timed); ok && !t.OccurredAt().Before(w.end) {
		c.cut = true
		return false
	}
	w.keys++
	c.steps = append(c.steps, step{cmd: cmd, actor: actor, key: fmt.Sprintf("demo-%d-%d", w.seed, w.keys)})
	return true
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

// planYear plans one year of the world. Years run beside each other, so
// what one year's chains need of an earlier year is a dependency of theirs:
// a change of the council's membership follows the council's meetings of
// the year before and precedes those of its year; a revocation follows the
// revoked decision's life; an award follows the process it awards.
// Decision numbers are counted per body and year, so their chains are
// ordered within a year only.
func (w *world) planYear(year int) []*chain {
	w.adopted = append(w.adopted, w.thisYear...)
	w.thisYear, w.yearDecisions = nil, nil
	w.council = nil
	chains := w.planProcurement(year)
	for _, b := range w.bodies {
		chains = append(chains, w.planMeetings(b, year)...)
	}
	chains = append(chains, w.planOffices(year)...)
	requests := w.planRequests(year)
	chains = append(chains, requests...)
	return append(chains, w.planProtocol(year, requests)...)
}
