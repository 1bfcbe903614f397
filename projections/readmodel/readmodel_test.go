package readmodel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

func TestReadModelQueries(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)

	t.Run("a decision shows its current version and keeps every earlier one", func(t *testing.T) {
		d, err := e.snap(t).Decision(ctx, "d1")
		if err != nil {
			t.Fatal(err)
		}
		if d.Number != "1/2026" || d.Version != 2 || !strings.Contains(d.Title, "ορθή επανάληψη") || d.RegisterID != "ΨΩΡΛ46ΜΤΛΚ-7ΔΘ" {
			t.Errorf("decision %+v", d)
		}
		if !d.AdoptedAt.Equal(day(2, 26)) || !d.PublishedAt.Equal(day(3, 2)) {
			t.Errorf("adopted %v published %v", d.AdoptedAt, d.PublishedAt)
		}
		vs, err := e.snap(t).DecisionVersions(ctx, "d1")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Title != "Ψήφιση προϋπολογισμού 2026" || vs[1].Reason != "Διόρθωση αριθμητικού σφάλματος" {
			t.Fatalf("versions %+v", vs)
		}
		if len(vs[0].Documents) != 1 || vs[0].Documents[0].URL != "https://example.gr/apofasi.pdf" || vs[1].Documents[0].URL != "https://example.gr/apofasi-v2.pdf" {
			t.Errorf("documents %+v / %+v", vs[0].Documents, vs[1].Documents)
		}
	})
	t.Run("a missing decision is not found", func(t *testing.T) {
		_, err := e.snap(t).Decision(ctx, "nope")
		if events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("error %v, want not_found", err)
		}
	})
	t.Run("decisions filter by body, status and adoption dates", func(t *testing.T) {
		got, err := rows(e.snap(t).Decisions(ctx, readmodel.DecisionFilter{BodyID: "council1", Status: "adopted", Adopted: readmodel.TimeRange{From: day(2, 1), To: day(3, 1)}}))
		if err != nil || len(got) != 1 {
			t.Fatalf("decisions %+v, %v", got, err)
		}
		got, err = rows(e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Adopted: readmodel.TimeRange{From: day(3, 1)}}))
		if err != nil || len(got) != 0 {
			t.Errorf("decisions adopted from March: %+v, %v", got, err)
		}
	})
	t.Run("a membership change of faction closes one period and opens the next", func(t *testing.T) {
		ms, err := rows(e.snap(t).Memberships(ctx, readmodel.MembershipFilter{BodyID: "council1", MemberID: "georgiou"}))
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].FactionID != "np1" || !ms[0].Until.Equal(day(2, 10)) || ms[1].FactionID != "ind1" || !ms[1].Until.IsZero() {
			t.Fatalf("memberships %+v", ms)
		}
		then, err := rows(e.snap(t).Memberships(ctx, readmodel.MembershipFilter{Faction: "np1", At: day(2, 1)}))
		if err != nil || len(then) != 2 {
			t.Errorf("Νέα Πορεία on 1 February: %+v, %v", then, err)
		}
		now, err := rows(e.snap(t).Memberships(ctx, readmodel.MembershipFilter{Faction: "np1", At: day(3, 1)}))
		if err != nil || len(now) != 1 || now[0].MemberID != "ioannou" {
			t.Errorf("Νέα Πορεία on 1 March: %+v, %v", now, err)
		}
	})
	t.Run("a meeting lists its agenda with documents and its attendance", func(t *testing.T) {
		mt, err := e.snap(t).Meeting(ctx, "m1")
		if err != nil || mt.Status != "convened" || mt.Present != 3 || !mt.AgendaPublishedAt.Equal(day(2, 18)) {
			t.Fatalf("meeting %+v, %v", mt, err)
		}
		items, err := rows(e.snap(t).AgendaItems(ctx, readmodel.AgendaItemFilter{MeetingID: "m1"}))
		if err != nil || len(items) != 2 || items[0].ID != "item1" || items[0].Status != readmodel.ItemPublished {
			t.Fatalf("items %+v, %v", items, err)
		}
		docs, err := e.snap(t).DocumentsOf(ctx, "agenda_item", []string{items[0].ID, items[1].ID})
		if err != nil || len(docs) != 2 || len(docs[0]) != 1 || docs[0][0].Title != "eisigisi" || docs[1] == nil || len(docs[1]) != 0 {
			t.Fatalf("documents %+v, %v", docs, err)
		}
		present, err := e.snap(t).Attendance(ctx, "m1")
		if err != nil || strings.Join(present, ",") != "georgiou,ioannou,papadopoulou" {
			t.Errorf("attendance %v, %v", present, err)
		}
	})
	t.Run("ballots record the final choice and how often it changed", func(t *testing.T) {
		bs, err := rows(e.snap(t).Ballots(ctx, readmodel.BallotFilter{VoteID: "v1"}))
		if err != nil || len(bs) != 3 || bs[0].MemberID != "georgiou" || bs[0].Choice != "abstain" || bs[0].Changes != 1 {
			t.Fatalf("ballots %+v, %v", bs, err)
		}
		vs, err := rows(e.snap(t).Votes(ctx, readmodel.VoteFilter{MeetingID: "m1"}))
		if err != nil || len(vs) != 1 || vs[0].Yes != 2 || vs[0].Abstain != 1 || vs[0].Result != "passed" {
			t.Errorf("votes %+v, %v", vs, err)
		}
	})
	t.Run("a hidden comment keeps its reason and loses its text", func(t *testing.T) {
		cs, err := rows(e.snap(t).Comments(ctx, readmodel.CommentFilter{ItemID: "item1"}))
		if err != nil || len(cs) != 2 {
			t.Fatalf("comments %+v, %v", cs, err)
		}
		if cs[0].Status != readmodel.CommentPublished || cs[0].Text == "" || cs[0].DisplayName != readmodel.CommentDisplayName {
			t.Errorf("first comment %+v", cs[0])
		}
		if cs[1].Status != readmodel.CommentHidden || cs[1].Text != "" || cs[1].ModerationReason != "Υβριστικό περιεχόμενο" {
			t.Errorf("hidden comment %+v", cs[1])
		}
	})
	t.Run("procurement filters by CPV prefix, supplier and value ranges in cents", func(t *testing.T) {
		min, max := int64(10_000_000), int64(12_000_000)
		got, err := rows(e.snap(t).Procurements(ctx, readmodel.ProcurementFilter{CPV: "4523", SupplierVATID: "094700001", Awarded: readmodel.MoneyRange{Min: &min, Max: &max}}))
		if err != nil || len(got) != 1 {
			t.Fatalf("procurements %+v, %v", got, err)
		}
		p := got[0]
		if p.Status != readmodel.ProcurementContract || p.Paid.Cents != 7_000_000 || p.Paid.Currency != "EUR" || p.Bids != 1 ||
			p.Budget == nil || p.Budget.Cents != 12_000_000 || len(p.CPV) != 1 || p.CPV[0] != "45233142-6" {
			t.Errorf("procurement %+v", p)
		}
		none, err := rows(e.snap(t).Procurements(ctx, readmodel.ProcurementFilter{CPV: "7"}))
		if err != nil || len(none) != 0 {
			t.Errorf("CPV 7…: %+v, %v", none, err)
		}
		pays, err := rows(e.snap(t).Payments(ctx, readmodel.PaymentFilter{OCID: p.OCID}))
		if err != nil || len(pays) != 2 || pays[0].Amount != events.EUR(4_000_000) {
			t.Errorf("payments %+v, %v", pays, err)
		}
	})
	t.Run("overdue is computed from the caller's now, never stored", func(t *testing.T) {
		for _, c := range []struct {
			now  time.Time
			want []string
		}{
			{day(3, 20), nil},
			{day(3, 22), []string{"r-open1"}},
			{day(6, 1), []string{"r-open1"}}, // r-done1 was answered: never overdue
		} {
			got, err := rows(e.snap(t).Requests(ctx, readmodel.RequestFilter{OverdueAt: c.now}))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
				if !r.Overdue(c.now) {
					t.Errorf("%s listed as overdue at %v but Overdue says no", r.ID, c.now)
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.want, ",") {
				t.Errorf("overdue at %v: %v, want %v", c.now, ids, c.want)
			}
		}
		hist, err := e.snap(t).RequestHistory(ctx, "r-done1")
		if err != nil || len(hist) != 4 || hist[3].Status != "answered" {
			t.Errorf("history %+v, %v", hist, err)
		}
	})
	t.Run("bad filters are invalid errors", func(t *testing.T) {
		cases := map[string]error{}
		_, cases["first over the maximum"] = rows(e.snap(t).Decisions(ctx, readmodel.DecisionFilter{Page: readmodel.Page{First: readmodel.MaxPageSize + 1}}))
		_, cases["negative first"] = rows(e.snap(t).Meetings(ctx, readmodel.MeetingFilter{Page: readmodel.Page{First: -1}}))
		_, cases["a range that ends before it starts"] = rows(e.snap(t).Requests(ctx, readmodel.RequestFilter{Submitted: readmodel.TimeRange{From: day(3, 2), To: day(3, 1)}}))
		_, cases["a CPV with letters"] = rows(e.snap(t).Procurements(ctx, readmodel.ProcurementFilter{CPV: "45' OR 1=1"}))
		_, cases["ballots of no vote"] = rows(e.snap(t).Ballots(ctx, readmodel.BallotFilter{}))
		for name, err := range cases {
			if !errors.Is(err, events.ErrInvalid) {
				t.Errorf("%s: error %v, want invalid", name, err)
			}
		}
	})
}

