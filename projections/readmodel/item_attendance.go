package readmodel

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Attendance as the law needs it: who attends each agenda item (members
// stepping out of one, conflicts of interest, κώλυμα, with their public
// reason), the justified absences of a meeting and the substitutes seated
// in place of absent members.
//
// item_attendance holds a row per member and item for each member who
// stepped out of the item or declared a conflict on it, and for each
// member a vote on the item recorded as attending when it opened
// (vote.opened of schema 2). Who was present for an item is those
// attending rows when a vote recorded them; for an item no such vote
// recorded, it is derived from the members present at the meeting
// (arrivals and departures) less those stepped out or in conflict.

// Item attendance statuses in the read model.
const (
	ItemAttending  = "attending"
	ItemSteppedOut = "stepped_out"
	ItemConflict   = "conflict"
)

// ItemMember is a member's attendance of one item: attending, stepped out,
// or out by a conflict of interest with its Reason. VoteID names the vote
// that recorded an attending member.
type ItemMember struct {
	ItemID    string    `json:"item_id"`
	MeetingID string    `json:"meeting_id"`
	MemberID  string    `json:"member_id"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	VoteID    string    `json:"vote_id,omitempty"`
	At        time.Time `json:"at"`
}

type itemMemberKey struct{ item, member string }

type itemMemberRow struct{ ItemMember }

var itemAttendance = define(&table[itemMemberKey, itemMemberRow]{
	name: "item_attendance", keys: 2, constraint: "PRIMARY KEY (item_id, member_id)",
	columns: []column[itemMemberRow]{
		textCol("item_id", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.ItemID }),
		textCol("member_id", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.MemberID }),
		textCol("meeting_id", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.MeetingID }),
		textCol("status", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.Status }),
		textCol("reason", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.Reason }),
		textCol("vote_id", "TEXT NOT NULL", func(r *itemMemberRow) *string { return &r.VoteID }),
		timeCol("at", func(r *itemMemberRow) *time.Time { return &r.At }),
	},
	indexes: []string{
		`CREATE INDEX {item_attendance_meeting} ON {item_attendance} (meeting_id, item_id, member_id)`,
		`CREATE INDEX {item_attendance_status} ON {item_attendance} (status, meeting_id, item_id, member_id)`,
	},
	key: func(r *itemMemberRow) itemMemberKey { return itemMemberKey{r.ItemID, r.MemberID} },
	newRow: func(k itemMemberKey) itemMemberRow {
		return itemMemberRow{ItemMember{ItemID: k.item, MemberID: k.member}}
	},
	order: func(a, b itemMemberKey) int {
		return cmp.Or(strings.Compare(a.item, b.item), strings.Compare(a.member, b.member))
	},
})

// JustifiedAbsence is a member's absence from a meeting, justified with
// the public reason.
type JustifiedAbsence struct {
	MeetingID string    `json:"meeting_id"`
	MemberID  string    `json:"member_id"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

type meetingMemberKey struct{ meeting, member string }

func byMeetingMember(a, b meetingMemberKey) int {
	return cmp.Or(strings.Compare(a.meeting, b.meeting), strings.Compare(a.member, b.member))
}

type absenceRow struct{ JustifiedAbsence }

var justifiedAbsences = define(&table[meetingMemberKey, absenceRow]{
	name: "justified_absences", keys: 2, constraint: "PRIMARY KEY (meeting_id, member_id)",
	columns: []column[absenceRow]{
		textCol("meeting_id", "TEXT NOT NULL", func(r *absenceRow) *string { return &r.MeetingID }),
		textCol("member_id", "TEXT NOT NULL", func(r *absenceRow) *string { return &r.MemberID }),
		textCol("reason", "TEXT NOT NULL", func(r *absenceRow) *string { return &r.Reason }),
		timeCol("at", func(r *absenceRow) *time.Time { return &r.At }),
	},
	indexes: []string{`CREATE INDEX {justified_absences_member} ON {justified_absences} (member_id, meeting_id)`},
	key:     func(r *absenceRow) meetingMemberKey { return meetingMemberKey{r.MeetingID, r.MemberID} },
	newRow: func(k meetingMemberKey) absenceRow {
		return absenceRow{JustifiedAbsence{MeetingID: k.meeting, MemberID: k.member}}
	},
	order: byMeetingMember,
})

// Substitute is a substitute member (αναπληρωματικό μέλος) seated at a
// meeting in place of an absent member.
type Substitute struct {
	MeetingID    string    `json:"meeting_id"`
	SubstituteID string    `json:"substitute_id"`
	ForMemberID  string    `json:"for_member_id"`
	At           time.Time `json:"at"`
}

type substituteRow struct{ Substitute }

var substitutes = define(&table[meetingMemberKey, substituteRow]{
	name: "meeting_substitutes", keys: 2, constraint: "PRIMARY KEY (meeting_id, substitute_id)",
	columns: []column[substituteRow]{
		textCol("meeting_id", "TEXT NOT NULL", func(r *substituteRow) *string { return &r.MeetingID }),
		textCol("substitute_id", "TEXT NOT NULL", func(r *substituteRow) *string { return &r.SubstituteID }),
		textCol("for_member_id", "TEXT NOT NULL", func(r *substituteRow) *string { return &r.ForMemberID }),
		timeCol("at", func(r *substituteRow) *time.Time { return &r.At }),
	},
	key: func(r *substituteRow) meetingMemberKey { return meetingMemberKey{r.MeetingID, r.SubstituteID} },
	newRow: func(k meetingMemberKey) substituteRow {
		return substituteRow{Substitute{MeetingID: k.meeting, SubstituteID: k.member}}
	},
	order: byMeetingMember,
})

// applyAttendance writes the attendance of items, justified absences and
// substitutes.
func applyAttendance(w writer, p events.Payload) (bool, error) {
	switch e := p.(type) {
	case events.MeetingMemberSteppedOut:
		itemAttendance.of(w).put(itemMemberRow{ItemMember{ItemID: e.ItemID, MeetingID: w.id(), MemberID: e.MemberID, Status: ItemSteppedOut, At: w.at()}})
		return true, nil
	case events.MeetingConflictDeclared:
		itemAttendance.of(w).put(itemMemberRow{ItemMember{ItemID: e.ItemID, MeetingID: w.id(), MemberID: e.MemberID, Status: ItemConflict,
			Reason: e.Reason, At: w.at()}})
		return true, nil
	case events.MeetingAbsenceJustified:
		justifiedAbsences.of(w).put(absenceRow{JustifiedAbsence{MeetingID: w.id(), MemberID: e.MemberID, Reason: e.Reason, At: w.at()}})
		return true, nil
	case events.MeetingSubstituteSeated:
		substitutes.of(w).put(substituteRow{Substitute{MeetingID: w.id(), SubstituteID: e.SubstituteID, ForMemberID: e.ForMemberID, At: w.at()}})
		m, err := meetings.of(w).get(w, w.id())
		if err != nil {
			return true, err
		}
		if m != nil && m.Status == string(events.MeetingIsConvened) {
			// Seated during the sitting: present from then on, as the
			// meeting's state has it.
			attendance.of(w).put(attendanceRow{w.id(), e.SubstituteID})
			batchOf(w).recount(recountPresent, w.id())
		}
		return true, nil
	}
	return false, nil
}

// recordAttending writes the members a vote on an item recorded as
// attending it; a member stepped out of the item or in conflict on it
// keeps that row. A vote of schema 1 recorded none.
func (w writer) recordAttending(e events.VoteOpened) error {
	if e.ItemID == "" {
		return nil
	}
	rows := itemAttendance.of(w)
	for _, m := range e.Attending {
		k := itemMemberKey{e.ItemID, m}
		r, err := rows.get(w, k)
		if err != nil {
			return err
		}
		if r != nil && r.Status != ItemAttending {
			continue
		}
		rows.put(itemMemberRow{ItemMember{ItemID: e.ItemID, MeetingID: e.MeetingID, MemberID: m, Status: ItemAttending, VoteID: w.id(), At: w.at()}})
	}
	return nil
}

// ItemAttendance is who attended an agenda item: Present are the members
// present for it, by id; SteppedOut and Conflicts those out of it.
// Recorded reports whether a vote on the item recorded Present when it
// opened; otherwise Present is derived from the meeting's attendance.
type ItemAttendance struct {
	ItemID     string       `json:"item_id"`
	Present    []string     `json:"present"`
	SteppedOut []ItemMember `json:"stepped_out"`
	Conflicts  []ItemMember `json:"conflicts"`
	Recorded   bool         `json:"recorded"`
}

// AttendanceOfItems returns the attendance of each agenda item of ids in
// two queries: out[i] is ids[i]'s, empty (ItemID "" too) for an unknown
// item or one nobody attended. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) AttendanceOfItems(ctx context.Context, ids []string) ([]ItemAttendance, error) {
	marks, err := perParent(ctx, s, "item attendance", `SELECT item_id, meeting_id, member_id, status, reason, vote_id, coalesce(at, '')
		FROM item_attendance WHERE item_id IN (%s) ORDER BY item_id, member_id`, ids, scanItemMember, func(m ItemMember) string { return m.ItemID })
	if err != nil {
		return nil, err
	}
	type presence struct{ item, member string }
	present, err := perParent(ctx, s, "item attendance", `SELECT a.item_id, m.member_id FROM agenda_items a
		JOIN meeting_attendance m ON m.meeting_id = a.meeting_id WHERE a.item_id IN (%s)`, ids, func(sc scanner) (presence, error) {
		var p presence
		return p, sc.Scan(&p.item, &p.member)
	}, func(p presence) string { return p.item })
	if err != nil {
		return nil, err
	}
	out := make([]ItemAttendance, len(ids))
	for i, id := range ids {
		a := ItemAttendance{Present: []string{}, SteppedOut: []ItemMember{}, Conflicts: []ItemMember{}}
		if len(marks[i])+len(present[i]) > 0 {
			a.ItemID = id // never the id asked alone: an unknown one is not echoed
		}
		away := map[string]bool{}
		for _, m := range marks[i] {
			switch m.Status {
			case ItemAttending:
				a.Recorded = true
				a.Present = append(a.Present, m.MemberID)
			case ItemSteppedOut:
				a.SteppedOut = append(a.SteppedOut, m)
				away[m.MemberID] = true
			case ItemConflict:
				a.Conflicts = append(a.Conflicts, m)
				away[m.MemberID] = true
			}
		}
		if !a.Recorded {
			for _, p := range present[i] {
				if !away[p.member] {
					a.Present = append(a.Present, p.member)
				}
			}
			slices.Sort(a.Present)
		}
		out[i] = a
	}
	return out, nil
}

func scanItemMember(sc scanner) (ItemMember, error) {
	var m ItemMember
	var at string
	err := sc.Scan(&m.ItemID, &m.MeetingID, &m.MemberID, &m.Status, &m.Reason, &m.VoteID, &at)
	m.At = parseTime(at)
	return m, err
}

// ItemMemberFilter selects members' attendance of items; empty fields
// select all.
type ItemMemberFilter struct {
	MeetingID string
	Status    string
	Page
}

// ItemMembers returns the rows of item attendance meeting by meeting,
// then by item and member: the open-data list of who attended, stepped
// out of or was in conflict on each item. A bad page is an invalid error.
func (s *Snapshot) ItemMembers(ctx context.Context, f ItemMemberFilter) (List[ItemMember], error) {
	var q query
	q.eq("meeting_id", f.MeetingID)
	q.eq("status", f.Status)
	return runList(ctx, s, listSpec[ItemMember]{name: "item_attendance", columns: `item_id, meeting_id, member_id, status, reason, vote_id,
		coalesce(at, '')`, from: "item_attendance", key: []string{"meeting_id", "item_id", "member_id"}, scan: scanItemMember}, q, f.Page)
}

// JustifiedAbsencesOf returns the justified absences of each meeting of
// ids by member, in one query: out[i] is ids[i]'s. More than MaxBatch ids
// is an invalid error.
func (s *Snapshot) JustifiedAbsencesOf(ctx context.Context, ids []string) ([][]JustifiedAbsence, error) {
	return perParent(ctx, s, "justified absences", `SELECT meeting_id, member_id, reason, coalesce(at, '') FROM justified_absences
		WHERE meeting_id IN (%s) ORDER BY meeting_id, member_id`, ids, func(sc scanner) (JustifiedAbsence, error) {
		var a JustifiedAbsence
		var at string
		err := sc.Scan(&a.MeetingID, &a.MemberID, &a.Reason, &at)
		a.At = parseTime(at)
		return a, err
	}, func(a JustifiedAbsence) string { return a.MeetingID })
}

// SubstitutesOf returns the substitutes seated at each meeting of ids, in
// one query: out[i] is ids[i]'s. More than MaxBatch ids is an invalid
// error.
func (s *Snapshot) SubstitutesOf(ctx context.Context, ids []string) ([][]Substitute, error) {
	return perParent(ctx, s, "substitutes", `SELECT meeting_id, substitute_id, for_member_id, coalesce(at, '') FROM meeting_substitutes
		WHERE meeting_id IN (%s) ORDER BY meeting_id, substitute_id`, ids, func(sc scanner) (Substitute, error) {
		var x Substitute
		var at string
		err := sc.Scan(&x.MeetingID, &x.SubstituteID, &x.ForMemberID, &at)
		x.At = parseTime(at)
		return x, err
	}, func(x Substitute) string { return x.MeetingID })
}
