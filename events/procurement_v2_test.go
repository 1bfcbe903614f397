package events

import (
	"encoding/json"
	"testing"
)

func psItems() []TenderItem {
	return []TenderItem{
		{ID: "1", Description: "Φρούτα εποχής", CPV: "03200000-3", Quantity: 2000, Unit: "κιλό", UnitValue: EUR(2_50)},
		{ID: "2", Description: "Γαλακτοκομικά", CPV: "15300000-1", Quantity: 1000, Unit: "κιλό", UnitValue: EUR(5_00)},
	}
}

func TestProcurementSchema2Fields(t *testing.T) {
	t.Run("a tender records its items and period and a bid is valid on receipt", func(t *testing.T) {
		tender := psTender()
		tender.Items, tender.PeriodStart = psItems(), psDay(2)
		evs := psProcurement(t, psPlan(), tender, psBid("b1", psVAT, 38_000_00, psDay(10)), psAward(38_000_00))
		tp := evs[1].(ProcurementTenderPublished)
		if len(tp.Items) != 2 || !tp.PeriodStart.Equal(psDay(2)) {
			t.Errorf("tender %+v", tp)
		}
		if b := evs[2].(ProcurementBidReceived); b.Status != BidValid {
			t.Errorf("bid status %q", b.Status)
		}
		if a := evs[3].(ProcurementAwarded); a.AwardID != FirstAwardID {
			t.Errorf("award id %q", a.AwardID)
		}
		psRoundTrip(t, evs...)
	})
	t.Run("a tender without a period start starts at its publication", func(t *testing.T) {
		evs := psProcurement(t, psPlan(), psTender())
		if tp := evs[1].(ProcurementTenderPublished); !tp.PeriodStart.Equal(psDay(1)) || tp.Items == nil {
			t.Errorf("tender %+v", tp)
		}
	})
	t.Run("an award by a disqualified bid is refused, a withdrawn bid's reinstatement allows it", func(t *testing.T) {
		given := psProcurement(t, psPlan(), psTender(), psBid("b1", psVAT, 38_000_00, psDay(10)),
			ChangeBidStatus{OCID: psOCID, BidID: "b1", Status: BidDisqualified, Reason: "Ελλιπή δικαιολογητικά", At: psDay(31)})
		_, err := ProcurementDecider.Decide(ProcurementDecider.Fold(given...), psAward(38_000_00), psSupplierFacts(psVAT, psOther))
		if ErrorCode(err) != CodeConflict {
			t.Errorf("award of a disqualified bid: %v", err)
		}
		again := append(given, psDecide(t, ProcurementDecider, given, nil,
			ChangeBidStatus{OCID: psOCID, BidID: "b1", Status: BidValid, Reason: "Δεκτή ένσταση", At: psDay(32)})...)
		psDecide(t, ProcurementDecider, again, psSupplierFacts(psVAT, psOther), psAward(38_000_00))
	})
	tenderWith := func(f func(*PublishTender)) Command {
		c := psTender()
		c.Items = psItems()
		f(&c)
		return c
	}
	for _, c := range []struct {
		name string
		cmd  Command
		code Code
	}{
		{"items over the ceiling are refused", tenderWith(func(c *PublishTender) { c.Items[0].Quantity = 1_000_000 }), CodeConflict},
		{"an item without a unit is refused", tenderWith(func(c *PublishTender) { c.Items[0].Unit = "" }), CodeInvalid},
		{"an item with a bad CPV is refused", tenderWith(func(c *PublishTender) { c.Items[0].CPV = "123" }), CodeInvalid},
		{"an item of no quantity is refused", tenderWith(func(c *PublishTender) { c.Items[1].Quantity = 0 }), CodeInvalid},
		{"an item in another currency is refused", tenderWith(func(c *PublishTender) { c.Items[1].UnitValue.Currency = "USD" }), CodeInvalid},
		{"two items of one id are refused", tenderWith(func(c *PublishTender) { c.Items[1].ID = "1" }), CodeInvalid},
		{"a period starting after the deadline is refused", tenderWith(func(c *PublishTender) { c.PeriodStart = psDay(31) }), CodeInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ProcurementDecider.Decide(ProcurementDecider.Fold(psProcurement(t, psPlan())...), c.cmd, nil)
			if ErrorCode(err) != c.code {
				t.Errorf("err %v, want %s", err, c.code)
			}
		})
	}
	t.Run("a bid before the period starts is refused", func(t *testing.T) {
		tender := psTender()
		tender.PeriodStart = psDay(5)
		given := psProcurement(t, psPlan(), tender)
		_, err := ProcurementDecider.Decide(ProcurementDecider.Fold(given...), psBid("b1", psVAT, 1_00, psDay(3)), psSupplierFacts(psVAT))
		if ErrorCode(err) != CodeConflict {
			t.Errorf("err %v", err)
		}
	})
	t.Run("a status change of an unknown bid is not found", func(t *testing.T) {
		given := psProcurement(t, psPlan(), psTender())
		_, err := ProcurementDecider.Decide(ProcurementDecider.Fold(given...),
			ChangeBidStatus{OCID: psOCID, BidID: "nope", Status: BidWithdrawn, Reason: "x", At: psDay(5)}, nil)
		if ErrorCode(err) != CodeNotFound {
			t.Errorf("err %v", err)
		}
	})
}

