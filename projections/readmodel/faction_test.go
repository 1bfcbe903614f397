package readmodel_test

import (
	"context"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

func TestFactions(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 1)
	e.add(t, events.FactionStream("ls1"), day(3, 1), events.FactionRoleChanged{Role: events.FactionOpposition, Reason: "Αποχώρηση από τη συνεργασία"},
		events.FactionDetailsChanged{Name: "Λαϊκή Συσπείρωση Καλλιθέας", ShortName: "ΛΣΚ", Colour: "#CC79A7"})
	e.add(t, events.FactionStream("ind1"), day(3, 2), events.FactionDissolved{Reason: "Κανένα μέλος"})
	// A membership of schema 1 named its faction by free text.
	legacy := events.LegacyFactionID("Πράσινη Πόλη")
	e.add(t, "body-council1", day(3, 3), events.BodyMemberJoined{MemberID: "petrou", Name: "Άννα Πέτρου", FactionID: legacy,
		LegacyFaction: "Πράσινη Πόλη", Role: events.RoleMember})
	e.sync(t)
	s := e.snap(t)

	t.Run("a faction holds its stream's details, role and leader", func(t *testing.T) {
		f, err := s.Faction(ctx, "np1")
		if err != nil || f.Name != "Νέα Πορεία" || f.ShortName != "ΝΠ" || f.Colour != "#0072B2" || f.Role != "opposition" ||
			f.LeaderID != "georgiou" || f.BodyID != "council1" || !f.FormedAt.Equal(day(1, 2)) || !f.DissolvedAt.IsZero() {
			t.Fatalf("%+v, %v", f, err)
		}
		f, _ = s.Faction(ctx, "ls1")
		if f.Role != "opposition" || f.ShortName != "ΛΣΚ" || f.Colour != "#CC79A7" {
			t.Fatalf("changed faction %+v", f)
		}
		if f, _ := s.Faction(ctx, "ind1"); !f.DissolvedAt.Equal(day(3, 2)) {
			t.Fatalf("dissolved faction %+v", f)
		}
	})
	t.Run("a faction named by a schema 1 membership reads by its name", func(t *testing.T) {
		f, err := s.Faction(ctx, legacy)
		if err != nil || f.Name != "Πράσινη Πόλη" || f.BodyID != "council1" || f.Colour != "" {
			t.Fatalf("%+v, %v", f, err)
		}
	})
	t.Run("a body's factions list by id", func(t *testing.T) {
		l, err := s.Factions(ctx, readmodel.FactionFilter{BodyID: "council1"})
		if err != nil || len(l.Items) != 4 {
			t.Fatalf("%+v, %v", l.Items, err)
		}
		for i := 1; i < len(l.Items); i++ {
			if l.Items[i-1].ID >= l.Items[i].ID {
				t.Fatalf("not by id: %+v", l.Items)
			}
		}
	})
	t.Run("a faction's membership history is the memberships of its id", func(t *testing.T) {
		l, err := s.Memberships(ctx, readmodel.MembershipFilter{Faction: "np1"})
		if err != nil || len(l.Items) != 2 {
			t.Fatalf("%+v, %v", l.Items, err)
		}
	})
	t.Run("the factions dataset counts who ever sat for each", func(t *testing.T) {
		members := map[string]int64{}
		var cols []string
		err := s.ScanDataset(ctx, "factions", func(c []string) error { cols = c; return nil }, func(vals []any) error {
			members[vals[1].(string)] = vals[len(vals)-1].(int64)
			return nil
		})
		if err != nil || members["np1"] != 2 || members["ind1"] != 1 || members[legacy] != 1 || cols[4] != "colour" {
			t.Fatalf("%v %v, %v", cols, members, err)
		}
	})
}

func TestRequestLocationAndDescription(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	ref, err := e.vault.Put(ctx, events.Person{Name: "Γιώργος Νικολάου"})
	if err != nil {
		t.Fatal(err)
	}
	author, sealed, err := e.vault.Seal(ctx, ref, events.RequestEntity("r-loc"), "Λακκούβα", "Βαθιά λακκούβα μπροστά στο σχολείο.")
	if err != nil {
		t.Fatal(err)
	}
	lat, long := 37.4467, 24.9431
	e.add(t, "request-r-loc", day(3, 1), events.RequestSubmitted{RequestID: "r-loc", Category: events.RequestService, Subject: sealed[0],
		Description: sealed[1], Location: &events.RequestLocation{Lat: &lat, Long: &long, Address: "Ερμού 12, Καλλιθέα"},
		Channel: events.RequestViaWeb, Author: author, SubmittedAt: day(3, 1)})
	e.add(t, "request-r-plain", day(3, 1), events.RequestSubmitted{RequestID: "r-plain", Category: events.RequestInformation,
		LegacySubject: "Πρακτικά", Channel: events.RequestViaWeb, SubmittedAt: day(3, 1)})
	e.sync(t)

	r, err := e.snap(t).Request(ctx, "r-loc")
	if err != nil || r.Description != "Βαθιά λακκούβα μπροστά στο σχολείο." || r.Address != "Ερμού 12, Καλλιθέα" || r.Lat == nil || *r.Lat != lat || *r.Long != long {
		t.Fatalf("%+v, %v", r, err)
	}
	if r, _ := e.snap(t).Request(ctx, "r-plain"); r.Lat != nil || r.Long != nil || r.Address != "" || r.Description != "" {
		t.Fatalf("a request without a location: %+v", r)
	}
	t.Run("forgetting the requester replaces the description too", func(t *testing.T) {
		if err := e.vault.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		e.add(t, "subject-"+events.NewErasureID(), day(4, 1), events.SubjectForgotten{Reason: "άρθρο 17 ΓΚΠΔ"})
		e.sync(t)
		r, _ := e.snap(t).Request(ctx, "r-loc")
		if r.Description != events.ForgottenText || r.Subject != events.ForgottenText || r.Address == "" {
			t.Fatalf("%+v", r)
		}
	})
}
