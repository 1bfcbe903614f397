package graphql

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// request is what one GraphQL request reads through: one read model
// snapshot, so every field sees the same serving position, and the
// loaders that batch the look-ups of a page's children into one query per
// kind.
//
// A mutation's request starts without a snapshot: each mutation of the
// operation, run one after the other, opens one once the read model holds
// its write (see Handler.written), and the operation closes them all.
type request struct {
	snap    *readmodel.Snapshot
	now     time.Time
	loaders loaders
	opened  []*readmodel.Snapshot // a mutation's snapshots, closed after the answer
	// uncached is set by a field whose answer does not follow the
	// snapshot's position (the ledger, a ClickHouse engine): the response
	// cache must not keep the answer.
	uncached atomic.Bool
}

type requestKey struct{}

func withRequest(ctx context.Context, q *request) context.Context {
	return context.WithValue(ctx, requestKey{}, q)
}

// requestOf returns the request of ctx; resolvers run only inside one.
func requestOf(ctx context.Context) (*request, error) {
	q, _ := ctx.Value(requestKey{}).(*request)
	if q == nil || q.snap == nil {
		return nil, &events.Error{Code: events.CodeInternal, Message: "internal error", Err: errNoSnapshot}
	}
	return q, nil
}

// mutationRequestOf returns the request of a mutation's ctx, with or
// without a snapshot yet; nil outside one.
func mutationRequestOf(ctx context.Context) *request {
	q, _ := ctx.Value(requestKey{}).(*request)
	return q
}

type constError string

func (e constError) Error() string { return string(e) }

const errNoSnapshot = constError("graphql: a resolver ran outside a request's snapshot")

// loaders batch the getters of one snapshot. Each waits wait for the keys
// of the fields resolving concurrently, then reads them in one query.
type loaders struct {
	bodies        *dataloadgen.Loader[string, *readmodel.Body]
	members       *dataloadgen.Loader[string, *readmodel.Membership]
	meetings      *dataloadgen.Loader[string, *readmodel.Meeting]
	items         *dataloadgen.Loader[string, *readmodel.AgendaItem]
	consultations *dataloadgen.Loader[string, *readmodel.Consultation]
	amendments    *dataloadgen.Loader[string, *readmodel.Amendment]
	votes         *dataloadgen.Loader[string, *readmodel.Vote]
	ballots       *dataloadgen.Loader[string, []readmodel.Ballot]
	decisions     *dataloadgen.Loader[string, *readmodel.Decision]
	procurements  *dataloadgen.Loader[string, *readmodel.Procurement]
	suppliers     *dataloadgen.Loader[string, *readmodel.Supplier]
	requests      *dataloadgen.Loader[string, *readmodel.Request]
	factions      *dataloadgen.Loader[string, *readmodel.Faction]
	// The council secretary's record.
	minutes        *dataloadgen.Loader[string, *readmodel.Minutes]
	minutesOf      *dataloadgen.Loader[string, string] // a decision's minutes, by meeting id
	itemAttendance *dataloadgen.Loader[string, readmodel.ItemAttendance]
	absences       *dataloadgen.Loader[string, []readmodel.JustifiedAbsence]
	substitutes    *dataloadgen.Loader[string, []readmodel.Substitute]
	reissues       *dataloadgen.Loader[string, []readmodel.DecisionReissue]
	reopenings     *dataloadgen.Loader[string, []readmodel.ConsultationReopening]
	protocol       *dataloadgen.Loader[string, *readmodel.ProtocolEntry]
	// Documents, by their owner's id.
	itemDocuments     *documentLoader
	protocolDocuments *documentLoader
}

func newLoaders(s *readmodel.Snapshot, wait time.Duration) loaders {
	return loaders{
		bodies:        batch(wait, s.BodiesByID),
		members:       batch(wait, s.MembersByID),
		meetings:      batch(wait, s.MeetingsByID),
		items:         batch(wait, s.AgendaItemsByID),
		consultations: batch(wait, s.ConsultationsByID),
		amendments:    batch(wait, s.AmendmentsByID),
		votes:         batch(wait, s.VotesByID),
		ballots:       batch(wait, s.BallotsOfVotes),
		decisions:     batch(wait, s.DecisionsByID),
		procurements:  batch(wait, s.ProcurementsByID),
		suppliers:     batch(wait, s.SuppliersByID),
		requests:      batch(wait, s.RequestsByID),
		factions:      batch(wait, s.FactionsByID),

		minutes:        batch(wait, s.MinutesByMeeting),
		minutesOf:      batch(wait, s.MinutesOfDecisions),
		itemAttendance: batch(wait, s.AttendanceOfItems),
		absences:       batch(wait, s.JustifiedAbsencesOf),
		substitutes:    batch(wait, s.SubstitutesOf),
		reissues:       batch(wait, s.DecisionReissuesOf),
		reopenings:     batch(wait, s.ReopeningsOf),
		protocol:       batch(wait, s.ProtocolEntriesByID),

		itemDocuments:     batch(wait, documentsOf(s, "agenda_item")),
		protocolDocuments: batch(wait, documentsOf(s, "protocol")),
	}
}

// documentsOf is the batch getter of the documents of one kind of owner.
func documentsOf(s *readmodel.Snapshot, kind string) func(context.Context, []string) ([][]events.DocumentRef, error) {
	return func(ctx context.Context, ids []string) ([][]events.DocumentRef, error) {
		return s.DocumentsOf(ctx, kind, ids)
	}
}

// batch makes a loader of a batch getter: out[i] answers ids[i], the zero
// value when there is none; an error fails every key of the batch.
func batch[V any](wait time.Duration, get func(context.Context, []string) ([]V, error)) *dataloadgen.Loader[string, V] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]V, []error) {
		out, err := get(ctx, ids)
		if err != nil {
			errs := make([]error, len(ids))
			for i := range errs {
				errs[i] = err
			}
			return make([]V, len(ids)), errs
		}
		return out, nil
	}, dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(readmodel.MaxBatch))
}
