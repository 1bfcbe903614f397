package importer_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
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
	other := &interloper{Store: st, actor: importtest.Admin(t, st)}
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

type interloper struct {
	importer.Store
	actor events.Actor
	done  bool
}

func (i *interloper) AppendStreams(ctx context.Context, parts ...events.StreamAppend) ([]events.AppendResult, error) {
	if !i.done {
		i.done = true
		svc := events.NewService(i.Store, events.ServiceOptions{Now: importtest.Clock})
		if _, err := svc.Handle(ctx, supplier("094019245", "Άλλος"), events.WithActor(i.actor)); err != nil {
			return nil, err
		}
	}
	return i.Store.AppendStreams(ctx, parts...)
}
