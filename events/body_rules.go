package events

// BodyDecider holds the rules of bodies.
var BodyDecider = Decider[BodyState]{
	Kind:    "body",
	Initial: func() BodyState { return BodyState{} },
	Evolve:  evolveBody,
	Decide:  decideBody,
}

func decideBody(s BodyState, c Command, f Facts) ([]Payload, error) {
	if r, ok := c.(RegisterBody); ok {
		return decideRegisterBody(s, r)
	}
	if !s.Exists {
		return nil, Errorf(CodeNotFound, "%s does not exist", c.Stream())
	}
	switch c := c.(type) {
	case ChangeBodySettings:
		if err := c.Settings.Validate(); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if n := s.withSettings(c.Settings).VotingMembers(); n > c.Settings.Seats {
			return nil, Errorf(CodeConflict, "body %s has %d voting members, more than the %d seats of the new settings", s.ID, n, c.Settings.Seats)
		}
		return []Payload{BodySettingsChanged{Settings: c.Settings.clone(), Reason: c.Reason}}, nil
	case AddMember:
		if err := validateMember(c.MemberID, c.Name, c.Role); err != nil {
			return nil, err
		}
		if err := factionOf(f, c.FactionID, s.ID); err != nil {
			return nil, err
		}
		if _, ok := s.Members[c.MemberID]; ok {
			return nil, Errorf(CodeConflict, "member %s already sits in body %s", c.MemberID, s.ID)
		}
		if err := s.roleFree(c.Role, c.MemberID); err != nil {
			return nil, err
		}
		if s.Settings.Votes(c.Role) && s.VotingMembers() >= s.Settings.Seats {
			return nil, Errorf(CodeConflict, "all %d seats of body %s are taken", s.Settings.Seats, s.ID)
		}
		if c.Role == RoleSubstitute && !s.Settings.Substitutes {
			return nil, Errorf(CodeConflict, "body %s has no substitutes (its settings)", s.ID)
		}
		return []Payload{BodyMemberJoined{MemberID: c.MemberID, Name: c.Name, FactionID: c.FactionID, Role: c.Role}}, nil
	case RemoveMember:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		if err := ValidateLongText("reason", c.Reason, MaxReasonRunes); err != nil {
			return nil, err
		}
		if _, ok := s.Members[c.MemberID]; !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, s.ID)
		}
		return []Payload{BodyMemberLeft{MemberID: c.MemberID, Reason: c.Reason}}, nil
	case ChangeMemberRole:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		if !c.Role.valid() {
			return nil, Invalidf("role %q: want chair, vice_chair, secretary, member, mayor or substitute", c.Role)
		}
		m, ok := s.Members[c.MemberID]
		if !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, s.ID)
		}
		if m.Role == c.Role {
			return nil, Errorf(CodeConflict, "member %s is already %s of body %s", c.MemberID, c.Role, s.ID)
		}
		if err := s.roleFree(c.Role, c.MemberID); err != nil {
			return nil, err
		}
		if !s.Settings.Votes(m.Role) && s.Settings.Votes(c.Role) && s.VotingMembers() >= s.Settings.Seats {
			return nil, Errorf(CodeConflict, "all %d seats of body %s are taken", s.Settings.Seats, s.ID)
		}
		return []Payload{BodyMemberRoleChanged{MemberID: c.MemberID, Role: c.Role}}, nil
	case ChangeMemberFaction:
		if err := ValidateID("member id", c.MemberID); err != nil {
			return nil, err
		}
		m, ok := s.Members[c.MemberID]
		if !ok {
			return nil, Errorf(CodeNotFound, "member %s does not sit in body %s", c.MemberID, s.ID)
		}
		if m.FactionID == c.FactionID {
			return nil, Errorf(CodeConflict, "member %s is already in faction %q", c.MemberID, c.FactionID)
		}
		if err := factionOf(f, c.FactionID, s.ID); err != nil {
			return nil, err
		}
		return []Payload{BodyMemberFactionChanged{MemberID: c.MemberID, FactionID: c.FactionID}}, nil
	}
	return nil, Invalidf("command %T is not for bodies", c)
}

func decideRegisterBody(s BodyState, c RegisterBody) ([]Payload, error) {
	if err := ValidateID("body id", c.BodyID); err != nil {
		return nil, err
	}
	if err := ValidateText("body name", c.Name, MaxTitleRunes); err != nil {
		return nil, err
	}
	if !c.Kind.valid() {
		return nil, Invalidf("body kind %q: want council, committee or local_community", c.Kind)
	}
	if err := c.Settings.Validate(); err != nil {
		return nil, err
	}
	if s.Exists {
		return nil, Errorf(CodeConflict, "body %s already exists", c.BodyID)
	}
	return []Payload{BodyRegistered{BodyID: c.BodyID, Name: c.Name, Kind: c.Kind, Settings: c.Settings.clone()}}, nil
}

func validateMember(id, name string, role MemberRole) error {
	if err := ValidateID("member id", id); err != nil {
		return err
	}
	if err := ValidateText("member name", name, MaxTitleRunes); err != nil {
		return err
	}
	if !role.valid() {
		return Invalidf("role %q: want chair, vice_chair, secretary, member, mayor or substitute", role)
	}
	return nil
}

// roleFree refuses a single-holder role another member already holds.
func (s BodyState) roleFree(role MemberRole, forMember string) error {
	if !role.singleHolder() {
		return nil
	}
	if h, ok := s.Holder(role); ok && h.ID != forMember {
		return Errorf(CodeConflict, "body %s already has a %s, %s; change their role first", s.ID, role, h.ID)
	}
	return nil
}

func (s BodyState) withSettings(set BodySettings) BodyState {
	s.Settings = set
	return s
}

// bodyFact returns the folded body a command Needs, or not found.
func bodyFact(f Facts, bodyID string) (BodyState, error) {
	b, ok := FactOf[BodyState](f, StreamName("body", bodyID))
	if !ok || !b.Exists {
		return BodyState{}, Errorf(CodeNotFound, "body %s does not exist", bodyID)
	}
	return b, nil
}
