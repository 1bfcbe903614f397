package readmodel

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// QueryAggregate runs a read-only SQL query in the snapshot, over the
// reader-facing views that carry the tables' logical names (ballots,
// memberships, procurements, ...), for aggregate readers such as the
// embedded analytics engine, whose GROUP BY questions the typed queries do
// not ask. The columns and conventions are those of this package's schema
// (times as fixed-width RFC 3339 text, money as cents and currency);
// private_authors is refused, so no aggregate can reach a
// citizen's subject reference. The caller closes the rows.
func (s *Snapshot) QueryAggregate(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if strings.Contains(strings.ToLower(query), "private_") {
		return nil, &events.Error{Code: events.CodeInvalid, Message: "an aggregate query may not read private tables"}
	}
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, readError(err)
	}
	return rows, nil
}
