package graphql_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// TestAbusiveQueriesAreRefusedBeforeExecution: each limit refuses its
// query with BAD_USER_INPUT having run no SQL at all.
func TestAbusiveQueriesAreRefusedBeforeExecution(t *testing.T) {
	e := demoEnv(t)
	deep := "{ decisions(first: 1) { edges { node { vote { item { meeting { body { meetings(first: 1) { edges { node { items(first: 1) { edges { node { title } } } } } } } } } } } } } }"
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range graphql.DefaultMaxAliases + 1 {
		fmt.Fprintf(&aliases, " a%d: bodies(first: 1) { totalCount }", i)
	}
	aliases.WriteString(" }")
	for _, c := range []struct {
		name, query, want string
	}{
		{"a query deeper than 12 levels", deep, "levels deep"},
		{"nested pages whose sizes multiply past the budget",
			"{ decisions(first: 100) { edges { node { body { members(first: 100) { edges { node { name } } } } } } } }", "complexity"},
		{"more aliases than the cap", aliases.String(), "aliases"},
		{"a fragment spread cannot hide depth", "fragment F on Decision { vote { item { meeting { body { meetings(first: 1) { edges { node { items(first: 1) { edges { node { title } } } } } } } } } } } " +
			"{ decisions(first: 1) { edges { node { ...F } } } }", "levels deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.statements.Store(0)
			e.counting.Store(true)
			r := post(t, e.h, c.query, nil)
			e.counting.Store(false)
			if r.code() != graphql.CodeBadUserInput || !strings.Contains(r.Errors[0].Message, c.want) {
				t.Fatalf("want BAD_USER_INPUT about %q, got %+v", c.want, r.Errors)
			}
			if r.Data != nil && string(r.Data) != "null" {
				t.Errorf("data with a refused query: %s", r.Data)
			}
			if n := e.statements.Load(); n != 0 {
				t.Errorf("%d SQL statements ran for a refused query", n)
			}
		})
	}
	t.Run("the heavy decisions query is within the limits", func(t *testing.T) {
		r := post(t, e.h, `{ decisions(first: 50) { edges { node { number title vote { result ballots { choice member { name faction } } } } } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
	})
	t.Run("a body over 1 MiB is refused", func(t *testing.T) {
		big := bytes.Repeat([]byte(" "), graphql.DefaultMaxBodyBytes+1)
		body := append(append([]byte(`{"query":"{ bodies { totalCount } }`), big...), []byte(`"}`)...)
		r := postRaw(t, e.h, body)
		if len(r.Errors) == 0 || r.Data != nil && string(r.Data) != "null" {
			t.Fatalf("a body over the limit was answered: %+v", r)
		}
	})
}

// TestErrorsCarryTheirCode checks the table from domain codes to
// extensions.code through the queries that produce each.
func TestErrorsCarryTheirCode(t *testing.T) {
	e := demoEnv(t)
	for _, c := range []struct{ name, query, code string }{
		{"a page over 100", "{ decisions(first: 101) { totalCount } }", graphql.CodeBadUserInput},
		{"a cursor of another list", `{ decisions(first: 1, after: "bm9wZQ") { totalCount } }`, graphql.CodeBadUserInput},
		{"an unknown search kind", `{ search(query: "x", kinds: ["nope"]) { totalCount } }`, graphql.CodeBadUserInput},
		{"an asOf naming no point", `{ decision(id: "x", asOf: {}) { id } }`, graphql.CodeBadUserInput},
		{"a decision number not N/YYYY", `{ decision(number: "twelve") { id } }`, graphql.CodeBadUserInput},
		{"the history of no entity", `{ history(id: "decision-none") { edges { cursor } } }`, graphql.CodeNotFound},
		{"a syntax error", `{ decisions(`, graphql.CodeBadUserInput},
		{"an unknown field", `{ nope }`, graphql.CodeBadUserInput},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := post(t, e.h, c.query, nil); r.code() != c.code {
				t.Fatalf("want %s, got %+v", c.code, r.Errors)
			}
		})
	}
	t.Run("a request past its time limit is TIMEOUT", func(t *testing.T) {
		h := graphql.New(e.rm, e.store, graphql.Options{Timeout: time.Nanosecond})
		if r := post(t, h, "{ decisions(first: 1) { totalCount } }", nil); r.code() != graphql.CodeTimeout {
			t.Fatalf("want TIMEOUT, got %+v", r.Errors)
		}
	})
	t.Run("an internal error shows no cause, and the log has it", func(t *testing.T) {
		var logs bytes.Buffer
		h := graphql.New(brokenReadModel{}, e.store, graphql.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		r := post(t, h, "{ decisions(first: 1) { totalCount } }", nil)
		if r.code() != graphql.CodeInternal || r.Errors[0].Message != "internal error" {
			t.Fatalf("want INTERNAL internal error, got %+v", r.Errors)
		}
		if !strings.Contains(logs.String(), "disk on fire") {
			t.Errorf("the log misses the cause: %s", logs.String())
		}
	})
	t.Run("a read model not built yet is UNAVAILABLE", func(t *testing.T) {
		h := graphql.New(brokenReadModel{code: events.CodeUnavailable}, e.store, graphql.Options{})
		if r := post(t, h, "{ decisions(first: 1) { totalCount } }", nil); r.code() != graphql.CodeUnavailable {
			t.Fatalf("want UNAVAILABLE, got %+v", r.Errors)
		}
	})
}

// brokenReadModel fails every snapshot: with code, or with a bare cause.
type brokenReadModel struct{ code events.Code }

func (b brokenReadModel) Snapshot(context.Context) (*readmodel.Snapshot, error) {
	if b.code != "" {
		return nil, &events.Error{Code: b.code, Message: "the read model is not built yet"}
	}
	return nil, errors.New("disk on fire at /var/lib/pnyx")
}

func (brokenReadModel) AsOf(context.Context, string, readmodel.Point) (readmodel.EntityState, error) {
	return readmodel.EntityState{}, errors.New("unused")
}

func (brokenReadModel) History(context.Context, string, readmodel.HistoryOptions) ([]readmodel.HistoryEvent, error) {
	return nil, errors.New("unused")
}

func (b brokenReadModel) ServingPosition(context.Context) (events.Position, error) {
	_, err := b.Snapshot(context.Background())
	return 0, err
}
