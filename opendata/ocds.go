package opendata

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// OCDS 1.1: one release per procurement event, each tagged with its stage
// (planning, tender, tenderUpdate, tenderAmendment, award, contract,
// contractAmendment, implementation, tenderCancellation), carrying only
// what that event tells; records compile a process's releases by the
// standard's merge rules. The mapping folds the log in order: bodies and
// suppliers give the parties' names, decisions their numbers and register
// ids, which procurement releases link as documents.

// OCDSVersion is the version of the standard the releases follow.
const OCDSVersion = "1.1"

// OCDSRelease is one OCDS release: a JSON object, ready to encode.
type OCDSRelease = map[string]any

type ocdsDecision struct {
	number, register, registerID string
}

type ocdsProcess struct {
	buyerID    string
	currency   string
	roles      map[string][]string // party id → roles so far
	tenderers  int
	supplier   string
	awardID    string
	contractID string // the latest signed, which events of schema 2 meant
	amendments int
	// awardSuppliers maps an award's OCDS id to its supplier's party id;
	// contracts maps a contract to the award it carries out.
	awardSuppliers map[string]string
	contracts      map[string]string
	lots           int
	// lotsAwarded counts the lots' awards; appeals maps an appeal to the
	// award it contests.
	lotsAwarded int
	appeals     map[string]string
}

// OCDS maps the log's events to OCDS releases. Feed it every event in log
// order with Add. It is not safe for concurrent use.
type OCDS struct {
	bodies    map[string]string
	suppliers map[string]events.SupplierRegistered
	// supplierAt is when each supplier was registered, which an importer
	// of Pnyx's releases reads back (details' pnyx:registeredAt).
	supplierAt map[string]time.Time
	decisions  map[string]ocdsDecision
	processes  map[string]*ocdsProcess
}

// NewOCDS returns an empty mapping.
func NewOCDS() *OCDS {
	return &OCDS{bodies: map[string]string{}, suppliers: map[string]events.SupplierRegistered{}, supplierAt: map[string]time.Time{},
		decisions: map[string]ocdsDecision{}, processes: map[string]*ocdsProcess{}}
}

// OCDSAmount is an amount in major units, as OCDS writes it, exactly: a
// JSON number made from integer cents.
func OCDSAmount(m events.Money) map[string]any {
	sign := ""
	c := m.Cents
	if c < 0 {
		sign, c = "-", -c
	}
	return map[string]any{"amount": json.Number(fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)), "currency": m.Currency}
}

func ocdsTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func bodyPartyID(id string) string { return "body-" + id }

func supplierPartyID(vat string) string { return "supplier-" + vat }

// Add folds one event of the log into the mapping. For a procurement event
// it returns the release it makes; for any other, nil. An event whose data
// does not decode is an error.
func (o *OCDS) Add(re events.RecordedEvent) (OCDSRelease, error) {
	kind, id := streamParts(re.Stream)
	switch kind {
	case "body", "supplier", "decision", "procurement":
	default:
		return nil, nil
	}
	p, err := events.Decode(re)
	if err != nil {
		return nil, err
	}
	switch e := p.(type) {
	case events.BodyRegistered:
		o.bodies[e.BodyID] = e.Name
	case events.SupplierRegistered:
		o.suppliers[e.VATID] = e
		o.supplierAt[e.VATID] = re.OccurredAt
	case events.SupplierDetailsChanged:
		s := o.suppliers[id]
		s.Name, s.Kind, s.Locality, s.Municipality, s.Country = e.Name, e.Kind, e.Locality, e.Municipality, e.Country
		o.suppliers[id] = s
	case events.DecisionAdopted:
		o.decisions[e.DecisionID] = ocdsDecision{number: fmt.Sprintf("%d/%d", e.Number, e.Year)}
	case events.DecisionPublished:
		d := o.decisions[id]
		d.register, d.registerID = e.Register, e.RegisterID
		o.decisions[id] = d
	}
	if kind != "procurement" {
		return nil, nil
	}
	return o.procurement(re, id, p), nil
}

func streamParts(stream string) (kind, id string) {
	for i := 0; i < len(stream); i++ {
		if stream[i] == '-' {
			return stream[:i], stream[i+1:]
		}
	}
	return stream, ""
}

