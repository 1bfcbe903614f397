package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func (s suite) readStream(t *testing.T) {
	store := s.newStore(t)
	ctx := context.Background()
	stream := "xconsultation-" + unique()
	for i := range 10 {
		mustAppend(t, store, stream, events.Exact(int64(i)-1), event("xconsultation.comment_submitted", i))
	}
	cases := []struct {
		name string
		opts events.ReadStreamOptions
		want []int64
	}{
		{"forwards from the start reads every event", events.ReadStreamOptions{}, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"forwards from a version reads up to the limit", events.ReadStreamOptions{From: 3, Limit: 4}, []int64{3, 4, 5, 6}},
		{"forwards near the end stops at the last event", events.ReadStreamOptions{From: 8, Limit: 5}, []int64{8, 9}},
		{"forwards past the end reads nothing", events.ReadStreamOptions{From: 10}, []int64{}},
		{"backwards from a version reads down to the limit", events.ReadStreamOptions{From: 7, Direction: events.Backwards, Limit: 3}, []int64{7, 6, 5}},
		{"backwards from -1 starts at the last event", events.ReadStreamOptions{From: -1, Direction: events.Backwards, Limit: 2}, []int64{9, 8}},
		{"backwards near the start stops at version 0", events.ReadStreamOptions{From: 1, Direction: events.Backwards, Limit: 5}, []int64{1, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.ReadStream(ctx, stream, tc.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if v := versions(got); !slices.Equal(v, tc.want) {
				t.Errorf("versions %v, want %v", v, tc.want)
			}
			for _, ev := range got {
				if ev.Stream != stream {
					t.Errorf("event of stream %q in a read of %q", ev.Stream, stream)
				}
			}
		})
	}
	t.Run("a missing stream is not found", func(t *testing.T) {
		missing := "xconsultation-" + unique()
		_, err := store.ReadStream(ctx, missing, events.ReadStreamOptions{})
		if !errors.Is(err, events.ErrStreamNotFound) || events.ErrorCode(err) != events.CodeNotFound {
			t.Errorf("read: %v; want ErrStreamNotFound", err)
		}
		_, err = store.ReadStream(ctx, missing, events.ReadStreamOptions{From: -1, Direction: events.Backwards})
		if !errors.Is(err, events.ErrStreamNotFound) {
			t.Errorf("read backwards: %v; want ErrStreamNotFound", err)
		}
		if _, err := store.StreamVersion(ctx, missing); !errors.Is(err, events.ErrStreamNotFound) {
			t.Errorf("stream version: %v; want ErrStreamNotFound", err)
		}
	})
}

func (s suite) readAll(t *testing.T) {
	store := s.newStore(t)
	ctx := context.Background()
	run := unique()
	before := mustHead(t, store)
	type sent struct{ stream, typ string }
	var order []sent
	for i := range 12 {
		ev := sent{"xsupplier-" + run + "-a", "supplier" + run + ".registered"}
		switch i % 3 {
		case 1:
			ev = sent{"xsupplier-" + run + "-b", "supplier" + run + ".renamed"}
		case 2:
			ev = sent{"xprocurement-" + run, "procurement" + run + ".bid_received"}
		}
		mustAppend(t, store, ev.stream, events.Any, event(ev.typ, i))
		order = append(order, ev)
	}

	t.Run("the global log holds events in append order", func(t *testing.T) {
		all := readAllAfter(t, store, events.ReadAllOptions{After: before})
		if len(all) != len(order) {
			t.Fatalf("read %d events, want %d", len(all), len(order))
		}
		s.checkOrder(t, all, before)
		for i, ev := range all {
			if ev.Stream != order[i].stream || ev.Type != order[i].typ {
				t.Errorf("event %d is %s/%s, want %s/%s", i, ev.Stream, ev.Type, order[i].stream, order[i].typ)
			}
		}
		if h := mustHead(t, store); h != all[len(all)-1].Position {
			t.Errorf("head %d, want the last position %d", h, all[len(all)-1].Position)
		}
	})

	filters := []struct {
		name string
		opts events.ReadAllOptions
		keep func(sent) bool
	}{
		{"a type prefix keeps only matching types", events.ReadAllOptions{TypePrefix: "supplier" + run + "."},
			func(e sent) bool { return e.typ != "procurement"+run+".bid_received" }},
		{"a full type name keeps only that type", events.ReadAllOptions{TypePrefix: "supplier" + run + ".renamed"},
			func(e sent) bool { return e.typ == "supplier"+run+".renamed" }},
		{"a stream prefix keeps only matching streams", events.ReadAllOptions{StreamPrefix: "xsupplier-" + run},
			func(e sent) bool { return e.stream != "xprocurement-"+run }},
		{"type and stream prefixes both apply", events.ReadAllOptions{StreamPrefix: "xsupplier-" + run + "-a", TypePrefix: "supplier" + run},
			func(e sent) bool { return e.stream == "xsupplier-"+run+"-a" }},
		{"a prefix matching nothing reads nothing", events.ReadAllOptions{StreamPrefix: "nothing-" + run},
			func(sent) bool { return false }},
		{"a prefix is taken literally, not as a LIKE or GLOB pattern", events.ReadAllOptions{StreamPrefix: "supplier_" + run, TypePrefix: "supplier%"},
			func(sent) bool { return false }},
		{"a wildcard in a type prefix matches nothing", events.ReadAllOptions{TypePrefix: "*"},
			func(sent) bool { return false }},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.After = before
			got := readAllAfter(t, store, opts)
			var want []sent
			for _, e := range order {
				if tc.keep(e) {
					want = append(want, e)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("read %d events, want %d", len(got), len(want))
			}
			for i, ev := range got {
				if ev.Stream != want[i].stream || ev.Type != want[i].typ {
					t.Errorf("event %d is %s/%s, want %s/%s", i, ev.Stream, ev.Type, want[i].stream, want[i].typ)
				}
			}
		})
	}

	t.Run("paging by position reads each event once", func(t *testing.T) {
		whole := readAllAfter(t, store, events.ReadAllOptions{After: before})
		for _, limit := range []int{1, 2, 5, 100} {
			paged := readAllAfter(t, store, events.ReadAllOptions{After: before, Limit: limit})
			if len(paged) != len(whole) {
				t.Fatalf("limit %d: %d events, want %d", limit, len(paged), len(whole))
			}
			for i := range paged {
				if paged[i].ID != whole[i].ID {
					t.Fatalf("limit %d: event %d differs", limit, i)
				}
			}
		}
		page, err := store.ReadAll(ctx, events.ReadAllOptions{After: before, Limit: 5})
		if err != nil || len(page) != 5 {
			t.Errorf("one page of 5: %d events, %v", len(page), err)
		}
		page, err = store.ReadAll(ctx, events.ReadAllOptions{After: before, Limit: 4, StreamPrefix: "xprocurement-" + run})
		if err != nil || len(page) != 4 {
			t.Errorf("a filtered page of 4: %d events, %v", len(page), err)
		}
	})

	t.Run("reading after the head reads nothing", func(t *testing.T) {
		got, err := store.ReadAll(ctx, events.ReadAllOptions{After: mustHead(t, store)})
		if err != nil || len(got) != 0 {
			t.Errorf("read after head: %d events, %v", len(got), err)
		}
	})
}
