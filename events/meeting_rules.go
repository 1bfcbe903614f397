package events

import (
	"slices"
	"time"
)

// MeetingDecider holds the rules of meetings.
var MeetingDecider = Decider[MeetingState]{
	Kind:    "meeting",
	Initial: func() MeetingState { return MeetingState{} },
	Evolve:  evolveMeeting,
	Decide:  decideMeeting,
}

// MaxPresent bounds an attendance list.
const MaxPresent = 1000

func decideMeeting(s MeetingState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(ScheduleMeeting); ok {
		return decideScheduleMeeting(s, c, f)
	}
	if err := ValidateID("meeting id", meetingIDOf(c)); err != nil {
		return nil, err
	}
	if !s.Exists() {
		return nil, Errorf(CodeNotFound, "meeting %s does not exist", meetingIDOf(c))
	}
	switch c := c.(type) {
	case AddItem:
		return decideAddItem(s, c, f)
	case WithdrawItem:
		if err := ValidateID("item id", c.ItemID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		it, ok := s.Item(c.ItemID)
		if !ok {
			return nil, Errorf(CodeNotFound, "item %s is not on the agenda of meeting %s", c.ItemID, s.ID)
		}
		if it.Withdrawn {
			return nil, Errorf(CodeConflict, "item %s is already withdrawn", c.ItemID)
		}
		if err := s.beforeStart("withdraw an item", c.At); err != nil {
			return nil, err
		}
		withdrawn := []Payload{MeetingItemWithdrawn{ItemID: c.ItemID, Reason: c.Reason}}
		// Withdrawing an item closes its consultation: nobody comments on
		// what will not be discussed.
		if cs, ok := FactOf[ConsultationState](f, consultationStream(c.ItemID)); ok && cs.MeetingID == s.ID && cs.Status == ConsultationIsOpen {
			withdrawn = append(withdrawn, OnStream{Stream: consultationStream(c.ItemID), Payload: ConsultationClosed{Reason: "item withdrawn: " + c.Reason}})
		}
		return withdrawn, nil
	case PublishAgenda:
		return decidePublishAgenda(s, c, f)
	case ConveneMeeting, RecordQuorumFailure:
		return decideAttendance(s, c, f)
	case StepOut, DeclareConflict, JustifyAbsence, SeatSubstitute:
		return decideItemAttendance(s, c, f)
	case RecordArrival:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		b, err := s.bodyOf(f, c.BodyID)
		if err != nil {
			return nil, err
		}
		if s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s)", s.ID, s.Status)
		}
		if _, ok := b.Member(c.MemberID); !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, b.ID)
		}
		if s.IsPresent(c.MemberID) {
			return nil, Errorf(CodeConflict, "member %s is already present at meeting %s", c.MemberID, s.ID)
		}
		if sub := s.Attendance.SubstitutedBy(c.MemberID); sub != "" {
			return nil, Errorf(CodeConflict, "member %s is substituted by %s at meeting %s", c.MemberID, sub, s.ID)
		}
		return []Payload{MeetingMemberArrived{MemberID: c.MemberID}}, nil
	case RecordDeparture:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		if s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s)", s.ID, s.Status)
		}
		if !s.IsPresent(c.MemberID) {
			return nil, Errorf(CodeConflict, "member %s is not present at meeting %s", c.MemberID, s.ID)
		}
		if c.MemberID == s.PresidingMemberID {
			return nil, Errorf(CodeConflict, "member %s presides over meeting %s; adjourn it instead", c.MemberID, s.ID)
		}
		return []Payload{MeetingMemberDeparted{MemberID: c.MemberID}}, nil
	case AdjournMeeting:
		if s.Status != MeetingIsConvened {
			return nil, Errorf(CodeConflict, "meeting %s is not sitting (%s)", s.ID, s.Status)
		}
		return []Payload{MeetingAdjourned{}}, nil
	case PublishMinutes:
		if len(c.Documents) == 0 {
			return nil, Invalidf("minutes of meeting %s: no documents", s.ID)
		}
		if err := ValidateDocuments(c.Documents); err != nil {
			return nil, err
		}
		if s.Status != MeetingIsAdjourned {
			return nil, Errorf(CodeConflict, "meeting %s has not been adjourned (%s); minutes come after", s.ID, s.Status)
		}
		if len(s.Minutes) > 0 {
			return nil, Errorf(CodeConflict, "the minutes of meeting %s are already published", s.ID)
		}
		return []Payload{MeetingMinutesPublished{Documents: c.Documents}}, nil
	case PostponeMeeting:
		if c.StartsAt.IsZero() {
			return nil, Invalidf("new start time of meeting %s is missing", s.ID)
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := s.beforeStart("postpone the meeting", c.At); err != nil {
			return nil, err
		}
		if !c.StartsAt.After(s.StartsAt) {
			return nil, Errorf(CodeConflict, "meeting %s starts at %s; a postponement must move it later", s.ID, s.StartsAt.UTC().Format(time.RFC3339))
		}
		return append([]Payload{MeetingPostponed{StartsAt: c.StartsAt.UTC(), Reason: c.Reason}}, s.closeConsultations(f, "meeting postponed: "+c.Reason)...), nil
	case CancelMeeting:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if s.Status != MeetingIsScheduled {
			return nil, Errorf(CodeConflict, "meeting %s is %s; only a meeting that has not sat can be cancelled", s.ID, s.Status)
		}
		return append([]Payload{MeetingCancelled{Reason: c.Reason}}, s.closeConsultations(f, "meeting cancelled: "+c.Reason)...), nil
	}
	return nil, Invalidf("command %T is not for meetings", c)
}

