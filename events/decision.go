package events

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A decision is what a body (or, by a recorded exception, an office such
// as the mayor) decided: numbered N/YYYY per body and year, published on
// the national register (Diavgeia, which assigns the ADA), corrected in
// versions that all stay on the record, revoked or annulled with reasons.

// DecisionStatus is where a decision is in its life.
type DecisionStatus string

const (
	DecisionNotAdopted DecisionStatus = ""
	DecisionIsAdopted  DecisionStatus = "adopted"
	DecisionIsRevoked  DecisionStatus = "revoked"
	DecisionIsAnnulled DecisionStatus = "annulled"
)

// ExceptionMayorDecision is the exception of a decision taken by the mayor
// under a legal basis, without a vote of the body.
const ExceptionMayorDecision = "mayor_decision"

// ExceptionDeputyMayorDecision is the exception of a decision taken by a
// deputy mayor under powers the mayor delegated; Office names which deputy
// mayor's office, each numbering its decisions in its own register.
const ExceptionDeputyMayorDecision = "deputy_mayor_decision"

// DecisionException records why a decision has no vote behind it: the
// office that decided and the legal basis of its power.
type DecisionException struct {
	Kind       string `json:"kind"`
	LegalBasis string `json:"legal_basis"`
	// Office is the deciding office of a deputy mayor (such as
	// "antidimarchos-oikonomikon"); empty for the mayor.
	Office string `json:"office,omitempty"`
}

// register returns the exception's register key: its kind, and the
// office for a deputy mayor.
func (e DecisionException) register() string {
	if e.Office != "" {
		return e.Kind + claimKeySeparator + e.Office
	}
	return e.Kind
}

// DecisionAdopted records a decision. Schema 2 split schema 1's "number"
// string ("123/2026") into Number and Year, so numbers sort and can be
// checked against the body's counter.
type DecisionAdopted struct {
	DecisionID string             `json:"decision_id"`
	BodyID     string             `json:"body_id"`
	Number     int64              `json:"number"`
	Year       int                `json:"year"`
	MeetingID  string             `json:"meeting_id,omitempty"`
	ItemID     string             `json:"item_id,omitempty"`
	VoteID     string             `json:"vote_id,omitempty"`
	Exception  *DecisionException `json:"exception,omitempty"`
	Title      string             `json:"title"`
	Text       string             `json:"text"`
	LegalBasis string             `json:"legal_basis"`
	Documents  []DocumentRef      `json:"documents"`
}

// Ref returns the public number, "123/2026".
func (e DecisionAdopted) Ref() string { return fmt.Sprintf("%d/%d", e.Number, e.Year) }

// DecisionPublished records a version of a decision published on the
// national register, under the register's id (such as a Diavgeia ADA) and
// the SHA-256 of the published document.
type DecisionPublished struct {
	Register       string `json:"register"`
	RegisterID     string `json:"register_id"`
	Version        int    `json:"version"`
	DocumentSHA256 string `json:"document_sha256"`
}

// DecisionReissued records the register issuing the decision again as an
// ορθή επανάληψη under a new register id: Pnyx keeps the link from the
// previous id to the new one, which is the decision's id from then on.
type DecisionReissued struct {
	Register           string `json:"register"`
	RegisterID         string `json:"register_id"`
	PreviousRegisterID string `json:"previous_register_id"`
	Version            int    `json:"version"`
	DocumentSHA256     string `json:"document_sha256"`
	Reason             string `json:"reason"`
}

// DecisionCorrected records a new version of a decision, with the reason;
// earlier versions stay on the record and the register id is kept.
type DecisionCorrected struct {
	Version   int           `json:"version"`
	Reason    string        `json:"reason"`
	Title     string        `json:"title"`
	Text      string        `json:"text"`
	Documents []DocumentRef `json:"documents"`
}

// DecisionRevoked records a decision revoked by the body, with the reason
// and the revoking decision if any.
type DecisionRevoked struct {
	Reason             string `json:"reason"`
	RevokingDecisionID string `json:"revoking_decision_id,omitempty"`
}

// DecisionAnnulled records a decision annulled by an authority (a court,
// the decentralised administration's legality review).
type DecisionAnnulled struct {
	Reason    string `json:"reason"`
	Authority string `json:"authority"`
}

func (DecisionAdopted) EventType() string   { return "decision.adopted" }
func (DecisionPublished) EventType() string { return "decision.published" }
func (DecisionCorrected) EventType() string { return "decision.corrected" }
func (DecisionReissued) EventType() string  { return "decision.reissued" }
func (DecisionRevoked) EventType() string   { return "decision.revoked" }
func (DecisionAnnulled) EventType() string  { return "decision.annulled" }

func init() {
	Register[DecisionAdopted]("decision", 2, "A body adopted a numbered decision after a passed vote, or an office decided under a recorded exception.")
	RegisterUpcaster("decision.adopted", 1, upcastDecisionAdoptedV1)
	Register[DecisionPublished]("decision", 1, "A version of a decision was published on the national register (such as Diavgeia, with its ADA).")
	Register[DecisionCorrected]("decision", 1, "A decision was corrected into a new version, with the reason; earlier versions are kept.")
	Register[DecisionReissued]("decision", 1, "The register issued a decision again (ορθή επανάληψη) under a new register id, linked to the previous one.")
	Register[DecisionRevoked]("decision", 1, "A decision was revoked, with the reason and the revoking decision.")
	Register[DecisionAnnulled]("decision", 1, "A decision was annulled by an authority, with the reason.")
	RegisterDecider(DecisionDecider)
}

// upcastDecisionAdoptedV1 splits schema 1's "number": "123/2026" into
// schema 2's number 123 and year 2026.
func upcastDecisionAdoptedV1(data json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, Invalidf("decision.adopted v1: %v", err)
	}
	var ref string
	if err := json.Unmarshal(m["number"], &ref); err != nil {
		return nil, Invalidf("decision.adopted v1: number must be a string like 123/2026")
	}
	n, y, ok := strings.Cut(ref, "/")
	num, err1 := strconv.ParseInt(n, 10, 64)
	year, err2 := strconv.Atoi(y)
	if !ok || err1 != nil || err2 != nil || num <= 0 || year < 1900 || year > 9999 {
		return nil, Invalidf("decision.adopted v1: number %q is not like 123/2026", ref)
	}
	m["number"] = json.RawMessage(strconv.FormatInt(num, 10))
	m["year"] = json.RawMessage(strconv.Itoa(year))
	return json.Marshal(m)
}

