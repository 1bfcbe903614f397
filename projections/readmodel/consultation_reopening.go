package readmodel

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Consultations follow their item: closed when the item is withdrawn or
// its meeting postponed or cancelled, reopened when a postponed meeting
// publishes its agenda for the new date. consultation_reopenings keeps
// each reopening with the closing it undid, so the consultations row
// (open again, until the new time) never hides that it was closed.

// ConsultationReopening is a consultation opening again: when, until
// when, and when it had closed before.
type ConsultationReopening struct {
	ItemID     string    `json:"item_id"`
	Seq        int       `json:"seq"`
	ReopenedAt time.Time `json:"reopened_at"`
	ClosesAt   time.Time `json:"closes_at"`
	ClosedAt   time.Time `json:"closed_at"`
}

type reopeningRow struct{ ConsultationReopening }

type itemSeqKey struct {
	item string
	seq  int
}

var consultationReopenings = define(&table[itemSeqKey, reopeningRow]{
	name: "consultation_reopenings", keys: 2, constraint: "PRIMARY KEY (item_id, seq)",
	columns: []column[reopeningRow]{
		textCol("item_id", "TEXT NOT NULL", func(r *reopeningRow) *string { return &r.ItemID }),
		intCol("seq", "INTEGER NOT NULL", func(r *reopeningRow) *int { return &r.Seq }),
		timeCol("reopened_at", func(r *reopeningRow) *time.Time { return &r.ReopenedAt }),
		timeCol("closes_at", func(r *reopeningRow) *time.Time { return &r.ClosesAt }),
		timeCol("closed_at", func(r *reopeningRow) *time.Time { return &r.ClosedAt }),
	},
	key: func(r *reopeningRow) itemSeqKey { return itemSeqKey{r.ItemID, r.Seq} },
	newRow: func(k itemSeqKey) reopeningRow {
		return reopeningRow{ConsultationReopening{ItemID: k.item, Seq: k.seq}}
	},
	order: func(a, b itemSeqKey) int { return cmp.Or(strings.Compare(a.item, b.item), cmp.Compare(a.seq, b.seq)) },
})

// reopenConsultation opens the consultation again until e.ClosesAt.
func (w writer) reopenConsultation(e events.ConsultationReopened) error {
	seq, err := w.nextSeq(batchOf(w).seqs, seqKey("consultation_reopenings", w.id()), 1,
		`SELECT coalesce(max(seq), 0) FROM {consultation_reopenings} WHERE item_id = ?`, w.id())
	if err != nil {
		return err
	}
	var closed time.Time
	if _, err := consultations.of(w).change(w, w.id(), func(r *consultationRow) {
		closed = r.ClosedAt
		r.Status, r.ClosesAt, r.ClosedAt = "open", e.ClosesAt.UTC(), time.Time{}
	}); err != nil {
		return err
	}
	consultationReopenings.of(w).put(reopeningRow{ConsultationReopening{ItemID: w.id(), Seq: int(seq), ReopenedAt: w.at(),
		ClosesAt: e.ClosesAt.UTC(), ClosedAt: closed}})
	return nil
}

// ReopeningsOf returns the reopenings of the consultations on each item of
// itemIDs, oldest first, in one query: out[i] is itemIDs[i]'s. More than
// MaxBatch ids is an invalid error.
func (s *Snapshot) ReopeningsOf(ctx context.Context, itemIDs []string) ([][]ConsultationReopening, error) {
	return perParent(ctx, s, "consultation reopenings", `SELECT item_id, seq, coalesce(reopened_at, ''), coalesce(closes_at, ''),
		coalesce(closed_at, '') FROM consultation_reopenings WHERE item_id IN (%s) ORDER BY item_id, seq`, itemIDs,
		func(sc scanner) (ConsultationReopening, error) {
			var r ConsultationReopening
			var reopened, closes, closed string
			err := sc.Scan(&r.ItemID, &r.Seq, &reopened, &closes, &closed)
			r.ReopenedAt, r.ClosesAt, r.ClosedAt = parseTime(reopened), parseTime(closes), parseTime(closed)
			return r, err
		}, func(r ConsultationReopening) string { return r.ItemID })
}
