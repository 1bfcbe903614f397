package readmodel

import (
	"cmp"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Meetings, their agenda items and attendance, and the documents of any
// entity (agenda items, minutes, decision versions, tenders, contracts,
// answers to requests), kept in one table keyed by owner.

// meetingRow is a row of meetings; present is derived (recountPresent).
type meetingRow struct {
	Meeting
	previousMeetingID string
	scheduledAt       time.Time
	postponedReason   string
}

var meetings = define(&table[string, meetingRow]{
	name: "meetings", keys: 1, rowid: true,
	columns: []column[meetingRow]{
		textCol("meeting_id", "TEXT PRIMARY KEY", func(r *meetingRow) *string { return &r.ID }),
		textCol("body_id", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.BodyID }),
		textCol("status", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.Status }),
		timeCol("starts_at", func(r *meetingRow) *time.Time { return &r.StartsAt }),
		textCol("place", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.Place }),
		textCol("urgency", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.Urgency }),
		textCol("urgency_reason", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.UrgencyReason }),
		intCol("call", "INTEGER NOT NULL", func(r *meetingRow) *int { return &r.Call }),
		textCol("previous_meeting_id", "TEXT NOT NULL", func(r *meetingRow) *string { return &r.previousMeetingID }),
		timeCol("scheduled_at", func(r *meetingRow) *time.Time { return &r.scheduledAt }),
		timeCol("agenda_published_at", func(r *meetingRow) *time.Time { return &r.AgendaPublishedAt }),
		timeCol("convened_at", func(r *meetingRow) *time.Time { return &r.ConvenedAt }),
		timeCol("adjourned_at", func(r *meetingRow) *time.Time { return &r.AdjournedAt }),
		textCol("presiding_member_id", "TEXT NOT NULL DEFAULT ''", func(r *meetingRow) *string { return &r.PresidingMemberID }),
		intCol("present", "INTEGER NOT NULL DEFAULT 0", func(r *meetingRow) *int { return &r.Present }),
		intCol("seats", "INTEGER NOT NULL DEFAULT 0", func(r *meetingRow) *int { return &r.Seats }),
		textCol("postponed_reason", "TEXT NOT NULL DEFAULT ''", func(r *meetingRow) *string { return &r.postponedReason }),
		textCol("cancelled_reason", "TEXT NOT NULL DEFAULT ''", func(r *meetingRow) *string { return &r.CancelledReason }),
	},
	indexes: []string{
		`CREATE INDEX {meetings_body} ON {meetings} (body_id, starts_at, meeting_id)`,
		`CREATE INDEX {meetings_body_scheduled} ON {meetings} (body_id, scheduled_at, meeting_id)`,
		`CREATE INDEX {meetings_body_convened} ON {meetings} (body_id, convened_at, meeting_id)`,
		`CREATE INDEX {meetings_starts} ON {meetings} (starts_at, meeting_id)`,
		`CREATE INDEX {meetings_scheduled} ON {meetings} (scheduled_at, meeting_id)`,
		`CREATE INDEX {meetings_status} ON {meetings} (status, starts_at, meeting_id)`,
		`CREATE INDEX {meetings_status_scheduled} ON {meetings} (status, scheduled_at, meeting_id)`,
	},
	key:    func(r *meetingRow) string { return r.ID },
	newRow: func(id string) meetingRow { return meetingRow{Meeting: Meeting{ID: id}} },
	order:  byString,
})

// attendanceRow is a row of meeting_attendance: a member present.
type attendanceRow struct{ meetingID, memberID string }

var attendance = define(&table[attendanceRow, attendanceRow]{
	name: "meeting_attendance", keys: 2, constraint: "PRIMARY KEY (meeting_id, member_id)",
	columns: []column[attendanceRow]{
		textCol("meeting_id", "TEXT NOT NULL", func(r *attendanceRow) *string { return &r.meetingID }),
		textCol("member_id", "TEXT NOT NULL", func(r *attendanceRow) *string { return &r.memberID }),
	},
	indexes: []string{`CREATE INDEX {meeting_attendance_member} ON {meeting_attendance} (member_id)`},
	key:     func(r *attendanceRow) attendanceRow { return *r },
	newRow:  func(k attendanceRow) attendanceRow { return k },
	order: func(a, b attendanceRow) int {
		return cmp.Or(strings.Compare(a.meetingID, b.meetingID), strings.Compare(a.memberID, b.memberID))
	},
})

// agendaItemRow is a row of agenda_items; its documents are the owner
// "agenda_item" of documents.
type agendaItemRow struct {
	AgendaItem
	addedAt time.Time
}