// AdoptDecision records a decision. The command service gives it its
// Number through WithNumber; Decide refuses it without one. Year zero
// means the UTC year of At.
type AdoptDecision struct {
	DecisionID string
	BodyID     string
	Number     int64
	Year       int
	MeetingID  string
	ItemID     string
	VoteID     string
	Exception  *DecisionException
	Title      string
	Text       string
	LegalBasis string
	Documents  []DocumentRef
	At         time.Time
}

// RegisterDiavgeia is the Greek national register of administrative acts.
const RegisterDiavgeia = "diavgeia"

// PublishDecision records the current version's publication on a register;
// Register empty means "diavgeia".
type PublishDecision struct {
	DecisionID     string
	Register       string
	RegisterID     string
	DocumentSHA256 string
	At             time.Time
}

// CorrectDecision gives a decision a new version: its full title, text and
// documents, and the reason.
type CorrectDecision struct {
	DecisionID string
	Reason     string
	Title      string
	Text       string
	Documents  []DocumentRef
	At         time.Time
}

// ReissueDecision records an ορθή επανάληψη of a published decision under
// a new register id (a new ADA on Diavgeia), with the reason.
type ReissueDecision struct {
	DecisionID     string
	RegisterID     string
	DocumentSHA256 string
	Reason         string
	At             time.Time
}

