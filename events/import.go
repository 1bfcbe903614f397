package events

import (
	"time"

	"github.com/google/uuid"
)

// An import brings a municipality's history into the record: procurement
// published as OCDS, council votes in Popolo, decisions from a register.
// Every imported record goes through the command service like any other
// (WithImport), so the rules run and the actor is checked. Old records lack
// what today's rules ask of new ones (a vote behind every decision, the
// decisions cited by a procurement, a record running forward in time), so
// a command handled WithImport runs under the imported exception: the
// rules named in ImportRelaxations give way for it alone, and the command
// service records, in the same atomic step as the command's events, a
// provenance.recorded event naming the source of each. New records keep
// every rule: nobody can claim the exception without WithImport, and
// docs/IMPORTS.md lists what it relaxes and why.

// ExceptionImported is the exception of a record brought from another
// system: a decision imported from a register carries it instead of the
// vote that passed it.
const ExceptionImported = "imported"

// Provenance says where an imported record came from: the source (such as
// "diavgeia" or an OCDS publisher's name), the record's id there, the
// address it was read from, and when it was read.
type Provenance struct {
	Source      string    `json:"source"`
	SourceID    string    `json:"source_id"`
	SourceURL   string    `json:"source_url,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
}

// ProvenanceRecorded records where the events of one imported command came
// from. It is written with them in one atomic step, to a stream of its
// own named after the command's first event ("provenance-<event id>"), so
// every imported event's provenance is found from its id and no event of
// the record changes shape.
type ProvenanceRecorded struct {
	Source      string    `json:"source"`
	SourceID    string    `json:"source_id"`
	SourceURL   string    `json:"source_url,omitempty"`
	RetrievedAt time.Time `json:"retrieved_at"`
	// Stream and EventIDs name the imported events.
	Stream   string      `json:"stream"`
	EventIDs []uuid.UUID `json:"event_ids"`
}

func (ProvenanceRecorded) EventType() string { return "provenance.recorded" }

// ProvenanceStream is the stream of the provenance of the imported command
// whose first event has id.
func ProvenanceStream(id uuid.UUID) string { return StreamName("provenance", id.String()) }

// ProvenanceDecider folds provenance streams. No command addresses one: the
// command service writes each with the imported command it describes.
var ProvenanceDecider = Decider[struct{}]{
	Kind:    "provenance",
	Initial: func() struct{} { return struct{}{} },
	Evolve:  func(s struct{}, _ Payload) struct{} { return s },
	Decide: func(_ struct{}, c Command, _ Facts) ([]Payload, error) {
		return nil, Invalidf("command %T: provenance is recorded with the imported command it describes", c)
	},
}

func init() {
	Register[ProvenanceRecorded]("provenance", 1, "The events of an imported command came from the source named: its record id there, the address read and when.")
	RegisterDecider(ProvenanceDecider)
}

// WithImport handles the command as a record imported from p's source:
// under the imported exception (ImportRelaxations), with a
// provenance.recorded event written in the same atomic step. The
// provenance takes no part in the command's idempotency: importing the same
// record again, read at another time, writes nothing.
func WithImport(p Provenance) HandleOption {
	return func(c *handleConfig) { c.provenance = &p }
}

// importedFact is the key of Facts under which a decider finds the
// provenance of a command handled WithImport; it is no stream's name.
const importedFact = "\x00imported"

// importedOf returns the provenance of the command being decided, when it
// is handled WithImport.
func importedOf(f Facts) (Provenance, bool) {
	return FactOf[Provenance](f, importedFact)
}

func imported(f Facts) bool {
	_, ok := importedOf(f)
	return ok
}

// ImportRelaxations are the rules an imported record is excused from, by
// command; every other rule holds for it as for a new record.
var ImportRelaxations = []CommandRules{
	{"*", "", nil, []string{
		"time order: a step may be dated before the latest step of its record (history arrives in the order it is found, and old registers misdate)"}},
	{"AdoptDecision", "decision", nil, []string{
		"exception kind imported instead of the vote that passed it (registers publish decisions, not roll calls); numbered in the body's register of imported decisions (decisionnumber-<body>~imported-<year>)",
		"the body need not be registered (the register names the issuing unit, which may no longer exist)"}},
	{"RevokeDecision", "decision", nil, []string{"the revoking decision need not exist (it may predate the import)"}},
	{"PlanProcurement", "procurement", nil, []string{"the buyer body and the decisions cited need not be registered"}},
	{"AmendTender", "procurement", nil, []string{"no decision, or one that was not imported"}},
	{"AwardProcurement", "procurement", nil, []string{
		"no decision, or one that was not imported (OCDS publishers rarely link the awarding decision)",
		"a supplier without a recorded bid (most publishers publish no bids)"}},
	{"AmendContract", "procurement", nil, []string{"no decision, or one that was not imported"}},
	{"ConveneMeeting", "meeting", nil, []string{"a meeting whose agenda was never published (Popolo records votes, not agendas: an imported vote's sitting publishes none, so no agenda five days before and no consultation is made up)"}},
	{"OpenVote", "vote", nil, []string{"an item never published on the agenda (the same)"}},
}
