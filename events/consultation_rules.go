package events

import "time"

// ConsultationDecider holds the rules of consultations.
var ConsultationDecider = Decider[ConsultationState]{
	Kind:    "consultation",
	Initial: func() ConsultationState { return ConsultationState{} },
	Evolve:  evolveConsultation,
	Decide:  decideConsultation,
}

func decideConsultation(s ConsultationState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(OpenConsultation); ok {
		return decideOpenConsultation(s, c, f)
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	switch c := c.(type) {
	case SubmitComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		switch c.Kind {
		case CommentProposal, CommentObjection, CommentRemark:
		default:
			return nil, Invalidf("comment kind %q: want proposal, objection or comment", c.Kind)
		}
		if err := ValidateLongText("comment", c.Text, MaxCommentRunes); err != nil {
			return nil, err
		}
		if err := c.SubjectRef.Validate(); err != nil {
			return nil, err
		}
		if err := c.requireSealed(1); err != nil {
			return nil, err
		}
		if err := s.openAt(c.At); err != nil {
			return nil, err
		}
		if _, ok := s.Comment(c.CommentID); ok {
			return nil, Errorf(CodeConflict, "comment %s already exists", c.CommentID)
		}
		if c.ReceiptSHA256 != "" && !validReceiptHash(c.ReceiptSHA256) {
			return nil, Invalidf("receipt hash: want the 64 hex digits of a SHA-256")
		}
		return []Payload{ConsultationCommentSubmitted{CommentID: c.CommentID, Kind: c.Kind, Author: c.author, Text: c.sealed[0],
			ReceiptSHA256: c.ReceiptSHA256}}, nil
	case ModerateComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("public reason for moderation", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		cm, ok := s.Comment(c.CommentID)
		switch {
		case !ok:
			return nil, Errorf(CodeNotFound, "comment %s does not exist", c.CommentID)
		case cm.Hidden:
			return nil, Errorf(CodeConflict, "comment %s is already hidden", c.CommentID)
		case cm.Withdrawn:
			return nil, Errorf(CodeConflict, "comment %s was withdrawn by its author", c.CommentID)
		}
		return []Payload{ConsultationCommentModerated{CommentID: c.CommentID, Reason: c.Reason}}, nil
	case WithdrawComment:
		if err := ValidateID("comment id", c.CommentID); err != nil {
			return nil, err
		}
		byReceipt := c.SubjectRef == "" && c.Receipt != ""
		if byReceipt {
			if !validReceipt(c.Receipt) {
				return nil, Invalidf("receipt: want the receipt the submission answered (%s and %d characters)", receiptPrefix, receiptChars)
			}
		} else {
			if err := c.SubjectRef.Validate(); err != nil {
				return nil, err
			}
			if err := c.requireSealed(0); err != nil {
				return nil, err
			}
		}
		cm, ok := s.Comment(c.CommentID)
		switch {
		case !ok:
			return nil, Errorf(CodeNotFound, "comment %s does not exist", c.CommentID)
		case byReceipt && !receiptMatches(c.Receipt, cm.ReceiptHash):
			return nil, Errorf(CodeForbidden, "the receipt is not that of comment %s", c.CommentID)
		case !byReceipt && cm.Author != c.author:
			return nil, Errorf(CodeForbidden, "only the author may withdraw comment %s", c.CommentID)
		case cm.Withdrawn:
			return nil, Errorf(CodeConflict, "comment %s is already withdrawn", c.CommentID)
		}
		if err := s.openAt(c.At); err != nil {
			return nil, err
		}
		return []Payload{ConsultationCommentWithdrawn{CommentID: c.CommentID}}, nil
	case CloseConsultation:
		if s.Status == ConsultationIsClosed {
			return nil, Errorf(CodeConflict, "the consultation on item %s is already closed", s.ItemID)
		}
		if c.At.Before(s.ClosesAt) {
			if err := ValidateLongText("reason for closing early", c.Reason, MaxReasonRunes); err != nil {
				return nil, err
			}
		} else if c.Reason != "" {
			if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
				return nil, err
			}
		}
		return []Payload{ConsultationClosed{Reason: c.Reason}}, nil
	}
	return nil, Invalidf("command %T is not for consultations", c)
}

func decideOpenConsultation(s ConsultationState, c OpenConsultation, f Facts) ([]Payload, error) {
	if err := ValidateID("item id", c.ItemID); err != nil {
		return nil, err
	}
	if err := ValidateID("meeting id", c.MeetingID); err != nil {
		return nil, err
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "the consultation on item %s already exists", c.ItemID)
	}
	m, err := meetingFact(f, c.MeetingID)
	if err != nil {
		return nil, err
	}
	it, ok := m.Item(c.ItemID)
	switch {
	case !ok:
		return nil, Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", c.ItemID, m.ID)
	case it.Withdrawn:
		return nil, Errorf(CodeConflict, "item %s was withdrawn", it.ID)
	case !it.Published:
		return nil, Errorf(CodeConflict, "item %s is not on a published agenda yet", it.ID)
	case m.Status == MeetingIsCancelled:
		return nil, Errorf(CodeConflict, "meeting %s is cancelled", m.ID)
	case !c.At.Before(it.ConsultationClosesAt):
		return nil, Errorf(CodeConflict, "the consultation on item %s was to close at %s", it.ID, it.ConsultationClosesAt.UTC().Format(time.RFC3339))
	}
	return []Payload{ConsultationOpened{ItemID: it.ID, MeetingID: m.ID, ClosesAt: it.ConsultationClosesAt}}, nil
}

// openAt refuses comments once the consultation is closed or its time has
// passed, even if nobody recorded the closing yet.
func (s ConsultationState) openAt(at time.Time) error {
	if s.Status == ConsultationIsClosed {
		return Errorf(CodeConflict, "the consultation on item %s is closed", s.ItemID)
	}
	if !at.Before(s.ClosesAt) {
		return Errorf(CodeConflict, "the consultation on item %s closed at %s", s.ItemID, s.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}
