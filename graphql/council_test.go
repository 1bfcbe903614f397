package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The council secretary's record on the fixture municipality: who was
// present for an item and who declared a conflict of interest, the
// minutes of a meeting and when they were approved, the mayor's register
// of a year, and the protocol.

func init() {
	coverageQueries["the council secretary's record"] = `{
	meetings(first: 2, bodyId: "kal-dimotiko-symvoulio", status: "adjourned") { edges { node {
		minutes { id status version draftedAt meeting { id } body { id } versions { version reason at recordedAt documents { title } }
			decisions { id } approval { version approvedAt meeting { id } vote { id } } }
		justifiedAbsences { member { localId } reason at } substitutes { substitute { localId } forMember { localId } at }
		items(first: 2) { edges { node { attendance { recorded present { localId } steppedOut { localId }
			conflicts { member { localId } reason declaredAt } } consultation { reopenings { reopenedAt closesAt closedAt } } } } } } } }
	minutes(meetingId: "kal-dimotiko-symvoulio-2025-01") { id status }
	decisions(first: 2, office: "mayor", year: 2025) { edges { node { office { kind register officeId body { id } } minutes { id }
		reissues { register registerId previousRegisterId version documentSha256 reason at } protocolEntries(first: 1) { totalCount } } } }
	protocolEntries(first: 2, year: 2025) { totalCount edges { node { id localId registry number year ref direction subject correspondent
		registeredAt documents { title } request { id protocolEntries(first: 1) { totalCount } } decision { id } inReplyTo { id } } } }
	protocolEntry(registry: "geniko-protokollo", year: 2025, number: 1) { id ref } }`
}

// firstRow returns the first row a read model list finds in the fixture.
func firstRow[T any](t *testing.T, e *env, list func(context.Context, *readmodel.Snapshot) (readmodel.List[T], error)) T {
	t.Helper()
	var row T
	found := false
	err := e.rm.View(context.Background(), func(s *readmodel.Snapshot) error {
		l, err := list(context.Background(), s)
		if err == nil && len(l.Items) > 0 {
			row, found = l.Items[0], true
		}
		return err
	})
	if err != nil || !found {
		t.Fatalf("the fixture has no such row: %v", err)
	}
	return row
}

