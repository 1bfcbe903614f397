package graphql_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/pnyx-civic/pnyx/graphql"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// coverageQueries reach every field of the schema on the fixture
// municipality; TestEveryFieldIsQueried checks that they do, and
// TestCoverageQueriesAnswer that each answers without an error and with
// data in every list it names.
var coverageQueries = map[string]string{
	"bodies, members and factions": `{ bodies(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
		id localId name kind settings registeredAt factions { name members }
		members(first: 2, at: "2025-06-01T00:00:00Z") { totalCount edges { node { period name faction role since until leftReason
			body { name } member { id localId name faction memberships(first: 1) { edges { node { name } } } } } } }
		meetings(first: 1) { edges { node { id } } }
		decisions(first: 1, year: 2025) { edges { node { id } } } } } } }`,
	"factions": `{ faction(id: "kal-dimotiko-symvoulio-km") { localId name members shortName colour role formedAt dissolvedAt
		leader { name factionId } body { localId }
		memberships(first: 2, at: "2025-06-01T00:00:00Z") { totalCount edges { node { factionId factionEntity { localId colour } } } } } }`,
	"a member's record": `{ decisions(first: 1) { edges { node { vote { ballots { changes member { localId
		votingRecord(first: 3, from: "2025-01-01T00:00:00Z") { totalCount edges { node { choice changes castAt itemTitle question result vote { id } } } }
		memberships(first: 1) { edges { node { body { localId } } } } } } } } } } }`,
	"attendance": `{ meetings(first: 3, status: "adjourned") { edges { node { presiding { localId } body { localId }
		attendance { localId name attendance(bodyId: "kal-dimotiko-symvoulio", first: 2) { totalCount edges { node { present startsAt convenedAt meeting { id } } } } } } } } }`,
	"meetings, items and consultations": `{ meetings(first: 3, bodyId: "kal-dimotiko-symvoulio", startsFrom: "2025-03-01T00:00:00Z", startsTo: "2025-12-01T00:00:00Z") {
		totalCount edges { node { id localId status startsAt place urgency urgencyReason call agendaPublishedAt convenedAt adjournedAt
		present seats cancelledReason body { name } presiding { name }
		votes(first: 1) { totalCount edges { node { id } } } decisions(first: 1) { totalCount edges { node { id } } }
		items(first: 3) { totalCount edges { cursor node { id localId seq title description questionType presenter status withdrawnReason
			consultationClosesAt documents { title mediaType size sha256 url } meeting { id }
			amendments(first: 2) { totalCount edges { node { id } } }
			votes(first: 2) { edges { node { id } } } decisions(first: 2) { edges { node { id } } }
			consultation { id status openedAt closesAt closedAt commentCount item { id } meeting { id }
				comments(first: 2) { totalCount edges { node { localId kind text status moderationReason submittedAt item { id } } } } } } } } } } }}`,
	"votes and amendments": `{ votes(first: 3, bodyId: "kal-dimotiko-symvoulio", result: "passed") { totalCount edges { node {
		id localId question questionType method status openedAt closedAt yes no abstain present absent result majority chairTieBreak imported
		body { id } meeting { id } item { id } amendment { id } decisions { id } ballots(choice: "yes") { choice member { name } } } } } }`,
	"amendments": `query($amendment: String!) { amendment(id: $amendment) { id localId text status reason proposedAt decidedAt
		item { id } proposer { name } vote { id } } }`,
	"decisions and versions": `{ decisions(first: 3, status: "adopted", adoptedFrom: "2025-01-01T00:00:00Z", adoptedTo: "2026-01-01T00:00:00Z") {
		totalCount edges { node { id localId number year exceptionKind exceptionBasis title text legalBasis status version register
		registerId publishedVersion documentSha256 statusReason annulledBy adoptedAt publishedAt revokedBy { id }
		body { id } meeting { id } item { id } vote { id } documents { title }
		versions { version title text reason at recordedAt documents { sha256 } diff { op field text } }
		procurements(first: 2) { edges { node { role } } } } } } }`,
	"procurements": `{ procurements(first: 3, status: "completed") { totalCount edges { node { id ocid title description department method status
		procedure deadline contractId contractStart contractEnd bidCount plannedAt tenderPublishedAt awardedAt signedAt closedAt
		cancelledReason cpv imported budget { cents currency } ceiling { cents } awarded { cents } contractValue { cents } paid { cents }
		procedureType category vatRate budgetWithVat { cents } awardedWithVat { cents } contractWithVat { cents } committed { cents }
		lotCount lotsAwarded appealsPending directAwardLimit { cents } directAwardLimitBasis modificationLimitPercent adam tenderAdam awardAdam contractAdam
		buyer { id } supplier { id } awardDecision { id }
		bids(first: 2) { totalCount edges { node { bidId value { cents } receivedAt lotId status statusReason supplier { vatId } } } }
		payments(first: 2) { totalCount edges { node { paymentId amount { cents } invoiceRef paidAt contractId } } }
		tenderAmendments(first: 2) { totalCount edges { node { seq ceiling { cents } deadline reason amendedAt decision { id } } } }
		contractAmendments(first: 2) { totalCount edges { node { seq contractId value { cents } periodStart periodEnd reason amendedAt decision { id } } } }
		decisions(first: 2) { totalCount edges { node { role procurement { id } decision { id } } } } } } } }`,
	"procurement under the law": `{ procurement(ocid: "ocds-kal4ai-2025-n4412-2") { lotCount contractCount
		contracts { contractId awardId supplier { vatId } value { cents } valueWithVat { cents } originalValue { cents } periodStart periodEnd
			adam paid { cents } signedAt }
		lots { lotId seq title value { cents } }
		awards { awardId lotId supplier { vatId } value { cents } valueWithVat { cents } decision { id } adam status awardedAt }
		commitments { commitmentId amount { cents } budgetLine year ada committedAt }
		evaluations { evaluationId lotId phase ranking rejected status evaluatedAt }
		appeals { appealId kind awardId evaluationId grounds status reason decision { id } lodgedAt decidedAt } }
		procurements(procedureType: "direct_award") { totalCount } }`,
	"suppliers": `{ suppliers(first: 3) { totalCount edges { node { id vatId name kind locality municipality country registeredAt
		procurements(first: 1) { totalCount } bids(first: 1) { totalCount } } } } }`,
	"requests": `{ requests(first: 3, overdue: true) { totalCount edges { node { id localId category subject description address lat long channel status submittedAt
		acknowledgedAt responseDays dueAt overdue department answeredAt answerSummary legalBasis closedAt reopened
		counting extendedDays extensionReason forwardedTo forwardClock forwardedLate access withheldReason withheldLegalBasis
		statusHistory { status at detail } } } } }`,
	"search": `{ search(query: "προϋπολογισμού", first: 5) { totalCount pageInfo { endCursor } edges { cursor node { kind title
		snippet { text marked highlights { start end } } node { id ... on Decision { number } ... on AgendaItem { title } ... on Procurement { ocid } } } } } }`,
	"history and the change feed": `{ history(id: "body-kal-dimotiko-symvoulio", first: 2) { pageInfo { hasNextPage endCursor } edges { cursor node {
		eventId stream version position type schema occurredAt recordedAt actor { tokenId role } data } } }
		events(first: 3, types: ["decision.adopted"]) { pageInfo { hasNextPage endCursor } edges { cursor node { type position } } } }`,
	"analytics": `{ analytics { spending(by: SUPPLIER) { key currency awards awardedCents payments paidCents }
		supplierShares(local: "Δήμος Καλλιθέας Αιγαίου") { currency
			awarded { totalCents cooperativeCents smeCents localCents cooperativeShare smeShare localShare } paid { totalCents } }
		agreement(level: FACTION) { a b votes agreed rate }
		factionVotes(filter: {from: "2025-03-01T00:00:00Z", to: "2025-04-01T00:00:00Z"}) { voteId openedAt faction yes no abstain rice position }
		cohesion { faction votes mean } dissent { memberId faction ballots against rate }
		memberAttendance(filter: {bodyId: "kal-dimotiko-symvoulio"}) { bodyId memberId meetings present rate }
		meetingAttendance { meetingId bodyId convenedAt seats present rate }
		meetingDecisions { meetingId bodyId decisions withAgenda agendaSeconds meanAgendaToDecisionSeconds }
		decisionChanges { month adopted corrected revoked annulled }
		requestTimes(filter: {category: "information"}) { category channel requests assisted withDueDate answered responseSeconds
			allowedSeconds overdue overdueShare assistedShare responseToDeadline }
		participation(perMeeting: true) { meetingId itemId comments proposals objections remarks } } }`,
	"the ledger": `{ ledger { verifierKey checkpoint { origin treeSize rootHash note }
		inclusionProof(position: 2) { position leafIndex treeSize leaf leafHash hashes checkpoint { treeSize } }
		consistencyProof(from: 1, to: 2) { from to hashes } } }`,
	"nodes": `{ a: node(id: "body-kal-dimotiko-symvoulio") { id ... on Body { name } }
		b: node(id: "member-nobody") { id } c: node(id: "nonsense") { id } }`,
	"a body, a meeting and the rest by id": `{ body(id: "kal-dimotiko-symvoulio") { name } member(id: "nobody") { name }
		meeting(id: "nobody") { id } agendaItem(id: "nobody") { id } consultation(itemId: "nobody") { id } amendment(id: "nobody") { id }
		vote(id: "nobody") { id } decision(id: "nobody") { id } procurement(ocid: "nobody") { id } supplier(vatId: "nobody") { id }
		request(id: "nobody") { id } }`,
}

