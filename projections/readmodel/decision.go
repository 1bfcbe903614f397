package readmodel

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Decisions and every one of their versions. The decision row carries the
// current version's title and text; decision_versions keeps each version
// as it was adopted or corrected, with the reason, so a correction never
// hides what the record said before.

// decisionRow is a row of decisions: a decision with its number in its
// year and the time of its last change.
type decisionRow struct {
	Decision
	seq       int
	published bool // published_version is NULL until the decision is
	changedAt time.Time
}

var decisions = define(&table[string, decisionRow]{
	name: "decisions", keys: 1, rowid: true,
	columns: []column[decisionRow]{
		textCol("decision_id", "TEXT PRIMARY KEY", func(r *decisionRow) *string { return &r.ID }),
		textCol("body_id", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.BodyID }),
		textCol("number", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.Number }),
		intCol("seq", "INTEGER NOT NULL", func(r *decisionRow) *int { return &r.seq }),
		intCol("year", "INTEGER NOT NULL", func(r *decisionRow) *int { return &r.Year }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.MeetingID }),
		textCol("item_id", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.ItemID }),
		textCol("vote_id", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.VoteID }),
		textCol("exception_kind", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.ExceptionKind }),
		textCol("exception_basis", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.ExceptionBasis }),
		textCol("title", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.Title }),
		textCol("text", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.Text }),
		textCol("legal_basis", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.LegalBasis }),
		textCol("status", "TEXT NOT NULL", func(r *decisionRow) *string { return &r.Status }),
		intCol("version", "INTEGER NOT NULL", func(r *decisionRow) *int { return &r.Version }),
		textCol("register", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.Register }),
		textCol("register_id", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.RegisterID }),
		{name: "published_version", decl: "INTEGER",
			get: func(r *decisionRow) any {
				if !r.published {
					return nil
				}
				return int64(r.PublishedVersion)
			},
			set: func(r *decisionRow, v any) { n, ok := v.(int64); r.PublishedVersion, r.published = int(n), ok }},
		textCol("document_sha256", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.DocumentSHA256 }),
		textCol("status_reason", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.StatusReason }),
		textCol("revoked_by", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.RevokedBy }),
		textCol("annulled_by", "TEXT NOT NULL DEFAULT ''", func(r *decisionRow) *string { return &r.AnnulledBy }),
		timeCol("adopted_at", func(r *decisionRow) *time.Time { return &r.AdoptedAt }),
		timeCol("published_at", func(r *decisionRow) *time.Time { return &r.PublishedAt }),
		timeCol("changed_at", func(r *decisionRow) *time.Time { return &r.changedAt }),
	},
	indexes: []string{
		`CREATE INDEX {decisions_body} ON {decisions} (body_id, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_adopted} ON {decisions} (adopted_at, decision_id)`,
		`CREATE INDEX {decisions_status} ON {decisions} (status, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_number} ON {decisions} (body_id, year, seq)`,
		`CREATE INDEX {decisions_year} ON {decisions} (year, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_register} ON {decisions} (register_id, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_meeting} ON {decisions} (meeting_id, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_item} ON {decisions} (item_id, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_vote} ON {decisions} (vote_id, adopted_at, decision_id)`,
	},
	key:    func(r *decisionRow) string { return r.ID },
	newRow: func(id string) decisionRow { return decisionRow{Decision: Decision{ID: id}} },
	order:  byString,
})

// decisionVersionRow is a row of decision_versions; its documents are the
// owner "decision_version" "id/version" of documents.
type decisionVersionRow struct {
	decisionID string
	DecisionVersion
}

type versionKey struct {
	decision string
	version  int
}

