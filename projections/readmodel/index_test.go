package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections"
)

// explainer records the query plan of every query a Snapshot runs, then
// runs it.
type explainer struct {
	q     projections.Queryer
	mu    *sync.Mutex
	plans *[]queryPlan
}

// queryPlan is the plan SQLite chose for one query: each step with its
// parent's id (0 at the top).
type queryPlan struct {
	query string
	steps []planStep
}

type planStep struct {
	id, parent int
	detail     string
}

func (x explainer) explain(ctx context.Context, query string, args ...any) error {
	rows, err := x.q.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	p := queryPlan{query: query}
	for rows.Next() {
		var s planStep
		var unused int
		if err := rows.Scan(&s.id, &s.parent, &unused, &s.detail); err != nil {
			return err
		}
		p.steps = append(p.steps, s)
	}
	x.mu.Lock()
	*x.plans = append(*x.plans, p)
	x.mu.Unlock()
	return rows.Err()
}

func (x explainer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := x.explain(ctx, query, args...); err != nil {
		return nil, err
	}
	return x.q.QueryContext(ctx, query, args...)
}

func (x explainer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := x.explain(ctx, query, args...); err != nil {
		return x.q.QueryRowContext(ctx, "SELECT explain_failed()") // reports the failure on Scan
	}
	return x.q.QueryRowContext(ctx, query, args...)
}

// problems returns what is wrong with a plan: a step that reads a whole
// table (or a whole index) when fullScanOK is false, and a sort of the
// result for its ORDER BY (a temporary B-tree) anywhere but in a scalar
// subquery of a few rows per row, such as a procurement's CPV codes.
func (p queryPlan) problems(fullScanOK bool) []string {
	byID := map[int]planStep{}
	// Subqueries the plan computes once as a co-routine or a table of
	// their own: scanning their rows is not scanning a table.
	computed := map[string]bool{}
	for _, s := range p.steps {
		byID[s.id] = s
		for _, prefix := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
			if name, ok := strings.CutPrefix(s.detail, prefix); ok {
				computed[name] = true
			}
		}
	}
	scansTable := func(s planStep) bool {
		name, ok := strings.CutPrefix(s.detail, "SCAN ")
		if !ok {
			return false
		}
		name, _, _ = strings.Cut(name, " ")
		return !computed[name] && !strings.HasPrefix(name, "(subquery-")
	}
	inScalarSubquery := func(s planStep) bool {
		for s.parent != 0 {
			s = byID[s.parent]
			if strings.Contains(s.detail, "SCALAR SUBQUERY") {
				return true
			}
		}
		return false
	}
	var out []string
	for _, s := range p.steps {
		switch {
		case scansTable(s) && !fullScanOK:
			out = append(out, "reads a whole table: "+s.detail)
		case strings.Contains(s.detail, "TEMP B-TREE") && strings.Contains(s.detail, "ORDER BY") && !inScalarSubquery(s):
			out = append(out, "sorts for its ORDER BY: "+s.detail)
		}
	}
	return out
}

func (p queryPlan) String() string {
	var b strings.Builder
	b.WriteString(strings.Join(strings.Fields(p.query), " "))
	for _, s := range p.steps {
		fmt.Fprintf(&b, "\n  %d<-%d %s", s.id, s.parent, s.detail)
	}
	return b.String()
}

