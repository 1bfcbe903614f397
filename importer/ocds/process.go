package ocds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
	"github.com/pnyx-civic/pnyx/opendata"
)

// release is one release of a process, parsed, with its time.
type release struct {
	id   string
	at   time.Time
	body map[string]any
}

// refusal ends the mapping of a process with its reason.
type refusal struct{ msg string }

func refuse(format string, args ...any) { panic(refusal{fmt.Sprintf(format, args...)}) }

// process maps a process's spilled releases to its record.
func (d *Decoder) process(ocid string, items [][]byte) (rec importer.Record) {
	rec = importer.Record{Kind: "procurement", SourceID: ocid}
	for _, r := range d.rejected[ocid] {
		rec.Rejected = append(rec.Rejected, importer.Rejection{Kind: "release", SourceID: ocid, Reason: r})
	}
	delete(d.rejected, ocid)
	rels := d.releases(ocid, items, &rec)
	if len(rels) == 0 {
		rec.Refused = "no release to import"
		if len(rec.Rejected) > 0 {
			rec.Refused += ": " + rec.Rejected[len(rec.Rejected)-1].Reason
		}
		return rec
	}
	m := &mapper{ocid: ocid, opts: d.opts, rec: &rec, bids: map[string]string{}, seen: map[string]bool{}, suppliers: map[string]bool{}, signed: map[string]*contract{}}
	defer func() {
		if p := recover(); p != nil {
			r, ok := p.(refusal)
			if !ok {
				panic(p)
			}
			rec.Steps, rec.Refused = nil, r.msg
		}
	}()
	var bodies []opendata.OCDSRelease
	prev := opendata.OCDSRelease{}
	for _, r := range rels {
		bodies = append(bodies, r.body)
		cur := opendata.CompileOCDS(bodies)
		m.step(r, prev, cur)
		prev = cur
	}
	m.finish()
	return rec
}

// releases parses, checks, deduplicates and orders a process's releases.
func (d *Decoder) releases(ocid string, items [][]byte, rec *importer.Record) []release {
	var out []release
	byID := map[string][]byte{}
	for i, it := range items {
		var s spilled
		if err := json.Unmarshal(it, &s); err != nil || len(s.Release) == 0 || string(s.Release) == "null" {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(s.Release))
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil || body == nil {
			rec.Rejected = append(rec.Rejected, importer.Rejection{Kind: "release", SourceID: ocid, Reason: "a release that is not an object"})
			continue
		}
		id := text(body["id"])
		if id == "" {
			id = fmt.Sprintf("#%d", i+1)
			if s.Compiled {
				id = "compiled"
			}
		}
		sid := ocid + " " + id
		at, err := source.Time(text(body["date"]), time.UTC)
		if err != nil || at.IsZero() {
			reason := "no date"
			if err != nil {
				reason = err.Error()
			}
			rec.Rejected = append(rec.Rejected, importer.Rejection{Kind: "release", SourceID: sid, Reason: "release without a usable date: " + reason})
			continue
		}
		if prior, dup := byID[id]; dup {
			if bytes.Equal(prior, s.Release) {
				rec.Notes = append(rec.Notes, "a release repeated with the same id and content: read once")
				continue
			}
			rec.Rejected = append(rec.Rejected, importer.Rejection{Kind: "release", SourceID: sid, Reason: "release id repeated with other content: the first kept"})
			continue
		}
		byID[id] = s.Release
		if v := text(body["version"]); v == "1.0" {
			rec.Notes = append(rec.Notes, "OCDS 1.0: organisations read from the buyer, tenderers and suppliers")
		}
		body["date"] = at.UTC().Format(time.RFC3339Nano)
		body["ocid"] = ocid
		out = append(out, release{id: id, at: at, body: body})
	}
	slices.SortStableFunc(out, func(a, b release) int { return a.at.Compare(b.at) })
	return out
}

