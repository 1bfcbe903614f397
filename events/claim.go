package events

import "strings"

// A claim makes something unique across the record: one decision per
// passed vote, one passed vote per agenda item, one register id per
// decision, one meeting per item id. It is a stream of its own,
// "claim-<kind>-<key>", whose one event names the stream that took it.
// A decider reads the claim as a fact (its command Needs the claim's
// stream), refuses the command when it is taken, and otherwise takes it by
// returning ClaimTaken inside OnStream. The command service appends the
// claim together with the command's events in one atomic step, with the
// claim's stream expected absent, so two commands racing for the same
// claim cannot both succeed.

// ClaimTaken records that the stream By took a claim.
type ClaimTaken struct {
	By string `json:"by"`
}

func (ClaimTaken) EventType() string { return "claim.taken" }

// ClaimState is a claim folded from its stream; By is empty while the claim
// is free.
type ClaimState struct {
	By string
}

// ClaimDecider folds claims. Claims are taken only by other deciders
// through OnStream; no command addresses a claim's stream.
var ClaimDecider = Decider[ClaimState]{
	Kind:    "claim",
	Initial: func() ClaimState { return ClaimState{} },
	Evolve: func(s ClaimState, p Payload) ClaimState {
		if e, ok := p.(ClaimTaken); ok && s.By == "" {
			s.By = e.By
		}
		return s
	},
	Decide: func(_ ClaimState, c Command, _ Facts) ([]Payload, error) {
		return nil, Invalidf("command %T: claims are taken by the commands they protect", c)
	},
}

func init() {
	Register[ClaimTaken]("claim", 1, "A unique claim (such as the decision of a passed vote, or a register id) was taken by the stream named.")
	RegisterDecider(ClaimDecider)
}

// claimKeySeparator joins the parts of a composite claim key; it is
// outside the id alphabet, so no two keys read alike.
const claimKeySeparator = "~"

// ClaimStream names the claim of kind on key, whose parts are ids.
func ClaimStream(kind string, key ...string) string {
	return StreamName("claim", kind+"-"+strings.Join(key, claimKeySeparator))
}

// claimHolder returns who took the claim of stream in f, "" when free.
func claimHolder(f Facts, stream string) string {
	c, _ := FactOf[ClaimState](f, stream)
	return c.By
}

// takeClaim is the payload that takes the claim of stream for the
// command's own stream.
func takeClaim(stream, by string) OnStream {
	return OnStream{Stream: stream, Payload: ClaimTaken{By: by}}
}

// OnStream is a payload a decider returns for another stream than its
// command's: one of the streams the command Needs, read as a fact. The
// command service appends it to that stream in the same atomic step as the
// command's own events, at the version the fact was read.
type OnStream struct {
	Stream  string
	Payload Payload
}

func (o OnStream) EventType() string { return o.Payload.EventType() }
