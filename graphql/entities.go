package graphql

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The connections more than one field returns.

func bodyConnection(l readmodel.List[readmodel.Body]) *generated.BodyConnection {
	return &generated.BodyConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, b *readmodel.Body) *generated.BodyEdge {
			return &generated.BodyEdge{Cursor: c, Node: &model.Body{Body: *b}}
		})}
}

func membershipConnection(l readmodel.List[readmodel.Membership], cursor func(readmodel.List[readmodel.Membership], int) string) *generated.MembershipConnection {
	out := &generated.MembershipConnection{PageInfo: pageInfo(l), TotalCount: total(l), Edges: make([]*generated.MembershipEdge, len(l.Items))}
	for i := range l.Items {
		out.Edges[i] = &generated.MembershipEdge{Cursor: cursor(l, i), Node: &l.Items[i]}
	}
	return out
}

func readCursor[T any](l readmodel.List[T], i int) string { return l.Cursor(i) }

func memberships(ctx context.Context, f readmodel.MembershipFilter, first *int, after *string) (*generated.MembershipConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Membership], error) {
		f.Page = p
		return s.Memberships(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return membershipConnection(l, readCursor), nil
}

func meetings(ctx context.Context, f readmodel.MeetingFilter, first *int, after *string) (*generated.MeetingConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Meeting], error) {
		f.Page = p
		return s.Meetings(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.MeetingConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, m *readmodel.Meeting) *generated.MeetingEdge {
			return &generated.MeetingEdge{Cursor: c, Node: &model.Meeting{Meeting: *m}}
		})}, nil
}

func votes(ctx context.Context, f readmodel.VoteFilter, first *int, after *string) (*generated.VoteConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Vote], error) {
		f.Page = p
		return s.Votes(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.VoteConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, v *readmodel.Vote) *generated.VoteEdge {
			return &generated.VoteEdge{Cursor: c, Node: &model.Vote{Vote: *v}}
		})}, nil
}

func decisions(ctx context.Context, f readmodel.DecisionFilter, first *int, after *string) (*generated.DecisionConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Decision], error) {
		f.Page = p
		return s.Decisions(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	if err := prefetchDecisions(ctx, l.Items); err != nil {
		return nil, err
	}
	return &generated.DecisionConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, d *readmodel.Decision) *generated.DecisionEdge {
			return &generated.DecisionEdge{Cursor: c, Node: &model.Decision{Decision: *d}}
		})}, nil
}

func procurements(ctx context.Context, f readmodel.ProcurementFilter, first *int, after *string) (*generated.ProcurementConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Procurement], error) {
		f.Page = p
		return s.Procurements(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.ProcurementConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, x *readmodel.Procurement) *generated.ProcurementEdge {
			return &generated.ProcurementEdge{Cursor: c, Node: &model.Procurement{Procurement: *x}}
		})}, nil
}

func procurementDecisions(ctx context.Context, f readmodel.ProcurementDecisionFilter, first *int, after *string) (*generated.ProcurementDecisionConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.ProcurementDecision], error) {
		f.Page = p
		return s.ProcurementDecisions(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return &generated.ProcurementDecisionConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, x *readmodel.ProcurementDecision) *generated.ProcurementDecisionEdge {
			return &generated.ProcurementDecisionEdge{Cursor: c, Node: x}
		})}, nil
}

