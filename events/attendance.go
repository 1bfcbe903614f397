package events

import (
	"maps"
	"slices"
	"time"
)

// Attendance as the law needs it: a member present at a sitting may step
// out of one agenda item, or declare a conflict of interest (κώλυμα) on it,
// which keeps them out of that item's vote and its quorum; a member who
// does not come may have the absence justified; and where a body has
// substitutes (αναπληρωματικά μέλη), a substitute takes the seat of an
// absent member for the sitting. The attendance of each item is derived
// from these and the arrivals and departures, and recorded on the item's
// vote when it opens (VoteOpened.Attending).

// RoleSubstitute is a substitute member: without a vote of their own, they
// vote in place of the absent member whose seat they take at a sitting
// (SeatSubstitute), in a body whose settings allow substitutes.
const RoleSubstitute MemberRole = "substitute"

// MeetingMemberSteppedOut records that a member present at the sitting
// stepped out of one item: absent for its discussion and vote, present for
// the rest of the meeting.
type MeetingMemberSteppedOut struct {
	ItemID   string `json:"item_id"`
	MemberID string `json:"member_id"`
}

// MeetingConflictDeclared records a member's conflict of interest (κώλυμα)
// on an item, with the public reason: the member takes no part in the
// item's vote and counts as absent for its quorum and majority.
type MeetingConflictDeclared struct {
	ItemID   string `json:"item_id"`
	MemberID string `json:"member_id"`
	Reason   string `json:"reason"`
}

// MeetingAbsenceJustified records that a member's absence from the meeting
// is justified, with the public reason.
type MeetingAbsenceJustified struct {
	MemberID string `json:"member_id"`
	Reason   string `json:"reason"`
}

// MeetingSubstituteSeated records a substitute taking the seat of an
// absent member for this meeting: present, voting and counting toward
// quorum in their place.
type MeetingSubstituteSeated struct {
	SubstituteID string `json:"substitute_id"`
	ForMemberID  string `json:"for_member_id"`
}

func (MeetingMemberSteppedOut) EventType() string { return "meeting.member_stepped_out" }
func (MeetingConflictDeclared) EventType() string { return "meeting.conflict_declared" }
func (MeetingAbsenceJustified) EventType() string { return "meeting.absence_justified" }
func (MeetingSubstituteSeated) EventType() string { return "meeting.substitute_seated" }

func init() {
	Register[MeetingMemberSteppedOut]("meeting", 1, "A member present at a sitting stepped out of one agenda item: absent for its discussion and vote.")
	Register[MeetingConflictDeclared]("meeting", 1, "A member declared a conflict of interest (κώλυμα) on an item, with the reason: out of its vote and its quorum.")
	Register[MeetingAbsenceJustified]("meeting", 1, "A member's absence from a meeting was justified, with the public reason.")
	Register[MeetingSubstituteSeated]("meeting", 1, "A substitute member took the seat of an absent member for a meeting.")
	for _, t := range []string{"meeting.member_stepped_out", "meeting.conflict_declared", "meeting.absence_justified", "meeting.substitute_seated"} {
		entryTypes[t] = true
	}
}

// StepOut records a member present at a sitting stepping out of one item.
type StepOut struct {
	MeetingID string
	ItemID    string
	MemberID  string
	At        time.Time
}

// DeclareConflict records a member's conflict of interest on an item,
// before or during the sitting.
type DeclareConflict struct {
	MeetingID string
	BodyID    string
	ItemID    string
	MemberID  string
	Reason    string
	At        time.Time
}

// JustifyAbsence records that a member's absence from a meeting is
// justified.
type JustifyAbsence struct {
	MeetingID string
	BodyID    string
	MemberID  string
	Reason    string
	At        time.Time
}

// SeatSubstitute seats a substitute in place of an absent member, before
// the meeting sits (the substitute is then in its attendance) or during
// the sitting (the substitute is then present).
type SeatSubstitute struct {
	MeetingID    string
	BodyID       string
	SubstituteID string
	ForMemberID  string
	At           time.Time
}

