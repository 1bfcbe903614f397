package readmodel_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// datasetRows reads every row of dataset name with scan, each row as its
// values.
func datasetRows(t *testing.T, name string, scan func(name string, columns func([]string) error, row func(*readmodel.DatasetRow) error) error) ([]string, [][]any) {
	t.Helper()
	var cols []string
	var rows [][]any
	err := scan(name, func(c []string) error { cols = c; return nil }, func(r *readmodel.DatasetRow) error {
		vals := make([]any, r.Len())
		r.Values(vals)
		rows = append(rows, vals)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cols, rows
}

func TestDatasetScans(t *testing.T) {
	ctx := context.Background()
	e := newRMEnv(t)
	e.scenario(t, 2)
	e.sync(t)
	join := func(member string) {
		e.add(t, "body-council1", day(4, 1), events.BodyMemberJoined{MemberID: member, Name: "Μέλος " + member,
			FactionID: "np1", Role: events.RoleMember})
		e.sync(t)
	}
	own := func(s *readmodel.Snapshot) func(string, func([]string) error, func(*readmodel.DatasetRow) error) error {
		return func(name string, c func([]string) error, r func(*readmodel.DatasetRow) error) error {
			return s.ScanDatasetRows(ctx, name, c, r)
		}
	}
	viaTx := func(s *readmodel.Snapshot) func(string, func([]string) error, func(*readmodel.DatasetRow) error) error {
		return func(name string, c func([]string) error, r func(*readmodel.DatasetRow) error) error {
			return readmodel.ScanThroughTx(ctx, s, name, c, r)
		}
	}

	t.Run("every dataset reads on the snapshot's own connection what its transaction reads", func(t *testing.T) {
		s := e.snap(t)
		total := 0
		for _, name := range readmodel.DatasetNames() {
			gc, got := datasetRows(t, name, own(s))
			wc, want := datasetRows(t, name, viaTx(s))
			if !reflect.DeepEqual(gc, wc) || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: own connection %v %v\ntransaction %v %v", name, gc, got, wc, want)
			}
			total += len(got)
		}
		if n := readmodel.OwnConnections(s); n != 1 || total == 0 {
			t.Fatalf("%d own connections, %d rows", n, total)
		}
	})

	t.Run("the snapshot's scans keep reading its position after the read model moves on", func(t *testing.T) {
		s := e.snap(t)
		_, before := datasetRows(t, "memberships", own(s))
		join("m-after-1")
		_, again := datasetRows(t, "memberships", own(s))
		// A scan running beside another opens a second connection on the
		// first's WAL snapshot.
		var inner [][]any
		n := 0
		err := s.ScanDatasetRows(ctx, "memberships", func([]string) error { return nil }, func(*readmodel.DatasetRow) error {
			if n++; n == 1 {
				_, inner = datasetRows(t, "memberships", own(s))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, again) || !reflect.DeepEqual(before, inner) || n != len(before) {
			t.Fatalf("before %d rows, after %d, beside %d, outer %d", len(before), len(again), len(inner), n)
		}
		if c := readmodel.OwnConnections(s); c != 2 {
			t.Fatalf("%d own connections, want 2", c)
		}
		_, now := datasetRows(t, "memberships", own(e.snap(t)))
		if len(now) != len(before)+1 {
			t.Fatalf("a new snapshot reads %d memberships, the old %d", len(now), len(before))
		}
	})

	t.Run("a snapshot whose first scan comes after the read model moved on reads its own position", func(t *testing.T) {
		s := e.snap(t)
		_, want := datasetRows(t, "memberships", viaTx(s))
		join("m-after-2")
		_, got := datasetRows(t, "memberships", own(s))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %d rows, want the snapshot's %d", len(got), len(want))
		}
		if c := readmodel.OwnConnections(s); c != 0 {
			t.Fatalf("%d own connections at another position", c)
		}
	})

	t.Run("a dataset snapshot opens its own connection at once", func(t *testing.T) {
		s, err := e.rm.DatasetSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		join("m-after-3")
		if c := readmodel.OwnConnections(s); c != 1 {
			t.Fatalf("%d own connections", c)
		}
		_, got := datasetRows(t, "memberships", own(s))
		_, want := datasetRows(t, "memberships", viaTx(s))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %d rows, want the snapshot's %d", len(got), len(want))
		}
	})

	t.Run("an ended context ends a scan", func(t *testing.T) {
		s := e.snap(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.ScanDatasetRows(cctx, "memberships", func([]string) error { return nil }, func(*readmodel.DatasetRow) error { return nil })
		if err != context.Canceled {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("an unknown dataset is not found", func(t *testing.T) {
		err := e.snap(t).ScanDatasetRows(ctx, "nope", func([]string) error { return nil }, func(*readmodel.DatasetRow) error { return nil })
		if events.ErrorCode(err) != events.CodeNotFound {
			t.Fatalf("err %v", err)
		}
	})
}

func TestDatasetRowValues(t *testing.T) {
	r := readmodel.NewDatasetRow(5)
	in := []any{nil, int64(-7), 2.5, "Προϋπολογισμός", ""}
	if err := r.SetValues(in); err != nil {
		t.Fatal(err)
	}
	out := make([]any, 5)
	r.Values(out)
	if !reflect.DeepEqual(in, out) || r.Kind(0) != readmodel.ValueNull || r.Kind(3) != readmodel.ValueText || r.TextString(3) != "Προϋπολογισμός" {
		t.Fatalf("%v", out)
	}
	for _, bad := range [][]any{{1, 2, 3, 4, 5}, {nil}} {
		if err := r.SetValues(bad); err == nil {
			t.Fatalf("%v: no error", fmt.Sprint(bad))
		}
	}
}
