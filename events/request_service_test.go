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
	v := openTestVault(t)
	s := events.Unguarded(events.NewService(st, events.ServiceOptions{Sealer: v}))

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

	t.Run("the log holds neither the person's data, nor their reference, nor their words", func(t *testing.T) {
		res, err := st.ReadAll(ctx, events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, re := range res {
			all = append(all, re.Data...)
		}
		if !bytes.Contains(all, []byte("Ο προϋπολογισμός αναρτήθηκε.")) {
			t.Fatal("the log does not hold the official's answer; the test reads the wrong log")
		}
		for _, s := range []string{maria.Name, "Κωνσταντίνου", maria.Email, maria.Phone, string(ref), "Προϋπολογισμός 2026"} {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("the log contains %q", s)
			}
		}
	})

	t.Run("the vault opens the sealed subject and lists the request as the person's", func(t *testing.T) {
		e := submitted(t, st)
		if got, err := v.Open(ctx, e.Author, events.RequestEntity("r-1"), e.Subject); err != nil || got != "Προϋπολογισμός 2026 ανά δημοτική κοινότητα" {
			t.Fatalf("Open = %q, %v", got, err)
		}
		mine, err := v.Authored(ctx, ref)
		if err != nil || len(mine) != 1 || mine[0].Entity != events.RequestEntity("r-1") || mine[0].Author != e.Author {
			t.Fatalf("Authored = %+v, %v", mine, err)
		}
	})

	t.Run("after the person is forgotten the request still folds and its subject no longer opens", func(t *testing.T) {
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		r := psFold(t, st, events.RequestDecider, events.RequestStream("r-1"))
		if r.Status != events.RequestStatusAnswered || r.Overdue(psAt(100)) {
			t.Fatalf("state = %+v", r)
		}
		e := submitted(t, st)
		if _, err := v.Open(ctx, e.Author, events.RequestEntity("r-1"), e.Subject); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Open = %v, want ErrForgotten", err)
		}
		if forgotten, err := v.Forgotten(ctx, r.Author); err != nil || !forgotten {
			t.Fatalf("Forgotten = %v, %v", forgotten, err)
		}
	})

	t.Run("a request of a person the vault does not know is refused and writes nothing", func(t *testing.T) {
		_, err := s.Handle(ctx, events.SubmitRequest{RequestID: "r-2", Category: events.RequestInformation, Subject: "Άλλο θέμα",
			Channel: events.RequestViaWeb, Requester: "subj-00000000000000000000000000000000", At: psAt(0)})
		if !errors.Is(err, events.ErrSubjectNotFound) {
			t.Fatalf("Handle = %v, want ErrSubjectNotFound", err)
		}
	})

	t.Run("a retried submission, sealed anew, writes nothing and returns the original", func(t *testing.T) {
		other, err := v.Put(ctx, events.Person{DisplayName: "Κώστας"})
		if err != nil {
			t.Fatal(err)
		}
		cmd := events.SubmitRequest{RequestID: "r-4", Category: events.RequestService, Subject: "Κλαδέματα στην οδό Ερμού",
			Channel: events.RequestViaWeb, Requester: other, At: psAt(0)}
		first, err := s.Handle(ctx, cmd, events.WithIdempotencyKey("web-r-4"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Handle(ctx, cmd, events.WithIdempotencyKey("web-r-4"))
		if err != nil || !again.Replayed || again.EventIDs[0] != first.EventIDs[0] {
			t.Fatalf("retry = %+v, %v", again, err)
		}
		evs, err := st.ReadStream(ctx, events.RequestStream("r-4"), events.ReadStreamOptions{Limit: 10})
		if err != nil || len(evs) != 1 {
			t.Fatalf("stream holds %d events, %v", len(evs), err)
		}
	})

	t.Run("a service without a vault refuses a citizen's request", func(t *testing.T) {
		bare := events.Unguarded(events.NewService(st, events.ServiceOptions{}))
		_, err := bare.Handle(ctx, events.SubmitRequest{RequestID: "r-3", Category: events.RequestInformation, Subject: "Θέμα",
			Channel: events.RequestViaWeb, Requester: ref, At: psAt(0)})
		if !errors.Is(err, events.ErrNoVault) {
			t.Fatalf("Handle = %v, want ErrNoVault", err)
		}
	})
}

// openTestVault opens a vault in a temporary directory with a fixed test
// master key.
func openTestVault(t *testing.T) *vault.Vault {
	t.Helper()
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, vault.MasterKeySize)
	v, err := vault.Open(context.Background(), filepath.Join(dir, "vault.db"), vault.Options{MasterKey: key, KeysPath: filepath.Join(dir, "vault-keys.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// submitted returns the request.submitted event of r-1.
func submitted(t *testing.T, st events.Store) events.RequestSubmitted {
	t.Helper()
	evs, err := st.ReadStream(context.Background(), events.RequestStream("r-1"), events.ReadStreamOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := events.Decode(evs[0])
	if err != nil {
		t.Fatal(err)
	}
	return p.(events.RequestSubmitted)
}