func bids(ctx context.Context, f readmodel.BidFilter, first *int, after *string) (*generated.BidConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Bid], error) {
		f.Page = p
		return s.Bids(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	return bidConnection(l, func(l readmodel.List[readmodel.Bid], i int) string { return l.Cursor(i) }), nil
}

func bidConnection(l readmodel.List[readmodel.Bid], cursor func(readmodel.List[readmodel.Bid], int) string) *generated.BidConnection {
	out := &generated.BidConnection{PageInfo: pageInfo(l), TotalCount: total(l), Edges: make([]*generated.BidEdge, len(l.Items))}
	for i := range l.Items {
		out.Edges[i] = &generated.BidEdge{Cursor: cursor(l, i), Node: &l.Items[i]}
	}
	return out
}

// Body.

type bodyResolver struct{ *resolver }

func (r bodyResolver) Members(ctx context.Context, b *model.Body, at *time.Time, faction, role *string, first *int, after *string, _ *generated.Order) (*generated.MembershipConnection, error) {
	if b.At != nil {
		var keep []readmodel.Membership
		for _, m := range b.Memberships {
			if (faction == nil || m.FactionID == *faction) && (role == nil || m.Role == *role) && sitting(m, timeOf(at)) {
				keep = append(keep, m)
			}
		}
		key := func(m *readmodel.Membership) string { return fmt.Sprintf("%s/%d", m.MemberID, m.Period) }
		l, cursor, err := slicePage(ctx, keep, first, after, key)
		if err != nil {
			return nil, err
		}
		return membershipConnection(l, func(_ readmodel.List[readmodel.Membership], i int) string { return cursor(i) }), nil
	}
	return memberships(ctx, readmodel.MembershipFilter{BodyID: b.ID, Faction: str(faction), Role: str(role), At: timeOf(at)}, first, after)
}

// sitting reports whether m's period covers t (any period for zero t).
func sitting(m readmodel.Membership, t time.Time) bool {
	if t.IsZero() {
		return true
	}
	return !m.Since.After(t) && (m.Until.IsZero() || m.Until.After(t))
}

func (r bodyResolver) Meetings(ctx context.Context, b *model.Body, status *string, first *int, after *string, _ *generated.Order) (*generated.MeetingConnection, error) {
	if err := notAsOf(b.At, "body.meetings"); err != nil {
		return nil, err
	}
	return meetings(ctx, readmodel.MeetingFilter{BodyID: b.ID, Status: str(status)}, first, after)
}

func (r bodyResolver) Decisions(ctx context.Context, b *model.Body, year *int, first *int, after *string, _ *generated.Order) (*generated.DecisionConnection, error) {
	if err := notAsOf(b.At, "body.decisions"); err != nil {
		return nil, err
	}
	f := readmodel.DecisionFilter{BodyID: b.ID}
	if year != nil {
		f.Year = *year
	}
	return decisions(ctx, f, first, after)
}

// Member.

type memberResolver struct{ *resolver }

func (r memberResolver) Memberships(ctx context.Context, m *model.Member, first *int, after *string, _ *generated.Order) (*generated.MembershipConnection, error) {
	return memberships(ctx, readmodel.MembershipFilter{MemberID: m.ID}, first, after)
}

func (r memberResolver) VotingRecord(ctx context.Context, m *model.Member, bodyID, faction *string, from, to *time.Time, first *int, after *string, _ *generated.Order) (*generated.MemberBallotConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.MemberBallot], error) {
		return s.MemberBallots(ctx, readmodel.MemberRecordFilter{MemberID: m.ID, BodyID: str(bodyID), Faction: str(faction),
			Period: readmodel.TimeRange{From: timeOf(from), To: timeOf(to)}, Page: p})
	})
	if err != nil {
		return nil, err
	}
	return &generated.MemberBallotConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, b *readmodel.MemberBallot) *generated.MemberBallotEdge {
			return &generated.MemberBallotEdge{Cursor: c, Node: b}
		})}, nil
}

func (r memberResolver) Attendance(ctx context.Context, m *model.Member, bodyID string, from, to *time.Time, first *int, after *string, _ *generated.Order) (*generated.MemberSittingConnection, error) {
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.MemberSitting], error) {
		return s.MemberAttendance(ctx, readmodel.MemberRecordFilter{MemberID: m.ID, BodyID: bodyID,
			Period: readmodel.TimeRange{From: timeOf(from), To: timeOf(to)}, Page: p})
	})
	if err != nil {
		return nil, err
	}
	return &generated.MemberSittingConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, x *readmodel.MemberSitting) *generated.MemberSittingEdge {
			return &generated.MemberSittingEdge{Cursor: c, Node: x}
		})}, nil
}

type membershipResolver struct{ *resolver }

func (r membershipResolver) Member(ctx context.Context, m *readmodel.Membership) (*model.Member, error) {
	return &model.Member{ID: m.MemberID, Latest: *m}, nil
}

func (r membershipResolver) Body(ctx context.Context, m *readmodel.Membership) (*model.Body, error) {
	return r.body(ctx, m.BodyID, nil)
}

type memberBallotResolver struct{ *resolver }

func (r memberBallotResolver) Vote(ctx context.Context, b *readmodel.MemberBallot) (*model.Vote, error) {
	return r.vote(ctx, b.VoteID, nil)
}

type memberSittingResolver struct{ *resolver }