func TestWhoWasPresentForAnItemAndWhoDeclaredAConflict(t *testing.T) {
	e := demoEnv(t)
	conflict := firstRow(t, e, func(ctx context.Context, s *readmodel.Snapshot) (readmodel.List[readmodel.ItemMember], error) {
		return s.ItemMembers(ctx, readmodel.ItemMemberFilter{Status: readmodel.ItemConflict, Page: readmodel.Page{First: 1}})
	})
	var data struct {
		AgendaItem struct {
			Attendance struct {
				Recorded bool
				Present  []struct{ LocalID string }
				Conflict []struct {
					Member struct{ LocalID, Name string }
					Reason string
				} `json:"conflicts"`
			}
			Votes struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	mustData(t, e.h, `query($item: String!) { agendaItem(id: $item) { attendance { recorded present { localId }
		conflicts { member { localId name } reason } } votes(first: 5) { edges { node { id } } } } }`, map[string]any{"item": conflict.ItemID}, &data)
	a := data.AgendaItem.Attendance
	if len(a.Conflict) != 1 || a.Conflict[0].Member.LocalID != conflict.MemberID || a.Conflict[0].Reason == "" || a.Conflict[0].Member.Name == "" {
		t.Fatalf("conflicts of %s = %+v, want %s's with its reason", conflict.ItemID, a.Conflict, conflict.MemberID)
	}
	var present []string
	for _, p := range a.Present {
		present = append(present, p.LocalID)
	}
	if slices.Contains(present, conflict.MemberID) {
		t.Errorf("%s declared a conflict on %s and is listed present for it: %v", conflict.MemberID, conflict.ItemID, present)
	}
	if len(data.AgendaItem.Votes.Edges) == 0 {
		return // an item not put to a vote: present is derived from the meeting
	}
	// The vote on the item recorded who attended it when it opened
	// (vote.opened of schema 2): the answer is that record.
	if !a.Recorded {
		t.Errorf("the item was voted on, but its attendance is not the vote's record")
	}
	var hist struct {
		History struct {
			Edges []struct{ Node struct{ Type, Data string } }
		}
	}
	mustData(t, e.h, `query($id: ID!) { history(id: $id, first: 1) { edges { node { type data } } } }`,
		map[string]any{"id": data.AgendaItem.Votes.Edges[len(data.AgendaItem.Votes.Edges)-1].Node.ID}, &hist)
	var opened events.VoteOpened
	if len(hist.History.Edges) != 1 || hist.History.Edges[0].Node.Type != "vote.opened" ||
		json.Unmarshal([]byte(hist.History.Edges[0].Node.Data), &opened) != nil {
		t.Fatalf("the vote's first event: %+v", hist)
	}
	want := slices.Clone(opened.Attending)
	slices.Sort(want)
	if !slices.Equal(present, want) || !slices.Contains(opened.Recused, conflict.MemberID) {
		t.Errorf("present = %v, the vote recorded attending %v and recused %v", present, want, opened.Recused)
	}
}

func TestMinutesOfAMeetingAndWhenTheyWereApproved(t *testing.T) {
	e := demoEnv(t)
	m := firstRow(t, e, func(ctx context.Context, s *readmodel.Snapshot) (readmodel.List[readmodel.Minutes], error) {
		return s.MinutesList(ctx, readmodel.MinutesFilter{BodyID: "kal-dimotiko-symvoulio", Status: readmodel.MinutesApproved, Page: readmodel.Page{First: 1}})
	})
	var data struct {
		Meeting struct {
			StartsAt  time.Time
			Decisions struct {
				Edges []struct{ Node struct{ LocalID string } }
			}
			Minutes struct {
				Status    string
				Version   int
				Versions  []struct{ Version int }
				Decisions []struct {
					LocalID string
					Minutes struct{ ID string }
				}
				Approval struct {
					Version    int
					ApprovedAt time.Time
					Meeting    struct{ StartsAt time.Time }
					Vote       struct{ Result, QuestionType string }
				}
			}
		}
	}
	mustData(t, e.h, `query($m: String!) { meeting(id: $m) { startsAt decisions(first: 100) { edges { node { localId } } }
		minutes { status version versions { version } decisions { localId minutes { id } }
			approval { version approvedAt meeting { startsAt } vote { result questionType } } } } }`, map[string]any{"m": m.MeetingID}, &data)
	got := data.Meeting.Minutes
	ap := got.Approval
	if got.Status != "approved" || ap.Version != got.Version || len(got.Versions) != got.Version {
		t.Errorf("minutes of %s: %+v", m.MeetingID, got)
	}
	if !ap.Meeting.StartsAt.After(data.Meeting.StartsAt) || ap.Vote.Result != "passed" || ap.Vote.QuestionType != string(events.QuestionMinutes) ||
		!ap.ApprovedAt.Equal(m.ApprovedAt) {
		t.Errorf("approval = %+v: want a passed vote on the minutes at a later meeting, at %s", ap, m.ApprovedAt)
	}
	var decided, recorded []string
	for _, d := range data.Meeting.Decisions.Edges {
		decided = append(decided, d.Node.LocalID)
	}
	for _, d := range got.Decisions {
		recorded = append(recorded, d.LocalID)
		if d.Minutes.ID != "minutes-"+m.MeetingID {
			t.Errorf("decision %s refers to minutes %q, want those of %s", d.LocalID, d.Minutes.ID, m.MeetingID)
		}
	}
	slices.Sort(decided)
	if len(recorded) == 0 || !slices.Equal(recorded, decided) {
		t.Errorf("the minutes record %v, the meeting decided %v", recorded, decided)
	}
}

func TestDecisionsOfTheMayorsRegisterInAYear(t *testing.T) {
	e := demoEnv(t)
	var data struct {
		Mayor struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					LocalID, Number, ExceptionKind string
					Office                         struct{ Kind, Register string }
					Body                           struct{ Kind string }
				}
			}
		}
		Council struct{ TotalCount int }
		First   struct{ LocalID string }
		Deputy  struct {
			Edges []struct {
				Node struct {
					Number string
					Office struct {
						Register string
						OfficeID string
					}
				}
			}
		}
	}
	mustData(t, e.h, `{ mayor: decisions(office: "mayor", year: 2025, first: 100) { totalCount edges { node { localId number exceptionKind
			office { kind register } body { kind } } } }
		council: decisions(office: "body", bodyId: "kal-dimotiko-symvoulio", year: 2025, first: 1) { totalCount }
		first: decision(number: "1/2025", bodyId: "kal-dimotiko-symvoulio", office: "mayor") { localId }
		deputy: decisions(officeKind: "deputy_mayor", year: 2025, first: 100) { edges { node { number office { register officeId } } } } }`, nil, &data)
	if data.Mayor.TotalCount == 0 || data.Mayor.TotalCount != len(data.Mayor.Edges) {
		t.Fatalf("the mayor's register of 2025: %d decisions, %d read", data.Mayor.TotalCount, len(data.Mayor.Edges))
	}
	for i, d := range data.Mayor.Edges {
		n := d.Node
		if n.Number != fmt.Sprintf("%d/2025", i+1) || n.ExceptionKind != events.ExceptionMayorDecision || n.Office.Kind != "mayor" ||
			n.Office.Register != "mayor" || n.Body.Kind != "council" {
			t.Errorf("the mayor's decision %d: %+v, want number %d/2025 in the mayor's register", i, n, i+1)
		}
	}
	if data.Council.TotalCount == 0 {
		t.Errorf("the council's own register is empty")
	}
	if data.First.LocalID != data.Mayor.Edges[0].Node.LocalID {
		t.Errorf("decision 1/2025 of the mayor's register = %q, want %q", data.First.LocalID, data.Mayor.Edges[0].Node.LocalID)
	}
	// Each deputy mayor's office numbers from 1 in its own register.
	next := map[string]int{}
	for _, d := range data.Deputy.Edges {
		reg := d.Node.Office.Register
		next[reg]++
		if d.Node.Number != fmt.Sprintf("%d/2025", next[reg]) || !strings.HasSuffix(reg, "/"+d.Node.Office.OfficeID) {
			t.Errorf("deputy mayor's decision %+v, want number %d/2025 of %s", d.Node, next[reg], reg)
		}
	}
	if len(next) < 2 {
		t.Errorf("deputy mayors' registers: %v, want the demo's offices apart", next)
	}
	t.Run("a number three registers share needs the office", func(t *testing.T) {
		r := post(t, e.h, `{ decision(number: "1/2025", bodyId: "kal-dimotiko-symvoulio") { localId } }`, nil)
		if r.code() != "BAD_USER_INPUT" {
			t.Errorf("errors %+v, want an invalid argument", r.Errors)
		}
	})
}

