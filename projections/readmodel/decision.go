package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
CREATE INDEX {decisions_body} ON {decisions} (body_id, adopted_at);
CREATE INDEX {decisions_adopted} ON {decisions} (adopted_at);
CREATE INDEX {decisions_status} ON {decisions} (status, adopted_at);
CREATE INDEX {decisions_number} ON {decisions} (body_id, year, seq);
CREATE INDEX {decisions_year} ON {decisions} (year, adopted_at);
CREATE INDEX {decisions_register} ON {decisions} (register_id);
CREATE INDEX {decisions_meeting} ON {decisions} (meeting_id);
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

// Decision is a decision of a body in its current version.
type Decision struct {
	ID               string    `json:"id"`
	BodyID           string    `json:"body_id"`
	Number           string    `json:"number"` // such as "123/2026"
	Year             int       `json:"year"`
	MeetingID        string    `json:"meeting_id,omitempty"`
	ItemID           string    `json:"item_id,omitempty"`
	VoteID           string    `json:"vote_id,omitempty"`
	ExceptionKind    string    `json:"exception_kind,omitempty"`
	ExceptionBasis   string    `json:"exception_basis,omitempty"`
	Title            string    `json:"title"`
	Text             string    `json:"text"`
	LegalBasis       string    `json:"legal_basis"`
	Status           string    `json:"status"`
	Version          int       `json:"version"`
	Register         string    `json:"register,omitempty"`
	RegisterID       string    `json:"register_id,omitempty"` // such as a Diavgeia ADA
	PublishedVersion int       `json:"published_version,omitempty"`
	DocumentSHA256   string    `json:"document_sha256,omitempty"`
	StatusReason     string    `json:"status_reason,omitempty"`
	RevokedBy        string    `json:"revoked_by,omitempty"`
	AnnulledBy       string    `json:"annulled_by,omitempty"`
	AdoptedAt        time.Time `json:"adopted_at"`
	PublishedAt      time.Time `json:"published_at"`
}

// DecisionVersion is one version of a decision, as adopted or corrected.
type DecisionVersion struct {
	Version    int                  `json:"version"`
	Title      string               `json:"title"`
	Text       string               `json:"text"`
	Reason     string               `json:"reason,omitempty"`
	At         time.Time            `json:"at"`
	RecordedAt time.Time            `json:"recorded_at"`
	Documents  []events.DocumentRef `json:"documents"`
}

// DecisionFilter selects decisions; empty fields select all.
type DecisionFilter struct {
	BodyID     string
	Status     string
	Year       int
	MeetingID  string
	RegisterID string
	Adopted    TimeRange
	Page
}

const decisionColumns = `decision_id, body_id, number, year, meeting_id, item_id, vote_id, exception_kind, exception_basis, title, text,
	legal_basis, status, version, register, register_id, coalesce(published_version, 0), document_sha256, status_reason, revoked_by,
	annulled_by, coalesce(adopted_at, ''), coalesce(published_at, '')`

func scanDecision(s scanner) (Decision, error) {
	var d Decision
	var adopted, published string
	err := s.Scan(&d.ID, &d.BodyID, &d.Number, &d.Year, &d.MeetingID, &d.ItemID, &d.VoteID, &d.ExceptionKind, &d.ExceptionBasis,
		&d.Title, &d.Text, &d.LegalBasis, &d.Status, &d.Version, &d.Register, &d.RegisterID, &d.PublishedVersion, &d.DocumentSHA256,
		&d.StatusReason, &d.RevokedBy, &d.AnnulledBy, &adopted, &published)
	d.AdoptedAt, d.PublishedAt = parseTime(adopted), parseTime(published)
	return d, err
}

// Decision returns one decision in its current version, or a not_found
// error.
func (m *ReadModel) Decision(ctx context.Context, id string) (Decision, error) {
	return queryOne(ctx, m.q, "decision "+id, `SELECT `+decisionColumns+` FROM decisions WHERE decision_id = ?`, []any{id}, scanDecision)
}

// Decisions returns decisions by adoption time, then id.
func (m *ReadModel) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	if err := f.Adopted.validate("decisions"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	q.eq("meeting_id", f.MeetingID)
	q.eq("register_id", f.RegisterID)
	if f.Year != 0 {
		q.where("year = ?", f.Year)
	}
	q.timeRange("adopted_at", f.Adopted)
	return queryRows(ctx, m.q, `SELECT `+decisionColumns+` FROM decisions`+q.String()+` ORDER BY adopted_at, decision_id LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), scanDecision)
}

// DecisionVersions returns every version of a decision, oldest first, with
// its documents; not_found when the decision does not exist.
func (m *ReadModel) DecisionVersions(ctx context.Context, id string) ([]DecisionVersion, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, readError(err)
	}
	defer tx.Rollback()
	vs, err := queryRows(ctx, tx, `SELECT version, title, text, reason, coalesce(at, ''), coalesce(recorded_at, '')
		FROM decision_versions WHERE decision_id = ? ORDER BY version`, []any{id}, func(s scanner) (DecisionVersion, error) {
		var v DecisionVersion
		var at, recorded string
		err := s.Scan(&v.Version, &v.Title, &v.Text, &v.Reason, &at, &recorded)
		v.At, v.RecordedAt = parseTime(at), parseTime(recorded)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, events.Errorf(events.CodeNotFound, "decision %s not found", id)
	}
	for i := range vs {
		if vs[i].Documents, err = documentsOf(ctx, tx, "decision_version", fmt.Sprintf("%s/%d", id, vs[i].Version)); err != nil {
			return nil, err
		}
	}
	return vs, nil
}
