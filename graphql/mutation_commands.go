package graphql

// One mutation per command: each hands its input, which is the command
// itself, to record. TestEveryCommandHasAMutation fails when a command of
// the domain has none.

import (
	"context"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/model"
)

func (m mutationResolver) RegisterBody(ctx context.Context, in events.RegisterBody, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeBodySettings(ctx context.Context, in events.ChangeBodySettings, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AddMember(ctx context.Context, in events.AddMember, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{member: in.MemberID})
}

func (m mutationResolver) RemoveMember(ctx context.Context, in events.RemoveMember, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{member: in.MemberID})
}

func (m mutationResolver) ChangeMemberRole(ctx context.Context, in events.ChangeMemberRole, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{member: in.MemberID})
}

func (m mutationResolver) ChangeMemberFaction(ctx context.Context, in events.ChangeMemberFaction, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{member: in.MemberID})
}

func (m mutationResolver) ScheduleMeeting(ctx context.Context, in events.ScheduleMeeting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AddItem(ctx context.Context, in events.AddItem, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{item: in.ItemID})
}

func (m mutationResolver) WithdrawItem(ctx context.Context, in events.WithdrawItem, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{item: in.ItemID})
}

func (m mutationResolver) PublishAgenda(ctx context.Context, in events.PublishAgenda, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ConveneMeeting(ctx context.Context, in events.ConveneMeeting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordQuorumFailure(ctx context.Context, in events.RecordQuorumFailure, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordArrival(ctx context.Context, in events.RecordArrival, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordDeparture(ctx context.Context, in events.RecordDeparture, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AdjournMeeting(ctx context.Context, in events.AdjournMeeting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) PublishMinutes(ctx context.Context, in events.PublishMinutes, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) PostponeMeeting(ctx context.Context, in events.PostponeMeeting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CancelMeeting(ctx context.Context, in events.CancelMeeting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) OpenConsultation(ctx context.Context, in events.OpenConsultation, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CloseConsultation(ctx context.Context, in events.CloseConsultation, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ModerateComment(ctx context.Context, in events.ModerateComment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{comment: in.CommentID})
}

func (m mutationResolver) ProposeAmendment(ctx context.Context, in events.ProposeAmendment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) WithdrawAmendment(ctx context.Context, in events.WithdrawAmendment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AcceptAmendment(ctx context.Context, in events.AcceptAmendment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RejectAmendment(ctx context.Context, in events.RejectAmendment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) OpenVote(ctx context.Context, in events.OpenVote, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CastBallot(ctx context.Context, in events.CastBallot, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeBallot(ctx context.Context, in events.ChangeBallot, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CloseVote(ctx context.Context, in events.CloseVote, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AdoptDecision(ctx context.Context, in events.AdoptDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) PublishDecision(ctx context.Context, in events.PublishDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CorrectDecision(ctx context.Context, in events.CorrectDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RevokeDecision(ctx context.Context, in events.RevokeDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AnnulDecision(ctx context.Context, in events.AnnulDecision, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) PlanProcurement(ctx context.Context, in events.PlanProcurement, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) PublishTender(ctx context.Context, in events.PublishTender, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AmendTender(ctx context.Context, in events.AmendTender, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordBid(ctx context.Context, in events.RecordBid, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeBidStatus(ctx context.Context, in events.ChangeBidStatus, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AwardProcurement(ctx context.Context, in events.AwardProcurement, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) SignContract(ctx context.Context, in events.SignContract, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AmendContract(ctx context.Context, in events.AmendContract, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordPayment(ctx context.Context, in events.RecordPayment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CancelProcurement(ctx context.Context, in events.CancelProcurement, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CompleteProcurement(ctx context.Context, in events.CompleteProcurement, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RegisterSupplier(ctx context.Context, in events.RegisterSupplier, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeSupplierDetails(ctx context.Context, in events.ChangeSupplierDetails, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AcknowledgeRequest(ctx context.Context, in events.AcknowledgeRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AssignRequest(ctx context.Context, in events.AssignRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) AnswerRequest(ctx context.Context, in events.AnswerRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RejectRequest(ctx context.Context, in events.RejectRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) CloseRequest(ctx context.Context, in events.CloseRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ReopenRequest(ctx context.Context, in events.ReopenRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) GrantAccess(ctx context.Context, in events.GrantAccess, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RevokeAccess(ctx context.Context, in events.RevokeAccess, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) SkipEvent(ctx context.Context, in events.SkipEvent, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordForgetting(ctx context.Context, in events.RecordForgetting, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) FormFaction(ctx context.Context, in events.FormFaction, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeFactionDetails(ctx context.Context, in events.ChangeFactionDetails, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeFactionLeader(ctx context.Context, in events.ChangeFactionLeader, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ChangeFactionRole(ctx context.Context, in events.ChangeFactionRole, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) DissolveFaction(ctx context.Context, in events.DissolveFaction, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordCommitment(ctx context.Context, in events.RecordCommitment, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) RecordEvaluation(ctx context.Context, in events.RecordEvaluation, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) LodgeAppeal(ctx context.Context, in events.LodgeAppeal, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) DecideAppeal(ctx context.Context, in events.DecideAppeal, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ExtendRequest(ctx context.Context, in events.ExtendRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}

func (m mutationResolver) ForwardRequest(ctx context.Context, in events.ForwardRequest, expected *int64, key *string) (*model.Written, error) {
	return m.record(ctx, in, expected, key, focus{})
}
