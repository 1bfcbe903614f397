package events

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Fixtures shared by the governance tests: a council of 13 voting seats
// plus the mayor, a regular meeting ten days after t0, its two published
// items. Names of council members are public record.

var govT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const govBody = "dimotiko-symvoulio"

// govMeetingAt is when the fixture meeting starts.
var govMeetingAt = govT0.Add(10 * 24 * time.Hour)

// govRefusal is one rule case: a command refused on a state folded from
// given, with facts, with the error code want.
type govRefusal struct {
	name  string
	given []Payload
	facts Facts
	cmd   Command
	want  Code
}

// govCheckRefusals runs rule cases: each must fail with its code and
// return no events.
func govCheckRefusals[S any](t *testing.T, d Decider[S], cases []govRefusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Decide(d.Fold(tc.given...), testProtect(tc.cmd), tc.facts)
			if code := ErrorCode(err); code != tc.want {
				t.Fatalf("error code %q (%v), want %q", code, err, tc.want)
			}
			if len(got) != 0 {
				t.Fatalf("refused command returned events %v", got)
			}
			if ErrorMessage(err) == "" || ErrorMessage(err) == "internal error" {
				t.Fatalf("message %q is not fit for a clerk", ErrorMessage(err))
			}
		})
	}
}

// govDecide decides cmd on a state folded from given and fails the test on
// a refusal.
func govDecide[S any](t *testing.T, d Decider[S], given []Payload, facts Facts, cmd Command) []Payload {
	t.Helper()
	got, err := d.Decide(d.Fold(given...), testProtect(cmd), facts)
	if err != nil {
		t.Fatalf("%T refused: %v", cmd, err)
	}
	if len(got) == 0 {
		t.Fatalf("%T returned no events", cmd)
	}
	return got
}

func govMember(i int) string { return fmt.Sprintf("m%02d", i) }

// govCouncil returns the events of a council of 13 seats with 13 voting
// members (m01 chair, m02 vice chair) and the mayor.
func govCouncil() []Payload {
	evs := []Payload{BodyRegistered{BodyID: govBody, Name: "Δημοτικό Συμβούλιο Αθηναίων", Kind: BodyCouncil, Settings: DefaultBodySettings(13)}}
	for i := 1; i <= 13; i++ {
		role := RoleMember
		switch i {
		case 1:
			role = RoleChair
		case 2:
			role = RoleViceChair
		}
		faction := "fa"
		if i%2 == 0 {
			faction = "fb"
		}
		evs = append(evs, BodyMemberJoined{MemberID: govMember(i), Name: fmt.Sprintf("Σύμβουλος %d", i), FactionID: faction, Role: role})
	}
	return append(evs, BodyMemberJoined{MemberID: "mayor", Name: "Δήμαρχος", FactionID: "fa", Role: RoleMayor})
}

// govFaction returns the events of faction id of body.
func govFaction(id, body string, extra ...Payload) []Payload {
	return append([]Payload{FactionFormed{FactionID: id, BodyID: body, Name: "Παράταξη " + id, ShortName: id, Colour: "#1f77b4", Role: FactionOpposition}}, extra...)
}

// govFactionFacts holds the council's factions fa, fb and fc, a faction
// of another body (fx) and a dissolved one (fd).
func govFactionFacts() Facts {
	f := Facts{}
	for _, id := range []string{"fa", "fb", "fc"} {
		f[FactionStream(id)] = FactionDecider.Fold(govFaction(id, govBody)...)
	}
	f[FactionStream("fx")] = FactionDecider.Fold(govFaction("fx", "epitropi")...)
	f[FactionStream("fd")] = FactionDecider.Fold(govFaction("fd", govBody, FactionDissolved{Reason: "διάλυση"})...)
	return f
}

func govBodyFacts(extra ...Payload) Facts {
	return Facts{StreamName("body", govBody): BodyDecider.Fold(append(govCouncil(), extra...)...)}
}

