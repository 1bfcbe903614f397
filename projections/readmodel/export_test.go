package readmodel

import "github.com/pnyx-civic/pnyx/projections"

// WrapQueries makes every Snapshot of m read through wrap(tx): tests
// record query plans with it.
func WrapQueries(m *ReadModel, wrap func(projections.Queryer) projections.Queryer) { m.wrap = wrap }

// EncodeCursor is encodeCursor, for tests that forge cursors.
var EncodeCursor = encodeCursor
