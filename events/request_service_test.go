package events_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/vault"
)

func TestRequestKeepsPersonalDataOutOfTheLog(t *testing.T) {
	ctx := context.Background()
	st := psOpenStore(t)
	s := events.NewService(st, events.ServiceOptions{})
	key := bytes.Repeat([]byte{7}, vault.MasterKeySize)
	v, err := vault.Open(ctx, filepath.Join(t.TempDir(), "vault.db"), vault.Options{MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })

	maria := events.Person{Name: "Μαρία Κωνσταντίνου", Email: "maria.k@example.gr", Phone: "6941234567"}
	ref, err := v.Put(ctx, maria)
	if err != nil {
		t.Fatal(err)
	}
	days, _ := events.DefaultRequestSettings().DaysFor(events.RequestInformation)
	for _, cmd := range []events.Command{
		events.SubmitRequest{RequestID: "r-1", Category: events.RequestInformation, Subject: "Προϋπολογισμός 2026 ανά δημοτική κοινότητα",
			Channel: events.RequestViaWeb, Requester: ref, At: psAt(0)},
		events.AcknowledgeRequest{RequestID: "r-1", ResponseDays: days, At: psAt(1)},
		events.AnswerRequest{RequestID: "r-1", Summary: "Ο προϋπολογισμός αναρτήθηκε.", At: psAt(8)},
	} {
		if _, err := s.Handle(ctx, cmd); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}

	t.Run("the log holds the reference and none of the person's data", func(t *testing.T) {
		res, err := st.ReadAll(ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, re := range res {
			all = append(all, re.Data...)
		}
		if !bytes.Contains(all, []byte(ref)) {
			t.Fatal("the log does not hold the subject reference; the test reads the wrong log")
		}
		for _, s := range []string{maria.Name, "Κωνσταντίνου", maria.Email, maria.Phone} {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("the log contains %q", s)
			}
		}
	})

	t.Run("after the person is forgotten the request still folds and the vault says so", func(t *testing.T) {
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		r := psFold(t, st, events.RequestDecider, events.RequestStream("r-1"))
		if r.Status != events.RequestStatusAnswered || r.Requester != ref || r.Overdue(psAt(100)) {
			t.Fatalf("state = %+v", r)
		}
		if _, err := v.Get(ctx, r.Requester); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get = %v, want ErrForgotten", err)
		}
	})
}