func govDoc(title string) DocumentRef {
	return DocumentRef{Title: title, MediaType: "application/pdf", Size: 1024,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", URL: "https://example.org/" + title + ".pdf"}
}

func TestBodyRules(t *testing.T) {
	council := govCouncil()
	factions := govFactionFacts()
	withFaction := func(c AddMember, id string) AddMember { c.FactionID = id; return c }
	add := func(id string, role MemberRole) AddMember {
		return AddMember{BodyID: govBody, MemberID: id, Name: "Νέα Σύμβουλος", FactionID: "fc", Role: role, At: govT0}
	}
	bad := DefaultBodySettings(13)
	bad.Quorum = Threshold{Numerator: 3, Denominator: 2}
	badMajority := DefaultBodySettings(13)
	badMajority.Majorities = map[QuestionType]MajorityRule{"budget": {Kind: MajorityQualified}}
	govCheckRefusals(t, BodyDecider, []govRefusal{
		{name: "a body id with a space is invalid", cmd: RegisterBody{BodyID: "a b", Name: "x", Kind: BodyCouncil, Settings: DefaultBodySettings(13)}, want: CodeInvalid},
		{name: "an unknown body kind is invalid", cmd: RegisterBody{BodyID: "b", Name: "x", Kind: "senate", Settings: DefaultBodySettings(13)}, want: CodeInvalid},
		{name: "a body without seats is invalid", cmd: RegisterBody{BodyID: "b", Name: "x", Kind: BodyCouncil}, want: CodeInvalid},
		{name: "a quorum over the whole is invalid", cmd: RegisterBody{BodyID: "b", Name: "x", Kind: BodyCouncil, Settings: bad}, want: CodeInvalid},
		{name: "a qualified majority without a fraction is invalid", cmd: RegisterBody{BodyID: "b", Name: "x", Kind: BodyCouncil, Settings: badMajority}, want: CodeInvalid},
		{name: "a blank name is invalid", cmd: RegisterBody{BodyID: "b", Name: "  ", Kind: BodyCouncil, Settings: DefaultBodySettings(13)}, want: CodeInvalid},
		{name: "registering a body twice is a conflict", given: council, cmd: RegisterBody{BodyID: govBody, Name: "x", Kind: BodyCouncil, Settings: DefaultBodySettings(13)}, want: CodeConflict},
		{name: "a member of an unregistered body is not found", cmd: add("m99", RoleMember), want: CodeNotFound},
		{name: "a member seated twice is a conflict", given: council, facts: factions, cmd: add(govMember(3), RoleMember), want: CodeConflict},
		{name: "a second chair is a conflict", given: council, facts: factions, cmd: add("m99", RoleChair), want: CodeConflict},
		{name: "a voting member beyond the seats is a conflict", given: council, facts: factions, cmd: add("m99", RoleMember), want: CodeConflict},
		{name: "a member of a faction that does not exist is not found", given: council, facts: factions, cmd: withFaction(add("m99", RoleMayor), "fz"), want: CodeNotFound},
		{name: "a member of another body's faction is invalid", given: council, facts: factions, cmd: withFaction(add("m99", RoleMayor), "fx"), want: CodeInvalid},
		{name: "a member of a dissolved faction is a conflict", given: council, facts: factions, cmd: withFaction(add("m99", RoleMayor), "fd"), want: CodeConflict},
		{name: "moving a member to a faction that does not exist is not found", given: council, facts: factions, cmd: ChangeMemberFaction{BodyID: govBody, MemberID: govMember(2), FactionID: "fz"}, want: CodeNotFound},
		{name: "moving a member to another body's faction is invalid", given: council, facts: factions, cmd: ChangeMemberFaction{BodyID: govBody, MemberID: govMember(2), FactionID: "fx"}, want: CodeInvalid},
		{name: "an unknown role is invalid", given: council, cmd: add("m99", "king"), want: CodeInvalid},
		{name: "removing someone who does not sit is not found", given: council, cmd: RemoveMember{BodyID: govBody, MemberID: "m99", Reason: "παραίτηση"}, want: CodeNotFound},
		{name: "removing without a reason is invalid", given: council, cmd: RemoveMember{BodyID: govBody, MemberID: govMember(3)}, want: CodeInvalid},
		{name: "giving a member the role they hold is a conflict", given: council, cmd: ChangeMemberRole{BodyID: govBody, MemberID: govMember(1), Role: RoleChair}, want: CodeConflict},
		{name: "making a second chair by a role change is a conflict", given: council, cmd: ChangeMemberRole{BodyID: govBody, MemberID: govMember(3), Role: RoleChair}, want: CodeConflict},
		{name: "moving a member to their own faction is a conflict", given: council, cmd: ChangeMemberFaction{BodyID: govBody, MemberID: govMember(2), FactionID: "fb"}, want: CodeConflict},
		{name: "settings with fewer seats than voting members are a conflict", given: council, cmd: ChangeBodySettings{BodyID: govBody, Settings: DefaultBodySettings(11), Reason: "απογραφή"}, want: CodeConflict},
		{name: "settings changed without a reason are invalid", given: council, cmd: ChangeBodySettings{BodyID: govBody, Settings: DefaultBodySettings(17)}, want: CodeInvalid},
		{name: "a command of another aggregate is invalid", given: council, cmd: AdjournMeeting{MeetingID: "x"}, want: CodeInvalid},
	})
}

func TestBodyLifecycle(t *testing.T) {
	t.Run("a council is registered with the Greek defaults", func(t *testing.T) {
		s := BodyDecider.Fold(govCouncil()...)
		if !s.Exists || s.Settings.NoticeDays != 5 || s.Settings.Seats != 13 || !s.Settings.ChairBreaksTie {
			t.Fatalf("state %+v", s)
		}
		if s.VotingMembers() != 13 || s.IsVotingMember("mayor") || !s.IsVotingMember(govMember(5)) {
			t.Fatalf("voting members %d, mayor votes %v", s.VotingMembers(), s.IsVotingMember("mayor"))
		}
		if c, _ := s.Holder(RoleChair); c.ID != govMember(1) {
			t.Fatalf("chair %q", c.ID)
		}
	})
	t.Run("a member leaves and another takes the free seat", func(t *testing.T) {
		given := govCouncil()
		evs := govDecide(t, BodyDecider, given, nil, RemoveMember{BodyID: govBody, MemberID: govMember(13), Reason: "Παραίτηση", At: govT0})
		given = append(given, evs...)
		evs = govDecide(t, BodyDecider, given, govFactionFacts(), AddMember{BodyID: govBody, MemberID: "m14", Name: "Ελένη Οικονόμου", FactionID: "fb", Role: RoleMember, At: govT0})
		s := BodyDecider.Fold(append(given, evs...)...)
		if _, ok := s.Member(govMember(13)); ok {
			t.Fatal("the member who left still sits")
		}
		if m, _ := s.Member("m14"); m.Name != "Ελένη Οικονόμου" || s.VotingMembers() != 13 {
			t.Fatalf("new member %+v, voting %d", m, s.VotingMembers())
		}
	})
	t.Run("the chair hands over and the vice chair takes the chair", func(t *testing.T) {
		given := govCouncil()
		given = append(given, govDecide(t, BodyDecider, given, nil, ChangeMemberRole{BodyID: govBody, MemberID: govMember(1), Role: RoleMember})...)
		given = append(given, govDecide(t, BodyDecider, given, nil, ChangeMemberRole{BodyID: govBody, MemberID: govMember(2), Role: RoleChair})...)
		given = append(given, govDecide(t, BodyDecider, given, nil, ChangeMemberFaction{BodyID: govBody, MemberID: govMember(2), FactionID: ""})...)
		s := BodyDecider.Fold(given...)
		if c, _ := s.Holder(RoleChair); c.ID != govMember(2) || c.FactionID != "" {
			t.Fatalf("chair %+v", c)
		}
	})
	t.Run("evolving never mutates the state it was given", func(t *testing.T) {
		before := BodyDecider.Fold(govCouncil()...)
		members := len(before.Members)
		_ = BodyDecider.Evolve(before, BodyMemberLeft{MemberID: govMember(3), Reason: "x"})
		_ = BodyDecider.Evolve(before, BodyMemberJoined{MemberID: "zz", Name: "x", Role: RoleMember})
		s2 := BodyDecider.Evolve(before, BodySettingsChanged{Settings: DefaultBodySettings(17), Reason: "x"})
		s2.Settings.NonVotingRoles[0] = RoleChair
		if len(before.Members) != members || !slices.Equal(before.Settings.NonVotingRoles, []MemberRole{RoleMayor}) {
			t.Fatal("the input state changed")
		}
	})
}

func TestThreshold(t *testing.T) {
	half := Threshold{Numerator: 1, Denominator: 2}
	third := Threshold{Numerator: 1, Denominator: 3, Inclusive: true}
	for _, tc := range []struct {
		name        string
		t           Threshold
		count, base int
		want        bool
	}{
		{"7 of 13 is more than half", half, 7, 13, true},
		{"6 of 13 is not more than half", half, 6, 13, false},
		{"7 of 14 is not more than half", half, 7, 14, false},
		{"5 of 13 is at least a third", third, 5, 13, true},
		{"4 of 13 is not a third", third, 4, 13, false},
		{"11 of 33 is exactly a third", third, 11, 33, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.Met(tc.count, tc.base); got != tc.want {
				t.Fatalf("Met(%d, %d) = %v", tc.count, tc.base, got)
			}
		})
	}
}
