package events

import (
	"encoding/hex"
	"slices"
	"strings"
)

// DecisionDecider holds the rules of decisions.
var DecisionDecider = Decider[DecisionState]{
	Kind:    "decision",
	Initial: func() DecisionState { return DecisionState{} },
	Evolve:  evolveDecision,
	Decide:  decideDecision,
}

func decideDecision(s DecisionState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(AdoptDecision); ok {
		return decideAdoptDecision(s, c, f)
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	switch c := c.(type) {
	case PublishDecision:
		reg := c.register()
		if err := ValidateID("register", reg); err != nil {
			return nil, err
		}
		if err := validateRegisterID(reg, c.RegisterID); err != nil {
			return nil, err
		}
		if !validSHA256(c.DocumentSHA256) {
			return nil, Invalidf("document sha256 must be 64 hex digits")
		}
		if err := s.inForce("publish"); err != nil {
			return nil, err
		}
		if s.RegisterID != "" && (s.RegisterID != c.RegisterID || s.Register != reg) {
			return nil, Errorf(CodeConflict, "decision %s is published as %s %s; corrections keep it", s.Ref(), s.Register, s.RegisterID)
		}
		v := s.Current().Version
		if slices.Contains(s.PublishedVersions, v) {
			return nil, Errorf(CodeConflict, "version %d of decision %s is already published", v, s.Ref())
		}
		published := DecisionPublished{Register: reg, RegisterID: c.RegisterID, Version: v, DocumentSHA256: strings.ToLower(c.DocumentSHA256)}
		claim := registerIDClaim(reg, c.RegisterID)
		switch holder := claimHolder(f, claim); holder {
		case c.Stream():
			return []Payload{published}, nil
		case "":
			return []Payload{published, takeClaim(claim, c.Stream())}, nil
		default:
			return nil, Errorf(CodeConflict, "%s %s is already the register id of %s", reg, c.RegisterID, holder)
		}
	case ReissueDecision:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if !validSHA256(c.DocumentSHA256) {
			return nil, Invalidf("document sha256 must be 64 hex digits")
		}
		if s.RegisterID == "" {
			return nil, Errorf(CodeConflict, "decision %s was never published; publish it first", s.Ref())
		}
		if err := validateRegisterID(s.Register, c.RegisterID); err != nil {
			return nil, err
		}
		if err := s.inForce("reissue"); err != nil {
			return nil, err
		}
		if c.RegisterID == s.RegisterID || slices.Contains(s.PreviousRegisterIDs, c.RegisterID) {
			return nil, Errorf(CodeConflict, "decision %s has been %s %s already; a reissue takes a new id", s.Ref(), s.Register, c.RegisterID)
		}
		reissued := DecisionReissued{Register: s.Register, RegisterID: c.RegisterID, PreviousRegisterID: s.RegisterID,
			Version: s.Current().Version, DocumentSHA256: strings.ToLower(c.DocumentSHA256), Reason: c.Reason}
		claim := registerIDClaim(s.Register, c.RegisterID)
		if holder := claimHolder(f, claim); holder != "" {
			return nil, Errorf(CodeConflict, "%s %s is already the register id of %s", s.Register, c.RegisterID, holder)
		}
		return []Payload{reissued, takeClaim(claim, c.Stream())}, nil
	case CorrectDecision:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := validateDecisionContent(c.Title, c.Text, c.Documents); err != nil {
			return nil, err
		}
		if err := s.inForce("correct"); err != nil {
			return nil, err
		}
		cur := s.Current()
		if cur.Title == c.Title && cur.Text == c.Text && slices.Equal(cur.Documents, c.Documents) {
			return nil, Errorf(CodeConflict, "the correction of decision %s changes nothing", s.Ref())
		}
		return []Payload{DecisionCorrected{Version: cur.Version + 1, Reason: c.Reason, Title: c.Title, Text: c.Text, Documents: c.Documents}}, nil
	case RevokeDecision:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := s.inForce("revoke"); err != nil {
			return nil, err
		}
		if c.RevokingDecisionID != "" {
			if err := ValidateID("revoking decision id", c.RevokingDecisionID); err != nil {
				return nil, err
			}
			if c.RevokingDecisionID == s.ID {
				return nil, Invalidf("decision %s cannot revoke itself", s.Ref())
			}
			r, err := decisionFact(f, c.RevokingDecisionID)
			if _, imported := importedOf(f); imported && err != nil {
				// The revoking decision may predate the import.
			} else if err != nil {
				return nil, err
			} else if r.Status != DecisionIsAdopted {
				return nil, Errorf(CodeConflict, "revoking decision %s is %s", r.Ref(), r.Status)
			}
		}
		return []Payload{DecisionRevoked{Reason: c.Reason, RevokingDecisionID: c.RevokingDecisionID}}, nil
	case AnnulDecision:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := ValidateText("authority", c.Authority, MaxTitleRunes); err != nil {
			return nil, err
		}
		if s.Status == DecisionIsAnnulled {
			return nil, Errorf(CodeConflict, "decision %s is already annulled", s.Ref())
		}
		return []Payload{DecisionAnnulled{Reason: c.Reason, Authority: c.Authority}}, nil
	}
	return nil, Invalidf("command %T is not for decisions", c)
}

func decideAdoptDecision(s DecisionState, c AdoptDecision, f Facts) ([]Payload, error) {
	if err := ValidateID("decision id", c.DecisionID); err != nil {
		return nil, err
	}
	if err := ValidateID("body id", c.BodyID); err != nil {
		return nil, err
	}
	if c.At.IsZero() {
		return nil, Invalidf("decision %s: the time of adoption is missing", c.DecisionID)
	}
	if y := c.year(); y < 1900 || y > 9999 || y < c.At.UTC().Year()-1 || y > c.At.UTC().Year()+1 {
		return nil, Invalidf("decision %s: year %d does not fit its adoption at %d", c.DecisionID, y, c.At.UTC().Year())
	}
	if c.Number <= 0 {
		return nil, Invalidf("decision %s has no number; the command service numbers decisions", c.DecisionID)
	}
	if err := validateDecisionContent(c.Title, c.Text, c.Documents); err != nil {
		return nil, err
	}
	if err := ValidateLongText("legal basis", c.LegalBasis, MaxReasonRunes); err != nil {
		return nil, err
	}
	if (c.VoteID == "") == (c.Exception == nil) {
		return nil, Invalidf("decision %s needs either the vote that passed it or a recorded exception, not both", c.DecisionID)
	}
	_, imported := importedOf(f)
	if c.Exception != nil && c.Exception.Kind == ExceptionImported && !imported {
		return nil, Invalidf("decision %s: exception kind %s is only for records imported from another system", c.DecisionID, ExceptionImported)
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "decision %s already exists", c.DecisionID)
	}
	b, err := bodyFact(f, c.BodyID)
	if err != nil && !imported {
		return nil, err
	}
	adopted := DecisionAdopted{DecisionID: c.DecisionID, BodyID: c.BodyID, Number: c.Number, Year: c.year(),
		MeetingID: c.MeetingID, ItemID: c.ItemID, VoteID: c.VoteID, Title: c.Title, Text: c.Text,
		LegalBasis: c.LegalBasis, Documents: c.Documents}
	if c.Exception != nil {
		switch c.Exception.Kind {
		case ExceptionImported:
		case ExceptionMayorDecision:
			if c.Exception.Office != "" {
				return nil, Invalidf("decision %s: the mayor's decision names no office; a deputy mayor's does", c.DecisionID)
			}
		case ExceptionDeputyMayorDecision:
			if err := ValidateID("office of the deputy mayor", c.Exception.Office); err != nil {
				return nil, err
			}
		default:
			return nil, Invalidf("decision %s: exception kind %q: want %s or %s, the decisions recorded without a vote", c.DecisionID, c.Exception.Kind, ExceptionMayorDecision, ExceptionDeputyMayorDecision)
		}
		if c.Exception.Kind != ExceptionImported && err == nil && b.Kind != BodyCouncil {
			return nil, Invalidf("decision %s: the mayor's and deputy mayors' decisions are recorded under the council, not %s %s", c.DecisionID, b.Kind, b.ID)
		}
		if err := ValidateLongText("legal basis of the exception", c.Exception.LegalBasis, MaxReasonRunes); err != nil {
			return nil, err
		}
		for _, id := range []struct{ what, v string }{{"meeting id", c.MeetingID}, {"item id", c.ItemID}} {
			if id.v != "" {
				if err := ValidateID(id.what, id.v); err != nil {
					return nil, err
				}
			}
		}
		x := *c.Exception
		adopted.Exception = &x
		return []Payload{adopted}, nil
	}
	if err := ValidateID("vote id", c.VoteID); err != nil {
		return nil, err
	}
	v, err := voteFact(f, c.VoteID)
	if err != nil {
		return nil, err
	}
	switch {
	case v.BodyID != c.BodyID:
		return nil, Invalidf("vote %s was held by body %s, not %s", v.ID, v.BodyID, c.BodyID)
	case (c.MeetingID != "" && c.MeetingID != v.MeetingID) || (c.ItemID != "" && c.ItemID != v.ItemID):
		return nil, Invalidf("vote %s was on item %s of meeting %s", v.ID, v.ItemID, v.MeetingID)
	case v.QuestionType == QuestionUrgency || v.AmendmentID != "":
		return nil, Errorf(CodeConflict, "vote %s decided an urgency or an amendment, not an item", v.ID)
	case v.Status != VoteIsClosed:
		return nil, Errorf(CodeConflict, "vote %s is not closed", v.ID)
	case v.Result != VotePassed:
		return nil, Errorf(CodeConflict, "vote %s did not pass (%s)", v.ID, v.Result)
	case v.QuestionType == QuestionMinutes:
		return nil, Errorf(CodeConflict, "vote %s approved minutes; approve them (ApproveMinutes), it gives no decision", v.ID)
	case !b.Settings.MayDecide(v.QuestionType):
		return nil, Errorf(CodeForbidden, "body %s decides under delegated powers (%s); a question of type %s is outside them", b.ID, powersList(b.Settings.Powers), v.QuestionType)
	}
	if by := claimHolder(f, voteDecisionClaim(v.ID)); by != "" {
		return nil, Errorf(CodeConflict, "vote %s has already been decided by %s; a vote decides one question once", v.ID, by)
	}
	adopted.MeetingID, adopted.ItemID = v.MeetingID, v.ItemID
	return []Payload{adopted, takeClaim(voteDecisionClaim(v.ID), c.Stream())}, nil
}

