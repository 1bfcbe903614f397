package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pnyx-civic/pnyx/events"
)

// ServingPosition returns the log position the serving build of projection
// has applied: what its views show. It is one look-up by the checkpoints'
// primary key. Read it inside the read transaction of the queries it
// describes, so position and rows are of one commit. It returns an
// events.Error with code not_found when the projection has no serving
// build yet.
func ServingPosition(ctx context.Context, q Queryer, projection string) (events.Position, error) {
	var pos events.Position
	err := q.QueryRowContext(ctx, `SELECT position FROM projection_checkpoints
		WHERE projection = ? AND status = ?`, projection, statusServing).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, events.Errorf(events.CodeNotFound, "projection %s has no serving build yet", projection)
	}
	if err != nil {
		return 0, fmt.Errorf("serving position of %s: %w", projection, err)
	}
	return pos, nil
}
