package events

import (
	"fmt"
	"maps"
	"slices"
)

// The rules a body decides by are settings recorded in its events, never
// constants in the rules: Greek municipal practice (ν. 3463/2006 art. 96,
// ν. 3852/2010) gives the defaults, and each body may differ.

// CouncilSizes are the seats of a Greek municipal council by population.
var CouncilSizes = []int{13, 17, 21, 27, 33, 41, 45, 49}

// QuestionType classifies what a vote decides, so a body can require a
// qualified majority for some matters. Types other than these are the
// body's own vocabulary, named in its settings.
type QuestionType string

const (
	// QuestionOrdinary is any matter without a rule of its own.
	QuestionOrdinary QuestionType = "ordinary"
	// QuestionUrgency is the vote that an item not on the agenda is urgent
	// enough to discuss at this meeting.
	QuestionUrgency QuestionType = "urgency"
)

// Threshold is a fraction of a base count: "more than 1/2" (Inclusive
// false) or "at least 1/3" (Inclusive true).
type Threshold struct {
	Numerator   int  `json:"numerator"`
	Denominator int  `json:"denominator"`
	Inclusive   bool `json:"inclusive"`
}

// Met reports whether count reaches the threshold of base. It compares in
// integers, so 7 of 13 is more than half and 6 is not.
func (t Threshold) Met(count, base int) bool {
	l, r := int64(count)*int64(t.Denominator), int64(t.Numerator)*int64(base)
	if t.Inclusive {
		return l >= r
	}
	return l > r
}

func (t Threshold) String() string {
	if t.Inclusive {
		return fmt.Sprintf("at least %d/%d", t.Numerator, t.Denominator)
	}
	return fmt.Sprintf("more than %d/%d", t.Numerator, t.Denominator)
}

func (t Threshold) validate(what string) error {
	if t.Denominator <= 0 || t.Numerator <= 0 || t.Numerator > t.Denominator || t.Denominator > 1000 {
		return Invalidf("%s %d/%d: want a fraction between 0 and 1", what, t.Numerator, t.Denominator)
	}
	return nil
}

// MajorityKind names how a vote passes.
type MajorityKind string

const (
	// MajoritySimple passes with more yes than no.
	MajoritySimple MajorityKind = "simple"
	// MajorityAbsolute passes with yes from more than half of the rule's
	// base: the voting members present (BasePresent, the default), or the
	// ballots cast (BaseCast).
	MajorityAbsolute MajorityKind = "absolute"
	// MajorityQualified passes with yes from at least Fraction of the
	// rule's base, or of the body's seats when OfSeats.
	MajorityQualified MajorityKind = "qualified"
)

// MajorityBase is what an absolute or qualified majority is counted
// against.
type MajorityBase string

const (
	// BasePresent counts against the voting members present at the
	// meeting, the default: "απόλυτη πλειοψηφία των παρόντων" (ν. 3463/2006
	// art. 96 §1, ν. 3852/2010 art. 67 §6). A member present who casts no
	// ballot, or casts "present", or abstains, counts against the motion.
	BasePresent MajorityBase = "present"
	// BaseCast counts against the ballots cast (yes, no and abstain), for a
	// body whose standing orders count so.
	BaseCast MajorityBase = "cast"
)

// MajorityRule is the rule a vote passes by. Base empty means BasePresent.
type MajorityRule struct {
	Kind     MajorityKind `json:"kind"`
	Fraction Threshold    `json:"fraction,omitzero"`
	OfSeats  bool         `json:"of_seats,omitempty"`
	Base     MajorityBase `json:"base,omitempty"`
}

// base returns the count the rule is measured against.
func (m MajorityRule) base(t VoteTally, present, seats int) int {
	switch {
	case m.Kind == MajorityQualified && m.OfSeats:
		return seats
	case m.Base == BaseCast:
		return t.Yes + t.No + t.Abstain
	}
	// Ballots of members who have since left still count as present.
	return max(present, t.Yes+t.No+t.Abstain+t.Present)
}

func (m MajorityRule) validate(what string) error {
	switch m.Base {
	case "", BasePresent, BaseCast:
	default:
		return Invalidf("%s: majority base %q: want present or cast", what, m.Base)
	}
	switch m.Kind {
	case MajoritySimple, MajorityAbsolute:
		if m.Fraction != (Threshold{}) || m.OfSeats {
			return Invalidf("%s: a %s majority takes no fraction", what, m.Kind)
		}
		return nil
	case MajorityQualified:
		return m.Fraction.validate(what + " fraction")
	}
	return Invalidf("%s: majority kind %q: want simple, absolute or qualified", what, m.Kind)
}

func (m MajorityRule) String() string {
	switch m.Kind {
	case MajorityQualified:
		base := "members present"
		switch {
		case m.OfSeats:
			base = "seats"
		case m.Base == BaseCast:
			base = "votes cast"
		}
		return fmt.Sprintf("qualified: yes %s of %s", m.Fraction, base)
	case MajorityAbsolute:
		if m.Base == BaseCast {
			return "absolute: yes more than 1/2 of votes cast"
		}
		return "absolute: yes more than 1/2 of members present"
	}
	return "simple: more yes than no"
}

