// Package events is the centre of Pnyx: the event envelope and its metadata,
// the event catalog of the municipal record, one decider per aggregate, the
// Store interface every log implementation satisfies, and the domain errors
// every other package maps to HTTP and GraphQL.
//
// It imports no database, no HTTP and no GraphQL: everything else depends on
// it, it depends on nothing of ours. The log is public in full, so nothing in
// this package ever carries a citizen's personal data; events refer to people
// through opaque subject references kept in the personal-data vault.
package events
