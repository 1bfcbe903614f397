package events

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Procurement under the Greek law of public contracts, ν. 4412/2016: the
// procedure types of the law and the OCDS method each maps to; the
// thresholds that decide which procedure a value allows and how far a
// contract may be modified without a new procedure, as settings of the
// buying body with their legal basis; amounts net and with VAT; the budget
// commitment (ανάληψη υποχρέωσης) an award needs; lots with their own
// awards; the evaluation committee's recorded decisions; appeals that
// suspend an award; and the ids of the national register of public
// contracts (ΚΗΜΔΗΣ ΑΔΑΜ).
//
// A process planned with a Procedure is "under the law": the plan records
// the thresholds of its category as the buyer's settings stood (the law
// in force when the procedure started governs it), and the rules below
// read them from the process's own stream. A process planned without one
// (recorded before these rules, or by an importer that does not know the
// procedure) keeps the general rules.

// ProcedureType is a procedure of ν. 4412/2016.
type ProcedureType string

const (
	ProcedureOpen                  ProcedureType = "open"                      // ανοικτή διαδικασία, art. 27
	ProcedureRestricted            ProcedureType = "restricted"                // κλειστή διαδικασία, art. 28
	ProcedureCompetitiveNegotiated ProcedureType = "competitive_negotiation"   // ανταγωνιστική διαδικασία με διαπραγμάτευση, art. 29
	ProcedureCompetitiveDialogue   ProcedureType = "competitive_dialogue"      // ανταγωνιστικός διάλογος, art. 30
	ProcedureInnovationPartnership ProcedureType = "innovation_partnership"    // σύμπραξη καινοτομίας, art. 31
	ProcedureNegotiatedNoNotice    ProcedureType = "negotiated_without_notice" // διαπραγμάτευση χωρίς προηγούμενη δημοσίευση, art. 32
	ProcedureSimplifiedTender      ProcedureType = "simplified_tender"         // συνοπτικός διαγωνισμός, art. 117
	ProcedureDirectAward           ProcedureType = "direct_award"              // απευθείας ανάθεση, art. 118
)

// procedures maps each procedure to its OCDS method and its name and
// article in the law.
var procedures = map[ProcedureType]struct {
	method ProcurementMethod
	greek  string
}{
	ProcedureOpen:                  {ProcurementOpen, "Ανοικτή διαδικασία (άρθρο 27 ν. 4412/2016)"},
	ProcedureRestricted:            {ProcurementSelective, "Κλειστή διαδικασία (άρθρο 28 ν. 4412/2016)"},
	ProcedureCompetitiveNegotiated: {ProcurementSelective, "Ανταγωνιστική διαδικασία με διαπραγμάτευση (άρθρο 29 ν. 4412/2016)"},
	ProcedureCompetitiveDialogue:   {ProcurementSelective, "Ανταγωνιστικός διάλογος (άρθρο 30 ν. 4412/2016)"},
	ProcedureInnovationPartnership: {ProcurementSelective, "Σύμπραξη καινοτομίας (άρθρο 31 ν. 4412/2016)"},
	ProcedureNegotiatedNoNotice:    {ProcurementLimited, "Διαδικασία με διαπραγμάτευση χωρίς προηγούμενη δημοσίευση (άρθρο 32 ν. 4412/2016)"},
	ProcedureSimplifiedTender:      {ProcurementOpen, "Συνοπτικός διαγωνισμός (άρθρο 117 ν. 4412/2016)"},
	ProcedureDirectAward:           {ProcurementDirect, "Απευθείας ανάθεση (άρθρο 118 ν. 4412/2016)"},
}

// Procedures lists the procedure types in a stable order.
func Procedures() []ProcedureType { return slices.Sorted(maps.Keys(procedures)) }

func (p ProcedureType) valid() bool { _, ok := procedures[p]; return ok }

// Method returns the OCDS procurement method of the procedure.
func (p ProcedureType) Method() ProcurementMethod { return procedures[p].method }

// Details returns the procedure's name and article in the law, in Greek,
// as OCDS procurementMethodDetails.
func (p ProcedureType) Details() string { return procedures[p].greek }

// ContractCategory is what a contract is for; thresholds differ by it.
type ContractCategory string

const (
	CategorySupplies ContractCategory = "supplies" // προμήθειες (OCDS goods)
	CategoryServices ContractCategory = "services" // υπηρεσίες
	CategoryWorks    ContractCategory = "works"    // έργα
)

