package events

import (
	"reflect"
	"testing"
	"time"
)

// Helpers of the services' tests (supplier, procurement, request, access),
// prefixed ps to keep clear of other aggregates' helpers in this package.

var psT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func psDay(d int) time.Time { return psT0.AddDate(0, 0, d) }

// psRefusal is a command a rule refuses: the events before it, the facts
// it sees, and the code of the error it must get.
type psRefusal struct {
	name  string
	given []Payload
	facts Facts
	cmd   Command
	code  Code
}

func psCheckRefusals[S any](t *testing.T, d Decider[S], cases []psRefusal) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, err := d.Decide(d.Fold(c.given...), testProtect(c.cmd), c.facts)
			if err == nil {
				t.Fatalf("Decide(%T) succeeded with %v; want a %s error", c.cmd, evs, c.code)
			}
			if got := ErrorCode(err); got != c.code {
				t.Fatalf("Decide(%T) = %v (code %s); want code %s", c.cmd, err, got, c.code)
			}
			if len(evs) != 0 {
				t.Fatalf("Decide(%T) refused but returned events %v", c.cmd, evs)
			}
			t.Log(err)
		})
	}
}

func psDecide[S any](t *testing.T, d Decider[S], given []Payload, facts Facts, cmd Command) []Payload {
	t.Helper()
	evs, err := d.Decide(d.Fold(given...), testProtect(cmd), facts)
	if err != nil {
		t.Fatalf("Decide(%T): %v", cmd, err)
	}
	if len(evs) == 0 {
		t.Fatalf("Decide(%T) returned no events", cmd)
	}
	return evs
}

// psRoundTrip checks that every payload survives Encode and Decode.
func psRoundTrip(t *testing.T, payloads ...Payload) {
	t.Helper()
	for _, p := range payloads {
		ev, err := Encode(p)
		if err != nil {
			t.Fatalf("Encode(%T): %v", p, err)
		}
		got, err := Decode(RecordedEvent{Type: ev.Type, Schema: ev.Schema, Data: ev.Data})
		if err != nil {
			t.Fatalf("Decode(%s): %v", ev.Type, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip of %s:\n got %#v\nwant %#v", ev.Type, got, p)
		}
	}
}

const psVAT = "094019245"

func psSupplier(vat string) RegisterSupplier {
	return RegisterSupplier{VATID: vat, SupplierDetails: SupplierDetails{
		Name: "Αγροτικός Συνεταιρισμός Ζαγοράς", Kind: SupplierCooperative, Locality: "Ζαγορά", Municipality: "Ζαγοράς-Μουρεσίου", Country: "GR"}, At: psT0}
}

func psRegistered(vat string) SupplierRegistered {
	evs, err := SupplierDecider.Decide(SupplierState{}, psSupplier(vat), nil)
	if err != nil {
		panic(err)
	}
	return evs[0].(SupplierRegistered)
}

func TestSupplier(t *testing.T) {
	t.Run("a supplier is registered under its canonical VAT id", func(t *testing.T) {
		evs := psDecide(t, SupplierDecider, nil, nil, psSupplier("gr 094-019-245"))
		s := SupplierDecider.Fold(evs...)
		if !s.Exists || s.VATID != "EL094019245" || s.Name != "Αγροτικός Συνεταιρισμός Ζαγοράς" || s.Kind != SupplierCooperative {
			t.Fatalf("state = %+v", s)
		}
		if got := psSupplier("gr 094-019-245").Stream(); got != "supplier-EL094019245" {
			t.Fatalf("Stream = %s", got)
		}
		psRoundTrip(t, evs...)
	})

	t.Run("changed details replace the old ones", func(t *testing.T) {
		given := []Payload{psRegistered(psVAT)}
		cmd := ChangeSupplierDetails{VATID: psVAT, SupplierDetails: psSupplier(psVAT).SupplierDetails, Reason: "νέα έδρα", At: psDay(1)}
		cmd.Locality, cmd.Kind = "Βόλος", SupplierSME
		evs := psDecide(t, SupplierDecider, given, nil, cmd)
		s := SupplierDecider.Fold(append(given, evs...)...)
		if s.Locality != "Βόλος" || s.Kind != SupplierSME || s.VATID != "EL094019245" {
			t.Fatalf("state = %+v", s)
		}
		psRoundTrip(t, evs...)
	})

	bad := func(f func(*RegisterSupplier)) RegisterSupplier {
		c := psSupplier(psVAT)
		f(&c)
		return c
	}
	unchanged := ChangeSupplierDetails{VATID: psVAT, SupplierDetails: psSupplier(psVAT).SupplierDetails, Reason: "έλεγχος", At: psDay(1)}
	psCheckRefusals(t, SupplierDecider, []psRefusal{
		{name: "a VAT id with a wrong check digit is invalid", cmd: bad(func(c *RegisterSupplier) { c.VATID = "094019246" }), code: CodeInvalid},
		{name: "a VAT id of no EU country is invalid", cmd: bad(func(c *RegisterSupplier) { c.VATID = "US123456789" }), code: CodeInvalid},
		{name: "an empty name is invalid", cmd: bad(func(c *RegisterSupplier) { c.Name = " " }), code: CodeInvalid},
		{name: "an unknown kind is invalid", cmd: bad(func(c *RegisterSupplier) { c.Kind = "huge" }), code: CodeInvalid},
		{name: "a country that is not ISO alpha-2 is invalid", cmd: bad(func(c *RegisterSupplier) { c.Country = "Greece" }), code: CodeInvalid},
		{name: "a command without its time is invalid", cmd: bad(func(c *RegisterSupplier) { c.At = time.Time{} }), code: CodeInvalid},
		{name: "registering a supplier twice is a conflict", given: []Payload{psRegistered(psVAT)}, cmd: psSupplier("EL" + psVAT), code: CodeConflict},
		{name: "changing an unregistered supplier is not found", cmd: unchanged, code: CodeNotFound},
		{name: "changing to the same details is a conflict", given: []Payload{psRegistered(psVAT)}, cmd: unchanged, code: CodeConflict},
		{name: "a change without a reason is invalid", given: []Payload{psRegistered(psVAT)}, cmd: ChangeSupplierDetails{VATID: psVAT, SupplierDetails: psSupplier(psVAT).SupplierDetails, At: psDay(1)}, code: CodeInvalid},
		{name: "a command of another aggregate is invalid", cmd: CloseRequest{RequestID: "r1", At: psT0}, code: CodeInvalid},
	})
}
