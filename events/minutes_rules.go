package events

import "slices"

// MinutesDecider holds the rules of minutes.
var MinutesDecider = Decider[MinutesState]{
	Kind:    "minutes",
	Initial: func() MinutesState { return MinutesState{} },
	Evolve:  evolveMinutes,
	Decide:  decideMinutes,
}

func decideMinutes(s MinutesState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(DraftMinutes); ok {
		return decideDraftMinutes(s, c, f)
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	switch c := c.(type) {
	case CorrectMinutes:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := validateMinutesDocuments(s.MeetingID, c.Documents); err != nil {
			return nil, err
		}
		cur := s.Current()
		if slices.Equal(cur.Documents, c.Documents) {
			return nil, Errorf(CodeConflict, "the correction of the minutes of meeting %s changes nothing", s.MeetingID)
		}
		return []Payload{MinutesCorrected{Version: cur.Version + 1, Reason: c.Reason, Documents: c.Documents}}, nil
	case ApproveMinutes:
		if err := validateIDs("approving meeting id", c.ApprovingMeetingID, "vote id", c.VoteID); err != nil {
			return nil, err
		}
		if s.Status == MinutesAreApproved {
			return nil, Errorf(CodeConflict, "version %d of the minutes of meeting %s is already approved", s.Approved.Version, s.MeetingID)
		}
		if c.ApprovingMeetingID == s.MeetingID {
			return nil, Errorf(CodeConflict, "the minutes of meeting %s are approved at a later meeting, not at their own", s.MeetingID)
		}
		m, err := meetingFact(f, c.ApprovingMeetingID)
		if err != nil {
			return nil, err
		}
		if m.BodyID != s.BodyID {
			return nil, Invalidf("meeting %s belongs to body %s; the minutes of meeting %s are approved by body %s", m.ID, m.BodyID, s.MeetingID, s.BodyID)
		}
		v, err := voteFact(f, c.VoteID)
		if err != nil {
			return nil, err
		}
		switch {
		case v.MeetingID != m.ID:
			return nil, Invalidf("vote %s was held at meeting %s, not %s", v.ID, v.MeetingID, m.ID)
		case v.QuestionType != QuestionMinutes || v.AmendmentID != "":
			return nil, Errorf(CodeConflict, "vote %s decided a question of type %s, not the approval of minutes (%s)", v.ID, v.QuestionType, QuestionMinutes)
		case v.Status != VoteIsClosed:
			return nil, Errorf(CodeConflict, "vote %s is not closed", v.ID)
		case v.Result != VotePassed:
			return nil, Errorf(CodeConflict, "vote %s did not pass (%s)", v.ID, v.Result)
		}
		if by := claimHolder(f, voteDecisionClaim(v.ID)); by != "" {
			return nil, Errorf(CodeConflict, "vote %s has already been decided by %s; a vote decides one question once", v.ID, by)
		}
		return []Payload{MinutesApproved{Version: s.Current().Version, MeetingID: m.ID, VoteID: v.ID},
			takeClaim(voteDecisionClaim(v.ID), c.Stream())}, nil
	}
	return nil, Invalidf("command %T is not for minutes", c)
}

func decideDraftMinutes(s MinutesState, c DraftMinutes, f Facts) ([]Payload, error) {
	if err := validateIDs("meeting id", c.MeetingID, "body id", c.BodyID); err != nil {
		return nil, err
	}
	if err := validateMinutesDocuments(c.MeetingID, c.Documents); err != nil {
		return nil, err
	}
	if len(c.DecisionIDs) > MaxMinutesDecisions {
		return nil, Invalidf("minutes of meeting %s name %d decisions, over the limit of %d", c.MeetingID, len(c.DecisionIDs), MaxMinutesDecisions)
	}
	for i, id := range c.DecisionIDs {
		if err := ValidateID("decision id", id); err != nil {
			return nil, err
		}
		if slices.Contains(c.DecisionIDs[:i], id) {
			return nil, Invalidf("decision %s is named twice in the minutes", id)
		}
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "the minutes of meeting %s are already drafted; correct them instead", c.MeetingID)
	}
	m, err := meetingFact(f, c.MeetingID)
	if err != nil {
		return nil, err
	}
	if m.BodyID != c.BodyID {
		return nil, Invalidf("meeting %s belongs to body %s, not %q", m.ID, m.BodyID, c.BodyID)
	}
	if m.Status != MeetingIsAdjourned {
		return nil, Errorf(CodeConflict, "meeting %s is %s; its minutes are drafted after it adjourns", m.ID, m.Status)
	}
	for _, id := range c.DecisionIDs {
		d, err := decisionFact(f, id)
		if err != nil {
			return nil, err
		}
		if d.BodyID != c.BodyID || d.MeetingID != c.MeetingID {
			return nil, Errorf(CodeConflict, "decision %s (%s) was not taken at meeting %s", id, d.Ref(), c.MeetingID)
		}
	}
	return []Payload{MinutesDrafted{MeetingID: c.MeetingID, BodyID: c.BodyID, Version: 1, Documents: c.Documents, DecisionIDs: c.DecisionIDs}}, nil
}

func validateMinutesDocuments(meetingID string, docs []DocumentRef) error {
	if len(docs) == 0 {
		return Invalidf("minutes of meeting %s: no documents", meetingID)
	}
	return ValidateDocuments(docs)
}
