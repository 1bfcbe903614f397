package events_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// Two small aggregates exercise the command service without depending on
// the municipal ones: a ledger that accepts postings up to a ceiling until
// it is closed, and a motion that takes a number from a counter and may be
// adopted only on a closed ledger (a fact of another stream).

const ledgerCeiling = 1000

type svcLedgerOpened struct {
	Name string `json:"name"`
}

func (svcLedgerOpened) EventType() string { return "svcledger.opened" }

type svcLedgerPosted struct {
	Amount int64 `json:"amount"`
}

func (svcLedgerPosted) EventType() string { return "svcledger.posted" }

type svcLedgerClosed struct{}

func (svcLedgerClosed) EventType() string { return "svcledger.closed" }

type svcLedgerReopened struct{}

func (svcLedgerReopened) EventType() string { return "svcledger.reopened" }

type svcMotionAdopted struct {
	Number int64  `json:"number"`
	Ledger string `json:"ledger"`
}

func (svcMotionAdopted) EventType() string { return "svcmotion.adopted" }

type ledgerState struct {
	Exists, Closed bool
	Total          int64
	Postings       int
}

type openLedger struct {
	ID   string
	Name string
	At   time.Time
}

func (c openLedger) Stream() string        { return events.StreamName("svcledger", c.ID) }
func (c openLedger) OccurredAt() time.Time { return c.At }

type postToLedger struct {
	ID     string
	Amount int64
	At     time.Time
}

func (c postToLedger) Stream() string        { return events.StreamName("svcledger", c.ID) }
func (c postToLedger) OccurredAt() time.Time { return c.At }

type closeLedger struct {
	ID string
	At time.Time
}

func (c closeLedger) Stream() string        { return events.StreamName("svcledger", c.ID) }
func (c closeLedger) OccurredAt() time.Time { return c.At }

type reopenLedger struct {
	ID string
	At time.Time
}

func (c reopenLedger) Stream() string        { return events.StreamName("svcledger", c.ID) }
func (c reopenLedger) OccurredAt() time.Time { return c.At }

// explodeLedger makes the decider panic, as a buggy rule would.
type explodeLedger struct {
	ID string
	At time.Time
}

func (c explodeLedger) Stream() string        { return events.StreamName("svcledger", c.ID) }
func (c explodeLedger) OccurredAt() time.Time { return c.At }

var ledgerDecider = events.Decider[ledgerState]{
	Kind:    "svcledger",
	Initial: func() ledgerState { return ledgerState{} },
	Evolve: func(s ledgerState, p events.Payload) ledgerState {
		switch e := p.(type) {
		case svcLedgerOpened:
			s.Exists = true
		case svcLedgerPosted:
			s.Total += e.Amount
			s.Postings++
		case svcLedgerClosed:
			s.Closed = true
		case svcLedgerReopened:
			s.Closed = false
		}
		return s
	},
	Decide: func(s ledgerState, c events.Command, _ events.Facts) ([]events.Payload, error) {
		switch c := c.(type) {
		case openLedger:
			if c.Name == "" {
				return nil, events.Invalidf("ledger %s: name is empty", c.ID)
			}
			if s.Exists {
				return nil, events.Errorf(events.CodeConflict, "ledger %s already exists", c.ID)
			}
			return []events.Payload{svcLedgerOpened{Name: c.Name}}, nil
		case postToLedger:
			switch {
			case c.Amount <= 0:
				return nil, events.Invalidf("amount %d is not positive", c.Amount)
			case !s.Exists:
				return nil, events.Errorf(events.CodeNotFound, "ledger %s does not exist", c.ID)
			case s.Closed:
				return nil, events.Errorf(events.CodeConflict, "ledger %s is closed", c.ID)
			case s.Total+c.Amount > ledgerCeiling:
				return nil, events.Errorf(events.CodeConflict, "ledger %s would exceed its ceiling", c.ID)
			}
			return []events.Payload{svcLedgerPosted{Amount: c.Amount}}, nil
		case closeLedger:
			if !s.Exists {
				return nil, events.Errorf(events.CodeNotFound, "ledger %s does not exist", c.ID)
			}
			if s.Closed {
				return nil, events.Errorf(events.CodeConflict, "ledger %s is closed", c.ID)
			}
			return []events.Payload{svcLedgerClosed{}}, nil
		case reopenLedger:
			if !s.Closed {
				return nil, events.Errorf(events.CodeConflict, "ledger %s is not closed", c.ID)
			}
			return []events.Payload{svcLedgerReopened{}}, nil
		case explodeLedger:
			var m map[string]int
			m["boom"]++ // a bug: writes to a nil map
		}
		return nil, events.Invalidf("ledger: unknown command %T", c)
	},
}

