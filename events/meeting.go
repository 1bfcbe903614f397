package events

import (
	"maps"
	"slices"
	"time"
)

// A meeting is one sitting of a body: its agenda, who was present, whether
// it reached quorum, and its minutes. Agenda items are the unit every vote,
// amendment, consultation and decision refers to.

// MeetingUrgency says whether a meeting was called with the regular notice.
type MeetingUrgency string

const (
	MeetingRegular MeetingUrgency = "regular"
	MeetingUrgent  MeetingUrgency = "urgent"
)

// MeetingStatus is where a meeting is in its life.
type MeetingStatus string

const (
	MeetingNotScheduled MeetingStatus = ""
	MeetingIsScheduled  MeetingStatus = "scheduled"
	MeetingIsConvened   MeetingStatus = "convened"
	MeetingIsAdjourned  MeetingStatus = "adjourned"
	MeetingIsInquorate  MeetingStatus = "inquorate"
	MeetingIsCancelled  MeetingStatus = "cancelled"
)

// MeetingScheduled records the call of a meeting. Call is 1 for a first
// call; a second or third call follows PreviousMeetingID, which failed for
// lack of quorum.
type MeetingScheduled struct {
	MeetingID         string         `json:"meeting_id"`
	BodyID            string         `json:"body_id"`
	StartsAt          time.Time      `json:"starts_at"`
	Place             string         `json:"place"`
	Urgency           MeetingUrgency `json:"urgency"`
	UrgencyReason     string         `json:"urgency_reason,omitempty"`
	Call              int            `json:"call"`
	PreviousMeetingID string         `json:"previous_meeting_id,omitempty"`
	// OriginalItemIDs are, for a second or third call, the items of the
	// previous call that carry the original agenda: at a third call only
	// they may be put on the agenda again (as OriginalItemID).
	OriginalItemIDs []string `json:"original_item_ids,omitempty"`
}

// MeetingItemAdded records an agenda item. An item added at a convened
// meeting is out of the agenda and carries the urgency vote that allowed it.
type MeetingItemAdded struct {
	ItemID       string        `json:"item_id"`
	Title        string        `json:"title"`
	Description  string        `json:"description"`
	QuestionType QuestionType  `json:"question_type"`
	Documents    []DocumentRef `json:"documents"`
	Presenter    string        `json:"presenter"`
	UrgentVoteID string        `json:"urgent_vote_id,omitempty"`
	// OriginalItemID is, at a second or third call, the item of the
	// previous call this one carries.
	OriginalItemID string `json:"original_item_id,omitempty"`
}

// MeetingItemWithdrawn records an item taken off the agenda before the
// meeting, with the public reason.
type MeetingItemWithdrawn struct {
	ItemID string `json:"item_id"`
	Reason string `json:"reason"`
}

// MeetingAgendaPublished records the publication of the items not yet
// published, which opens a public consultation on each until
// ConsultationClosesAt. A later publication is a supplementary agenda.
type MeetingAgendaPublished struct {
	ItemIDs              []string  `json:"item_ids"`
	ConsultationClosesAt time.Time `json:"consultation_closes_at"`
}

// MeetingConvened records that a meeting sat with quorum: who was present,
// who presided, and the quorum it was held to.
type MeetingConvened struct {
	Call              int       `json:"call"`
	Present           []string  `json:"present"`
	PresidingMemberID string    `json:"presiding_member_id"`
	Seats             int       `json:"seats"`
	Quorum            Threshold `json:"quorum"`
}

// MeetingQuorumFailed records a call that did not reach quorum; the next
// call is a new meeting.
type MeetingQuorumFailed struct {
	Call    int       `json:"call"`
	Present []string  `json:"present"`
	Seats   int       `json:"seats"`
	Quorum  Threshold `json:"quorum"`
}

// MeetingMemberArrived records a member arriving after the meeting convened.
type MeetingMemberArrived struct {
	MemberID string `json:"member_id"`
}

// MeetingMemberDeparted records a member leaving a sitting meeting.
type MeetingMemberDeparted struct {
	MemberID string `json:"member_id"`
}

// MeetingAdjourned records the end of a sitting.
type MeetingAdjourned struct{}

// MeetingMinutesPublished records the minutes of an adjourned meeting.
type MeetingMinutesPublished struct {
	Documents []DocumentRef `json:"documents"`
}

// MeetingPostponed moves a meeting that has not sat to a later time.
type MeetingPostponed struct {
	StartsAt time.Time `json:"starts_at"`
	Reason   string    `json:"reason"`
}

// MeetingCancelled records that a meeting will not sit.
type MeetingCancelled struct {
	Reason string `json:"reason"`
}