func (c ContractCategory) valid() bool {
	return c == CategorySupplies || c == CategoryServices || c == CategoryWorks
}

// OCDS returns the category as OCDS mainProcurementCategory.
func (c ContractCategory) OCDS() string {
	if c == CategorySupplies {
		return "goods"
	}
	return string(c)
}

// LegalLimit is an amount net of VAT and the provision that sets it.
type LegalLimit struct {
	Net        Money  `json:"net"`
	LegalBasis string `json:"legal_basis"`
}

// ModificationLimit is the share of a contract's original value by which
// its modifications together may raise it without a new procedure.
type ModificationLimit struct {
	Percent    int    `json:"percent"`
	LegalBasis string `json:"legal_basis"`
}

// CategoryThresholds are the thresholds of one contract category.
type CategoryThresholds struct {
	// DirectAward is the highest value a direct award may have.
	DirectAward LegalLimit `json:"direct_award"`
	// SimplifiedTender is the highest value of a simplified tender.
	SimplifiedTender LegalLimit `json:"simplified_tender"`
	// EU is the threshold from which a contract is above the EU
	// thresholds: only the procedures of Book I (arts. 26-32) apply.
	EU LegalLimit `json:"eu"`
	// Modification bounds the modifications of a contract.
	Modification ModificationLimit `json:"modification"`
}

// ProcurementSettings are a buying body's thresholds by category.
type ProcurementSettings struct {
	Thresholds map[ContractCategory]CategoryThresholds `json:"thresholds"`
}

// DefaultProcurementSettings returns the thresholds of ν. 4412/2016 as
// amended by ν. 4782/2021, and the EU thresholds for sub-central
// contracting authorities of Commission Delegated Regulation (EU)
// 2023/2495. The law changes: a body sets its own when it does.
func DefaultProcurementSettings() ProcurementSettings {
	direct := LegalLimit{EUR(30_000_00), "άρθρο 118 παρ. 1 ν. 4412/2016 (ν. 4782/2021)"}
	simplified := LegalLimit{EUR(60_000_00), "άρθρο 117 παρ. 1 ν. 4412/2016"}
	euServices := LegalLimit{EUR(221_000_00), "άρθρο 5 ν. 4412/2016, Κανονισμός (ΕΕ) 2023/2495"}
	euWorks := LegalLimit{EUR(5_538_000_00), "άρθρο 5 ν. 4412/2016, Κανονισμός (ΕΕ) 2023/2495"}
	mod10 := ModificationLimit{10, "άρθρο 132 παρ. 2 ν. 4412/2016"}
	mod15 := ModificationLimit{15, "άρθρο 132 παρ. 2 ν. 4412/2016"}
	return ProcurementSettings{Thresholds: map[ContractCategory]CategoryThresholds{
		CategorySupplies: {DirectAward: direct, SimplifiedTender: simplified, EU: euServices, Modification: mod10},
		CategoryServices: {DirectAward: direct, SimplifiedTender: simplified, EU: euServices, Modification: mod10},
		CategoryWorks:    {DirectAward: direct, SimplifiedTender: LegalLimit{EUR(60_000_00), "άρθρο 117 παρ. 1 ν. 4412/2016"}, EU: euWorks, Modification: mod15},
	}}
}

// Validate checks every threshold: a legal basis, amounts in euro rising
// from direct award to the EU threshold, a modification share of 1 to 50
// percent (art. 132 §1 bounds each modification at half the value).
func (s ProcurementSettings) Validate() error {
	for _, c := range slices.Sorted(maps.Keys(s.Thresholds)) {
		t := s.Thresholds[c]
		if !c.valid() {
			return Invalidf("procurement thresholds for %q: want supplies, services or works", c)
		}
		for what, l := range map[string]LegalLimit{"direct award": t.DirectAward, "simplified tender": t.SimplifiedTender, "EU": t.EU} {
			if err := l.Net.Validate(); err != nil || l.Net.Cents == 0 {
				return Invalidf("%s %s threshold: want a positive amount", c, what)
			}
			if err := ValidateText(fmt.Sprintf("%s %s threshold's legal basis", c, what), l.LegalBasis, MaxTitleRunes); err != nil {
				return err
			}
		}
		if t.DirectAward.Net.Currency != t.SimplifiedTender.Net.Currency || t.DirectAward.Net.Currency != t.EU.Net.Currency ||
			t.DirectAward.Net.Cents > t.SimplifiedTender.Net.Cents || t.SimplifiedTender.Net.Cents > t.EU.Net.Cents {
			return Invalidf("%s thresholds: want direct award ≤ simplified tender ≤ EU threshold, in one currency", c)
		}
		if t.Modification.Percent < 1 || t.Modification.Percent > 50 {
			return Invalidf("%s modification limit %d%%: want 1 to 50", c, t.Modification.Percent)
		}
		if err := ValidateText(string(c)+" modification limit's legal basis", t.Modification.LegalBasis, MaxTitleRunes); err != nil {
			return err
		}
	}
	return nil
}

