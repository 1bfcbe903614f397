package events

import (
	"encoding/json"
	"testing"
)

func TestFactionRules(t *testing.T) {
	council := govBodyFacts()
	formed := govFaction("fa", govBody)
	form := func(edit func(*FormFaction)) FormFaction {
		c := FormFaction{FactionID: "fa", BodyID: govBody, Name: "Καλλιθέα Μπροστά", ShortName: "ΚΜ", Colour: "#1f77b4", Role: FactionMajority, At: govT0}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	withoutFA := govBodyFacts()
	b := withoutFA[StreamName("body", govBody)].(BodyState)
	for id, m := range b.Members {
		if m.FactionID == "fa" {
			b = BodyDecider.Evolve(b, BodyMemberLeft{MemberID: id, Reason: "x"})
		}
	}
	withoutFA[StreamName("body", govBody)] = b
	govCheckRefusals(t, FactionDecider, []govRefusal{
		{name: "a faction of a body that does not exist is not found", cmd: form(nil), want: CodeNotFound},
		{name: "a faction id with a space is invalid", facts: council, cmd: form(func(c *FormFaction) { c.FactionID = "f a" }), want: CodeInvalid},
		{name: "a faction without a name is invalid", facts: council, cmd: form(func(c *FormFaction) { c.Name = " " }), want: CodeInvalid},
		{name: "a short name over 20 characters is invalid", facts: council, cmd: form(func(c *FormFaction) { c.ShortName = "Καλλιθέα Μπροστά για όλους" }), want: CodeInvalid},
		{name: "a colour that is not #rrggbb is invalid", facts: council, cmd: form(func(c *FormFaction) { c.Colour = "blue" }), want: CodeInvalid},
		{name: "a colour with a non-hex digit is invalid", facts: council, cmd: form(func(c *FormFaction) { c.Colour = "#12345g" }), want: CodeInvalid},
		{name: "a role other than majority or opposition is invalid", facts: council, cmd: form(func(c *FormFaction) { c.Role = "government" }), want: CodeInvalid},
		{name: "forming a faction twice is a conflict", given: formed, facts: council, cmd: form(nil), want: CodeConflict},
		{name: "renaming a faction that does not exist is not found", cmd: ChangeFactionDetails{FactionID: "fa", Name: "x", ShortName: "x", Colour: "#000000"}, want: CodeNotFound},
		{name: "details that change nothing are a conflict", given: formed, cmd: ChangeFactionDetails{FactionID: "fa", Name: "Παράταξη fa", ShortName: "fa", Colour: "#1f77b4"}, want: CodeConflict},
		{name: "a leader who does not sit in the body is a conflict", given: formed, facts: council, cmd: ChangeFactionLeader{FactionID: "fa", MemberID: "m99"}, want: CodeConflict},
		{name: "a leader who sits for another faction is a conflict", given: formed, facts: council, cmd: ChangeFactionLeader{FactionID: "fa", MemberID: govMember(2)}, want: CodeConflict},
		{name: "the same role is a conflict", given: formed, cmd: ChangeFactionRole{FactionID: "fa", Role: FactionOpposition, Reason: "x"}, want: CodeConflict},
		{name: "a role change without a reason is invalid", given: formed, cmd: ChangeFactionRole{FactionID: "fa", Role: FactionMajority}, want: CodeInvalid},
		{name: "dissolving a faction members still sit for is a conflict", given: formed, facts: council, cmd: DissolveFaction{FactionID: "fa", Reason: "Διάσπαση"}, want: CodeConflict},
		{name: "dissolving without a reason is invalid", given: formed, facts: withoutFA, cmd: DissolveFaction{FactionID: "fa"}, want: CodeInvalid},
		{name: "a dissolved faction changes no more", given: append(formed, FactionDissolved{Reason: "x"}), cmd: ChangeFactionRole{FactionID: "fa", Role: FactionMajority, Reason: "x"}, want: CodeConflict},
		{name: "a command of another aggregate is invalid", given: formed, cmd: AdjournMeeting{MeetingID: "x"}, want: CodeInvalid},
	})

	t.Run("a faction is formed, led, moves to the majority and is dissolved when empty", func(t *testing.T) {
		given := govDecide(t, FactionDecider, nil, council, form(func(c *FormFaction) { c.Role = FactionOpposition }))
		given = append(given, govDecide(t, FactionDecider, given, council, ChangeFactionLeader{FactionID: "fa", MemberID: govMember(3), At: govT0})...)
		given = append(given, govDecide(t, FactionDecider, given, nil, ChangeFactionRole{FactionID: "fa", Role: FactionMajority, Reason: "Συνεργασία με τη δημοτική αρχή", At: govT0})...)
		given = append(given, govDecide(t, FactionDecider, given, nil, ChangeFactionDetails{FactionID: "fa", Name: "Καλλιθέα Μπροστά", ShortName: "ΚΜ", Colour: "#D62728", At: govT0})...)
		s := FactionDecider.Fold(given...)
		if s.Leader != govMember(3) || s.Role != FactionMajority || s.Colour != "#D62728" || s.BodyID != govBody {
			t.Fatalf("state %+v", s)
		}
		given = append(given, govDecide(t, FactionDecider, given, withoutFA, DissolveFaction{FactionID: "fa", Reason: "Τα μέλη της αποχώρησαν", At: govT0})...)
		if s := FactionDecider.Fold(given...); !s.Dissolved || s.Leader != "" {
			t.Fatalf("dissolved state %+v", s)
		}
	})
	t.Run("a member joins a faction of their body", func(t *testing.T) {
		given := govCouncil()
		given = append(given, govDecide(t, BodyDecider, given, nil, RemoveMember{BodyID: govBody, MemberID: govMember(13), Reason: "Παραίτηση", At: govT0})...)
		evs := govDecide(t, BodyDecider, given, govFactionFacts(), AddMember{BodyID: govBody, MemberID: "m14", Name: "Ελένη Οικονόμου", FactionID: "fc", Role: RoleMember, At: govT0})
		if e := evs[0].(BodyMemberJoined); e.FactionID != "fc" || e.LegacyFaction != "" {
			t.Fatalf("event %+v", e)
		}
	})
}

func TestMembershipV1ReadsWithALegacyFactionID(t *testing.T) {
	for _, c := range []struct{ typ, v1 string }{
		{"body.member_joined", `{"member_id":"m1","name":"Νίκος Παππάς","faction":"Λαϊκή Συσπείρωση","role":"member"}`},
		{"body.member_faction_changed", `{"member_id":"m1","faction":"Λαϊκή Συσπείρωση"}`},
	} {
		t.Run(c.typ, func(t *testing.T) {
			p, err := Decode(RecordedEvent{Type: c.typ, Schema: 1, Data: json.RawMessage(c.v1)})
			if err != nil {
				t.Fatal(err)
			}
			var id, legacy string
			switch e := p.(type) {
			case BodyMemberJoined:
				id, legacy = e.FactionID, e.LegacyFaction
			case BodyMemberFactionChanged:
				id, legacy = e.FactionID, e.LegacyFaction
			}
			if id != LegacyFactionID("Λαϊκή Συσπείρωση") || legacy != "Λαϊκή Συσπείρωση" || ValidateID("faction id", id) != nil {
				t.Fatalf("faction id %q, legacy %q", id, legacy)
			}
		})
	}
	t.Run("an independent stays independent", func(t *testing.T) {
		p, err := Decode(RecordedEvent{Type: "body.member_faction_changed", Schema: 1, Data: json.RawMessage(`{"member_id":"m1","faction":""}`)})
		if e, ok := p.(BodyMemberFactionChanged); err != nil || !ok || e.FactionID != "" || e.LegacyFaction != "" {
			t.Fatalf("%+v, %v", p, err)
		}
	})
	t.Run("data that is not an object is invalid", func(t *testing.T) {
		if _, err := Decode(RecordedEvent{Type: "body.member_joined", Schema: 1, Data: json.RawMessage(`[1]`)}); ErrorCode(err) != CodeInvalid {
			t.Fatalf("error %v", err)
		}
	})
}