func (MeetingScheduled) EventType() string        { return "meeting.scheduled" }
func (MeetingItemAdded) EventType() string        { return "meeting.item_added" }
func (MeetingItemWithdrawn) EventType() string    { return "meeting.item_withdrawn" }
func (MeetingAgendaPublished) EventType() string  { return "meeting.agenda_published" }
func (MeetingConvened) EventType() string         { return "meeting.convened" }
func (MeetingQuorumFailed) EventType() string     { return "meeting.quorum_failed" }
func (MeetingMemberArrived) EventType() string    { return "meeting.member_arrived" }
func (MeetingMemberDeparted) EventType() string   { return "meeting.member_departed" }
func (MeetingAdjourned) EventType() string        { return "meeting.adjourned" }
func (MeetingMinutesPublished) EventType() string { return "meeting.minutes_published" }
func (MeetingPostponed) EventType() string        { return "meeting.postponed" }
func (MeetingCancelled) EventType() string        { return "meeting.cancelled" }

func init() {
	Register[MeetingScheduled]("meeting", 1, "A body called a meeting: when, where, regular or urgent (with the reason), and which call.")
	Register[MeetingItemAdded]("meeting", 1, "An item was put on a meeting's agenda, or added out of the agenda after an urgency vote.")
	Register[MeetingItemWithdrawn]("meeting", 1, "An item was taken off a meeting's agenda before the meeting, with the reason.")
	Register[MeetingAgendaPublished]("meeting", 1, "A meeting's agenda items were published, opening a public consultation on each.")
	Register[MeetingConvened]("meeting", 1, "A meeting sat with quorum: members present and who presided.")
	Register[MeetingQuorumFailed]("meeting", 1, "A meeting's call failed for lack of quorum.")
	Register[MeetingMemberArrived]("meeting", 1, "A member arrived at a sitting meeting.")
	Register[MeetingMemberDeparted]("meeting", 1, "A member left a sitting meeting.")
	Register[MeetingAdjourned]("meeting", 1, "A sitting meeting ended.")
	Register[MeetingMinutesPublished]("meeting", 1, "The minutes of a meeting were published.")
	Register[MeetingPostponed]("meeting", 1, "A meeting that had not sat was moved to a later time, with the reason.")
	Register[MeetingCancelled]("meeting", 1, "A meeting that had not sat was cancelled, with the reason.")
	RegisterDecider(MeetingDecider)
}

// ScheduleMeeting calls a meeting of a body.
type ScheduleMeeting struct {
	MeetingID         string
	BodyID            string
	StartsAt          time.Time
	Place             string
	Urgency           MeetingUrgency
	UrgencyReason     string
	Call              int // 1 to 3; 0 means 1
	PreviousMeetingID string
	At                time.Time
}

// AddItem puts an item on a meeting's agenda. With UrgentVoteID it adds an
// item out of the agenda at a convened meeting.
type AddItem struct {
	MeetingID    string
	ItemID       string
	Title        string
	Description  string
	QuestionType QuestionType // empty means ordinary
	Documents    []DocumentRef
	Presenter    string
	UrgentVoteID string
	// OriginalItemID is, at a second or third call, the previous call's
	// item this one carries; required at a third call, where only items
	// of the original agenda may be decided.
	OriginalItemID string
	At             time.Time
}

// WithdrawItem takes an item off the agenda before the meeting.
type WithdrawItem struct {
	MeetingID string
	ItemID    string
	Reason    string
	At        time.Time
}

// PublishAgenda publishes the items not yet published and opens their
// consultation until ConsultationClosesAt.
type PublishAgenda struct {
	MeetingID            string
	BodyID               string
	ConsultationClosesAt time.Time
	At                   time.Time
}

// ConveneMeeting records that a meeting sits with the members present.
type ConveneMeeting struct {
	MeetingID         string
	BodyID            string
	Present           []string
	PresidingMemberID string
	At                time.Time
}

// RecordQuorumFailure records a call at which too few members came.
type RecordQuorumFailure struct {
	MeetingID string
	BodyID    string
	Present   []string
	At        time.Time
}

// RecordArrival records a member arriving at a sitting meeting.
type RecordArrival struct {
	MeetingID string
	BodyID    string
	MemberID  string
	At        time.Time
}

// RecordDeparture records a member leaving a sitting meeting.
type RecordDeparture struct {
	MeetingID string
	MemberID  string
	At        time.Time
}

// AdjournMeeting ends a sitting.
type AdjournMeeting struct {
	MeetingID string
	At        time.Time
}

// PublishMinutes publishes the minutes of an adjourned meeting.
type PublishMinutes struct {
	MeetingID string
	Documents []DocumentRef
	At        time.Time
}

// PostponeMeeting moves a meeting that has not sat to a later time.
type PostponeMeeting struct {
	MeetingID string
	StartsAt  time.Time
	Reason    string
	At        time.Time
}

