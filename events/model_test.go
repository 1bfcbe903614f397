package events_test

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
)

// TestModelMunicipality generates random sequences of valid and invalid
// commands over a small municipality (a council of seven, one sitting
// meeting, three items, a signed contract), runs them through the command
// service on a real SQLite log, and after every step checks the log
// against an independent, simple model of what must hold:
//
//   - a refused command wrote nothing;
//   - a command the model knows must be refused is refused;
//   - every decision refers to a distinct passed vote, or a declared
//     exception;
//   - decision numbers of each register and year run 1, 2, 3... without
//     gaps or repeats;
//   - payments never exceed the contract value, and no amount is negative;
//   - no step of a stream precedes the step before it;
//   - every ballot's member sat in the body and was present when it was cast.
//
// It runs a few checks in go test; make fuzz runs it longer
// (-rapid.checks, -rapid.steps). A failure prints its -rapid.seed: add the
// seed to modelRegressionSeeds so it is replayed in every run.
func TestModelMunicipality(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		// The default of rapid is minutes here; make fuzz asks for more.
		_ = flag.Set("rapid.checks", "6")
	}
	for _, seed := range modelRegressionSeeds {
		t.Run("regression seed "+strconv.FormatUint(seed, 10), func(t *testing.T) {
			old := flag.Lookup("rapid.seed").Value.String()
			_ = flag.Set("rapid.seed", strconv.FormatUint(seed, 10))
			defer flag.Set("rapid.seed", old)
			rapid.Check(t, func(rt *rapid.T) { runModel(rt, t) })
		})
	}
	rapid.Check(t, func(rt *rapid.T) { runModel(rt, t) })
}

// modelRegressionSeeds are seeds that once found a gap.
var modelRegressionSeeds = []uint64{}

const modelContract = 1_000_00

type model struct {
	ctx     context.Context
	store   *sqlite.Store
	svc     *events.Service
	at      time.Time
	present map[string]bool
	sitting bool
	votes   []string
	closed  map[string]bool
	decided map[string]bool
	nextID  int
	paid    int64
}