// BodySettings are the rules a body decides by.
type BodySettings struct {
	// Seats is the number of voting seats; quorum counts against it.
	Seats int `json:"seats"`
	// NoticeDays is how many days before a regular meeting its agenda
	// must be published; an urgent meeting may be called sooner.
	NoticeDays int `json:"notice_days"`
	// Quorum is the share of Seats present for a first or second call.
	Quorum Threshold `json:"quorum"`
	// ThirdCallQuorum is the share that suffices at a third call, after
	// two calls failed for lack of quorum.
	ThirdCallQuorum Threshold `json:"third_call_quorum"`
	// Majority is the rule of question types not in Majorities.
	Majority   MajorityRule                  `json:"majority"`
	Majorities map[QuestionType]MajorityRule `json:"majorities,omitempty"`
	// ChairBreaksTie makes the presiding member's ballot decide a tie in
	// an open roll call (ν. 3852/2010 art. 67 §6: "σε περίπτωση ισοψηφίας
	// υπερισχύει η ψήφος του προέδρου"). The law's tie is yes and no
	// equal with nothing else in the base: under an absolute majority of
	// those present, half of them yes and half no; under a simple majority,
	// as many yes as no. Abstentions make no tie: 3 yes, 3 no and 2
	// abstentions of 8 present fail.
	ChairBreaksTie bool `json:"chair_breaks_tie"`
	// NonVotingRoles attend and speak but do not vote or count toward
	// quorum (by default the mayor, in the council).
	NonVotingRoles []MemberRole `json:"non_voting_roles,omitempty"`
	// Substitutes says the body has substitute members (role substitute),
	// who vote only in the seat of an absent member (SeatSubstitute).
	Substitutes bool `json:"substitutes,omitempty"`
	// Powers are, for a committee, the question types it decides under
	// powers delegated by the council; a decision on another is refused.
	// Empty means the body decides any question (a council).
	Powers []QuestionType `json:"powers,omitempty"`
	// Procurement holds the body's thresholds under ν. 4412/2016 as a
	// buyer; nil means the law's (DefaultProcurementSettings).
	Procurement *ProcurementSettings `json:"procurement,omitempty"`
	// Requests holds the response periods and day counting of requests
	// addressed to the body; nil means the law's (DefaultRequestSettings).
	Requests *RequestSettings `json:"requests,omitempty"`
}

// DefaultBodySettings returns the settings of Greek municipal practice for
// a body of seats members: agenda 5 days ahead, quorum more than half (one
// third at a third call), absolute majority of votes cast, the chair's
// vote breaking a tie in an open roll call, the mayor not voting.
func DefaultBodySettings(seats int) BodySettings {
	return BodySettings{
		Seats:           seats,
		NoticeDays:      5,
		Quorum:          Threshold{Numerator: 1, Denominator: 2},
		ThirdCallQuorum: Threshold{Numerator: 1, Denominator: 3, Inclusive: true},
		Majority:        MajorityRule{Kind: MajorityAbsolute},
		Majorities:      map[QuestionType]MajorityRule{QuestionUrgency: {Kind: MajorityAbsolute}},
		ChairBreaksTie:  true,
		NonVotingRoles:  []MemberRole{RoleMayor},
	}
}

// Validate checks every setting.
func (s BodySettings) Validate() error {
	if s.Seats < 1 || s.Seats > 1000 {
		return Invalidf("seats %d: want 1 to 1000", s.Seats)
	}
	if s.NoticeDays < 0 || s.NoticeDays > 365 {
		return Invalidf("notice days %d: want 0 to 365", s.NoticeDays)
	}
	if err := s.Quorum.validate("quorum"); err != nil {
		return err
	}
	if err := s.ThirdCallQuorum.validate("third-call quorum"); err != nil {
		return err
	}
	if err := s.Majority.validate("majority"); err != nil {
		return err
	}
	for _, q := range slices.Sorted(maps.Keys(s.Majorities)) {
		if err := ValidateID("question type", string(q)); err != nil {
			return err
		}
		if err := s.Majorities[q].validate("majority for " + string(q)); err != nil {
			return err
		}
	}
	for _, r := range s.NonVotingRoles {
		if !r.valid() {
			return Invalidf("non-voting role %q: want chair, vice_chair, secretary, member, mayor or substitute", r)
		}
	}
	for i, q := range s.Powers {
		if err := ValidateID("question type of the delegated powers", string(q)); err != nil {
			return err
		}
		if q == QuestionUrgency || slices.Contains(s.Powers[:i], q) {
			return Invalidf("delegated powers: question type %q listed twice or not a matter to decide", q)
		}
	}
	if s.Procurement != nil {
		if err := s.Procurement.Validate(); err != nil {
			return err
		}
	}
	if s.Requests != nil {
		if err := s.Requests.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// MajorityFor returns the rule of a question type.
func (s BodySettings) MajorityFor(q QuestionType) MajorityRule {
	if m, ok := s.Majorities[q]; ok {
		return m
	}
	return s.Majority
}

// QuorumFor returns the quorum of a meeting's call number (1 to 3).
func (s BodySettings) QuorumFor(call int) Threshold {
	if call >= 3 {
		return s.ThirdCallQuorum
	}
	return s.Quorum
}

// Votes reports whether a member of role votes; a substitute votes only
// in the seat of an absent member (MeetingState.Votes).
func (s BodySettings) Votes(role MemberRole) bool {
	return role != RoleSubstitute && !slices.Contains(s.NonVotingRoles, role)
}

// MayDecide reports whether the body decides questions of type q: any, or
// only those of its delegated Powers.
func (s BodySettings) MayDecide(q QuestionType) bool {
	return len(s.Powers) == 0 || slices.Contains(s.Powers, q)
}

func (s BodySettings) clone() BodySettings {
	s.Majorities = maps.Clone(s.Majorities)
	s.NonVotingRoles = slices.Clone(s.NonVotingRoles)
	s.Powers = slices.Clone(s.Powers)
	if s.Procurement != nil {
		p := ProcurementSettings{Thresholds: maps.Clone(s.Procurement.Thresholds)}
		s.Procurement = &p
	}
	if s.Requests != nil {
		r := s.Requests.clone()
		s.Requests = &r
	}
	return s
}