type motionState struct {
	Adopted bool
	Number  int64
}

// adoptMotion takes the next number of its year's counter and needs its
// ledger closed.
type adoptMotion struct {
	ID     string
	Ledger string
	Year   int
	Number int64
	At     time.Time
}

func (c adoptMotion) Stream() string                    { return events.StreamName("svcmotion", c.ID) }
func (c adoptMotion) OccurredAt() time.Time             { return c.At }
func (c adoptMotion) Needs() []string                   { return []string{events.StreamName("svcledger", c.Ledger)} }
func (c adoptMotion) CounterStream() string             { return "counter-svcmotion-" + strconv.Itoa(c.Year) }
func (c adoptMotion) WithNumber(n int64) events.Command { c.Number = n; return c }

var motionDecider = events.Decider[motionState]{
	Kind:    "svcmotion",
	Initial: func() motionState { return motionState{} },
	Evolve: func(s motionState, p events.Payload) motionState {
		if e, ok := p.(svcMotionAdopted); ok {
			s.Adopted, s.Number = true, e.Number
		}
		return s
	},
	Decide: func(s motionState, c events.Command, f events.Facts) ([]events.Payload, error) {
		cmd, ok := c.(adoptMotion)
		if !ok {
			return nil, events.Invalidf("motion: unknown command %T", c)
		}
		if s.Adopted {
			return nil, events.Errorf(events.CodeConflict, "motion %s is already adopted", cmd.ID)
		}
		if cmd.Number < 1 {
			return nil, events.Invalidf("motion %s: no number", cmd.ID)
		}
		ledger, ok := events.FactOf[ledgerState](f, events.StreamName("svcledger", cmd.Ledger))
		if !ok {
			return nil, events.Errorf(events.CodeNotFound, "ledger %s does not exist", cmd.Ledger)
		}
		if !ledger.Closed {
			return nil, events.Errorf(events.CodeConflict, "ledger %s is still open", cmd.Ledger)
		}
		return []events.Payload{svcMotionAdopted{Number: cmd.Number, Ledger: cmd.Ledger}}, nil
	},
}

func init() {
	events.Register[svcLedgerOpened]("svcledger", 1, "Test: a ledger was opened.")
	events.Register[svcLedgerPosted]("svcledger", 1, "Test: an amount was posted.")
	events.Register[svcLedgerClosed]("svcledger", 1, "Test: a ledger was closed.")
	events.Register[svcLedgerReopened]("svcledger", 1, "Test: a closed ledger was reopened.")
	events.Register[svcMotionAdopted]("svcmotion", 1, "Test: a motion was adopted.")
	events.RegisterDecider(ledgerDecider)
	events.RegisterDecider(motionDecider)
}

// recordedAt is the store's clock in these tests.
var recordedAt = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// day returns a fixed time in the world of the tests.
func day(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }

// openStore opens a real SQLite store in a temporary directory.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"),
		sqlite.Options{Now: func() time.Time { return recordedAt }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// readAll returns the whole log.
func readAll(t testing.TB, st events.Store) []events.RecordedEvent {
	t.Helper()
	var all []events.RecordedEvent
	after := events.Position(0)
	for {
		page, err := st.ReadAll(context.Background(), events.ReadAllOptions{After: after, Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) == 0 {
			return all
		}
		after = page[len(page)-1].Position
	}
}

// foldLedger folds a ledger from the log itself.
func foldLedger(t testing.TB, st events.Store, id string) ledgerState {
	t.Helper()
	res, err := st.ReadStream(context.Background(), events.StreamName("svcledger", id), events.ReadStreamOptions{Limit: events.MaxReadLimit})
	if err != nil {
		t.Fatal(err)
	}
	var ps []events.Payload
	for _, re := range res {
		p, err := events.Decode(re)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ledgerDecider.Fold(ps...)
}

// interceptor wraps the real store and, before delegating an Append to a
// chosen stream, runs a hook: another writer that gets in first. It makes
// a race happen at a chosen point instead of by chance.
type interceptor struct {
	*sqlite.Store
	stream  string
	mu      sync.Mutex
	before  func() // runs before each Append to stream while set
	appends atomic.Int64
}

func (i *interceptor) Append(ctx context.Context, stream string, exp events.Expected, evs ...events.Event) (events.AppendResult, error) {
	if stream == i.stream {
		i.appends.Add(1)
		i.mu.Lock()
		hook := i.before
		i.mu.Unlock()
		if hook != nil {
			hook()
		}
	}
	return i.Store.Append(ctx, stream, exp, evs...)
}

func (i *interceptor) setBefore(f func()) {
	i.mu.Lock()
	i.before = f
	i.mu.Unlock()
}