// mapper records what each release adds to the process.
type mapper struct {
	ocid string
	opts Options
	rec  *importer.Record

	planned, tendered, awarded, closed bool

	currency  string
	budget    events.Money
	ceiling   events.Money
	deadline  time.Time
	planAt    time.Time
	signed    map[string]*contract // contracts signed, by OCDS id
	bids      map[string]string    // bid id → status
	seen      map[string]bool      // amendments and transactions recorded, by kind and id
	suppliers map[string]bool
	parties   map[string]map[string]any
	pending   []importer.Step // a tender waiting for the award's date
}

func (m *mapper) note(s string) { m.rec.Notes = append(m.rec.Notes, s) }

func (m *mapper) add(key string, c events.Command, sourceID string) {
	m.rec.Steps = append(m.rec.Steps, importer.Step{Key: "ocds:" + m.ocid + ":" + key, Command: c, SourceID: sourceID})
}

func (m *mapper) step(r release, prev, cur map[string]any) {
	sid := m.ocid + " " + r.id
	m.parties = partyIndex(cur)
	tender := obj(cur, "tender")
	if !m.planned && (len(tender) > 0 || len(obj(cur, "planning")) > 0) {
		m.plan(r, cur, sid)
	}
	if !m.planned {
		return
	}
	if !m.tendered && tenderPublished(tender) {
		m.tender(r.at, cur, sid, time.Time{})
	}
	if m.tendered {
		m.tenderAmendments(r, cur, sid)
		m.bidsOf(r, cur, sid)
	}
	m.awards(r, cur, sid)
	m.contracts(r, prev, cur, sid)
	if !m.closed && text(tender["status"]) == "cancelled" && text(obj(prev, "tender")["status"]) != "cancelled" {
		reason := text(tender["statusDetails"])
		if reason == "" {
			reason = "Ακύρωση της διαδικασίας"
			m.note("cancelled without a reason: \"Ακύρωση της διαδικασίας\"")
		}
		m.add("cancel", events.CancelProcurement{OCID: m.ocid, Reason: reason, At: r.at}, sid)
		m.closed = true
	}
}

func (m *mapper) finish() {
	if !m.planned {
		refuse("no planning or tender in any release: nothing to plan the process from")
	}
}

// plan records the process's plan from the first release with a planning
// or tender section.
func (m *mapper) plan(r release, cur map[string]any, sid string) {
	tender, planning := obj(cur, "tender"), obj(cur, "planning")
	title := text(tender["title"])
	if title == "" {
		if title = text(obj(planning, "budget")["description"]); title == "" {
			refuse("no title: neither tender.title nor planning.budget.description")
		}
		m.note("no tender title: the budget's description taken")
	}
	desc := text(tender["description"])
	if desc == "" {
		desc = title
		m.note("no description: the title taken")
	}
	budget, ok := m.money(obj(obj(planning, "budget"), "amount"), "budget")
	if !ok {
		if budget, ok = m.money(obj(tender, "value"), "tender value"); !ok {
			refuse("no budget: neither planning.budget.amount nor tender.value")
		}
		m.note("no budget: the tender's value taken")
	}
	m.currency, m.budget = budget.Currency, budget
	method := methodOf(text(tender["procurementMethod"]), text(tender["procurementMethodDetails"]), m)
	var cpv []string
	for _, it := range arr(tender, "items") {
		item, _ := it.(map[string]any)
		for _, c := range append([]any{item["classification"]}, arr(item, "additionalClassifications")...) {
			cl, _ := c.(map[string]any)
			if code := text(cl["id"]); code != "" && strings.EqualFold(text(cl["scheme"]), "CPV") && !slices.Contains(cpv, code) {
				cpv = append(cpv, code)
			}
		}
	}
	if len(cpv) == 0 {
		refuse("no CPV code among the tender's items")
	}
	body := m.opts.Body
	if body == "" {
		buyer := obj(cur, "buyer")
		if len(buyer) == 0 {
			buyer = obj(tender, "procuringEntity")
		}
		id := text(buyer["id"])
		if id == "" {
			id = text(obj(buyer, "identifier")["id"])
		}
		body = strings.TrimPrefix(id, "body-")
		if events.ValidateID("buyer", body) != nil {
			refuse("buyer %q is not an id; name the buyer body with --body", id)
		}
	}
	dept := text(planning["rationale"])
	if dept != "" && events.ValidateID("department", dept) != nil {
		dept = ""
		m.note("planning rationale is not a department id: left out")
	}
	m.planAt = m.callAt(r.at, tender)
	m.add("plan", events.PlanProcurement{OCID: m.ocid, Title: title, Description: desc, BuyerBodyID: body, Department: dept,
		Budget: budget, CPV: cpv, Method: method, DecisionIDs: decisionIDs(arr(planning, "documents")), At: m.planAt}, sid)
	m.planned = true
}