// validateRegisterID checks a register's id of a decision: on Diavgeia an
// ADA, seven to ten and then three Greek capital letters or digits joined
// by a hyphen ("Ψ4ΩΗΩΡ1-ΑΒΓ", "ΨΩ1Α46ΜΤΛ6-ΑΒΓ"); on another register an id
// of the id alphabet.
func validateRegisterID(register, id string) error {
	if register != RegisterDiavgeia {
		return ValidateID("register id", id)
	}
	rs := []rune(id)
	dash := len(rs) - 4
	ok := dash >= 7 && dash <= 10 && rs[dash] == '-'
	for i, r := range rs {
		if i != dash && !(r >= '0' && r <= '9' || r >= 'Α' && r <= 'Ω' && r != 0x03A2) {
			ok = false
		}
	}
	if !ok {
		return Invalidf("register id %q is not a Diavgeia ADA: want seven to ten and then three Greek capitals or digits joined by a hyphen, like Ψ4ΩΗΩΡ1-ΑΒΓ or ΨΩ1Α46ΜΤΛ6-ΑΒΓ", id)
	}
	return nil
}

func powersList(qs []QuestionType) string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = string(q)
	}
	return strings.Join(out, ", ")
}

func (s DecisionState) inForce(what string) error {
	if s.Status != DecisionIsAdopted {
		return Errorf(CodeConflict, "cannot %s decision %s: it is %s", what, s.Ref(), s.Status)
	}
	return nil
}

func validateDecisionContent(title, text string, docs []DocumentRef) error {
	if err := ValidateText("decision title", title, MaxTitleRunes); err != nil {
		return err
	}
	if err := ValidateLongText("decision text", text, MaxTextRunes); err != nil {
		return err
	}
	return ValidateDocuments(docs)
}

// decisionFact returns the folded decision a command Needs, or not found.
func decisionFact(f Facts, id string) (DecisionState, error) {
	d, ok := FactOf[DecisionState](f, decisionStream(id))
	if !ok || !d.Exists() {
		return DecisionState{}, Errorf(CodeNotFound, "decision %s does not exist", id)
	}
	return d, nil
}

func validSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}
