package readmodel

import (
	"context"
	"database/sql"
	"strings"
	"time"

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
CREATE INDEX {meetings_body} ON {meetings} (body_id, starts_at);
CREATE INDEX {meetings_starts} ON {meetings} (starts_at);
CREATE INDEX {meetings_status} ON {meetings} (status, starts_at);
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
CREATE INDEX {agenda_items_status} ON {agenda_items} (status);
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

type Meeting struct {
	ID                string    `json:"id"`
	BodyID            string    `json:"body_id"`
	Status            string    `json:"status"`
	StartsAt          time.Time `json:"starts_at"`
	Place             string    `json:"place"`
	Urgency           string    `json:"urgency"`
	UrgencyReason     string    `json:"urgency_reason,omitempty"`
	Call              int       `json:"call"`
	AgendaPublishedAt time.Time `json:"agenda_published_at"`
	ConvenedAt        time.Time `json:"convened_at"`
	AdjournedAt       time.Time `json:"adjourned_at"`
	PresidingMemberID string    `json:"presiding_member_id,omitempty"`
	Present           int       `json:"present"`
	Seats             int       `json:"seats"`
	CancelledReason   string    `json:"cancelled_reason,omitempty"`
}

// MeetingFilter selects meetings; empty fields select all.
type MeetingFilter struct {
	BodyID string
	Status string
	Starts TimeRange
	Page
}

// AgendaItem is an item of a meeting's agenda.
type AgendaItem struct {
	ID                   string               `json:"id"`
	MeetingID            string               `json:"meeting_id"`
	Seq                  int                  `json:"seq"`
	Title                string               `json:"title"`
	Description          string               `json:"description"`
	QuestionType         string               `json:"question_type"`
	Presenter            string               `json:"presenter"`
	UrgentVoteID         string               `json:"urgent_vote_id,omitempty"`
	Status               string               `json:"status"`
	WithdrawnReason      string               `json:"withdrawn_reason,omitempty"`
	ConsultationClosesAt time.Time            `json:"consultation_closes_at"`
	Documents            []events.DocumentRef `json:"documents"`
}

const meetingColumns = `meeting_id, body_id, status, coalesce(starts_at, ''), place, urgency, urgency_reason, call,
	coalesce(agenda_published_at, ''), coalesce(convened_at, ''), coalesce(adjourned_at, ''), presiding_member_id, present, seats, cancelled_reason`

func scanMeeting(s scanner) (Meeting, error) {
	var m Meeting
	var starts, published, convened, adjourned string
	err := s.Scan(&m.ID, &m.BodyID, &m.Status, &starts, &m.Place, &m.Urgency, &m.UrgencyReason, &m.Call,
		&published, &convened, &adjourned, &m.PresidingMemberID, &m.Present, &m.Seats, &m.CancelledReason)
	m.StartsAt, m.AgendaPublishedAt, m.ConvenedAt, m.AdjournedAt = parseTime(starts), parseTime(published), parseTime(convened), parseTime(adjourned)
	return m, err
}

// Meeting returns one meeting, or a not_found error.
func (m *ReadModel) Meeting(ctx context.Context, id string) (Meeting, error) {
	return queryOne(ctx, m.q, "meeting "+id, `SELECT `+meetingColumns+` FROM meetings WHERE meeting_id = ?`, []any{id}, scanMeeting)
}

// Meetings returns meetings by start time, then id.
func (m *ReadModel) Meetings(ctx context.Context, f MeetingFilter) ([]Meeting, error) {
	if err := f.Starts.validate("meetings"); err != nil {
		return nil, err
	}
	limit, offset, err := f.Page.bounds()
	if err != nil {
		return nil, err
	}
	var q query
	q.eq("body_id", f.BodyID)
	q.eq("status", f.Status)
	q.timeRange("starts_at", f.Starts)
	return queryRows(ctx, m.q, `SELECT `+meetingColumns+` FROM meetings`+q.String()+` ORDER BY starts_at, meeting_id LIMIT ? OFFSET ?`,
		append(q.args, limit, offset), scanMeeting)
}

// Attendance returns the members present at a meeting, by id.
func (m *ReadModel) Attendance(ctx context.Context, meetingID string) ([]string, error) {
	return queryRows(ctx, m.q, `SELECT member_id FROM meeting_attendance WHERE meeting_id = ? ORDER BY member_id`,
		[]any{meetingID}, func(s scanner) (string, error) {
			var id string
			return id, s.Scan(&id)
		})
}

// AgendaItems returns the items of a meeting in agenda order, with their
// documents, read in one snapshot.
func (m *ReadModel) AgendaItems(ctx context.Context, meetingID string) ([]AgendaItem, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, readError(err)
	}
	defer tx.Rollback()
	items, err := queryRows(ctx, tx, `SELECT item_id, meeting_id, seq, title, description, question_type, presenter, urgent_vote_id,
		status, withdrawn_reason, coalesce(consultation_closes_at, '') FROM agenda_items WHERE meeting_id = ? ORDER BY seq`,
		[]any{meetingID}, func(s scanner) (AgendaItem, error) {
			var it AgendaItem
			var closes string
			err := s.Scan(&it.ID, &it.MeetingID, &it.Seq, &it.Title, &it.Description, &it.QuestionType, &it.Presenter,
				&it.UrgentVoteID, &it.Status, &it.WithdrawnReason, &closes)
			it.ConsultationClosesAt = parseTime(closes)
			it.Documents = []events.DocumentRef{}
			return it, err
		})
	if err != nil {
		return nil, err
	}
	type ownedDoc struct {
		owner string
		doc   events.DocumentRef
	}
	docs, err := queryRows(ctx, tx, `SELECT d.owner_id, d.title, d.media_type, d.size, d.sha256, d.url FROM documents d
		JOIN agenda_items i ON i.item_id = d.owner_id WHERE d.owner_kind = 'agenda_item' AND i.meeting_id = ? ORDER BY d.owner_id, d.seq`,
		[]any{meetingID}, func(s scanner) (ownedDoc, error) {
			var o ownedDoc
			return o, s.Scan(&o.owner, &o.doc.Title, &o.doc.MediaType, &o.doc.Size, &o.doc.SHA256, &o.doc.URL)
		})
	if err != nil {
		return nil, err
	}
	byItem := make(map[string]int, len(items))
	for i, it := range items {
		byItem[it.ID] = i
	}
	for _, o := range docs {
		if i, ok := byItem[o.owner]; ok {
			items[i].Documents = append(items[i].Documents, o.doc)
		}
	}
	return items, nil
}

// Documents returns the documents of an owner (agenda_item, minutes,
// decision_version as "<decision id>/<version>", tender and contract by
// ocid, request_answer) in order.
func (m *ReadModel) Documents(ctx context.Context, ownerKind, ownerID string) ([]events.DocumentRef, error) {
	return documentsOf(ctx, m.q, ownerKind, ownerID)
}

func documentsOf(ctx context.Context, q projections.Queryer, ownerKind, ownerID string) ([]events.DocumentRef, error) {
	docs, err := queryRows(ctx, q, `SELECT title, media_type, size, sha256, url FROM documents
		WHERE owner_kind = ? AND owner_id = ? ORDER BY seq`, []any{ownerKind, ownerID}, func(s scanner) (events.DocumentRef, error) {
		var d events.DocumentRef
		return d, s.Scan(&d.Title, &d.MediaType, &d.Size, &d.SHA256, &d.URL)
	})
	if docs == nil && err == nil {
		docs = []events.DocumentRef{}
	}
	return docs, err
}