// tenderPublished reports whether a tender section says a call was made:
// a tender period or a value, in a status past planning.
func tenderPublished(t map[string]any) bool {
	switch text(t["status"]) {
	case "planning", "planned", "":
		return len(obj(t, "tenderPeriod")) > 0 && text(t["status"]) == ""
	}
	return len(obj(t, "tenderPeriod")) > 0 || len(obj(t, "value")) > 0
}

// tender records the call for tenders; an award's date stands in for a
// deadline the publisher did not give.
func (m *mapper) tender(at time.Time, cur map[string]any, sid string, awardAt time.Time) {
	t := obj(cur, "tender")
	ceiling, ok := m.money(obj(t, "value"), "tender value")
	if !ok {
		ceiling = m.budget
		m.note("no tender value: the budget taken as the ceiling")
	}
	period := obj(t, "tenderPeriod")
	deadline := m.time(period["endDate"], "tender deadline")
	start := m.time(period["startDate"], "tender start")
	if deadline.IsZero() {
		if awardAt.IsZero() {
			return // wait for the award's date
		}
		deadline = awardAt
		m.note("no tender deadline: the award's date taken")
	}
	if !at.Before(deadline) {
		at = m.callAt(at, t)
		if !at.Before(deadline) {
			at = m.planAt
		}
	}
	procedure := text(t["procurementMethodDetails"])
	if procedure == "" {
		procedure = text(t["procurementMethod"])
	}
	if procedure == "" {
		procedure = "open"
	}
	items := m.tenderItems(arr(t, "items"))
	var lots []events.Lot
	for _, l := range arr(t, "lots") {
		lot, _ := l.(map[string]any)
		id := text(lot["id"])
		value, ok := m.money(obj(lot, "value"), "lot value")
		if id == "" || !ok {
			refuse("tender lot %q has no id or no value", id)
		}
		lots = append(lots, events.Lot{ID: id, Title: text(lot["title"]), Value: value})
	}
	m.add("tender", events.PublishTender{OCID: m.ocid, Procedure: procedure, Ceiling: ceiling, Deadline: deadline, PeriodStart: start, Items: items, Lots: lots, At: at}, sid)
	m.tendered, m.ceiling, m.deadline = true, ceiling, deadline
}

// callAt dates the call for tenders that a release dated at reports: at,
// unless the tender's period shows the call came earlier (a snapshot
// published after the fact): then the period's start, or without one the
// day before the deadline.
func (m *mapper) callAt(at time.Time, tender map[string]any) time.Time {
	period := obj(tender, "tenderPeriod")
	start := m.time(period["startDate"], "tender start")
	deadline := m.time(period["endDate"], "tender deadline")
	if !start.IsZero() && start.Before(at) {
		at = start
	}
	if !deadline.IsZero() && !at.Before(deadline) {
		at = deadline.Add(-24 * time.Hour)
		m.note("a release dated after its tender's deadline: the call dated the day before the deadline")
	}
	return at
}