func decideScheduleMeeting(s MeetingState, c ScheduleMeeting, f Facts) ([]Payload, error) {
	if err := ValidateID("meeting id", c.MeetingID); err != nil {
		return nil, err
	}
	if err := ValidateID("body id", c.BodyID); err != nil {
		return nil, err
	}
	if c.StartsAt.IsZero() {
		return nil, Invalidf("start time of meeting %s is missing", c.MeetingID)
	}
	if err := ValidateText("place", c.Place, MaxTitleRunes); err != nil {
		return nil, err
	}
	call := c.Call
	if call == 0 {
		call = 1
	}
	if call < 1 || call > 3 {
		return nil, Invalidf("call %d of meeting %s: want 1, 2 or 3", c.Call, c.MeetingID)
	}
	switch c.Urgency {
	case MeetingRegular:
		if c.UrgencyReason != "" {
			return nil, Invalidf("a regular meeting takes no urgency reason")
		}
	case MeetingUrgent:
		if err := ValidateLongText("urgency reason", c.UrgencyReason, MaxReasonRunes); err != nil {
			return nil, err
		}
	default:
		return nil, Invalidf("urgency %q: want regular or urgent", c.Urgency)
	}
	if (call > 1) != (c.PreviousMeetingID != "") {
		return nil, Invalidf("a second or third call names the previous meeting, and only they do")
	}
	if s.Exists() {
		return nil, Errorf(CodeConflict, "meeting %s already exists", c.MeetingID)
	}
	if !c.StartsAt.After(c.At) {
		return nil, Errorf(CodeConflict, "meeting %s would start at %s, not after it is called", c.MeetingID, c.StartsAt.UTC().Format(time.RFC3339))
	}
	if _, err := bodyFact(f, c.BodyID); err != nil {
		return nil, err
	}
	var originals []string
	if c.PreviousMeetingID != "" {
		if err := ValidateID("previous meeting id", c.PreviousMeetingID); err != nil {
			return nil, err
		}
		prev, err := meetingFact(f, c.PreviousMeetingID)
		if err != nil {
			return nil, err
		}
		if prev.BodyID != c.BodyID {
			return nil, Invalidf("previous meeting %s belongs to body %s, not %s", prev.ID, prev.BodyID, c.BodyID)
		}
		if prev.Status != MeetingIsInquorate || prev.Call != call-1 {
			return nil, Errorf(CodeConflict, "call %d must follow a failed call %d; meeting %s is %s at call %d", call, call-1, prev.ID, prev.Status, prev.Call)
		}
		originals = prev.originalAgenda()
	}
	return []Payload{MeetingScheduled{MeetingID: c.MeetingID, BodyID: c.BodyID, StartsAt: c.StartsAt.UTC(), Place: c.Place,
		Urgency: c.Urgency, UrgencyReason: c.UrgencyReason, Call: call, PreviousMeetingID: c.PreviousMeetingID, OriginalItemIDs: originals}}, nil
}