// CancelMeeting cancels a meeting that has not sat.
type CancelMeeting struct {
	MeetingID string
	Reason    string
	At        time.Time
}

func meetingStream(id string) string { return StreamName("meeting", id) }

func (c ScheduleMeeting) Stream() string     { return meetingStream(c.MeetingID) }
func (c AddItem) Stream() string             { return meetingStream(c.MeetingID) }
func (c WithdrawItem) Stream() string        { return meetingStream(c.MeetingID) }
func (c PublishAgenda) Stream() string       { return meetingStream(c.MeetingID) }
func (c ConveneMeeting) Stream() string      { return meetingStream(c.MeetingID) }
func (c RecordQuorumFailure) Stream() string { return meetingStream(c.MeetingID) }
func (c RecordArrival) Stream() string       { return meetingStream(c.MeetingID) }
func (c RecordDeparture) Stream() string     { return meetingStream(c.MeetingID) }
func (c AdjournMeeting) Stream() string      { return meetingStream(c.MeetingID) }
func (c PublishMinutes) Stream() string      { return meetingStream(c.MeetingID) }
func (c PostponeMeeting) Stream() string     { return meetingStream(c.MeetingID) }
func (c CancelMeeting) Stream() string       { return meetingStream(c.MeetingID) }

func (c ScheduleMeeting) OccurredAt() time.Time     { return c.At }
func (c AddItem) OccurredAt() time.Time             { return c.At }
func (c WithdrawItem) OccurredAt() time.Time        { return c.At }
func (c PublishAgenda) OccurredAt() time.Time       { return c.At }
func (c ConveneMeeting) OccurredAt() time.Time      { return c.At }
func (c RecordQuorumFailure) OccurredAt() time.Time { return c.At }
func (c RecordArrival) OccurredAt() time.Time       { return c.At }
func (c RecordDeparture) OccurredAt() time.Time     { return c.At }
func (c AdjournMeeting) OccurredAt() time.Time      { return c.At }
func (c PublishMinutes) OccurredAt() time.Time      { return c.At }
func (c PostponeMeeting) OccurredAt() time.Time     { return c.At }
func (c CancelMeeting) OccurredAt() time.Time       { return c.At }

// Needs of ScheduleMeeting: the body, and the failed previous call if any.
func (c ScheduleMeeting) Needs() []string {
	if c.PreviousMeetingID != "" {
		return []string{StreamName("body", c.BodyID), meetingStream(c.PreviousMeetingID)}
	}
	return []string{StreamName("body", c.BodyID)}
}

// Needs of AddItem: the claim on the item's id (item ids are unique across
// meetings: the consultation on an item is named by it), and the urgency
// vote of an item out of the agenda.
func (c AddItem) Needs() []string {
	if c.UrgentVoteID != "" {
		return []string{itemClaim(c.ItemID), voteStream(c.UrgentVoteID)}
	}
	return []string{itemClaim(c.ItemID)}
}

// Needs of WithdrawItem: the item's consultation, which the withdrawal
// closes.
func (c WithdrawItem) Needs() []string { return []string{consultationStream(c.ItemID)} }

func itemClaim(itemID string) string { return ClaimStream("item", itemID) }

func (c PublishAgenda) Needs() []string { return []string{StreamName("body", c.BodyID)} }

// NeedsGiven of PublishAgenda: the consultation of each item it publishes,
// which it opens (or, for an item of a postponed meeting, reopens).
func (c PublishAgenda) NeedsGiven(state any) []string {
	m, _ := state.(MeetingState)
	return m.consultations(func(it MeetingItem) bool { return !it.Withdrawn && (!it.Published || it.Postponed) })
}

// NeedsGiven of PostponeMeeting: the consultations of the published items,
// which the postponement closes.
func (c PostponeMeeting) NeedsGiven(state any) []string {
	m, _ := state.(MeetingState)
	return m.consultations(func(it MeetingItem) bool { return it.Published && !it.Withdrawn })
}

// NeedsGiven of CancelMeeting: the consultations of the published items,
// which the cancellation closes.
func (c CancelMeeting) NeedsGiven(state any) []string {
	m, _ := state.(MeetingState)
	return m.consultations(func(it MeetingItem) bool { return it.Published && !it.Withdrawn })
}

// consultations returns the consultation streams of the items chosen.
func (s MeetingState) consultations(choose func(MeetingItem) bool) []string {
	var out []string
	for _, it := range s.Items {
		if choose(it) {
			out = append(out, consultationStream(it.ID))
		}
	}
	return out
}
func (c ConveneMeeting) Needs() []string      { return []string{StreamName("body", c.BodyID)} }
func (c RecordQuorumFailure) Needs() []string { return []string{StreamName("body", c.BodyID)} }
func (c RecordArrival) Needs() []string       { return []string{StreamName("body", c.BodyID)} }

