package graphql_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/pnyx-civic/pnyx/analytics"
	"github.com/pnyx-civic/pnyx/analytics/analyticstest"
	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/clickhouse"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// analyticsQuestion is one field of Analytics, the fields it selects, and
// the same question asked of an engine directly.
type analyticsQuestion struct {
	field, args, selection string
	ask                    func(context.Context, analytics.Engine, analytics.Filter) (any, error)
}

var analyticsQuestions = []analyticsQuestion{
	{"spending", "by: SUPPLIER", "key currency awards awardedCents payments paidCents",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Spending(ctx, f, analytics.BySupplier)
		}},
	{"spending", "by: CPV_DIVISION", "key currency awards awardedCents payments paidCents",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Spending(ctx, f, analytics.ByCPVDivision)
		}},
	{"spending", "by: PROCEDURE", "key currency awards awardedCents payments paidCents",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Spending(ctx, f, analytics.ByProcedure)
		}},
	{"spending", "by: YEAR", "key currency awards awardedCents payments paidCents",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Spending(ctx, f, analytics.ByYear)
		}},
	{"supplierShares", `local: "` + analyticstest.DemoLocal + `"`,
		"currency awarded { " + moneyFields + " } paid { " + moneyFields + " }",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.SupplierShares(ctx, f, analyticstest.DemoLocal)
		}},
	{"agreement", "level: MEMBER", "a b votes agreed rate",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Agreement(ctx, f, analytics.ByMember)
		}},
	{"agreement", "level: FACTION", "a b votes agreed rate",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Agreement(ctx, f, analytics.ByFaction)
		}},
	{"factionVotes", "", "voteId openedAt faction yes no abstain rice position",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.FactionVotes(ctx, f)
		}},
	{"cohesion", "", "faction votes mean",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			v, err := e.FactionVotes(ctx, f)
			return analytics.Cohesion(v), err
		}},
	{"dissent", "", "memberId faction ballots against rate",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Dissent(ctx, f)
		}},
	{"memberAttendance", "", "bodyId memberId meetings present rate",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.MemberAttendance(ctx, f)
		}},
	{"meetingAttendance", "", "meetingId bodyId convenedAt seats present rate",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.MeetingAttendance(ctx, f)
		}},
	{"meetingDecisions", "", "meetingId bodyId decisions withAgenda agendaSeconds meanAgendaToDecisionSeconds",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.MeetingDecisions(ctx, f)
		}},
	{"decisionChanges", "", "month adopted corrected revoked annulled",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.DecisionChanges(ctx, f)
		}},
	{"requestTimes", "", "category channel requests assisted withDueDate answered responseSeconds allowedSeconds overdue overdueShare assistedShare responseToDeadline",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.RequestTimes(ctx, f, demoNow)
		}},
	{"participation", "", "meetingId itemId comments proposals objections remarks",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			return e.Participation(ctx, f)
		}},
	{"participation", "perMeeting: true", "meetingId itemId comments proposals objections remarks",
		func(ctx context.Context, e analytics.Engine, f analytics.Filter) (any, error) {
			p, err := e.Participation(ctx, f)
			return analytics.PerMeeting(p), err
		}},
}

const moneyFields = "totalCents cooperativeCents smeCents localCents cooperativeShare smeShare localShare"

// analyticsFilters are the filters the questions are asked with: the
// whole record first, then a body, a period and a category each question
// narrows by.
var analyticsFilters = []struct {
	graphql string
	filter  analytics.Filter
}{
	{"", analytics.Filter{}},
	{`{bodyId: "kal-dimotiko-symvoulio"}`, analytics.Filter{BodyID: "kal-dimotiko-symvoulio"}},
	{`{from: "2025-04-01T00:00:00Z", to: "2025-10-01T00:00:00Z"}`,
		analytics.Filter{From: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)}},
	{`{category: "45"}`, analytics.Filter{Category: "45"}},
	{`{category: "objection"}`, analytics.Filter{Category: "objection"}},
	{`{category: "information"}`, analytics.Filter{Category: "information"}},
}

