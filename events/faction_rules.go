package events

// FactionDecider holds the rules of factions.
var FactionDecider = Decider[FactionState]{
	Kind:    "faction",
	Initial: func() FactionState { return FactionState{} },
	Evolve:  evolveFaction,
	Decide:  decideFaction,
}

// MaxShortNameRunes bounds a faction's short name, as charts print it.
const MaxShortNameRunes = 20

func decideFaction(s FactionState, c Command, f Facts) ([]Payload, error) {
	if c, ok := c.(FormFaction); ok {
		return decideFormFaction(s, c, f)
	}
	if !s.Exists {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	if s.Dissolved {
		return nil, Errorf(CodeConflict, "faction %s was dissolved", s.ID)
	}
	switch c := c.(type) {
	case ChangeFactionDetails:
		if err := validateFactionDetails(c.Name, c.ShortName, c.Colour); err != nil {
			return nil, err
		}
		if c.Name == s.Name && c.ShortName == s.ShortName && c.Colour == s.Colour {
			return nil, Errorf(CodeConflict, "faction %s already has these details", s.ID)
		}
		return []Payload{FactionDetailsChanged{Name: c.Name, ShortName: c.ShortName, Colour: c.Colour}}, nil
	case ChangeFactionLeader:
		if c.MemberID == s.Leader {
			return nil, Errorf(CodeConflict, "faction %s already has this leader", s.ID)
		}
		if c.MemberID != "" {
			if err := ValidateID("member id", c.MemberID); err != nil {
				return nil, err
			}
			b, err := bodyFact(f, s.BodyID)
			if err != nil {
				return nil, err
			}
			if m, ok := b.Member(c.MemberID); !ok || m.FactionID != s.ID {
				return nil, Errorf(CodeConflict, "member %s does not sit in body %s for faction %s", c.MemberID, s.BodyID, s.ID)
			}
		}
		return []Payload{FactionLeaderChanged{MemberID: c.MemberID}}, nil
	case ChangeFactionRole:
		if !c.Role.valid() {
			return nil, Invalidf("faction role %q: want majority or opposition", c.Role)
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if c.Role == s.Role {
			return nil, Errorf(CodeConflict, "faction %s is already in the %s", s.ID, s.Role)
		}
		return []Payload{FactionRoleChanged{Role: c.Role, Reason: c.Reason}}, nil
	case DissolveFaction:
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		b, err := bodyFact(f, s.BodyID)
		if err != nil {
			return nil, err
		}
		for _, m := range b.Members {
			if m.FactionID == s.ID {
				return nil, Errorf(CodeConflict, "member %s still sits in body %s for faction %s", m.ID, s.BodyID, s.ID)
			}
		}
		return []Payload{FactionDissolved{Reason: c.Reason}}, nil
	}
	return nil, Invalidf("command %T is not for factions", c)
}

func decideFormFaction(s FactionState, c FormFaction, f Facts) ([]Payload, error) {
	if err := ValidateID("faction id", c.FactionID); err != nil {
		return nil, err
	}
	if err := ValidateID("body id", c.BodyID); err != nil {
		return nil, err
	}
	if err := validateFactionDetails(c.Name, c.ShortName, c.Colour); err != nil {
		return nil, err
	}
	if !c.Role.valid() {
		return nil, Invalidf("faction role %q: want majority or opposition", c.Role)
	}
	if s.Exists {
		return nil, Errorf(CodeConflict, "faction %s already exists", c.FactionID)
	}
	if _, err := bodyFact(f, c.BodyID); err != nil {
		return nil, err
	}
	return []Payload{FactionFormed{FactionID: c.FactionID, BodyID: c.BodyID, Name: c.Name, ShortName: c.ShortName, Colour: c.Colour, Role: c.Role}}, nil
}

func validateFactionDetails(name, short, colour string) error {
	if err := ValidateText("faction name", name, MaxTitleRunes); err != nil {
		return err
	}
	if err := ValidateText("faction short name", short, MaxShortNameRunes); err != nil {
		return err
	}
	return validateColour(colour)
}

// validateColour accepts a colour for charts as #rrggbb (lower or upper
// case hex digits).
func validateColour(c string) error {
	if len(c) != 7 || c[0] != '#' {
		return Invalidf("faction colour %q: want #rrggbb", c)
	}
	for i := 1; i < 7; i++ {
		switch d := c[i]; {
		case d >= '0' && d <= '9', d >= 'a' && d <= 'f', d >= 'A' && d <= 'F':
		default:
			return Invalidf("faction colour %q: want #rrggbb", c)
		}
	}
	return nil
}

// factionOf returns the faction a membership names, refusing one that
// does not exist, belongs to another body or was dissolved.
func factionOf(f Facts, factionID, bodyID string) error {
	if factionID == "" {
		return nil
	}
	if err := ValidateID("faction id", factionID); err != nil {
		return err
	}
	s, ok := FactionOf(f, factionID)
	switch {
	case !ok:
		return Errorf(CodeNotFound, "faction %s does not exist", factionID)
	case s.BodyID != bodyID:
		return Invalidf("faction %s is a faction of body %s, not of %s", factionID, s.BodyID, bodyID)
	case s.Dissolved:
		return Errorf(CodeConflict, "faction %s was dissolved", factionID)
	}
	return nil
}

// FactionOf returns the folded faction in f, false when absent.
func FactionOf(f Facts, id string) (FactionState, bool) {
	s, ok := FactOf[FactionState](f, FactionStream(id))
	return s, ok && s.Exists
}
