package opendata_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/internal/schematest"
	"github.com/pnyx-civic/pnyx/opendata"
)

func rel(js string) opendata.OCDSRelease {
	var r opendata.OCDSRelease
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		panic(err)
	}
	return r
}

func TestCompileOCDSFollowsTheMergeRules(t *testing.T) {
	for _, c := range []struct {
		name     string
		releases []string
		want     string
	}{
		{"the newest plain value wins, whatever the order given",
			[]string{`{"ocid":"o","id":"2","date":"2026-02-01T00:00:00Z","tag":["tender"],"tender":{"status":"active"}}`,
				`{"ocid":"o","id":"1","date":"2026-01-01T00:00:00Z","tag":["planning"],"tender":{"status":"planning","title":"T"}}`},
			`{"ocid":"o","id":"o-2026-02-01T00:00:00Z","date":"2026-02-01T00:00:00Z","tag":["compiled"],"tender":{"status":"active","title":"T"}}`},
		{"null removes a field",
			[]string{`{"ocid":"o","id":"1","date":"2026-01-01T00:00:00Z","tag":["planning"],"tender":{"title":"T","description":"D"}}`,
				`{"ocid":"o","id":"2","date":"2026-01-02T00:00:00Z","tag":["tenderUpdate"],"tender":{"description":null}}`},
			`{"ocid":"o","id":"o-2026-01-02T00:00:00Z","date":"2026-01-02T00:00:00Z","tag":["compiled"],"tender":{"title":"T"}}`},
		{"arrays of objects merge by id",
			[]string{`{"ocid":"o","id":"1","date":"2026-01-01T00:00:00Z","tag":["tenderUpdate"],"parties":[{"id":"a","roles":["tenderer"],"name":"A"}]}`,
				`{"ocid":"o","id":"2","date":"2026-01-02T00:00:00Z","tag":["tenderUpdate"],"parties":[{"id":"b","roles":["tenderer"]}]}`,
				`{"ocid":"o","id":"3","date":"2026-01-03T00:00:00Z","tag":["award"],"parties":[{"id":"a","roles":["tenderer","supplier"]}]}`},
			`{"ocid":"o","id":"o-2026-01-03T00:00:00Z","date":"2026-01-03T00:00:00Z","tag":["compiled"],"parties":[{"id":"a","name":"A","roles":["tenderer","supplier"]},{"id":"b","roles":["tenderer"]}]}`},
		{"a wholeListMerge array is replaced whole",
			[]string{`{"ocid":"o","id":"1","date":"2026-01-01T00:00:00Z","tag":["planning"],"tender":{"items":[{"id":"1","additionalClassifications":[{"id":"x","scheme":"CPV"}]}]}}`,
				`{"ocid":"o","id":"2","date":"2026-01-02T00:00:00Z","tag":["planningUpdate"],"tender":{"items":[{"id":"1","additionalClassifications":[{"id":"y","scheme":"CPV"}]}]}}`},
			`{"ocid":"o","id":"o-2026-01-02T00:00:00Z","date":"2026-01-02T00:00:00Z","tag":["compiled"],"tender":{"items":[{"id":"1","additionalClassifications":[{"id":"y","scheme":"CPV"}]}]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rs []opendata.OCDSRelease
			for _, r := range c.releases {
				rs = append(rs, rel(r))
			}
			got, _ := json.Marshal(opendata.CompileOCDS(rs))
			var g, w any
			json.Unmarshal(got, &g)
			json.Unmarshal([]byte(c.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestOCDSAmountIsExact(t *testing.T) {
	for cents, want := range map[int64]string{123456: "1234.56", 5: "0.05", -250: "-2.50", 0: "0.00"} {
		got, _ := json.Marshal(opendata.OCDSAmount(events.Money{Cents: cents, Currency: "EUR"}))
		if string(got) != `{"amount":`+want+`,"currency":"EUR"}` {
			t.Errorf("%d: %s", cents, got)
		}
	}
}

func TestOCDSReleaseOfAPlanValidates(t *testing.T) {
	o := opendata.NewOCDS()
	at := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	add := func(pos events.Position, stream string, p events.Payload) opendata.OCDSRelease {
		ev, err := events.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.Add(events.RecordedEvent{Position: pos, Stream: stream, Type: ev.Type, Schema: ev.Schema, Data: ev.Data, OccurredAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	add(1, "body-council", events.BodyRegistered{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(27)})
	r := add(2, "procurement-ocds-abc123-1", events.ProcurementPlanned{OCID: "ocds-abc123-1", Title: "Καθαρισμός", Description: "Καθαρισμός ακτών",
		BuyerBodyID: "council", Budget: events.Money{Cents: 1000000, Currency: "EUR"}, CPV: []string{"90600000-3"}, Method: events.ProcurementOpen})
	const base = "https://standard.open-contracting.org/schema/1__1__5/"
	s := schematest.Compile(t, base+"release-schema.json", "ocds-1.1.5/release-schema.json", nil)
	b, _ := json.Marshal(r)
	schematest.Validate(t, s, "planning release", b)
	if r["buyer"].(map[string]any)["name"] != "Δημοτικό Συμβούλιο" {
		t.Errorf("buyer %v", r["buyer"])
	}
	t.Run("a release without its ocid is refused by the schema", func(t *testing.T) {
		delete(r, "ocid")
		b, _ := json.Marshal(r)
		if schematest.Check(s, b) == nil {
			t.Error("the schema accepted it: the validation proves nothing")
		}
	})
	t.Run("an event of another aggregate makes no release", func(t *testing.T) {
		if r := add(3, "supplier-094444444", events.SupplierRegistered{VATID: "094444444", Name: "Α.Ε.", Kind: events.SupplierSME, Country: "GR"}); r != nil {
			t.Errorf("release %v", r)
		}
	})
}

// TestOCDSReleasesUnderLawValidate maps a process under ν. 4412/2016 in
// lots, with an evaluation, an appeal, ΑΔΑΜ ids and a contract per lot's
// award, and validates each release and the compiled one.
func TestOCDSReleasesUnderLawValidate(t *testing.T) {
	o := opendata.NewOCDS()
	at := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	var rels []opendata.OCDSRelease
	pos := events.Position(0)
	add := func(stream string, p events.Payload) opendata.OCDSRelease {
		ev, err := events.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		pos++
		at = at.Add(24 * time.Hour)
		r, err := o.Add(events.RecordedEvent{Position: pos, Stream: stream, Type: ev.Type, Schema: ev.Schema, Data: ev.Data, OccurredAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if r != nil && strings.HasPrefix(stream, "procurement-") {
			rels = append(rels, r)
		}
		return r
	}
	st := "procurement-ocds-abc123-9"
	add("body-council", events.BodyRegistered{BodyID: "council", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(27)})
	add("supplier-EL094019245", events.SupplierRegistered{VATID: "EL094019245", Name: "Αγροτικός Συνεταιρισμός", Kind: events.SupplierCooperative, Country: "GR"})
	plan := add(st, events.ProcurementPlanned{OCID: "ocds-abc123-9", Title: "Τρόφιμα", Description: "Τρόφιμα σε τμήματα", BuyerBodyID: "council",
		Budget: events.EUR(50_000_00), CPV: []string{"15300000-1"}, Method: events.ProcurementOpen, ADAM: "26REQ000000009",
		Law: &events.ProcurementLaw{Procedure: events.ProcedureOpen, Category: events.CategorySupplies, VATRate: 2400,
			Thresholds: events.DefaultProcurementSettings().For(events.CategorySupplies)}, BudgetWithVAT: events.EUR(62_000_00)})
	commit := add(st, events.ProcurementCommitmentRecorded{CommitmentID: "aay-1", Amount: events.EUR(62_000_00), BudgetLine: "15-6481.001", Year: 2026, ADA: "ΨΑΘ1ΩΕΚ-ΑΒΓ"})
	add(st, events.ProcurementTenderPublished{Procedure: "Ανοικτή", Ceiling: events.EUR(40_000_00), Deadline: at.Add(30 * 24 * time.Hour), Items: []events.TenderItem{},
		Lots: []events.Lot{{ID: "1", Title: "Φρούτα", Value: events.EUR(20_000_00)}, {ID: "2", Title: "Λαχανικά", Value: events.EUR(20_000_00)}}, ADAM: "26PROC000000009"})
	add(st, events.ProcurementBidReceived{BidID: "b1", SupplierID: "EL094019245", Value: events.EUR(19_000_00), ReceivedAt: at, Status: events.BidValid, LotID: "1"})
	add(st, events.ProcurementEvaluationRecorded{EvaluationID: "ev-1", LotID: "1", Phase: events.EvaluationFinancial, Ranking: []string{"b1"}, Rejected: []events.BidRejection{}})
	award := add(st, events.ProcurementAwarded{AwardID: "aw-1", SupplierID: "EL094019245", Value: events.EUR(19_000_00), DecisionID: "d1", LotID: "1", ADAM: "26AWRD000000009"})
	appeal := add(st, events.ProcurementAppealLodged{AppealID: "ap-1", Kind: events.AppealObjection, AwardID: "aw-1", Grounds: "Λάθος βαθμολογία"})
	decided := add(st, events.ProcurementAppealDecided{AppealID: "ap-1", Outcome: events.AppealDismissed, Reason: "Αβάσιμη"})
	add("supplier-EL099999999", events.SupplierRegistered{VATID: "EL099999999", Name: "Λαχανικά Α.Ε.", Kind: events.SupplierSME, Country: "GR"})
	add(st, events.ProcurementAwarded{AwardID: "aw-2", SupplierID: "EL099999999", Value: events.EUR(18_000_00), DecisionID: "d1", LotID: "2"})
	period := events.ContractPeriod{Start: at, End: at.AddDate(1, 0, 0)}
	add(st, events.ProcurementContractSigned{ContractID: "c-1", AwardID: "aw-1", Value: events.EUR(19_000_00), Period: period})
	add(st, events.ProcurementContractSigned{ContractID: "c-2", AwardID: "aw-2", Value: events.EUR(18_000_00), Period: period})
	amended := add(st, events.ProcurementContractAmended{ContractID: "c-1", Value: events.EUR(20_000_00), Period: period, Reason: "Επέκταση", DecisionID: "d1"})
	paid := add(st, events.ProcurementPaymentMade{ContractID: "c-2", PaymentID: "pay-1", Amount: events.EUR(9_000_00), InvoiceRef: "ΤΠΥ 1"})
	add(st, events.ProcurementCompleted{})

	if tender := plan["tender"].(map[string]any); tender["procurementMethodDetails"] != events.ProcedureOpen.Details() || tender["mainProcurementCategory"] != "goods" {
		t.Errorf("plan's tender %v", tender)
	}
	line := commit["planning"].(map[string]any)["budget"].(map[string]any)["budgetBreakdown"].([]any)[0].(map[string]any)
	if line["id"] != "aay-1" || line["uri"] != "https://diavgeia.gov.gr/decision/view/ΨΑΘ1ΩΕΚ-ΑΒΓ" || fmt.Sprint(line["amount"].(map[string]any)["amount"]) != "62000.00" {
		t.Errorf("commitment's budget line %v", line)
	}
	compiled := opendata.CompileOCDS(rels)["planning"].(map[string]any)["budget"].(map[string]any)
	if compiled["amount"] == nil || len(compiled["budgetBreakdown"].([]any)) != 1 {
		t.Errorf("compiled budget %v: want the plan's amount with the commitment's line", compiled)
	}
	if a := award["awards"].([]any)[0].(map[string]any); a["relatedLots"].([]any)[0] != "1" {
		t.Errorf("award %v", a)
	}
	if a := appeal["awards"].([]any)[0].(map[string]any); a["status"] != "pending" {
		t.Errorf("appeal's award %v", a)
	}
	if a := decided["awards"].([]any)[0].(map[string]any); a["status"] != "active" {
		t.Errorf("decided award %v", a)
	}
	if c := amended["contracts"].([]any)[0].(map[string]any); c["id"] != "c-1" || c["awardID"] != "ocds-abc123-9-aw-1" {
		t.Errorf("amendment's contract %v: want c-1 of award aw-1", c)
	}
	c := paid["contracts"].([]any)[0].(map[string]any)
	payee := c["implementation"].(map[string]any)["transactions"].([]any)[0].(map[string]any)["payee"].(map[string]any)
	if c["id"] != "c-2" || c["awardID"] != "ocds-abc123-9-aw-2" || payee["id"] != "supplier-EL099999999" {
		t.Errorf("payment's contract %v, payee %v: want c-2 of award aw-2, paid to its supplier", c, payee)
	}
	var contracts []string
	for _, x := range opendata.CompileOCDS(rels)["contracts"].([]any) {
		c := x.(map[string]any)
		contracts = append(contracts, fmt.Sprint(c["id"], " ", c["awardID"], " ", c["status"], " ", c["value"].(map[string]any)["amount"]))
	}
	if want := []string{"c-1 ocds-abc123-9-aw-1 terminated 20000.00", "c-2 ocds-abc123-9-aw-2 terminated 18000.00"}; !slices.Equal(contracts, want) {
		t.Errorf("compiled contracts %q, want %q", contracts, want)
	}
	const base = "https://standard.open-contracting.org/schema/1__1__5/"
	s := schematest.Compile(t, base+"release-schema.json", "ocds-1.1.5/release-schema.json", nil)
	for i, r := range append(rels, opendata.CompileOCDS(rels)) {
		b, _ := json.Marshal(r)
		schematest.Validate(t, s, "release "+string(rune('a'+i)), b)
	}
}
