package readmodel_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
)

func adopted(id string, number int64) events.DecisionAdopted {
	return events.DecisionAdopted{DecisionID: id, BodyID: "council1", Number: number, Year: 2026, Title: "Απόφαση " + id,
		Text: "Κείμενο.", LegalBasis: "ν. 3852/2010"}
}

func decisionIDs(l readmodel.List[readmodel.Decision]) string {
	var ids []string
	for _, d := range l.Items {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, ",")
}

func TestCursors(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	for n := 1; n <= 3; n++ {
		e.scenario(t, n) // d1, d2 and d3, all adopted on 26 February: the id breaks the tie
	}
	e.sync(t)

	t.Run("pages follow one another without a gap or a repeat, ties broken by id", func(t *testing.T) {
		s := e.snap(t)
		var seen []string
		p := readmodel.Page{First: 1}
		for range 5 {
			l, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: p})
			if err != nil {
				t.Fatal(err)
			}
			if id := decisionIDs(l); id != "" {
				seen = append(seen, id)
			}
			if !l.HasMore {
				break
			}
			p.After = l.Next
		}
		if got := strings.Join(seen, ","); got != "d1,d2,d3" {
			t.Errorf("pages of one: %s, want d1,d2,d3", got)
		}
	})
	t.Run("a cursor taken before new rows continues without skipping or repeating", func(t *testing.T) {
		first, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 2}})
		if err != nil || decisionIDs(first) != "d1,d2" || !first.HasMore {
			t.Fatalf("first page %s (more %v), %v", decisionIDs(first), first.HasMore, err)
		}
		// Rows that sort before the cursor (adopted earlier, or at the
		// same time with a smaller id) and after it.
		e.add(t, "decision-d0", day(2, 26), adopted("d0", 90))
		e.add(t, "decision-d25", day(2, 26), adopted("d25", 91))
		e.add(t, "decision-early", day(1, 10), adopted("early", 92))
		e.add(t, "decision-late", day(6, 1), adopted("late", 93))
		e.sync(t)
		rest, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{After: first.Next}})
		if err != nil {
			t.Fatal(err)
		}
		if got := decisionIDs(rest); got != "d25,d3,late" || rest.HasMore {
			t.Errorf("continued: %s (more %v), want d25,d3,late: the rows after the cursor, none before it again", got, rest.HasMore)
		}
		// The last page's cursor finds what is appended after it.
		e.add(t, "decision-later", day(7, 1), adopted("later", 94))
		e.sync(t)
		more, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{After: rest.Next}})
		if err != nil || decisionIDs(more) != "later" {
			t.Errorf("after the last page: %s, %v", decisionIDs(more), err)
		}
		empty, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{After: more.Next}})
		if err != nil || len(empty.Items) != 0 || empty.Next != more.Next || empty.HasMore {
			t.Errorf("an empty page keeps its cursor: %+v, %v", empty, err)
		}
	})
	t.Run("comments of an item continue in submission order after new comments", func(t *testing.T) {
		first, err := e.snap(t).Comments(ctx, readmodel.CommentFilter{ItemID: "item1", Page: readmodel.Page{First: 1}})
		if err != nil || len(first.Items) != 1 || first.Items[0].ID != "c11" {
			t.Fatalf("first page %+v, %v", first, err)
		}
		e.add(t, "consultation-item1", day(2, 22), events.ConsultationCommentSubmitted{CommentID: "c31", Kind: events.CommentRemark,
			LegacyText: "Συμφωνώ.", Author: citizenA})
		e.sync(t)
		rest, err := e.snap(t).Comments(ctx, readmodel.CommentFilter{ItemID: "item1", Page: readmodel.Page{After: first.Next}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range rest.Items {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != "c21,c31" {
			t.Errorf("continued: %v, want c21,c31", ids)
		}
	})
	t.Run("a total counts every row of the filters, and only when asked", func(t *testing.T) {
		l, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{BodyID: "council1", Page: readmodel.Page{First: 1, Total: true}})
		if err != nil || l.Total == nil || *l.Total != 6 || len(l.Items) != 1 {
			t.Fatalf("total %v of %d items, %v; want 6 (d1 and the five added)", l.Total, len(l.Items), err)
		}
		l, err = e.snap(t).Decisions(ctx, readmodel.DecisionFilter{BodyID: "council1", Page: readmodel.Page{First: 1}})
		if err != nil || l.Total != nil {
			t.Errorf("total without asking: %v, %v", l.Total, err)
		}
	})
	t.Run("bad pages and cursors are invalid errors", func(t *testing.T) {
		s := e.snap(t)
		votes, err := s.Votes(ctx, readmodel.VoteFilter{Page: readmodel.Page{First: 1}})
		if err != nil || votes.Next == "" {
			t.Fatalf("votes %+v, %v", votes, err)
		}
		forged := func(list string, key ...any) string {
			c, err := readmodel.EncodeCursor(list, key)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for _, c := range []struct {
			name string
			page readmodel.Page
		}{
			{"first over the maximum", readmodel.Page{First: readmodel.MaxPageSize + 1}},
			{"negative first", readmodel.Page{First: -5}},
			{"a cursor that is not base64url", readmodel.Page{After: "not a cursor!"}},
			{"a cursor that is not JSON", readmodel.Page{After: base64.RawURLEncoding.EncodeToString([]byte("{{"))}},
			{"a cursor of another list", readmodel.Page{After: votes.Next}},
			{"a cursor with a key of another shape", readmodel.Page{After: forged("decisions", "x")}},
			{"a cursor holding an object", readmodel.Page{After: forged("decisions", map[string]any{"a": 1}, "d1")}},
			{"a cursor too long to be one", readmodel.Page{After: strings.Repeat("A", 5000)}},
		} {
			_, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: c.page})
			if !errors.Is(err, events.ErrInvalid) {
				t.Errorf("%s: %v, want invalid", c.name, err)
			}
		}
	})
}

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)

	t.Run("a snapshot keeps its position and its rows while the runner applies more", func(t *testing.T) {
		s := e.snap(t)
		pos := s.Position()
		if serving, err := e.rm.ServingPosition(ctx); err != nil || serving != pos || pos == 0 {
			t.Fatalf("snapshot at %d, serving %d, %v", pos, serving, err)
		}
		before, err := s.Decisions(ctx, readmodel.DecisionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		e.add(t, "decision-new", day(3, 20), adopted("new", 50))
		e.add(t, "decision-d1", day(3, 21), events.DecisionRevoked{Reason: "Ανάκληση", RevokingDecisionID: "new"})
		e.sync(t)
		serving, err := e.rm.ServingPosition(ctx)
		if err != nil || serving <= pos {
			t.Fatalf("serving %d after appends, %v; want past %d", serving, err, pos)
		}
		if s.Position() != pos {
			t.Errorf("the snapshot moved from %d to %d", pos, s.Position())
		}
		after, err := s.Decisions(ctx, readmodel.DecisionFilter{})
		if err != nil || decisionIDs(after) != decisionIDs(before) || after.Items[0].Status != before.Items[0].Status {
			t.Errorf("in the snapshot: %s (%s), want %s (%s), %v", decisionIDs(after), after.Items[0].Status,
				decisionIDs(before), before.Items[0].Status, err)
		}
		if _, err := s.Decision(ctx, "new"); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("a decision recorded after the snapshot: %v, want not_found", err)
		}
		now := e.snap(t)
		if now.Position() != serving {
			t.Errorf("a new snapshot at %d, want %d", now.Position(), serving)
		}
		d, err := now.Decision(ctx, "d1")
		if err != nil || d.Status != string(events.DecisionIsRevoked) {
			t.Errorf("in a new snapshot: %+v, %v", d, err)
		}
	})
	t.Run("a snapshot keeps its rows while a rebuild swaps in a new build and drops its tables", func(t *testing.T) {
		s := e.snap(t)
		before, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{Total: true}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.runner.Rebuild(ctx, readmodel.ReadModelName, nil); err != nil {
			t.Fatal(err)
		}
		after, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{Total: true}})
		if err != nil || decisionIDs(after) != decisionIDs(before) || *after.Total != *before.Total {
			t.Errorf("after the swap: %s of %v, %v; want %s of %d", decisionIDs(after), after.Total, err, decisionIDs(before), *before.Total)
		}
		if hits, err := s.Search(ctx, "προϋπολογισμός", readmodel.SearchOptions{}); err != nil || len(hits.Items) == 0 {
			t.Errorf("search in the snapshot after the swap: %d hits, %v", len(hits.Items), err)
		}
		// A cursor of the old build continues in the new one.
		first, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 1}})
		if err != nil {
			t.Fatal(err)
		}
		rest, err := e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{After: first.Next}})
		if err != nil || len(rest.Items) != *before.Total-1 {
			t.Errorf("continued in the new build: %s, %v", decisionIDs(rest), err)
		}
	})
	t.Run("a snapshot answers the concurrent resolvers of one request", func(t *testing.T) {
		s := e.snap(t)
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() {
				if _, err := s.Decisions(ctx, readmodel.DecisionFilter{}); err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = s.VotesByID(ctx, []string{"v1"})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Error(err)
		}
	})
	t.Run("View runs one query in a snapshot of its own", func(t *testing.T) {
		var d readmodel.Decision
		err := e.rm.View(ctx, func(s *readmodel.Snapshot) error {
			var err error
			d, err = s.Decision(ctx, "d1")
			return err
		})
		if err != nil || d.ID != "d1" {
			t.Errorf("%+v, %v", d, err)
		}
	})
}

