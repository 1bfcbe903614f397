package readmodel

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// explainer records the query plan of every query a ReadModel runs.
type explainer struct {
	db    *sql.DB
	plans []string
}

func (x *explainer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := x.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			rows.Close()
			return nil, err
		}
		plan = append(plan, detail)
	}
	rows.Close()
	x.plans = append(x.plans, strings.Join(plan, "\n"))
	return x.db.QueryContext(ctx, query, args...)
}

func (x *explainer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return x.db.QueryRowContext(ctx, query, args...)
}

// fullScan matches a plan step that reads a whole table without an index.
var fullScan = regexp.MustCompile(`(?m)^SCAN \w+.*$`)

// TestEveryFilterUsesAnIndex runs each filter the API offers and fails when
// SQLite's plan scans a whole table for it.
func TestEveryFilterUsesAnIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := projections.OpenReadModel(ctx, filepath.Join(dir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := projections.NewRunner(db, store, []projections.Projection{NewReadModelProjection()}, projections.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() { cancel(); <-done; r.Close() }()
	if err := r.WaitFor(ctx, 0); err != nil {
		t.Fatal(err)
	}
	x := &explainer{db: db}
	m := &ReadModel{db: db, q: x}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	dates := TimeRange{From: from, To: to}
	cents := int64(1_000_000)
	filters := map[string]func() error{
		"decisions by body":          func() error { _, err := m.Decisions(ctx, DecisionFilter{BodyID: "b"}); return err },
		"decisions by status":        func() error { _, err := m.Decisions(ctx, DecisionFilter{Status: "revoked"}); return err },
		"decisions by adoption date": func() error { _, err := m.Decisions(ctx, DecisionFilter{Adopted: dates}); return err },
		"decisions by year":          func() error { _, err := m.Decisions(ctx, DecisionFilter{Year: 2026}); return err },
		"decisions by meeting":       func() error { _, err := m.Decisions(ctx, DecisionFilter{MeetingID: "m"}); return err },
		"decisions by register id":   func() error { _, err := m.Decisions(ctx, DecisionFilter{RegisterID: "ΨΩΡΛ"}); return err },
		"meetings by body":           func() error { _, err := m.Meetings(ctx, MeetingFilter{BodyID: "b"}); return err },
		"meetings by status":         func() error { _, err := m.Meetings(ctx, MeetingFilter{Status: "convened"}); return err },
		"meetings by date":           func() error { _, err := m.Meetings(ctx, MeetingFilter{Starts: dates}); return err },
		"memberships by member":      func() error { _, err := m.Memberships(ctx, MembershipFilter{MemberID: "x"}); return err },
		"memberships by faction":     func() error { _, err := m.Memberships(ctx, MembershipFilter{Faction: "f"}); return err },
		"memberships by body":        func() error { _, err := m.Memberships(ctx, MembershipFilter{BodyID: "b"}); return err },
		"votes by body":              func() error { _, err := m.Votes(ctx, VoteFilter{BodyID: "b"}); return err },
		"votes by meeting":           func() error { _, err := m.Votes(ctx, VoteFilter{MeetingID: "m"}); return err },
		"votes by item":              func() error { _, err := m.Votes(ctx, VoteFilter{ItemID: "i"}); return err },
		"votes by date":              func() error { _, err := m.Votes(ctx, VoteFilter{Opened: dates}); return err },
		"ballots by member":          func() error { _, err := m.Ballots(ctx, BallotFilter{MemberID: "x"}); return err },
		"ballots by vote":            func() error { _, err := m.Ballots(ctx, BallotFilter{VoteID: "v"}); return err },
		"amendments by item":         func() error { _, err := m.Amendments(ctx, "i", ""); return err },
		"amendments by member":       func() error { _, err := m.Amendments(ctx, "", "x"); return err },
		"comments of an item":        func() error { _, err := m.Comments(ctx, "i", Page{}); return err },
		"procurement by buyer":       func() error { _, err := m.Procurements(ctx, ProcurementFilter{BuyerBodyID: "b"}); return err },
		"procurement by status":      func() error { _, err := m.Procurements(ctx, ProcurementFilter{Status: "awarded"}); return err },
		"procurement by supplier":    func() error { _, err := m.Procurements(ctx, ProcurementFilter{SupplierVATID: "0947"}); return err },
		"procurement by CPV":         func() error { _, err := m.Procurements(ctx, ProcurementFilter{CPV: "4523"}); return err },
		"procurement by method":      func() error { _, err := m.Procurements(ctx, ProcurementFilter{Method: "open"}); return err },
		"procurement by date":        func() error { _, err := m.Procurements(ctx, ProcurementFilter{Planned: dates}); return err },
		"procurement by budget": func() error {
			_, err := m.Procurements(ctx, ProcurementFilter{Budget: MoneyRange{Min: &cents}})
			return err
		},
		"procurement by award value": func() error {
			_, err := m.Procurements(ctx, ProcurementFilter{Awarded: MoneyRange{Max: &cents}})
			return err
		},
		"bids by supplier":          func() error { _, err := m.Bids(ctx, "", "0947"); return err },
		"suppliers by kind":         func() error { _, err := m.Suppliers(ctx, SupplierFilter{Kind: "cooperative"}); return err },
		"suppliers by municipality": func() error { _, err := m.Suppliers(ctx, SupplierFilter{Municipality: "Καλλιθέα"}); return err },
		"requests by category":      func() error { _, err := m.Requests(ctx, RequestFilter{Category: "information"}); return err },
		"requests by channel":       func() error { _, err := m.Requests(ctx, RequestFilter{Channel: "web"}); return err },
		"requests by status":        func() error { _, err := m.Requests(ctx, RequestFilter{Status: "answered"}); return err },
		"requests by department":    func() error { _, err := m.Requests(ctx, RequestFilter{Department: "d"}); return err },
		"requests by date":          func() error { _, err := m.Requests(ctx, RequestFilter{Submitted: dates}); return err },
		"overdue requests":          func() error { _, err := m.Requests(ctx, RequestFilter{OverdueAt: to}); return err },
	}
	for name, run := range filters {
		t.Run(name+" uses an index", func(t *testing.T) {
			x.plans = nil
			if err := run(); err != nil {
				t.Fatal(err)
			}
			for _, plan := range x.plans {
				if s := fullScan.FindString(plan); s != "" {
					t.Errorf("plan scans a whole table (%s):\n%s", s, plan)
				}
			}
		})
	}
}
