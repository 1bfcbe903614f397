package graphql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	gqlast "github.com/vektah/gqlparser/v2/ast"

	"github.com/pnyx-civic/pnyx/analytics/embedded"
	"github.com/pnyx-civic/pnyx/graphql"
)

// orderExempt are the list fields of the schema that take no order
// argument, each with the reason, which its description also gives. Every
// other list, plain or a connection, takes order: Order = ASC
// (TestEveryListHasAnOrder); a connection's edges are the page of the
// field that returns it, in that field's order.
var orderExempt = map[string]string{
	"Query.search":                   "ranked by relevance, best first: the reverse answers no question",
	"Query.events":                   "the change feed reads forward from a log position, so a consumer can follow it",
	"Vote.decisions":                 "a vote decides one question once: a list of at most one",
	"DecisionVersion.diff":           "the lines of a diff in the order of the text, its only order",
	"Procurement.cpv":                "a set of codes in the order the plan lists them",
	"ProcurementEvaluation.ranking":  "the ranking is the order, best first",
	"ProcurementEvaluation.rejected": "a set of bids in the order the minutes list them",
	"Snippet.highlights":             "ranges of the snippet's text, in its order",
	"InclusionProof.hashes":          "a proof's hashes fold in one order only",
	"ConsistencyProof.hashes":        "a proof's hashes fold in one order only",
	"Write.eventIds":                 "the events written, in the order of their stream",
}

// listFields are the list fields of the schema's object types, by
// "Type.field": each returning a list or a connection, less the edges of
// connections.
func listFields() map[string]*gqlast.FieldDefinition {
	out := map[string]*gqlast.FieldDefinition{}
	for name, def := range schemaDoc.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") || (def.Kind != gqlast.Object && def.Kind != gqlast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || (strings.HasSuffix(name, "Connection") && f.Name == "edges") {
				continue
			}
			if f.Type.Elem != nil || strings.HasSuffix(f.Type.Name(), "Connection") {
				out[name+"."+f.Name] = f
			}
		}
	}
	return out
}

// TestEveryListHasAnOrder requires every list field to take an order
// argument, ASC by default and described, or to be exempt with a reason
// its description gives: a list added without one fails here.
func TestEveryListHasAnOrder(t *testing.T) {
	fields := listFields()
	if len(fields) < 50 {
		t.Fatalf("%d list fields: the walk over the schema finds too few", len(fields))
	}
	for name, f := range fields {
		order := f.Arguments.ForName("order")
		reason, exempt := orderExempt[name]
		switch {
		case order == nil && !exempt:
			t.Errorf("%s is a list without an order argument: give it `order: Order = ASC`, described by what ASC means for it, or list it in orderExempt with the reason its description gives", name)
		case order == nil && !strings.Contains(strings.ToLower(f.Description), "order"):
			t.Errorf("%s is exempt (%s), but its description does not say why it has no order", name, reason)
		case order != nil && exempt:
			t.Errorf("%s takes an order and is exempt: drop it from orderExempt", name)
		case order != nil && (order.Type.String() != "Order" || order.DefaultValue == nil || order.DefaultValue.Raw != "ASC"):
			t.Errorf("%s: order is %s = %v, want Order = ASC", name, order.Type, order.DefaultValue)
		case order != nil && !strings.Contains(order.Description, "ASC"):
			t.Errorf("%s: the order argument's description %q does not say what ASC is for this list", name, order.Description)
		}
	}
	for name := range orderExempt {
		if fields[name] == nil {
			t.Errorf("orderExempt names %s, which is no list of the schema", name)
		}
	}
}

// orderCase is one list read both ways: the query around it, with LIST
// where the list goes, the path of names to it in the answer (a list on
// the way is read at its first item), the list's own arguments, and what
// each item selects to tell it from the others.
type orderCase struct {
	field string // "Type.field", as listFields names it
	what  string // which rows, when a field has several cases
	lists bool   // on the lists fixture; on the demo year otherwise
	query string
	path  []string
	args  string
	node  string
}

