package graphql

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The council secretary's record: minutes, attendance per item with
// conflicts of interest, justified absences and substitutes, each
// office's register, reissues, the protocol and consultations reopened.
// Each child list of an entity comes through a loader, so a page of
// meetings, items or decisions reads each kind in one statement.

func (r *resolver) ConflictOfInterest() generated.ConflictOfInterestResolver {
	return conflictResolver{r}
}
func (r *resolver) DecisionOffice() generated.DecisionOfficeResolver { return officeResolver{r} }
func (r *resolver) ItemAttendance() generated.ItemAttendanceResolver {
	return itemAttendanceResolver{r}
}
func (r *resolver) JustifiedAbsence() generated.JustifiedAbsenceResolver {
	return absenceResolver{r}
}
func (r *resolver) Minutes() generated.MinutesResolver { return minutesResolver{r} }
func (r *resolver) MinutesApproval() generated.MinutesApprovalResolver {
	return approvalResolver{r}
}
func (r *resolver) ProtocolEntry() generated.ProtocolEntryResolver { return protocolResolver{r} }
func (r *resolver) SubstituteSeat() generated.SubstituteSeatResolver {
	return substituteResolver{r}
}

// minutes reads a meeting's minutes: through their loader now, or folded
// from the log as of at.
func (r *resolver) minutes(ctx context.Context, meetingID string, at *readmodel.Point) (*model.Minutes, error) {
	return load(ctx, r, "minutes", meetingID, at, func(q *request) *dataloadgen.Loader[string, *readmodel.Minutes] {
		return q.loaders.minutes
	}, func(m *readmodel.Minutes) *model.Minutes { return &model.Minutes{Minutes: *m} },
		func(st any, at *readmodel.Point) *model.Minutes {
			v := st.(*readmodel.MinutesView)
			if v.Status == "" {
				return nil
			}
			return &model.Minutes{Minutes: v.Minutes, At: at, Versions: v.Versions, DecisionIDs: v.DecisionIDs}
		})
}

func (r *resolver) protocolEntry(ctx context.Context, id string) (*model.ProtocolEntry, error) {
	return load(ctx, r, "protocol", id, nil, func(q *request) *dataloadgen.Loader[string, *readmodel.ProtocolEntry] {
		return q.loaders.protocol
	}, func(p *readmodel.ProtocolEntry) *model.ProtocolEntry { return &model.ProtocolEntry{ProtocolEntry: *p} }, nil)
}

// members turns member ids into members through one look-up of the
// members loader; a member unknown to the read model is named by id.
func (r *resolver) members(ctx context.Context, ids []string) ([]*model.Member, error) {
	out := make([]*model.Member, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := q.loaders.members.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[i] = &model.Member{ID: id, Latest: readmodel.Membership{MemberID: id}}
		if ms[i] != nil {
			out[i].Latest = *ms[i]
		}
	}
	return out, nil
}

func (r *resolver) oneMember(ctx context.Context, id string) (*model.Member, error) {
	ms, err := r.members(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// Query.

func (r queryResolver) Minutes(ctx context.Context, meetingID string, asOf *generated.AsOf) (*model.Minutes, error) {
	at, err := pointOf(asOf)
	if err != nil {
		return nil, err
	}
	return r.minutes(ctx, meetingID, at)
}

func (r queryResolver) ProtocolEntry(ctx context.Context, id, registry *string, year *int, number *int64) (*model.ProtocolEntry, error) {
	switch {
	case id != nil && registry == nil && year == nil && number == nil:
		return r.protocolEntry(ctx, *id)
	case id == nil && registry != nil && year != nil && number != nil:
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		p, err := s.ProtocolEntryByNumber(ctx, *registry, *year, *number)
		if events.ErrorCode(err) == events.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &model.ProtocolEntry{ProtocolEntry: p}, nil
	}
	return nil, events.Invalidf("protocolEntry: give an id, or a registry, a year and a number")
}

func (r queryResolver) ProtocolEntries(ctx context.Context, registry *string, year *int, direction, requestID, decisionID, inReplyTo *string,
	registeredFrom, registeredTo *time.Time, first *int, after *string, _ *generated.Order) (*generated.ProtocolEntryConnection, error) {
	f := readmodel.ProtocolFilter{Registry: str(registry), Direction: str(direction), RequestID: str(requestID), DecisionID: str(decisionID),
		InReplyTo: str(inReplyTo), Registered: readmodel.TimeRange{From: timeOf(registeredFrom), To: timeOf(registeredTo)}}
	if year != nil {
		f.Year = *year
	}
	return protocolEntries(ctx, f, first, after)
}

func protocolEntries(ctx context.Context, f readmodel.ProtocolFilter, first *int, after *string) (*generated.ProtocolEntryConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.ProtocolEntry], error) {
		f.Page = p
		return s.ProtocolEntries(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.ProtocolEntryConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, x *readmodel.ProtocolEntry) *generated.ProtocolEntryEdge {
			return &generated.ProtocolEntryEdge{Cursor: c, Node: &model.ProtocolEntry{ProtocolEntry: *x}}
		})}, nil
}