func TestReadModelPrivacy(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)
	var refs []string
	for _, ref := range e.people {
		refs = append(refs, string(ref))
	}
	if len(refs) != 2 {
		t.Fatalf("%d citizens in the vault, want 2", len(refs))
	}

	t.Run("no table holds a subject reference of the vault", func(t *testing.T) {
		var b bytes.Buffer
		if err := projections.Dump(ctx, e.db, &b, readmodel.ReadModelName); err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(b.String(), "## ") {
			for _, ref := range refs {
				if strings.Contains(block, ref) {
					t.Errorf("subject reference %s in %s", ref, strings.SplitN(block, "\n", 2)[0])
				}
			}
		}
		if !strings.Contains(b.String(), "Προτείνω αύξηση των κονδυλίων") || !strings.Contains(b.String(), "Λακκούβα στην οδό Ερμού") {
			t.Errorf("the read model does not show the citizens' opened words")
		}
	})
	t.Run("as-of states and histories carry no subject reference", func(t *testing.T) {
		for _, stream := range []string{"consultation-item1", "request-r-open1", "request-r-done1"} {
			st, err := e.rm.AsOf(ctx, stream, readmodel.Point{})
			if err != nil {
				t.Fatal(err)
			}
			hist, err := e.rm.History(ctx, stream, readmodel.HistoryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			all, _ := json.Marshal(hist)
			state, _ := json.Marshal(st)
			for _, ref := range refs {
				if bytes.Contains(state, []byte(ref)) || bytes.Contains(all, []byte(ref)) {
					t.Errorf("%s shows subject reference %s", stream, ref)
				}
			}
			if bytes.Contains(bytes.ToLower(all), []byte("subject_ref")) {
				t.Errorf("%s history keeps a subject_ref field", stream)
			}
		}
	})
}