var orderCases = []orderCase{
	// The top-level lists, on the demo year.
	{field: "Query.bodies", query: `LIST`, node: "id"},
	{field: "Query.meetings", query: `LIST`, args: `bodyId: "kal-dimotiko-symvoulio"`, node: "id"},
	{field: "Query.votes", query: `LIST`, args: `bodyId: "kal-dimotiko-symvoulio", result: "failed"`, node: "id"},
	{field: "Query.decisions", query: `LIST`, args: `year: 2025, status: "revoked"`, node: "id"},
	{field: "Query.decisions", what: "of a period, by adoption", query: `LIST`, args: `bodyId: "kal-dimotiki-epitropi", adoptedFrom: "2025-03-01T00:00:00Z", adoptedTo: "2025-04-01T00:00:00Z"`, node: "id"},
	{field: "Query.procurements", query: `LIST`, args: `status: "completed"`, node: "id"},
	{field: "Query.suppliers", query: `LIST`, args: `kind: "cooperative"`, node: "id"},
	{field: "Query.requests", query: `LIST`, args: `overdue: true, category: "information"`, node: "id"},
	{field: "Query.protocolEntries", lists: true, query: `LIST`, args: `decisionId: "d1"`, node: "localId"},
	{field: "Query.history", lists: true, query: `LIST`, args: `id: "meeting-mt1"`, node: "eventId"},
	{field: "Member.votingRecord", query: `{ member(id: "mem-1") { LIST } }`, path: []string{"member"},
		args: `bodyId: "kal-dimotiko-symvoulio", from: "2025-01-01T00:00:00Z", to: "2025-03-01T00:00:00Z"`, node: "vote { id }"},
	{field: "Member.attendance", query: `{ member(id: "mem-1") { LIST } }`, path: []string{"member"}, args: `bodyId: "kal-dimotiko-symvoulio"`, node: "meeting { id }"},
	// Each entity's lists, on the lists fixture.
	{field: "Body.members", lists: true, query: `{ body(id: "b1") { LIST } }`, path: []string{"body"}, node: "member { localId } period"},
	{field: "Body.members", what: "as of a past point", lists: true, query: `{ body(id: "b1", asOf: {position: $head}) { LIST } }`, path: []string{"body"},
		node: "member { localId } period"},
	{field: "Body.factions", lists: true, query: `{ body(id: "b1") { LIST } }`, path: []string{"body"}, node: "localId"},
	{field: "Body.meetings", lists: true, query: `{ body(id: "b1") { LIST } }`, path: []string{"body"}, node: "id"},
	{field: "Body.decisions", lists: true, query: `{ body(id: "b1") { LIST } }`, path: []string{"body"}, node: "id"},
	{field: "Faction.memberships", lists: true, query: `{ faction(id: "fa") { LIST } }`, path: []string{"faction"}, node: "member { localId } period"},
	{field: "Member.memberships", lists: true, query: `{ member(id: "m1") { LIST } }`, path: []string{"member"}, node: "body { localId } period"},
	{field: "Meeting.items", lists: true, query: `{ meeting(id: "mt1") { LIST } }`, path: []string{"meeting"}, node: "id"},
	{field: "Meeting.items", what: "as of a past point", lists: true, query: `{ meeting(id: "mt1", asOf: {position: $head}) { LIST } }`, path: []string{"meeting"}, node: "id"},
	{field: "Meeting.attendance", lists: true, query: `{ meeting(id: "mt1") { LIST } }`, path: []string{"meeting"}, node: "localId"},
	{field: "Meeting.votes", lists: true, query: `{ meeting(id: "mt1") { LIST } }`, path: []string{"meeting"}, node: "id"},
	{field: "Meeting.decisions", lists: true, query: `{ meeting(id: "mt1") { LIST } }`, path: []string{"meeting"}, node: "id"},
	{field: "Meeting.justifiedAbsences", lists: true, query: `{ meeting(id: "mt2") { LIST } }`, path: []string{"meeting"}, node: "member { localId }"},
	{field: "Meeting.substitutes", lists: true, query: `{ meeting(id: "mt2") { LIST } }`, path: []string{"meeting"}, node: "substitute { localId }"},
	{field: "AgendaItem.documents", lists: true, query: `{ agendaItem(id: "it1") { LIST } }`, path: []string{"agendaItem"}, node: "title"},
	{field: "AgendaItem.amendments", lists: true, query: `{ agendaItem(id: "it1") { LIST } }`, path: []string{"agendaItem"}, node: "id"},
	{field: "AgendaItem.votes", lists: true, query: `{ agendaItem(id: "it1") { LIST } }`, path: []string{"agendaItem"}, node: "id"},
	{field: "AgendaItem.decisions", lists: true, query: `{ agendaItem(id: "it1") { LIST } }`, path: []string{"agendaItem"}, node: "id"},
	{field: "ItemAttendance.present", lists: true, query: `{ agendaItem(id: "it1") { attendance { LIST } } }`, path: []string{"agendaItem", "attendance"}, node: "localId"},
	{field: "ItemAttendance.steppedOut", lists: true, query: `{ agendaItem(id: "it1") { attendance { LIST } } }`, path: []string{"agendaItem", "attendance"}, node: "localId"},
	{field: "ItemAttendance.conflicts", lists: true, query: `{ agendaItem(id: "it2") { attendance { LIST } } }`, path: []string{"agendaItem", "attendance"}, node: "member { localId }"},
	{field: "Consultation.comments", lists: true, query: `{ consultation(itemId: "it1") { LIST } }`, path: []string{"consultation"}, node: "localId"},
	{field: "Consultation.comments", what: "as of a past point", lists: true, query: `{ consultation(itemId: "it1", asOf: {position: $head}) { LIST } }`,
		path: []string{"consultation"}, node: "localId"},
	{field: "Consultation.reopenings", lists: true, query: `{ consultation(itemId: "it5") { LIST } }`, path: []string{"consultation"}, node: "reopenedAt"},
	{field: "Vote.ballots", lists: true, query: `{ vote(id: "v1") { LIST } }`, path: []string{"vote"}, node: "member { localId } choice"},
	{field: "Decision.versions", lists: true, query: `{ decision(id: "d1") { LIST } }`, path: []string{"decision"}, node: "version"},
	{field: "Decision.documents", lists: true, query: `{ decision(id: "d1") { LIST } }`, path: []string{"decision"}, node: "title"},
	{field: "DecisionVersion.documents", lists: true, query: `{ decision(id: "d1") { versions { LIST } } }`, path: []string{"decision", "versions"}, node: "title"},
	{field: "Decision.procurements", lists: true, query: `{ decision(id: "d1") { LIST } }`, path: []string{"decision"}, node: "procurement { ocid } role"},
	{field: "Decision.reissues", lists: true, query: `{ decision(id: "d1") { LIST } }`, path: []string{"decision"}, node: "registerId"},
	{field: "Decision.protocolEntries", lists: true, query: `{ decision(id: "d1") { LIST } }`, path: []string{"decision"}, node: "localId"},
	{field: "ProtocolEntry.documents", lists: true, query: `{ protocolEntry(id: "prot-d1-1") { LIST } }`, path: []string{"protocolEntry"}, node: "title"},
	{field: "Minutes.versions", lists: true, query: `{ minutes(meetingId: "mt1") { LIST } }`, path: []string{"minutes"}, node: "version"},
	{field: "Minutes.decisions", lists: true, query: `{ minutes(meetingId: "mt1") { LIST } }`, path: []string{"minutes"}, node: "id"},
	{field: "MinutesVersion.documents", lists: true, query: `{ minutes(meetingId: "mt1") { versions { LIST } } }`, path: []string{"minutes", "versions"}, node: "title"},
	{field: "Procurement.bids", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1") { LIST } }`, path: []string{"procurement"}, node: "bidId"},
	{field: "Procurement.bids", what: "as of a past point", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1", asOf: {position: $head}) { LIST } }`,
		path: []string{"procurement"}, node: "bidId"},
	{field: "Procurement.payments", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1") { LIST } }`, path: []string{"procurement"}, node: "paymentId"},
	{field: "Procurement.payments", what: "as of a past point", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1", asOf: {position: $head}) { LIST } }`,
		path: []string{"procurement"}, node: "paymentId"},
	{field: "Procurement.tenderAmendments", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1") { LIST } }`, path: []string{"procurement"}, node: "seq"},
	{field: "Procurement.contractAmendments", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1") { LIST } }`, path: []string{"procurement"}, node: "seq"},
	{field: "Procurement.lots", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "lotId"},
	{field: "Procurement.awards", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "awardId status"},
	{field: "Procurement.awards", what: "as of a past point", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5", asOf: {position: $head}) { LIST } }`,
		path: []string{"procurement"}, node: "awardId status"},
	{field: "Procurement.contracts", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "contractId value { cents }"},
	{field: "Procurement.contracts", what: "as of a past point", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5", asOf: {position: $head}) { LIST } }`,
		path: []string{"procurement"}, node: "contractId paid { cents }"},
	{field: "Procurement.commitments", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "commitmentId"},
	{field: "Procurement.evaluations", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "evaluationId"},
	{field: "Procurement.evaluations", what: "as of a past point", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5", asOf: {position: $head}) { LIST } }`,
		path: []string{"procurement"}, node: "evaluationId status"},
	{field: "Procurement.appeals", lists: true, query: `{ procurement(ocid: "ocds-tst001-p5") { LIST } }`, path: []string{"procurement"}, node: "appealId status"},
	{field: "Procurement.decisions", lists: true, query: `{ procurement(ocid: "ocds-tst001-p1") { LIST } }`, path: []string{"procurement"}, node: "decision { localId } role"},
	{field: "Supplier.procurements", lists: true, query: `{ supplier(vatId: "$s1") { LIST } }`, path: []string{"supplier"}, node: "id"},
	{field: "Supplier.bids", lists: true, query: `{ supplier(vatId: "$s1") { LIST } }`, path: []string{"supplier"}, node: "bidId receivedAt"},
	{field: "Request.statusHistory", lists: true, query: `{ request(id: "$r1") { LIST } }`, path: []string{"request"}, node: "status at"},
	{field: "Request.protocolEntries", lists: true, query: `{ request(id: "$r1") { LIST } }`, path: []string{"request"}, node: "localId"},
	// The analytics answers, on the demo year.
	{field: "Analytics.spending", query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: `by: SUPPLIER`, node: "key currency"},
	{field: "Analytics.supplierShares", lists: true, query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: `local: "Καλλιθέα"`, node: "currency"},
	{field: "Analytics.agreement", query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: `level: FACTION`, node: "a b"},
	{field: "Analytics.factionVotes", query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: demoSmall, node: "voteId faction"},
	{field: "Analytics.cohesion", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "faction"},
	{field: "Analytics.dissent", query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: demoMonth, node: "memberId faction"},
	{field: "Analytics.memberAttendance", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "bodyId memberId"},
	{field: "Analytics.meetingAttendance", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "meetingId"},
	{field: "Analytics.meetingDecisions", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "meetingId"},
	{field: "Analytics.decisionChanges", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "month"},
	{field: "Analytics.requestTimes", query: `{ analytics { LIST } }`, path: []string{"analytics"}, node: "category channel"},
	{field: "Analytics.participation", query: `{ analytics { LIST } }`, path: []string{"analytics"}, args: demoMonth, node: "meetingId itemId"},
}

// demoMonth keeps a month of the council's record, demoSmall a month of
// a local council's.
const (
	demoMonth = `filter: {bodyId: "kal-dimotiko-symvoulio", from: "2025-03-01T00:00:00Z", to: "2025-04-01T00:00:00Z"}`
	demoSmall = `filter: {bodyId: "kal-tk-mesarias", from: "2025-03-01T00:00:00Z", to: "2025-04-01T00:00:00Z"}`
)

// TestEveryListReadsBothWays reads every list with an order argument in
// both directions: DESC is ASC backwards, and the default is ASC; a
// connection also pages through the whole list two at a time in each
// direction, with no row repeated or left out, its totalCount the rows
// it pages through, and a cursor of one direction is refused in the
// other as BAD_USER_INPUT.
func TestEveryListReadsBothWays(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range orderCases {
		covered[c.field] = true
	}
	for name, f := range listFields() {
		if f.Arguments.ForName("order") != nil && !covered[name] {
			t.Errorf("%s takes an order but no case of orderCases reads it", name)
		}
	}
	demo := demoEnv(t).h
	lists, ids := listsFixture(t)
	// The lists fixture's reads, with its analytics; its writes are done.
	listsRead := graphql.New(lists.rm, lists.store, graphql.Options{Now: lists.clock.Now, Analytics: embedded.New(lists.rm)})
	for _, c := range orderCases {
		name := c.field
		if c.what != "" {
			name += " " + c.what
		}
		t.Run(name, func(t *testing.T) {
			def := listFields()[c.field]
			if def == nil {
				t.Fatalf("no list %s in the schema", c.field)
			}
			h := demo
			if c.lists {
				h = listsRead
			}
			query := c.query
			for k, v := range ids {
				query = strings.ReplaceAll(query, "$"+k, v)
			}
			r := orderReader{t: t, h: h, c: c, query: query, field: def.Name, conn: strings.HasSuffix(def.Type.Name(), "Connection")}
			if r.conn {
				r.total = schemaDoc.Types[def.Type.Name()].Fields.ForName("totalCount") != nil
			}
			asc, ascCursor := r.all("ASC")
			desc, descCursor := r.all("DESC")
			min := 2
			if r.conn {
				min = 3 // two pages at least
			}
			if len(asc) < min || len(asc) >= graphql.MaxFirst {
				t.Fatalf("%d rows: pick rows between %d and %d, or the test proves nothing", len(asc), min, graphql.MaxFirst-1)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(asc)))) != len(asc) {
				t.Fatalf("rows repeat or are told apart by too little (node selects %q): %v", c.node, asc)
			}
			back := slices.Clone(desc)
			slices.Reverse(back)
			if !slices.Equal(asc, back) {
				t.Fatalf("DESC is not ASC backwards:\nASC  %v\nDESC %v", asc, desc)
			}
			if dflt, _ := r.all(""); !slices.Equal(dflt, asc) {
				t.Errorf("without order the list is not ASC:\n%v\n%v", dflt, asc)
			}
			if !r.conn {
				return
			}
			for _, dir := range []struct {
				order string
				want  []string
			}{{"ASC", asc}, {"DESC", desc}} {
				if got := r.walk(dir.order); !slices.Equal(got, dir.want) {
					t.Errorf("%s two at a time: %v, want %v", dir.order, got, dir.want)
				}
			}
			for _, x := range []struct{ order, cursor string }{{"DESC", ascCursor}, {"ASC", descCursor}} {
				resp := r.page(x.order, 1, x.cursor)
				if resp.code() != graphql.CodeBadUserInput {
					t.Errorf("a cursor of the other direction read %s: code %q, errors %+v", x.order, resp.code(), resp.Errors)
				}
			}
		})
	}
}

// orderReader reads one case's list.
type orderReader struct {
	t     *testing.T
	h     http.Handler
	c     orderCase
	query string
	field string
	conn  bool
	total bool // the connection counts its rows
}

// list is the list field with the case's arguments and order ("" for
// none), and for a connection first and $after.
func (r orderReader) list(order string, first int) string {
	args := []string{}
	if r.c.args != "" {
		args = append(args, r.c.args)
	}
	if order != "" {
		args = append(args, "order: "+order)
	}
	if !r.conn {
		return r.field + argList(args) + " { " + r.c.node + " }"
	}
	args = append(args, fmt.Sprintf("first: %d", first), "after: $after")
	total := ""
	if r.total {
		total = "totalCount "
	}
	return r.field + argList(args) + " { " + total + "pageInfo { hasNextPage endCursor } edges { cursor node { " + r.c.node + " } } }"
}

func argList(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// orderPage is a page of a connection, or a plain list, as read.
type orderPage struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string          `json:"cursor"`
		Node   json.RawMessage `json:"node"`
	} `json:"edges"`
}

// page runs the query with the list in order, first rows after cursor.
func (r orderReader) page(order string, first int, cursor string) response {
	r.t.Helper()
	q := strings.Replace(r.query, "LIST", r.list(order, first), 1)
	if r.conn {
		if !strings.HasPrefix(q, "{") {
			q = "{ " + q + " }"
		}
		q = "query($after: String) " + q
	}
	var after any
	if cursor != "" {
		after = cursor
	}
	return post(r.t, r.h, q, map[string]any{"after": after})
}

// at is the list at the case's path in r's data.
func (r orderReader) at(resp response) json.RawMessage {
	r.t.Helper()
	if len(resp.Errors) > 0 {
		r.t.Fatalf("errors: %+v", resp.Errors)
	}
	var v any
	if err := json.Unmarshal(resp.Data, &v); err != nil {
		r.t.Fatal(err)
	}
	for _, p := range append(slices.Clone(r.c.path), r.field) {
		if x, ok := v.([]any); ok {
			if len(x) == 0 {
				r.t.Fatalf("an empty list on the way to %s", r.field)
			}
			v = x[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			r.t.Fatalf("no %s in %s", p, resp.Data)
		}
		v = m[p]
	}
	raw, _ := json.Marshal(v)
	return raw
}

// all reads the whole list in order, as its rows' JSON, with the cursor
// of its first edge for a connection.
func (r orderReader) all(order string) ([]string, string) {
	r.t.Helper()
	raw := r.at(r.page(order, graphql.MaxFirst, ""))
	if !r.conn {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			r.t.Fatalf("%s: %v", raw, err)
		}
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = string(it)
		}
		return out, ""
	}
	var p orderPage
	if err := json.Unmarshal(raw, &p); err != nil {
		r.t.Fatalf("%s: %v", raw, err)
	}
	out := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = string(e.Node)
	}
	if (r.total && p.TotalCount != len(out)) || p.PageInfo.HasNextPage {
		r.t.Fatalf("%s: totalCount %d, hasNextPage %v for the %d rows of one page", order, p.TotalCount, p.PageInfo.HasNextPage, len(out))
	}
	first := ""
	if len(p.Edges) > 0 {
		first = p.Edges[0].Cursor
	}
	return out, first
}

