package events

// decideItemAttendance holds the rules of stepping out, conflicts of
// interest, justified absences and substitutes.
func decideItemAttendance(s MeetingState, c Command, f Facts) ([]Payload, error) {
	switch c := c.(type) {
	case StepOut:
		if err := validateIDs("item id", c.ItemID, "member id", c.MemberID); err != nil {
			return nil, err
		}
		if s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s); a member steps out of an item at the sitting", s.ID, s.Status)
		}
		if err := s.openItem(c.ItemID); err != nil {
			return nil, err
		}
		switch {
		case !s.IsPresent(c.MemberID):
			return nil, Errorf(CodeConflict, "member %s is not present at meeting %s", c.MemberID, s.ID)
		case s.Attendance.SteppedOut(c.ItemID, c.MemberID):
			return nil, Errorf(CodeConflict, "member %s has already stepped out of item %s", c.MemberID, c.ItemID)
		}
		if _, ok := s.Attendance.Conflict(c.ItemID, c.MemberID); ok {
			return nil, Errorf(CodeConflict, "member %s declared a conflict of interest on item %s and takes no part in it already", c.MemberID, c.ItemID)
		}
		return []Payload{MeetingMemberSteppedOut{ItemID: c.ItemID, MemberID: c.MemberID}}, nil
	case DeclareConflict:
		if err := validateIDs("item id", c.ItemID, "member id", c.MemberID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason of the conflict of interest", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		b, err := s.bodyOf(f, c.BodyID)
		if err != nil {
			return nil, err
		}
		if s.Status != MeetingIsScheduled && s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is %s; a conflict of interest is declared before or at the sitting", s.ID, s.Status)
		}
		if err := s.openItem(c.ItemID); err != nil {
			return nil, err
		}
		if _, ok := b.Member(c.MemberID); !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, b.ID)
		}
		if _, ok := s.Attendance.Conflict(c.ItemID, c.MemberID); ok {
			return nil, Errorf(CodeConflict, "member %s has already declared a conflict of interest on item %s", c.MemberID, c.ItemID)
		}
		return []Payload{MeetingConflictDeclared{ItemID: c.ItemID, MemberID: c.MemberID, Reason: c.Reason}}, nil
	case JustifyAbsence:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason of the absence", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		b, err := s.bodyOf(f, c.BodyID)
		if err != nil {
			return nil, err
		}
		if s.Status == MeetingIsCancelled {
			return nil, Errorf(CodeConflict, "meeting %s was cancelled; nobody was absent from it", s.ID)
		}
		if _, ok := b.Member(c.MemberID); !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, b.ID)
		}
		switch {
		case s.IsPresent(c.MemberID):
			return nil, Errorf(CodeConflict, "member %s is present at meeting %s", c.MemberID, s.ID)
		case s.Attendance.Justified[c.MemberID] != "":
			return nil, Errorf(CodeConflict, "the absence of member %s from meeting %s is already justified", c.MemberID, s.ID)
		}
		return []Payload{MeetingAbsenceJustified{MemberID: c.MemberID, Reason: c.Reason}}, nil
	case SeatSubstitute:
		if err := validateIDs("substitute id", c.SubstituteID, "member id", c.ForMemberID); err != nil {
			return nil, err
		}
		b, err := s.bodyOf(f, c.BodyID)
		if err != nil {
			return nil, err
		}
		if !b.Settings.Substitutes {
			return nil, Errorf(CodeConflict, "body %s has no substitutes (its settings)", b.ID)
		}
		if s.Status != MeetingIsScheduled && s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is %s; a substitute is seated before or at the sitting", s.ID, s.Status)
		}
		sub, ok := b.Member(c.SubstituteID)
		if !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.SubstituteID, b.ID)
		}
		if sub.Role != RoleSubstitute {
			return nil, Errorf(CodeConflict, "member %s of body %s is a %s, not a substitute", sub.ID, b.ID, sub.Role)
		}
		if !b.IsVotingMember(c.ForMemberID) {
			return nil, Errorf(CodeNotFound, "member %s is not a voting member of body %s", c.ForMemberID, b.ID)
		}
		switch {
		case s.IsPresent(c.ForMemberID):
			return nil, Errorf(CodeConflict, "member %s is present at meeting %s; a substitute takes the seat of an absent member", c.ForMemberID, s.ID)
		case s.IsPresent(c.SubstituteID):
			return nil, Errorf(CodeConflict, "substitute %s is already present at meeting %s", c.SubstituteID, s.ID)
		case s.Attendance.Substitutes[c.SubstituteID] != "":
			return nil, Errorf(CodeConflict, "substitute %s already stands for %s at meeting %s", c.SubstituteID, s.Attendance.Substitutes[c.SubstituteID], s.ID)
		case s.Attendance.SubstitutedBy(c.ForMemberID) != "":
			return nil, Errorf(CodeConflict, "member %s is already substituted by %s at meeting %s", c.ForMemberID, s.Attendance.SubstitutedBy(c.ForMemberID), s.ID)
		}
		return []Payload{MeetingSubstituteSeated{SubstituteID: c.SubstituteID, ForMemberID: c.ForMemberID}}, nil
	}
	return nil, Invalidf("command %T is not for a meeting's attendance", c)
}

// openItem refuses an item not on the agenda or withdrawn.
func (s MeetingState) openItem(id string) error {
	it, ok := s.Item(id)
	if !ok {
		return Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", id, s.ID)
	}
	if it.Withdrawn {
		return Errorf(CodeConflict, "item %s was withdrawn", id)
	}
	return nil
}

// validateIDs checks pairs of a field's name and its id.
func validateIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := ValidateID(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