func TestEveryFieldIsQueried(t *testing.T) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: graphql.Schema})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for name, q := range coverageQueries {
		doc, errs := gqlparser.LoadQuery(schema, q)
		if errs != nil {
			t.Fatalf("%s: %v", name, errs)
		}
		var walk func(ast.SelectionSet)
		walk = func(set ast.SelectionSet) {
			for _, sel := range set {
				switch s := sel.(type) {
				case *ast.Field:
					if s.ObjectDefinition != nil {
						seen[s.ObjectDefinition.Name+"."+s.Name] = true
					}
					walk(s.SelectionSet)
				case *ast.InlineFragment:
					walk(s.SelectionSet)
				}
			}
		}
		for _, op := range doc.Operations {
			walk(op.SelectionSet)
		}
	}
	var missing []string
	for _, def := range schema.Types {
		if def.BuiltIn || def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		if mutationTypes[def.Name] {
			continue // TestEveryMutationRuns selects them
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			// A field of an object that implements Node is reached through
			// the interface too.
			// pageInfo and cursor come from one helper for every
			// connection; TestConnectionsPage pages through them.
			plumbing := strings.HasSuffix(def.Name, "Connection") && f.Name == "pageInfo" ||
				strings.HasSuffix(def.Name, "Edge") && f.Name == "cursor"
			if !plumbing && !seen[def.Name+"."+f.Name] && !(f.Name == "id" && seen["Node.id"]) {
				missing = append(missing, def.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no coverage query selects %d fields: %s", len(missing), strings.Join(missing, ", "))
	}
}

// anAmendment is the id of an amendment of the fixture.
func anAmendment(t *testing.T, e *env) string {
	t.Helper()
	var id string
	err := e.rm.View(context.Background(), func(s *readmodel.Snapshot) error {
		l, err := s.Amendments(context.Background(), readmodel.AmendmentFilter{Page: readmodel.Page{First: 1}})
		if err == nil && len(l.Items) == 1 {
			id = l.Items[0].ID
		}
		return err
	})
	if err != nil || id == "" {
		t.Fatalf("no amendment in the fixture: %v", err)
	}
	return id
}

func TestCoverageQueriesAnswer(t *testing.T) {
	e := demoEnv(t)
	for name, q := range coverageQueries {
		t.Run(name, func(t *testing.T) {
			r := post(t, e.h, q, map[string]any{"amendment": anAmendment(t, e)})
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			var data map[string]any
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatal(err)
			}
			for k, v := range data {
				if v == nil && name != "nodes" && name != "a body, a meeting and the rest by id" {
					t.Errorf("%s: null: the query proves nothing", k)
				}
				if m, ok := v.(map[string]any); ok {
					if edges, ok := m["edges"].([]any); ok && len(edges) == 0 {
						t.Errorf("%s: an empty page: the query proves nothing", k)
					}
					if n, ok := m["totalCount"].(float64); ok && n == 0 {
						t.Errorf("%s: none: the query proves nothing", k)
					}
				}
			}
		})
	}
}
