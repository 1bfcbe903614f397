package events

// VoteDecider holds the rules of votes.
var VoteDecider = Decider[VoteState]{
	Kind:    "vote",
	Initial: func() VoteState { return VoteState{} },
	Evolve:  evolveVote,
	Decide:  decideVote,
}

func decideVote(s VoteState, c Command, f Facts) ([]Payload, error) {
	switch c := c.(type) {
	case OpenVote:
		return decideOpenVote(s, c, f)
	case CastBallot:
		if err := validateBallot(c.VoteID, c.MemberID, c.Choice); err != nil {
			return nil, err
		}
		if err := s.open(c.VoteID); err != nil {
			return nil, err
		}
		if c.BodyID != s.BodyID || c.MeetingID != s.MeetingID {
			return nil, Invalidf("vote %s is at meeting %s of body %s", s.ID, s.MeetingID, s.BodyID)
		}
		if s.Method == VoteSecret {
			return nil, Errorf(CodeConflict, "vote %s is secret: ballots are not recorded; give the tally when closing", s.ID)
		}
		if prev, ok := s.Ballots[c.MemberID]; ok {
			return nil, Errorf(CodeConflict, "member %s has already voted %s in vote %s; change the ballot instead", c.MemberID, prev, s.ID)
		}
		b, err := bodyFact(f, s.BodyID)
		if err != nil {
			return nil, err
		}
		if _, ok := b.Member(c.MemberID); !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, b.ID)
		}
		m, err := meetingFact(f, s.MeetingID)
		if err != nil {
			return nil, err
		}
		if !m.Votes(b, c.MemberID) {
			return nil, Errorf(CodeForbidden, "member %s of body %s has no vote", c.MemberID, b.ID)
		}
		if m.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s); ballots are cast only at a sitting meeting", m.ID, m.Status)
		}
		if !m.IsPresent(c.MemberID) {
			return nil, Errorf(CodeForbidden, "member %s is not present at meeting %s", c.MemberID, m.ID)
		}
		if _, ok := m.Attendance.Conflict(s.ItemID, c.MemberID); ok {
			return nil, Errorf(CodeForbidden, "member %s declared a conflict of interest on item %s and takes no part in its vote", c.MemberID, s.ItemID)
		}
		if m.Attendance.SteppedOut(s.ItemID, c.MemberID) {
			return nil, Errorf(CodeForbidden, "member %s stepped out of item %s", c.MemberID, s.ItemID)
		}
		return []Payload{VoteBallotCast{MemberID: c.MemberID, Choice: c.Choice}}, nil
	case ChangeBallot:
		if err := validateBallot(c.VoteID, c.MemberID, c.Choice); err != nil {
			return nil, err
		}
		if err := s.open(c.VoteID); err != nil {
			return nil, err
		}
		prev, ok := s.Ballots[c.MemberID]
		if !ok {
			return nil, Errorf(CodeNotFound, "member %s has not voted in vote %s", c.MemberID, s.ID)
		}
		if prev == c.Choice {
			return nil, Errorf(CodeConflict, "member %s already voted %s in vote %s", c.MemberID, prev, s.ID)
		}
		return []Payload{VoteBallotChanged{MemberID: c.MemberID, Previous: prev, Choice: c.Choice}}, nil
	case CloseVote:
		return decideCloseVote(s, c, f)
	}
	return nil, Invalidf("command %T is not for votes", c)
}

