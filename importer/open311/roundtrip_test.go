package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/exports"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/importtest"
	"github.com/pnyx-civic/pnyx/importer/open311"
	"github.com/pnyx-civic/pnyx/opendata"
	"github.com/pnyx-civic/pnyx/projections"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

func day(n int, hour int) time.Time {
	return time.Date(2025, 11, 3, hour, 0, 0, 0, time.UTC).AddDate(0, 0, n)
}

func ptr[T any](v T) *T { return &v }

// scenario records citizens' requests in a store of Pnyx's own, through
// every status GeoReport tells: submitted only, acknowledged, assigned,
// answered, rejected, closed.
func scenario(t *testing.T, st events.Store, v importer.People) {
	ctx := context.Background()
	s := events.NewService(st, events.ServiceOptions{Now: importtest.Clock, Sealer: v})
	staff := events.WithActor(importtest.Admin(t, st))
	must := func(cmd events.Command, opts ...events.HandleOption) {
		t.Helper()
		if _, err := s.Handle(ctx, cmd, opts...); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	submit := func(id string, c events.RequestCategory, desc string, loc *events.RequestLocation, at time.Time) {
		t.Helper()
		ref, err := v.Put(ctx, events.Person{Name: "Ελένη " + id, Email: "eleni" + id + "@example.gr"})
		if err != nil {
			t.Fatal(err)
		}
		must(events.SubmitRequest{RequestID: id, Category: c, Subject: "Θέμα " + id, Description: desc, Location: loc,
			Channel: events.RequestViaWeb, Requester: ref, At: at}, events.WithActor(events.PublicActor))
	}
	submit("r1", events.RequestComplaint, "Λακκούβα στην Ιάσονος.", &events.RequestLocation{Lat: ptr(39.36), Long: ptr(22.94), Address: "Ιάσονος 5"}, day(0, 8))
	submit("r2", events.RequestInformation, "Αντίγραφο της μελέτης πεζοδρόμησης.", nil, day(1, 9))
	submit("r3", events.RequestService, "", &events.RequestLocation{Address: "Πλατεία Ρήγα Φεραίου"}, day(2, 10))
	submit("r4", events.RequestService, "Κλαδέματα στο πάρκο.", &events.RequestLocation{Lat: ptr(39.37), Long: ptr(22.95)}, day(3, 11))
	submit("r5", events.RequestComplaint, "Θόρυβος τη νύχτα.", nil, day(4, 12))
	submit("r6", events.RequestService, "Σπασμένο παγκάκι.", nil, day(5, 13))
	for _, id := range []string{"r2", "r3", "r4", "r5", "r6"} {
		must(events.AcknowledgeRequest{RequestID: id, At: day(6, 8)}, staff)
	}
	must(events.AssignRequest{RequestID: "r3", Department: "prasino", At: day(7, 8)}, staff)
	must(events.AssignRequest{RequestID: "r4", Department: "prasino", At: day(7, 8)}, staff)
	must(events.AnswerRequest{RequestID: "r4", Summary: "Έγινε το κλάδεμα.", At: day(20, 9)}, staff)
	must(events.RejectRequest{RequestID: "r5", LegalBasis: "άρθρο 5 ν. 2690/1999", Reason: "Αρμόδια η αστυνομία", At: day(10, 9)}, staff)
	must(events.AnswerRequest{RequestID: "r6", Summary: "Αντικαταστάθηκε.", At: day(12, 9)}, staff)
	must(events.CloseRequest{RequestID: "r6", At: day(14, 9)}, staff)
}

// readModel projects st's log into a read model, opening citizens' words
// through v.
func readModel(t *testing.T, st events.Store, v readmodel.Opener) *readmodel.ReadModel {
	ctx := context.Background()
	db, err := projections.OpenReadModel(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r, err := projections.NewRunner(db, st, []projections.Projection{readmodel.NewReadModelProjection(v)}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	err = r.WaitFor(ctx, importtest.Head(t, st))
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return readmodel.NewReadModelQueries(db, st)
}

// requestsJSON is Pnyx's Open311 requests.json over rm.
func requestsJSON(t *testing.T, rm *readmodel.ReadModel) []byte {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/open311/v2/requests.json?start_date=2025-11-01T00:00:00Z&end_date=2025-12-31T00:00:00Z", nil)
	if err := exports.NewOpen311(rm, importtest.Clock).ServeRequests(rec, req); err != nil {
		t.Fatal(err)
	}
	return rec.Body.Bytes()
}

// requestsDump is the canonical dump of the read model's requests table
// in the columns GeoReport carries: the status as open or closed, and the
// answer's summary with its legal basis as the status notes.
func requestsDump(t *testing.T, rm *readmodel.ReadModel) string {
	ctx := context.Background()
	snap, err := rm.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	f := readmodel.RequestFilter{}
	f.First = readmodel.MaxPageSize
	page, err := snap.Requests(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range page.Items {
		notes := r.AnswerSummary
		if r.LegalBasis != "" {
			notes += " (" + r.LegalBasis + ")"
		}
		row, _ := json.Marshal([]any{r.ID, r.Category, r.Description, r.Address, r.Lat, r.Long, opendata.Open311Status(r.Status),
			r.SubmittedAt, r.ResponseDays, r.Counting, r.DueAt, r.Department, notes})
		b.Write(row)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestRoundTrip publishes Pnyx's own Open311 requests, imports them into
// an empty store and finds the same public request data in its read
// model, and the same requests.json.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	original, ov := importtest.Store(t), importtest.Vault(t)
	scenario(t, original, ov)
	orm := readModel(t, original, ov)
	published := requestsJSON(t, orm)

	imported, iv := importtest.Store(t), importtest.Vault(t)
	rep, err := importer.Import(ctx, imported, importer.Source{Name: "pnyx", RetrievedAt: importtest.Now},
		open311.NewDecoder(bytes.NewReader(published), open311.Options{}),
		importer.Options{Actor: importtest.Admin(t, imported), Now: importtest.Clock, People: iv})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Refused != 0 || rep.Imported != 6 {
		t.Fatalf("import of Pnyx's own Open311:\n%s", text(rep))
	}
	irm := readModel(t, imported, iv)
	want, got := requestsDump(t, orm), requestsDump(t, irm)
	if got != want {
		t.Errorf("read model requests:\nexported\n%s\nimported\n%s", want, got)
	}
	if again := requestsJSON(t, irm); !bytes.Equal(again, published) {
		t.Errorf("requests.json:\nexported %s\nimported %s", published, again)
	}
}
