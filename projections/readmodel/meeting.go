package readmodel

import (
	"context"
	"strings"

	"github.com/pnyx-civic/pnyx/projections"

	"github.com/pnyx-civic/pnyx/events"
)

// Meetings, their agenda items and attendance, and the documents of any
// entity (agenda items, minutes, decision versions, tenders, contracts,
// answers to requests), kept in one table keyed by owner.
func init() {
	readModelSchemas = append(readModelSchemas, `
CREATE TABLE {meetings} (
	meeting_id          TEXT PRIMARY KEY,
	body_id             TEXT NOT NULL,
	status              TEXT NOT NULL,
	starts_at           TEXT,
	place               TEXT NOT NULL,
	urgency             TEXT NOT NULL,
	urgency_reason      TEXT NOT NULL,
	call                INTEGER NOT NULL,
	previous_meeting_id TEXT NOT NULL,
	scheduled_at        TEXT,
	agenda_published_at TEXT,
	convened_at         TEXT,
	adjourned_at        TEXT,
	presiding_member_id TEXT NOT NULL DEFAULT '',
	present             INTEGER NOT NULL DEFAULT 0,
	seats               INTEGER NOT NULL DEFAULT 0,
	postponed_reason    TEXT NOT NULL DEFAULT '',
	cancelled_reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX {meetings_body} ON {meetings} (body_id, starts_at, meeting_id);
CREATE INDEX {meetings_body_scheduled} ON {meetings} (body_id, scheduled_at, meeting_id);
CREATE INDEX {meetings_body_convened} ON {meetings} (body_id, convened_at, meeting_id);
CREATE INDEX {meetings_starts} ON {meetings} (starts_at, meeting_id);
CREATE INDEX {meetings_scheduled} ON {meetings} (scheduled_at, meeting_id);
CREATE INDEX {meetings_status} ON {meetings} (status, starts_at, meeting_id);
CREATE INDEX {meetings_status_scheduled} ON {meetings} (status, scheduled_at, meeting_id);
CREATE TABLE {meeting_attendance} (
	meeting_id TEXT NOT NULL,
	member_id  TEXT NOT NULL,
	PRIMARY KEY (meeting_id, member_id)
) WITHOUT ROWID;
CREATE INDEX {meeting_attendance_member} ON {meeting_attendance} (member_id);
CREATE TABLE {agenda_items} (
	item_id                TEXT PRIMARY KEY,
	meeting_id             TEXT NOT NULL,
	seq                    INTEGER NOT NULL,
	title                  TEXT NOT NULL,
	description            TEXT NOT NULL,
	question_type          TEXT NOT NULL,
	presenter              TEXT NOT NULL,
	urgent_vote_id         TEXT NOT NULL,
	status                 TEXT NOT NULL,
	withdrawn_reason       TEXT NOT NULL DEFAULT '',
	consultation_closes_at TEXT,
	added_at               TEXT
);
CREATE INDEX {agenda_items_meeting} ON {agenda_items} (meeting_id, seq);
CREATE INDEX {agenda_items_status} ON {agenda_items} (status, meeting_id, seq);
CREATE TABLE {documents} (
	owner_kind TEXT NOT NULL,
	owner_id   TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	title      TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size       INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	url        TEXT NOT NULL,
	PRIMARY KEY (owner_kind, owner_id, seq)
);
CREATE INDEX {documents_sha256} ON {documents} (sha256);
`)
}

// Item statuses in the read model.
const (
	ItemOnAgenda  = "on_agenda"
	ItemPublished = "published"
	ItemWithdrawn = "withdrawn"
)