// tenderItems are the tender's items with quantities and unit values;
// without them for every item, none.
func (m *mapper) tenderItems(list []any) []events.TenderItem {
	var items []events.TenderItem
	for _, it := range list {
		item, _ := it.(map[string]any)
		unit := obj(item, "unit")
		value, ok := m.money(obj(unit, "value"), "item unit value")
		q, err := strconv.ParseInt(text(item["quantity"]), 10, 64)
		if !ok || err != nil || q <= 0 || text(unit["name"]) == "" {
			if len(list) > 0 && len(items) == 0 && text(item["quantity"]) != "" {
				m.note("tender items without whole quantities, units and unit values: not recorded")
			}
			return nil
		}
		items = append(items, events.TenderItem{ID: text(item["id"]), Description: text(item["description"]),
			CPV: text(obj(item, "classification")["id"]), Quantity: q, Unit: text(unit["name"]), UnitValue: value})
	}
	return items
}

func (m *mapper) tenderAmendments(r release, cur map[string]any, sid string) {
	t := obj(cur, "tender")
	for _, a := range arr(t, "amendments") {
		am, _ := a.(map[string]any)
		id := text(am["id"])
		if id == "" || m.seen["tender "+id] {
			continue
		}
		m.seen["tender "+id] = true
		c := events.AmendTender{OCID: m.ocid, Reason: text(am["rationale"]), At: m.timeOr(am["date"], r.at)}
		if c.Reason == "" {
			c.Reason = "Τροποποίηση της διακήρυξης"
		}
		if v, ok := m.money(obj(t, "value"), "tender value"); ok && v.Cents > m.ceiling.Cents {
			c.Ceiling, m.ceiling = v, v
		}
		if dl := m.time(obj(t, "tenderPeriod")["endDate"], "tender deadline"); !dl.IsZero() && !dl.Equal(m.deadline) {
			c.Deadline, m.deadline = dl, dl
		}
		if ids := decisionIDs(arr(obj(r.body, "tender"), "documents")); len(ids) > 0 {
			c.DecisionID = ids[0]
		}
		m.add("tender-amendment:"+id, c, sid)
	}
}

func (m *mapper) bidsOf(r release, cur map[string]any, sid string) {
	for _, b := range arr(obj(cur, "bids"), "details") {
		bid, _ := b.(map[string]any)
		id := text(bid["id"])
		if id == "" {
			continue
		}
		status := text(bid["status"])
		switch status {
		case "", "pending", "valid":
			status = string(events.BidValid)
		case "invited":
			continue
		case "disqualified", "withdrawn":
		default:
			refuse("bid %s: unknown status %q", id, status)
		}
		if _, known := m.bids[id]; !known {
			tenderers := arr(bid, "tenderers")
			if len(tenderers) != 1 {
				refuse("bid %s has %d tenderers; Pnyx records a bid by one supplier", id, len(tenderers))
			}
			vat := m.supplier(tenderers[0], r.at, sid)
			value, ok := m.money(obj(bid, "value"), "bid value")
			if !ok {
				refuse("bid %s has no value", id)
			}
			m.add("bid:"+id, events.RecordBid{OCID: m.ocid, BidID: id, SupplierID: vat, Value: value, LotID: relatedLot(bid, "bid", id), At: m.timeOr(bid["date"], r.at)}, sid)
			m.bids[id] = string(events.BidValid)
		}
		if m.bids[id] != status {
			reason := text(obj(r.body, "tender")["statusDetails"])
			if reason == "" {
				reason = "Η κατάσταση της προσφοράς άλλαξε"
			}
			m.add("bid:"+id+":"+status+":"+r.id, events.ChangeBidStatus{OCID: m.ocid, BidID: id, Status: events.BidStatus(status), Reason: reason, At: r.at}, sid)
			m.bids[id] = status
		}
	}
}

