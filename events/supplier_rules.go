package events

import "unicode/utf8"

// SupplierDecider holds the rules of suppliers.
var SupplierDecider = Decider[SupplierState]{
	Kind:    "supplier",
	Initial: func() SupplierState { return SupplierState{} },
	Evolve:  evolveSupplier,
	Decide:  decideSupplier,
}

func decideSupplier(s SupplierState, c Command, _ Facts) ([]Payload, error) {
	switch c := c.(type) {
	case RegisterSupplier:
		vat, err := NormalizeVATID(c.VATID)
		if err != nil {
			return nil, err
		}
		if err := c.SupplierDetails.validate(); err != nil {
			return nil, err
		}
		if err := needTime(c.At); err != nil {
			return nil, err
		}
		if s.Exists {
			return nil, Errorf(CodeConflict, "supplier %s is already registered as %q", vat, s.Name)
		}
		d := c.SupplierDetails
		if err := validateContact(c.Address, c.ContactPoint); err != nil {
			return nil, err
		}
		return []Payload{SupplierRegistered{VATID: vat, Name: d.Name, Kind: d.Kind, Locality: d.Locality, Municipality: d.Municipality, Country: d.Country,
			Address: c.Address, ContactPoint: c.ContactPoint}}, nil
	case ChangeSupplierDetails:
		vat, err := NormalizeVATID(c.VATID)
		if err != nil {
			return nil, err
		}
		if err := c.SupplierDetails.validate(); err != nil {
			return nil, err
		}
		if err := ValidateText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if err := needTime(c.At); err != nil {
			return nil, err
		}
		if !s.Exists {
			return nil, Errorf(CodeNotFound, "supplier %s is not registered", vat)
		}
		if c.SupplierDetails == s.SupplierDetails {
			return nil, Errorf(CodeConflict, "supplier %s already has these details", vat)
		}
		d := c.SupplierDetails
		return []Payload{SupplierDetailsChanged{Name: d.Name, Kind: d.Kind, Locality: d.Locality, Municipality: d.Municipality, Country: d.Country, Reason: c.Reason}}, nil
	}
	return nil, Invalidf("command %T is not a supplier command", c)
}

func (d SupplierDetails) validate() error {
	if err := ValidateText("supplier name", d.Name, MaxTitleRunes); err != nil {
		return err
	}
	if !d.Kind.valid() {
		return Invalidf("supplier kind %q: want cooperative, sme or large", d.Kind)
	}
	if len(d.Country) != 2 || d.Country[0] < 'A' || d.Country[0] > 'Z' || d.Country[1] < 'A' || d.Country[1] > 'Z' {
		return Invalidf("country %q: want an ISO 3166-1 alpha-2 code such as GR", d.Country)
	}
	for _, f := range []struct{ what, v string }{{"locality", d.Locality}, {"municipality", d.Municipality}} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > MaxTitleRunes {
			return Invalidf("%s is not valid UTF-8 or over %d characters", f.what, MaxTitleRunes)
		}
	}
	return nil
}