func TestGettersByID(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.scenario(t, 2)
	e.sync(t)
	s := e.snap(t)

	t.Run("a batch answers in the order asked, nil for a missing id, repeats included", func(t *testing.T) {
		got, err := s.VotesByID(ctx, []string{"v2", "missing", "v1", "v2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 || got[0] == nil || got[0].ID != "v2" || got[1] != nil || got[2].ID != "v1" || got[3].ID != "v2" {
			t.Errorf("votes %v", got)
		}
		ms, err := s.MembershipsByKey(ctx, []readmodel.MembershipKey{{BodyID: "council1", MemberID: "georgiou", Period: 2},
			{BodyID: "council1", MemberID: "georgiou", Period: 3}, {BodyID: "council1", MemberID: "georgiou", Period: 1}})
		if err != nil || len(ms) != 3 || ms[0] == nil || ms[0].FactionID != "ind1" || ms[1] != nil || ms[2].FactionID != "np1" {
			t.Errorf("memberships %v, %v", ms, err)
		}
		items, err := s.AgendaItemsByID(ctx, []string{"item-roads1", "item1"})
		if err != nil || len(items) != 2 || items[0].ID != "item-roads1" || items[1].ID != "item1" {
			t.Errorf("items %v, %v", items, err)
		}
		docs, err := s.DocumentsOf(ctx, "agenda_item", []string{"item-roads1", "item1", "nope", "item1"})
		if err != nil || len(docs) != 4 || len(docs[0]) != 0 || len(docs[1]) != 1 || docs[2] == nil || len(docs[2]) != 0 || len(docs[3]) != 1 {
			t.Errorf("documents %v, %v", docs, err)
		}
		if _, err := s.DocumentsOf(ctx, "agenda_item", make([]string, readmodel.MaxBatch+1)); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("documents of too many owners: %v, want invalid", err)
		}
	})
	t.Run("a getter of a missing id is not found", func(t *testing.T) {
		for name, err := range map[string]error{
			"vote":         second(s.Vote(ctx, "nope")),
			"amendment":    second(s.Amendment(ctx, "nope")),
			"agenda item":  second(s.AgendaItem(ctx, "nope")),
			"comment":      second(s.Comment(ctx, "nope")),
			"consultation": second(s.Consultation(ctx, "nope")),
			"supplier":     second(s.Supplier(ctx, "nope")),
			"membership":   second(s.Membership(ctx, readmodel.MembershipKey{BodyID: "council1", MemberID: "nope", Period: 1})),
			"tender amendment": second(s.TenderAmendment(ctx, readmodel.ProcurementAmendmentKey{OCID: "ocds-pnyx01-2026-0001",
				Seq: 1})),
			"contract amendment":   second(s.ContractAmendment(ctx, readmodel.ProcurementAmendmentKey{OCID: "nope", Seq: 1})),
			"procurement decision": second(s.ProcurementDecision(ctx, readmodel.ProcurementDecisionKey{OCID: "nope"})),
		} {
			if events.ErrorCode(err) != events.CodeNotFound {
				t.Errorf("%s: %v, want not_found", name, err)
			}
		}
	})
	t.Run("every entity is found by its id", func(t *testing.T) {
		for name, err := range map[string]error{
			"vote":         second(s.Vote(ctx, "v1")),
			"amendment":    second(s.Amendment(ctx, "a1")),
			"agenda item":  second(s.AgendaItem(ctx, "item1")),
			"comment":      second(s.Comment(ctx, "c11")),
			"consultation": second(s.Consultation(ctx, "item1")),
			"supplier":     second(s.Supplier(ctx, "094700001")),
			"membership":   second(s.Membership(ctx, readmodel.MembershipKey{BodyID: "council1", MemberID: "ioannou", Period: 1})),
			"procurement decision": second(s.ProcurementDecision(ctx, readmodel.ProcurementDecisionKey{OCID: "ocds-pnyx01-2026-0001",
				DecisionID: "d1", Role: "award"})),
			"bid":         second(s.Bid(ctx, readmodel.BidKey{OCID: "ocds-pnyx01-2026-0001", BidID: "b1"})),
			"payment":     second(s.Payment(ctx, readmodel.PaymentKey{OCID: "ocds-pnyx01-2026-0001", PaymentID: "p2"})),
			"body":        second(s.Body(ctx, "council1")),
			"meeting":     second(s.Meeting(ctx, "m1")),
			"decision":    second(s.Decision(ctx, "d1")),
			"procurement": second(s.Procurement(ctx, "ocds-pnyx01-2026-0001")),
			"request":     second(s.Request(ctx, "r-open1")),
		} {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("too many ids at once are invalid", func(t *testing.T) {
		many := make([]string, readmodel.MaxBatch+1)
		for i := range many {
			many[i] = fmt.Sprintf("d%d", i)
		}
		if _, err := s.DecisionsByID(ctx, many); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("%d ids: %v, want invalid", len(many), err)
		}
		if got, err := s.DecisionsByID(ctx, many[:readmodel.MaxBatch]); err != nil || len(got) != readmodel.MaxBatch || got[1].ID != "d1" {
			t.Errorf("%d ids: %d, %v", readmodel.MaxBatch, len(got), err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestMemberRecord(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	// A second sitting, without georgiou.
	e.add(t, "meeting-m9", day(4, 1), events.MeetingScheduled{MeetingID: "m9", BodyID: "council1", StartsAt: day(4, 10), Place: "Αίθουσα",
		Urgency: events.MeetingRegular, Call: 1})
	e.add(t, "meeting-m9", day(4, 10), events.MeetingConvened{Call: 1, Present: []string{"papadopoulou", "ioannou"},
		PresidingMemberID: "papadopoulou", Seats: 3})
	e.sync(t)
	s := e.snap(t)

	t.Run("a member's ballots carry the vote's question, item, meeting and result", func(t *testing.T) {
		l, err := s.MemberBallots(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou"})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("ballots %+v, %v", l, err)
		}
		b := l.Items[0]
		if b.VoteID != "v1" || b.Choice != "abstain" || b.Changes != 1 || b.Question != "Εγκρίνεται ο προϋπολογισμός;" ||
			b.ItemID != "item1" || !strings.HasPrefix(b.ItemTitle, "Έγκριση ΠΡΟΫΠΟΛΟΓΙΣΜΟΥ") || b.MeetingID != "m1" || b.Result != "passed" ||
			!b.OpenedAt.Equal(day(2, 26)) || !b.CastAt.Equal(day(2, 26)) {
			t.Errorf("ballot %+v", b)
		}
	})
	t.Run("a member's ballots filter by the faction they sat for and the period", func(t *testing.T) {
		for _, c := range []struct {
			f    readmodel.MemberRecordFilter
			want int
		}{
			{readmodel.MemberRecordFilter{MemberID: "georgiou", Faction: "ind1"}, 1},
			{readmodel.MemberRecordFilter{MemberID: "georgiou", Faction: "np1"}, 0}, // he had left it by then
			{readmodel.MemberRecordFilter{MemberID: "georgiou", Period: readmodel.TimeRange{From: day(3, 1)}}, 0},
			{readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1", Period: readmodel.TimeRange{To: day(3, 1)}}, 1},
			{readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "other"}, 0},
		} {
			l, err := s.MemberBallots(ctx, c.f)
			if err != nil || len(l.Items) != c.want {
				t.Errorf("%+v: %d ballots, %v; want %d", c.f, len(l.Items), err, c.want)
			}
		}
	})
	t.Run("a member's attendance shows every sitting of their membership, present or not", func(t *testing.T) {
		l, err := s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1"})
		if err != nil || len(l.Items) != 2 {
			t.Fatalf("attendance %+v, %v", l, err)
		}
		if l.Items[0].MeetingID != "m1" || !l.Items[0].Present || l.Items[1].MeetingID != "m9" || l.Items[1].Present {
			t.Errorf("attendance %+v", l.Items)
		}
		l, err = s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1", Faction: "np1"})
		if err != nil || len(l.Items) != 0 {
			t.Errorf("sittings while in Νέα Πορεία: %+v, %v", l.Items, err)
		}
		l, err = s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1",
			Period: readmodel.TimeRange{From: day(4, 1)}, Page: readmodel.Page{Total: true}})
		if err != nil || len(l.Items) != 1 || *l.Total != 1 || l.Items[0].MeetingID != "m9" {
			t.Errorf("sittings from April: %+v, %v", l, err)
		}
	})
	t.Run("a record without a member, or attendance without a body, is invalid", func(t *testing.T) {
		if _, err := s.MemberBallots(ctx, readmodel.MemberRecordFilter{BodyID: "council1"}); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("ballots: %v", err)
		}
		if _, err := s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou"}); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("attendance: %v", err)
		}
	})
}

func TestFilters(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	for i, name := range []string{"ΑΓΡΟΤΙΚΗ ΕΤΑΙΡΕΙΑ ΚΡΗΤΗΣ", "Ωμέγα Κατασκευαστική Α.Ε.", "Agrotiki Hellas"} {
		vat := fmt.Sprintf("0999%05d", i)
		e.add(t, "supplier-"+vat, day(1, 6), events.SupplierRegistered{VATID: vat, Name: name, Kind: events.SupplierSME, Country: "GR"})
	}
	e.add(t, "request-r-open1", day(3, 3), events.RequestAssigned{Department: "technical-services", OfficerID: "officer-3"})
	e.sync(t)
	s := e.snap(t)

	suppliers := func(t *testing.T, f readmodel.SupplierFilter) string {
		t.Helper()
		l, err := s.Suppliers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, su := range l.Items {
			names = append(names, su.Name)
		}
		return strings.Join(names, "; ")
	}
	t.Run("suppliers by name, in any case and with or without accents", func(t *testing.T) {
		for _, c := range []struct{ name, want string }{
			{"αγροτικ", "ΑΓΡΟΤΙΚΗ ΕΤΑΙΡΕΙΑ ΚΡΗΤΗΣ; Αγροτικός Συνεταιρισμός Αιγαίου"},
			{"ΑΓΡΟΤΙΚΟΣ ΣΥΝΕΤΑΙΡΙΣΜΟΣ", "Αγροτικός Συνεταιρισμός Αιγαίου"},
			{"αγροτικός συνεταιρισμός αιγαιου", "Αγροτικός Συνεταιρισμός Αιγαίου"},
			{"  ωμεγα ", "Ωμέγα Κατασκευαστική Α.Ε."},
			{"ΩΜΈΓΑ ΚΑΤΑΣΚΕΥΑΣΤΙΚΉ", "Ωμέγα Κατασκευαστική Α.Ε."},
			{"agrotiki", "Agrotiki Hellas"},
			{"συνεταιρισμος", ""}, // a prefix of the name, not any word
		} {
			if got := suppliers(t, readmodel.SupplierFilter{Name: c.name}); got != c.want {
				t.Errorf("%q: %q, want %q", c.name, got, c.want)
			}
		}
	})
	t.Run("suppliers by VAT id prefix", func(t *testing.T) {
		if got := suppliers(t, readmodel.SupplierFilter{VATID: "0947"}); got != "Αγροτικός Συνεταιρισμός Αιγαίου" {
			t.Errorf("0947: %q", got)
		}
		if got := suppliers(t, readmodel.SupplierFilter{VATID: "099900001"}); got != "Ωμέγα Κατασκευαστική Α.Ε." {
			t.Errorf("099900001: %q", got)
		}
	})
	t.Run("the new filters select what they name", func(t *testing.T) {
		count := func(name string, l int, err error, want int) {
			t.Helper()
			if err != nil || l != want {
				t.Errorf("%s: %d, %v; want %d", name, l, err, want)
			}
		}
		d, err := s.Decisions(ctx, readmodel.DecisionFilter{ItemID: "item1"})
		count("decisions by item", len(d.Items), err, 1)
		d, err = s.Decisions(ctx, readmodel.DecisionFilter{VoteID: "v1"})
		count("decisions by vote", len(d.Items), err, 1)
		d, err = s.Decisions(ctx, readmodel.DecisionFilter{VoteID: "v9"})
		count("decisions by another vote", len(d.Items), err, 0)
		v, err := s.Votes(ctx, readmodel.VoteFilter{Result: "passed"})
		count("votes by result", len(v.Items), err, 1)
		v, err = s.Votes(ctx, readmodel.VoteFilter{AmendmentID: "a1"})
		count("votes by amendment", len(v.Items), err, 0)
		m, err := s.Memberships(ctx, readmodel.MembershipFilter{Role: "chair"})
		count("memberships by role", len(m.Items), err, 1)
		c, err := s.Comments(ctx, readmodel.CommentFilter{Kind: "objection"})
		count("comments by kind", len(c.Items), err, 1)
		c, err = s.Comments(ctx, readmodel.CommentFilter{Status: readmodel.CommentPublished})
		count("comments by status", len(c.Items), err, 1)
		c, err = s.Comments(ctx, readmodel.CommentFilter{MeetingID: "m1", Kind: "proposal"})
		count("comments by meeting and kind", len(c.Items), err, 1)
		r, err := s.Requests(ctx, readmodel.RequestFilter{OfficerID: "officer-3"})
		count("requests by officer", len(r.Items), err, 1)
	})
}

// FuzzCursor feeds arbitrary cursors to a list: each must page or be
// refused as invalid, never fail otherwise or panic.
func FuzzCursor(f *testing.F) {
	e := newRMEnv(f)
	e.scenario(f, 1)
	e.sync(f)
	ctx := context.Background()
	s, err := e.rm.Snapshot(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	l, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: 1}})
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []string{l.Next, "", "x", "WyJkZWNpc2lvbnMiXQ", "WyJkZWNpc2lvbnMiLG51bGwsbnVsbF0", "WyJkZWNpc2lvbnMiLDFlOTk5LDJd"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		_, err := s.Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{After: cursor}})
		if c := events.ErrorCode(err); err != nil && c != events.CodeInvalid {
			t.Fatalf("after %q: %v (code %s)", cursor, err, c)
		}
	})
}

