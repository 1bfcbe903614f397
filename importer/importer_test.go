package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
)

// records is a Decoder of records given in advance.
type records []importer.Record

func (r *records) Next() (importer.Record, error) {
	if len(*r) == 0 {
		return importer.Record{}, io.EOF
	}
	rec := (*r)[0]
	*r = (*r)[1:]
	return rec, nil
}

func supplier(vat, name string) events.Command {
	return events.RegisterSupplier{VATID: vat, SupplierDetails: events.SupplierDetails{Name: name, Kind: events.SupplierSME, Country: "GR"}, At: importtest.Now}
}

func run(t *testing.T, st importer.Store, recs ...importer.Record) (*importer.Report, error) {
	dec := records(recs)
	log := st
	if i, ok := st.(*interloper); ok {
		log = i.Store
	}
	return importer.Import(context.Background(), st, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &dec,
		importer.Options{Actor: importtest.Admin(t, log), Now: importtest.Clock})
}

func TestARecordIsWrittenWholeOrNotAtAll(t *testing.T) {
	st := importtest.Store(t)
	rep, err := run(t, st,
		importer.Record{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{
			{Key: "s1", Command: supplier("094019245", "Πρώτος")},
			{Key: "s2", Command: supplier("090165560", "Δεύτερος")},
			{Key: "s1-again", Command: supplier("094019245", "Πρώτος ξανά")}, // already registered: refused
		}},
		importer.Record{Kind: "supplier", SourceID: "r2", Steps: []importer.Step{{Key: "s3", Command: supplier("123456783", "Τρίτος")}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Refused != 1 || rep.Imported != 1 || rep.Refusals[0].SourceID != "r1" || rep.Refusals[0].Code != "conflict" {
		t.Fatalf("report %+v", rep)
	}
	for _, s := range []string{"supplier-EL094019245", "supplier-EL090165560"} {
		if evs := importtest.Stream(t, st, s); len(evs) != 0 {
			t.Errorf("%s of the refused record holds %d events", s, len(evs))
		}
	}
	if evs := importtest.Stream(t, st, "supplier-EL123456783"); len(evs) != 1 {
		t.Errorf("the record after a refused one: %d events", len(evs))
	}
}

func TestAConflictingWriterMakesTheCommitWriteNothing(t *testing.T) {
	st := importtest.Store(t)
	// Another writer registers the supplier between the stage's read and its
	// commit: a store wrapper appends it on the commit's first call.
	other := registersFirst(t, st)
	_, err := run(t, other, importer.Record{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{
		{Key: "s1", Command: supplier("094019245", "Πρώτος")}, {Key: "s2", Command: supplier("090165560", "Δεύτερος")}}})
	if !errors.Is(err, events.ErrWrongExpectedVersion) {
		t.Fatalf("commit after another writer: %v", err)
	}
	if evs := importtest.Stream(t, st, "supplier-EL090165560"); len(evs) != 0 {
		t.Errorf("the commit wrote part of the record: %d events", len(evs))
	}
	if evs := importtest.Stream(t, st, "supplier-EL094019245"); len(evs) != 1 {
		t.Errorf("the other writer's supplier: %d events", len(evs))
	}
}

// The stage reads the importing token's grant from the store once and
// answers the next commands' reads of it itself; a revocation appended
// meanwhile still keeps every staged command out of the log.
func TestATokenRevokedWhileStagingMakesTheCommitWriteNothing(t *testing.T) {
	st := importtest.Store(t)
	ctx := context.Background()
	svc := events.NewService(st, events.ServiceOptions{Now: importtest.Clock})
	admin := importtest.Admin(t, st)
	officer := events.Actor{TokenID: "officer", Role: string(events.AccessProcurementOfficer)}
	if _, err := svc.Handle(ctx, events.GrantAccess{TokenID: officer.TokenID, Role: events.AccessProcurementOfficer, Scope: events.ScopeAll,
		GrantedBy: admin.TokenID, SecretSHA256: events.SecretSHA256("pnyx.officer.secret"), At: importtest.Now}, events.WithActor(admin)); err != nil {
		t.Fatal(err)
	}
	other := &interloper{Store: st, act: func(ctx context.Context, svc *events.Service) error {
		_, err := svc.Handle(ctx, events.RevokeAccess{TokenID: officer.TokenID, Reason: "left the service", RevokedBy: admin.TokenID, At: importtest.Now},
			events.WithActor(admin))
		return err
	}}
	recs := records{
		{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{{Key: "s1", Command: supplier("094019245", "Πρώτος")}}},
		{Kind: "supplier", SourceID: "r2", Steps: []importer.Step{{Key: "s2", Command: supplier("090165560", "Δεύτερος")}}},
	}
	_, err := importer.Import(ctx, other, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &recs,
		importer.Options{Actor: officer, Now: importtest.Clock})
	if !errors.Is(err, events.ErrWrongExpectedVersion) {
		t.Fatalf("commit after the token's revocation: %v", err)
	}
	for _, s := range []string{"supplier-EL094019245", "supplier-EL090165560"} {
		if evs := importtest.Stream(t, st, s); len(evs) != 0 {
			t.Errorf("%s written under a revoked token: %d events", s, len(evs))
		}
	}
	// Run again, the import is refused at its first command.
	recs = records{{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{{Key: "s1", Command: supplier("094019245", "Πρώτος")}}}}
	rep, err := importer.Import(ctx, st, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &recs,
		importer.Options{Actor: officer, Now: importtest.Clock})
	if err != nil || rep.Refused != 1 || rep.Refusals[0].Code != string(events.CodeUnauthenticated) {
		t.Fatalf("import under the revoked token: %v, %+v", err, rep)
	}
}

// registersFirst is st, where another writer registers the supplier
// EL094019245 just before the import's first commit.
func registersFirst(t *testing.T, st *sqlite.Store) *interloper {
	admin := importtest.Admin(t, st)
	return &interloper{Store: st, act: func(ctx context.Context, svc *events.Service) error {
		_, err := svc.Handle(ctx, supplier("094019245", "Άλλος"), events.WithActor(admin))
		return err
	}}
}

// interloper is a store whose first AppendStreams lets another writer
// act on the store first: what happens between an import's reads and its
// commit.
type interloper struct {
	importer.Store
	act  func(context.Context, *events.Service) error
	done bool
}

func (i *interloper) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if !i.done {
		i.done = true
		if err := i.act(ctx, events.NewService(i.Store, events.ServiceOptions{Now: importtest.Clock})); err != nil {
			return nil, err
		}
	}
	return i.Store.AppendStreams(ctx, parts...)
}

// countingStore counts the reads of each stream that reach the store.
type countingStore struct {
	importer.Store
	reads map[string]int
}

func (c *countingStore) ReadStream(ctx context.Context, stream string, opts events.ReadStreamOptions) ([]events.RecordedEvent, error) {
	c.reads[stream]++
	return c.Store.ReadStream(ctx, stream, opts)
}

func TestTheStageReadsAStreamFromTheStoreOnceBetweenCommits(t *testing.T) {
	st := importtest.Store(t)
	admin := importtest.Admin(t, st)
	counting := &countingStore{Store: st, reads: map[string]int{}}
	var recs records
	for i, vat := range []string{"094019245", "090165560", "123456783"} {
		recs = append(recs, importer.Record{Kind: "supplier", SourceID: vat, Steps: []importer.Step{{Key: vat, Command: supplier(vat, fmt.Sprint("Προμηθευτής ", i))}}})
	}
	rep, err := importer.Import(context.Background(), counting, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &recs,
		importer.Options{Actor: admin, Now: importtest.Clock})
	if err != nil || rep.Imported != 3 {
		t.Fatalf("import: %v, %+v", err, rep)
	}
	if n := counting.reads[events.AccessStream(admin.TokenID)]; n != 1 {
		t.Errorf("the token's grant, checked by 3 commands, read from the store %d times", n)
	}
	if evs := importtest.Stream(t, st, "supplier-EL123456783"); len(evs) != 1 {
		t.Errorf("the last supplier: %d events", len(evs))
	}
}

// Each record committed on its own, the next decided while it is written:
// each sees what the ones before decided.
func TestRecordsAreDecidedWhileTheOnesBeforeAreWritten(t *testing.T) {
	st := importtest.Store(t)
	recs := records{
		{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{{Key: "s1", Command: supplier("094019245", "Πρώτος")}}},
		{Kind: "supplier", SourceID: "r2", Steps: []importer.Step{
			{Key: "s1-if-absent", Command: supplier("094019245", "Πρώτος"), IfAbsent: true},
			{Key: "s2", Command: supplier("090165560", "Δεύτερος")}}},
		{Kind: "supplier", SourceID: "r3", Steps: []importer.Step{{Key: "s1-again", Command: supplier("094019245", "Πρώτος ξανά")}}},
	}
	rep, err := importer.Import(context.Background(), st, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &recs,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock, CommitEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || rep.Refused != 1 || rep.Refusals[0].SourceID != "r3" {
		t.Fatalf("report %+v", rep)
	}
	for s, n := range map[string]int{"supplier-EL094019245": 1, "supplier-EL090165560": 1} {
		if evs := importtest.Stream(t, st, s); len(evs) != n {
			t.Errorf("%s: %d events, want %d", s, len(evs), n)
		}
	}
}

// A commit that fails keeps out the records decided while it was written.
func TestAFailedCommitKeepsOutTheRecordsDecidedMeanwhile(t *testing.T) {
	st := importtest.Store(t)
	other := registersFirst(t, st)
	recs := records{
		{Kind: "supplier", SourceID: "r1", Steps: []importer.Step{{Key: "s1", Command: supplier("094019245", "Πρώτος")}}},
		{Kind: "supplier", SourceID: "r2", Steps: []importer.Step{{Key: "s2", Command: supplier("090165560", "Δεύτερος")}}},
		{Kind: "supplier", SourceID: "r3", Steps: []importer.Step{{Key: "s3", Command: supplier("123456783", "Τρίτος")}}},
	}
	rep, err := importer.Import(context.Background(), other, importer.Source{Name: "test", RetrievedAt: importtest.Now}, &recs,
		importer.Options{Actor: importtest.Admin(t, st), Now: importtest.Clock, CommitEvery: 1})
	if !errors.Is(err, events.ErrWrongExpectedVersion) {
		t.Fatalf("import: %v", err)
	}
	if rep.Imported != 0 || rep.Refused < 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, s := range []string{"supplier-EL090165560", "supplier-EL123456783"} {
		if evs := importtest.Stream(t, st, s); len(evs) != 0 {
			t.Errorf("%s, decided over the failed commit, holds %d events", s, len(evs))
		}
	}
	// Run again, the import completes.
	recs = records{
		{Kind: "supplier", SourceID: "r2", Steps: []importer.Step{{Key: "s2", Command: supplier("090165560", "Δεύτερος")}}},
		{Kind: "supplier", SourceID: "r3", Steps: []importer.Step{{Key: "s3", Command: supplier("123456783", "Τρίτος")}}},
	}
	if rep, err := run(t, st, recs...); err != nil || rep.Imported != 2 {
		t.Fatalf("again: %v, %+v", err, rep)
	}
}
