package events

// AmendmentDecider holds the rules of amendments.
var AmendmentDecider = Decider[AmendmentState]{
	Kind:    "amendment",
	Initial: func() AmendmentState { return AmendmentState{} },
	Evolve:  evolveAmendment,
	Decide:  decideAmendment,
}

func decideAmendment(s AmendmentState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(ProposeAmendment); ok {
		return decideProposeAmendment(s, c, f)
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	if s.Status != AmendmentIsProposed {
		return nil, Errorf(CodeConflict, "amendment %s is already %s", s.ID, s.Status)
	}
	switch c := c.(type) {
	case WithdrawAmendment:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		return []Payload{AmendmentWithdrawn{Reason: c.Reason}}, nil
	case AcceptAmendment:
		if c.VoteID == "" {
			if err := ValidateLongText("note", c.Note, MaxReasonRunes); err != nil {
				return nil, Invalidf("an amendment accepted without a vote needs a note saying by whom: %v", err)
			}
			return []Payload{AmendmentAccepted{Note: c.Note}}, nil
		}
		if err := s.decidedBy(f, c.VoteID, VotePassed); err != nil {
			return nil, err
		}
		return []Payload{AmendmentAccepted{VoteID: c.VoteID, Note: c.Note}}, nil
	case RejectAmendment:
		if c.VoteID == "" {
			if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
				return nil, Invalidf("an amendment rejected without a vote needs a reason: %v", err)
			}
			return []Payload{AmendmentRejected{Reason: c.Reason}}, nil
		}
		if err := s.decidedBy(f, c.VoteID, VoteFailed); err != nil {
			return nil, err
		}
		return []Payload{AmendmentRejected{VoteID: c.VoteID, Reason: c.Reason}}, nil
	}
	return nil, Invalidf("command %T is not for amendments", c)
}

func decideProposeAmendment(s AmendmentState, c ProposeAmendment, f Facts) ([]Payload, error) {
	for _, id := range []struct{ what, v string }{{"amendment id", c.AmendmentID}, {"body id", c.BodyID},
		{"meeting id", c.MeetingID}, {"item id", c.ItemID}, {"proposer id", c.ProposerID}} {
		if err := ValidateID(id.what, id.v); err != nil {
			return nil, err
		}
	}
	if err := ValidateLongText("amendment text", c.Text, MaxTextRunes); err != nil {
		return nil, err
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "amendment %s already exists", c.AmendmentID)
	}
	m, err := meetingFact(f, c.MeetingID)
	if err != nil {
		return nil, err
	}
	if m.BodyID != c.BodyID {
		return nil, Invalidf("meeting %s belongs to body %s, not %s", m.ID, m.BodyID, c.BodyID)
	}
	if m.Status != MeetingIsScheduled && m.Status != MeetingIsConvened {
		return nil, Errorf(CodeConflict, "meeting %s is %s; amendments are proposed before or during it", m.ID, m.Status)
	}
	it, ok := m.Item(c.ItemID)
	if !ok {
		return nil, Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", c.ItemID, m.ID)
	}
	if it.Withdrawn {
		return nil, Errorf(CodeConflict, "item %s was withdrawn", it.ID)
	}
	b, err := bodyFact(f, c.BodyID)
	if err != nil {
		return nil, err
	}
	if _, ok := b.Member(c.ProposerID); !ok {
		return nil, Errorf(CodeForbidden, "%s does not sit in body %s and cannot propose amendments", c.ProposerID, b.ID)
	}
	return []Payload{AmendmentProposed{AmendmentID: c.AmendmentID, BodyID: c.BodyID, MeetingID: c.MeetingID,
		ItemID: c.ItemID, ProposerID: c.ProposerID, Text: c.Text}}, nil
}

// decidedBy checks that voteID is a closed vote on this amendment with
// result want (a vote without quorum decides nothing).
func (s AmendmentState) decidedBy(f Facts, voteID string, want VoteResult) error {
	if err := ValidateID("vote id", voteID); err != nil {
		return err
	}
	v, err := voteFact(f, voteID)
	if err != nil {
		return err
	}
	switch {
	case v.AmendmentID != s.ID:
		return Errorf(CodeConflict, "vote %s is not on amendment %s", v.ID, s.ID)
	case v.Status != VoteIsClosed:
		return Errorf(CodeConflict, "vote %s is not closed", v.ID)
	case v.Result != want:
		return Errorf(CodeConflict, "vote %s on amendment %s ended %s", v.ID, s.ID, v.Result)
	}
	return nil
}

// amendmentFact returns the folded amendment a command Needs, or not found.
func amendmentFact(f Facts, id string) (AmendmentState, error) {
	a, ok := FactOf[AmendmentState](f, amendmentStream(id))
	if !ok || !a.Exists() {
		return AmendmentState{}, Errorf(CodeNotFound, "amendment %s does not exist", id)
	}
	return a, nil
}