func (r memberSittingResolver) Meeting(ctx context.Context, s *readmodel.MemberSitting) (*model.Meeting, error) {
	return r.meeting(ctx, s.MeetingID, nil)
}

// Meeting.

type meetingResolver struct{ *resolver }

func (r meetingResolver) Body(ctx context.Context, m *model.Meeting) (*model.Body, error) {
	return r.body(ctx, m.BodyID, m.At)
}

func (r meetingResolver) Presiding(ctx context.Context, m *model.Meeting) (*model.Member, error) {
	return r.member(ctx, m.PresidingMemberID)
}

func (r meetingResolver) Items(ctx context.Context, m *model.Meeting, first *int, after *string, _ *generated.Order) (*generated.AgendaItemConnection, error) {
	var l readmodel.List[readmodel.AgendaItem]
	var cursor func(int) string
	if m.At != nil {
		var err error
		if l, cursor, err = slicePage(ctx, m.Items, first, after, func(it *readmodel.AgendaItem) string { return it.ID }); err != nil {
			return nil, err
		}
	} else {
		s, p, err := listArgs(ctx, first, after)
		if err != nil {
			return nil, err
		}
		if l, err = list(p, func(p readmodel.Page) (readmodel.List[readmodel.AgendaItem], error) {
			return s.AgendaItems(ctx, readmodel.AgendaItemFilter{MeetingID: m.ID, Page: p})
		}); err != nil {
			return nil, err
		}
		cursor = l.Cursor
	}
	out := &generated.AgendaItemConnection{PageInfo: pageInfo(l), TotalCount: total(l), Edges: make([]*generated.AgendaItemEdge, len(l.Items))}
	for i := range l.Items {
		out.Edges[i] = &generated.AgendaItemEdge{Cursor: cursor(i), Node: &model.AgendaItem{AgendaItem: l.Items[i], At: m.At, Meeting: m.Past}}
	}
	return out, nil
}

func (r meetingResolver) Attendance(ctx context.Context, m *model.Meeting, order *generated.Order) ([]*model.Member, error) {
	ids := m.Attendance
	if m.At == nil {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if ids, err = s.Attendance(ctx, m.ID); err != nil {
			return nil, err
		}
	}
	out := make([]*model.Member, 0, len(ids))
	for _, id := range ids {
		mb, err := r.member(ctx, id)
		if err != nil {
			return nil, err
		}
		if mb != nil {
			out = append(out, mb)
		}
	}
	return ordered(order, out), nil
}

func (r meetingResolver) Votes(ctx context.Context, m *model.Meeting, first *int, after *string, _ *generated.Order) (*generated.VoteConnection, error) {
	if err := notAsOf(m.At, "meeting.votes"); err != nil {
		return nil, err
	}
	return votes(ctx, readmodel.VoteFilter{MeetingID: m.ID}, first, after)
}

func (r meetingResolver) Decisions(ctx context.Context, m *model.Meeting, first *int, after *string, _ *generated.Order) (*generated.DecisionConnection, error) {
	if err := notAsOf(m.At, "meeting.decisions"); err != nil {
		return nil, err
	}
	return decisions(ctx, readmodel.DecisionFilter{MeetingID: m.ID}, first, after)
}

// Agenda item.

type agendaItemResolver struct{ *resolver }

func (r agendaItemResolver) Meeting(ctx context.Context, it *model.AgendaItem) (*model.Meeting, error) {
	return r.meeting(ctx, it.MeetingID, it.At)
}

func (r agendaItemResolver) Consultation(ctx context.Context, it *model.AgendaItem) (*model.Consultation, error) {
	return r.consultation(ctx, it.ID, it.At)
}

func (r agendaItemResolver) Amendments(ctx context.Context, it *model.AgendaItem, first *int, after *string, _ *generated.Order) (*generated.AmendmentConnection, error) {
	if err := notAsOf(it.At, "agendaItem.amendments"); err != nil {
		return nil, err
	}
	s, p, err := listArgs(ctx, first, after)
	if err != nil {
		return nil, err
	}
	l, err := list(p, func(p readmodel.Page) (readmodel.List[readmodel.Amendment], error) {
		return s.Amendments(ctx, readmodel.AmendmentFilter{ItemID: it.ID, Page: p})
	})
	if err != nil {
		return nil, err
	}
	return &generated.AmendmentConnection{PageInfo: pageInfo(l), TotalCount: total(l),
		Edges: edges(l, func(c string, a *readmodel.Amendment) *generated.AmendmentEdge {
			return &generated.AmendmentEdge{Cursor: c, Node: &model.Amendment{Amendment: *a}}
		})}, nil
}