func runModel(rt *rapid.T, t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), fmt.Sprintf("model-%d.db", time.Now().UnixNano())), sqlite.Options{})
	if err != nil {
		rt.Fatal(err)
	}
	defer st.Close()
	m := &model{ctx: ctx, store: st, svc: events.Unguarded(events.NewService(st, events.ServiceOptions{})), at: muSitting,
		present: map[string]bool{}, closed: map[string]bool{}, decided: map[string]bool{}}
	m.setup(rt)

	members := []string{"m01", "m02", "m03", "m04", "m05", "m06", "m07", "m99"}
	rt.Repeat(map[string]func(*rapid.T){
		"open vote": func(rt *rapid.T) {
			id := m.id("v")
			item := rapid.SampledFrom([]string{"it-1", "it-2", "it-3"}).Draw(rt, "item")
			_, err := m.handle(rt, events.OpenVote{VoteID: id, BodyID: "ds", MeetingID: "mt", ItemID: item, Question: "Εγκρίνεται;", Method: events.VoteRollCall, At: m.tick(rt)})
			if err == nil {
				m.votes = append(m.votes, id)
			}
		},
		"cast ballot": func(rt *rapid.T) {
			if len(m.votes) == 0 {
				rt.Skip("no vote")
			}
			v := rapid.SampledFrom(m.votes).Draw(rt, "vote")
			member := rapid.SampledFrom(members).Draw(rt, "member")
			choice := rapid.SampledFrom([]events.BallotChoice{events.BallotYes, events.BallotYes, events.BallotNo, events.BallotAbstain, "maybe"}).Draw(rt, "choice")
			_, err := m.handle(rt, events.CastBallot{VoteID: v, BodyID: "ds", MeetingID: "mt", MemberID: member, Choice: choice, At: m.tick(rt)})
			if err == nil && (m.closed[v] || !m.present[member] || !m.sitting || choice == "maybe") {
				rt.Fatalf("ballot of %s in %s accepted: closed %v, present %v, sitting %v, choice %s", member, v, m.closed[v], m.present[member], m.sitting, choice)
			}
		},
		"close vote": func(rt *rapid.T) {
			if len(m.votes) == 0 {
				rt.Skip("no vote")
			}
			v := rapid.SampledFrom(m.votes).Draw(rt, "vote")
			_, err := m.handle(rt, events.CloseVote{VoteID: v, BodyID: "ds", MeetingID: "mt", At: m.tick(rt)})
			if err == nil {
				if m.closed[v] {
					rt.Fatalf("vote %s closed twice", v)
				}
				m.closed[v] = true
			}
		},
		"member leaves or arrives": func(rt *rapid.T) {
			member := rapid.SampledFrom(members[1:7]).Draw(rt, "member")
			var cmd events.Command = events.RecordDeparture{MeetingID: "mt", MemberID: member, At: m.tick(rt)}
			if !m.present[member] {
				cmd = events.RecordArrival{MeetingID: "mt", BodyID: "ds", MemberID: member, At: m.tick(rt)}
			}
			if _, err := m.handle(rt, cmd); err == nil {
				m.present[member] = !m.present[member]
			}
		},
		"adopt a decision": func(rt *rapid.T) {
			id := m.id("d")
			if rapid.Bool().Draw(rt, "reuse id") && m.nextID > 1 {
				id = "d-" + strconv.Itoa(rapid.IntRange(1, m.nextID-1).Draw(rt, "old"))
			}
			c := muAdopt(id, "", m.tick(rt))
			if len(m.votes) > 0 && rapid.IntRange(0, 3).Draw(rt, "exception") > 0 {
				c.VoteID = rapid.SampledFrom(m.votes).Draw(rt, "vote")
			} else {
				c.Exception = &events.DecisionException{Kind: rapid.SampledFrom([]string{events.ExceptionMayorDecision, "pardon"}).Draw(rt, "kind"), LegalBasis: "άρθρο 58"}
			}
			_, err := m.handle(rt, c)
			if err == nil && c.VoteID != "" {
				if m.decided[c.VoteID] || !m.closed[c.VoteID] {
					rt.Fatalf("decision %s from vote %s accepted: decided %v, closed %v", id, c.VoteID, m.decided[c.VoteID], m.closed[c.VoteID])
				}
				m.decided[c.VoteID] = true
			}
		},
		"pay": func(rt *rapid.T) {
			cents := rapid.Int64Range(-10, modelContract/2).Draw(rt, "cents")
			at := m.tick(rt)
			if rapid.IntRange(0, 4).Draw(rt, "early") == 0 {
				at = muT0 // before the contract was signed
			}
			_, err := m.handle(rt, events.RecordPayment{OCID: "ocds-abc123-2026-0001", PaymentID: m.id("p"), Amount: events.EUR(cents), InvoiceRef: "ΤΠΥ", At: at})
			if err == nil {
				m.paid += cents
			}
		},
		"malformed command": func(rt *rapid.T) {
			title := rapid.SampledFrom([]string{"", "Θέμα\x00", "Θέμα\u202e", "\xff", "a/b"}).Draw(rt, "title")
			id := rapid.SampledFrom([]string{"a/b", "..", "-x", "x\u200b", "it-9"}).Draw(rt, "id")
			if _, err := m.handle(rt, events.AddItem{MeetingID: "mt", ItemID: id, Title: title, Presenter: "Π", At: m.tick(rt)}); err == nil {
				rt.Fatalf("item %q titled %q accepted", id, title)
			}
		},
		"adjourn": func(rt *rapid.T) {
			if rapid.IntRange(0, 5).Draw(rt, "rarely") != 0 {
				rt.Skip("not now")
			}
			if _, err := m.handle(rt, events.AdjournMeeting{MeetingID: "mt", At: m.tick(rt)}); err == nil {
				m.sitting = false
			}
		},
		"": m.check,
	})
}