func (m *mapper) awards(r release, cur map[string]any, sid string) {
	for _, a := range arr(cur, "awards") {
		aw, _ := a.(map[string]any)
		id := text(aw["id"])
		switch status := text(aw["status"]); status {
		case "active", "":
		case "pending", "cancelled", "unsuccessful":
			continue
		default:
			refuse("award %s: unknown status %q", id, status)
		}
		if id == "" || m.seen["award "+id] {
			continue
		}
		m.seen["award "+id] = true
		at := m.timeOr(aw["date"], r.at)
		if !m.tendered {
			m.tender(r.at, cur, sid, at)
			if !m.tendered {
				refuse("award %s without a tender to award", id)
			}
		}
		suppliers := arr(aw, "suppliers")
		if len(suppliers) != 1 {
			refuse("award %s has %d suppliers; Pnyx records an award to one supplier", id, len(suppliers))
		}
		vat := m.supplier(suppliers[0], r.at, sid)
		value, ok := m.money(obj(aw, "value"), "award value")
		if !ok {
			refuse("award %s has no value", id)
		}
		if at.Before(m.deadline) {
			m.note("award dated before the tender's deadline: dated at the deadline")
			at = m.deadline
		}
		awardID := strings.TrimPrefix(id, m.ocid+"-")
		var decision string
		if ids := decisionIDs(arr(aw, "documents")); len(ids) > 0 {
			decision = ids[0]
		}
		m.add("award:"+id, events.AwardProcurement{OCID: m.ocid, AwardID: awardID, SupplierID: vat, Value: value, DecisionID: decision,
			LotID: relatedLot(aw, "award", id), At: at}, sid)
		m.awarded = true
	}
}

func (m *mapper) contracts(r release, prev, cur map[string]any, sid string) {
	prevStatus := map[string]string{}
	terminated := false
	for _, c := range arr(prev, "contracts") {
		ct, _ := c.(map[string]any)
		prevStatus[text(ct["id"])] = text(ct["status"])
	}
	for _, c := range arr(cur, "contracts") {
		ct, _ := c.(map[string]any)
		id := text(ct["id"])
		if id == "" {
			continue
		}
		if m.signed[id] == nil && len(obj(ct, "value")) > 0 {
			if !m.awarded {
				refuse("contract %s without an active award", id)
			}
			value, _ := m.money(obj(ct, "value"), "contract value")
			period := events.ContractPeriod{Start: m.time(obj(ct, "period")["startDate"], "contract start"), End: m.time(obj(ct, "period")["endDate"], "contract end")}
			at := m.timeOr(ct["dateSigned"], r.at)
			var awardID string
			if a := text(ct["awardID"]); a != "" {
				awardID = strings.TrimPrefix(a, m.ocid+"-")
			}
			m.add("contract:"+id, events.SignContract{OCID: m.ocid, ContractID: id, AwardID: awardID, Value: value, Period: period, At: at}, sid)
			m.signed[id] = &contract{value: value, period: period}
		}
		signed := m.signed[id]
		if signed == nil {
			continue
		}
		for _, a := range arr(ct, "amendments") {
			am, _ := a.(map[string]any)
			aid := text(am["id"])
			if aid == "" || m.seen["contract "+aid] {
				continue
			}
			m.seen["contract "+aid] = true
			cmd := events.AmendContract{OCID: m.ocid, ContractID: id, Reason: text(am["rationale"]), At: m.timeOr(am["date"], r.at)}
			if cmd.Reason == "" {
				cmd.Reason = "Τροποποίηση της σύμβασης"
			}
			if v, ok := m.money(obj(ct, "value"), "contract value"); ok && v != signed.value {
				cmd.NewValue, signed.value = &v, v
			}
			p := events.ContractPeriod{Start: m.time(obj(ct, "period")["startDate"], "contract start"), End: m.time(obj(ct, "period")["endDate"], "contract end")}
			if !p.Start.Equal(signed.period.Start) || !p.End.Equal(signed.period.End) {
				cmd.NewPeriod, signed.period = &p, p
			}
			for _, rc := range arr(r.body, "contracts") {
				if rct, _ := rc.(map[string]any); text(rct["id"]) == id {
					if ids := decisionIDs(arr(rct, "documents")); len(ids) > 0 {
						cmd.DecisionID = ids[0]
					}
				}
			}
			m.add("contract-amendment:"+aid, cmd, sid)
		}
		for _, t := range arr(obj(ct, "implementation"), "transactions") {
			tx, _ := t.(map[string]any)
			tid := text(tx["id"])
			if tid == "" || m.seen["payment "+tid] {
				continue
			}
			m.seen["payment "+tid] = true
			v := obj(tx, "value")
			if len(v) == 0 {
				v = obj(tx, "amount") // OCDS 1.0
			}
			amount, ok := m.money(v, "payment")
			if !ok {
				refuse("transaction %s has no value", tid)
			}
			ref := text(tx["pnyx:invoiceRef"])
			if ref == "" {
				ref = tid
				m.note("transaction without an invoice reference: its id taken")
			}
			m.add("payment:"+tid, events.RecordPayment{OCID: m.ocid, ContractID: id, PaymentID: tid, Amount: amount, InvoiceRef: ref, At: m.timeOr(tx["date"], r.at)}, sid)
		}
		signed.terminated = text(ct["status"]) == "terminated"
		if signed.terminated && prevStatus[id] != "terminated" {
			terminated = true
		}
	}
	// Pnyx completes a process as a whole: when the last of its contracts
	// is terminated.
	if terminated && !m.closed && m.allTerminated() {
		m.add("complete", events.CompleteProcurement{OCID: m.ocid, At: r.at}, sid)
		m.closed = true
	}
}

