package readmodel

import (
	"cmp"
	"context"
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
		textCol("office_kind", "TEXT NOT NULL DEFAULT 'body'", func(r *decisionRow) *string { return &r.OfficeKind }),
		textCol("office", "TEXT NOT NULL DEFAULT 'body'", func(r *decisionRow) *string { return &r.Office }),
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
		`CREATE INDEX {decisions_office_kind} ON {decisions} (office_kind, adopted_at, decision_id)`,
		`CREATE INDEX {decisions_office} ON {decisions} (office, adopted_at, decision_id)`,
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
			Status: string(events.DecisionIsAdopted), Version: 1, AdoptedAt: w.at(), OfficeKind: officeKind(e.Exception), Office: OfficeOf(e.Exception)}, seq: int(e.Number), changedAt: w.at()}
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
	case events.DecisionReissued:
		return true, w.reissue(e)
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

// Offices (the registers that number decisions) in the read model.
const (
	OfficeBody        = "body"         // the body's own register: a council's, a committee's
	OfficeMayor       = "mayor"        // the mayor's decisions (αποφάσεις Δημάρχου)
	OfficeDeputyMayor = "deputy_mayor" // a deputy mayor's office, "deputy_mayor/<office>"
	OfficeImported    = "imported"     // decisions imported from another system
)

// OfficeOf returns the register that numbers a decision adopted under
// exception (nil: by a vote of its body), as the command service numbers
// it (events.AdoptDecision.CounterStream): the body's own, the mayor's,
// or each deputy mayor's office's, "deputy_mayor/<office>".
func OfficeOf(exception *events.DecisionException) string {
	kind := officeKind(exception)
	if kind == OfficeDeputyMayor {
		return kind + "/" + exception.Office
	}
	return kind
}

func officeKind(exception *events.DecisionException) string {
	if exception == nil {
		return OfficeBody
	}
	switch exception.Kind {
	case events.ExceptionMayorDecision:
		return OfficeMayor
	case events.ExceptionDeputyMayorDecision:
		return OfficeDeputyMayor
	case events.ExceptionImported:
		return OfficeImported
	}
	return exception.Kind
}

// DecisionReissue is an ορθή επανάληψη: the register issuing a decision
// again under a new id (a new ΑΔΑ), linked to the id it replaces.
type DecisionReissue struct {
	DecisionID         string    `json:"decision_id"`
	Seq                int       `json:"seq"`
	Register           string    `json:"register"`
	RegisterID         string    `json:"register_id"`
	PreviousRegisterID string    `json:"previous_register_id"`
	Version            int       `json:"version"`
	DocumentSHA256     string    `json:"document_sha256"`
	Reason             string    `json:"reason"`
	At                 time.Time `json:"at"`
}

type reissueRow struct{ DecisionReissue }

var decisionReissues = define(&table[versionKey, reissueRow]{
	name: "decision_reissues", keys: 2, constraint: "PRIMARY KEY (decision_id, seq)",
	columns: []column[reissueRow]{
		textCol("decision_id", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.DecisionID }),
		intCol("seq", "INTEGER NOT NULL", func(r *reissueRow) *int { return &r.Seq }),
		textCol("register", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.Register }),
		textCol("register_id", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.RegisterID }),
		textCol("previous_register_id", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.PreviousRegisterID }),
		intCol("version", "INTEGER NOT NULL", func(r *reissueRow) *int { return &r.Version }),
		textCol("document_sha256", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.DocumentSHA256 }),
		textCol("reason", "TEXT NOT NULL", func(r *reissueRow) *string { return &r.Reason }),
		timeCol("at", func(r *reissueRow) *time.Time { return &r.At }),
	},
	indexes: []string{`CREATE INDEX {decision_reissues_previous} ON {decision_reissues} (previous_register_id, decision_id)`},
	key:     func(r *reissueRow) versionKey { return versionKey{r.DecisionID, r.Seq} },
	newRow: func(k versionKey) reissueRow {
		return reissueRow{DecisionReissue{DecisionID: k.decision, Seq: k.version}}
	},
	order: func(a, b versionKey) int {
		return cmp.Or(strings.Compare(a.decision, b.decision), cmp.Compare(a.version, b.version))
	},
})

// reissue records an ορθή επανάληψη: the decision's register id becomes
// the new one, and the link to the previous is kept.
func (w writer) reissue(e events.DecisionReissued) error {
	seq, err := w.nextSeq(batchOf(w).seqs, seqKey("decision_reissues", w.id()), 1,
		`SELECT coalesce(max(seq), 0) FROM {decision_reissues} WHERE decision_id = ?`, w.id())
	if err != nil {
		return err
	}
	decisionReissues.of(w).put(reissueRow{DecisionReissue{DecisionID: w.id(), Seq: int(seq), Register: e.Register, RegisterID: e.RegisterID,
		PreviousRegisterID: e.PreviousRegisterID, Version: e.Version, DocumentSHA256: e.DocumentSHA256, Reason: e.Reason, At: w.at()}})
	_, err = decisions.of(w).change(w, w.id(), func(r *decisionRow) {
		r.Register, r.RegisterID, r.PublishedVersion, r.published, r.DocumentSHA256 = e.Register, e.RegisterID, e.Version, true, e.DocumentSHA256
	})
	return err
}

// DecisionReissuesOf returns the reissues of each decision of ids, oldest
// first, in one query: out[i] is ids[i]'s. More than MaxBatch ids is an
// invalid error.
func (s *Snapshot) DecisionReissuesOf(ctx context.Context, ids []string) ([][]DecisionReissue, error) {
	return perParent(ctx, s, "decision reissues", `SELECT decision_id, seq, register, register_id, previous_register_id, version,
		document_sha256, reason, coalesce(at, '') FROM decision_reissues WHERE decision_id IN (%s) ORDER BY decision_id, seq`, ids,
		scanReissue, func(r DecisionReissue) string { return r.DecisionID })
}

// DecisionByPreviousRegisterID returns the decision whose register id
// was previousID before an ορθή επανάληψη replaced it, or a not_found
// error.
func (s *Snapshot) DecisionByPreviousRegisterID(ctx context.Context, previousID string) (Decision, error) {
	ids, err := queryRows(ctx, s.q, `SELECT decision_id FROM decision_reissues WHERE previous_register_id = ? ORDER BY previous_register_id, decision_id LIMIT 1`,
		[]any{previousID}, scanString)
	if err != nil {
		return Decision{}, err
	}
	if len(ids) == 0 {
		return Decision{}, events.Errorf(events.CodeNotFound, "no decision was reissued from register id %s", truncate(previousID))
	}
	return s.Decision(ctx, ids[0])
}

func scanReissue(sc scanner) (DecisionReissue, error) {
	var r DecisionReissue
	var at string
	err := sc.Scan(&r.DecisionID, &r.Seq, &r.Register, &r.RegisterID, &r.PreviousRegisterID, &r.Version, &r.DocumentSHA256, &r.Reason, &at)
	r.At = parseTime(at)
	return r, err
}