func TestAsOfAndHistory(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	marks := e.scenario(t, 1)
	e.sync(t)

	versions := func(t *testing.T, st readmodel.EntityState) int {
		t.Helper()
		d, ok := st.State.(*readmodel.DecisionView)
		if !ok {
			t.Fatalf("state is %T", st.State)
		}
		return len(d.Versions)
	}
	t.Run("a decision as of a position before its correction has one version", func(t *testing.T) {
		st, err := e.rm.AsOf(ctx, "decision-d1", readmodel.Point{Position: marks.beforeCorrection})
		if err != nil {
			t.Fatal(err)
		}
		if n := versions(t, st); n != 1 || st.Position != marks.beforeCorrection || st.Kind != "decision" {
			t.Errorf("as of %d: %d versions, %+v", marks.beforeCorrection, n, st)
		}
		now, err := e.rm.AsOf(ctx, "decision-d1", readmodel.Point{})
		if err != nil || versions(t, now) != 2 || now.Position != marks.corrected {
			t.Errorf("now: %+v, %v", now, err)
		}
	})
	t.Run("as of a recorded time reads what was recorded by then", func(t *testing.T) {
		hist, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{})
		if err != nil || len(hist) != 3 {
			t.Fatalf("history %+v, %v", hist, err)
		}
		st, err := e.rm.AsOf(ctx, "decision-d1", readmodel.Point{RecordedAt: hist[1].RecordedAt})
		if err != nil || versions(t, st) != 1 || st.Version != 1 {
			t.Errorf("as of %v: %+v, %v", hist[1].RecordedAt, st, err)
		}
		if _, err := e.rm.AsOf(ctx, "decision-d1", readmodel.Point{RecordedAt: hist[0].RecordedAt.Add(-time.Nanosecond)}); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("before adoption: %v, want not_found", err)
		}
	})
	t.Run("history shows every event with its actor and both times", func(t *testing.T) {
		hist, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hist {
			if h.Version != int64(i) || h.Actor.Role != "clerk" || h.OccurredAt.IsZero() || h.RecordedAt.IsZero() || h.Type == "" {
				t.Errorf("event %d: %+v", i, h)
			}
		}
		if hist[2].Type != "decision.corrected" || !hist[2].OccurredAt.Equal(day(3, 5)) {
			t.Errorf("correction %+v", hist[2])
		}
		page, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{From: 1, Limit: 1})
		if err != nil || len(page) != 1 || page[0].Version != 1 {
			t.Errorf("page %+v, %v", page, err)
		}
		last := int64(len(hist) - 1)
		back, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{From: -1, Limit: 2, Desc: true})
		if err != nil || len(back) != 2 || back[0].Version != last || back[1].Version != last-1 {
			t.Errorf("the latest two, latest first: %+v, %v", back, err)
		}
		back, err = e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{From: 1, Limit: 5, Desc: true})
		if err != nil || len(back) != 2 || back[0].Version != 1 || back[1].Version != 0 {
			t.Errorf("from version 1 down: %+v, %v", back, err)
		}
	})
	t.Run("a kind without a public view is its decider's state without subject references", func(t *testing.T) {
		e.add(t, "access-tok-9", day(1, 1), events.AccessGranted{TokenID: "tok-9", Role: "clerk", Scope: "*", GrantedBy: "admin"})
		st, err := e.rm.AsOf(ctx, "access-tok-9", readmodel.Point{})
		if err != nil {
			t.Fatal(err)
		}
		raw, ok := st.State.(json.RawMessage)
		if !ok || !bytes.Contains(raw, []byte("tok-9")) {
			t.Errorf("state %T %s", st.State, raw)
		}
	})
	t.Run("bad streams are invalid or not found", func(t *testing.T) {
		for _, c := range []struct {
			stream string
			code   events.Code
		}{
			{"", events.CodeInvalid},
			{"decision-\x00", events.CodeInvalid},
			{"nosuchkind-1", events.CodeInvalid},
			{"decision-missing", events.CodeNotFound},
		} {
			if _, err := e.rm.AsOf(ctx, c.stream, readmodel.Point{}); events.ErrorCode(err) != c.code {
				t.Errorf("AsOf(%q): %v, want %s", c.stream, err, c.code)
			}
		}
		if _, err := e.rm.History(ctx, "decision-missing", readmodel.HistoryOptions{}); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("history of a missing stream: %v", err)
		}
		if _, err := e.rm.History(ctx, "decision-d1", readmodel.HistoryOptions{From: -1}); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("negative from: %v", err)
		}
	})
}

