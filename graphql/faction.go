package graphql

import (
	"context"
	"sort"
	"time"

	"github.com/pnyx-civic/pnyx/graphql/generated"
	"github.com/pnyx-civic/pnyx/graphql/model"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Factions: each a row of the read model's factions, loaded by id in one
// query per request; a membership names its faction by id.

func (r *resolver) Faction() generated.FactionResolver { return factionResolver{r} }

// faction loads one faction by id; nil for none or an empty id.
func (r *resolver) faction(ctx context.Context, id string) (*readmodel.Faction, error) {
	if id == "" {
		return nil, nil
	}
	q, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	return q.loaders.factions.Load(ctx, id)
}

// factionName is the name of faction id, "" for an independent.
func (r *resolver) factionName(ctx context.Context, id string) (string, error) {
	f, err := r.faction(ctx, id)
	if err != nil || f == nil {
		return "", err
	}
	return f.Name, nil
}

func (r queryResolver) Faction(ctx context.Context, id string) (*model.Faction, error) {
	f, err := r.faction(ctx, id)
	if err != nil || f == nil {
		return nil, err
	}
	return &model.Faction{Faction: *f}, nil
}

// maxFactionMembers bounds the seats read to count factions: more than
// any council has.
const maxFactionMembers = 500

// maxFactions bounds the factions of one body.
const maxFactions = 100

func (r bodyResolver) Factions(ctx context.Context, b *model.Body, order *generated.Order) ([]*model.Faction, error) {
	s, err := snapshot(ctx)
	if err != nil {
		return nil, err
	}
	q, _ := requestOf(ctx)
	fs, err := s.Factions(ctx, readmodel.FactionFilter{BodyID: b.ID, Page: readmodel.Page{First: maxFactions}})
	if err != nil {
		return nil, err
	}
	current := b.Memberships
	if b.At == nil {
		l, err := s.Memberships(ctx, readmodel.MembershipFilter{BodyID: b.ID, At: q.now, Page: readmodel.Page{First: maxFactionMembers}})
		if err != nil {
			return nil, err
		}
		current = l.Items
	}
	count := map[string]int{}
	for _, m := range current {
		if b.At == nil || m.Until.IsZero() {
			count[m.FactionID]++
		}
	}
	out := make([]*model.Faction, 0, len(fs.Items))
	for _, f := range fs.Items {
		n := count[f.ID]
		out = append(out, &model.Faction{Faction: f, Sitting: &n})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if *out[i].Sitting != *out[j].Sitting {
			return *out[i].Sitting > *out[j].Sitting
		}
		return out[i].Name < out[j].Name
	})
	return ordered(order, out), nil
}

func (r factionResolver) Members(ctx context.Context, f *model.Faction) (int, error) {
	if f.Sitting != nil {
		return *f.Sitting, nil
	}
	s, err := snapshot(ctx)
	if err != nil {
		return 0, err
	}
	q, _ := requestOf(ctx)
	l, err := s.Memberships(ctx, readmodel.MembershipFilter{Faction: f.ID, At: q.now, Page: readmodel.Page{First: maxFactionMembers}})
	if err != nil {
		return 0, err
	}
	return len(l.Items), nil
}

type factionResolver struct{ *resolver }

func (r factionResolver) Leader(ctx context.Context, f *model.Faction) (*model.Member, error) {
	return r.member(ctx, f.LeaderID)
}

func (r factionResolver) Body(ctx context.Context, f *model.Faction) (*model.Body, error) {
	return r.body(ctx, f.BodyID, nil)
}

func (r factionResolver) Memberships(ctx context.Context, f *model.Faction, at *time.Time, first *int, after *string, _ *generated.Order) (*generated.MembershipConnection, error) {
	return memberships(ctx, readmodel.MembershipFilter{Faction: f.ID, At: timeOf(at)}, first, after)
}

func (r membershipResolver) Faction(ctx context.Context, m *readmodel.Membership) (string, error) {
	return r.factionName(ctx, m.FactionID)
}

func (r membershipResolver) FactionEntity(ctx context.Context, m *readmodel.Membership) (*model.Faction, error) {
	f, err := r.faction(ctx, m.FactionID)
	if err != nil || f == nil {
		return nil, err
	}
	return &model.Faction{Faction: *f}, nil
}

func (r memberResolver) Faction(ctx context.Context, m *model.Member) (string, error) {
	return r.factionName(ctx, m.Latest.FactionID)
}
