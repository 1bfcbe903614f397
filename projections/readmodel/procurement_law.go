package readmodel

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Procurement under ν. 4412/2016: each process's lots, its awards (one
// per lot), its budget commitments, the evaluation committee's minutes
// and the appeals, each a table keyed by the process and the step's id.

type ocidKey struct{ ocid, id string }

func byOCIDKey(a, b ocidKey) int {
	return cmp.Or(strings.Compare(a.ocid, b.ocid), strings.Compare(a.id, b.id))
}

// ProcurementLot is a lot of a tender.
type ProcurementLot struct {
	OCID  string        `json:"ocid"`
	LotID string        `json:"lot_id"`
	Seq   int           `json:"seq"`
	Title string        `json:"title"`
	Value *events.Money `json:"value,omitempty"`
}

type lotRow struct{ ProcurementLot }

var procurementLots = define(&table[ocidKey, lotRow]{
	name: "procurement_lots", keys: 2, constraint: "PRIMARY KEY (ocid, lot_id)",
	columns: []column[lotRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *lotRow) *string { return &r.OCID }),
		textCol("lot_id", "TEXT NOT NULL", func(r *lotRow) *string { return &r.LotID }),
		intCol("seq", "INTEGER NOT NULL", func(r *lotRow) *int { return &r.Seq }),
		textCol("title", "TEXT NOT NULL", func(r *lotRow) *string { return &r.Title }),
		centsCol("value_cents", func(r *lotRow) **events.Money { return &r.Value }),
		currencyCol("value_currency", func(r *lotRow) **events.Money { return &r.Value }),
	},
	key:    func(r *lotRow) ocidKey { return ocidKey{r.OCID, r.LotID} },
	newRow: func(k ocidKey) lotRow { return lotRow{ProcurementLot{OCID: k.ocid, LotID: k.id}} },
	order:  byOCIDKey,
})

// ProcurementAward is an award of a process or of one lot; Status is
// active, pending while an appeal against it is, or annulled.
type ProcurementAward struct {
	OCID          string        `json:"ocid"`
	AwardID       string        `json:"award_id"`
	LotID         string        `json:"lot_id,omitempty"`
	SupplierVATID string        `json:"supplier_vat_id"`
	Value         *events.Money `json:"value,omitempty"`
	ValueWithVAT  *events.Money `json:"value_with_vat,omitempty"`
	DecisionID    string        `json:"decision_id"`
	ADAM          string        `json:"adam,omitempty"`
	Status        string        `json:"status"`
	AwardedAt     time.Time     `json:"awarded_at"`
}

type awardRow struct{ ProcurementAward }

var procurementAwards = define(&table[ocidKey, awardRow]{
	name: "procurement_awards", keys: 2, constraint: "PRIMARY KEY (ocid, award_id)",
	columns: []column[awardRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *awardRow) *string { return &r.OCID }),
		textCol("award_id", "TEXT NOT NULL", func(r *awardRow) *string { return &r.AwardID }),
		textCol("lot_id", "TEXT NOT NULL", func(r *awardRow) *string { return &r.LotID }),
		textCol("supplier_vat_id", "TEXT NOT NULL", func(r *awardRow) *string { return &r.SupplierVATID }),
		centsCol("value_cents", func(r *awardRow) **events.Money { return &r.Value }),
		currencyCol("value_currency", func(r *awardRow) **events.Money { return &r.Value }),
		centsCol("value_with_vat_cents", func(r *awardRow) **events.Money { return &r.ValueWithVAT }),
		currencyCol("value_with_vat_currency", func(r *awardRow) **events.Money { return &r.ValueWithVAT }),
		textCol("decision_id", "TEXT NOT NULL", func(r *awardRow) *string { return &r.DecisionID }),
		textCol("adam", "TEXT NOT NULL", func(r *awardRow) *string { return &r.ADAM }),
		textCol("status", "TEXT NOT NULL", func(r *awardRow) *string { return &r.Status }),
		timeCol("awarded_at", func(r *awardRow) *time.Time { return &r.AwardedAt }),
	},
	indexes: []string{`CREATE INDEX {procurement_awards_supplier} ON {procurement_awards} (supplier_vat_id, ocid, award_id)`},
	key:     func(r *awardRow) ocidKey { return ocidKey{r.OCID, r.AwardID} },
	newRow:  func(k ocidKey) awardRow { return awardRow{ProcurementAward{OCID: k.ocid, AwardID: k.id}} },
	order:   byOCIDKey,
})

