package readmodel

import (
	"fmt"

	"github.com/pnyx-civic/pnyx/events"
)

// Decisions and every one of their versions. The decision row carries the
// current version's title and text; decision_versions keeps each version
// as it was adopted or corrected, with the reason, so a correction never
// hides what the record said before.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {decisions} (
	decision_id       TEXT PRIMARY KEY,
	body_id           TEXT NOT NULL,
	number            TEXT NOT NULL,
	seq               INTEGER NOT NULL,
	year              INTEGER NOT NULL,
	meeting_id        TEXT NOT NULL,
	item_id           TEXT NOT NULL,
	vote_id           TEXT NOT NULL,
	exception_kind    TEXT NOT NULL,
	exception_basis   TEXT NOT NULL,
	title             TEXT NOT NULL,
	text              TEXT NOT NULL,
	legal_basis       TEXT NOT NULL,
	status            TEXT NOT NULL,
	version           INTEGER NOT NULL,
	register          TEXT NOT NULL DEFAULT '',
	register_id       TEXT NOT NULL DEFAULT '',
	published_version INTEGER,
	document_sha256   TEXT NOT NULL DEFAULT '',
	status_reason     TEXT NOT NULL DEFAULT '',
	revoked_by        TEXT NOT NULL DEFAULT '',
	annulled_by       TEXT NOT NULL DEFAULT '',
	adopted_at        TEXT,
	published_at      TEXT,
	changed_at        TEXT
);
CREATE INDEX {decisions_body} ON {decisions} (body_id, adopted_at, decision_id);
CREATE INDEX {decisions_adopted} ON {decisions} (adopted_at, decision_id);
CREATE INDEX {decisions_status} ON {decisions} (status, adopted_at, decision_id);
CREATE INDEX {decisions_number} ON {decisions} (body_id, year, seq);
CREATE INDEX {decisions_year} ON {decisions} (year, adopted_at, decision_id);
CREATE INDEX {decisions_register} ON {decisions} (register_id, adopted_at, decision_id);
CREATE INDEX {decisions_meeting} ON {decisions} (meeting_id, adopted_at, decision_id);
CREATE INDEX {decisions_item} ON {decisions} (item_id, adopted_at, decision_id);
CREATE INDEX {decisions_vote} ON {decisions} (vote_id, adopted_at, decision_id);
CREATE TABLE {decision_versions} (
	decision_id TEXT NOT NULL,
	version     INTEGER NOT NULL,
	title       TEXT NOT NULL,
	text        TEXT NOT NULL,
	reason      TEXT NOT NULL,
	at          TEXT,
	recorded_at TEXT,
	PRIMARY KEY (decision_id, version)
);
`)
}

func applyDecision(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.DecisionAdopted:
		var excKind, excBasis string
		if e.Exception != nil {
			excKind, excBasis = e.Exception.Kind, e.Exception.LegalBasis
		}
		pendingDecisions(w).put(w.id(), w.id(), e.BodyID, fmt.Sprintf("%d/%d", e.Number, e.Year), e.Number, e.Year, e.MeetingID, e.ItemID,
			e.VoteID, excKind, excBasis, e.Title, e.Text, e.LegalBasis, string(events.DecisionIsAdopted), int64(1), "", "", nil, "", "", "", "",
			w.occurred(), nil, w.occurred())
		if err := w.decisionVersion(1, e.Title, e.Text, "", e.Documents); err != nil {
			return true, err
		}
		return true, w.index(SearchDecision, w.id(), e.Title, e.Text)
	case events.DecisionPublished:
		pendingDecisions(w).update(w.id(), func(row []any) {
			row[decisionRegister], row[decisionRegisterID], row[decisionPublishedVersion] = e.Register, e.RegisterID, e.Version
			row[decisionDocumentSHA256] = e.DocumentSHA256
			if row[decisionPublishedAt] == nil {
				row[decisionPublishedAt] = w.occurred()
			}
		}, `UPDATE {decisions} SET register = ?, register_id = ?, published_version = ?, document_sha256 = ?,
			published_at = coalesce(published_at, ?) WHERE decision_id = ?`, e.Register, e.RegisterID, e.Version, e.DocumentSHA256,
			w.occurred(), w.id())
		return true, nil
	case events.DecisionCorrected:
		pendingDecisions(w).update(w.id(), func(row []any) {
			row[decisionTitle], row[decisionText], row[decisionVersion], row[decisionChangedAt] = e.Title, e.Text, e.Version, w.occurred()
		}, `UPDATE {decisions} SET title = ?, text = ?, version = ?, changed_at = ? WHERE decision_id = ?`,
			e.Title, e.Text, e.Version, w.occurred(), w.id())
		if err := w.decisionVersion(e.Version, e.Title, e.Text, e.Reason, e.Documents); err != nil {
			return true, err
		}
		return true, w.index(SearchDecision, w.id(), e.Title, e.Text)
	case events.DecisionRevoked:
		pendingDecisions(w).update(w.id(), func(row []any) {
			row[decisionStatus], row[decisionStatusReason], row[decisionRevokedBy] = string(events.DecisionIsRevoked), e.Reason, e.RevokingDecisionID
			row[decisionChangedAt] = w.occurred()
		}, `UPDATE {decisions} SET status = ?, status_reason = ?, revoked_by = ?, changed_at = ? WHERE decision_id = ?`,
			string(events.DecisionIsRevoked), e.Reason, e.RevokingDecisionID, w.occurred(), w.id())
		return true, nil
	case events.DecisionAnnulled:
		pendingDecisions(w).update(w.id(), func(row []any) {
			row[decisionStatus], row[decisionStatusReason], row[decisionAnnulledBy] = string(events.DecisionIsAnnulled), e.Reason, e.Authority
			row[decisionChangedAt] = w.occurred()
		}, `UPDATE {decisions} SET status = ?, status_reason = ?, annulled_by = ?, changed_at = ? WHERE decision_id = ?`,
			string(events.DecisionIsAnnulled), e.Reason, e.Authority, w.occurred(), w.id())
		return true, nil
	}
	return false, nil
}

// Columns of the decisions rows the batch holds.
const (
	decisionTitle            = 10
	decisionText             = 11
	decisionStatus           = 13
	decisionVersion          = 14
	decisionRegister         = 15
	decisionRegisterID       = 16
	decisionPublishedVersion = 17
	decisionDocumentSHA256   = 18
	decisionStatusReason     = 19
	decisionRevokedBy        = 20
	decisionAnnulledBy       = 21
	decisionPublishedAt      = 23
	decisionChangedAt        = 24
)

func pendingDecisions(w writer) *pendingTable {
	return batchOf(w).pending("decisions", "INSERT OR REPLACE", `decision_id, body_id, number, seq, year, meeting_id, item_id, vote_id,
		exception_kind, exception_basis, title, text, legal_basis, status, version, register, register_id, published_version, document_sha256,
		status_reason, revoked_by, annulled_by, adopted_at, published_at, changed_at`, "")
}

func (w writer) decisionVersion(version int, title, text, reason string, docs []events.DocumentRef) error {
	batchOf(w).pending("decision_versions", "INSERT OR REPLACE", "decision_id, version, title, text, reason, at, recorded_at", "").
		put("", w.id(), version, title, text, reason, w.occurred(), timeText(w.ev.RecordedAt))
	return w.appendDocuments("decision_version", fmt.Sprintf("%s/%d", w.id(), version), docs)
}
