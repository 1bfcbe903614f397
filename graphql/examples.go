package graphql

// Example is a query the explorer offers, with the variables it runs with.
type Example struct {
	Name      string
	Question  string
	Query     string
	Variables string // JSON
}

// Examples answer the four questions a journalist asks first, each with
// one query. The explorer lists them; the tests run them on the demo.
var Examples = []Example{
	{
		Name:     "BudgetVotes",
		Question: "How did each member vote on decisions about the budget this year?",
		Query: `query BudgetVotes($words: String!, $after: String) {
  search(query: $words, kinds: ["decision"], first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        snippet { marked }
        node {
          ... on Decision {
            number year title adoptedAt body { localId }
            vote { result yes no abstain ballots { choice member { name faction } } }
          }
        }
      }
    }
  }
}`,
		Variables: `{"words": "προϋπολογισμός"}`,
	},
	{
		Name:     "DecisionVersions",
		Question: "What changed between the versions of decision 123/2026?",
		Query: `query DecisionVersions($number: String!, $body: String) {
  decision(number: $number, bodyId: $body) {
    number title status registerId
    versions {
      version reason at recordedAt
      diff { op field text }
    }
  }
}`,
		Variables: `{"number": "123/2026", "body": "kal-dimotiko-symvoulio"}`,
	},
	{
		Name:     "ProcurementAsOf",
		Question: "What did the record say about a procurement on 1 March?",
		Query: `query ProcurementAsOf($ocid: String!, $at: Time!) {
  procurement(ocid: $ocid, asOf: {recordedAt: $at}) {
    ocid title status
    budget { cents currency } ceiling { cents } deadline
    awarded { cents } supplier { name vatId }
    bids(first: 20) { totalCount edges { node { bidId value { cents } } } }
  }
}`,
		Variables: `{"ocid": "ocds-kal-2026-0001", "at": "2026-03-01T00:00:00Z"}`,
	},
	{
		Name:     "OverdueRequests",
		Question: "Which requests are overdue?",
		Query: `query OverdueRequests {
  requests(overdue: true, first: 100) {
    totalCount
    edges { node { localId category channel status submittedAt dueAt department } }
  }
}`,
		Variables: `{}`,
	},
}