// RevokeDecision revokes a decision, by RevokingDecisionID if any.
type RevokeDecision struct {
	DecisionID         string
	Reason             string
	RevokingDecisionID string
	At                 time.Time
}

// AnnulDecision records an authority annulling a decision.
type AnnulDecision struct {
	DecisionID string
	Reason     string
	Authority  string
	At         time.Time
}

func decisionStream(id string) string { return StreamName("decision", id) }

func (c AdoptDecision) Stream() string   { return decisionStream(c.DecisionID) }
func (c PublishDecision) Stream() string { return decisionStream(c.DecisionID) }
func (c CorrectDecision) Stream() string { return decisionStream(c.DecisionID) }
func (c ReissueDecision) Stream() string { return decisionStream(c.DecisionID) }
func (c RevokeDecision) Stream() string  { return decisionStream(c.DecisionID) }
func (c AnnulDecision) Stream() string   { return decisionStream(c.DecisionID) }

func (c AdoptDecision) OccurredAt() time.Time   { return c.At }
func (c PublishDecision) OccurredAt() time.Time { return c.At }
func (c CorrectDecision) OccurredAt() time.Time { return c.At }
func (c ReissueDecision) OccurredAt() time.Time { return c.At }
func (c RevokeDecision) OccurredAt() time.Time  { return c.At }
func (c AnnulDecision) OccurredAt() time.Time   { return c.At }

// Needs of AdoptDecision: the body, and the vote that passed it with the
// vote's claim (one decision per passed vote) if any.
func (c AdoptDecision) Needs() []string {
	if c.VoteID != "" {
		return []string{StreamName("body", c.BodyID), voteStream(c.VoteID), voteDecisionClaim(c.VoteID)}
	}
	return []string{StreamName("body", c.BodyID)}
}

// Follows the vote: a decision is adopted at or after its vote closed.
func (c AdoptDecision) Follows() []string {
	if c.VoteID != "" {
		return []string{voteStream(c.VoteID)}
	}
	return nil
}

// voteDecisionClaim is the claim a decision takes on the vote that passed
// it: a vote decides one question once.
func voteDecisionClaim(voteID string) string { return ClaimStream("decisionvote", voteID) }

// registerIDClaim is the claim a decision takes on its register id: one
// register id, one decision.
func registerIDClaim(register, id string) string { return ClaimStream("registerid", register, id) }

// Needs of PublishDecision: the claim on the register id.
func (c PublishDecision) Needs() []string {
	return []string{registerIDClaim(c.register(), c.RegisterID)}
}

// Needs of ReissueDecision: the claim on the new register id, on the
// register of the decision's publication (Diavgeia for a decision not
// yet published: the rules refuse it).
func (c ReissueDecision) NeedsGiven(state any) []string {
	reg := RegisterDiavgeia
	if d, ok := state.(DecisionState); ok && d.Register != "" {
		reg = d.Register
	}
	return []string{registerIDClaim(reg, c.RegisterID)}
}

func (c PublishDecision) register() string {
	if c.Register == "" {
		return RegisterDiavgeia
	}
	return c.Register
}

// Needs of RevokeDecision: the revoking decision, if any.
func (c RevokeDecision) Needs() []string {
	if c.RevokingDecisionID == "" {
		return nil
	}
	return []string{decisionStream(c.RevokingDecisionID)}
}

// year is the year the decision is numbered in: Year, or the UTC year of At.
func (c AdoptDecision) year() int {
	if c.Year != 0 {
		return c.Year
	}
	return c.At.UTC().Year()
}