// MeetingItem is an agenda item as folded.
type MeetingItem struct {
	ID           string
	Title        string
	Description  string
	QuestionType QuestionType
	Documents    []DocumentRef
	Presenter    string
	UrgentVoteID string // set for an item out of the agenda
	// OriginalItemID is the previous call's item this one carries.
	OriginalItemID string
	Withdrawn      bool
	Published      bool
	// Postponed is set for a published item of a meeting postponed since
	// its publication: its consultation closed, and a publication for the
	// new date reopens it.
	Postponed bool
	// ConsultationClosesAt is when the consultation opened by the item's
	// publication closes; zero before publication.
	ConsultationClosesAt time.Time
}

// MeetingState is a meeting folded from its stream.
type MeetingState struct {
	ID                string
	BodyID            string
	Status            MeetingStatus
	StartsAt          time.Time
	Place             string
	Urgency           MeetingUrgency
	UrgencyReason     string
	Call              int
	PreviousMeetingID string
	OriginalItemIDs   []string
	Items             []MeetingItem // in the order added
	Present           map[string]bool
	PresidingMemberID string
	Minutes           []DocumentRef
	// Attendance is who attends each item (stepped out, conflicts of
	// interest), justified absences and substitutes.
	Attendance MeetingAttendance
}

// Exists reports whether the meeting was scheduled.
func (s MeetingState) Exists() bool { return s.Status != MeetingNotScheduled }

// Item returns an agenda item, withdrawn or not.
func (s MeetingState) Item(id string) (MeetingItem, bool) {
	i := slices.IndexFunc(s.Items, func(it MeetingItem) bool { return it.ID == id })
	if i < 0 {
		return MeetingItem{}, false
	}
	return s.Items[i], true
}

// IsPresent reports whether a member is present at a sitting meeting.
func (s MeetingState) IsPresent(memberID string) bool { return s.Present[memberID] }

func evolveMeeting(s MeetingState, p Payload) MeetingState {
	switch e := p.(type) {
	case MeetingScheduled:
		s = MeetingState{ID: e.MeetingID, BodyID: e.BodyID, Status: MeetingIsScheduled, StartsAt: e.StartsAt,
			Place: e.Place, Urgency: e.Urgency, UrgencyReason: e.UrgencyReason, Call: e.Call, PreviousMeetingID: e.PreviousMeetingID,
			OriginalItemIDs: slices.Clone(e.OriginalItemIDs)}
	case MeetingItemAdded:
		s.Items = append(slices.Clip(s.Items), MeetingItem{ID: e.ItemID, Title: e.Title, Description: e.Description,
			QuestionType: e.QuestionType, Documents: slices.Clone(e.Documents), Presenter: e.Presenter, UrgentVoteID: e.UrgentVoteID, OriginalItemID: e.OriginalItemID})
	case MeetingItemWithdrawn:
		s.Items = slices.Clone(s.Items)
		for i := range s.Items {
			if s.Items[i].ID == e.ItemID {
				s.Items[i].Withdrawn = true
			}
		}
	case MeetingAgendaPublished:
		s.Items = slices.Clone(s.Items)
		for i := range s.Items {
			if slices.Contains(e.ItemIDs, s.Items[i].ID) {
				s.Items[i].Published, s.Items[i].Postponed = true, false
				s.Items[i].ConsultationClosesAt = e.ConsultationClosesAt
			}
		}
	case MeetingConvened:
		s.Status = MeetingIsConvened
		s.Call = e.Call
		s.PresidingMemberID = e.PresidingMemberID
		s.Present = make(map[string]bool, len(e.Present))
		for _, m := range e.Present {
			s.Present[m] = true
		}
	case MeetingQuorumFailed:
		s.Status = MeetingIsInquorate
	case MeetingMemberArrived:
		s.Present = cloneOrMake(s.Present)
		s.Present[e.MemberID] = true
	case MeetingMemberDeparted:
		s.Present = maps.Clone(s.Present)
		delete(s.Present, e.MemberID)
	case MeetingAdjourned:
		s.Status = MeetingIsAdjourned
	case MeetingMinutesPublished:
		s.Minutes = append(slices.Clip(s.Minutes), e.Documents...)
	case MeetingPostponed:
		s.StartsAt = e.StartsAt
		s.Items = slices.Clone(s.Items)
		for i := range s.Items {
			if s.Items[i].Published && !s.Items[i].Withdrawn {
				s.Items[i].Postponed = true
			}
		}
	case MeetingCancelled:
		s.Status = MeetingIsCancelled
	default:
		return evolveAttendance(s, p)
	}
	return s
}