func (m *mapper) allTerminated() bool {
	for _, c := range m.signed {
		if !c.terminated {
			return false
		}
	}
	return true
}

// contract is what a signed contract's later releases are compared with.
type contract struct {
	value      events.Money
	period     events.ContractPeriod
	terminated bool
}

// relatedLot is the one lot a bid or an award names, if any.
func relatedLot(o map[string]any, what, id string) string {
	lots := arr(o, "relatedLots")
	switch len(lots) {
	case 0:
		return ""
	case 1:
		return text(lots[0])
	}
	refuse("%s %s names %d lots; Pnyx records a %s for one lot", what, id, len(lots), what)
	return ""
}

// supplier returns the VAT id of an organisation reference, registering
// the supplier (once, if absent) from what the parties say of it.
func (m *mapper) supplier(ref any, at time.Time, sid string) string {
	org, _ := ref.(map[string]any)
	id := text(org["id"])
	party := m.parties[id]
	if party == nil {
		party = org // OCDS 1.0: the organisation itself
	}
	vatText := strings.TrimPrefix(id, "supplier-")
	ident := obj(party, "identifier")
	if text(ident["id"]) != "" && !strings.HasPrefix(id, "supplier-") {
		vatText = text(ident["id"])
	}
	vat, err := events.NormalizeVATID(vatText)
	if err != nil {
		refuse("supplier %q: %s", firstNonEmpty(text(party["name"]), id), message(err))
	}
	if m.suppliers[vat] {
		return vat
	}
	m.suppliers[vat] = true
	name := firstNonEmpty(text(party["name"]), text(ident["legalName"]))
	if name == "" {
		refuse("supplier %s has no name", vat)
	}
	details := obj(party, "details")
	kind := events.SupplierKind(text(details["pnyx:kind"]))
	if kind == "" {
		switch text(details["scale"]) {
		case "large":
			kind = events.SupplierLarge
		case "sme", "micro":
			kind = events.SupplierSME
		default:
			kind = events.SupplierSME
			m.note("supplier without a scale: sme assumed")
		}
	}
	addr := obj(party, "address")
	country := text(addr["countryName"])
	if len(country) != 2 {
		country = vat[:2]
		if country == "EL" {
			country = "GR"
		}
	}
	if registered := m.time(details["pnyx:registeredAt"], "supplier registration"); !registered.IsZero() {
		at = registered // Pnyx's own releases say when
	}
	cmd := events.RegisterSupplier{VATID: vat, SupplierDetails: events.SupplierDetails{Name: name, Kind: kind,
		Locality: text(addr["locality"]), Municipality: text(addr["region"]), Country: country}, At: at}
	if street, pc := text(addr["streetAddress"]), text(addr["postalCode"]); street != "" || pc != "" {
		cmd.Address = &events.PostalAddress{Street: street, Postcode: pc, Locality: text(addr["locality"]), Country: country}
	}
	if cp := obj(party, "contactPoint"); text(cp["name"]) != "" {
		cmd.ContactPoint = &events.ContactPoint{Office: text(cp["name"]), Email: text(cp["email"]), Telephone: text(cp["telephone"]), URL: text(cp["url"])}
	}
	m.rec.Steps = append(m.rec.Steps, importer.Step{Key: "supplier:" + vat, Command: cmd, IfAbsent: true, SourceID: sid})
	return vat
}