// TestAsOfMatchesReadModel checks that an entity as of now is what the
// read model shows: the two are folded by separate code from the same
// events and must agree.
func TestAsOfMatchesReadModel(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.sync(t)
	asOf := func(t *testing.T, stream string) any {
		t.Helper()
		st, err := e.rm.AsOf(ctx, stream, readmodel.Point{})
		if err != nil {
			t.Fatal(err)
		}
		return st.State
	}
	same := func(t *testing.T, what string, view, row any) {
		t.Helper()
		a, _ := json.Marshal(view)
		b, _ := json.Marshal(row)
		if !bytes.Equal(a, b) {
			t.Errorf("%s as of now:\n%s\nread model:\n%s", what, a, b)
		}
	}
	t.Run("a decision and its versions", func(t *testing.T) {
		v := asOf(t, "decision-d1").(*readmodel.DecisionView)
		d, _ := e.snap(t).Decision(ctx, "d1")
		vs, _ := e.snap(t).DecisionVersions(ctx, "d1")
		same(t, "decision", v.Decision, d)
		same(t, "versions", v.Versions, vs)
	})
	t.Run("a body and its memberships", func(t *testing.T) {
		v := asOf(t, "body-council1").(*readmodel.BodyView)
		b, _ := e.snap(t).Body(ctx, "council1")
		ms, _ := rows(e.snap(t).Memberships(ctx, readmodel.MembershipFilter{BodyID: "council1"}))
		same(t, "body", v.Body, b)
		same(t, "memberships", sortedMemberships(v.Memberships), ms)
	})
	t.Run("a meeting, its agenda and attendance", func(t *testing.T) {
		v := asOf(t, "meeting-m1").(*readmodel.MeetingView)
		m, _ := e.snap(t).Meeting(ctx, "m1")
		items, _ := rows(e.snap(t).AgendaItems(ctx, readmodel.AgendaItemFilter{MeetingID: "m1"}))
		att, _ := e.snap(t).Attendance(ctx, "m1")
		same(t, "meeting", v.Meeting, m)
		// The read model's items leave their documents to DocumentsOf.
		for i := range items {
			var err error
			if items[i].Documents, err = e.snap(t).Documents(ctx, "agenda_item", items[i].ID); err != nil {
				t.Fatal(err)
			}
		}
		same(t, "items", v.Items, items)
		same(t, "attendance", v.Attendance, att)
	})
	t.Run("a consultation's comments", func(t *testing.T) {
		v := asOf(t, "consultation-item1").(*readmodel.ConsultationView)
		cs, _ := rows(e.snap(t).Comments(ctx, readmodel.CommentFilter{ItemID: "item1"}))
		same(t, "comments", v.Comments, cs)
	})
	t.Run("a vote and its ballots", func(t *testing.T) {
		v := asOf(t, "vote-v1").(*readmodel.VoteView)
		vs, _ := rows(e.snap(t).Votes(ctx, readmodel.VoteFilter{MeetingID: "m1"}))
		bs, _ := rows(e.snap(t).Ballots(ctx, readmodel.BallotFilter{VoteID: "v1"}))
		same(t, "vote", v.Vote, vs[0])
		same(t, "ballots", sortedBallots(v.Ballots), bs)
	})
	t.Run("a procurement, its bids and payments", func(t *testing.T) {
		v := asOf(t, "procurement-ocds-pnyx01-2026-0001").(*readmodel.ProcurementView)
		p, _ := e.snap(t).Procurement(ctx, "ocds-pnyx01-2026-0001")
		bids, _ := rows(e.snap(t).Bids(ctx, readmodel.BidFilter{OCID: "ocds-pnyx01-2026-0001"}))
		pays, _ := rows(e.snap(t).Payments(ctx, readmodel.PaymentFilter{OCID: "ocds-pnyx01-2026-0001"}))
		same(t, "procurement", v.Procurement, p)
		same(t, "bids", v.BidList, bids)
		same(t, "payments", v.Payments, pays)
	})
	t.Run("a request and its status history", func(t *testing.T) {
		v := asOf(t, "request-r-done1").(*readmodel.RequestView)
		r, _ := e.snap(t).Request(ctx, "r-done1")
		h, _ := e.snap(t).RequestHistory(ctx, "r-done1")
		same(t, "request", v.Request, r)
		same(t, "history", v.History, h)
	})
	t.Run("an amendment and a supplier", func(t *testing.T) {
		a := asOf(t, "amendment-a1").(*readmodel.AmendmentView)
		as, _ := rows(e.snap(t).Amendments(ctx, readmodel.AmendmentFilter{ItemID: "item1"}))
		same(t, "amendment", a.Amendment, as[0])
		s := asOf(t, "supplier-094700001").(*readmodel.SupplierView)
		ss, _ := rows(e.snap(t).Suppliers(ctx, readmodel.SupplierFilter{}))
		same(t, "supplier", s.Supplier, ss[0])
	})
}

