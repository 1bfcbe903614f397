package readmodel

import (
	"context"
	"slices"

	"github.com/pnyx-civic/pnyx/events"
)

// The public datasets are the read model's rows as data users download
// them (package opendata documents them, package exports writes them):
// one SELECT per dataset, the only place that knows which columns of
// which tables are public. A citizen's subject reference, display name and
// request subject are never selected; neither are staff ids.
var datasetQueries = map[string]string{
	"bodies": `SELECT body_id, name, kind, registered_at FROM bodies ORDER BY body_id`,
	"factions": `SELECT f.body_id, f.faction_id, f.name, f.short_name, f.colour, f.role, f.leader_member_id, f.formed_at,
		f.dissolved_at, (SELECT count(DISTINCT m.member_id) FROM memberships m WHERE m.faction_id = f.faction_id) AS members
		FROM factions f ORDER BY f.body_id, f.faction_id`,
	"members": `SELECT member_id, name, min(since_at) AS first_since FROM memberships GROUP BY member_id ORDER BY member_id`,
	"memberships": `SELECT body_id, member_id, period, faction_id, role, since_at, until_at, left_reason
		FROM memberships ORDER BY body_id, member_id, period`,
	"meetings": `SELECT meeting_id, body_id, status, starts_at, place, urgency, urgency_reason, call, previous_meeting_id,
		scheduled_at, agenda_published_at, convened_at, adjourned_at, presiding_member_id, present, seats,
		postponed_reason, cancelled_reason FROM meetings ORDER BY meeting_id`,
	"attendance": `SELECT meeting_id, member_id FROM meeting_attendance ORDER BY meeting_id, member_id`,
	"agenda_items": `SELECT item_id, meeting_id, seq, title, description, question_type, presenter, urgent_vote_id, status,
		withdrawn_reason, consultation_closes_at, added_at FROM agenda_items ORDER BY item_id`,
	"consultation_comments": `SELECT comment_id, item_id, seq, kind, text, status, moderation_reason, submitted_at
		FROM comments ORDER BY comment_id`,
	"amendments": `SELECT amendment_id, body_id, meeting_id, item_id, proposer_id, text, status, vote_id, reason,
		proposed_at, decided_at FROM amendments ORDER BY amendment_id`,
	"votes": `SELECT vote_id, body_id, meeting_id, item_id, amendment_id, question, question_type, method, status,
		opened_at, closed_at, yes, no, abstain, present, absent, result, seats, majority, chair_tie_break, imported
		FROM votes ORDER BY vote_id`,
	"ballots": `SELECT vote_id, member_id, choice, cast_at, changes FROM ballots ORDER BY vote_id, member_id`,
	"decisions": `SELECT decision_id, body_id, number, seq, year, meeting_id, item_id, vote_id, exception_kind,
		exception_basis, title, text, legal_basis, status, version, register, register_id, published_version,
		document_sha256, status_reason, revoked_by, annulled_by, adopted_at, published_at, changed_at, office_kind, office
		FROM decisions ORDER BY decision_id`,
	"decision_versions": `SELECT decision_id, version, title, text, reason, at, recorded_at
		FROM decision_versions ORDER BY decision_id, version`,
	"procurements": `SELECT ocid, title, description, buyer_body_id, department, method, status, budget_cents,
		budget_currency, procedure, ceiling_cents, ceiling_currency, tender_period_start, deadline, bids, planned_at,
		tender_published_at, cancelled_reason, closed_at, imported, procedure_type, category, vat_rate_bp, budget_with_vat_cents,
		committed_cents, lots, lots_awarded, appeals_pending, direct_award_limit_cents, direct_award_limit_basis,
		modification_limit_percent, adam, tender_adam FROM procurements ORDER BY ocid`,
	"tender_items": `SELECT ocid, seq, item_id, description, cpv, quantity, unit, unit_value_cents, unit_value_currency
		FROM tender_items ORDER BY ocid, seq`,
	"procurement_cpv": `SELECT ocid, seq, cpv FROM procurement_cpv ORDER BY ocid, seq`,
	"bids": `SELECT ocid, bid_id, supplier_vat_id, value_cents, value_currency, received_at, status, status_reason, lot_id
		FROM bids ORDER BY ocid, bid_id`,
	"awards": `SELECT ocid, ocid || '-' || award_id AS award_id, lot_id, supplier_vat_id, value_cents, value_currency,
		value_with_vat_cents, decision_id, adam, status, awarded_at FROM procurement_awards ORDER BY ocid, award_id`,
	"contracts": `SELECT ocid, contract_id, ocid || '-' || award_id AS award_id, supplier_vat_id, value_cents, value_currency, period_start,
		period_end, signed_at, (SELECT coalesce(sum(amount_cents), 0) FROM payments p WHERE p.ocid = c.ocid AND p.contract_id = c.contract_id) AS paid_cents,
		value_with_vat_cents, adam, original_cents FROM procurement_contracts c ORDER BY ocid, contract_id`,
	"procurement_lots": `SELECT ocid, seq, lot_id, title, value_cents, value_currency FROM procurement_lots ORDER BY ocid, seq`,
	"budget_commitments": `SELECT ocid, commitment_id, amount_cents, amount_currency, budget_line, year, ada, committed_at
		FROM procurement_commitments ORDER BY ocid, commitment_id`,
	"evaluations": `SELECT ocid, evaluation_id, lot_id, phase, ranking, rejected, status, evaluated_at
		FROM procurement_evaluations ORDER BY ocid, evaluation_id`,
	"appeals": `SELECT ocid, appeal_id, kind, CASE award_id WHEN '' THEN '' ELSE ocid || '-' || award_id END AS award_id, evaluation_id, grounds, status, reason, decision_id, lodged_at, decided_at
		FROM procurement_appeals ORDER BY ocid, appeal_id`,
	"contract_amendments": `SELECT ocid, seq, value_cents, value_currency, period_start, period_end, reason, decision_id,
		amended_at, contract_id FROM contract_amendments ORDER BY ocid, seq`,
	"tender_amendments": `SELECT ocid, seq, ceiling_cents, ceiling_currency, deadline, reason, decision_id, amended_at
		FROM tender_amendments ORDER BY ocid, seq`,
	"payments": `SELECT ocid, payment_id, amount_cents, amount_currency, invoice_ref, paid_at, contract_id
		FROM payments ORDER BY ocid, payment_id`,
	"suppliers": `SELECT vat_id, name, kind, street, postcode, locality, municipality, country, contact_office, contact_office_email,
		contact_office_telephone, contact_office_url, registered_at FROM suppliers ORDER BY vat_id`,
	"requests": `SELECT request_id, category, description, address, lat, long, channel, status, submitted_at, acknowledged_at, response_days, due_at,
		department, answered_at, answer_summary, legal_basis, closed_at, reopened FROM requests ORDER BY request_id`,
	"request_status_history": `SELECT request_id, seq, status, at, detail FROM request_status_history
		ORDER BY request_id, seq`,
	"decision_reissues": `SELECT decision_id, seq, register, register_id, previous_register_id, version, document_sha256, reason, at
		FROM decision_reissues ORDER BY decision_id, seq`,
	"minutes": `SELECT meeting_id, body_id, status, version, approved_version, approving_meeting_id, approving_vote_id, drafted_at,
		approved_at FROM minutes ORDER BY meeting_id`,
	"minutes_decisions": `SELECT meeting_id, decision_id FROM minutes_decisions ORDER BY meeting_id, decision_id`,
	"item_attendance":   `SELECT item_id, meeting_id, member_id, status, reason, vote_id, at FROM item_attendance ORDER BY item_id, member_id`,
	"protocol_entries": `SELECT entry_id, registry, number, year, ref, direction, subject, correspondent, request_id, decision_id, in_reply_to,
		registered_at FROM protocol_entries ORDER BY entry_id`,
}

