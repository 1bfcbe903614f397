package events_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestForget(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	v := openTestVault(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{Sealer: v}))
	ref, err := v.Put(ctx, events.Person{Name: "Μαρία"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a blank reason is invalid and the person is kept", func(t *testing.T) {
		if _, err := events.Forget(ctx, v, s, ref, " ", psAt(1)); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Forget = %v, want invalid", err)
		}
		if _, err := v.Get(ctx, ref); err != nil {
			t.Fatalf("the person is gone after a refused Forget: %v", err)
		}
	})
	t.Run("forgetting destroys the person, then records an event that names nobody", func(t *testing.T) {
		erasure, err := events.Forget(ctx, v, s, ref, "άρθρο 17 ΓΚΠΔ", psAt(2))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Get(ctx, ref); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get = %v, want ErrForgotten", err)
		}
		evs, err := st.ReadStream(ctx, "subject-"+erasure, events.ReadStreamOptions{Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].Type != "subject.forgotten" || string(evs[0].Data) != `{"reason":"άρθρο 17 ΓΚΠΔ"}` {
			t.Fatalf("log = %+v, %v", evs, err)
		}
		if strings.Contains(erasure, string(ref)[5:]) {
			t.Fatal("the erasure id is derived from the subject reference")
		}
	})
	t.Run("forgetting again records it again", func(t *testing.T) {
		if _, err := events.Forget(ctx, v, s, ref, "άρθρο 17 ΓΚΠΔ", psAt(3)); err != nil {
			t.Fatal(err)
		}
	})
}