// For returns the thresholds of category c, the defaults' when the
// settings have none for it.
func (s ProcurementSettings) For(c ContractCategory) CategoryThresholds {
	if t, ok := s.Thresholds[c]; ok {
		return t
	}
	return DefaultProcurementSettings().Thresholds[c]
}

// ProcurementSettingsOf returns a body's procurement settings, the law's
// defaults when it set none.
func ProcurementSettingsOf(b BodySettings) ProcurementSettings {
	if b.Procurement == nil {
		return DefaultProcurementSettings()
	}
	return *b.Procurement
}

// MaxVATRate bounds a VAT rate, in basis points (2400 is 24%).
const MaxVATRate = 10_000

// WithVAT returns net plus VAT at rate basis points, rounded half up to
// the cent: the one place an amount with VAT is computed.
func WithVAT(net Money, rate int) Money {
	return Money{Cents: net.Cents + (net.Cents*int64(rate)+5_000)/10_000, Currency: net.Currency}
}

// maxNetCents keeps net × rate within int64.
const maxNetCents = (1 << 62) / MaxVATRate

// ADAMKind is the kind of act the national register of public contracts
// (ΚΗΜΔΗΣ) records, the letters in its ΑΔΑΜ.
type ADAMKind string

const (
	ADAMRequest  ADAMKind = "REQ"  // πρωτογενές αίτημα, at planning
	ADAMNotice   ADAMKind = "PROC" // προκήρυξη / διακήρυξη, at the tender
	ADAMAward    ADAMKind = "AWRD" // απόφαση ανάθεσης / κατακύρωσης
	ADAMContract ADAMKind = "SYMV" // σύμβαση
	ADAMPayment  ADAMKind = "PAY"  // εντολή πληρωμής
)

// ValidateADAM checks an ΑΔΑΜ of the national register of public
// contracts: the year's two digits, the kind's letters and nine digits,
// like 26REQ012345678 or 26SYMV012345678; it must be of kind.
func ValidateADAM(adam string, kind ADAMKind) error {
	if len(adam) < 2+3+9 || !allDigits(adam[:2]) {
		return Invalidf("ΑΔΑΜ %q: want the year's two digits, %s and nine digits, like 26%s012345678", adam, kind, kind)
	}
	rest := adam[2:]
	if !strings.HasPrefix(rest, string(kind)) || len(rest) != len(kind)+9 || !allDigits(rest[len(kind):]) {
		return Invalidf("ΑΔΑΜ %q: want the year's two digits, %s and nine digits, like 26%s012345678", adam, kind, kind)
	}
	return nil
}

func optionalADAM(adam string, kind ADAMKind) error {
	if adam == "" {
		return nil
	}
	return ValidateADAM(adam, kind)
}

// ProcurementLaw is what a process planned under the law records of its
// buyer's settings: its procedure, category, VAT rate and thresholds.
type ProcurementLaw struct {
	Procedure  ProcedureType      `json:"procedure"`
	Category   ContractCategory   `json:"category"`
	VATRate    int                `json:"vat_rate_bp"`
	Thresholds CategoryThresholds `json:"thresholds"`
}

// Lot is a part of a tender awarded on its own, with its value net of VAT.
type Lot struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Value Money  `json:"value"`
}

// ProcurementCommitmentRecorded records a budget commitment (ανάληψη
// υποχρέωσης, ν. 4270/2014 art. 66, π.δ. 80/2016): an amount with VAT
// reserved on a line of the budget, with the act's register number.
type ProcurementCommitmentRecorded struct {
	CommitmentID string `json:"commitment_id"`
	Amount       Money  `json:"amount"`
	BudgetLine   string `json:"budget_line"`
	Year         int    `json:"year"`
	ADA          string `json:"ada,omitempty"`
}

// BidRejection is a bid the evaluation committee proposes to reject, with
// the public reason.
type BidRejection struct {
	BidID  string `json:"bid_id"`
	Reason string `json:"reason"`
}

// EvaluationPhase is the stage of the bids a committee's minutes judge.
type EvaluationPhase string