// analyticsQuery is one question with one filter as a GraphQL query.
func analyticsQuery(q analyticsQuestion, filter string) string {
	var args []string
	if filter != "" {
		args = append(args, "filter: "+filter)
	}
	if q.args != "" {
		args = append(args, q.args)
	}
	call := q.field
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	return "{ analytics { " + call + " { " + q.selection + " } } }"
}

// TestAnalyticsAnswersAsTheEngine asks every analytics question, with each
// filter, through GraphQL and of the engine directly, and requires the
// same rows in the same order: every count, cent and time equal, and every
// ratio the engine's own method's.
func TestAnalyticsAnswersAsTheEngine(t *testing.T) {
	e := demoEnv(t)
	checkAnalytics(t, e.h, embedded.New(e.rm))
}

// checkAnalytics requires h's analytics answers to be want's.
func checkAnalytics(t *testing.T, h http.Handler, want analytics.Engine) {
	t.Helper()
	ctx := context.Background()
	for _, q := range analyticsQuestions {
		for i, f := range analyticsFilters {
			name := q.field + " " + q.args + " " + f.graphql
			t.Run(name, func(t *testing.T) {
				var data struct {
					Analytics map[string][]map[string]any `json:"analytics"`
				}
				mustData(t, h, analyticsQuery(q, f.graphql), nil, &data)
				rows, err := q.ask(ctx, want, f.filter)
				if err != nil {
					t.Fatal(err)
				}
				got := data.Analytics[q.field]
				wantRows := reflect.ValueOf(rows)
				if len(got) != wantRows.Len() {
					t.Fatalf("%d rows, the engine answers %d", len(got), wantRows.Len())
				}
				if i == 0 && len(got) == 0 {
					t.Fatal("no rows over the whole demo: the comparison proves nothing")
				}
				for j, row := range got {
					compareRow(t, fmt.Sprintf("row %d", j), row, wantRows.Index(j))
				}
			})
		}
	}
}

// compareRow requires each field of a GraphQL row to equal the Go value's
// field or method of the same name (case aside), both as JSON reads them.
func compareRow(t *testing.T, where string, row map[string]any, v reflect.Value) {
	t.Helper()
	for k, got := range row {
		w, ok := goValue(v, k)
		if !ok {
			t.Fatalf("%s: the engine's %s has no field or method %s", where, v.Type(), k)
		}
		if m, ok := got.(map[string]any); ok {
			compareRow(t, where+"."+k, m, w)
			continue
		}
		b, err := json.Marshal(w.Interface())
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %v, the engine says %v", where, k, got, want)
		}
	}
}

// goValue is v's exported field or no-argument method named like the
// GraphQL field, or the seconds of a Duration method for a field ending
// in Seconds.
func goValue(v reflect.Value, field string) (reflect.Value, bool) {
	name := string(unicode.ToUpper(rune(field[0]))) + field[1:]
	if f := v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) }); f.IsValid() {
		return f, true
	}
	base := strings.TrimSuffix(name, "Seconds")
	for i := range v.NumMethod() {
		n := v.Type().Method(i).Name
		m := v.Method(i)
		if !strings.EqualFold(n, name) && !strings.EqualFold(n, base) || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
			continue
		}
		out := m.Call(nil)[0]
		if d, ok := out.Interface().(time.Duration); ok {
			return reflect.ValueOf(int64(d / time.Second)), true
		}
		return out, true
	}
	return reflect.Value{}, false
}