// TestEveryQueryUsesAnIndex runs every list with each filter the API
// offers, in each direction, its first page and the page after it, with
// the total, and every
// getter, and fails when SQLite's plan reads a whole table for a filter or
// sorts for an order: each filter and each order has an index. Lists
// without a filter walk their order's index, which the check allows: the
// page's LIMIT stops the walk.
func TestEveryQueryUsesAnIndex(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.scenario(t, 2)
	e.offices(t, 1)
	// What the scenario lacks: a vote on an amendment, tender and contract
	// amendments, an officer.
	e.add(t, "vote-va1", day(2, 26), events.VoteOpened{VoteID: "va1", BodyID: "council1", MeetingID: "m1", ItemID: "item1",
		AmendmentID: "a1", Question: "Γίνεται δεκτή η τροπολογία;", QuestionType: events.QuestionOrdinary, Method: events.VoteRollCall})
	e.add(t, "procurement-ocds-pnyx01-2026-0001", day(4, 2),
		events.ProcurementTenderAmended{Ceiling: events.EUR(12_500_000), Reason: "Αναθεώρηση", DecisionID: "d1"},
		events.ProcurementContractAmended{Value: events.EUR(11_900_000), Reason: "Συμπληρωματικές εργασίες", DecisionID: "d1"})
	e.add(t, "request-r-open1", day(3, 3), events.RequestAssigned{Department: "technical-services", OfficerID: "officer-3"})
	e.sync(t)

	var mu sync.Mutex
	var plans []queryPlan
	m := readmodel.NewReadModelQueries(e.db, e.store)
	readmodel.WrapQueries(m, func(q projections.Queryer) projections.Queryer { return explainer{q: q, mu: &mu, plans: &plans} })

	from, to := day(1, 1), day(12, 31)
	dates := readmodel.TimeRange{From: from, To: to}
	cents := int64(1_000_000)
	type page = readmodel.Page
	// Each list returns the cursor of its page's last row, so its next page
	// runs too: every case's filter matches a row of the scenario.
	lists := []struct {
		name       string
		unfiltered bool
		run        func(s *readmodel.Snapshot, p page) (string, error)
	}{
		{"bodies", true, func(s *readmodel.Snapshot, p page) (string, error) { return next(s.Bodies(ctx, p)) }},
		{"memberships", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Memberships(ctx, readmodel.MembershipFilter{Page: p}))
		}},
		{"memberships by body", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Memberships(ctx, readmodel.MembershipFilter{BodyID: "council1", Page: p}))
		}},
		{"memberships by member", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Memberships(ctx, readmodel.MembershipFilter{MemberID: "georgiou", Page: p}))
		}},
		{"memberships by faction", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Memberships(ctx, readmodel.MembershipFilter{Faction: "np1", Page: p}))
		}},
		{"memberships by role", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Memberships(ctx, readmodel.MembershipFilter{Role: "chair", Page: p}))
		}},
		{"meetings", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Meetings(ctx, readmodel.MeetingFilter{Page: p}))
		}},
		{"meetings by body", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Meetings(ctx, readmodel.MeetingFilter{BodyID: "council1", Page: p}))
		}},
		{"meetings by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Meetings(ctx, readmodel.MeetingFilter{Status: "convened", Page: p}))
		}},
		{"meetings by date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Meetings(ctx, readmodel.MeetingFilter{Starts: dates, Page: p}))
		}},
		{"meetings by body and date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Meetings(ctx, readmodel.MeetingFilter{BodyID: "council1", Starts: dates, Page: p}))
		}},
		{"agenda items", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.AgendaItems(ctx, readmodel.AgendaItemFilter{Page: p}))
		}},
		{"agenda items of a meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.AgendaItems(ctx, readmodel.AgendaItemFilter{MeetingID: "m1", Page: p}))
		}},
		{"agenda items by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.AgendaItems(ctx, readmodel.AgendaItemFilter{Status: readmodel.ItemPublished, Page: p}))
		}},
		{"consultations", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Consultations(ctx, readmodel.ConsultationFilter{Page: p}))
		}},
		{"consultations of a meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Consultations(ctx, readmodel.ConsultationFilter{MeetingID: "m1", Page: p}))
		}},
		{"consultations by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Consultations(ctx, readmodel.ConsultationFilter{Status: "open", Page: p}))
		}},
		{"comments", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Comments(ctx, readmodel.CommentFilter{Page: p}))
		}},
		{"comments of an item", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Comments(ctx, readmodel.CommentFilter{ItemID: "item1", Page: p}))
		}},
		{"comments of a meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Comments(ctx, readmodel.CommentFilter{MeetingID: "m1", Page: p}))
		}},
		{"comments by kind", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Comments(ctx, readmodel.CommentFilter{Kind: "proposal", Page: p}))
		}},
		{"comments by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Comments(ctx, readmodel.CommentFilter{Status: readmodel.CommentHidden, Page: p}))
		}},
		{"amendments", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Amendments(ctx, readmodel.AmendmentFilter{Page: p}))
		}},
		{"amendments by item", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Amendments(ctx, readmodel.AmendmentFilter{ItemID: "item1", Page: p}))
		}},
		{"amendments by proposer", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Amendments(ctx, readmodel.AmendmentFilter{ProposerID: "ioannou", Page: p}))
		}},
		{"votes", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{Page: p}))
		}},
		{"votes by body", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{BodyID: "council1", Page: p}))
		}},
		{"votes by meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{MeetingID: "m1", Page: p}))
		}},
		{"votes by item", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{ItemID: "item1", Page: p}))
		}},
		{"votes by amendment", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{AmendmentID: "a1", Page: p}))
		}},
		{"votes by result", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{Result: "passed", Page: p}))
		}},
		{"votes by date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Votes(ctx, readmodel.VoteFilter{Opened: dates, Page: p}))
		}},
		{"ballots of a vote", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Ballots(ctx, readmodel.BallotFilter{VoteID: "v1", Page: p}))
		}},
		{"ballots of a vote by choice", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Ballots(ctx, readmodel.BallotFilter{VoteID: "v1", Choice: "yes", Page: p}))
		}},
		{"a member's ballots", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MemberBallots(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", Page: p}))
		}},
		{"a member's ballots in a period, body and faction", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MemberBallots(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1", Faction: "ind1",
				Period: dates, Page: p}))
		}},
		{"a member's attendance", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1", Page: p}))
		}},
		{"a member's attendance in a period and faction", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: "georgiou", BodyID: "council1", Faction: "ind1",
				Period: dates, Page: p}))
		}},
		{"decisions", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{Page: p}))
		}},
		{"decisions by body", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{BodyID: "council1", Page: p}))
		}},
		{"decisions by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{Status: "adopted", Page: p}))
		}},
		{"decisions by adoption date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{Adopted: dates, Page: p}))
		}},
		{"decisions by year", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{Year: 2026, Page: p}))
		}},
		{"decisions by meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{MeetingID: "m1", Page: p}))
		}},
		{"decisions by item", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{ItemID: "item1", Page: p}))
		}},
		{"decisions by vote", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{VoteID: "v1", Page: p}))
		}},
		{"decisions by register id", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{RegisterID: "ΨΩΡΛ46ΜΤΛΚ-7ΔΘ", Page: p}))
		}},
		{"decisions by office", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{Office: readmodel.OfficeMayor, Year: 2026, Page: p}))
		}},
		{"decisions by kind of office", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Decisions(ctx, readmodel.DecisionFilter{OfficeKind: readmodel.OfficeDeputyMayor, Page: p}))
		}},
		{"minutes", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MinutesList(ctx, readmodel.MinutesFilter{Page: p}))
		}},
		{"minutes by body", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.MinutesList(ctx, readmodel.MinutesFilter{BodyID: "council1", Page: p}))
		}},
		{"item attendance", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ItemMembers(ctx, readmodel.ItemMemberFilter{Page: p}))
		}},
		{"item attendance by meeting", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ItemMembers(ctx, readmodel.ItemMemberFilter{MeetingID: "m1", Page: p}))
		}},
		{"item attendance by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ItemMembers(ctx, readmodel.ItemMemberFilter{Status: readmodel.ItemConflict, Page: p}))
		}},
		{"protocol entries", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Page: p}))
		}},
		{"protocol entries by registry", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Registry: "geniko", Page: p}))
		}},
		{"protocol entries by year", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Year: 2026, Page: p}))
		}},
		{"protocol entries by direction", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Direction: "incoming", Page: p}))
		}},
		{"protocol entries by request", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{RequestID: "r-open1", Page: p}))
		}},
		{"protocol entries by decision", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{DecisionID: "d1", Page: p}))
		}},
		{"protocol entries replying", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{InReplyTo: "pr-in1", Page: p}))
		}},
		{"protocol entries by registration", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProtocolEntries(ctx, readmodel.ProtocolFilter{Registered: dates, Page: p}))
		}},
		{"procurements", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Page: p}))
		}},
		{"procurements by buyer", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{BuyerBodyID: "council1", Page: p}))
		}},
		{"procurements by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Status: readmodel.ProcurementContract, Page: p}))
		}},
		{"procurements by supplier", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{SupplierVATID: "094700001", Page: p}))
		}},
		{"procurements by CPV", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{CPV: "4523", Page: p}))
		}},
		{"procurements by method", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Method: "open", Page: p}))
		}},
		{"procurements by date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Planned: dates, Page: p}))
		}},
		{"procurements by budget", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Budget: readmodel.MoneyRange{Min: &cents}, Page: p}))
		}},
		{"procurements by award value", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Procurements(ctx, readmodel.ProcurementFilter{Awarded: readmodel.MoneyRange{Min: &cents}, Page: p}))
		}},
		{"bids of a procurement", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Bids(ctx, readmodel.BidFilter{OCID: "ocds-pnyx01-2026-0001", Page: p}))
		}},
		{"bids of a supplier", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Bids(ctx, readmodel.BidFilter{SupplierVATID: "094700001", Page: p}))
		}},
		{"payments", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Payments(ctx, readmodel.PaymentFilter{Page: p}))
		}},
		{"payments of a procurement", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Payments(ctx, readmodel.PaymentFilter{OCID: "ocds-pnyx01-2026-0001", Page: p}))
		}},
		{"payments by date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Payments(ctx, readmodel.PaymentFilter{Paid: dates, Page: p}))
		}},
		{"tender amendments", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.TenderAmendments(ctx, readmodel.ProcurementAmendmentFilter{Page: p}))
		}},
		{"tender amendments of a procurement", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.TenderAmendments(ctx, readmodel.ProcurementAmendmentFilter{OCID: "ocds-pnyx01-2026-0001", Page: p}))
		}},
		{"contract amendments of a procurement", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ContractAmendments(ctx, readmodel.ProcurementAmendmentFilter{OCID: "ocds-pnyx01-2026-0001", Page: p}))
		}},
		{"procurement decisions of a procurement", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProcurementDecisions(ctx, readmodel.ProcurementDecisionFilter{OCID: "ocds-pnyx01-2026-0001", Page: p}))
		}},
		{"procurement decisions of a decision", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.ProcurementDecisions(ctx, readmodel.ProcurementDecisionFilter{DecisionID: "d1", Page: p}))
		}},
		{"suppliers", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Suppliers(ctx, readmodel.SupplierFilter{Page: p}))
		}},
		{"suppliers by kind", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Suppliers(ctx, readmodel.SupplierFilter{Kind: "cooperative", Page: p}))
		}},
		{"suppliers by municipality", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Suppliers(ctx, readmodel.SupplierFilter{Municipality: "Καλλιθέα Αιγαίου", Page: p}))
		}},
		{"suppliers by VAT id", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Suppliers(ctx, readmodel.SupplierFilter{VATID: "0947", Page: p}))
		}},
		{"suppliers by name", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Suppliers(ctx, readmodel.SupplierFilter{Name: "ΑΓΡΟΤΙΚΟΣ συνεταιρισμος", Page: p}))
		}},
		{"requests", true, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Page: p}))
		}},
		{"requests by category", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Category: "information", Page: p}))
		}},
		{"requests by channel", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Channel: "web", Page: p}))
		}},
		{"requests by status", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Status: "answered", Page: p}))
		}},
		{"requests by department", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Department: "technical-services", Page: p}))
		}},
		{"requests by officer", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{OfficerID: "officer-3", Page: p}))
		}},
		{"requests by date", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{Submitted: dates, Page: p}))
		}},
		{"overdue requests", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{OverdueAt: to, Page: p}))
		}},
		{"overdue requests by category", false, func(s *readmodel.Snapshot, p page) (string, error) {
			return next(s.Requests(ctx, readmodel.RequestFilter{OverdueAt: to, Category: "information", Page: p}))
		}},
	}
	getters := map[string]func(s *readmodel.Snapshot) error{
		"body":    func(s *readmodel.Snapshot) error { _, err := s.BodiesByID(ctx, []string{"council1", "x"}); return err },
		"meeting": func(s *readmodel.Snapshot) error { _, err := s.MeetingsByID(ctx, []string{"m1", "x"}); return err },
		"agenda item": func(s *readmodel.Snapshot) error {
			_, err := s.AgendaItemsByID(ctx, []string{"item1", "x"})
			return err
		},
		"membership": func(s *readmodel.Snapshot) error {
			_, err := s.MembershipsByKey(ctx, []readmodel.MembershipKey{{BodyID: "council1", MemberID: "georgiou", Period: 1}, {BodyID: "x"}})
			return err
		},
		"consultation": func(s *readmodel.Snapshot) error {
			_, err := s.ConsultationsByID(ctx, []string{"item1", "x"})
			return err
		},
		"comment":   func(s *readmodel.Snapshot) error { _, err := s.CommentsByID(ctx, []string{"c11", "x"}); return err },
		"amendment": func(s *readmodel.Snapshot) error { _, err := s.AmendmentsByID(ctx, []string{"a1", "x"}); return err },
		"vote":      func(s *readmodel.Snapshot) error { _, err := s.VotesByID(ctx, []string{"v1", "x"}); return err },
		"decision":  func(s *readmodel.Snapshot) error { _, err := s.DecisionsByID(ctx, []string{"d1", "x"}); return err },
		"decision versions": func(s *readmodel.Snapshot) error {
			_, err := s.DecisionVersions(ctx, "d1")
			return err
		},
		"procurement": func(s *readmodel.Snapshot) error {
			_, err := s.ProcurementsByID(ctx, []string{"ocds-pnyx01-2026-0001", "x"})
			return err
		},
		"supplier": func(s *readmodel.Snapshot) error {
			_, err := s.SuppliersByID(ctx, []string{"094700001", "x"})
			return err
		},
		"tender amendment": func(s *readmodel.Snapshot) error {
			_, err := s.TenderAmendmentsByKey(ctx, []readmodel.ProcurementAmendmentKey{{OCID: "ocds-pnyx01-2026-0001", Seq: 1}, {OCID: "x"}})
			return err
		},
		"contract amendment": func(s *readmodel.Snapshot) error {
			_, err := s.ContractAmendmentsByKey(ctx, []readmodel.ProcurementAmendmentKey{{OCID: "ocds-pnyx01-2026-0001", Seq: 1}, {OCID: "x"}})
			return err
		},
		"procurement decision": func(s *readmodel.Snapshot) error {
			_, err := s.ProcurementDecisionsByKey(ctx, []readmodel.ProcurementDecisionKey{{OCID: "ocds-pnyx01-2026-0001", DecisionID: "d1", Role: "award"}, {OCID: "x"}})
			return err
		},
		"bid": func(s *readmodel.Snapshot) error {
			_, err := s.BidsByKey(ctx, []readmodel.BidKey{{OCID: "ocds-pnyx01-2026-0001", BidID: "b1"}, {OCID: "x"}})
			return err
		},
		"payment": func(s *readmodel.Snapshot) error {
			_, err := s.PaymentsByKey(ctx, []readmodel.PaymentKey{{OCID: "ocds-pnyx01-2026-0001", PaymentID: "p1"}, {OCID: "x"}})
			return err
		},
		"request":         func(s *readmodel.Snapshot) error { _, err := s.RequestsByID(ctx, []string{"r-open1", "x"}); return err },
		"request history": func(s *readmodel.Snapshot) error { _, err := s.RequestHistory(ctx, "r-open1"); return err },
		"attendance":      func(s *readmodel.Snapshot) error { _, err := s.Attendance(ctx, "m1"); return err },
		"minutes":         func(s *readmodel.Snapshot) error { _, err := s.MinutesByMeeting(ctx, []string{"m1", "x"}); return err },
		"minutes versions and decisions": func(s *readmodel.Snapshot) error {
			if _, err := s.MinutesVersions(ctx, "m1"); err != nil {
				return err
			}
			if _, err := s.MinutesDecisions(ctx, "m1"); err != nil {
				return err
			}
			_, err := s.MinutesOfDecisions(ctx, []string{"d1", "x"})
			return err
		},
		"item attendance": func(s *readmodel.Snapshot) error {
			_, err := s.AttendanceOfItems(ctx, []string{"item1", "item-roads1", "x"})
			return err
		},
		"absences and substitutes": func(s *readmodel.Snapshot) error {
			if _, err := s.JustifiedAbsencesOf(ctx, []string{"m1", "x"}); err != nil {
				return err
			}
			_, err := s.SubstitutesOf(ctx, []string{"m1", "x"})
			return err
		},
		"reissues": func(s *readmodel.Snapshot) error {
			if _, err := s.DecisionReissuesOf(ctx, []string{"dm1", "x"}); err != nil {
				return err
			}
			_, err := s.DecisionByPreviousRegisterID(ctx, "ΑΔΑ-ΔΗΜ-1")
			return err
		},
		"decision by number in an office": func(s *readmodel.Snapshot) error {
			_, err := s.DecisionByNumber(ctx, "council1", readmodel.OfficeMayor, "1/2026")
			return err
		},
		"protocol entry": func(s *readmodel.Snapshot) error {
			if _, err := s.ProtocolEntriesByID(ctx, []string{"pr-in1", "x"}); err != nil {
				return err
			}
			_, err := s.ProtocolEntryByNumber(ctx, "geniko", 2026, 3)
			return err
		},
		"consultation reopenings": func(s *readmodel.Snapshot) error {
			_, err := s.ReopeningsOf(ctx, []string{"item-roads1", "x"})
			return err
		},
		"documents": func(s *readmodel.Snapshot) error {
			_, err := s.Documents(ctx, "tender", "ocds-pnyx01-2026-0001")
			return err
		},
	}

	check := func(t *testing.T, fullScanOK bool, run func(s *readmodel.Snapshot) error) {
		t.Helper()
		mu.Lock()
		plans = nil
		mu.Unlock()
		s, err := m.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := run(s); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range plans {
			for _, problem := range p.problems(fullScanOK) {
				t.Errorf("%s\n%s", problem, p)
			}
		}
	}
	for _, l := range lists {
		for _, desc := range []bool{false, true} {
			name := l.name + " uses an index"
			if desc {
				name += " in reverse"
			}
			t.Run(name, func(t *testing.T) {
				var cursor string
				check(t, l.unfiltered, func(s *readmodel.Snapshot) error {
					var err error
					cursor, err = l.run(s, readmodel.Page{First: 1, Total: true, Desc: desc})
					return err
				})
				if cursor == "" {
					t.Fatal("the first page is empty: give the case a filter the scenario matches, so its next page runs too")
				}
				check(t, l.unfiltered, func(s *readmodel.Snapshot) error {
					_, err := l.run(s, readmodel.Page{First: 1, After: cursor, Desc: desc})
					return err
				})
			})
		}
	}
	for name, get := range getters {
		t.Run(name+" by id uses an index", func(t *testing.T) { check(t, false, get) })
	}
	t.Run("the serving position is one look-up by key", func(t *testing.T) {
		check(t, false, func(*readmodel.Snapshot) error { return nil })
	})
}

// next returns the cursor of a page.
func next[T any](l readmodel.List[T], err error) (string, error) { return l.Next, err }
