// Package sqlite is the embedded event store: the whole log in one SQLite
// file, for a municipality that runs Pnyx on one machine without a database
// server.
//
// The file is in WAL mode with synchronous=FULL, so an acknowledged append
// survives kill -9 and power loss. One writer goroutine owns the only write
// connection and batches concurrent appends into one transaction (group
// commit): many clerks recording at once cost one fsync, not one each.
// Readers use a separate pool and never block the writer. Positions are
// assigned by the writer, so the global log is gap-free from 1.
//
// The driver is modernc.org/sqlite (pure Go, no cgo), so the binary builds
// and cross-compiles without a C toolchain.
package sqlite