// Meeting.

func (r meetingResolver) Minutes(ctx context.Context, m *model.Meeting) (*model.Minutes, error) {
	return r.minutes(ctx, m.ID, m.At)
}

func (r meetingResolver) JustifiedAbsences(ctx context.Context, m *model.Meeting, order *generated.Order) ([]*readmodel.JustifiedAbsence, error) {
	all := []readmodel.JustifiedAbsence{}
	if m.Past != nil {
		all = m.Past.JustifiedAbsences
	} else {
		q, err := requestOf(ctx)
		if err != nil {
			return nil, err
		}
		if all, err = q.loaders.absences.Load(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	return ordered(order, pointers(all)), nil
}

func (r meetingResolver) Substitutes(ctx context.Context, m *model.Meeting, order *generated.Order) ([]*readmodel.Substitute, error) {
	all := []readmodel.Substitute{}
	if m.Past != nil {
		all = m.Past.Substitutes
	} else {
		q, err := requestOf(ctx)
		if err != nil {
			return nil, err
		}
		if all, err = q.loaders.substitutes.Load(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	return ordered(order, pointers(all)), nil
}

type absenceResolver struct{ *resolver }

func (r absenceResolver) Member(ctx context.Context, a *readmodel.JustifiedAbsence) (*model.Member, error) {
	return r.oneMember(ctx, a.MemberID)
}

type substituteResolver struct{ *resolver }

func (r substituteResolver) Substitute(ctx context.Context, s *readmodel.Substitute) (*model.Member, error) {
	return r.oneMember(ctx, s.SubstituteID)
}

func (r substituteResolver) ForMember(ctx context.Context, s *readmodel.Substitute) (*model.Member, error) {
	return r.oneMember(ctx, s.ForMemberID)
}

// Agenda item.

// Attendance of an item as of a point is derived from its meeting then:
// its members present less those out of the item; the attendance a vote
// recorded is in the vote's own history.
func (r agendaItemResolver) Attendance(ctx context.Context, it *model.AgendaItem) (*readmodel.ItemAttendance, error) {
	if it.At != nil {
		a := readmodel.ItemAttendance{ItemID: it.ID, Present: []string{}, SteppedOut: []readmodel.ItemMember{}, Conflicts: []readmodel.ItemMember{}}
		if it.Meeting == nil {
			return &a, nil
		}
		away := map[string]bool{}
		for _, m := range it.Meeting.ItemMembers {
			switch {
			case m.ItemID != it.ID:
			case m.Status == readmodel.ItemSteppedOut:
				a.SteppedOut, away[m.MemberID] = append(a.SteppedOut, m), true
			case m.Status == readmodel.ItemConflict:
				a.Conflicts, away[m.MemberID] = append(a.Conflicts, m), true
			}
		}
		for _, m := range it.Meeting.Attendance {
			if !away[m] {
				a.Present = append(a.Present, m)
			}
		}
		return &a, nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	a, err := q.loaders.itemAttendance.Load(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

type itemAttendanceResolver struct{ *resolver }

func (r itemAttendanceResolver) Present(ctx context.Context, a *readmodel.ItemAttendance, order *generated.Order) ([]*model.Member, error) {
	ms, err := r.members(ctx, a.Present)
	return ordered(order, ms), err
}

func (r itemAttendanceResolver) SteppedOut(ctx context.Context, a *readmodel.ItemAttendance, order *generated.Order) ([]*model.Member, error) {
	ids := make([]string, len(a.SteppedOut))
	for i, m := range a.SteppedOut {
		ids[i] = m.MemberID
	}
	ms, err := r.members(ctx, ids)
	return ordered(order, ms), err
}

func (r itemAttendanceResolver) Conflicts(ctx context.Context, a *readmodel.ItemAttendance, order *generated.Order) ([]*readmodel.ItemMember, error) {
	return ordered(order, pointers(a.Conflicts)), nil
}

type conflictResolver struct{ *resolver }

func (r conflictResolver) Member(ctx context.Context, m *readmodel.ItemMember) (*model.Member, error) {
	return r.oneMember(ctx, m.MemberID)
}

// Minutes.

type minutesResolver struct{ *resolver }

func (r minutesResolver) Meeting(ctx context.Context, m *model.Minutes) (*model.Meeting, error) {
	return r.meeting(ctx, m.MeetingID, m.At)
}

func (r minutesResolver) Body(ctx context.Context, m *model.Minutes) (*model.Body, error) {
	return r.body(ctx, m.BodyID, m.At)
}

func (r minutesResolver) Versions(ctx context.Context, m *model.Minutes, order *generated.Order) ([]*readmodel.MinutesVersion, error) {
	vs := m.Versions
	if m.At == nil {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if vs, err = s.MinutesVersions(ctx, m.MeetingID); err != nil {
			return nil, err
		}
	}
	return ordered(order, pointers(vs)), nil
}

func (r minutesResolver) Decisions(ctx context.Context, m *model.Minutes, order *generated.Order) ([]*model.Decision, error) {
	ids := m.DecisionIDs
	if m.At == nil {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if ids, err = s.MinutesDecisions(ctx, m.MeetingID); err != nil {
			return nil, err
		}
	}
	out := make([]*model.Decision, 0, len(ids))
	for _, id := range ids {
		d, err := r.decision(ctx, id, m.At)
		if err != nil {
			return nil, err
		}
		if d != nil {
			out = append(out, d)
		}
	}
	return ordered(order, out), nil
}

type approvalResolver struct{ *resolver }

func (r approvalResolver) Meeting(ctx context.Context, a *model.MinutesApproval) (*model.Meeting, error) {
	return r.meeting(ctx, a.MeetingID, a.At)
}

func (r approvalResolver) Vote(ctx context.Context, a *model.MinutesApproval) (*model.Vote, error) {
	return r.vote(ctx, a.VoteID, a.At)
}

// Decision.

func (r decisionResolver) Office(ctx context.Context, d *model.Decision) (*model.DecisionOffice, error) {
	return model.OfficeOf(d), nil
}

func (r decisionResolver) Minutes(ctx context.Context, d *model.Decision) (*model.Minutes, error) {
	if err := notAsOf(d.At, "decision.minutes"); err != nil {
		return nil, err
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	meetingID, err := q.loaders.minutesOf.Load(ctx, d.ID)
	if err != nil || meetingID == "" {
		return nil, err
	}
	return r.minutes(ctx, meetingID, nil)
}

func (r decisionResolver) Reissues(ctx context.Context, d *model.Decision, order *generated.Order) ([]*readmodel.DecisionReissue, error) {
	all := d.Reissues
	if d.At == nil {
		q, err := requestOf(ctx)
		if err != nil {
			return nil, err
		}
		if all, err = q.loaders.reissues.Load(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	return ordered(order, pointers(all)), nil
}

func (r decisionResolver) ProtocolEntries(ctx context.Context, d *model.Decision, first *int, after *string, _ *generated.Order) (*generated.ProtocolEntryConnection, error) {
	if err := notAsOf(d.At, "decision.protocolEntries"); err != nil {
		return nil, err
	}
	return protocolEntries(ctx, readmodel.ProtocolFilter{DecisionID: d.ID}, first, after)
}

type officeResolver struct{ *resolver }

func (r officeResolver) Body(ctx context.Context, o *model.DecisionOffice) (*model.Body, error) {
	return r.body(ctx, o.BodyID, o.At)
}

// Consultation and request.

func (r consultationResolver) Reopenings(ctx context.Context, c *model.Consultation, order *generated.Order) ([]*readmodel.ConsultationReopening, error) {
	all := c.Reopenings
	if c.At == nil {
		q, err := requestOf(ctx)
		if err != nil {
			return nil, err
		}
		if all, err = q.loaders.reopenings.Load(ctx, c.ItemID); err != nil {
			return nil, err
		}
	}
	return ordered(order, pointers(all)), nil
}

func (r requestResolver) ProtocolEntries(ctx context.Context, x *model.Request, first *int, after *string, _ *generated.Order) (*generated.ProtocolEntryConnection, error) {
	if err := notAsOf(x.At, "request.protocolEntries"); err != nil {
		return nil, err
	}
	return protocolEntries(ctx, readmodel.ProtocolFilter{RequestID: x.ID}, first, after)
}

// Protocol entry.

type protocolResolver struct{ *resolver }

func (r protocolResolver) Request(ctx context.Context, p *model.ProtocolEntry) (*model.Request, error) {
	return r.request(ctx, p.RequestID, nil)
}

func (r protocolResolver) Decision(ctx context.Context, p *model.ProtocolEntry) (*model.Decision, error) {
	return r.decision(ctx, p.DecisionID, nil)
}

func (r protocolResolver) InReplyTo(ctx context.Context, p *model.ProtocolEntry) (*model.ProtocolEntry, error) {
	return r.protocolEntry(ctx, p.InReplyTo)
}