func decideAddItem(s MeetingState, c AddItem, f Facts) ([]Payload, error) {
	if err := ValidateID("item id", c.ItemID); err != nil {
		return nil, err
	}
	if err := ValidateText("item title", c.Title, MaxTitleRunes); err != nil {
		return nil, err
	}
	if c.Description != "" {
		if err := ValidateLongText("item description", c.Description, MaxTextRunes); err != nil {
			return nil, err
		}
	}
	q := c.QuestionType
	if q == "" {
		q = QuestionOrdinary
	}
	if err := ValidateID("question type", string(q)); err != nil {
		return nil, err
	}
	if q == QuestionUrgency {
		return nil, Invalidf("an item's question type cannot be %s; urgency is voted on before the item is added", q)
	}
	if err := ValidateText("presenter", c.Presenter, MaxTitleRunes); err != nil {
		return nil, err
	}
	if err := ValidateDocuments(c.Documents); err != nil {
		return nil, err
	}
	if _, ok := s.Item(c.ItemID); ok {
		return nil, Errorf(CodeConflict, "item %s is already on the agenda of meeting %s", c.ItemID, s.ID)
	}
	claim := itemClaim(c.ItemID)
	if by := claimHolder(f, claim); by != "" && by != s.stream() {
		return nil, Errorf(CodeConflict, "item id %s is already used by %s; item ids are unique across meetings", c.ItemID, by)
	}
	if c.OriginalItemID != "" {
		if err := ValidateID("original item id", c.OriginalItemID); err != nil {
			return nil, err
		}
		if !slices.Contains(s.OriginalItemIDs, c.OriginalItemID) {
			return nil, Errorf(CodeConflict, "item %s is not on the agenda of the call before meeting %s", c.OriginalItemID, s.ID)
		}
		for _, it := range s.Items {
			if it.OriginalItemID == c.OriginalItemID {
				return nil, Errorf(CodeConflict, "item %s of the call before is already carried as item %s", c.OriginalItemID, it.ID)
			}
		}
	}
	added := []Payload{MeetingItemAdded{ItemID: c.ItemID, Title: c.Title, Description: c.Description, QuestionType: q,
		Documents: c.Documents, Presenter: c.Presenter, UrgentVoteID: c.UrgentVoteID, OriginalItemID: c.OriginalItemID},
		takeClaim(claim, s.stream())}
	if c.UrgentVoteID == "" {
		if err := s.beforeStart("add an item", c.At); err != nil {
			return nil, err
		}
		if s.Call >= 3 && c.OriginalItemID == "" {
			return nil, Errorf(CodeConflict, "meeting %s is a third call: only items of the original agenda may be decided; name the item it carries (original item id)", s.ID)
		}
		return added, nil
	}
	// An item out of the agenda: only at a sitting meeting, never at a
	// third call, and only after the body voted that it is urgent.
	if err := ValidateID("urgency vote id", c.UrgentVoteID); err != nil {
		return nil, err
	}
	if s.Status != MeetingIsConvened {
		return nil, Errorf(CodeConflict, "an item out of the agenda is added only at a sitting meeting; meeting %s is %s", s.ID, s.Status)
	}
	if s.Call >= 3 {
		return nil, Errorf(CodeConflict, "meeting %s is a third call: only items of the original agenda may be decided", s.ID)
	}
	v, err := voteFact(f, c.UrgentVoteID)
	if err != nil {
		return nil, err
	}
	switch {
	case v.MeetingID != s.ID || v.ItemID != c.ItemID || v.QuestionType != QuestionUrgency:
		return nil, Errorf(CodeConflict, "vote %s is not the urgency vote on item %s at meeting %s", v.ID, c.ItemID, s.ID)
	case v.Status != VoteIsClosed:
		return nil, Errorf(CodeConflict, "urgency vote %s is not closed", v.ID)
	case v.Result != VotePassed:
		return nil, Errorf(CodeConflict, "urgency vote %s did not pass (%s)", v.ID, v.Result)
	}
	return added, nil
}