var agendaItems = define(&table[string, agendaItemRow]{
	name: "agenda_items", keys: 1, rowid: true,
	columns: []column[agendaItemRow]{
		textCol("item_id", "TEXT PRIMARY KEY", func(r *agendaItemRow) *string { return &r.ID }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.MeetingID }),
		intCol("seq", "INTEGER NOT NULL", func(r *agendaItemRow) *int { return &r.Seq }),
		textCol("title", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.Title }),
		textCol("description", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.Description }),
		textCol("question_type", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.QuestionType }),
		textCol("presenter", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.Presenter }),
		textCol("urgent_vote_id", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.UrgentVoteID }),
		textCol("status", "TEXT NOT NULL", func(r *agendaItemRow) *string { return &r.Status }),
		textCol("withdrawn_reason", "TEXT NOT NULL DEFAULT ''", func(r *agendaItemRow) *string { return &r.WithdrawnReason }),
		timeCol("consultation_closes_at", func(r *agendaItemRow) *time.Time { return &r.ConsultationClosesAt }),
		timeCol("added_at", func(r *agendaItemRow) *time.Time { return &r.addedAt }),
	},
	indexes: []string{
		`CREATE INDEX {agenda_items_meeting} ON {agenda_items} (meeting_id, seq)`,
		`CREATE INDEX {agenda_items_status} ON {agenda_items} (status, meeting_id, seq)`,
	},
	key:    func(r *agendaItemRow) string { return r.ID },
	newRow: func(id string) agendaItemRow { return agendaItemRow{AgendaItem: AgendaItem{ID: id}} },
	order:  byString,
})

// documentRow is a row of documents: one document of an owner (agenda
// item, minutes, decision version, tender, contract, answer to a
// request), numbered from 1 within it.
type documentRow struct {
	owner documentOwner
	seq   int
	events.DocumentRef
}

type documentOwner struct{ kind, id string }

type documentKey struct {
	documentOwner
	seq int
}

var documents = define(&table[documentKey, documentRow]{
	name: "documents", keys: 3, rowid: true, constraint: "PRIMARY KEY (owner_kind, owner_id, seq)",
	columns: []column[documentRow]{
		textCol("owner_kind", "TEXT NOT NULL", func(r *documentRow) *string { return &r.owner.kind }),
		textCol("owner_id", "TEXT NOT NULL", func(r *documentRow) *string { return &r.owner.id }),
		intCol("seq", "INTEGER NOT NULL", func(r *documentRow) *int { return &r.seq }),
		textCol("title", "TEXT NOT NULL", func(r *documentRow) *string { return &r.Title }),
		textCol("media_type", "TEXT NOT NULL", func(r *documentRow) *string { return &r.MediaType }),
		int64Col("size", "INTEGER NOT NULL", func(r *documentRow) *int64 { return &r.Size }),
		textCol("sha256", "TEXT NOT NULL", func(r *documentRow) *string { return &r.SHA256 }),
		textCol("url", "TEXT NOT NULL", func(r *documentRow) *string { return &r.URL }),
	},
	indexes: []string{`CREATE INDEX {documents_sha256} ON {documents} (sha256)`},
	key:     func(r *documentRow) documentKey { return documentKey{r.owner, r.seq} },
	newRow:  func(k documentKey) documentRow { return documentRow{owner: k.documentOwner, seq: k.seq} },
	order: func(a, b documentKey) int {
		return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.id, b.id), cmp.Compare(a.seq, b.seq))
	},
	owned: 2,
	owner: func(k documentKey) documentKey { return documentKey{documentOwner: k.documentOwner} },
})

// Item statuses in the read model.
const (
	ItemOnAgenda  = "on_agenda"
	ItemPublished = "published"
	ItemWithdrawn = "withdrawn"
)

