package events

import (
	"encoding/json"
	"testing"
)

// FuzzSchema1Upcasters: any data stored at schema 1 of the types that grew
// a schema 2 decodes or is refused with a typed error; never a panic.
func FuzzSchema1Upcasters(f *testing.F) {
	f.Add("procurement.awarded", `{"supplier_vat_id":"094019245","value":{"cents":1,"currency":"EUR"},"decision_id":"d"}`)
	f.Add("supplier.registered", `{"vat_id":"094019245","name":"Α","kind":"sme","locality":7,"country":"GR"}`)
	f.Add("procurement.bid_received", `{"status":"withdrawn"}`)
	f.Add("procurement.tender_published", `null`)
	types := []string{"procurement.tender_published", "procurement.bid_received", "procurement.awarded", "supplier.registered"}
	f.Fuzz(func(t *testing.T, typ, data string) {
		known := false
		for _, k := range types {
			known = known || k == typ
		}
		if !known || !json.Valid([]byte(data)) {
			return
		}
		if _, err := Decode(RecordedEvent{Type: typ, Schema: 1, Data: json.RawMessage(data)}); err != nil && ErrorCode(err) == CodeInternal {
			t.Fatalf("%s %s: %v", typ, data, err)
		}
	})
}
