package graphql_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// A procurement officer records a procedure under ν. 4412/2016 through
// the API (process p5 of the lists fixture: two lots, two commitments,
// two evaluations, an objection dismissed, a recourse upheld, an award
// annulled and made again, a contract per award signed, one modified
// and one paid), reads it
// back whole, and is refused what the law forbids, with nothing written.
func TestProcurementUnderTheLaw(t *testing.T) {
	e, _ := listsFixture(t)
	po := e.secrets["procurement"]

	type money struct{ Cents int64 }
	type contract struct {
		ContractID, AwardID, Supplier, Adam string
		Value, OriginalValue, Paid          money
	}
	var got struct {
		Procurement struct {
			Method, ProcedureType, Category, Status         string
			VatRate                                         int
			Adam, TenderAdam, AwardAdam, ContractAdam       string
			Budget, BudgetWithVat, Committed, ContractValue money
			ContractWithVat                                 money
			LotCount, LotsAwarded, AppealsPending           int
			ContractCount                                   int
			ModificationLimitPercent                        int
			Lots                                            []struct{ LotID, Title string }
			Awards                                          []struct{ AwardID, LotID, Status, Supplier, Decision string }
			Commitments                                     []struct {
				CommitmentID string
				Amount       money
			}
			Evaluations []struct {
				EvaluationID, LotID, Status string
				Ranking, Rejected           []string
			}
			Appeals   []struct{ AppealID, Kind, Status, AwardID, EvaluationID, Decision string }
			Contracts []contract
			Payments  struct {
				Edges []struct {
					Node struct{ PaymentID, ContractID string }
				}
			}
		}
	}
	r, _ := e.do(t, call{query: `{ procurement(ocid: "ocds-tst001-p5") {
		method procedureType category status vatRate adam tenderAdam awardAdam contractAdam
		budget { cents } budgetWithVat { cents } committed { cents } contractValue { cents } contractWithVat { cents }
		lotCount lotsAwarded appealsPending modificationLimitPercent contractCount
		contracts { contractId awardId supplier { vatId } adam value { cents } originalValue { cents } paid { cents } }
		payments { edges { node { paymentId contractId } } }
		lots { lotId title }
		awards { awardId lotId status supplier { vatId } decision { localId } }
		commitments { commitmentId amount { cents } }
		evaluations { evaluationId lotId status ranking rejected }
		appeals { appealId kind status awardId evaluationId decision { localId } } } }`})
	if len(r.Errors) > 0 {
		t.Fatalf("read p5: %+v", r.Errors)
	}
	// Flatten the nested objects the struct above names by one string.
	var raw map[string]map[string]any
	if err := json.Unmarshal(r.Data, &raw); err != nil {
		t.Fatal(err)
	}
	p := raw["procurement"]
	for _, list := range []string{"awards", "appeals", "contracts"} {
		for _, x := range p[list].([]any) {
			m := x.(map[string]any)
			if s, ok := m["supplier"].(map[string]any); ok {
				m["supplier"] = s["vatId"]
			}
			if d, ok := m["decision"].(map[string]any); ok {
				m["decision"] = d["localId"]
			} else if list != "contracts" {
				m["decision"] = ""
			}
		}
	}
	b, _ := json.Marshal(p)
	if err := json.Unmarshal(b, &got.Procurement); err != nil {
		t.Fatal(err)
	}
	g := got.Procurement
	v1, v2 := vatID("09412345"), vatID("08876543")
	checks := []struct {
		what      string
		got, want any
	}{
		{"method, from the procedure", g.Method, "open"},
		{"procedure, category, VAT", []any{g.ProcedureType, g.Category, g.VatRate}, []any{"open", "services", 2400}},
		{"ΑΔΑΜ of each stage", []string{g.Adam, g.TenderAdam, g.AwardAdam, g.ContractAdam},
			[]string{"26REQ012345678", "26PROC012345678", "", "26SYMV012345678"}}, // the latest award, aw3, has none
		{"budget net and with VAT", []int64{g.Budget.Cents, g.BudgetWithVat.Cents}, []int64{10_000_000, 12_400_000}},
		{"committed", g.Committed.Cents, int64(12_000_000)},
		{"contracts net and with VAT, as modified", []int64{g.ContractValue.Cents, g.ContractWithVat.Cents}, []int64{7_500_000, 9_300_000}},
		{"a contract per award", g.ContractCount, 2},
		{"contracts", g.Contracts, []contract{
			{"sym5-1", "aw3", v1, "26SYMV012345678", money{3_500_000}, money{3_500_000}, money{1_000_000}},
			{"sym5-2", "aw2", v1, "", money{4_000_000}, money{3_700_000}, money{0}}}},
		{"payments name their contract", g.Payments.Edges, []struct {
			Node struct{ PaymentID, ContractID string }
		}{{struct{ PaymentID, ContractID string }{"pay51", "sym5-1"}}}},
		{"lots, awarded, appeals pending", []int{g.LotCount, g.LotsAwarded, g.AppealsPending}, []int{2, 2, 0}},
		{"modification limit", g.ModificationLimitPercent, 10},
		{"status", g.Status, "contract"},
		{"lots", g.Lots, []struct{ LotID, Title string }{{"L1", "Δημαρχείο"}, {"L2", "Σχολεία"}}},
		{"awards", g.Awards, []struct{ AwardID, LotID, Status, Supplier, Decision string }{
			{"aw1", "L1", "annulled", v2, "d2"}, {"aw2", "L2", "active", v1, "d2"}, {"aw3", "L1", "active", v1, "d3"}}},
		{"commitments", g.Commitments, []struct {
			CommitmentID string
			Amount       money
		}{{"c1", money{6_000_000}}, {"c2", money{6_000_000}}}},
		{"evaluations", g.Evaluations, []struct {
			EvaluationID, LotID, Status string
			Ranking, Rejected           []string
		}{{"ev1", "L1", "recorded", []string{"b52", "b51"}, []string{}}, {"ev2", "L2", "recorded", []string{"b53"}, []string{"b54"}}}},
		{"appeals", g.Appeals, []struct{ AppealID, Kind, Status, AwardID, EvaluationID, Decision string }{
			{"ap1", "objection", "dismissed", "", "ev2", ""}, {"ap2", "recourse", "upheld", "aw1", "", "d3"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.what, c.got, c.want)
		}
	}

	// What the law refuses, each with its code, writing nothing.
	plan := func(ocid, procedure string, net int64, extra map[string]any) map[string]any {
		in := map[string]any{"ocid": ocid, "title": "Προμήθεια", "buyerBodyId": "b1", "description": "Περιγραφή", "budget": eur(net),
			"cpv": []string{"30192000-1"}, "procedureType": procedure, "category": "supplies", "vatRate": 2400, "at": ts(41 * day)}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	for _, c := range []struct {
		name, mutation string
		input          map[string]any
		code, says     string
	}{
		{"a direct award over the threshold", "planProcurement", plan("ocds-tst001-p6", "direct_award", 3_000_001, nil), "CONFLICT", "exceeds the direct_award threshold of 30000.00 EUR net"},
		{"a simplified tender over its threshold", "planProcurement", plan("ocds-tst001-p6", "simplified_tender", 6_000_001, nil), "CONFLICT", "simplified_tender threshold"},
		{"a method the procedure contradicts", "planProcurement", plan("ocds-tst001-p6", "open", 1_000_000, map[string]any{"method": "direct"}), "BAD_USER_INPUT", "leave the method out"},
		{"a procedure the law does not know", "planProcurement", plan("ocds-tst001-p6", "auction", 1_000_000, nil), "BAD_USER_INPUT", "procedure \"auction\""},
		{"neither method nor procedure", "planProcurement", plan("ocds-tst001-p6", "", 1_000_000, map[string]any{"procedureType": nil}), "BAD_USER_INPUT", "procurement method"},
		{"an ΑΔΑΜ of another kind", "planProcurement", plan("ocds-tst001-p6", "open", 1_000_000, map[string]any{"adam": "26PROC012345678"}), "BAD_USER_INPUT", "ΑΔΑΜ"},
		{"a modification over the limit of its own contract", "amendContract", map[string]any{"ocid": "ocds-tst001-p5", "contractId": "sym5-2",
			"newValue": eur(4_070_001), "reason": "Επέκταση", "decisionId": "d3", "at": ts(41 * day)}, "CONFLICT", "by more than 10%"},
		{"an amendment naming no contract of two", "amendContract", map[string]any{"ocid": "ocds-tst001-p5", "newValue": eur(3_600_000),
			"reason": "Επέκταση", "decisionId": "d3", "at": ts(41 * day)}, "BAD_USER_INPUT", "sym5-1, sym5-2"},
		{"a payment under a contract it does not have", "recordPayment", map[string]any{"ocid": "ocds-tst001-p5", "contractId": "sym9",
			"paymentId": "pay59", "amount": eur(1_000), "invoiceRef": "ΤΠΥ 59", "at": ts(41 * day)}, "NOT_FOUND", "sym9"},
		{"a payment over its contract's value", "recordPayment", map[string]any{"ocid": "ocds-tst001-p5", "contractId": "sym5-1",
			"paymentId": "pay59", "amount": eur(2_500_001), "invoiceRef": "ΤΠΥ 59", "at": ts(41 * day)}, "CONFLICT", "sym5-1"},
		{"a second contract for one award", "signContract", map[string]any{"ocid": "ocds-tst001-p5", "contractId": "sym5-3", "awardId": "aw3",
			"value": eur(1_000), "period": map[string]any{"start": ts(41 * day), "end": ts(50 * day)}, "at": ts(41 * day)}, "CONFLICT", "aw3"},
		{"a lot the tender does not have", "recordEvaluation", map[string]any{"ocid": "ocds-tst001-p5", "evaluationId": "ev9", "lotId": "L9", "phase": "technical",
			"ranking": []string{"b51"}, "at": ts(41 * day)}, "CONFLICT", "record an evaluation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.clock.Set(writeT0.Add(41 * day))
			before := e.head(t)
			in := map[string]any{}
			for k, v := range c.input {
				if v != nil && (k != "at" || takesAt(c.mutation)) {
					in[k] = v
				}
			}
			r, _ := e.do(t, call{query: mutationDoc(t, c.mutation), vars: map[string]any{"input": in}, token: po})
			if r.code() != c.code || !strings.Contains(r.Errors[0].Message, c.says) {
				t.Fatalf("got %+v, want %s saying %q", r.Errors, c.code, c.says)
			}
			if after := e.head(t); after != before {
				t.Errorf("the refused command wrote: head %d -> %d", before, after)
			}
		})
	}
}