func applyMeeting(w writer, p events.Payload) (bool, error) {
	rows := meetings.of(w)
	change := func(f func(r *meetingRow)) error {
		_, err := rows.change(w, w.id(), f)
		return err
	}
	switch e := p.(type) {
	case events.MeetingScheduled:
		batchOf(w).replaced(recountPresent, w.id())
		rows.put(meetingRow{Meeting: Meeting{ID: w.id(), BodyID: e.BodyID, Status: string(events.MeetingIsScheduled), StartsAt: e.StartsAt.UTC(),
			Place: e.Place, Urgency: string(e.Urgency), UrgencyReason: e.UrgencyReason, Call: max(e.Call, 1)},
			previousMeetingID: e.PreviousMeetingID, scheduledAt: w.at()})
		return true, nil
	case events.MeetingItemAdded:
		seq, err := w.nextSeq(batchOf(w).seqs, seqKey("agenda_items", w.id()), 1,
			`SELECT coalesce(max(seq), 0) FROM {agenda_items} WHERE meeting_id = ?`, w.id())
		if err != nil {
			return true, err
		}
		agendaItems.of(w).put(agendaItemRow{AgendaItem: AgendaItem{ID: e.ItemID, MeetingID: w.id(), Seq: int(seq), Title: e.Title,
			Description: e.Description, QuestionType: string(e.QuestionType), Presenter: e.Presenter, UrgentVoteID: e.UrgentVoteID,
			Status: ItemOnAgenda}, addedAt: w.at()})
		if err := w.documents("agenda_item", e.ItemID, e.Documents); err != nil { // replaced if the item id is reused
			return true, err
		}
		return true, w.index(SearchAgendaItem, e.ItemID, e.Title, e.Description)
	case events.MeetingItemWithdrawn:
		_, err := agendaItems.of(w).change(w, e.ItemID, func(r *agendaItemRow) {
			if r.MeetingID == w.id() {
				r.Status, r.WithdrawnReason = ItemWithdrawn, e.Reason
			}
		})
		return true, err
	case events.MeetingAgendaPublished:
		if err := change(func(r *meetingRow) { r.AgendaPublishedAt = w.at() }); err != nil {
			return true, err
		}
		for _, item := range e.ItemIDs {
			if _, err := agendaItems.of(w).change(w, item, func(r *agendaItemRow) {
				if r.MeetingID == w.id() && r.Status != ItemWithdrawn {
					r.Status, r.ConsultationClosesAt = ItemPublished, e.ConsultationClosesAt.UTC()
				}
			}); err != nil {
				return true, err
			}
		}
		return true, nil
	case events.MeetingConvened:
		if err := change(func(r *meetingRow) {
			r.Status, r.Call, r.ConvenedAt, r.PresidingMemberID, r.Seats = string(events.MeetingIsConvened), e.Call, w.at(), e.PresidingMemberID, e.Seats
		}); err != nil {
			return true, err
		}
		for _, m := range e.Present {
			attendance.of(w).put(attendanceRow{w.id(), m})
		}
		batchOf(w).recount(recountPresent, w.id())
		return true, nil
	case events.MeetingQuorumFailed:
		return true, change(func(r *meetingRow) { r.Status, r.Call, r.Seats = string(events.MeetingIsInquorate), e.Call, e.Seats })
	case events.MeetingMemberArrived:
		attendance.of(w).put(attendanceRow{w.id(), e.MemberID})
		batchOf(w).recount(recountPresent, w.id())
		return true, nil
	case events.MeetingMemberDeparted:
		attendance.of(w).delete(attendanceRow{w.id(), e.MemberID})
		batchOf(w).recount(recountPresent, w.id())
		return true, nil
	case events.MeetingAdjourned:
		return true, change(func(r *meetingRow) { r.Status, r.AdjournedAt = string(events.MeetingIsAdjourned), w.at() })
	case events.MeetingMinutesPublished:
		return true, w.appendDocuments("minutes", w.id(), e.Documents)
	case events.MeetingPostponed:
		return true, change(func(r *meetingRow) { r.StartsAt, r.postponedReason = e.StartsAt.UTC(), e.Reason })
	case events.MeetingCancelled:
		return true, change(func(r *meetingRow) { r.Status, r.CancelledReason = string(events.MeetingIsCancelled), e.Reason })
	}
	return false, nil
}

// documents replaces the documents of an owner with docs.
func (w writer) documents(kind, id string, docs []events.DocumentRef) error {
	rows, o := documents.of(w), documentOwner{kind, id}
	rows.deleteOwned(documentKey{documentOwner: o})
	for i, doc := range docs {
		rows.put(documentRow{owner: o, seq: i + 1, DocumentRef: doc})
	}
	batchOf(w).seqs[seqKey("documents", kind, id)] = int64(len(docs))
	return nil
}

// appendDocuments adds docs after an owner's documents.
func (w writer) appendDocuments(kind, id string, docs []events.DocumentRef) error {
	if len(docs) == 0 {
		return nil
	}
	first, err := w.nextSeq(batchOf(w).seqs, seqKey("documents", kind, id), int64(len(docs)),
		`SELECT coalesce(max(seq), 0) FROM {documents} WHERE owner_kind = ? AND owner_id = ?`, kind, id)
	if err != nil {
		return err
	}
	rows, o := documents.of(w), documentOwner{kind, id}
	for i, doc := range docs {
		rows.put(documentRow{owner: o, seq: int(first) + i, DocumentRef: doc})
	}
	return nil
}
