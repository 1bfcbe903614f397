package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// The fields OCDS consumers expect of a contracting process, added in
// schema 2 of the tender, bid and award events and of the supplier's
// registration: the tender's items and the start of its period, each bid's
// status, the award's id, and the supplier's postal address and contact
// point (an office's, never a person's private contact). Events recorded
// at schema 1 are read through the upcasters below.

// TenderItem is one line of what a tender buys: a description, its CPV
// code, a quantity in a unit, and the value of one unit.
type TenderItem struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	CPV         string `json:"cpv"`
	Quantity    int64  `json:"quantity"`
	Unit        string `json:"unit"`
	UnitValue   Money  `json:"unit_value"`
}

// BidStatus is a bid's standing in its tender.
type BidStatus string

const (
	BidValid        BidStatus = "valid"
	BidDisqualified BidStatus = "disqualified"
	BidWithdrawn    BidStatus = "withdrawn"
)

func (s BidStatus) valid() bool { return s == BidValid || s == BidDisqualified || s == BidWithdrawn }

// PostalAddress is an organisation's address.
type PostalAddress struct {
	Street   string `json:"street,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Locality string `json:"locality,omitempty"`
	Country  string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// ContactPoint is an office of an organisation to contact: its name, the
// office's e-mail address, telephone and web page. It names an office,
// never a person; the field names say so (the catalog's test refuses a
// plain "email" or "telephone", which would be a person's).
type ContactPoint struct {
	Office    string `json:"office"`
	Email     string `json:"office_email,omitempty"`
	Telephone string `json:"office_telephone,omitempty"`
	URL       string `json:"office_url,omitempty"`
}

// ProcurementBidStatusChanged records that a bid was disqualified or
// withdrawn (or reinstated as valid), with the public reason.
type ProcurementBidStatusChanged struct {
	BidID  string    `json:"bid_id"`
	Status BidStatus `json:"status"`
	Reason string    `json:"reason"`
}

func (ProcurementBidStatusChanged) EventType() string { return "procurement.bid_status_changed" }

// ChangeBidStatus disqualifies, withdraws or reinstates a bid before the
// award.
type ChangeBidStatus struct {
	OCID   string
	BidID  string
	Status BidStatus
	Reason string
	At     time.Time
}

func (c ChangeBidStatus) Stream() string        { return ProcurementStream(c.OCID) }
func (c ChangeBidStatus) OccurredAt() time.Time { return c.At }

func init() {
	Register[ProcurementBidStatusChanged]("procurement", 1, "A bid was disqualified, withdrawn or reinstated before the award, with the public reason.")
}

// FirstAwardID is the id of a process's award recorded at schema 1, when
// awards had no id (a process has one award).
const FirstAwardID = "award-1"

// upcastAddFields returns the upcaster that adds fields, with their values
// at the earlier schema, to an event that lacks them.
func upcastAddFields(name string, fields map[string]any) Upcaster {
	return func(data json.RawMessage) (json.RawMessage, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, Invalidf("%s v1: %v", name, err)
		}
		for k, v := range fields {
			if _, ok := m[k]; !ok {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, fmt.Errorf("%s v1: %w", name, err)
				}
				m[k] = b
			}
		}
		return json.Marshal(m)
	}
}

// upcastSupplierRegisteredV1 gives a schema-1 supplier the address its
// locality and country tell, and no contact point.
func upcastSupplierRegisteredV1(data json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, Invalidf("supplier.registered v1: %v", err)
	}
	if _, ok := m["address"]; !ok {
		var a PostalAddress
		json.Unmarshal(m["locality"], &a.Locality)
		json.Unmarshal(m["country"], &a.Country)
		b, _ := json.Marshal(a)
		m["address"] = b
	}
	return json.Marshal(m)
}

// validateItems checks a tender's items: ids, descriptions, CPV codes,
// positive quantities, units, unit values in the ceiling's currency, and
// a total within the ceiling.
func validateItems(items []TenderItem, ceiling Money) error {
	seen := map[string]bool{}
	var total int64
	for i, it := range items {
		what := fmt.Sprintf("item %d", i+1)
		if err := ValidateID(what+" id", it.ID); err != nil {
			return err
		}
		if seen[it.ID] {
			return Invalidf("%s: id %s is given twice", what, it.ID)
		}
		seen[it.ID] = true
		if err := ValidateText(what+" description", it.Description, MaxTitleRunes); err != nil {
			return err
		}
		if err := ValidateCPV(it.CPV); err != nil {
			return err
		}
		if it.Quantity <= 0 || it.Quantity > 1_000_000_000 {
			return Invalidf("%s: quantity %d: want a positive number", what, it.Quantity)
		}
		if err := ValidateText(what+" unit", it.Unit, 40); err != nil {
			return err
		}
		if it.UnitValue.Currency != ceiling.Currency || it.UnitValue.Cents < 0 {
			return Invalidf("%s: unit value %s: want a non-negative amount in %s", what, it.UnitValue, ceiling.Currency)
		}
		if it.UnitValue.Cents > 0 && it.Quantity > (1<<62)/it.UnitValue.Cents {
			return Invalidf("%s: the quantity times the unit value is too large", what)
		}
		total += it.Quantity * it.UnitValue.Cents
		if total > ceiling.Cents {
			return Errorf(CodeConflict, "the items' total exceeds the tender's ceiling %s", ceiling)
		}
	}
	return nil
}

// validateContact checks an address and a contact point: an office's name
// when a contact point is given, an e-mail address with one @, a web page
// over http(s).
func validateContact(a *PostalAddress, c *ContactPoint) error {
	if a != nil {
		for what, v := range map[string]string{"street": a.Street, "postcode": a.Postcode, "locality": a.Locality} {
			if len([]rune(v)) > MaxTitleRunes {
				return Invalidf("address %s: too long", what)
			}
		}
		if a.Country != "" && (len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z') {
			return Invalidf("address country %q: want an ISO 3166-1 code such as GR", a.Country)
		}
	}
	if c == nil {
		return nil
	}
	if err := ValidateText("contact point office", c.Office, MaxTitleRunes); err != nil {
		return err
	}
	if c.Email != "" {
		local, domain, ok := cutAt(c.Email)
		if !ok || local == "" || domain == "" || len(c.Email) > 254 {
			return Invalidf("contact point e-mail %q: want an address like info@example.gr", c.Email)
		}
	}
	if c.URL != "" && !(len(c.URL) > 8 && (c.URL[:7] == "http://" || c.URL[:8] == "https://")) {
		return Invalidf("contact point url %q: want an http(s) address", c.URL)
	}
	if len(c.Telephone) > 30 {
		return Invalidf("contact point telephone: too long")
	}
	return nil
}

func cutAt(s string) (string, string, bool) {
	n := 0
	at := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			n++
			at = i
		}
	}
	if n != 1 {
		return "", "", false
	}
	return s[:at], s[at+1:], true
}

func decideChangeBidStatus(s ProcurementState, c ChangeBidStatus) ([]Payload, error) {
	if err := procurementBasics(c.OCID, c.At); err != nil {
		return nil, err
	}
	if err := ValidateID("bid id", c.BidID); err != nil {
		return nil, err
	}
	if !c.Status.valid() {
		return nil, Invalidf("bid status %q: want valid, disqualified or withdrawn", c.Status)
	}
	if err := ValidateText("reason", c.Reason, MaxTitleRunes); err != nil {
		return nil, err
	}
	if err := s.requireStage(c.OCID, "change a bid's status", ProcurementStageTender); err != nil {
		return nil, err
	}
	b, ok := s.Bids[c.BidID]
	if !ok {
		return nil, Errorf(CodeNotFound, "procurement %s: no bid %s", c.OCID, c.BidID)
	}
	if b.Status == c.Status {
		return nil, Errorf(CodeConflict, "procurement %s: bid %s is already %s", c.OCID, c.BidID, c.Status)
	}
	return []Payload{ProcurementBidStatusChanged{BidID: c.BidID, Status: c.Status, Reason: c.Reason}}, nil
}