// money reads an OCDS amount {amount, currency}; ok is false when there is
// none. An amount that is not a number of cents refuses the process.
func (m *mapper) money(v map[string]any, what string) (events.Money, bool) {
	if len(v) == 0 || v["amount"] == nil || text(v["amount"]) == "" {
		return events.Money{}, false
	}
	cents, err := source.Cents(text(v["amount"]))
	if err != nil {
		refuse("%s: %v", what, err)
	}
	cur := strings.ToUpper(text(v["currency"]))
	if cur == "" {
		if m.currency == "" {
			refuse("%s has no currency", what)
		}
		cur = m.currency
		m.note("an amount without a currency: the budget's taken")
	}
	return events.Money{Cents: cents, Currency: cur}, true
}

func (m *mapper) time(v any, what string) time.Time {
	t, err := source.Time(text(v), time.UTC)
	if err != nil {
		refuse("%s: %v", what, err)
	}
	return t
}

func (m *mapper) timeOr(v any, def time.Time) time.Time {
	if t := m.time(v, "date"); !t.IsZero() {
		return t
	}
	return def
}

// methodOf maps the procurement method, standard or a local word.
func methodOf(method, details string, m *mapper) events.ProcurementMethod {
	switch strings.ToLower(method) {
	case "open", "selective", "limited", "direct":
		return events.ProcurementMethod(strings.ToLower(method))
	}
	word := strings.ToLower(firstNonEmpty(method, details))
	for _, l := range localMethods {
		if strings.Contains(word, l.word) {
			m.note(fmt.Sprintf("method %q read as %s", firstNonEmpty(method, details), l.method))
			return l.method
		}
	}
	if word == "" {
		refuse("no procurement method")
	}
	refuse("unknown procurement method %q", firstNonEmpty(method, details))
	return ""
}

// localMethods are the words Greek publishers write for the methods.
var localMethods = []struct {
	word   string
	method events.ProcurementMethod
}{
	{"ανοικτ", events.ProcurementOpen}, {"ανοιχτ", events.ProcurementOpen}, {"συνοπτικ", events.ProcurementOpen},
	{"κλειστ", events.ProcurementSelective}, {"διαπραγμ", events.ProcurementLimited},
	{"απευθείας", events.ProcurementDirect}, {"απευθειας", events.ProcurementDirect}, {"direct", events.ProcurementDirect},
}

// decisionIDs are the Pnyx decisions a list of documents links
// ("decision-<id>").
func decisionIDs(docs []any) []string {
	var ids []string
	for _, d := range docs {
		doc, _ := d.(map[string]any)
		if id, ok := strings.CutPrefix(text(doc["id"]), "decision-"); ok && events.ValidateID("decision id", id) == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// partyIndex indexes the compiled release's parties by id.
func partyIndex(cur map[string]any) map[string]map[string]any {
	idx := map[string]map[string]any{}
	for _, p := range arr(cur, "parties") {
		if party, ok := p.(map[string]any); ok && text(party["id"]) != "" {
			idx[text(party["id"])] = party
		}
	}
	return idx
}

func obj(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

func arr(m map[string]any, k string) []any {
	v, _ := m[k].([]any)
	return v
}

// text is a JSON value as text: a string trimmed, a number as written.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func message(err error) string {
	if de, ok := err.(*events.Error); ok {
		return de.Message
	}
	return err.Error()
}