const (
	EvaluationQualification EvaluationPhase = "qualification" // δικαιολογητικά συμμετοχής
	EvaluationTechnical     EvaluationPhase = "technical"     // τεχνικές προσφορές
	EvaluationFinancial     EvaluationPhase = "financial"     // οικονομικές προσφορές
)

func (p EvaluationPhase) valid() bool {
	return p == EvaluationQualification || p == EvaluationTechnical || p == EvaluationFinancial
}

// ProcurementEvaluationRecorded records the evaluation committee's
// minutes (πρακτικό) for the process or one lot: the bids it ranks, best
// first, and those it rejects with reasons; a rejected bid is disqualified.
type ProcurementEvaluationRecorded struct {
	EvaluationID string          `json:"evaluation_id"`
	LotID        string          `json:"lot_id,omitempty"`
	Phase        EvaluationPhase `json:"phase"`
	Ranking      []string        `json:"ranking"`
	Rejected     []BidRejection  `json:"rejected"`
	Documents    []DocumentRef   `json:"documents,omitempty"`
}

// AppealKind is how a bidder contests a step.
type AppealKind string

const (
	// AppealObjection is an ένσταση to the contracting authority, below the
	// EU thresholds (ν. 4412/2016 art. 127).
	AppealObjection AppealKind = "objection"
	// AppealRecourse is a προσφυγή to the Authority for the Examination of
	// Preliminary Recourses, ΑΕΠΠ (ν. 4412/2016 arts. 360-364).
	AppealRecourse AppealKind = "recourse"
)

// AppealOutcome is how an appeal ended.
type AppealOutcome string

const (
	AppealUpheld    AppealOutcome = "upheld"
	AppealDismissed AppealOutcome = "dismissed"
	AppealWithdrawn AppealOutcome = "withdrawn"
)

// ProcurementAppealLodged records an appeal against an award or an
// evaluation; while it is pending it suspends the award (art. 364: no
// contract is concluded) and, against an evaluation, the award of its lot.
type ProcurementAppealLodged struct {
	AppealID     string     `json:"appeal_id"`
	Kind         AppealKind `json:"kind"`
	AwardID      string     `json:"award_id,omitempty"`
	EvaluationID string     `json:"evaluation_id,omitempty"`
	Grounds      string     `json:"grounds"`
}

// ProcurementAppealDecided records how an appeal ended; an appeal upheld
// against an award annuls it, and its lot may be awarded again.
type ProcurementAppealDecided struct {
	AppealID   string        `json:"appeal_id"`
	Outcome    AppealOutcome `json:"outcome"`
	Reason     string        `json:"reason"`
	DecisionID string        `json:"decision_id,omitempty"`
	// Annulled is the value of the award an upheld appeal annulled.
	Annulled *Money `json:"annulled,omitempty"`
}

func (ProcurementCommitmentRecorded) EventType() string { return "procurement.commitment_recorded" }
func (ProcurementEvaluationRecorded) EventType() string { return "procurement.evaluation_recorded" }
func (ProcurementAppealLodged) EventType() string       { return "procurement.appeal_lodged" }
func (ProcurementAppealDecided) EventType() string      { return "procurement.appeal_decided" }

func init() {
	Register[ProcurementCommitmentRecorded]("procurement", 1, "A budget commitment (ανάληψη υποχρέωσης) reserved an amount with VAT on a budget line for the process.")
	Register[ProcurementEvaluationRecorded]("procurement", 1, "The evaluation committee's minutes ranked bids of the process or a lot and rejected others with reasons.")
	Register[ProcurementAppealLodged]("procurement", 1, "A bidder appealed against an award or an evaluation (ένσταση or προσφυγή), suspending the award.")
	Register[ProcurementAppealDecided]("procurement", 1, "An appeal was upheld (annulling the award it contested), dismissed or withdrawn.")
}

// RecordCommitment records a budget commitment for a process.
type RecordCommitment struct {
	OCID         string
	CommitmentID string
	Amount       Money // with VAT
	BudgetLine   string
	Year         int
	ADA          string // the commitment act's Diavgeia ΑΔΑ, when published
	At           time.Time
}

// RecordEvaluation records the evaluation committee's minutes.
type RecordEvaluation struct {
	OCID         string
	EvaluationID string
	LotID        string
	Phase        EvaluationPhase
	Ranking      []string
	Rejected     []BidRejection
	Documents    []DocumentRef
	At           time.Time
}