func TestAnalyticsRefusals(t *testing.T) {
	e := demoEnv(t)
	cases := []struct {
		name, query, code string
		h                 http.Handler
	}{
		{"a period that ends before it starts is bad input",
			`{ analytics { dissent(filter: {from: "2025-06-01T00:00:00Z", to: "2025-01-01T00:00:00Z"}) { memberId } } }`,
			graphql.CodeBadUserInput, e.h},
		{"a spending key the schema lacks is bad input",
			`{ analytics { spending(by: BUYER) { key } } }`, graphql.CodeBadUserInput, e.h},
		{"a server without an engine answers unavailable",
			`{ analytics { decisionChanges { month } } }`, graphql.CodeUnavailable,
			graphql.New(e.rm, e.store, graphql.Options{Now: func() time.Time { return demoNow }})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, c.h, c.query, nil)
			if r.code() != c.code {
				t.Fatalf("code %q, want %q: %+v", r.code(), c.code, r.Errors)
			}
		})
	}
}

// countingEngine counts the DecisionChanges questions it is asked. It
// cannot answer in a request's snapshot, as ClickHouse cannot.
type countingEngine struct {
	analytics.Engine
	calls *atomic.Int64
}

func (c countingEngine) DecisionChanges(ctx context.Context, f analytics.Filter) ([]analytics.DecisionChanges, error) {
	c.calls.Add(1)
	return c.Engine.DecisionChanges(ctx, f)
}

// pinnedCountingEngine is the embedded engine, counted.
type pinnedCountingEngine struct {
	countingEngine
	inner *embedded.Engine
}

func (p pinnedCountingEngine) InSnapshot(s *readmodel.Snapshot) analytics.Engine {
	return countingEngine{p.inner.InSnapshot(s), p.calls}
}

func TestAnalyticsCaching(t *testing.T) {
	e := demoEnv(t)
	const q = `{ analytics { decisionChanges { month adopted } } }`
	inner := embedded.New(e.rm)
	for _, c := range []struct {
		name   string
		engine func(*atomic.Int64) analytics.Engine
		cached bool
	}{
		{"an engine answering in the request's snapshot is cached with its position", func(n *atomic.Int64) analytics.Engine {
			return pinnedCountingEngine{countingEngine{inner, n}, inner}
		}, true},
		{"an engine that follows its own data is never cached", func(n *atomic.Int64) analytics.Engine {
			return countingEngine{inner, n}
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int64
			h := graphql.New(e.rm, e.store, graphql.Options{Now: func() time.Time { return demoNow }, Analytics: c.engine(&calls)})
			for range 2 {
				if r := post(t, h, q, nil); len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
			}
			want := int64(2)
			if c.cached {
				want = 1
			}
			if n := calls.Load(); n != want {
				t.Fatalf("the engine was asked %d times for two identical requests, want %d", n, want)
			}
		})
	}
}

// TestAnalyticsOverClickHouse copies the fixture's log into ClickHouse and
// requires the analytics field served by the ClickHouse engine to answer
// every question as the embedded engine does over the read model.
func TestAnalyticsOverClickHouse(t *testing.T) {
	addr := os.Getenv("PNYX_CLICKHOUSE_ADDR")
	if addr == "" {
		if os.Getenv("PNYX_REQUIRE_CLICKHOUSE") == "1" {
			t.Fatal("PNYX_REQUIRE_CLICKHOUSE=1 but PNYX_CLICKHOUSE_ADDR is not set: start a server with scripts/clickhouse-test-server")
		}
		t.Skip("no ClickHouse server: set PNYX_CLICKHOUSE_ADDR (scripts/clickhouse-test-server start DIR prints it)")
	}
	e := demoEnv(t)
	ctx := context.Background()
	opts := clickhouse.Options{Addr: addr, Database: "pnyx_graphql_" + strings.ToLower(rand.Text()[:10]), FlushInterval: 50 * time.Millisecond}
	conn, err := clickhouse.Conn(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+opts.Database); err != nil {
			t.Logf("drop %s: %v", opts.Database, err)
		}
		conn.Close()
	})
	sink, err := clickhouse.NewSink(e.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("sink: %v", err)
		}
		sink.Close()
	})
	head, err := e.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := sink.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	eng, err := clickhouse.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	h := graphql.New(e.rm, e.store, graphql.Options{Now: func() time.Time { return demoNow }, Analytics: eng})
	checkAnalytics(t, h, embedded.New(e.rm))
}