func applyMeeting(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.MeetingScheduled:
		batchOf(w).replaced(recountPresent, w.id())
		return true, w.exec(`INSERT OR REPLACE INTO {meetings} (meeting_id, body_id, status, starts_at, place, urgency, urgency_reason, call,
			previous_meeting_id, scheduled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.id(), e.BodyID, string(events.MeetingIsScheduled), timeText(e.StartsAt), e.Place, string(e.Urgency), e.UrgencyReason,
			max(e.Call, 1), e.PreviousMeetingID, w.occurred())
	case events.MeetingItemAdded:
		seq, err := w.nextSeq(batchOf(w).seqs, seqKey("agenda_items", w.id()), 1,
			`SELECT coalesce(max(seq), 0) FROM {agenda_items} WHERE meeting_id = ?`, w.id())
		if err != nil {
			return true, err
		}
		pendingAgendaItems(w).put(e.ItemID, e.ItemID, w.id(), seq, e.Title, e.Description, string(e.QuestionType), e.Presenter,
			e.UrgentVoteID, ItemOnAgenda, "", nil, w.occurred())
		if err := w.documents("agenda_item", e.ItemID, e.Documents); err != nil { // replaced if the item id is reused
			return true, err
		}
		return true, w.index(SearchAgendaItem, e.ItemID, e.Title, e.Description)
	case events.MeetingItemWithdrawn:
		pendingAgendaItems(w).update(e.ItemID, func(row []any) {
			if row[agendaItemMeeting] == w.id() {
				row[agendaItemStatus], row[agendaItemWithdrawnReason] = ItemWithdrawn, e.Reason
			}
		}, `UPDATE {agenda_items} SET status = ?, withdrawn_reason = ? WHERE item_id = ? AND meeting_id = ?`,
			ItemWithdrawn, e.Reason, e.ItemID, w.id())
		return true, nil
	case events.MeetingAgendaPublished:
		if err := w.exec(`UPDATE {meetings} SET agenda_published_at = ? WHERE meeting_id = ?`, w.occurred(), w.id()); err != nil {
			return true, err
		}
		items := pendingAgendaItems(w)
		closes := timeText(e.ConsultationClosesAt)
		for _, item := range e.ItemIDs {
			items.update(item, func(row []any) {
				if row[agendaItemMeeting] == w.id() && row[agendaItemStatus] != ItemWithdrawn {
					row[agendaItemStatus], row[agendaItemClosesAt] = ItemPublished, closes
				}
			}, `UPDATE {agenda_items} SET status = ?, consultation_closes_at = ? WHERE item_id = ? AND meeting_id = ? AND status <> ?`,
				ItemPublished, closes, item, w.id(), ItemWithdrawn)
		}
		return true, nil
	case events.MeetingConvened:
		if err := w.exec(`UPDATE {meetings} SET status = ?, call = ?, convened_at = ?, presiding_member_id = ?, seats = ? WHERE meeting_id = ?`,
			string(events.MeetingIsConvened), e.Call, w.occurred(), e.PresidingMemberID, e.Seats, w.id()); err != nil {
			return true, err
		}
		for _, m := range e.Present {
			if err := w.exec(`INSERT OR IGNORE INTO {meeting_attendance} (meeting_id, member_id) VALUES (?, ?)`, w.id(), m); err != nil {
				return true, err
			}
		}
		return true, w.countPresent()
	case events.MeetingQuorumFailed:
		return true, w.exec(`UPDATE {meetings} SET status = ?, call = ?, seats = ? WHERE meeting_id = ?`,
			string(events.MeetingIsInquorate), e.Call, e.Seats, w.id())
	case events.MeetingMemberArrived:
		if err := w.exec(`INSERT OR IGNORE INTO {meeting_attendance} (meeting_id, member_id) VALUES (?, ?)`, w.id(), e.MemberID); err != nil {
			return true, err
		}
		return true, w.countPresent()
	case events.MeetingMemberDeparted:
		if err := w.exec(`DELETE FROM {meeting_attendance} WHERE meeting_id = ? AND member_id = ?`, w.id(), e.MemberID); err != nil {
			return true, err
		}
		return true, w.countPresent()
	case events.MeetingAdjourned:
		return true, w.exec(`UPDATE {meetings} SET status = ?, adjourned_at = ? WHERE meeting_id = ?`,
			string(events.MeetingIsAdjourned), w.occurred(), w.id())
	case events.MeetingMinutesPublished:
		return true, w.appendDocuments("minutes", w.id(), e.Documents)
	case events.MeetingPostponed:
		return true, w.exec(`UPDATE {meetings} SET starts_at = ?, postponed_reason = ? WHERE meeting_id = ?`,
			timeText(e.StartsAt), e.Reason, w.id())
	case events.MeetingCancelled:
		return true, w.exec(`UPDATE {meetings} SET status = ?, cancelled_reason = ? WHERE meeting_id = ?`,
			string(events.MeetingIsCancelled), e.Reason, w.id())
	}
	return false, nil
}

func (w writer) countPresent() error {
	batchOf(w).recount(recountPresent, w.id())
	return nil
}

// documents replaces the documents of an owner.
// Columns of the agenda_items rows the batch holds.
const (
	agendaItemMeeting         = 1
	agendaItemStatus          = 8
	agendaItemWithdrawnReason = 9
	agendaItemClosesAt        = 10
)

func pendingAgendaItems(w writer) *pendingTable {
	return batchOf(w).pending("agenda_items", "INSERT OR REPLACE", `item_id, meeting_id, seq, title, description, question_type, presenter,
		urgent_vote_id, status, withdrawn_reason, consultation_closes_at, added_at`, "")
}

// documentRows are the documents a batch writes: the owners whose
// documents were replaced, whose rows in the table are deleted first, and
// then every owner's new rows. A replacement drops the rows held for its
// owner, so the rows of a batch are inserted many per statement and the
// deletes are one statement for many owners.
type documentRows struct {
	replaced map[docOwner]bool
	deletes  []docOwner
	rows     map[docOwner][][]any
	owners   []docOwner
}

type docOwner struct{ kind, id string }

func batchDocuments(w writer) *documentRows {
	b := batchOf(w)
	if b.documents == nil {
		b.documents = &documentRows{replaced: map[docOwner]bool{}, rows: map[docOwner][][]any{}}
	}
	return b.documents
}

// documents replaces the documents of an owner with docs.
func (w writer) documents(kind, id string, docs []events.DocumentRef) error {
	d, o := batchDocuments(w), docOwner{kind, id}
	if !d.replaced[o] {
		d.replaced[o] = true
		d.deletes = append(d.deletes, o)
	}
	if _, ok := d.rows[o]; !ok {
		d.owners = append(d.owners, o)
	}
	rows := make([][]any, 0, len(docs))
	for i, doc := range docs {
		rows = append(rows, documentRow(o, int64(i+1), doc))
	}
	d.rows[o] = rows
	batchOf(w).seqs[seqKey("documents", kind, id)] = int64(len(docs))
	return nil
}

// appendDocuments adds docs after an owner's documents.
func (w writer) appendDocuments(kind, id string, docs []events.DocumentRef) error {
	if len(docs) == 0 {
		return nil
	}
	d, o := batchDocuments(w), docOwner{kind, id}
	first, err := w.nextSeq(batchOf(w).seqs, seqKey("documents", kind, id), int64(len(docs)),
		`SELECT coalesce(max(seq), 0) FROM {documents} WHERE owner_kind = ? AND owner_id = ?`, kind, id)
	if err != nil {
		return err
	}
	if _, ok := d.rows[o]; !ok {
		d.owners = append(d.owners, o)
	}
	for i, doc := range docs {
		d.rows[o] = append(d.rows[o], documentRow(o, first+int64(i), doc))
	}
	return nil
}

func documentRow(o docOwner, seq int64, d events.DocumentRef) []any {
	return []any{o.kind, o.id, seq, d.Title, d.MediaType, d.Size, d.SHA256, d.URL}
}

// flush deletes the replaced owners' rows from the table, then inserts the
// batch's rows.
func (d *documentRows) flush(ctx context.Context, tx *projections.Tx) error {
	byKind := map[string][]any{}
	var kinds []string
	for _, o := range d.deletes {
		if byKind[o.kind] == nil {
			kinds = append(kinds, o.kind)
		}
		byKind[o.kind] = append(byKind[o.kind], o.id)
	}
	for _, kind := range kinds {
		ids := byKind[kind]
		for _, n := range rowsPerStatement {
			query := `DELETE FROM ` + tx.Table("documents") + ` WHERE owner_kind = ? AND owner_id IN (?` + strings.Repeat(", ?", n-1) + `)`
			for len(ids) >= n {
				if err := execStatement(ctx, tx, query, append([]any{kind}, ids[:n]...)); err != nil {
					return err
				}
				ids = ids[n:]
			}
		}
	}
	var rows [][]any
	for _, o := range d.owners {
		rows = append(rows, d.rows[o]...)
	}
	return insertRows(ctx, tx, "INSERT", "documents", "owner_kind, owner_id, seq, title, media_type, size, sha256, url", "", rows)
}