func (m *model) id(prefix string) string {
	m.nextID++
	return fmt.Sprintf("%s-%d", prefix, m.nextID)
}

// tick moves the clock of the world a little, sometimes backwards.
func (m *model) tick(rt *rapid.T) time.Time {
	m.at = m.at.Add(time.Duration(rapid.IntRange(-2, 10).Draw(rt, "minutes")) * time.Minute)
	return m.at
}

// handle runs cmd and checks that a refusal wrote nothing.
func (m *model) handle(rt *rapid.T, cmd events.Command) (events.Handled, error) {
	before, _ := m.store.Head(m.ctx)
	h, err := m.svc.Handle(m.ctx, cmd)
	if err != nil {
		if code := events.ErrorCode(err); code == events.CodeInternal {
			rt.Fatalf("%T: internal error %v", cmd, err)
		}
		if after, _ := m.store.Head(m.ctx); after != before {
			rt.Fatalf("%T was refused (%v) but the log moved from %d to %d", cmd, err, before, after)
		}
	}
	return h, err
}

func (m *model) setup(rt *rapid.T) {
	must := func(c events.Command) {
		if _, err := m.svc.Handle(m.ctx, c); err != nil {
			rt.Fatalf("setup %T: %v", c, err)
		}
	}
	must(events.RegisterBody{BodyID: "ds", Name: "Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(7), At: muT0})
	for i := 1; i <= 7; i++ {
		must(events.AddMember{BodyID: "ds", MemberID: muMember(i), Name: "Μέλος " + strconv.Itoa(i), Role: events.RoleMember, At: muT0})
	}
	must(events.ScheduleMeeting{MeetingID: "mt", BodyID: "ds", StartsAt: muStarts, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: muT0})
	for _, it := range []string{"it-1", "it-2", "it-3"} {
		must(events.AddItem{MeetingID: "mt", ItemID: it, Title: "Θέμα " + it, Presenter: "Π", At: muT0})
	}
	must(events.PublishAgenda{MeetingID: "mt", BodyID: "ds", ConsultationClosesAt: muStarts.Add(-time.Hour), At: muT0})
	must(events.ConveneMeeting{MeetingID: "mt", BodyID: "ds", Present: []string{"m01", "m02", "m03", "m04", "m05"}, PresidingMemberID: "m01", At: muSitting})
	for _, p := range []string{"m01", "m02", "m03", "m04", "m05"} {
		m.present[p] = true
	}
	m.sitting = true
	must(events.RegisterSupplier{VATID: "EL094019245", SupplierDetails: events.SupplierDetails{Name: "Πήλιο", Kind: events.SupplierCooperative, Locality: "Πορταριά", Municipality: "Βόλου", Country: "GR"}, At: muT0})
	must(muMayor("d-0", muT0))
	const ocid = "ocds-abc123-2026-0001"
	must(events.PlanProcurement{OCID: ocid, Title: "Πράσινο", Description: "Κλάδεμα.", BuyerBodyID: "ds", Budget: events.EUR(2 * modelContract), CPV: []string{"77310000-6"}, Method: events.ProcurementOpen, At: muT0})
	must(events.PublishTender{OCID: ocid, Procedure: "ανοικτός", Ceiling: events.EUR(modelContract), Deadline: muT0.Add(48 * time.Hour), At: muT0.Add(time.Hour)})
	must(events.RecordBid{OCID: ocid, BidID: "b1", SupplierID: "EL094019245", Value: events.EUR(modelContract), At: muT0.Add(2 * time.Hour)})
	must(events.AwardProcurement{OCID: ocid, SupplierID: "EL094019245", Value: events.EUR(modelContract), DecisionID: "d-0", At: muT0.Add(72 * time.Hour)})
	must(events.SignContract{OCID: ocid, ContractID: "c1", Value: events.EUR(modelContract), Period: events.ContractPeriod{Start: muT0.Add(96 * time.Hour), End: muStarts.Add(365 * 24 * time.Hour)}, At: muT0.Add(96 * time.Hour)})
}

// check folds the whole log with the model's own simple rules and fails on
// the first invariant broken.
func (m *model) check(rt *rapid.T) {
	all, err := m.store.ReadAll(m.ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
	if err != nil {
		rt.Fatal(err)
	}
	present := map[string]bool{}
	members := map[string]bool{}
	votes := map[string]events.VoteClosed{}
	voteDecided := map[string]string{}
	numbers := map[string][]int64{}
	lastStep := map[string]time.Time{}
	var paid int64
	entry := func(typ string) bool {
		switch typ {
		case "counter.advanced", "claim.taken", // not lifecycles: numbers and claims in the order taken
			"vote.ballot_cast", "vote.ballot_changed", "procurement.payment_made", "procurement.bid_received", "procurement.bid_status_changed",
			"body.member_joined", "meeting.member_arrived", "meeting.member_departed":
			return true
		}
		return false
	}
	for _, re := range all {
		p, err := events.Decode(re)
		if err != nil {
			rt.Fatalf("%s at %d: %v", re.Type, re.Position, err)
		}
		if re.OccurredAt.Before(lastStep[re.Stream]) {
			rt.Fatalf("%s at %d happened at %s, before the step at %s of %s", re.Type, re.Position, re.OccurredAt, lastStep[re.Stream], re.Stream)
		}
		if !entry(re.Type) {
			lastStep[re.Stream] = re.OccurredAt
		}
		switch e := p.(type) {
		case events.BodyMemberJoined:
			members[e.MemberID] = true
		case events.MeetingConvened:
			for _, id := range e.Present {
				present[id] = true
			}
		case events.MeetingMemberArrived:
			present[e.MemberID] = true
		case events.MeetingMemberDeparted:
			delete(present, e.MemberID)
		case events.VoteBallotCast:
			if !members[e.MemberID] || !present[e.MemberID] {
				rt.Fatalf("ballot of %s at %d: member %v, present %v", e.MemberID, re.Position, members[e.MemberID], present[e.MemberID])
			}
		case events.VoteClosed:
			_, id, _ := cutKind(re.Stream)
			votes[id] = e
		case events.DecisionAdopted:
			register := e.BodyID
			if e.Exception != nil {
				if e.Exception.Kind != events.ExceptionMayorDecision {
					rt.Fatalf("decision %s with exception %q", e.DecisionID, e.Exception.Kind)
				}
				register += "~" + e.Exception.Kind
			} else {
				v, ok := votes[e.VoteID]
				if !ok || v.Result != events.VotePassed {
					rt.Fatalf("decision %s from vote %s, closed %v with %s", e.DecisionID, e.VoteID, ok, v.Result)
				}
				if other, dup := voteDecided[e.VoteID]; dup {
					rt.Fatalf("vote %s gave decisions %s and %s", e.VoteID, other, e.DecisionID)
				}
				voteDecided[e.VoteID] = e.DecisionID
			}
			key := register + "/" + strconv.Itoa(e.Year)
			numbers[key] = append(numbers[key], e.Number)
		case events.ProcurementPaymentMade:
			if e.Amount.Cents < 0 {
				rt.Fatalf("payment %s of %d cents", e.PaymentID, e.Amount.Cents)
			}
			paid += e.Amount.Cents
		}
	}
	for key, ns := range numbers {
		slices.Sort(ns)
		for i, n := range ns {
			if n != int64(i+1) {
				rt.Fatalf("decision numbers of %s are %v: not 1 to %d without gaps", key, ns, len(ns))
			}
		}
	}
	if paid > modelContract || paid != m.paid {
		rt.Fatalf("paid %d in the log, %d by the model, contract %d", paid, m.paid, modelContract)
	}
}

func cutKind(stream string) (string, string, bool) {
	for i := range stream {
		if stream[i] == '-' {
			return stream[:i], stream[i+1:], true
		}
	}
	return stream, "", false
}
