package readmodel

import (
	"context"
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

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
	// Office is the register that numbers the decision (see OfficeOf):
	// the body's own, the mayor's or a deputy mayor's office's; OfficeKind
	// is its kind, body, mayor, deputy_mayor or imported.
	Office     string `json:"office"`
	OfficeKind string `json:"office_kind"`
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
	ItemID     string
	VoteID     string
	RegisterID string
	// Office keeps the decisions one register numbers (OfficeOf): "body",
	// "mayor", "deputy_mayor/<office>"; OfficeKind those of every office
	// of a kind (body, mayor, deputy_mayor, imported).
	Office     string
	OfficeKind string
	Adopted    TimeRange
	Page
}

const decisionSelect = `decision_id, body_id, number, year, meeting_id, item_id, vote_id, exception_kind, exception_basis, title, text,
	legal_basis, status, version, register, register_id, coalesce(published_version, 0), document_sha256, status_reason, revoked_by,
	annulled_by, coalesce(adopted_at, ''), coalesce(published_at, ''), office_kind, office`

func scanDecision(s scanner) (Decision, error) {
	var d Decision
	var adopted, published string
	err := s.Scan(&d.ID, &d.BodyID, &d.Number, &d.Year, &d.MeetingID, &d.ItemID, &d.VoteID, &d.ExceptionKind, &d.ExceptionBasis,
		&d.Title, &d.Text, &d.LegalBasis, &d.Status, &d.Version, &d.Register, &d.RegisterID, &d.PublishedVersion, &d.DocumentSHA256,
		&d.StatusReason, &d.RevokedBy, &d.AnnulledBy, &adopted, &published, &d.OfficeKind, &d.Office)
	d.AdoptedAt, d.PublishedAt = parseTime(adopted), parseTime(published)
	return d, err
}

var decisionGet = getSpec[Decision]{what: "decision", columns: decisionSelect, from: "decisions", key: []string{"decision_id"},
	scan: scanDecision}

// Decision returns one decision in its current version, or a not_found
// error.
func (s *Snapshot) Decision(ctx context.Context, id string) (Decision, error) {
	return getOne(ctx, s, decisionGet, id)
}

// DecisionsByID returns the decisions of ids in one query: out[i] is
// ids[i]'s, nil when there is none. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) DecisionsByID(ctx context.Context, ids []string) ([]*Decision, error) {
	return getBatch(ctx, s, decisionGet, idKeys(ids))
}

// Decisions returns decisions by adoption time, then id. A bad range or
// page is an invalid error.
func (s *Snapshot) Decisions(ctx context.Context, f DecisionFilter) (List[Decision], error) {
	if err := f.Adopted.validate("decisions"); err != nil {
		return List[Decision]{}, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	q.eq("meeting_id", f.MeetingID)
	q.eq("item_id", f.ItemID)
	q.eq("vote_id", f.VoteID)
	q.eq("register_id", f.RegisterID)
	q.eq("office", f.Office)
	q.eq("office_kind", f.OfficeKind)
	if f.Year != 0 {
		q.equal("year", f.Year)
	}
	q.timeRange("adopted_at", f.Adopted)
	return runList(ctx, s, listSpec[Decision]{name: "decisions", columns: decisionSelect, from: "decisions",
		key: []string{"adopted_at", "decision_id"}, scan: scanDecision}, q, f.Page)
}

// DecisionVersions returns every version of a decision, oldest first, with
// its documents: the whole history of one decision, not a page. It
// returns a not_found error when the decision does not exist.
func (s *Snapshot) DecisionVersions(ctx context.Context, id string) ([]DecisionVersion, error) {
	vs, err := queryRows(ctx, s.q, `SELECT version, title, text, reason, coalesce(at, ''), coalesce(recorded_at, '')
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
		if vs[i].Documents, err = s.Documents(ctx, "decision_version", fmt.Sprintf("%s/%d", id, vs[i].Version)); err != nil {
			return nil, err
		}
	}
	return vs, nil
}