func (r agendaItemResolver) Votes(ctx context.Context, it *model.AgendaItem, first *int, after *string, _ *generated.Order) (*generated.VoteConnection, error) {
	if err := notAsOf(it.At, "agendaItem.votes"); err != nil {
		return nil, err
	}
	return votes(ctx, readmodel.VoteFilter{ItemID: it.ID}, first, after)
}

func (r agendaItemResolver) Decisions(ctx context.Context, it *model.AgendaItem, first *int, after *string, _ *generated.Order) (*generated.DecisionConnection, error) {
	if err := notAsOf(it.At, "agendaItem.decisions"); err != nil {
		return nil, err
	}
	return decisions(ctx, readmodel.DecisionFilter{ItemID: it.ID}, first, after)
}

// Consultation and comments.

type consultationResolver struct{ *resolver }

func (r consultationResolver) Item(ctx context.Context, c *model.Consultation) (*model.AgendaItem, error) {
	return r.item(ctx, c.ItemID, c.At)
}

func (r consultationResolver) Meeting(ctx context.Context, c *model.Consultation) (*model.Meeting, error) {
	return r.meeting(ctx, c.MeetingID, c.At)
}

func (r consultationResolver) Comments(ctx context.Context, c *model.Consultation, kind, status *string, first *int, after *string, _ *generated.Order) (*generated.CommentConnection, error) {
	var l readmodel.List[readmodel.Comment]
	cursor := func(i int) string { return l.Cursor(i) }
	if c.At != nil {
		var keep []readmodel.Comment
		for _, cm := range c.CommentList {
			if (kind == nil || cm.Kind == *kind) && (status == nil || cm.Status == *status) {
				keep = append(keep, cm)
			}
		}
		var err error
		if l, cursor, err = slicePage(ctx, keep, first, after, func(cm *readmodel.Comment) string { return cm.ID }); err != nil {
			return nil, err
		}
	} else {
		s, p, err := listArgs(ctx, first, after)
		if err != nil {
			return nil, err
		}
		if l, err = list(p, func(p readmodel.Page) (readmodel.List[readmodel.Comment], error) {
			return s.Comments(ctx, readmodel.CommentFilter{ItemID: c.ItemID, Kind: str(kind), Status: str(status), Page: p})
		}); err != nil {
			return nil, err
		}
	}
	out := &generated.CommentConnection{PageInfo: pageInfo(l), TotalCount: total(l), Edges: make([]*generated.CommentEdge, len(l.Items))}
	for i := range l.Items {
		out.Edges[i] = &generated.CommentEdge{Cursor: cursor(i), Node: &l.Items[i]}
	}
	return out, nil
}

type commentResolver struct{ *resolver }

func (r commentResolver) Item(ctx context.Context, c *readmodel.Comment) (*model.AgendaItem, error) {
	return r.item(ctx, c.ItemID, nil)
}

// Amendment.

type amendmentResolver struct{ *resolver }

func (r amendmentResolver) Item(ctx context.Context, a *model.Amendment) (*model.AgendaItem, error) {
	return r.item(ctx, a.ItemID, a.At)
}

func (r amendmentResolver) Proposer(ctx context.Context, a *model.Amendment) (*model.Member, error) {
	return r.member(ctx, a.ProposerID)
}

func (r amendmentResolver) Vote(ctx context.Context, a *model.Amendment) (*model.Vote, error) {
	return r.vote(ctx, a.VoteID, a.At)
}

// Vote and ballots.

type voteResolver struct{ *resolver }

func (r voteResolver) Body(ctx context.Context, v *model.Vote) (*model.Body, error) {
	return r.body(ctx, v.BodyID, v.At)
}

func (r voteResolver) Meeting(ctx context.Context, v *model.Vote) (*model.Meeting, error) {
	return r.meeting(ctx, v.MeetingID, v.At)
}

func (r voteResolver) Item(ctx context.Context, v *model.Vote) (*model.AgendaItem, error) {
	return r.item(ctx, v.ItemID, v.At)
}

func (r voteResolver) Amendment(ctx context.Context, v *model.Vote) (*model.Amendment, error) {
	return r.amendment(ctx, v.AmendmentID, v.At)
}