func decideOpenVote(s VoteState, c OpenVote, f Facts) ([]Payload, error) {
	for _, id := range []struct{ what, v string }{{"vote id", c.VoteID}, {"body id", c.BodyID}, {"meeting id", c.MeetingID}} {
		if err := ValidateID(id.what, id.v); err != nil {
			return nil, err
		}
	}
	if c.ItemID == "" && c.AmendmentID == "" {
		return nil, Invalidf("vote %s: name the item or the amendment voted on", c.VoteID)
	}
	if err := ValidateLongText("question", c.Question, MaxReasonRunes); err != nil {
		return nil, err
	}
	switch c.Method {
	case VoteRollCall, VoteShowOfHands, VoteSecret:
	default:
		return nil, Invalidf("vote method %q: want roll_call, show_of_hands or secret", c.Method)
	}
	if c.QuestionType != "" {
		if err := ValidateID("question type", string(c.QuestionType)); err != nil {
			return nil, err
		}
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "vote %s already exists", c.VoteID)
	}
	m, err := meetingFact(f, c.MeetingID)
	if err != nil {
		return nil, err
	}
	if m.BodyID != c.BodyID {
		return nil, Invalidf("meeting %s belongs to body %s, not %s", m.ID, m.BodyID, c.BodyID)
	}
	if m.Status != MeetingIsConvened {
		return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s); votes are held only at a sitting meeting", m.ID, m.Status)
	}
	opened := VoteOpened{VoteID: c.VoteID, BodyID: c.BodyID, MeetingID: c.MeetingID, ItemID: c.ItemID,
		AmendmentID: c.AmendmentID, Question: c.Question, QuestionType: c.QuestionType, Method: c.Method}
	if c.AmendmentID != "" {
		if err := ValidateID("amendment id", c.AmendmentID); err != nil {
			return nil, err
		}
		a, err := amendmentFact(f, c.AmendmentID)
		if err != nil {
			return nil, err
		}
		if a.MeetingID != c.MeetingID || (c.ItemID != "" && c.ItemID != a.ItemID) {
			return nil, Invalidf("amendment %s is to item %s of meeting %s", a.ID, a.ItemID, a.MeetingID)
		}
		if a.Status != AmendmentIsProposed {
			return nil, Errorf(CodeConflict, "amendment %s is %s, not open to a vote", a.ID, a.Status)
		}
		opened.ItemID = a.ItemID
	}
	if err := ValidateID("item id", opened.ItemID); err != nil {
		return nil, err
	}
	it, onAgenda := m.Item(opened.ItemID)
	if c.QuestionType == QuestionUrgency {
		if c.AmendmentID != "" {
			return nil, Invalidf("an urgency vote is on an item, not an amendment")
		}
		if onAgenda {
			return nil, Errorf(CodeConflict, "item %s is already on the agenda of meeting %s; its urgency is not in question", it.ID, m.ID)
		}
		if m.Call >= 3 {
			return nil, Errorf(CodeConflict, "meeting %s is a third call: only items of the original agenda may be decided", m.ID)
		}
		opened.Attending = m.Attending(opened.ItemID)
		return []Payload{opened}, nil
	}
	switch {
	case !onAgenda:
		return nil, Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", opened.ItemID, m.ID)
	case it.Withdrawn:
		return nil, Errorf(CodeConflict, "item %s was withdrawn", it.ID)
	case !it.Published && it.UrgentVoteID == "" && !imported(f):
		return nil, Errorf(CodeConflict, "item %s was never published on the agenda; publish it or vote its urgency", it.ID)
	case c.AmendmentID == "" && claimHolder(f, itemQuestionClaim(m.ID, it.ID)) != "":
		return nil, Errorf(CodeConflict, "the question of item %s already passed in %s", it.ID, claimHolder(f, itemQuestionClaim(m.ID, it.ID)))
	}
	if opened.QuestionType == "" {
		opened.QuestionType = it.QuestionType
	}
	opened.Attending, opened.Recused = m.Attending(it.ID), m.Attendance.Recused(it.ID)
	return []Payload{opened}, nil
}