// walk pages through the connection two rows at a time, from the end
// cursor of each page, and returns the rows.
func (r orderReader) walk(order string) []string {
	r.t.Helper()
	var out []string
	cursor := ""
	for range graphql.MaxFirst {
		var p orderPage
		if err := json.Unmarshal(r.at(r.page(order, 2, cursor)), &p); err != nil {
			r.t.Fatal(err)
		}
		for _, e := range p.Edges {
			out = append(out, string(e.Node))
		}
		if !p.PageInfo.HasNextPage {
			return out
		}
		if len(p.Edges) != 2 || p.PageInfo.EndCursor == "" {
			r.t.Fatalf("%s: a page of %d rows, end cursor %q, says more follow", order, len(p.Edges), p.PageInfo.EndCursor)
		}
		cursor = p.PageInfo.EndCursor
	}
	r.t.Fatal("the pages never end")
	return nil
}

// TestSearchEdgesHaveCursors requires each search hit's cursor to continue
// right after that hit.
func TestSearchEdgesHaveCursors(t *testing.T) {
	e := demoEnv(t)
	const q = `query($after: String) { search(query: "προϋπολογισμού", first: 6, after: $after) { edges { cursor node { kind title snippet { text } } } } }`
	type hit struct {
		Cursor string `json:"cursor"`
		Node   struct {
			Kind, Title string
			Snippet     struct{ Text string }
		} `json:"node"`
	}
	var page struct {
		Search struct{ Edges []hit } `json:"search"`
	}
	mustData(t, e.h, q, nil, &page)
	all := page.Search.Edges
	if len(all) < 3 {
		t.Fatalf("%d hits: the test proves nothing", len(all))
	}
	for i, h := range all[:len(all)-1] {
		if h.Cursor == "" {
			t.Fatalf("hit %d has no cursor", i)
		}
		var rest struct {
			Search struct{ Edges []hit } `json:"search"`
		}
		mustData(t, e.h, q, map[string]any{"after": h.Cursor}, &rest)
		if len(rest.Search.Edges) == 0 || rest.Search.Edges[0].Node != all[i+1].Node {
			t.Fatalf("after hit %d the search goes on at %+v, want %+v", i, rest.Search.Edges, all[i+1].Node)
		}
	}
}