// ProcurementCommitment is a budget commitment (ανάληψη υποχρέωσης).
type ProcurementCommitment struct {
	OCID         string       `json:"ocid"`
	CommitmentID string       `json:"commitment_id"`
	Amount       events.Money `json:"amount"`
	BudgetLine   string       `json:"budget_line"`
	Year         int          `json:"year"`
	ADA          string       `json:"ada,omitempty"`
	CommittedAt  time.Time    `json:"committed_at"`
}

type commitmentRow struct{ ProcurementCommitment }

var procurementCommitments = define(&table[ocidKey, commitmentRow]{
	name: "procurement_commitments", keys: 2, constraint: "PRIMARY KEY (ocid, commitment_id)",
	columns: []column[commitmentRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *commitmentRow) *string { return &r.OCID }),
		textCol("commitment_id", "TEXT NOT NULL", func(r *commitmentRow) *string { return &r.CommitmentID }),
		int64Col("amount_cents", "INTEGER NOT NULL", func(r *commitmentRow) *int64 { return &r.Amount.Cents }),
		textCol("amount_currency", "TEXT NOT NULL", func(r *commitmentRow) *string { return &r.Amount.Currency }),
		textCol("budget_line", "TEXT NOT NULL", func(r *commitmentRow) *string { return &r.BudgetLine }),
		intCol("year", "INTEGER NOT NULL", func(r *commitmentRow) *int { return &r.Year }),
		textCol("ada", "TEXT NOT NULL", func(r *commitmentRow) *string { return &r.ADA }),
		timeCol("committed_at", func(r *commitmentRow) *time.Time { return &r.CommittedAt }),
	},
	key: func(r *commitmentRow) ocidKey { return ocidKey{r.OCID, r.CommitmentID} },
	newRow: func(k ocidKey) commitmentRow {
		return commitmentRow{ProcurementCommitment{OCID: k.ocid, CommitmentID: k.id}}
	},
	order: byOCIDKey,
})

// ProcurementEvaluation is the evaluation committee's minutes: the bids
// ranked, best first, and those rejected (their reasons are the bids'
// status reasons).
type ProcurementEvaluation struct {
	OCID         string    `json:"ocid"`
	EvaluationID string    `json:"evaluation_id"`
	LotID        string    `json:"lot_id,omitempty"`
	Phase        string    `json:"phase"`
	Ranking      []string  `json:"ranking"`
	Rejected     []string  `json:"rejected"`
	Status       string    `json:"status"` // recorded, or set_aside by an upheld appeal
	EvaluatedAt  time.Time `json:"evaluated_at"`
}

type evaluationRow struct {
	ProcurementEvaluation
	ranking, rejected string
}

var procurementEvaluations = define(&table[ocidKey, evaluationRow]{
	name: "procurement_evaluations", keys: 2, constraint: "PRIMARY KEY (ocid, evaluation_id)",
	columns: []column[evaluationRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.OCID }),
		textCol("evaluation_id", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.EvaluationID }),
		textCol("lot_id", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.LotID }),
		textCol("phase", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.Phase }),
		textCol("ranking", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.ranking }),
		textCol("rejected", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.rejected }),
		textCol("status", "TEXT NOT NULL", func(r *evaluationRow) *string { return &r.Status }),
		timeCol("evaluated_at", func(r *evaluationRow) *time.Time { return &r.EvaluatedAt }),
	},
	key: func(r *evaluationRow) ocidKey { return ocidKey{r.OCID, r.EvaluationID} },
	newRow: func(k ocidKey) evaluationRow {
		return evaluationRow{ProcurementEvaluation: ProcurementEvaluation{OCID: k.ocid, EvaluationID: k.id}}
	},
	order: byOCIDKey,
})

