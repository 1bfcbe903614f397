package events

import "testing"

func TestProtocolRules(t *testing.T) {
	at := govT0
	entry := func(mut func(*RegisterProtocolEntry)) RegisterProtocolEntry {
		c := RegisterProtocolEntry{EntryID: "p-1", Registry: "geniko", Number: 7, Direction: ProtocolIncoming,
			Subject: "Έγγραφο της Περιφέρειας για τη συντήρηση του οδικού δικτύου", Correspondent: "Περιφέρεια Νοτίου Αιγαίου", At: at}
		if mut != nil {
			mut(&c)
		}
		return c
	}
	request := Facts{RequestStream("r-1"): RequestState{ID: "r-1", Status: RequestStatusSubmitted}}
	forRequest := entry(func(c *RegisterProtocolEntry) { c.Subject, c.Correspondent, c.RequestID = "", "", "r-1" })
	registered := []Payload{ProtocolRegistered{EntryID: "p-1", Registry: "geniko", Number: 7, Year: 2026, Direction: ProtocolIncoming, Subject: "x"}}
	outgoing := Facts{protocolStream("p-0"): ProtocolDecider.Fold(ProtocolRegistered{EntryID: "p-0", Registry: "geniko", Number: 1, Year: 2026, Direction: ProtocolOutgoing, Subject: "x"})}
	requestEntry := Facts{protocolStream("p-0"): ProtocolDecider.Fold(ProtocolRegistered{EntryID: "p-0", Registry: "geniko", Number: 1, Year: 2026, Direction: ProtocolIncoming, RequestID: "r-1"})}
	govCheckRefusals(t, ProtocolDecider, []govRefusal{
		{name: "an entry without a number is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.Number = 0 }), want: CodeInvalid},
		{name: "an entry without a subject is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.Subject = "" }), want: CodeInvalid},
		{name: "an entry of another year is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.Year = 2025 }), want: CodeInvalid},
		{name: "an entry going sideways is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.Direction = "internal" }), want: CodeInvalid},
		{name: "a registry with a space is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.Registry = "a b" }), want: CodeInvalid},
		{name: "a request's entry with the citizen's subject is invalid", facts: request, cmd: entry(func(c *RegisterProtocolEntry) { c.RequestID = "r-1" }), want: CodeInvalid},
		{name: "an incoming reply is invalid", cmd: entry(func(c *RegisterProtocolEntry) { c.InReplyTo = "p-0" }), want: CodeInvalid},
		{name: "an entry id used twice is a conflict", given: registered, cmd: entry(nil), want: CodeConflict},
		{name: "an entry of an unknown request is not found", cmd: forRequest, want: CodeNotFound},
		{name: "an entry of an unknown decision is not found", cmd: entry(func(c *RegisterProtocolEntry) { c.DecisionID = "d-9" }), want: CodeNotFound},
		{name: "a reply to an unknown entry is not found", cmd: entry(func(c *RegisterProtocolEntry) { c.Direction, c.InReplyTo = ProtocolOutgoing, "p-0" }), want: CodeNotFound},
		{name: "a reply to an outgoing entry is a conflict", facts: outgoing, cmd: entry(func(c *RegisterProtocolEntry) { c.Direction, c.InReplyTo = ProtocolOutgoing, "p-0" }), want: CodeConflict},
		{name: "a request's outgoing entry naming a correspondent is invalid", facts: request, cmd: entry(func(c *RegisterProtocolEntry) { c.Direction, c.RequestID = ProtocolOutgoing, "r-1" }), want: CodeInvalid},
		{name: "a reply to a request's entry naming a correspondent is invalid", facts: requestEntry, cmd: entry(func(c *RegisterProtocolEntry) { c.Direction, c.InReplyTo = ProtocolOutgoing, "p-0" }), want: CodeInvalid},
		{name: "a second protocol number for a request is a conflict", facts: govFacts(request, Facts{protocolRequestClaim("r-1"): ClaimState{By: "protocol-p-0"}}), cmd: forRequest, want: CodeConflict},
		{name: "a command of another aggregate is invalid", cmd: OpenVote{VoteID: "v"}, want: CodeInvalid},
	})
	t.Run("a reply to a request's entry names no correspondent", func(t *testing.T) {
		reply := entry(func(c *RegisterProtocolEntry) {
			c.Direction, c.InReplyTo, c.Subject, c.Correspondent = ProtocolOutgoing, "p-0", "Απάντηση σε αίτημα πρόσβασης σε έγγραφα", ""
		})
		if evs := govDecide(t, ProtocolDecider, nil, requestEntry, reply); evs[0].(ProtocolRegistered).InReplyTo != "p-0" {
			t.Fatalf("reply %+v", evs[0])
		}
	})
	t.Run("a request's entry names the request alone and claims it", func(t *testing.T) {
		evs := govDecide(t, ProtocolDecider, nil, request, forRequest)
		if e := evs[0].(ProtocolRegistered); e.Ref() != "7/2026" || e.Subject != "" || e.RequestID != "r-1" {
			t.Fatalf("entry %+v", e)
		}
		if c, ok := evs[1].(OnStream); !ok || c.Stream != protocolRequestClaim("r-1") {
			t.Fatalf("no claim on the request: %v", evs)
		}
	})
}
