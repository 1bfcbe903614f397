package events

import "time"

// A supplier is a legal entity that bids for and wins public contracts,
// named by its VAT id. Suppliers' names are public procurement data in
// Greece, a sole trader's too, so they belong in the log.

// SupplierKind classifies a supplier for the statistics journalists ask
// for: how much goes to cooperatives and small firms.
type SupplierKind string

const (
	SupplierCooperative SupplierKind = "cooperative"
	SupplierSME         SupplierKind = "sme"
	SupplierLarge       SupplierKind = "large"
)

func (k SupplierKind) valid() bool {
	return k == SupplierCooperative || k == SupplierSME || k == SupplierLarge
}

// SupplierRegistered records a supplier: its canonical VAT id, legal name,
// kind and seat.
type SupplierRegistered struct {
	VATID        string       `json:"vat_id"`
	Name         string       `json:"name"`
	Kind         SupplierKind `json:"kind"`
	Locality     string       `json:"locality"`
	Municipality string       `json:"municipality"`
	Country      string       `json:"country"`
	// Schema 2: the postal address (in schema 1, only the locality and
	// country) and the office to contact, if given.
	Address      *PostalAddress `json:"address,omitempty"`
	ContactPoint *ContactPoint  `json:"contact_point,omitempty"`
}

// SupplierDetailsChanged records a supplier's new name, kind or seat; the
// fields hold the details after the change.
type SupplierDetailsChanged struct {
	Name         string       `json:"name"`
	Kind         SupplierKind `json:"kind"`
	Locality     string       `json:"locality"`
	Municipality string       `json:"municipality"`
	Country      string       `json:"country"`
	Reason       string       `json:"reason"`
}

func (SupplierRegistered) EventType() string     { return "supplier.registered" }
func (SupplierDetailsChanged) EventType() string { return "supplier.details_changed" }

func init() {
	Register[SupplierRegistered]("supplier", 2, "A supplier (a legal entity, named by its VAT id) was registered with its kind and seat.")
	RegisterUpcaster("supplier.registered", 1, upcastSupplierRegisteredV1)
	Register[SupplierDetailsChanged]("supplier", 1, "A supplier's name, kind or seat changed, with the reason.")
	RegisterDecider(SupplierDecider)
}

// SupplierDetails are what a clerk records about a supplier. Country is an
// ISO 3166-1 alpha-2 code ("GR"); Locality and Municipality may be empty
// for suppliers seated abroad.
type SupplierDetails struct {
	Name         string
	Kind         SupplierKind
	Locality     string
	Municipality string
	Country      string
}

// RegisterSupplier records a new supplier. VATID may be written in any form
// NormalizeVATID accepts.
type RegisterSupplier struct {
	VATID string
	SupplierDetails
	// Address and ContactPoint are optional; a contact point names an
	// office, never a person.
	Address      *PostalAddress
	ContactPoint *ContactPoint
	At           time.Time
}

// ChangeSupplierDetails replaces a supplier's details, with a reason.
type ChangeSupplierDetails struct {
	VATID string
	SupplierDetails
	Reason string
	At     time.Time
}

// SupplierStream returns the stream of the supplier with VAT id vat, in
// canonical form when vat is valid (so "094014201", "EL 094014201" and
// "GR094014201" share one stream).
func SupplierStream(vat string) string {
	if v, err := NormalizeVATID(vat); err == nil {
		vat = v
	}
	return StreamName("supplier", vat)
}

func (c RegisterSupplier) Stream() string      { return SupplierStream(c.VATID) }
func (c ChangeSupplierDetails) Stream() string { return SupplierStream(c.VATID) }

func (c RegisterSupplier) OccurredAt() time.Time      { return c.At }
func (c ChangeSupplierDetails) OccurredAt() time.Time { return c.At }

// SupplierState is a supplier as its stream tells it.
type SupplierState struct {
	Exists bool
	VATID  string
	SupplierDetails
}

func evolveSupplier(s SupplierState, p Payload) SupplierState {
	switch e := p.(type) {
	case SupplierRegistered:
		return SupplierState{Exists: true, VATID: e.VATID, SupplierDetails: SupplierDetails{
			Name: e.Name, Kind: e.Kind, Locality: e.Locality, Municipality: e.Municipality, Country: e.Country}}
	case SupplierDetailsChanged:
		s.SupplierDetails = SupplierDetails{Name: e.Name, Kind: e.Kind, Locality: e.Locality, Municipality: e.Municipality, Country: e.Country}
	}
	return s
}