// silentChanges is a writer that announces a change only when told to.
type silentChanges struct {
	mu sync.Mutex
	ch chan struct{}
}

func (c *silentChanges) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

func (c *silentChanges) announce() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
}

func TestServingPositionFollowsChanges(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)
	open := func(t *testing.T, c readmodel.Changes) *readmodel.ReadModel {
		rm, err := readmodel.OpenReadModelQueries(ctx, filepath.Join(e.dir, "readmodel.db"), e.store)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rm.Close() })
		rm.FollowChanges(c)
		return rm
	}
	serving := func(t *testing.T, rm *readmodel.ReadModel) events.Position {
		t.Helper()
		pos, err := rm.ServingPosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return pos
	}

	t.Run("the position is read again only when the writer announces a change", func(t *testing.T) {
		c := &silentChanges{}
		rm := open(t, c)
		before := serving(t, rm)
		e.add(t, "decision-silent", day(3, 20), adopted("silent", 51))
		e.sync(t)
		file := serving(t, e.rm)
		if file <= before {
			t.Fatalf("the file serves %d after an append, before %d", file, before)
		}
		if got := serving(t, rm); got != before {
			t.Errorf("without an announcement: %d, want the kept %d", got, before)
		}
		c.announce()
		if got := serving(t, rm); got != file {
			t.Errorf("after the announcement: %d, want the file's %d", got, file)
		}
	})
	t.Run("following the runner, the position is the file's after every commit", func(t *testing.T) {
		rm := open(t, e.runner)
		for i := range 5 {
			id := fmt.Sprintf("follow-%d", i)
			e.add(t, "decision-"+id, day(4, 10+i), adopted(id, int64(60+i)))
			e.sync(t)
			if got, want := serving(t, rm), serving(t, e.rm); got != want {
				t.Fatalf("after append %d: %d, the file serves %d", i, got, want)
			}
			if s := e.snap(t); s.Position() != serving(t, rm) {
				t.Fatalf("a snapshot at %d, the followed position %d", s.Position(), serving(t, rm))
			}
		}
	})
}