func sortedMemberships(ms []readmodel.Membership) []readmodel.Membership {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b readmodel.Membership) int { return strings.Compare(a.MemberID, b.MemberID) })
	return out
}

func sortedBallots(bs []readmodel.Ballot) []readmodel.Ballot {
	out := slices.Clone(bs)
	slices.SortFunc(out, func(a, b readmodel.Ballot) int { return strings.Compare(a.MemberID, b.MemberID) })
	return out
}

// TestEveryCatalogEventApplies appends a zero-valued payload of every type
// in the catalog, to streams with no history: the read model must take any
// valid catalog event without failing, and skip unknown types.
func TestEveryCatalogEventApplies(t *testing.T) {
	e := newRMEnv(t)
	for _, spec := range events.Catalog() {
		p := reflect.New(spec.GoType).Elem().Interface().(events.Payload)
		e.add(t, spec.Aggregate+"-zero", time.Time{}, p)
	}
	if _, err := e.store.Append(context.Background(), "future-1", events.Any, events.Event{Type: "future.happened", Data: json.RawMessage(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	e.sync(t)
	for _, s := range e.runner.Status() {
		if s.LastError != "" {
			t.Errorf("%s: %s", s.Name, s.LastError)
		}
		if s.Name == readmodel.ReadModelName && s.SkippedUnknown != 1 {
			t.Errorf("skipped %d unknown events, want 1", s.SkippedUnknown)
		}
	}
}

// FuzzReadModelInputs feeds arbitrary ids, stream names and points to the
// public queries: each must answer or refuse with invalid or not_found,
// never panic or fail internally.
func FuzzReadModelInputs(f *testing.F) {
	for _, s := range []string{"d1", "decision-d1", "request-r-open1", "", "decision-", "-", "x-y-z", "body-\x00", "consultation-item1\xff", "Δήμος-1"} {
		f.Add(s, int64(3), int64(0))
	}
	e := newRMEnv(f)
	e.scenario(f, 1)
	e.sync(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string, pos, nanos int64) {
		allowed := func(what string, err error) {
			if c := events.ErrorCode(err); c != "" && c != events.CodeInvalid && c != events.CodeNotFound {
				t.Fatalf("%s(%q): %v (code %s)", what, s, err, c)
			}
		}
		point := readmodel.Point{Position: events.Position(uint64(pos)), RecordedAt: time.Unix(0, nanos).UTC()}
		if nanos == 0 {
			point.RecordedAt = time.Time{}
		}
		_, err := e.rm.AsOf(ctx, s, point)
		allowed("AsOf", err)
		_, err = e.rm.History(ctx, s, readmodel.HistoryOptions{From: pos % 10, Limit: int(nanos % 10)})
		allowed("History", err)
		_, err = e.snap(t).Decision(ctx, s)
		allowed("Decision", err)
		_, err = rows(e.snap(t).Procurements(ctx, readmodel.ProcurementFilter{CPV: s, Status: s}))
		allowed("Procurements", err)
		_, err = e.snap(t).Search(ctx, s, readmodel.SearchOptions{})
		allowed("Search", err)
	})
}

// rows returns the items of a page.
func rows[T any](l readmodel.List[T], err error) ([]T, error) { return l.Items, err }