func decidePublishAgenda(s MeetingState, c PublishAgenda, f Facts) ([]Payload, error) {
	if c.ConsultationClosesAt.IsZero() {
		return nil, Invalidf("consultation closing time of meeting %s is missing", s.ID)
	}
	b, err := s.bodyOf(f, c.BodyID)
	if err != nil {
		return nil, err
	}
	if err := s.beforeStart("publish the agenda", c.At); err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range s.Items {
		if !it.Withdrawn && (!it.Published || it.Postponed) {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		return nil, Errorf(CodeConflict, "meeting %s has no unpublished items to publish", s.ID)
	}
	notice := time.Duration(b.Settings.NoticeDays) * 24 * time.Hour
	if s.Urgency == MeetingRegular && s.StartsAt.Sub(c.At) < notice {
		return nil, Errorf(CodeConflict, "the agenda of regular meeting %s must be published at least %d days before it starts (%s)",
			s.ID, b.Settings.NoticeDays, s.StartsAt.UTC().Format(time.RFC3339))
	}
	if !c.ConsultationClosesAt.After(c.At) || c.ConsultationClosesAt.After(s.StartsAt) {
		return nil, Errorf(CodeConflict, "the consultation must close after publication and no later than the meeting starts (%s)", s.StartsAt.UTC().Format(time.RFC3339))
	}
	closes := c.ConsultationClosesAt.UTC()
	out := []Payload{MeetingAgendaPublished{ItemIDs: ids, ConsultationClosesAt: closes}}
	// The publication opens the consultation on each item, or reopens the
	// one its meeting's postponement closed.
	for _, id := range ids {
		cs, ok := FactOf[ConsultationState](f, consultationStream(id))
		switch {
		case !ok || !cs.Exists():
			out = append(out, OnStream{Stream: consultationStream(id), Payload: ConsultationOpened{ItemID: id, MeetingID: s.ID, ClosesAt: closes}})
		case cs.MeetingID == s.ID && cs.Status == ConsultationIsClosed:
			out = append(out, OnStream{Stream: consultationStream(id), Payload: ConsultationReopened{ClosesAt: closes}})
		}
	}
	return out, nil
}

// closeConsultations closes the open consultations of the meeting's
// published items, with the reason.
func (s MeetingState) closeConsultations(f Facts, reason string) []Payload {
	var out []Payload
	for _, it := range s.Items {
		if !it.Published || it.Withdrawn {
			continue
		}
		if cs, ok := FactOf[ConsultationState](f, consultationStream(it.ID)); ok && cs.MeetingID == s.ID && cs.Status == ConsultationIsOpen {
			out = append(out, OnStream{Stream: consultationStream(it.ID), Payload: ConsultationClosed{Reason: reason}})
		}
	}
	return out
}

func decideAttendance(s MeetingState, c Command, f Facts) ([]Payload, error) {
	var bodyID, presiding string
	var present []string
	var at time.Time
	convene := false
	switch c := c.(type) {
	case ConveneMeeting:
		bodyID, present, presiding, at, convene = c.BodyID, c.Present, c.PresidingMemberID, c.At, true
	case RecordQuorumFailure:
		bodyID, present, at = c.BodyID, c.Present, c.At
	}
	if len(present) > MaxPresent {
		return nil, Invalidf("attendance of meeting %s lists %d members, over the limit of %d", s.ID, len(present), MaxPresent)
	}
	seen := make(map[string]bool, len(present))
	for _, m := range present {
		if err := ValidateID("member id", m); err != nil {
			return nil, err
		}
		if seen[m] {
			return nil, Invalidf("member %s is listed twice in the attendance", m)
		}
		seen[m] = true
	}
	if convene {
		if len(present) == 0 {
			return nil, Invalidf("attendance of meeting %s is empty", s.ID)
		}
		if !seen[presiding] {
			return nil, Invalidf("presiding member %q is not in the attendance", presiding)
		}
	}
	b, err := s.bodyOf(f, bodyID)
	if err != nil {
		return nil, err
	}
	if s.Status != MeetingIsScheduled {
		return nil, Errorf(CodeConflict, "meeting %s is %s, not waiting to sit", s.ID, s.Status)
	}
	if at.Before(s.StartsAt) {
		return nil, Errorf(CodeConflict, "meeting %s starts at %s; it cannot sit earlier", s.ID, s.StartsAt.UTC().Format(time.RFC3339))
	}
	voting := 0
	for _, m := range present {
		if _, ok := b.Member(m); !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", m, b.ID)
		}
		if sub := s.Attendance.SubstitutedBy(m); sub != "" {
			return nil, Errorf(CodeConflict, "member %s is substituted by %s at meeting %s", m, sub, s.ID)
		}
		if s.Votes(b, m) {
			voting++
		}
	}
	quorum := b.Settings.QuorumFor(s.Call)
	met := quorum.Met(voting, b.Settings.Seats)
	if !convene {
		if met {
			return nil, Errorf(CodeConflict, "meeting %s has quorum (%d of %d seats present); convene it instead", s.ID, voting, b.Settings.Seats)
		}
		return []Payload{MeetingQuorumFailed{Call: s.Call, Present: present, Seats: b.Settings.Seats, Quorum: quorum}}, nil
	}
	if !met {
		return nil, Errorf(CodeConflict, "meeting %s has no quorum: %d of %d seats present, %s needed at call %d",
			s.ID, voting, b.Settings.Seats, quorum, s.Call)
	}
	if _, imported := importedOf(f); !s.hasPublishedAgenda() && !imported {
		return nil, Errorf(CodeConflict, "meeting %s cannot sit before its agenda is published", s.ID)
	}
	return []Payload{MeetingConvened{Call: s.Call, Present: present, PresidingMemberID: presiding, Seats: b.Settings.Seats, Quorum: quorum}}, nil
}