// DatasetNames lists the public datasets the read model answers, sorted.
func DatasetNames() []string {
	names := make([]string, 0, len(datasetQueries))
	for n := range datasetQueries {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ScanDataset reads every row of the public dataset name in the
// snapshot, in the dataset's key order, and calls row with each; the
// values are nil, int64, float64 or string, in the order of columns,
// which ScanDataset calls first, once. The slice passed to row is reused:
// copy what outlives the call. An unknown name is a not-found error; an
// error of columns or row ends the scan and is returned. It is
// ScanDatasetRows with each row's values copied out.
func (s *Snapshot) ScanDataset(ctx context.Context, name string, columns func([]string) error, row func([]any) error) error {
	var vals []any
	return s.ScanDatasetRows(ctx, name, func(cols []string) error {
		vals = make([]any, len(cols))
		return columns(cols)
	}, func(r *DatasetRow) error {
		r.Values(vals)
		return row(vals)
	})
}

// ScanDatasetRows reads every row of the public dataset name in the
// snapshot, in the dataset's key order, and calls row with each, in
// place: the row and its text are valid until row returns. It calls
// columns first, once. An unknown name is a not-found error; an error of
// columns or row ends the scan and is returned; so does the end of ctx.
//
// The rows come through a connection of the snapshot's own (see
// datasetReaders) at the snapshot's state, read below database/sql with
// no allocation per value: the one path of every release and download.
func (s *Snapshot) ScanDatasetRows(ctx context.Context, name string, columns func([]string) error, row func(*DatasetRow) error) error {
	q, ok := datasetQueries[name]
	if !ok {
		return events.Errorf(events.CodeNotFound, "no dataset %q", name)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.readers.acquire(ctx, s)
	if c == nil {
		return s.scanThroughTx(ctx, q, columns, row)
	}
	defer s.readers.release(c)
	st, err := c.prepare(q)
	if err != nil {
		return readError(err)
	}
	defer st.close()
	if err := columns(st.columns()); err != nil {
		return err
	}
	r := NewDatasetRow(st.n)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		more, err := st.step()
		if err != nil {
			return readError(err)
		}
		if !more {
			return nil
		}
		st.read(r)
		if err := row(r); err != nil {
			return err
		}
	}
}

// scanThroughTx reads query's rows through the snapshot's own
// transaction, for a snapshot with no connection of its own at its state
// (see datasetReaders.acquire): the same rows, copied through
// database/sql.
func (s *Snapshot) scanThroughTx(ctx context.Context, q string, columns func([]string) error, row func(*DatasetRow) error) error {
	rows, err := s.q.QueryContext(ctx, q)
	if err != nil {
		return readError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return readError(err)
	}
	if err := columns(cols); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	r := NewDatasetRow(len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return readError(err)
		}
		if err := r.SetValues(vals); err != nil {
			return err
		}
		if err := row(r); err != nil {
			return err
		}
	}
	return readError(rows.Err())
}
