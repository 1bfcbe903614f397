package graphql

import (
	"context"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql/generated"
)

// The inputs of procurement under ν. 4412/2016 whose words are named
// string types of events; the deciders check the words.

type lawInputs struct{}

func (r *resolver) DecideAppealInput() generated.DecideAppealInputResolver { return lawInputs{} }
func (r *resolver) LodgeAppealInput() generated.LodgeAppealInputResolver   { return lawInputs{} }
func (r *resolver) RecordEvaluationInput() generated.RecordEvaluationInputResolver {
	return lawInputs{}
}
func (r *resolver) PlanProcurementInput() generated.PlanProcurementInputResolver { return lawInputs{} }

func (lawInputs) Procedure(_ context.Context, obj *events.PlanProcurement, data *string) error {
	if data != nil {
		obj.Procedure = events.ProcedureType(*data)
	}
	return nil
}

func (lawInputs) Category(_ context.Context, obj *events.PlanProcurement, data *string) error {
	if data != nil {
		obj.Category = events.ContractCategory(*data)
	}
	return nil
}

func (lawInputs) Outcome(_ context.Context, obj *events.DecideAppeal, data string) error {
	obj.Outcome = events.AppealOutcome(data)
	return nil
}

func (lawInputs) Kind(_ context.Context, obj *events.LodgeAppeal, data string) error {
	obj.Kind = events.AppealKind(data)
	return nil
}

func (lawInputs) Phase(_ context.Context, obj *events.RecordEvaluation, data string) error {
	obj.Phase = events.EvaluationPhase(data)
	return nil
}