// LodgeAppeal records an appeal against an award or an evaluation: one of
// AwardID and EvaluationID.
type LodgeAppeal struct {
	OCID         string
	AppealID     string
	Kind         AppealKind
	AwardID      string
	EvaluationID string
	Grounds      string
	At           time.Time
}

// DecideAppeal records how a pending appeal ended, by decision DecisionID
// when the contracting authority decided it.
type DecideAppeal struct {
	OCID       string
	AppealID   string
	Outcome    AppealOutcome
	Reason     string
	DecisionID string
	At         time.Time
}

func (c RecordCommitment) Stream() string        { return ProcurementStream(c.OCID) }
func (c RecordEvaluation) Stream() string        { return ProcurementStream(c.OCID) }
func (c LodgeAppeal) Stream() string             { return ProcurementStream(c.OCID) }
func (c DecideAppeal) Stream() string            { return ProcurementStream(c.OCID) }
func (c RecordCommitment) OccurredAt() time.Time { return c.At }
func (c RecordEvaluation) OccurredAt() time.Time { return c.At }
func (c LodgeAppeal) OccurredAt() time.Time      { return c.At }
func (c DecideAppeal) OccurredAt() time.Time     { return c.At }

// Needs names the deciding decision, when there is one.
func (c DecideAppeal) Needs() []string {
	if c.DecisionID == "" {
		return nil
	}
	return []string{decisionStream(c.DecisionID)}
}

// AwardStatus is an award's standing.
type AwardStatus string

const (
	AwardActive    AwardStatus = "active"
	AwardAnnulled  AwardStatus = "annulled"
	AwardSuspended AwardStatus = "suspended" // derived: an appeal is pending against it
)

// ProcurementAward is an award as recorded.
type ProcurementAward struct {
	LotID    string
	Supplier string
	Value    Money // net
	WithVAT  Money
	Status   AwardStatus
}

// ProcurementAppeal is an appeal as recorded.
type ProcurementAppeal struct {
	AwardID, EvaluationID string
	Pending               bool
	Outcome               AppealOutcome
}

// ProcurementEvaluation is an evaluation as recorded.
type ProcurementEvaluation struct {
	LotID    string
	Ranking  []string
	SetAside bool // an appeal against it was upheld
}

// evolveProcurementLaw folds the events of this file.
func evolveProcurementLaw(s ProcurementState, p Payload) ProcurementState {
	switch e := p.(type) {
	case ProcurementCommitmentRecorded:
		s.Commitments = cloneOrMake(s.Commitments)
		s.Commitments[e.CommitmentID] = e.Amount
		s.Committed = Money{Cents: s.Committed.Cents + e.Amount.Cents, Currency: e.Amount.Currency}
	case ProcurementEvaluationRecorded:
		s.Evaluations = cloneOrMake(s.Evaluations)
		s.Evaluations[e.EvaluationID] = ProcurementEvaluation{LotID: e.LotID, Ranking: slices.Clone(e.Ranking)}
		if len(e.Rejected) > 0 {
			s.Bids = cloneOrMake(s.Bids)
			for _, r := range e.Rejected {
				if b, ok := s.Bids[r.BidID]; ok {
					b.Status = BidDisqualified
					s.Bids[r.BidID] = b
				}
			}
		}
	case ProcurementAppealLodged:
		s.Appeals = cloneOrMake(s.Appeals)
		s.Appeals[e.AppealID] = ProcurementAppeal{AwardID: e.AwardID, EvaluationID: e.EvaluationID, Pending: true}
	case ProcurementAppealDecided:
		a, ok := s.Appeals[e.AppealID]
		if !ok {
			break
		}
		s.Appeals = maps.Clone(s.Appeals)
		a.Pending, a.Outcome = false, e.Outcome
		s.Appeals[e.AppealID] = a
		if ev, ok := s.Evaluations[a.EvaluationID]; ok && e.Outcome == AppealUpheld {
			s.Evaluations = maps.Clone(s.Evaluations)
			ev.SetAside = true
			s.Evaluations[a.EvaluationID] = ev
		}
		if aw, ok := s.Awards[a.AwardID]; ok && e.Outcome == AppealUpheld && aw.Status == AwardActive {
			s.Awards = maps.Clone(s.Awards)
			aw.Status = AwardAnnulled
			s.Awards[a.AwardID] = aw
			s.Awarded.Cents -= aw.Value.Cents
			if s.Stage == ProcurementStageAwarded {
				s.Stage = ProcurementStageTender
			}
		}
	}
	return s
}
