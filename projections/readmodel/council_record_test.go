package readmodel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestCouncilRecord projects the council secretary's record beyond the
// votes (events in, rows out): attendance per item, justified absences
// and substitutes, minutes in versions approved at a later meeting, each
// office's register, a reissue under a new ΑΔΑ, the protocol, and a
// consultation reopened.
func TestCouncilRecord(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.offices(t, 1)
	e.sync(t)
	s := e.snap(t)

	t.Run("an item voted on has the attendance its vote recorded", func(t *testing.T) {
		as, err := s.AttendanceOfItems(ctx, []string{"item1", "item-roads1", "no-such-item"})
		if err != nil {
			t.Fatal(err)
		}
		if a := as[0]; !a.Recorded || !slices.Equal(a.Present, []string{"georgiou", "ioannou", "papadopoulou"}) || len(a.Conflicts)+len(a.SteppedOut) != 0 {
			t.Errorf("item1 = %+v", a)
		}
		a := as[1]
		if a.Recorded || !slices.Equal(a.Present, []string{"papadopoulou"}) {
			t.Errorf("item-roads1 present = %v (recorded %v), want papadopoulou derived from the meeting", a.Present, a.Recorded)
		}
		if len(a.Conflicts) != 1 || a.Conflicts[0].MemberID != "georgiou" || a.Conflicts[0].Reason != "Ιδιοκτήτης ακινήτου στην οδό της μελέτης" {
			t.Errorf("conflicts = %+v", a.Conflicts)
		}
		if len(a.SteppedOut) != 1 || a.SteppedOut[0].MemberID != "ioannou" {
			t.Errorf("stepped out = %+v", a.SteppedOut)
		}
		if as[2].Recorded || len(as[2].Present) != 0 {
			t.Errorf("an unknown item = %+v", as[2])
		}
		l, err := s.ItemMembers(ctx, readmodel.ItemMemberFilter{MeetingID: "m1", Status: readmodel.ItemConflict})
		if err != nil || len(l.Items) != 1 || l.Items[0].ItemID != "item-roads1" {
			t.Errorf("conflicts of m1 = %+v, %v", l.Items, err)
		}
	})
	t.Run("justified absences and substitutes", func(t *testing.T) {
		abs, err := s.JustifiedAbsencesOf(ctx, []string{"m1", "m2"})
		if err != nil || len(abs[0]) != 1 || abs[0][0].MemberID != "konstantinou" || abs[0][0].Reason != "Λόγοι υγείας" || len(abs[1]) != 0 {
			t.Errorf("absences = %+v, %v", abs, err)
		}
		subs, err := s.SubstitutesOf(ctx, []string{"m1"})
		if err != nil || len(subs[0]) != 1 || subs[0][0].SubstituteID != "anaplirotis" || subs[0][0].ForMemberID != "konstantinou" {
			t.Errorf("substitutes = %+v, %v", subs, err)
		}
		m, _ := s.Meeting(ctx, "m1")
		if m.Present != 3 {
			t.Errorf("a substitute seated before the sitting is not present by that alone: present %d", m.Present)
		}
	})
	t.Run("minutes in versions, approved at a later meeting", func(t *testing.T) {
		m, err := s.MinutesOf(ctx, "m1")
		if err != nil || m.Status != readmodel.MinutesApproved || m.Version != 2 || m.ApprovedVersion != 2 || m.ApprovingMeetingID != "m-next1" ||
			m.ApprovingVoteID != "v-minutes1" || !m.ApprovedAt.Equal(day(3, 12)) || !m.DraftedAt.Equal(day(2, 28)) {
			t.Errorf("minutes = %+v, %v", m, err)
		}
		vs, err := s.MinutesVersions(ctx, "m1")
		if err != nil || len(vs) != 2 || vs[1].Reason != "Συμπλήρωση τοποθέτησης" || len(vs[1].Documents) != 1 || vs[1].Documents[0].Title != "praktika-v2" {
			t.Errorf("versions = %+v, %v", vs, err)
		}
		ds, err := s.MinutesDecisions(ctx, "m1")
		if err != nil || !slices.Equal(ds, []string{"d1"}) {
			t.Errorf("decisions recorded = %v, %v", ds, err)
		}
		of, err := s.MinutesOfDecisions(ctx, []string{"d1", "dm1"})
		if err != nil || !slices.Equal(of, []string{"m1", ""}) {
			t.Errorf("minutes of decisions = %v, %v", of, err)
		}
		if _, err := s.MinutesOf(ctx, "m2"); events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("minutes of a meeting without: %v", err)
		}
	})
	t.Run("each office numbers in its own register", func(t *testing.T) {
		for _, c := range []struct {
			f    readmodel.DecisionFilter
			want []string
		}{
			{readmodel.DecisionFilter{Office: readmodel.OfficeMayor, Year: 2026}, []string{"dm1"}},
			{readmodel.DecisionFilter{OfficeKind: readmodel.OfficeDeputyMayor}, []string{"dd1"}},
			{readmodel.DecisionFilter{Office: "deputy_mayor/antidimarchos-oikonomikon"}, []string{"dd1"}},
			{readmodel.DecisionFilter{Office: readmodel.OfficeBody, BodyID: "council1"}, []string{"d1"}},
		} {
			l, err := s.Decisions(ctx, c.f)
			var got []string
			for _, d := range l.Items {
				got = append(got, d.ID)
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, %v; want %v", c.f, got, err, c.want)
			}
		}
		d, err := s.DecisionByNumber(ctx, "council1", readmodel.OfficeMayor, "1/2026")
		if err != nil || d.ID != "dm1" {
			t.Errorf("the mayor's 1/2026 = %s, %v", d.ID, err)
		}
		if _, err := s.DecisionByNumber(ctx, "council1", "", "1/2026"); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("1/2026 of three registers without the office: %v, want invalid", err)
		}
	})
	t.Run("a reissue under a new ΑΔΑ links the previous one", func(t *testing.T) {
		d, _ := s.Decision(ctx, "dm1")
		if d.RegisterID != "ΑΔΑ-ΔΗΜ-ΟΕ-1" {
			t.Errorf("register id = %s, want the new ΑΔΑ", d.RegisterID)
		}
		rs, err := s.DecisionReissuesOf(ctx, []string{"dm1", "d1"})
		if err != nil || len(rs[0]) != 1 || rs[0][0].PreviousRegisterID != "ΑΔΑ-ΔΗΜ-1" || rs[0][0].RegisterID != "ΑΔΑ-ΔΗΜ-ΟΕ-1" || len(rs[1]) != 0 {
			t.Errorf("reissues = %+v, %v", rs, err)
		}
		if old, err := s.DecisionByPreviousRegisterID(ctx, "ΑΔΑ-ΔΗΜ-1"); err != nil || old.ID != "dm1" {
			t.Errorf("by the previous ΑΔΑ: %s, %v", old.ID, err)
		}
	})
	t.Run("protocol entries, a request's naming nothing of the citizen", func(t *testing.T) {
		l, err := s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Registry: "geniko", Year: 2026})
		if err != nil || len(l.Items) != 3 {
			t.Fatalf("entries = %+v, %v", l.Items, err)
		}
		in, _ := s.ProtocolEntry(ctx, "pr-in1")
		if in.Ref != "3/2026" || in.Direction != "incoming" || in.Correspondent != "Περιφέρεια Νοτίου Αιγαίου" || in.Subject == "" {
			t.Errorf("incoming = %+v", in)
		}
		req, _ := s.ProtocolEntry(ctx, "pr-req1")
		if req.RequestID != "r-open1" || req.Subject != "" || req.Correspondent != "" {
			t.Errorf("the entry of a request = %+v: its subject and correspondent are the citizen's", req)
		}
		if docs, _ := s.Documents(ctx, "protocol", "pr-req1"); len(docs) != 0 {
			t.Errorf("the entry of a request shows documents: %+v", docs)
		}
		replies, err := s.ProtocolEntries(ctx, readmodel.ProtocolFilter{InReplyTo: "pr-in1"})
		if err != nil || len(replies.Items) != 1 || replies.Items[0].DecisionID != "d1" {
			t.Errorf("replies = %+v, %v", replies.Items, err)
		}
		if n, err := s.ProtocolEntryByNumber(ctx, "geniko", 2026, 4); err != nil || n.ID != "pr-out1" {
			t.Errorf("by number: %+v, %v", n, err)
		}
		if _, err := s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Direction: "sideways"}); events.ErrorCode(err) != events.CodeInvalid {
			t.Errorf("a bad direction: %v", err)
		}
	})
	t.Run("a consultation closed and reopened keeps the closing", func(t *testing.T) {
		c, _ := s.Consultation(ctx, "item-roads1")
		if c.Status != "open" || !c.ClosedAt.IsZero() || !c.ClosesAt.Equal(day(2, 25)) {
			t.Errorf("consultation = %+v", c)
		}
		rs, err := s.ReopeningsOf(ctx, []string{"item-roads1", "item1"})
		if err != nil || len(rs[0]) != 1 || !rs[0][0].ClosedAt.Equal(day(2, 19)) || !rs[0][0].ReopenedAt.Equal(day(2, 20)) || len(rs[1]) != 0 {
			t.Errorf("reopenings = %+v, %v", rs, err)
		}
	})
	t.Run("as of now, the views equal the rows", func(t *testing.T) {
		st, err := e.rm.AsOf(ctx, "minutes-m1", readmodel.Point{})
		if err != nil {
			t.Fatal(err)
		}
		mv := st.State.(*readmodel.MinutesView)
		m, _ := s.MinutesOf(ctx, "m1")
		vs, _ := s.MinutesVersions(ctx, "m1")
		same(t, "minutes", mv.Minutes, m)
		same(t, "minutes versions", mv.Versions, vs)
		st, _ = e.rm.AsOf(ctx, "meeting-m1", readmodel.Point{})
		meeting := st.State.(*readmodel.MeetingView)
		abs, _ := s.JustifiedAbsencesOf(ctx, []string{"m1"})
		subs, _ := s.SubstitutesOf(ctx, []string{"m1"})
		marks, _ := rows(s.ItemMembers(ctx, readmodel.ItemMemberFilter{MeetingID: "m1"}))
		var outOf []readmodel.ItemMember
		for _, r := range marks {
			if r.Status != readmodel.ItemAttending {
				outOf = append(outOf, r)
			}
		}
		same(t, "justified absences", meeting.JustifiedAbsences, abs[0])
		same(t, "substitutes", meeting.Substitutes, subs[0])
		same(t, "stepped out and conflicts", meeting.ItemMembers, outOf)
		st, _ = e.rm.AsOf(ctx, "decision-dm1", readmodel.Point{})
		dv := st.State.(*readmodel.DecisionView)
		d, _ := s.Decision(ctx, "dm1")
		rs, _ := s.DecisionReissuesOf(ctx, []string{"dm1"})
		same(t, "decision", dv.Decision, d)
		same(t, "reissues", dv.Reissues, rs[0])
		st, _ = e.rm.AsOf(ctx, "protocol-pr-req1", readmodel.Point{})
		p, _ := s.ProtocolEntry(ctx, "pr-req1")
		same(t, "protocol entry", st.State.(*readmodel.ProtocolView).ProtocolEntry, p)
		st, _ = e.rm.AsOf(ctx, "consultation-item-roads1", readmodel.Point{})
		ro, _ := s.ReopeningsOf(ctx, []string{"item-roads1"})
		same(t, "reopenings", st.State.(*readmodel.ConsultationView).Reopenings, ro[0])
	})
}

func same(t *testing.T, what string, view, row any) {
	t.Helper()
	a, _ := json.Marshal(view)
	b, _ := json.Marshal(row)
	if !bytes.Equal(a, b) {
		t.Errorf("%s as of now:\n%s\nread model:\n%s", what, a, b)
	}
}