func meetingIDOf(c Command) string {
	switch c := c.(type) {
	case AddItem:
		return c.MeetingID
	case WithdrawItem:
		return c.MeetingID
	case PublishAgenda:
		return c.MeetingID
	case ConveneMeeting:
		return c.MeetingID
	case RecordQuorumFailure:
		return c.MeetingID
	case RecordArrival:
		return c.MeetingID
	case RecordDeparture:
		return c.MeetingID
	case AdjournMeeting:
		return c.MeetingID
	case PublishMinutes:
		return c.MeetingID
	case PostponeMeeting:
		return c.MeetingID
	case CancelMeeting:
		return c.MeetingID
	case StepOut:
		return c.MeetingID
	case DeclareConflict:
		return c.MeetingID
	case JustifyAbsence:
		return c.MeetingID
	case SeatSubstitute:
		return c.MeetingID
	}
	return "?"
}

// beforeStart refuses changes to the agenda once the meeting has sat or its
// start time has come.
func (s MeetingState) beforeStart(what string, at time.Time) error {
	if s.Status != MeetingIsScheduled {
		return Errorf(CodeConflict, "cannot %s: meeting %s is %s", what, s.ID, s.Status)
	}
	if !at.Before(s.StartsAt) {
		return Errorf(CodeConflict, "cannot %s: meeting %s started at %s", what, s.ID, s.StartsAt.UTC().Format(time.RFC3339))
	}
	return nil
}

func (s MeetingState) hasPublishedAgenda() bool {
	for _, it := range s.Items {
		if it.Published && !it.Withdrawn {
			return true
		}
	}
	return false
}

// bodyOf returns the body fact of the meeting, refusing a command that
// names another body.
func (s MeetingState) bodyOf(f Facts, bodyID string) (BodyState, error) {
	if bodyID != s.BodyID {
		return BodyState{}, Invalidf("meeting %s belongs to body %s, not %q", s.ID, s.BodyID, bodyID)
	}
	return bodyFact(f, bodyID)
}

func (s MeetingState) stream() string { return meetingStream(s.ID) }

// originalAgenda returns the items of this call that carry the original
// agenda to the next call: at a first call its items not withdrawn, at a
// later call the items it carried from the call before.
func (s MeetingState) originalAgenda() []string {
	var ids []string
	for _, it := range s.Items {
		if !it.Withdrawn && (s.Call <= 1 || it.OriginalItemID != "") && it.UrgentVoteID == "" {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// meetingFact returns the folded meeting a command Needs, or not found.
func meetingFact(f Facts, meetingID string) (MeetingState, error) {
	m, ok := FactOf[MeetingState](f, meetingStream(meetingID))
	if !ok || !m.Exists() {
		return MeetingState{}, Errorf(CodeNotFound, "meeting %s does not exist", meetingID)
	}
	return m, nil
}
