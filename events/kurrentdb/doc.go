// Package kurrentdb is the event store on a KurrentDB (formerly
// EventStoreDB) server or cluster, for a municipality or a national host
// that outgrows one machine. It speaks gRPC through the official client,
// github.com/kurrent-io/KurrentDB-Client-Go v1.4.2, the maintained
// successor of the archived EventStore-Client-Go/v4, and passes the same
// contract suite (events/storetest) as the embedded store.
//
// # How Pnyx's log maps onto KurrentDB
//
//   - A Pnyx stream is a KurrentDB stream of the same name; a version is
//     the stream revision.
//   - A position is the event's $all commit position: opaque, ascending,
//     not dense (it is a byte offset in the server's log). Nothing in
//     Pnyx may compute with positions beyond comparing them (see
//     "Positions" below).
//   - Event ids are always set by Pnyx, and re-sending them is idempotent
//     by Pnyx's rule, checked here against the stream (see Append).
//   - Pnyx's envelope fields that KurrentDB has no field for (schema,
//     occurred and recorded times, actor, causation and correlation ids)
//     travel as a JSON object in the event's metadata; data is the JSON
//     payload with content type application/json. The recorded time is
//     Pnyx's clock, so a migration between stores keeps it exactly.
//   - SubscribeAll is one catch-up subscription to $all with a
//     server-side filter that keeps the server's own "$" events off the
//     wire; after a dropped connection it subscribes again from the last
//     event it delivered.
//   - Every call has a deadline (Options.Timeout). TLS, credentials, node
//     preference and discovery come from the connection string
//     (ParseConnectionString); credentials are sent only over TLS.
//   - Every client error is mapped to Pnyx's errors in mapErr.
//
// # The client, checked
//
// The field notes on the v4 client were checked against v1.4.2's code:
//
//   - FromError still returns ok == false when there IS an error (and
//     (nil, true) for nil). This package never uses it: errors.As on
//     *kurrentdb.Error reads the code through the client's own wrapping.
//   - A nil event id is still replaced by a random one (toProposedMessage
//     calls uuid.New), which would make a retry a duplicate: Append sets
//     every id before calling the client.
//   - Non-streaming calls (appends) get a deadline: DefaultDeadline, or
//     10 seconds; streaming calls (reads, subscriptions) get
//     math.MaxInt64, that is none. The store gives every call its own
//     deadline, and a subscription a deadline on its confirmation.
//   - The 1 MiB append limit is the server's (MaxAppendSize, counted on
//     data and metadata of a whole append) and the client does not check
//     it. Pnyx's limit is 1 MiB of data per event, so a batch can exceed
//     the server's default: the store checks each append against
//     Options.MaxAppendBytes (16 MiB by default) and refuses a larger one
//     as invalid before sending; the server's MaxAppendSize must be
//     raised to match (docs/DEPLOYMENT.md).
//   - $all positions are still commit/prepare pairs. For an event written
//     through the gRPC append (which has no explicit transactions) both
//     are equal, so the commit position alone identifies it; the store
//     still orders by the pair when paging. An append answers with the
//     commit position of its last event, which is the AppendResult's.
//   - A stream read is answered from the server's index and carries no
//     commit position (the client shows math.MaxUint64; reported in the
//     client's issue tracker for 2022 servers, and in the .NET client's):
//     the store then takes the prepare position, equal for gRPC appends.
//     Not verified on a server here: if a server sends neither, stream
//     reads have position 0 (unknown) and the real-server run of the
//     contract suite fails on it, which is what that run is for.
//   - AppendRecords (v1.4.2, for KurrentDB 26.1) is sent only to a server
//     whose server features list "appendrecords"; otherwise the client
//     answers ErrorCodeUnsupportedFeature without sending. It takes
//     metadata as a JSON object of strings only, and reports a failed
//     check as an *AppendConsistencyViolationError naming every failing
//     check, with the stream's actual state.
//
// Also found in v1.4.2: a wrong expected version error carries the actual
// revision only in its message (the store reads it from there, and reads
// the stream again before answering); ReadStream.Recv panics on a read
// message it does not know (the store recovers, as a server it cannot
// read); a failed node discovery closes the client for good (the store
// then makes a new one, so a server that comes back is found again); an
// event without the server's "created" stamp makes the client call
// log.Fatalf (a real server always sends it, and so does the test
// server); ReadAll has no server-side filter (only subscriptions do), so
// ReadAll's prefixes are applied by the store page by page; the client
// logs to standard output unless given a logger (the store routes it to
// its slog logger at debug level); a defaultDeadline it cannot parse is
// ignored but leaves a deadline of zero, failing every append (the store
// refuses such a connection string).
//
// # Positions
//
// The rest of Pnyx was searched for uses of positions as counts. None
// breaks on positions with gaps: reads continue "after" the last position
// seen, and "position - 1" (the events command's --from, a failed
// projection's stop point) only means "just before". Two figures read
// wrong on this store, as they count the gap between positions as events:
// a projection's lag (projections.Status.Lag and the metric
// pnyx_projection_lag_events are Head-Position, which here are bytes, not
// events; so is the "building (%d of %d events)" message of a projection
// not yet serving) and the progress of a rebuild (done/total by position,
// which here is a share of the log's bytes, still monotonic). The ledger, when
// it exists, must number leaves by log order, not by position.
//
// # Idempotency and its limit
//
// KurrentDB keeps no index of event ids across streams. Append therefore
// looks for a retry in the stream it appends to (the whole batch, in
// order, with the same content: the original result; part of it, or other
// content: events.ErrDuplicateEventID), then appends at the exact revision
// it found, so that two racing retries cannot both write. To find a retry
// without reading the whole stream on every append, the store keeps the
// ids of the streams it appended to lately (Options.IndexedIDs) and reads
// only the events recorded since; the log being append-only, this stays
// exact with any number of writers. The same id appended to another
// stream is not refused (the contract suite runs with
// storetest.IDsPerStream).
//
// # Commands across streams (AppendStreams)
//
// A command whose rules read other records appends its events, its
// number, its claims and the versions of every record it read in one
// atomic step (events.Store.AppendStreams). On KurrentDB that step is one
// AppendRecords request (the v2 streams service, KurrentDB 26.1 and later;
// client v1.4.2's Client.AppendRecords): records for any streams, in the
// request's order, with consistency checks that may name streams the
// request does not write. What the server guarantees, from its protocol
// and its code: it evaluates every check and writes every record in one
// transaction, all or none, and refuses a failed check with every failing
// check named (AppendConsistencyViolation); the records lie together in
// the log in the request's order, each at its own commit position (the
// server's reader of $all gives each record committed in place, as a
// gRPC append's are, its own log position as both commit and prepare
// position), subscribers get them after the transaction commits, and the
// answer is the position of the last one.
//
// What the store does on top: it reads each part's stream first (the
// events recorded since it last looked, for a part with events; the
// version, for a part that only reads), answers a retry of recorded ids
// with the original results, checks each part's Expected, and then sends
// a check of every part's stream at the exact version it read: a stream
// only read is checked by the server like one written, with no event
// appended to it. A check that fails because another writer got there
// first sends the store to read again (the caller's condition may still
// hold, as Any and StreamExists can); one whose condition no longer holds
// is a *events.WrongExpectedVersionError for that part. The positions of
// the parts before the last are read back with one read of $all
// backwards from the answered position, from the leader (which
// acknowledged the write), recognising each event by its id; a part not
// found there is read from its stream.
//
// Limits, precisely: AppendRecords is missing from servers before 26.1,
// where AppendStreams fails as internal with a message naming the version
// (Append still works there); the v2 protocol is marked unstable by
// KurrentDB, so the client's version and the server's must agree (this
// store speaks v1.4.2's). The server takes a record's metadata as string
// properties only: the envelope then travels as one property ("pnyx",
// whose value is the envelope's JSON), which a classic read returns
// inside the server's JSON of the properties, next to keys of its own
// starting with "$"; decodeMetadata reads both forms. The server groups a
// request's streams ignoring case, so a call naming two streams that
// differ only in case is refused as invalid before anything is sent. As
// for Append, retries are found within each part's stream only. None of
// this is checked against a real server here (none can run where Pnyx is
// built): the test double implements the protocol as described, and the
// contract suite's run on a real server (PNYX_TEST_KURRENTDB_URL) is what
// checks it.
//
// The test double of a server, for tests, is events/kurrentdb/kurrenttest.
package kurrentdb