// decisionDocument is a council decision as an OCDS document.
func (o *OCDS) decisionDocument(id, docType string, at time.Time) map[string]any {
	d := o.decisions[id]
	doc := map[string]any{"id": "decision-" + id, "documentType": docType, "title": "Απόφαση " + d.number, "datePublished": ocdsTime(at), "language": "el"}
	if d.number == "" {
		doc["title"] = "Απόφαση " + id
	}
	if d.register == "diavgeia" && d.registerID != "" {
		doc["url"] = "https://diavgeia.gov.gr/decision/view/" + d.registerID
		doc["description"] = "ΑΔΑ " + d.registerID
	}
	return doc
}

func documents(refs []events.DocumentRef, docType string, at time.Time) []any {
	var out []any
	for _, r := range refs {
		out = append(out, map[string]any{"id": r.SHA256[:min(16, len(r.SHA256))], "documentType": docType, "title": r.Title,
			"url": r.URL, "format": r.MediaType, "datePublished": ocdsTime(at)})
	}
	return out
}

func (o *OCDS) party(pr *ocdsProcess, id string, roles ...string) map[string]any {
	have := pr.roles[id]
	for _, r := range roles {
		if !slices.Contains(have, r) {
			have = append(have, r)
		}
	}
	pr.roles[id] = have
	party := map[string]any{"id": id, "roles": slices.Clone(have)}
	if body, ok := cutPrefix(id, "body-"); ok {
		party["name"] = o.bodies[body]
		return party
	}
	vat, _ := cutPrefix(id, "supplier-")
	s := o.suppliers[vat]
	party["name"] = s.Name
	party["identifier"] = map[string]any{"id": vat, "legalName": s.Name}
	address := map[string]any{}
	if a := s.Address; a != nil {
		setNonEmpty(address, "streetAddress", a.Street)
		setNonEmpty(address, "postalCode", a.Postcode)
	}
	if c := s.ContactPoint; c != nil {
		cp := map[string]any{"name": c.Office}
		setNonEmpty(cp, "email", c.Email)
		setNonEmpty(cp, "telephone", c.Telephone)
		setNonEmpty(cp, "url", c.URL)
		party["contactPoint"] = cp
	}
	if s.Locality != "" {
		address["locality"] = s.Locality
	}
	if s.Municipality != "" {
		address["region"] = s.Municipality
	}
	if s.Country != "" {
		address["countryName"] = s.Country
	}
	if len(address) > 0 {
		party["address"] = address
	}
	party["details"] = map[string]any{"scale": supplierScale(s.Kind), "pnyx:kind": string(s.Kind), "pnyx:registeredAt": ocdsTime(o.supplierAt[vat])}
	return party
}

// supplierScale is the OCDS extension's scale of a supplier kind.
func supplierScale(k events.SupplierKind) string {
	if k == events.SupplierLarge {
		return "large"
	}
	return "sme"
}

