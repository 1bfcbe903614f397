package events

import (
	"fmt"
	"time"
)

// The protocol (πρωτόκολλο) is the municipality's register of documents
// received and sent: each entry takes the next number of its registry and
// year (αριθμός πρωτοκόλλου), the number the public cites. A citizen's
// request gets its number as an incoming entry that names the request and
// nothing of its author or subject, which stay sealed in the request.

// ProtocolDirection says whether a document came in or went out.
type ProtocolDirection string

const (
	ProtocolIncoming ProtocolDirection = "incoming"
	ProtocolOutgoing ProtocolDirection = "outgoing"
)

// ProtocolRegistered records a protocol entry and its number.
type ProtocolRegistered struct {
	EntryID       string            `json:"entry_id"`
	Registry      string            `json:"registry"`
	Number        int64             `json:"number"`
	Year          int               `json:"year"`
	Direction     ProtocolDirection `json:"direction"`
	Subject       string            `json:"subject,omitempty"`
	Correspondent string            `json:"correspondent,omitempty"`
	RequestID     string            `json:"request_id,omitempty"`
	DecisionID    string            `json:"decision_id,omitempty"`
	InReplyTo     string            `json:"in_reply_to,omitempty"`
	Documents     []DocumentRef     `json:"documents"`
}

// Ref returns the protocol number as cited, "1234/2026".
func (e ProtocolRegistered) Ref() string { return fmt.Sprintf("%d/%d", e.Number, e.Year) }

func (ProtocolRegistered) EventType() string { return "protocol.registered" }

func init() {
	Register[ProtocolRegistered]("protocol", 1, "A document received or sent, or a citizen's request, took the next protocol number of its registry and year.")
	RegisterDecider(ProtocolDecider)
}

// RegisterProtocolEntry records a document in a protocol registry. The
// command service gives it its Number (WithNumber). Subject and
// Correspondent are an official's summary and an organisation or office,
// never a citizen: an incoming entry of a request names only RequestID.
// Year zero means the UTC year of At.
type RegisterProtocolEntry struct {
	EntryID       string
	Registry      string
	Number        int64
	Year          int
	Direction     ProtocolDirection
	Subject       string
	Correspondent string
	RequestID     string
	DecisionID    string
	InReplyTo     string
	Documents     []DocumentRef
	At            time.Time
}

func protocolStream(id string) string { return StreamName("protocol", id) }

func (c RegisterProtocolEntry) Stream() string        { return protocolStream(c.EntryID) }
func (c RegisterProtocolEntry) OccurredAt() time.Time { return c.At }

func (c RegisterProtocolEntry) year() int {
	if c.Year != 0 {
		return c.Year
	}
	return c.At.UTC().Year()
}

// CounterStream is the registry's numbering of the year,
// "protocolnumber-<registry>-<year>".
func (c RegisterProtocolEntry) CounterStream() string {
	return fmt.Sprintf("protocolnumber-%s-%d", c.Registry, c.year())
}

// WithNumber returns the command with its protocol number.
func (c RegisterProtocolEntry) WithNumber(n int64) Command {
	c.Number = n
	return c
}

var _ Sequenced = RegisterProtocolEntry{}

// protocolRequestClaim is the claim an incoming entry takes on its
// request: a request has one protocol number.
func protocolRequestClaim(requestID string) string { return ClaimStream("protocolrequest", requestID) }

// Needs of RegisterProtocolEntry: the request (and, for an incoming
// entry, its claim), the decision and the entry replied to, when named.
func (c RegisterProtocolEntry) Needs() []string {
	var needs []string
	if c.RequestID != "" {
		needs = append(needs, RequestStream(c.RequestID))
		if c.Direction == ProtocolIncoming {
			needs = append(needs, protocolRequestClaim(c.RequestID))
		}
	}
	if c.DecisionID != "" {
		needs = append(needs, decisionStream(c.DecisionID))
	}
	if c.InReplyTo != "" {
		needs = append(needs, protocolStream(c.InReplyTo))
	}
	return needs
}

// ProtocolState is a protocol entry folded from its stream.
type ProtocolState struct {
	ProtocolRegistered
	Exists bool
}

func evolveProtocol(s ProtocolState, p Payload) ProtocolState {
	if e, ok := p.(ProtocolRegistered); ok {
		return ProtocolState{ProtocolRegistered: e, Exists: true}
	}
	return s
}
