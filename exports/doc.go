// Package exports owns what Pnyx publishes of its record for data users to
// copy: today the change feed, the incremental export of the whole event
// log (GET /v1/events); later the bulk releases of the read model (CSV,
// JSON, NDJSON and the open standards) with their checksums and the
// download handler.
//
// The package writes what it exports and nothing else: its handlers return
// an error, having written nothing, when a request cannot be answered, and
// the server that mounts them turns the error's code into the HTTP status
// and the JSON error body in its one table. So exports imports no server,
// and a product answers an error the way every other product does.
package exports
