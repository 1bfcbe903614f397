package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/events/vault"
	"github.com/pnyx-civic/pnyx/projections"
)

// rmEnv is a real event store and a real read model file, with a runner of
// the read model projection and the read-only queries on the same file.
type rmEnv struct {
	dir    string
	store  *sqlite.Store
	db     *sql.DB // the runner's read-write handle
	runner *projections.Runner
	rm     *readmodel.ReadModel
	clock  *testClock
	vault  *vault.Vault
	// people are the vault's references of the scenario's citizens, by
	// the placeholder author a test writes (citizenA, citizenB).
	people map[events.AuthorRef]events.SubjectRef
}

// testClock is the store's recorded_at clock: it starts at a fixed time
// and advances one second per reading, so recorded times are distinct and
// reproducible.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

var recordedStart = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func newRMEnv(t testing.TB) *rmEnv {
	t.Helper()
	ctx := context.Background()
	e := &rmEnv{dir: t.TempDir(), clock: &testClock{t: recordedStart}}
	var err error
	e.store, err = sqlite.Open(ctx, filepath.Join(e.dir, "events.db"), sqlite.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { e.store.Close() })
	e.vault, err = vault.Open(ctx, filepath.Join(e.dir, "vault.db"), vault.Options{MasterKey: make([]byte, vault.MasterKeySize),
		KeysPath: filepath.Join(e.dir, "vault-keys.db")})
	if err != nil {
		t.Fatalf("open vault: %v", err)
	}
	t.Cleanup(func() { e.vault.Close() })
	e.people = map[events.AuthorRef]events.SubjectRef{}
	e.startReadModel(t, "readmodel.db")
	return e
}

// seal seals, as the command service does, the words of a citizen's event
// a test wrote in the clear (LegacyText, LegacySubject) under a placeholder
// author: the citizen is put in the vault on first use.
func (e *rmEnv) seal(t testing.TB, stream string, p events.Payload) events.Payload {
	t.Helper()
	ctx := context.Background()
	subject := func(a events.AuthorRef) events.SubjectRef {
		ref, ok := e.people[a]
		if !ok {
			var err error
			if ref, err = e.vault.Put(ctx, events.Person{DisplayName: "Δημότης " + string(a[len(a)-1:])}); err != nil {
				t.Fatal(err)
			}
			e.people[a] = ref
		}
		return ref
	}
	switch c := p.(type) {
	case events.ConsultationCommentSubmitted:
		if c.Author != citizenA && c.Author != citizenB {
			return p
		}
		_, item, _ := strings.Cut(stream, "-")
		author, sealed, err := e.vault.Seal(ctx, subject(c.Author), events.CommentEntity(item, c.CommentID), c.LegacyText)
		if err != nil {
			t.Fatal(err)
		}
		c.Author, c.Text, c.LegacyText = author, sealed[0], ""
		return c
	case events.RequestSubmitted:
		if c.Author != citizenA && c.Author != citizenB {
			return p
		}
		author, sealed, err := e.vault.Seal(ctx, subject(c.Author), events.RequestEntity(c.RequestID), c.LegacySubject)
		if err != nil {
			t.Fatal(err)
		}
		c.Author, c.Subject, c.LegacySubject = author, sealed[0], ""
		return c
	}
	return p
}

