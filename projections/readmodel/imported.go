package readmodel

import (
	"strings"

	"github.com/pnyx-civic/pnyx/events"
)

// applyImported marks a record brought from another system by an import:
// the command service writes a provenance.recorded event with each
// imported command's events, naming their stream, and the record's row
// says it is imported (GraphQL's imported field, the datasets' imported
// column). Decisions say so already in their exception kind.
func applyImported(w writer, p events.Payload) (bool, error) {
	e, ok := p.(events.ProvenanceRecorded)
	if !ok {
		return false, nil
	}
	kind, id, _ := strings.Cut(e.Stream, "-")
	switch kind {
	case "procurement":
		_, err := procurements.of(w).change(w, id, func(r *procurementRow) { r.Imported = true })
		return true, err
	case "vote":
		_, err := votes.of(w).change(w, id, func(r *voteRow) { r.Imported = true })
		return true, err
	}
	return true, nil
}