// CounterStream is the register the decision is numbered in, per year:
// the body's, "decisionnumber-<body>-<year>", or for a decision taken by
// an office under an exception the office's own,
// "decisionnumber-<body>~<exception kind>-<year>" (the mayor's decisions
// are numbered apart from the council's), and for a deputy mayor
// "decisionnumber-<body>~deputy_mayor_decision~<office>-<year>". A
// committee is a body of its own and numbers in its own register.
func (c AdoptDecision) CounterStream() string {
	if c.Exception != nil {
		return fmt.Sprintf("decisionnumber-%s%s%s-%d", c.BodyID, claimKeySeparator, c.Exception.register(), c.year())
	}
	return fmt.Sprintf("decisionnumber-%s-%d", c.BodyID, c.year())
}

// WithNumber returns the command with its decision number.
func (c AdoptDecision) WithNumber(n int64) Command {
	c.Number = n
	return c
}

var _ Sequenced = AdoptDecision{}

// DecisionVersion is one version of a decision's content; version 1 is the
// adopted text.
type DecisionVersion struct {
	Version   int
	Reason    string // why it was corrected; empty for version 1
	Title     string
	Text      string
	Documents []DocumentRef
}

// DecisionState is a decision folded from its stream. Versions holds every
// version, oldest first.
type DecisionState struct {
	ID         string
	BodyID     string
	Number     int64
	Year       int
	MeetingID  string
	ItemID     string
	VoteID     string
	Exception  *DecisionException
	LegalBasis string
	Status     DecisionStatus
	Versions   []DecisionVersion
	// Register and RegisterID are set by the first publication and kept
	// by every correction.
	Register          string
	RegisterID        string
	PublishedVersions []int
	// PreviousRegisterIDs are the ids the register replaced by reissuing
	// the decision (ορθή επανάληψη), oldest first.
	PreviousRegisterIDs []string
	StatusReason        string
	RevokedBy           string
	AnnulledBy          string
}

// Exists reports whether the decision was adopted.
func (s DecisionState) Exists() bool { return s.Status != DecisionNotAdopted }

// Ref returns the public number, "123/2026".
func (s DecisionState) Ref() string { return fmt.Sprintf("%d/%d", s.Number, s.Year) }

// Current returns the latest version.
func (s DecisionState) Current() DecisionVersion {
	if len(s.Versions) == 0 {
		return DecisionVersion{}
	}
	return s.Versions[len(s.Versions)-1]
}

func evolveDecision(s DecisionState, p Payload) DecisionState {
	switch e := p.(type) {
	case DecisionAdopted:
		var exc *DecisionException
		if e.Exception != nil {
			x := *e.Exception
			exc = &x
		}
		s = DecisionState{ID: e.DecisionID, BodyID: e.BodyID, Number: e.Number, Year: e.Year, MeetingID: e.MeetingID,
			ItemID: e.ItemID, VoteID: e.VoteID, Exception: exc, LegalBasis: e.LegalBasis, Status: DecisionIsAdopted,
			Versions: []DecisionVersion{{Version: 1, Title: e.Title, Text: e.Text, Documents: slices.Clone(e.Documents)}}}
	case DecisionPublished:
		s.Register, s.RegisterID = e.Register, e.RegisterID
		s.PublishedVersions = append(slices.Clip(s.PublishedVersions), e.Version)
	case DecisionReissued:
		s.PreviousRegisterIDs = append(slices.Clip(s.PreviousRegisterIDs), e.PreviousRegisterID)
		s.Register, s.RegisterID = e.Register, e.RegisterID
		if !slices.Contains(s.PublishedVersions, e.Version) {
			s.PublishedVersions = append(slices.Clip(s.PublishedVersions), e.Version)
		}
	case DecisionCorrected:
		s.Versions = append(slices.Clip(s.Versions), DecisionVersion{Version: e.Version, Reason: e.Reason,
			Title: e.Title, Text: e.Text, Documents: slices.Clone(e.Documents)})
	case DecisionRevoked:
		s.Status, s.StatusReason, s.RevokedBy = DecisionIsRevoked, e.Reason, e.RevokingDecisionID
	case DecisionAnnulled:
		s.Status, s.StatusReason, s.AnnulledBy = DecisionIsAnnulled, e.Reason, e.Authority
	}
	return s
}
