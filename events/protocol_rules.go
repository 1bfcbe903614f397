package events

// ProtocolDecider holds the rules of protocol entries.
var ProtocolDecider = Decider[ProtocolState]{
	Kind:    "protocol",
	Initial: func() ProtocolState { return ProtocolState{} },
	Evolve:  evolveProtocol,
	Decide:  decideProtocol,
}

func decideProtocol(s ProtocolState, c Command, f Facts) ([]Payload, error) {
	r, ok := c.(RegisterProtocolEntry)
	if !ok {
		return nil, Invalidf("command %T is not for the protocol", c)
	}
	return decideRegisterProtocolEntry(s, r, f)
}

func decideRegisterProtocolEntry(s ProtocolState, c RegisterProtocolEntry, f Facts) ([]Payload, error) {
	if err := validateIDs("protocol entry id", c.EntryID, "registry", c.Registry); err != nil {
		return nil, err
	}
	if c.At.IsZero() {
		return nil, Invalidf("protocol entry %s: the time of registration is missing", c.EntryID)
	}
	if y := c.year(); y < 1900 || y > 9999 || y != c.At.UTC().Year() {
		return nil, Invalidf("protocol entry %s: year %d is not the year of its registration, %d", c.EntryID, y, c.At.UTC().Year())
	}
	if c.Number <= 0 {
		return nil, Invalidf("protocol entry %s has no number; the command service numbers the protocol", c.EntryID)
	}
	if c.Direction != ProtocolIncoming && c.Direction != ProtocolOutgoing {
		return nil, Invalidf("direction %q: want incoming or outgoing", c.Direction)
	}
	request := c.RequestID != "" && c.Direction == ProtocolIncoming
	switch {
	case request && (c.Subject != "" || c.Correspondent != ""):
		return nil, Invalidf("the incoming entry of request %s names no subject or correspondent: they are the citizen's, sealed in the request", c.RequestID)
	case c.RequestID != "" && c.Correspondent != "":
		return nil, Invalidf("the outgoing entry of request %s names no correspondent: the citizen it goes to is sealed in the request", c.RequestID)
	case !request:
		if err := ValidateText("subject", c.Subject, MaxTitleRunes); err != nil {
			return nil, err
		}
		if c.Correspondent != "" {
			if err := ValidateText("correspondent", c.Correspondent, MaxTitleRunes); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range []struct{ what, v string }{{"request id", c.RequestID}, {"decision id", c.DecisionID}, {"entry replied to", c.InReplyTo}} {
		if id.v != "" {
			if err := ValidateID(id.what, id.v); err != nil {
				return nil, err
			}
		}
	}
	if c.InReplyTo != "" && c.Direction != ProtocolOutgoing {
		return nil, Invalidf("protocol entry %s: only an outgoing document replies to an entry", c.EntryID)
	}
	if err := ValidateDocuments(c.Documents); err != nil {
		return nil, err
	}
	if s.Exists {
		return nil, Errorf(CodeConflict, "protocol entry %s already exists (%s)", c.EntryID, s.Ref())
	}
	entry := ProtocolRegistered{EntryID: c.EntryID, Registry: c.Registry, Number: c.Number, Year: c.year(), Direction: c.Direction,
		Subject: c.Subject, Correspondent: c.Correspondent, RequestID: c.RequestID, DecisionID: c.DecisionID, InReplyTo: c.InReplyTo, Documents: c.Documents}
	if c.RequestID != "" {
		if r, ok := FactOf[RequestState](f, RequestStream(c.RequestID)); !ok || !r.Exists() {
			return nil, Errorf(CodeNotFound, "request %s does not exist", c.RequestID)
		}
	}
	if c.DecisionID != "" {
		if _, err := decisionFact(f, c.DecisionID); err != nil {
			return nil, err
		}
	}
	if c.InReplyTo != "" {
		in, ok := FactOf[ProtocolState](f, protocolStream(c.InReplyTo))
		if !ok || !in.Exists {
			return nil, Errorf(CodeNotFound, "protocol entry %s does not exist", c.InReplyTo)
		}
		if in.Direction != ProtocolIncoming {
			return nil, Errorf(CodeConflict, "protocol entry %s (%s) went out; a reply answers an incoming entry", in.EntryID, in.Ref())
		}
		if in.RequestID != "" && c.Correspondent != "" {
			return nil, Invalidf("protocol entry %s replies to request %s's entry and names no correspondent: the citizen it goes to is sealed in the request", c.EntryID, in.RequestID)
		}
	}
	if !request {
		return []Payload{entry}, nil
	}
	claim := protocolRequestClaim(c.RequestID)
	if by := claimHolder(f, claim); by != "" {
		return nil, Errorf(CodeConflict, "request %s already has its protocol number in %s", c.RequestID, by)
	}
	return []Payload{entry, takeClaim(claim, c.Stream())}, nil
}
