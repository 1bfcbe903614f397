package events_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// TestMembershipNamesAFactionOfItsBody runs the faction rules through the
// command service, which reads the faction's stream as a fact of the
// body's command: a refused membership writes nothing.
func TestMembershipNamesAFactionOfItsBody(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
	for _, cmd := range []events.Command{
		events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: psAt(0)},
		events.RegisterBody{BodyID: "de", Name: "Δημοτική Επιτροπή", Kind: events.BodyCommittee, Settings: events.DefaultBodySettings(7), At: psAt(0)},
		events.FormFaction{FactionID: "ds-km", BodyID: "ds", Name: "Καλλιθέα Μπροστά", ShortName: "ΚΜ", Colour: "#1f77b4", Role: events.FactionMajority, At: psAt(1)},
		events.FormFaction{FactionID: "de-km", BodyID: "de", Name: "Καλλιθέα Μπροστά", ShortName: "ΚΜ", Colour: "#1f77b4", Role: events.FactionMajority, At: psAt(1)},
		events.AddMember{BodyID: "ds", MemberID: "m1", Name: "Νίκος Παππάς", FactionID: "ds-km", Role: events.RoleMember, At: psAt(2)},
		events.ChangeFactionLeader{FactionID: "ds-km", MemberID: "m1", At: psAt(3)},
	} {
		if _, err := s.Handle(ctx, cmd); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	head, err := st.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cmd  events.Command
		want events.Code
	}{
		{"a faction never formed is not found", events.AddMember{BodyID: "ds", MemberID: "m2", Name: "Άννα Ζαχαρίου", FactionID: "ds-xx", Role: events.RoleMember, At: psAt(4)}, events.CodeNotFound},
		{"a faction of another body is invalid", events.AddMember{BodyID: "ds", MemberID: "m2", Name: "Άννα Ζαχαρίου", FactionID: "de-km", Role: events.RoleMember, At: psAt(4)}, events.CodeInvalid},
		{"moving to another body's faction is invalid", events.ChangeMemberFaction{BodyID: "ds", MemberID: "m1", FactionID: "de-km", At: psAt(4)}, events.CodeInvalid},
		{"a leader who does not sit for the faction is a conflict", events.ChangeFactionLeader{FactionID: "de-km", MemberID: "m1", At: psAt(4)}, events.CodeConflict},
		{"dissolving a faction its leader sits for is a conflict", events.DissolveFaction{FactionID: "ds-km", Reason: "Διάσπαση", At: psAt(4)}, events.CodeConflict},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Handle(ctx, c.cmd); events.ErrorCode(err) != c.want {
				t.Fatalf("error %v, want %s", err, c.want)
			}
			if h, _ := st.Head(ctx); h != head {
				t.Fatalf("head moved from %d to %d: a refused command wrote", head, h)
			}
		})
	}
}