func (c StepOut) Stream() string         { return meetingStream(c.MeetingID) }
func (c DeclareConflict) Stream() string { return meetingStream(c.MeetingID) }
func (c JustifyAbsence) Stream() string  { return meetingStream(c.MeetingID) }
func (c SeatSubstitute) Stream() string  { return meetingStream(c.MeetingID) }

func (c StepOut) OccurredAt() time.Time         { return c.At }
func (c DeclareConflict) OccurredAt() time.Time { return c.At }
func (c JustifyAbsence) OccurredAt() time.Time  { return c.At }
func (c SeatSubstitute) OccurredAt() time.Time  { return c.At }

func (c DeclareConflict) Needs() []string { return []string{StreamName("body", c.BodyID)} }
func (c JustifyAbsence) Needs() []string  { return []string{StreamName("body", c.BodyID)} }
func (c SeatSubstitute) Needs() []string  { return []string{StreamName("body", c.BodyID)} }

// itemMember names a member's attendance of one item.
type itemMember struct{ item, member string }

// MeetingAttendance is the part of a meeting's state that says who attends
// each item: stepped out, conflicts, justified absences and substitutes.
type MeetingAttendance struct {
	steppedOut map[itemMember]bool
	conflicts  map[itemMember]string // reason
	// Justified holds the reason of each justified absence, by member.
	Justified map[string]string
	// Substitutes holds the member each seated substitute stands for.
	Substitutes map[string]string
}

// SteppedOut reports whether a member stepped out of an item.
func (a MeetingAttendance) SteppedOut(item, member string) bool {
	return a.steppedOut[itemMember{item, member}]
}

// Conflict returns the reason of a member's conflict of interest on an
// item, and whether there is one.
func (a MeetingAttendance) Conflict(item, member string) (string, bool) {
	r, ok := a.conflicts[itemMember{item, member}]
	return r, ok
}

// Recused returns the members with a conflict of interest on an item, in
// order.
func (a MeetingAttendance) Recused(item string) []string {
	var out []string
	for k := range a.conflicts {
		if k.item == item {
			out = append(out, k.member)
		}
	}
	slices.Sort(out)
	return out
}

// SubstitutedBy returns the substitute seated for a member, if any.
func (a MeetingAttendance) SubstitutedBy(member string) string {
	for sub, m := range a.Substitutes {
		if m == member {
			return sub
		}
	}
	return ""
}

// Attends reports whether a member present at the meeting attends an item:
// not stepped out of it, no conflict of interest on it.
func (s MeetingState) Attends(item, member string) bool {
	_, conflict := s.Attendance.Conflict(item, member)
	return s.IsPresent(member) && !conflict && !s.Attendance.SteppedOut(item, member)
}

// Attending returns the members present who attend an item, in order.
func (s MeetingState) Attending(item string) []string {
	var out []string
	for m := range s.Present {
		if s.Attends(item, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// Votes reports whether a member votes at this meeting: a voting member of
// the body, or a substitute seated in place of one.
func (s MeetingState) Votes(b BodyState, member string) bool {
	if b.IsVotingMember(member) {
		return true
	}
	_, seated := s.Attendance.Substitutes[member]
	m, ok := b.Member(member)
	return seated && ok && m.Role == RoleSubstitute
}

func evolveAttendance(s MeetingState, p Payload) MeetingState {
	a := &s.Attendance
	switch e := p.(type) {
	case MeetingMemberSteppedOut:
		a.steppedOut = cloneOrMake(a.steppedOut)
		a.steppedOut[itemMember{e.ItemID, e.MemberID}] = true
	case MeetingConflictDeclared:
		a.conflicts = cloneOrMake(a.conflicts)
		a.conflicts[itemMember{e.ItemID, e.MemberID}] = e.Reason
	case MeetingAbsenceJustified:
		a.Justified = cloneOrMake(a.Justified)
		a.Justified[e.MemberID] = e.Reason
	case MeetingSubstituteSeated:
		a.Substitutes = cloneOrMake(a.Substitutes)
		a.Substitutes[e.SubstituteID] = e.ForMemberID
		if s.Status == MeetingIsConvened {
			s.Present = maps.Clone(s.Present)
			if s.Present == nil {
				s.Present = map[string]bool{}
			}
			s.Present[e.SubstituteID] = true
		}
	}
	return s
}