func decideCloseVote(s VoteState, c CloseVote, f Facts) ([]Payload, error) {
	if err := ValidateID("vote id", c.VoteID); err != nil {
		return nil, err
	}
	if err := s.open(c.VoteID); err != nil {
		return nil, err
	}
	if c.BodyID != s.BodyID || c.MeetingID != s.MeetingID {
		return nil, Invalidf("vote %s is at meeting %s of body %s", s.ID, s.MeetingID, s.BodyID)
	}
	var t VoteTally
	switch {
	case s.Method == VoteSecret && c.Tally == nil:
		return nil, Invalidf("vote %s is secret: give the tally of the ballot box", s.ID)
	case s.Method == VoteSecret:
		t = *c.Tally
		if t.Yes < 0 || t.No < 0 || t.Abstain < 0 || t.Present < 0 {
			return nil, Invalidf("tally of vote %s has a negative count", s.ID)
		}
	case c.Tally != nil:
		return nil, Invalidf("vote %s is open: it is counted from its ballots, not a tally", s.ID)
	default:
		for _, b := range s.Ballots {
			switch b {
			case BallotYes:
				t.Yes++
			case BallotNo:
				t.No++
			case BallotAbstain:
				t.Abstain++
			case BallotPresent:
				t.Present++
			}
		}
	}
	b, err := bodyFact(f, s.BodyID)
	if err != nil {
		return nil, err
	}
	m, err := meetingFact(f, s.MeetingID)
	if err != nil {
		return nil, err
	}
	if m.Status != MeetingIsConvened {
		return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s); a vote is closed at the sitting it was held at", m.ID, m.Status)
	}
	participants, voting := t.Yes+t.No+t.Abstain+t.Present, b.VotingMembers()
	if s.Method == VoteSecret && participants > voting {
		return nil, Invalidf("tally of vote %s counts %d ballots, more than the %d voting members of body %s", s.ID, participants, voting, b.ID)
	}
	// An open ballot stays counted even if its member has since left the
	// body; absent then cannot go below zero.
	closed := VoteClosed{Yes: t.Yes, No: t.No, Abstain: t.Abstain, Present: t.Present,
		Absent: max(voting-participants, 0), Seats: b.Settings.Seats,
		Quorum: b.Settings.QuorumFor(m.Call), Majority: b.Settings.MajorityFor(s.QuestionType)}
	// A member with a conflict of interest on the item, or stepped out of
	// it, is not present for its vote.
	present := 0
	for id := range m.Present {
		if m.Votes(b, id) && m.Attends(s.ItemID, id) {
			present++
		}
	}
	for _, id := range m.Attendance.Recused(s.ItemID) {
		if m.Votes(b, id) {
			closed.Recused++
		}
	}
	closed.Absent = max(closed.Absent-closed.Recused, 0)
	closed.Result, closed.ChairTieBreak = tallyResult(t, closed, present, s.Method == VoteRollCall && b.Settings.ChairBreaksTie, s.Ballots[m.PresidingMemberID])
	if closed.Result != VotePassed || !s.itemQuestion() {
		return []Payload{closed}, nil
	}
	claim := itemQuestionClaim(s.MeetingID, s.ItemID)
	if by := claimHolder(f, claim); by != "" {
		return nil, Errorf(CodeConflict, "the question of item %s already passed in %s; vote %s cannot decide it again", s.ItemID, by, s.ID)
	}
	return []Payload{closed, takeClaim(claim, s.stream())}, nil
}

func (s VoteState) stream() string { return voteStream(s.ID) }

// itemQuestion reports whether the vote decides an agenda item's question
// (not an amendment, not an urgency).
func (s VoteState) itemQuestion() bool {
	return s.AmendmentID == "" && s.QuestionType != QuestionUrgency
}

func validateBallot(voteID, memberID string, choice BallotChoice) error {
	if err := ValidateID("vote id", voteID); err != nil {
		return err
	}
	if err := ValidateID("member id", memberID); err != nil {
		return err
	}
	if !choice.valid() {
		return Invalidf("ballot %q: want yes, no, abstain or present", choice)
	}
	return nil
}

func (s VoteState) open(id string) error {
	switch s.Status {
	case VoteNotOpened:
		return Errorf(CodeNotFound, "vote %s does not exist", id)
	case VoteIsClosed:
		return Errorf(CodeConflict, "vote %s is closed", id)
	}
	return nil
}

// tallyResult applies quorum, then the majority rule over its base
// (present voting members by default), then the presiding member's casting
// ballot where the law's tie arises and a tie-break is allowed.
func tallyResult(t VoteTally, c VoteClosed, present int, tieBreakAllowed bool, chair BallotChoice) (VoteResult, bool) {
	participants := t.Yes + t.No + t.Abstain + t.Present
	if !c.Quorum.Met(participants, c.Seats) {
		return VoteNoQuorum, false
	}
	base := c.Majority.base(t, present, c.Seats)
	tie := t.Yes == t.No && t.Yes > 0
	if c.Majority.Kind == MajorityAbsolute {
		tie = tie && 2*t.Yes == base
	}
	if tieBreakAllowed && c.Majority.Kind != MajorityQualified && tie {
		switch chair {
		case BallotYes:
			return VotePassed, true
		case BallotNo:
			return VoteFailed, true
		}
	}
	var passed bool
	switch c.Majority.Kind {
	case MajoritySimple:
		passed = t.Yes > t.No
	case MajorityAbsolute:
		passed = 2*t.Yes > base
	case MajorityQualified:
		passed = t.Yes > 0 && c.Majority.Fraction.Met(t.Yes, base)
	}
	if passed {
		return VotePassed, false
	}
	return VoteFailed, false
}

// voteFact returns the folded vote a command Needs, or not found.
func voteFact(f Facts, voteID string) (VoteState, error) {
	v, ok := FactOf[VoteState](f, voteStream(voteID))
	if !ok || !v.Exists() {
		return VoteState{}, Errorf(CodeNotFound, "vote %s does not exist", voteID)
	}
	return v, nil
}