// startReadModel runs a read model runner on file name in the env's
// directory and opens the queries on it.
func (e *rmEnv) startReadModel(t testing.TB, name string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(e.dir, name)
	db, err := projections.OpenReadModel(ctx, path)
	if err != nil {
		t.Fatalf("open read model: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	r, err := projections.NewRunner(db, e.store, []projections.Projection{readmodel.NewReadModelProjection(e.vault)}, projections.Options{})
	if err != nil {
		t.Fatalf("new runner: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		r.Close()
	})
	e.db, e.runner = db, r
	e.sync(t)
	rm, err := readmodel.OpenReadModelQueries(ctx, path, e.store)
	if err != nil {
		t.Fatalf("open read model queries: %v", err)
	}
	t.Cleanup(func() { rm.Close() })
	rm.UseVault(e.vault)
	e.rm = rm
}

// sync waits until the read model has applied the whole log.
func (e *rmEnv) sync(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	head, err := e.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runner.WaitFor(ctx, head); err != nil {
		t.Fatalf("wait for %d: %v (status %+v)", head, err, e.runner.Status())
	}
}

// add appends payloads to stream as one append, occurring at at, recorded
// by a clerk, and returns the position of the last one.
func (e *rmEnv) add(t testing.TB, stream string, at time.Time, ps ...events.Payload) events.Position {
	t.Helper()
	evs := make([]events.Event, len(ps))
	for i, p := range ps {
		ev, err := events.Encode(e.seal(t, stream, p))
		if err != nil {
			t.Fatalf("encode %T: %v", p, err)
		}
		ev.OccurredAt = at
		ev.Actor = events.Actor{TokenID: "tok-clerk-1", Role: "clerk"}
		evs[i] = ev
	}
	res, err := e.store.Append(context.Background(), stream, events.Any, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res.Position
}

func day(month time.Month, d int) time.Time { return time.Date(2026, month, d, 9, 0, 0, 0, time.UTC) }

var sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func doc(title string) events.DocumentRef {
	return events.DocumentRef{Title: title, MediaType: "application/pdf", Size: 1024, SHA256: sha, URL: "https://example.gr/" + title + ".pdf"}
}

// Placeholder authors of the scenario's citizens: add seals their words
// under each one's key in the env's vault (rmEnv.seal).
const (
	citizenA = events.AuthorRef("auth-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	citizenB = events.AuthorRef("auth-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
)

// scenario records, under ids suffixed with n, a council's budget meeting
// from registration to decision, a road-works procurement, and two
// citizens' requests. It returns notable positions.
type scenarioMarks struct {
	beforeCorrection events.Position
	corrected        events.Position
}

func (e *rmEnv) scenario(t testing.TB, n int) scenarioMarks {
	t.Helper()
	var m scenarioMarks
	id := func(s string) string { return fmt.Sprintf("%s%d", s, n) }
	body, meeting, item := id("council"), id("m"), id("item")
	e.add(t, "body-"+body, day(1, 2),
		events.BodyRegistered{BodyID: body, Name: "Δημοτικό Συμβούλιο Καλλιθέας Αιγαίου", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(33)})
	for _, f := range []events.FactionFormed{
		{FactionID: id("ls"), BodyID: body, Name: "Λαϊκή Συσπείρωση", ShortName: "ΛΣ", Colour: "#D55E00", Role: events.FactionMajority},
		{FactionID: id("np"), BodyID: body, Name: "Νέα Πορεία", ShortName: "ΝΠ", Colour: "#0072B2", Role: events.FactionOpposition},
		{FactionID: id("ind"), BodyID: body, Name: "Ανεξάρτητοι", ShortName: "ΑΝ", Colour: "#999999", Role: events.FactionOpposition},
	} {
		e.add(t, events.FactionStream(f.FactionID), day(1, 2), f)
	}
	e.add(t, "body-"+body, day(1, 2),
		events.BodyMemberJoined{MemberID: "papadopoulou", Name: "Ελένη Παπαδοπούλου", FactionID: id("ls"), Role: events.RoleChair},
		events.BodyMemberJoined{MemberID: "georgiou", Name: "Νίκος Γεωργίου", FactionID: id("np"), Role: events.RoleMember},
		events.BodyMemberJoined{MemberID: "ioannou", Name: "Μαρία Ιωάννου", FactionID: id("np"), Role: events.RoleMember},
	)
	e.add(t, events.FactionStream(id("np")), day(1, 3), events.FactionLeaderChanged{MemberID: "georgiou"})
	e.add(t, "body-"+body, day(2, 10), events.BodyMemberFactionChanged{MemberID: "georgiou", FactionID: id("ind")})
	e.add(t, "meeting-"+meeting, day(2, 12),
		events.MeetingScheduled{MeetingID: meeting, BodyID: body, StartsAt: day(2, 26), Place: "Αίθουσα Δημοτικού Συμβουλίου", Urgency: events.MeetingRegular, Call: 1},
		events.MeetingItemAdded{ItemID: item, Title: "Έγκριση ΠΡΟΫΠΟΛΟΓΙΣΜΟΥ οικονομικού έτους 2026",
			Description: "Ο προϋπολογισμός του Δήμου για το 2026 προβλέπει έργα οδοποιίας και ύδρευσης.", QuestionType: events.QuestionOrdinary,
			Documents: []events.DocumentRef{doc("eisigisi")}, Presenter: "papadopoulou"},
		events.MeetingItemAdded{ItemID: id("item-roads"), Title: "Ασφαλτόστρωση δρόμων στην Αγία Τριάδα", Description: "Μελέτη οδοποιίας.",
			QuestionType: events.QuestionOrdinary, Presenter: "georgiou"},
	)
	e.add(t, "meeting-"+meeting, day(2, 18), events.MeetingAgendaPublished{ItemIDs: []string{item, id("item-roads")}, ConsultationClosesAt: day(2, 25)})
	e.add(t, "consultation-"+item, day(2, 18), events.ConsultationOpened{ItemID: item, MeetingID: meeting, ClosesAt: day(2, 25)})
	e.add(t, "consultation-"+item, day(2, 20),
		events.ConsultationCommentSubmitted{CommentID: id("c1"), Kind: events.CommentProposal, LegacyText: "Προτείνω αύξηση των κονδυλίων για παιδικές χαρές.", Author: citizenA},
		events.ConsultationCommentSubmitted{CommentID: id("c2"), Kind: events.CommentObjection, LegacyText: "Απαράδεκτο σχόλιο με προσβολές.", Author: citizenB},
	)
	e.add(t, "consultation-"+item, day(2, 21), events.ConsultationCommentModerated{CommentID: id("c2"), Reason: "Υβριστικό περιεχόμενο"})
	e.add(t, "consultation-"+id("item-roads"), day(2, 18), events.ConsultationOpened{ItemID: id("item-roads"), MeetingID: meeting, ClosesAt: day(2, 25)})
	e.add(t, "consultation-"+id("item-roads"), day(2, 19), events.ConsultationClosed{Reason: "postponed"})
	e.add(t, "consultation-"+id("item-roads"), day(2, 20), events.ConsultationReopened{ClosesAt: day(2, 25)})
	e.add(t, "meeting-"+meeting, day(2, 25),
		events.MeetingAbsenceJustified{MemberID: "konstantinou", Reason: "Λόγοι υγείας"},
		events.MeetingSubstituteSeated{SubstituteID: "anaplirotis", ForMemberID: "konstantinou"})
	e.add(t, "meeting-"+meeting, day(2, 26), events.MeetingConvened{Call: 1, Present: []string{"papadopoulou", "georgiou", "ioannou"}, PresidingMemberID: "papadopoulou", Seats: 3})
	e.add(t, "meeting-"+meeting, day(2, 26),
		events.MeetingConflictDeclared{ItemID: id("item-roads"), MemberID: "georgiou", Reason: "Ιδιοκτήτης ακινήτου στην οδό της μελέτης"},
		events.MeetingMemberSteppedOut{ItemID: id("item-roads"), MemberID: "ioannou"})
	e.add(t, "amendment-"+id("a"), day(2, 26), events.AmendmentProposed{AmendmentID: id("a"), BodyID: body, MeetingID: meeting, ItemID: item, ProposerID: "ioannou", Text: "Αύξηση κονδυλίου ύδρευσης."})
	e.add(t, "vote-"+id("v"), day(2, 26),
		events.VoteOpened{VoteID: id("v"), BodyID: body, MeetingID: meeting, ItemID: item, Question: "Εγκρίνεται ο προϋπολογισμός;", QuestionType: events.QuestionOrdinary, Method: events.VoteRollCall,
			Attending: []string{"georgiou", "ioannou", "papadopoulou"}},
		events.VoteBallotCast{MemberID: "papadopoulou", Choice: events.BallotYes},
		events.VoteBallotCast{MemberID: "georgiou", Choice: events.BallotNo},
		events.VoteBallotCast{MemberID: "ioannou", Choice: events.BallotYes},
		events.VoteBallotChanged{MemberID: "georgiou", Previous: events.BallotNo, Choice: events.BallotAbstain},
		events.VoteClosed{Yes: 2, Abstain: 1, Result: events.VotePassed, Seats: 3},
	)
	e.add(t, "amendment-"+id("a"), day(2, 26), events.AmendmentAccepted{VoteID: id("v")})
	e.add(t, "decision-"+id("d"), day(2, 26), events.DecisionAdopted{DecisionID: id("d"), BodyID: body, Number: int64(n), Year: 2026,
		MeetingID: meeting, ItemID: item, VoteID: id("v"), Title: "Ψήφιση προϋπολογισμού 2026", Text: "Εγκρίνει τον προϋπολογισμό του Δήμου για το έτος 2026.",
		LegalBasis: "ν. 3852/2010 άρθ. 77", Documents: []events.DocumentRef{doc("apofasi")}})
	m.beforeCorrection = e.add(t, "decision-"+id("d"), day(3, 2), events.DecisionPublished{Register: "diavgeia", RegisterID: "ΨΩΡΛ46ΜΤΛΚ-7ΔΘ", Version: 1, DocumentSHA256: sha})
	m.corrected = e.add(t, "decision-"+id("d"), day(3, 5), events.DecisionCorrected{Version: 2, Reason: "Διόρθωση αριθμητικού σφάλματος",
		Title: "Ψήφιση προϋπολογισμού 2026 (ορθή επανάληψη)", Text: "Εγκρίνει τον ΠΡΟΫΠΟΛΟΓΙΣΜΟ του Δήμου για το έτος 2026, με τη διόρθωση.", Documents: []events.DocumentRef{doc("apofasi-v2")}})

	e.add(t, "minutes-"+meeting, day(2, 28),
		events.MinutesDrafted{MeetingID: meeting, BodyID: body, Version: 1, Documents: []events.DocumentRef{doc("praktika")}, DecisionIDs: []string{id("d")}},
		events.MinutesCorrected{Version: 2, Reason: "Συμπλήρωση τοποθέτησης", Documents: []events.DocumentRef{doc("praktika-v2")}})
	e.add(t, "minutes-"+meeting, day(3, 12), events.MinutesApproved{Version: 2, MeetingID: id("m-next"), VoteID: id("v-minutes")})
	e.add(t, "protocol-"+id("pr-in"), day(3, 1), events.ProtocolRegistered{EntryID: id("pr-in"), Registry: "geniko", Number: int64(3 * n), Year: 2026,
		Direction: events.ProtocolIncoming, Subject: "Διαβίβαση εγκυκλίου", Correspondent: "Περιφέρεια Νοτίου Αιγαίου", Documents: []events.DocumentRef{doc("egkyklios")}})
	e.add(t, "protocol-"+id("pr-out"), day(3, 2), events.ProtocolRegistered{EntryID: id("pr-out"), Registry: "geniko", Number: int64(3*n + 1), Year: 2026,
		Direction: events.ProtocolOutgoing, Subject: "Απάντηση στην εγκύκλιο", Correspondent: "Περιφέρεια Νοτίου Αιγαίου", InReplyTo: id("pr-in"), DecisionID: id("d")})
	e.add(t, "protocol-"+id("pr-req"), day(3, 2), events.ProtocolRegistered{EntryID: id("pr-req"), Registry: "geniko", Number: int64(3*n + 2), Year: 2026,
		Direction: events.ProtocolOutgoing, Subject: "Απάντηση προς τον αιτούντα Δημότη", Correspondent: "Δημότης Α", RequestID: id("r-open"),
		Documents: []events.DocumentRef{doc("apantisi")}})

	vat := fmt.Sprintf("0947%05d", n)
	e.add(t, "supplier-"+vat, day(1, 5), events.SupplierRegistered{VATID: vat, Name: "Αγροτικός Συνεταιρισμός Αιγαίου", Kind: events.SupplierCooperative,
		Locality: "Καλλιθέα", Municipality: "Καλλιθέα Αιγαίου", Country: "GR",
		Address:      &events.PostalAddress{Street: "Ερμού 12", Postcode: "37010", Locality: "Καλλιθέα", Country: "GR"},
		ContactPoint: &events.ContactPoint{Office: "Τμήμα προσφορών", Email: "prosfores@example.gr"}})
	ocid := fmt.Sprintf("ocds-pnyx01-2026-%04d", n)
	e.add(t, "procurement-"+ocid, day(3, 10),
		events.ProcurementPlanned{OCID: ocid, Title: "Ασφαλτοστρώσεις οδών Αγίας Τριάδας", Description: "Έργα οδοποιίας και αποκατάστασης οδοστρώματος.",
			BuyerBodyID: body, Budget: events.EUR(12_000_000), CPV: []string{"45233142-6"}, Method: events.ProcurementOpen, DecisionIDs: []string{id("d")}},
		events.ProcurementTenderPublished{Procedure: "ανοικτός διαγωνισμός", Ceiling: events.EUR(12_000_000), Deadline: day(4, 10), PeriodStart: day(3, 12),
			Items: []events.TenderItem{{ID: "1", Description: "Ασφαλτόμιγμα", CPV: "44113620-7", Quantity: 800, Unit: "τόνος", UnitValue: events.EUR(9_000)},
				{ID: "2", Description: "Διαγράμμιση οδών", CPV: "45233221-4", Quantity: 4, Unit: "χιλιόμετρο", UnitValue: events.EUR(1_200_000)}}},
		events.ProcurementBidReceived{BidID: "b1", SupplierID: vat, Value: events.EUR(11_500_000), ReceivedAt: day(4, 1), Status: events.BidValid},
		events.ProcurementAwarded{AwardID: events.FirstAwardID, SupplierID: vat, Value: events.EUR(11_500_000), DecisionID: id("d")},
		events.ProcurementContractSigned{ContractID: id("k"), Value: events.EUR(11_500_000), Period: events.ContractPeriod{Start: day(5, 1), End: day(11, 30)}},
		events.ProcurementPaymentMade{PaymentID: "p1", Amount: events.EUR(4_000_000), InvoiceRef: "ΤΠΥ-17"},
		events.ProcurementPaymentMade{PaymentID: "p2", Amount: events.EUR(3_000_000), InvoiceRef: "ΤΠΥ-18"},
	)

	e.add(t, "request-"+id("r-open"), day(3, 1),
		events.RequestSubmitted{RequestID: id("r-open"), Category: events.RequestInformation, LegacySubject: "Αντίγραφο μελέτης οδοποιίας", Channel: events.RequestViaWeb,
			Author: citizenA, SubmittedAt: day(3, 1)},
		events.RequestAcknowledged{ResponseDays: 20, DueAt: day(3, 21)},
	)
	e.add(t, "request-"+id("r-done"), day(3, 2),
		events.RequestSubmitted{RequestID: id("r-done"), Category: events.RequestComplaint, LegacySubject: "Λακκούβα στην οδό Ερμού", Channel: events.RequestViaServiceCentre,
			AssistedBy: "staff-7", Author: citizenB, SubmittedAt: day(3, 2)},
		events.RequestAcknowledged{ResponseDays: 50, DueAt: day(4, 21)},
		events.RequestAssigned{Department: "technical-services"},
		events.RequestAnswered{Summary: "Η λακκούβα αποκαταστάθηκε.", AnsweredAt: day(3, 20)},
	)
	return m
}

// offices records, under ids suffixed with n, a decision of the mayor,
// published and then reissued (ορθή επανάληψη) under a new ΑΔΑ, and a
// decision of a deputy mayor's office, each numbered n in its own
// register of council n: apart from scenario, whose decisions tests
// count.
func (e *rmEnv) offices(t testing.TB, n int) {
	t.Helper()
	id := func(s string) string { return fmt.Sprintf("%s%d", s, n) }
	body := id("council")
	mayor := &events.DecisionException{Kind: events.ExceptionMayorDecision, LegalBasis: "άρθρο 58 ν. 3852/2010"}
	deputy := &events.DecisionException{Kind: events.ExceptionDeputyMayorDecision, LegalBasis: "άρθρο 59 ν. 3852/2010", Office: "antidimarchos-oikonomikon"}
	e.add(t, "decision-"+id("dm"), day(3, 3), events.DecisionAdopted{DecisionID: id("dm"), BodyID: body, Number: int64(n), Year: 2026, Exception: mayor,
		Title: "Απόφαση Δημάρχου: ορισμός υπαλλήλου", Text: "Ορίζει υπάλληλο.", LegalBasis: mayor.LegalBasis},
		events.DecisionPublished{Register: "diavgeia", RegisterID: id("ΑΔΑ-ΔΗΜ-"), Version: 1, DocumentSHA256: sha},
		events.DecisionReissued{Register: "diavgeia", RegisterID: id("ΑΔΑ-ΔΗΜ-ΟΕ-"), PreviousRegisterID: id("ΑΔΑ-ΔΗΜ-"), Version: 1, DocumentSHA256: sha,
			Reason: "Ορθή επανάληψη λόγω λάθους στα στοιχεία ανάρτησης"})
	e.add(t, "decision-"+id("dd"), day(3, 4), events.DecisionAdopted{DecisionID: id("dd"), BodyID: body, Number: int64(n), Year: 2026, Exception: deputy,
		Title: "Απόφαση Αντιδημάρχου: μετακίνηση υπαλλήλων", Text: "Εγκρίνει τη μετακίνηση.", LegalBasis: deputy.LegalBasis})
}

// openReadModel opens a read model file for a runner, closed when the test
// ends.
func openReadModel(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := projections.OpenReadModel(context.Background(), path)
	if err != nil {
		t.Fatalf("open read model: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// snap opens a snapshot of the read model as it is now, closed when the
// test ends.
func (e *rmEnv) snap(t testing.TB) *readmodel.Snapshot {
	t.Helper()
	s, err := e.rm.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
