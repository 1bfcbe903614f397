package readmodel

import (
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/projections"
)

// TestPendingColumns checks each column index of a row the batch holds
// against the column list its table is written with.
func TestPendingColumns(t *testing.T) {
	w := writer{tx: &projections.Tx{}}
	tables := map[string]*pendingTable{}
	for _, p := range []*pendingTable{pendingConsultations(w), pendingComments(w), pendingAgendaItems(w), pendingDecisions(w), pendingSearchDocs(w)} {
		tables[p.table] = p
	}
	for _, c := range []struct {
		table, column string
		index         int
	}{
		{"consultations", "status", consultationStatus},
		{"consultations", "closed_at", consultationClosedAt},
		{"comments", "text", commentText},
		{"comments", "status", commentStatus},
		{"comments", "moderation_reason", commentModerationReason},
		{"agenda_items", "meeting_id", agendaItemMeeting},
		{"agenda_items", "status", agendaItemStatus},
		{"agenda_items", "withdrawn_reason", agendaItemWithdrawnReason},
		{"agenda_items", "consultation_closes_at", agendaItemClosesAt},
		{"decisions", "title", decisionTitle},
		{"decisions", "text", decisionText},
		{"decisions", "status", decisionStatus},
		{"decisions", "version", decisionVersion},
		{"decisions", "register", decisionRegister},
		{"decisions", "register_id", decisionRegisterID},
		{"decisions", "published_version", decisionPublishedVersion},
		{"decisions", "document_sha256", decisionDocumentSHA256},
		{"decisions", "status_reason", decisionStatusReason},
		{"decisions", "revoked_by", decisionRevokedBy},
		{"decisions", "annulled_by", decisionAnnulledBy},
		{"decisions", "published_at", decisionPublishedAt},
		{"decisions", "changed_at", decisionChangedAt},
		{"search_docs", "title", searchDocTitle},
		{"search_docs", "body", searchDocBody},
	} {
		columns := strings.Split(tables[c.table].columns, ",")
		if c.index >= len(columns) || strings.TrimSpace(columns[c.index]) != c.column {
			t.Errorf("%s: column %d is not %s in %q", c.table, c.index, c.column, tables[c.table].columns)
		}
	}
}