// Ballots come whole per vote, through one loader for every vote of the
// page, and their members, when selected, through one look-up of the
// members loader for all of them.
func (r voteResolver) Ballots(ctx context.Context, v *model.Vote, choice *string, order *generated.Order) ([]*model.Ballot, error) {
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	all := v.Ballots
	if v.At == nil {
		if all, err = q.loaders.ballots.Load(ctx, v.ID); err != nil {
			return nil, err
		}
	}
	out := make([]*model.Ballot, 0, len(all))
	for i := range all {
		if choice == nil || all[i].Choice == *choice {
			out = append(out, &model.Ballot{Ballot: all[i]})
		}
	}
	if desc(order) {
		slices.Reverse(out)
	}
	if _, ok := has(selected(ctx), "member"); !ok || len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, b := range out {
		ids[i] = b.MemberID
	}
	ms, err := q.loaders.members.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, b := range out {
		if ms[i] != nil {
			b.Member = &model.Member{ID: b.MemberID, Latest: *ms[i]}
		} else {
			// A ballot's member is always on record; a member unknown
			// to the read model is named by id alone.
			b.Member = &model.Member{ID: b.MemberID, Latest: readmodel.Membership{MemberID: b.MemberID}}
		}
	}
	return out, nil
}

// maxVoteDecisions bounds the decisions one vote lists: in practice one.
const maxVoteDecisions = 100

func (r voteResolver) Decisions(ctx context.Context, v *model.Vote) ([]*model.Decision, error) {
	if err := notAsOf(v.At, "vote.decisions"); err != nil {
		return nil, err
	}
	s, err := snapshot(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.Decisions(ctx, readmodel.DecisionFilter{VoteID: v.ID, Page: readmodel.Page{First: maxVoteDecisions}})
	if err != nil {
		return nil, err
	}
	out := make([]*model.Decision, len(l.Items))
	for i := range l.Items {
		out[i] = &model.Decision{Decision: l.Items[i]}
	}
	return out, nil
}

// Decision.

type decisionResolver struct{ *resolver }

func (r decisionResolver) Body(ctx context.Context, d *model.Decision) (*model.Body, error) {
	return r.body(ctx, d.BodyID, d.At)
}

func (r decisionResolver) Meeting(ctx context.Context, d *model.Decision) (*model.Meeting, error) {
	return r.meeting(ctx, d.MeetingID, d.At)
}

func (r decisionResolver) Item(ctx context.Context, d *model.Decision) (*model.AgendaItem, error) {
	return r.item(ctx, d.ItemID, d.At)
}

func (r decisionResolver) Vote(ctx context.Context, d *model.Decision) (*model.Vote, error) {
	return r.vote(ctx, d.VoteID, d.At)
}

func (r decisionResolver) RevokedBy(ctx context.Context, d *model.Decision) (*model.Decision, error) {
	return r.decision(ctx, d.Decision.RevokedBy, d.At)
}

func (r decisionResolver) Versions(ctx context.Context, d *model.Decision, order *generated.Order) ([]*model.DecisionVersion, error) {
	vs := d.Versions
	if d.At == nil {
		s, err := snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if vs, err = s.DecisionVersions(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	out := make([]*model.DecisionVersion, len(vs))
	for i := range vs {
		out[i] = &model.DecisionVersion{DecisionVersion: vs[i]}
		if i > 0 {
			out[i].Previous = &vs[i-1]
		}
	}
	if desc(order) {
		slices.Reverse(out) // each keeps its previous version, for its diff
	}
	return out, nil
}

func (r decisionResolver) Documents(ctx context.Context, d *model.Decision, order *generated.Order) ([]*events.DocumentRef, error) {
	vs, err := r.Versions(ctx, d, nil)
	if err != nil {
		return nil, err
	}
	out := []*events.DocumentRef{}
	for _, v := range vs {
		if v.Version == d.Version {
			for i := range v.Documents {
				out = append(out, &v.Documents[i])
			}
		}
	}
	return ordered(order, out), nil
}

func (r decisionResolver) Procurements(ctx context.Context, d *model.Decision, first *int, after *string, _ *generated.Order) (*generated.ProcurementDecisionConnection, error) {
	if err := notAsOf(d.At, "decision.procurements"); err != nil {
		return nil, err
	}
	return procurementDecisions(ctx, readmodel.ProcurementDecisionFilter{DecisionID: d.ID}, first, after)
}