var decisionVersions = define(&table[versionKey, decisionVersionRow]{
	name: "decision_versions", keys: 2, rowid: true, constraint: "PRIMARY KEY (decision_id, version)",
	columns: []column[decisionVersionRow]{
		textCol("decision_id", "TEXT NOT NULL", func(r *decisionVersionRow) *string { return &r.decisionID }),
		intCol("version", "INTEGER NOT NULL", func(r *decisionVersionRow) *int { return &r.Version }),
		textCol("title", "TEXT NOT NULL", func(r *decisionVersionRow) *string { return &r.Title }),
		textCol("text", "TEXT NOT NULL", func(r *decisionVersionRow) *string { return &r.Text }),
		textCol("reason", "TEXT NOT NULL", func(r *decisionVersionRow) *string { return &r.Reason }),
		timeCol("at", func(r *decisionVersionRow) *time.Time { return &r.At }),
		timeCol("recorded_at", func(r *decisionVersionRow) *time.Time { return &r.RecordedAt }),
	},
	key: func(r *decisionVersionRow) versionKey { return versionKey{r.decisionID, r.Version} },
	newRow: func(k versionKey) decisionVersionRow {
		return decisionVersionRow{decisionID: k.decision, DecisionVersion: DecisionVersion{Version: k.version}}
	},
	order: func(a, b versionKey) int {
		return cmp.Or(strings.Compare(a.decision, b.decision), cmp.Compare(a.version, b.version))
	},
})

func applyDecision(w writer, p events.Payload) (bool, error) {
	rows := decisions.of(w)
	change := func(f func(r *decisionRow)) error {
		_, err := rows.change(w, w.id(), f)
		return err
	}
	switch e := p.(type) {
	case events.DecisionAdopted:
		r := decisionRow{Decision: Decision{ID: w.id(), BodyID: e.BodyID, Number: fmt.Sprintf("%d/%d", e.Number, e.Year), Year: e.Year,
			MeetingID: e.MeetingID, ItemID: e.ItemID, VoteID: e.VoteID, Title: e.Title, Text: e.Text, LegalBasis: e.LegalBasis,
			Status: string(events.DecisionIsAdopted), Version: 1, AdoptedAt: w.at()}, seq: int(e.Number), changedAt: w.at()}
		if e.Exception != nil {
			r.ExceptionKind, r.ExceptionBasis = e.Exception.Kind, e.Exception.LegalBasis
		}
		rows.put(r)
		if err := w.decisionVersion(1, e.Title, e.Text, "", e.Documents); err != nil {
			return true, err
		}
		return true, w.index(SearchDecision, w.id(), e.Title, e.Text)
	case events.DecisionPublished:
		return true, change(func(r *decisionRow) {
			r.Register, r.RegisterID, r.PublishedVersion, r.published = e.Register, e.RegisterID, e.Version, true
			r.DocumentSHA256 = e.DocumentSHA256
			if r.PublishedAt.IsZero() {
				r.PublishedAt = w.at()
			}
		})
	case events.DecisionCorrected:
		if err := change(func(r *decisionRow) {
			r.Title, r.Text, r.Version, r.changedAt = e.Title, e.Text, e.Version, w.at()
		}); err != nil {
			return true, err
		}
		if err := w.decisionVersion(e.Version, e.Title, e.Text, e.Reason, e.Documents); err != nil {
			return true, err
		}
		return true, w.index(SearchDecision, w.id(), e.Title, e.Text)
	case events.DecisionRevoked:
		return true, change(func(r *decisionRow) {
			r.Status, r.StatusReason, r.RevokedBy, r.changedAt = string(events.DecisionIsRevoked), e.Reason, e.RevokingDecisionID, w.at()
		})
	case events.DecisionAnnulled:
		return true, change(func(r *decisionRow) {
			r.Status, r.StatusReason, r.AnnulledBy, r.changedAt = string(events.DecisionIsAnnulled), e.Reason, e.Authority, w.at()
		})
	}
	return false, nil
}

func (w writer) decisionVersion(version int, title, text, reason string, docs []events.DocumentRef) error {
	decisionVersions.of(w).put(decisionVersionRow{decisionID: w.id(), DecisionVersion: DecisionVersion{Version: version, Title: title,
		Text: text, Reason: reason, At: w.at(), RecordedAt: w.ev.RecordedAt.UTC()}})
	return w.appendDocuments("decision_version", fmt.Sprintf("%s/%d", w.id(), version), docs)
}
