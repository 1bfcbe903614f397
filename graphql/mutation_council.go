package graphql

// The mutations of the record as a Greek municipality keeps it: attendance
// per agenda item, minutes drafted, corrected and approved at a later
// sitting, a decision reissued under a new register id, and the
// municipality's protocol.

import (
	"context"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/model"
)

func (m mutationResolver) StepOut(ctx context.Context, in events.StepOut, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{item: in.ItemID})
}

func (m mutationResolver) DeclareConflict(ctx context.Context, in events.DeclareConflict, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{item: in.ItemID})
}

func (m mutationResolver) JustifyAbsence(ctx context.Context, in events.JustifyAbsence, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) SeatSubstitute(ctx context.Context, in events.SeatSubstitute, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) DraftMinutes(ctx context.Context, in events.DraftMinutes, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CorrectMinutes(ctx context.Context, in events.CorrectMinutes, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ApproveMinutes(ctx context.Context, in events.ApproveMinutes, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ReissueDecision(ctx context.Context, in events.ReissueDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RegisterProtocolEntry(ctx context.Context, in events.RegisterProtocolEntry, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}
