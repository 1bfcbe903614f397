package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Vault keeps the demo citizens' personal data and seals what they write
// (*vault.Vault). Its references, keys and nonces come from crypto/rand,
// as everywhere: the events of a seed are the same, event for event,
// except for their author references and sealed texts, which open to the
// same words through each run's vault.
type Vault interface {
	events.Sealer
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
	// Progress, when set, learns the number of events decided so far.
	Progress func(decided int64)
	// Logger receives a line per generated year; nil discards them.
	Logger *slog.Logger
	// OCIDPrefix is the OCDS prefix the municipality's processes are
	// planned under, "ocds-" and six letters or digits; empty means the
	// demo's own, ocds-kal4ai.
	OCIDPrefix string

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
// through a command service on st, which must hold none of the demo's
// events and take no other writes meanwhile. Every command must succeed: a
// refusal is a bug of the demo and stops it with the domain error.
//
// The commands run in rounds (runner.run), decided one at a time, and
// their events are written in the order they were decided (orderedLog):
// the same seed gives the same events at the same positions.
func Generate(ctx context.Context, st events.ServiceStore, v Vault, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	years, end := opts.span()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := end.AddDate(-years, 0, 0)
	if opts.months > 0 {
		end = start.AddDate(0, opts.months, 0)
	}
	w := newWorld(opts.Seed, start, end)
	if opts.OCIDPrefix != "" {
		w.ocidPrefix = opts.OCIDPrefix
	}
	ordered := newOrderedLog(ctx, st)
	r := &runner{h: events.NewService(ordered, events.ServiceOptions{SoleWriter: true, Sealer: v}), progress: opts.Progress}
	stats := func(years int) Stats {
		return Stats{Years: years, Commands: r.commands, Events: r.events, Citizens: len(w.citizens),
			From: w.start, Until: minTime(w.yearStart(years), w.end)}
	}
	// fail stops the run once every append taken is written or refused.
	fail := func(err error, years int) (Stats, error) {
		if cerr := ordered.close(); cerr != nil {
			err = cerr
		}
		return stats(years), err
	}
	if err := w.populate(ctx, v); err != nil {
		return fail(err, 0)
	}
	if err := r.run(ctx, w.setup()); err != nil {
		return fail(err, 0)
	}
	for year := range years {
		var chains []*chain
		if year > 0 {
			for range citizensPerYear {
				if err := w.addCitizen(ctx, v); err != nil {
					return fail(err, year)
				}
			}
			chains = w.newTerm(year)
		}
		chains = append(chains, w.planYear(year)...)
		if err := r.run(ctx, chains); err != nil {
			return fail(err, year)
		}
		log.Info("demo year generated", "year", w.yearStart(year).Year(), "events", r.events, "commands", r.commands)
	}
	if err := ordered.close(); err != nil {
		return stats(years), err
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
	case o.Years < 0 || o.Events < 0:
		return events.Invalidf("demo: years and events must not be negative")
	case o.Years > 0 && o.Events > 0:
		return events.Invalidf("demo: give years or events, not both")
	case o.Years > 200:
		return events.Invalidf("demo: at most 200 years")
	case o.Events > 100_000_000:
		return events.Invalidf("demo: at most 100000000 events")
	}
	if o.OCIDPrefix != "" {
		if err := events.ValidateOCID(o.OCIDPrefix + "-2026-0001"); err != nil || len(o.OCIDPrefix) != len(defaultOCIDPrefix) {
			return events.Invalidf("demo: ocid prefix %q: want ocds- and six lower-case letters or digits", o.OCIDPrefix)
		}
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
	cut bool
	// next is the step to run; ended is set once the chain has run all.
	next  int
	ended bool
}

// runner executes chains through the command service.
type runner struct {
	h        *events.Service
	progress func(int64)
	commands int64
	events   int64
}

// run executes chains in rounds. A round runs the next step of every
// chain whose dependencies have ended, in the order of chains; a chain
// whose last dependency ends during a round joins the next one. The
// dependencies of a chain come earlier in chains or in an earlier run.
// One goroutine decides every command, so the order of the log is a
// function of the plan alone, and a round's commands go to many streams,
// which the log writes in few calls.
func (r *runner) run(ctx context.Context, chains []*chain) error {
	waiting := chains
	var active []*chain
	for len(waiting) > 0 || len(active) > 0 {
		still := waiting[:0]
		for _, c := range waiting {
			if c.ready() {
				active = append(active, c)
			} else {
				still = append(still, c)
			}
		}
		clear(waiting[len(still):])
		waiting = still
		if len(active) == 0 {
			return fmt.Errorf("demo: chain %s waits for a chain that never runs", waiting[0].name)
		}
		running := active[:0]
		for _, c := range active {
			if c.next < len(c.steps) {
				if err := r.exec(ctx, c); err != nil {
					return err
				}
			}
			if c.next < len(c.steps) {
				running = append(running, c)
				continue
			}
			c.ended = true
			c.release()
		}
		clear(active[len(running):])
		active = running
	}
	if r.progress != nil {
		r.progress(r.events)
	}
	return nil
}

// ready reports whether every chain c depends on has ended.
func (c *chain) ready() bool {
	for _, d := range c.after {
		if !d.ended {
			return false
		}
	}
	return true
}

// release lets a finished chain's commands and dependencies be collected;
// later chains keep only its ended flag.
func (c *chain) release() { c.steps, c.after = nil, nil }

// exec runs the next step of c.
func (r *runner) exec(ctx context.Context, c *chain) error {
	i := c.next
	s := c.steps[i]
	c.next++
	h, err := r.h.Handle(ctx, s.cmd, events.WithActor(s.actor), events.WithIdempotencyKey(s.key))
	if err != nil {
		return fmt.Errorf("demo %s, step %d (%T on %s): %w", c.name, i, s.cmd, s.cmd.Stream(), err)
	}
	n := int64(len(h.EventIDs))
	if h.Number > 0 {
		n++ // the counter's event
	}
	r.commands++
	r.events += n
	if r.progress != nil && r.commands%64 == 0 {
		r.progress(r.events)
	}
	return nil
}

// world is the municipality being planned. Planning is sequential and
// draws every choice from one seeded source, so the plan is a function of
// the seed alone.
type world struct {
	seed       uint64
	ocidPrefix string
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
		ocidPrefix:   defaultOCIDPrefix,
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
	chains = append(chains, w.planLaw(year)...)
	for _, b := range w.bodies {
		chains = append(chains, w.planMeetings(b, year)...)
	}
	chains = append(chains, w.planOffices(year)...)
	requests := w.planRequests(year)
	chains = append(chains, requests...)
	return append(chains, w.planProtocol(year, requests)...)
}