func TestSchema1EventsReadAsSchema2(t *testing.T) {
	for _, c := range []struct {
		typ, v1 string
		check   func(Payload) bool
	}{
		{"procurement.tender_published", `{"procedure":"x","ceiling":{"cents":1,"currency":"EUR"},"deadline":"2026-01-01T00:00:00Z"}`,
			func(p Payload) bool {
				tp := p.(ProcurementTenderPublished)
				return tp.Items != nil && tp.PeriodStart.IsZero()
			}},
		{"procurement.bid_received", `{"bid_id":"b","supplier_vat_id":"094019245","value":{"cents":1,"currency":"EUR"},"received_at":"2026-01-01T00:00:00Z"}`,
			func(p Payload) bool { return p.(ProcurementBidReceived).Status == BidValid }},
		{"procurement.awarded", `{"supplier_vat_id":"094019245","value":{"cents":1,"currency":"EUR"},"decision_id":"d"}`,
			func(p Payload) bool { return p.(ProcurementAwarded).AwardID == FirstAwardID }},
		{"supplier.registered", `{"vat_id":"094019245","name":"Α","kind":"sme","locality":"Ζαγορά","municipality":"Μ","country":"GR"}`,
			func(p Payload) bool {
				s := p.(SupplierRegistered)
				return s.Address != nil && s.Address.Locality == "Ζαγορά" && s.Address.Country == "GR" && s.ContactPoint == nil
			}},
	} {
		t.Run(c.typ, func(t *testing.T) {
			p, err := Decode(RecordedEvent{Type: c.typ, Schema: 1, Data: json.RawMessage(c.v1)})
			if err != nil || !c.check(p) {
				t.Errorf("%#v, %v", p, err)
			}
			if _, err := Decode(RecordedEvent{Type: c.typ, Schema: 1, Data: json.RawMessage(`[1,2]`)}); ErrorCode(err) != CodeInvalid {
				t.Errorf("undecodable v1 data: %v", err)
			}
		})
	}
}

func TestSupplierContactPoint(t *testing.T) {
	reg := func(a *PostalAddress, c *ContactPoint) error {
		cmd := psSupplier(psVAT)
		cmd.Address, cmd.ContactPoint = a, c
		_, err := SupplierDecider.Decide(SupplierState{}, cmd, nil)
		return err
	}
	addr := &PostalAddress{Street: "Οδός Αγοράς 3", Postcode: "37001", Locality: "Ζαγορά", Country: "GR"}
	office := &ContactPoint{Office: "Γραφείο προσφορών", Email: "prosfores@example.gr", Telephone: "+30 24260 00000", URL: "https://example.gr"}
	if err := reg(addr, office); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		a *PostalAddress
		c *ContactPoint
	}{
		"a contact point without an office is refused": {addr, &ContactPoint{Email: "a@b.gr"}},
		"a malformed e-mail is refused":                {addr, &ContactPoint{Office: "Γραφείο", Email: "a@@b"}},
		"a country that is no ISO code is refused":     {&PostalAddress{Country: "Greece"}, nil},
		"a web page that is not http(s) is refused":    {nil, &ContactPoint{Office: "Γραφείο", URL: "ftp://x"}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := reg(c.a, c.c); ErrorCode(err) != CodeInvalid {
				t.Errorf("err %v", err)
			}
		})
	}
}