func TestProtocolEntriesNameNothingOfACitizen(t *testing.T) {
	e := demoEnv(t)
	var data struct {
		ProtocolEntries struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Ref, Direction, Subject, Correspondent string
					Request                                *struct{ LocalID string }
					Documents                              []struct{ Title string }
				}
			}
		}
	}
	mustData(t, e.h, `{ protocolEntries(year: 2025, direction: "incoming", first: 100) { totalCount edges { node { ref direction subject
		correspondent request { localId } documents { title } } } } }`, nil, &data)
	requests := 0
	for _, x := range data.ProtocolEntries.Edges {
		n := x.Node
		if n.Direction != "incoming" || !strings.HasSuffix(n.Ref, "/2025") {
			t.Errorf("entry %+v outside the filters", n)
		}
		if n.Request != nil {
			requests++
			if n.Subject != "" || n.Correspondent != "" || len(n.Documents) != 0 {
				t.Errorf("the entry of request %s shows %+v", n.Request.LocalID, n)
			}
		}
	}
	if requests == 0 || requests == len(data.ProtocolEntries.Edges) {
		t.Errorf("%d of %d entries are requests': the test proves nothing", requests, len(data.ProtocolEntries.Edges))
	}
	t.Run("a bad direction is refused", func(t *testing.T) {
		if r := post(t, e.h, `{ protocolEntries(direction: "sideways") { totalCount } }`, nil); r.code() != "BAD_USER_INPUT" {
			t.Errorf("errors %+v", r.Errors)
		}
	})
}

// TestCouncilListsRunTheSameStatementsWhateverTheirSize: a page of
// decisions with their office, minutes and reissues, of protocol entries
// with their links, and of one meeting's items with their attendance and
// its members, reads each level in one statement.
func TestCouncilListsRunTheSameStatementsWhateverTheirSize(t *testing.T) {
	e := demoEnv(t)
	meeting := firstRow(t, e, func(ctx context.Context, s *readmodel.Snapshot) (readmodel.List[readmodel.ItemMember], error) {
		return s.ItemMembers(ctx, readmodel.ItemMemberFilter{Status: readmodel.ItemConflict, Page: readmodel.Page{First: 1}})
	}).MeetingID
	for _, c := range []struct{ name, query string }{
		{"decisions", `query($n: Int!, $o: Order!) { decisions(first: $n, year: 2025, order: $o) { edges { node { number office { kind }
			minutes { status approval { approvedAt } } reissues(order: $o) { registerId } } } } }`},
		{"protocol entries", `query($n: Int!, $o: Order!) { protocolEntries(first: $n, year: 2025, order: $o) { edges { node { ref
			request { status } decision { number } inReplyTo { ref } } } } }`},
		{"items", `query($n: Int!, $m: String!, $o: Order!) { meeting(id: $m) { justifiedAbsences(order: $o) { member { name } } items(first: $n, order: $o) { edges { node { title
			attendance { present(order: $o) { name } steppedOut(order: $o) { name } conflicts(order: $o) { member { name } reason } }
			consultation { reopenings(order: $o) { closesAt } } } } } } }`},
	} {
		t.Run(c.name, func(t *testing.T) {
			count := func(n int, order string) int64 {
				e.statements.Store(0)
				e.counting.Store(true)
				var data map[string]any
				mustData(t, e.h, c.query, map[string]any{"n": n, "m": meeting, "o": order}, &data)
				e.counting.Store(false)
				return e.statements.Load()
			}
			// Each direction reads its own rows, and a small page may leave
			// a level with nothing to load (the latest protocol entries
			// reply to none, the latest decisions have no minutes yet):
			// the counts compare pages of one direction, each of which
			// reaches every level its query names.
			for _, sizes := range []struct {
				order     string
				few, many int
			}{{"ASC", 2, 12}, {"DESC", 12, 36}} {
				few, many := count(sizes.few, sizes.order), count(sizes.many, sizes.order)
				t.Logf("%s statements: %d for %d, %d for %d", sizes.order, few, sizes.few, many, sizes.many)
				if few != many {
					t.Errorf("%s: a page of %d ran %d statements, a page of %d ran %d: a level is read per item, not per page",
						sizes.order, sizes.few, few, sizes.many, many)
				}
			}
		})
	}
}
