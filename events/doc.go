// Package events is the centre of Pnyx: the event envelope and its metadata,
// the event catalog of the municipal record, one decider per aggregate, the
// Store interface every log implementation satisfies, and the domain errors
// every other package maps to HTTP and GraphQL.
//
// It imports no database, no HTTP and no GraphQL: everything else depends on
// it, it depends on nothing of ours. The log is public in full, so nothing in
// this package ever carries a citizen's personal data: commands name people
// by their reference in the personal-data vault, and the command service
// turns that into an author reference of the one entity and seals what
// they wrote (seal.go, vault.go, docs/PRIVACY.md).
//
// Each aggregate has the same two files, such as meeting.go and
// meeting_rules.go (and a few a third, for a value of their own, such as
// body_settings.go). The first holds its vocabulary, its events and their
// catalog entries, its commands, its state and evolve; the second holds its
// decider: the Decider value, the decide function of the aggregate and of
// each command whose rules need one, and the checks those rules share.
// Decide functions are plain functions of the state and the command; a
// check that reads the state is a method of the state.
package events