func setNonEmpty(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

func orgRef(party map[string]any) map[string]any {
	return map[string]any{"id": party["id"], "name": party["name"]}
}

func (o *OCDS) procurement(re events.RecordedEvent, ocid string, p events.Payload) OCDSRelease {
	pr := o.processes[ocid]
	if pr == nil {
		pr = &ocdsProcess{roles: map[string][]string{}}
		o.processes[ocid] = pr
	}
	at := re.OccurredAt
	rel := OCDSRelease{
		"ocid": ocid, "id": ocid + "-" + strconv.FormatUint(uint64(re.Position), 10), "date": ocdsTime(at),
		"initiationType": "tender", "language": "el",
	}
	tenderID := ocid + "-tender"
	switch e := p.(type) {
	case events.ProcurementPlanned:
		pr.buyerID, pr.currency = bodyPartyID(e.BuyerBodyID), e.Budget.Currency
		buyer := o.party(pr, pr.buyerID, "buyer", "procuringEntity")
		var items []any
		for i, cpv := range e.CPV {
			items = append(items, map[string]any{"id": strconv.Itoa(i + 1), "description": e.Title,
				"classification": map[string]any{"scheme": "CPV", "id": cpv}})
		}
		var docs []any
		for _, d := range e.DecisionIDs {
			docs = append(docs, o.decisionDocument(d, "procurementPlan", at))
		}
		planning := map[string]any{"budget": map[string]any{"amount": OCDSAmount(e.Budget), "description": e.Title}}
		if e.Department != "" {
			planning["rationale"] = e.Department
		}
		if docs != nil {
			planning["documents"] = docs
		}
		tender := map[string]any{"id": tenderID, "title": e.Title, "description": e.Description, "status": "planning",
			"procurementMethod": string(e.Method), "procuringEntity": orgRef(buyer)}
		if l := e.Law; l != nil {
			// Under ν. 4412/2016: the procedure of Greek law it maps from,
			// the category, and the request's ΚΗΜΔΗΣ ΑΔΑΜ.
			tender["procurementMethodDetails"] = l.Procedure.Details()
			tender["mainProcurementCategory"] = l.Category.OCDS()
			tender["procurementMethodRationale"] = fmt.Sprintf("%s: έως %s χωρίς ΦΠΑ (%s)", l.Procedure.Details(),
				l.Thresholds.DirectAward.Net, l.Thresholds.DirectAward.LegalBasis)
			if l.Procedure != events.ProcedureDirectAward {
				delete(tender, "procurementMethodRationale")
			}
		}
		if d := adamDocument(e.ADAM, "procurementPlan", at); d != nil {
			planning["documents"] = append(docs, d)
		}
		if items != nil {
			tender["items"] = items
		}
		rel["tag"] = []any{"planning"}
		rel["parties"] = []any{buyer}
		rel["buyer"] = orgRef(buyer)
		rel["planning"] = planning
		rel["tender"] = tender
	case events.ProcurementTenderPublished:
		start := e.PeriodStart
		if start.IsZero() { // schema 1: the period started at the publication
			start = at
		}
		tender := map[string]any{"id": tenderID, "status": "active", "procurementMethodDetails": e.Procedure,
			"value": OCDSAmount(e.Ceiling), "tenderPeriod": map[string]any{"startDate": ocdsTime(start), "endDate": ocdsTime(e.Deadline)}}
		if len(e.Items) > 0 {
			var items []any
			for _, it := range e.Items {
				items = append(items, map[string]any{"id": it.ID, "description": it.Description,
					"classification": map[string]any{"scheme": "CPV", "id": it.CPV}, "quantity": it.Quantity,
					"unit": map[string]any{"name": it.Unit, "value": OCDSAmount(it.UnitValue)}})
			}
			tender["items"] = items // replaces the plan's items by id: the tender's lots
		}
		if len(e.Lots) > 0 {
			pr.lots = len(e.Lots)
			var lots []any
			for _, l := range e.Lots {
				lots = append(lots, map[string]any{"id": l.ID, "title": l.Title, "value": OCDSAmount(l.Value), "status": "active"})
			}
			tender["lots"] = lots // the lots extension
		}
		docs := documents(e.Documents, "tenderNotice", at)
		if d := adamDocument(e.ADAM, "tenderNotice", at); d != nil {
			docs = append(docs, d)
		}
		if docs != nil {
			tender["documents"] = docs
		}
		rel["tag"] = []any{"tender"}
		rel["tender"] = tender
	case events.ProcurementTenderAmended:
		pr.amendments++
		rel["tag"] = []any{"tenderAmendment"}
		rel["tender"] = map[string]any{"id": tenderID, "value": OCDSAmount(e.Ceiling),
			"tenderPeriod": map[string]any{"endDate": ocdsTime(e.Deadline)},
			"amendments": []any{map[string]any{"id": tenderID + "-amendment-" + strconv.Itoa(pr.amendments), "date": ocdsTime(at),
				"rationale": e.Reason, "description": "Απόφαση " + o.decisions[e.DecisionID].number}},
			"documents": []any{o.decisionDocument(e.DecisionID, "tenderNotice", at)}}
	case events.ProcurementBidReceived:
		pr.tenderers++
		party := o.party(pr, supplierPartyID(e.SupplierID), "tenderer")
		rel["tag"] = []any{"tenderUpdate"}
		rel["parties"] = []any{party}
		rel["tender"] = map[string]any{"id": tenderID, "tenderers": []any{orgRef(party)}, "numberOfTenderers": pr.tenderers}
		// The bids extension's details, with the bid's status.
		bid := map[string]any{"id": e.BidID, "date": ocdsTime(e.ReceivedAt),
			"status": string(e.Status), "tenderers": []any{orgRef(party)}, "value": OCDSAmount(e.Value)}
		if e.LotID != "" {
			bid["relatedLots"] = []any{e.LotID}
		}
		rel["bids"] = map[string]any{"details": []any{bid}}
	case events.ProcurementBidStatusChanged:
		rel["tag"] = []any{"tenderUpdate"}
		rel["bids"] = map[string]any{"details": []any{map[string]any{"id": e.BidID, "status": string(e.Status)}}}
		rel["tender"] = map[string]any{"id": tenderID, "statusDetails": e.Reason}
	case events.ProcurementAwarded:
		pr.supplier, pr.awardID = supplierPartyID(e.SupplierID), ocid+"-"+e.AwardID
		if pr.awardSuppliers == nil {
			pr.awardSuppliers = map[string]string{}
		}
		pr.awardSuppliers[pr.awardID] = pr.supplier
		party := o.party(pr, pr.supplier, "supplier")
		rel["tag"] = []any{"award"}
		rel["parties"] = []any{party}
		docs := []any{o.decisionDocument(e.DecisionID, "awardNotice", at)}
		if d := adamDocument(e.ADAM, "awardNotice", at); d != nil {
			docs = append(docs, d)
		}
		award := map[string]any{"id": pr.awardID, "status": "active", "date": ocdsTime(at), "value": OCDSAmount(e.Value),
			"suppliers": []any{orgRef(party)}, "documents": docs}
		if e.LotID != "" {
			award["relatedLots"] = []any{e.LotID}
			pr.lotsAwarded++
			rel["tender"] = map[string]any{"id": tenderID, "lots": []any{map[string]any{"id": e.LotID, "status": "complete"}}}
			if pr.lotsAwarded >= pr.lots {
				rel["tender"].(map[string]any)["status"] = "complete"
			}
		} else {
			rel["tender"] = map[string]any{"id": tenderID, "status": "complete"}
		}
		rel["awards"] = []any{award}
	case events.ProcurementCommitmentRecorded:
		// A budget commitment (ανάληψη υποχρέωσης): a line of the budget
		// breakdown extension, merged by id into the plan's budget; its act
		// on Diavgeia, when published, as the line's uri.
		line := map[string]any{"id": e.CommitmentID, "description": fmt.Sprintf("Ανάληψη υποχρέωσης, ΚΑΕ %s, οικονομικό έτος %d", e.BudgetLine, e.Year),
			"amount": OCDSAmount(e.Amount), "period": map[string]any{
				"startDate": ocdsTime(time.Date(e.Year, 1, 1, 0, 0, 0, 0, time.UTC)), "endDate": ocdsTime(time.Date(e.Year, 12, 31, 23, 59, 59, 0, time.UTC))}}
		if e.ADA != "" {
			line["uri"] = "https://diavgeia.gov.gr/decision/view/" + e.ADA
		}
		rel["tag"] = []any{"planningUpdate"}
		rel["planning"] = map[string]any{"budget": map[string]any{"budgetBreakdown": []any{line}}}
	case events.ProcurementEvaluationRecorded:
		var details []any
		for _, r := range e.Rejected {
			details = append(details, map[string]any{"id": r.BidID, "status": "disqualified"})
		}
		rel["tag"] = []any{"tenderUpdate"}
		if details != nil {
			rel["bids"] = map[string]any{"details": details}
		}
		tender := map[string]any{"id": tenderID}
		if docs := documents(e.Documents, "evaluationReports", at); docs != nil {
			tender["documents"] = docs
		}
		rel["tender"] = tender
	case events.ProcurementAppealLodged:
		// An appeal suspends the award it contests: OCDS's pending.
		rel["tag"] = []any{"tenderUpdate"}
		doc := map[string]any{"id": ocid + "-appeal-" + e.AppealID, "documentType": "complaints", "title": appealTitle(e.Kind),
			"description": e.Grounds, "datePublished": ocdsTime(at)}
		if e.AwardID != "" {
			rel["tag"] = []any{"awardUpdate"}
			rel["awards"] = []any{map[string]any{"id": ocid + "-" + e.AwardID, "status": "pending", "documents": []any{doc}}}
		} else {
			rel["tender"] = map[string]any{"id": tenderID, "documents": []any{doc}}
		}
		if pr.appeals == nil {
			pr.appeals = map[string]string{}
		}
		pr.appeals[e.AppealID] = e.AwardID
	case events.ProcurementAppealDecided:
		awardID := pr.appeals[e.AppealID]
		if awardID == "" {
			return nil // an appeal against an evaluation changes no award
		}
		status := "active"
		if e.Outcome == events.AppealUpheld {
			status = "cancelled"
		}
		rel["tag"] = []any{"awardUpdate"}
		rel["awards"] = []any{map[string]any{"id": ocid + "-" + awardID, "status": status, "statusDetails": e.Reason}}
	case events.ProcurementContractSigned:
		awardID := pr.awardID // before schema 3, the contract carried out the latest award
		if e.AwardID != "" {
			awardID = ocid + "-" + e.AwardID
		}
		pr.contractID = e.ContractID
		if pr.contracts == nil {
			pr.contracts = map[string]string{}
		}
		pr.contracts[e.ContractID] = awardID
		c := map[string]any{"id": e.ContractID, "awardID": awardID, "status": "active", "value": OCDSAmount(e.Value),
			"period": map[string]any{"startDate": ocdsTime(e.Period.Start), "endDate": ocdsTime(e.Period.End)}, "dateSigned": ocdsTime(at)}
		docs := documents(e.Documents, "contractSigned", at)
		if d := adamDocument(e.ADAM, "contractSigned", at); d != nil {
			docs = append(docs, d)
		}
		if docs != nil {
			c["documents"] = docs
		}
		rel["tag"] = []any{"contract"}
		rel["contracts"] = []any{c}
	case events.ProcurementContractAmended:
		pr.amendments++
		contractID := pr.contractOf(e.ContractID)
		rel["tag"] = []any{"contractAmendment"}
		rel["contracts"] = []any{map[string]any{"id": contractID, "value": OCDSAmount(e.Value),
			"period": map[string]any{"startDate": ocdsTime(e.Period.Start), "endDate": ocdsTime(e.Period.End)},
			"amendments": []any{map[string]any{"id": contractID + "-amendment-" + strconv.Itoa(pr.amendments), "date": ocdsTime(at),
				"rationale": e.Reason, "description": "Απόφαση " + o.decisions[e.DecisionID].number}},
			"awardID":   pr.contracts[contractID],
			"documents": []any{o.decisionDocument(e.DecisionID, "contractAnnexe", at)}}}
	case events.ProcurementPaymentMade:
		contractID := pr.contractOf(e.ContractID)
		awardID := pr.contracts[contractID]
		payee := pr.awardSuppliers[awardID]
		rel["tag"] = []any{"implementation"}
		rel["contracts"] = []any{map[string]any{"id": contractID, "awardID": awardID, "implementation": map[string]any{"transactions": []any{
			map[string]any{"id": e.PaymentID, "date": ocdsTime(at), "value": OCDSAmount(e.Amount), "pnyx:invoiceRef": e.InvoiceRef,
				"payer": map[string]any{"id": pr.buyerID, "name": o.bodies[pr.buyerID[len("body-"):]]},
				"payee": map[string]any{"id": payee, "name": o.suppliers[payee[min(len(payee), len("supplier-")):]].Name}},
		}}}}
	case events.ProcurementCancelled:
		rel["tag"] = []any{"tenderCancellation"}
		rel["tender"] = map[string]any{"id": tenderID, "status": "cancelled", "statusDetails": e.Reason}
	case events.ProcurementCompleted:
		rel["tag"] = []any{"implementation"}
		if len(pr.contracts) > 0 {
			var cs []any
			for _, id := range slices.Sorted(maps.Keys(pr.contracts)) {
				cs = append(cs, map[string]any{"id": id, "awardID": pr.contracts[id], "status": "terminated"})
			}
			rel["contracts"] = cs
		}
	default:
		return nil
	}
	return rel
}

// contractOf returns the contract an event names, or for an event of
// schema 2, which names none, the process's one contract.
func (pr *ocdsProcess) contractOf(id string) string {
	if id == "" {
		return pr.contractID
	}
	return id
}

// wholeListMerge names the arrays the schema says to replace whole.
var wholeListMerge = map[string]bool{"additionalIdentifiers": true, "additionalClassifications": true}

// omitWhenMerged names the fields a compiled release leaves out.
var omitWhenMerged = map[string]bool{"id": true, "date": true, "tag": true}

// CompileOCDS compiles a process's releases into its compiled release by
// the merge rules of OCDS 1.1: releases in date order (stable), id, date
// and tag dropped, plain values and plain arrays taking the newest value,
// a null removing a field, objects merged field by field, arrays of
// objects with ids merged by id (unless the schema marks them
// wholeListMerge). The compiled release is tagged compiled, dated by the
// newest release, and named {ocid}-{date}.
func CompileOCDS(releases []OCDSRelease) OCDSRelease {
	sorted := slices.Clone(releases)
	slices.SortStableFunc(sorted, func(a, b OCDSRelease) int {
		return compareStrings(a["date"].(string), b["date"].(string))
	})
	out := OCDSRelease{}
	for _, r := range sorted {
		for k, v := range r {
			if omitWhenMerged[k] {
				continue
			}
			mergeField(out, k, v)
		}
	}
	last := sorted[len(sorted)-1]
	out["tag"] = []any{"compiled"}
	out["date"] = last["date"]
	out["id"] = fmt.Sprintf("%v-%v", last["ocid"], last["date"])
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func mergeField(dst map[string]any, k string, v any) {
	if v == nil {
		delete(dst, k)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		cur, ok := dst[k].(map[string]any)
		if !ok {
			cur = map[string]any{}
		}
		for ck, cv := range x {
			mergeField(cur, ck, cv)
		}
		dst[k] = cur
	case []any:
		if wholeListMerge[k] || !objectsWithIDs(x) {
			dst[k] = deepCopy(x)
			return
		}
		cur, _ := dst[k].([]any)
		for _, item := range x {
			obj := item.(map[string]any)
			i := slices.IndexFunc(cur, func(c any) bool {
				m, ok := c.(map[string]any)
				return ok && fmt.Sprint(m["id"]) == fmt.Sprint(obj["id"])
			})
			if i < 0 {
				cur = append(cur, map[string]any{})
				i = len(cur) - 1
			}
			m := cur[i].(map[string]any)
			for ck, cv := range obj {
				mergeField(m, ck, cv)
			}
		}
		dst[k] = cur
	default:
		dst[k] = v
	}
}

func objectsWithIDs(xs []any) bool {
	if len(xs) == 0 {
		return false
	}
	for _, x := range xs {
		m, ok := x.(map[string]any)
		if !ok || m["id"] == nil {
			return false
		}
	}
	return true
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, c := range x {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, c := range x {
			s[i] = deepCopy(c)
		}
		return s
	}
	return v
}

// OCDSPackageHead is what a release or record package says of itself,
// before its releases or records.
func OCDSPackageHead(cfg Config, uri string, published time.Time) map[string]any {
	return map[string]any{
		"uri":           uri,
		"version":       OCDSVersion,
		"publishedDate": ocdsTime(published),
		"publisher":     map[string]any{"name": cfg.Publisher.Name.EL, "uri": cfg.Publisher.URL},
		"license":       cfg.Licence.URL,
	}
}

// adamDocument is the act a ΚΗΜΔΗΣ ΑΔΑΜ names, as an OCDS document whose
// id is the ΑΔΑΜ; nil without one.
func adamDocument(adam, docType string, at time.Time) map[string]any {
	if adam == "" {
		return nil
	}
	return map[string]any{"id": adam, "documentType": docType, "title": "ΚΗΜΔΗΣ ΑΔΑΜ " + adam, "datePublished": ocdsTime(at)}
}

func appealTitle(k events.AppealKind) string {
	if k == events.AppealRecourse {
		return "Προδικαστική προσφυγή (άρθρο 360 ν. 4412/2016)"
	}
	return "Ένσταση (άρθρο 127 ν. 4412/2016)"
}