// ProcurementAppeal is an appeal (ένσταση or προσφυγή) against an award
// or an evaluation; Status is pending, upheld, dismissed or withdrawn.
type ProcurementAppeal struct {
	OCID         string    `json:"ocid"`
	AppealID     string    `json:"appeal_id"`
	Kind         string    `json:"kind"`
	AwardID      string    `json:"award_id,omitempty"`
	EvaluationID string    `json:"evaluation_id,omitempty"`
	Grounds      string    `json:"grounds"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	DecisionID   string    `json:"decision_id,omitempty"`
	LodgedAt     time.Time `json:"lodged_at"`
	DecidedAt    time.Time `json:"decided_at"`
}

type appealRow struct{ ProcurementAppeal }

var procurementAppeals = define(&table[ocidKey, appealRow]{
	name: "procurement_appeals", keys: 2, rowid: true, constraint: "PRIMARY KEY (ocid, appeal_id)",
	columns: []column[appealRow]{
		textCol("ocid", "TEXT NOT NULL", func(r *appealRow) *string { return &r.OCID }),
		textCol("appeal_id", "TEXT NOT NULL", func(r *appealRow) *string { return &r.AppealID }),
		textCol("kind", "TEXT NOT NULL", func(r *appealRow) *string { return &r.Kind }),
		textCol("award_id", "TEXT NOT NULL", func(r *appealRow) *string { return &r.AwardID }),
		textCol("evaluation_id", "TEXT NOT NULL", func(r *appealRow) *string { return &r.EvaluationID }),
		textCol("grounds", "TEXT NOT NULL", func(r *appealRow) *string { return &r.Grounds }),
		textCol("status", "TEXT NOT NULL", func(r *appealRow) *string { return &r.Status }),
		textCol("reason", "TEXT NOT NULL", func(r *appealRow) *string { return &r.Reason }),
		textCol("decision_id", "TEXT NOT NULL", func(r *appealRow) *string { return &r.DecisionID }),
		timeCol("lodged_at", func(r *appealRow) *time.Time { return &r.LodgedAt }),
		timeCol("decided_at", func(r *appealRow) *time.Time { return &r.DecidedAt }),
	},
	indexes: []string{`CREATE INDEX {procurement_appeals_status} ON {procurement_appeals} (status, lodged_at, ocid, appeal_id)`},
	key:     func(r *appealRow) ocidKey { return ocidKey{r.OCID, r.AppealID} },
	newRow:  func(k ocidKey) appealRow { return appealRow{ProcurementAppeal{OCID: k.ocid, AppealID: k.id}} },
	order:   byOCIDKey,
})

// applyProcurementLaw writes the events of procurement under the law.
func applyProcurementLaw(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.ProcurementCommitmentRecorded:
		procurementCommitments.of(w).put(commitmentRow{ProcurementCommitment{OCID: w.id(), CommitmentID: e.CommitmentID, Amount: e.Amount,
			BudgetLine: e.BudgetLine, Year: e.Year, ADA: e.ADA, CommittedAt: w.at()}})
		_, err := procurements.of(w).change(w, w.id(), func(r *procurementRow) { r.Committed.Cents += e.Amount.Cents })
		return true, err
	case events.ProcurementEvaluationRecorded:
		var rejected []string
		bs := bids.of(w)
		for _, rj := range e.Rejected {
			rejected = append(rejected, rj.BidID)
			if _, err := bs.change(w, BidKey{OCID: w.id(), BidID: rj.BidID}, func(r *bidRow) {
				r.status, r.statusReason = string(events.BidDisqualified), rj.Reason
			}); err != nil {
				return true, err
			}
		}
		procurementEvaluations.of(w).put(evaluationRow{ProcurementEvaluation: ProcurementEvaluation{OCID: w.id(), EvaluationID: e.EvaluationID,
			LotID: e.LotID, Phase: string(e.Phase), Status: "recorded", EvaluatedAt: w.at()},
			ranking: strings.Join(e.Ranking, " "), rejected: strings.Join(rejected, " ")})
		return true, w.documents("evaluation", w.id()+"/"+e.EvaluationID, e.Documents)
	case events.ProcurementAppealLodged:
		procurementAppeals.of(w).put(appealRow{ProcurementAppeal{OCID: w.id(), AppealID: e.AppealID, Kind: string(e.Kind), AwardID: e.AwardID,
			EvaluationID: e.EvaluationID, Grounds: e.Grounds, Status: "pending", LodgedAt: w.at()}})
		if e.AwardID != "" {
			if _, err := procurementAwards.of(w).change(w, ocidKey{w.id(), e.AwardID}, func(r *awardRow) { r.Status = "pending" }); err != nil {
				return true, err
			}
		}
		_, err := procurements.of(w).change(w, w.id(), func(r *procurementRow) { r.AppealsPending++ })
		return true, err
	case events.ProcurementAppealDecided:
		var appeal ProcurementAppeal
		if _, err := procurementAppeals.of(w).change(w, ocidKey{w.id(), e.AppealID}, func(r *appealRow) {
			r.Status, r.Reason, r.DecisionID, r.DecidedAt = string(e.Outcome), e.Reason, e.DecisionID, w.at()
			appeal = r.ProcurementAppeal
		}); err != nil {
			return true, err
		}
		var annulled *events.Money
		if appeal.AwardID != "" {
			if _, err := procurementAwards.of(w).change(w, ocidKey{w.id(), appeal.AwardID}, func(r *awardRow) {
				r.Status = "active"
				if e.Outcome == events.AppealUpheld {
					r.Status, annulled = "annulled", r.Value
				}
			}); err != nil {
				return true, err
			}
		}
		if appeal.EvaluationID != "" && e.Outcome == events.AppealUpheld {
			if _, err := procurementEvaluations.of(w).change(w, ocidKey{w.id(), appeal.EvaluationID}, func(r *evaluationRow) { r.Status = "set_aside" }); err != nil {
				return true, err
			}
		}
		w.procurementDecision(e.DecisionID, "appeal")
		_, err := procurements.of(w).change(w, w.id(), func(r *procurementRow) {
			r.AppealsPending--
			if annulled != nil && r.Awarded != nil {
				if r.LotsAwarded > 0 {
					r.LotsAwarded--
				}
				r.Awarded = &events.Money{Cents: r.Awarded.Cents - annulled.Cents, Currency: r.Awarded.Currency}
				if r.Status == ProcurementAwarded {
					r.Status = ProcurementTendering
				}
			}
		})
		return true, err
	}
	return false, nil
}

// Lots, awards, commitments, evaluations and appeals of one process, in
// the order of their ids (lots in the tender's order).

// ProcurementLots returns the lots of a process in the tender's order.
func (s *Snapshot) ProcurementLots(ctx context.Context, ocid string) ([]ProcurementLot, error) {
	return perProcess(ctx, s, `SELECT ocid, lot_id, seq, title, value_cents, coalesce(value_currency, '') FROM procurement_lots WHERE ocid = ? ORDER BY seq`,
		ocid, func(sc scanner) (ProcurementLot, error) {
			var l ProcurementLot
			var cents *int64
			var cur string
			err := sc.Scan(&l.OCID, &l.LotID, &l.Seq, &l.Title, &cents, &cur)
			l.Value = moneyOf(cents, cur)
			return l, err
		})
}

// ProcurementAwards returns the awards of a process by award id.
func (s *Snapshot) ProcurementAwards(ctx context.Context, ocid string) ([]ProcurementAward, error) {
	return perProcess(ctx, s, `SELECT ocid, award_id, lot_id, supplier_vat_id, value_cents, coalesce(value_currency, ''), value_with_vat_cents,
		coalesce(value_with_vat_currency, ''), decision_id, adam, status, coalesce(awarded_at, '') FROM procurement_awards WHERE ocid = ? ORDER BY award_id`,
		ocid, func(sc scanner) (ProcurementAward, error) {
			var a ProcurementAward
			var v, vv *int64
			var vc, vvc, at string
			err := sc.Scan(&a.OCID, &a.AwardID, &a.LotID, &a.SupplierVATID, &v, &vc, &vv, &vvc, &a.DecisionID, &a.ADAM, &a.Status, &at)
			a.Value, a.ValueWithVAT, a.AwardedAt = moneyOf(v, vc), moneyOf(vv, vvc), parseTime(at)
			return a, err
		})
}

// ProcurementCommitments returns the budget commitments of a process.
func (s *Snapshot) ProcurementCommitments(ctx context.Context, ocid string) ([]ProcurementCommitment, error) {
	return perProcess(ctx, s, `SELECT ocid, commitment_id, amount_cents, amount_currency, budget_line, year, ada, coalesce(committed_at, '')
		FROM procurement_commitments WHERE ocid = ? ORDER BY commitment_id`,
		ocid, func(sc scanner) (ProcurementCommitment, error) {
			var c ProcurementCommitment
			var at string
			err := sc.Scan(&c.OCID, &c.CommitmentID, &c.Amount.Cents, &c.Amount.Currency, &c.BudgetLine, &c.Year, &c.ADA, &at)
			c.CommittedAt = parseTime(at)
			return c, err
		})
}

// ProcurementEvaluations returns the evaluations of a process.
func (s *Snapshot) ProcurementEvaluations(ctx context.Context, ocid string) ([]ProcurementEvaluation, error) {
	return perProcess(ctx, s, `SELECT ocid, evaluation_id, lot_id, phase, ranking, rejected, status, coalesce(evaluated_at, '')
		FROM procurement_evaluations WHERE ocid = ? ORDER BY evaluation_id`,
		ocid, func(sc scanner) (ProcurementEvaluation, error) {
			var e ProcurementEvaluation
			var ranking, rejected, at string
			err := sc.Scan(&e.OCID, &e.EvaluationID, &e.LotID, &e.Phase, &ranking, &rejected, &e.Status, &at)
			e.Ranking, e.Rejected, e.EvaluatedAt = strings.Fields(ranking), strings.Fields(rejected), parseTime(at)
			return e, err
		})
}

// ProcurementAppeals returns the appeals of a process.
func (s *Snapshot) ProcurementAppeals(ctx context.Context, ocid string) ([]ProcurementAppeal, error) {
	return perProcess(ctx, s, `SELECT ocid, appeal_id, kind, award_id, evaluation_id, grounds, status, reason, decision_id, coalesce(lodged_at, ''),
		coalesce(decided_at, '') FROM procurement_appeals WHERE ocid = ? ORDER BY appeal_id`,
		ocid, func(sc scanner) (ProcurementAppeal, error) {
			var a ProcurementAppeal
			var lodged, decided string
			err := sc.Scan(&a.OCID, &a.AppealID, &a.Kind, &a.AwardID, &a.EvaluationID, &a.Grounds, &a.Status, &a.Reason, &a.DecisionID, &lodged, &decided)
			a.LodgedAt, a.DecidedAt = parseTime(lodged), parseTime(decided)
			return a, err
		})
}

// ProcurementSteps are a process's steps under ν. 4412/2016, each list in
// the order its query above returns.
type ProcurementSteps struct {
	Lots        []ProcurementLot        `json:"lots"`
	Awards      []ProcurementAward      `json:"awards"`
	Commitments []ProcurementCommitment `json:"commitments"`
	Evaluations []ProcurementEvaluation `json:"evaluations"`
	Appeals     []ProcurementAppeal     `json:"appeals"`
	Contracts   []Contract              `json:"contracts"`
}

// procurementStepsOf returns the steps a fold holds, in the queries' order.
func procurementStepsOf(f *entityFold) ProcurementSteps {
	var s ProcurementSteps
	for _, r := range rowsOf(f, procurementLots) {
		s.Lots = append(s.Lots, r.ProcurementLot)
	}
	slices.SortFunc(s.Lots, func(a, b ProcurementLot) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, r := range rowsOf(f, procurementAwards) {
		s.Awards = append(s.Awards, r.ProcurementAward)
	}
	slices.SortFunc(s.Awards, func(a, b ProcurementAward) int { return strings.Compare(a.AwardID, b.AwardID) })
	for _, r := range rowsOf(f, procurementCommitments) {
		s.Commitments = append(s.Commitments, r.ProcurementCommitment)
	}
	slices.SortFunc(s.Commitments, func(a, b ProcurementCommitment) int { return strings.Compare(a.CommitmentID, b.CommitmentID) })
	for _, r := range rowsOf(f, procurementEvaluations) {
		e := r.ProcurementEvaluation
		e.Ranking, e.Rejected = strings.Fields(r.ranking), strings.Fields(r.rejected)
		s.Evaluations = append(s.Evaluations, e)
	}
	slices.SortFunc(s.Evaluations, func(a, b ProcurementEvaluation) int { return strings.Compare(a.EvaluationID, b.EvaluationID) })
	for _, r := range rowsOf(f, procurementAppeals) {
		s.Appeals = append(s.Appeals, r.ProcurementAppeal)
	}
	slices.SortFunc(s.Appeals, func(a, b ProcurementAppeal) int { return strings.Compare(a.AppealID, b.AppealID) })
	s.Lots, s.Awards, s.Commitments = nonNil(s.Lots), nonNil(s.Awards), nonNil(s.Commitments)
	s.Evaluations, s.Appeals = nonNil(s.Evaluations), nonNil(s.Appeals)
	s.Contracts = contractsOf(f)
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// perProcess runs a query of one process's rows.
func perProcess[T any](ctx context.Context, s *Snapshot, query, ocid string, scan func(scanner) (T, error)) ([]T, error) {
	out, err := queryRows(ctx, s.q, query, []any{ocid}, scan)
	if out == nil && err == nil {
		out = []T{}
	}
	return out, err
}
