// Package vaulttest is the contract suite every events.Vault must pass:
// a vault is correct when Run passes, not when it looks like another.
package vaulttest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// Run checks the contract of events.Vault on vaults made by open, which
// returns a new, empty vault for each call and cleans it up with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) events.Vault) {
	t.Run("sealing", func(t *testing.T) { runSealing(t, open) })
	ctx := context.Background()
	eleni := events.Person{Name: "Ελένη Παπαδοπούλου", Email: "eleni@example.gr", Phone: "+30 210 123 4567", DisplayName: "Ελένη Π."}

	t.Run("a person put is got back whole, Greek text included", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		got, err := v.Get(ctx, ref)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got != eleni {
			t.Fatalf("Get = %+v, want %+v", got, eleni)
		}
	})

	t.Run("each put hands out a new well-formed reference, even for the same person", func(t *testing.T) {
		v := open(t)
		a, b := mustPut(t, v, eleni), mustPut(t, v, eleni)
		if a == b {
			t.Fatalf("two puts gave the same reference %s", a)
		}
		for _, r := range []events.SubjectRef{a, b} {
			if err := r.Validate(); err != nil {
				t.Fatalf("reference %q: %v", r, err)
			}
		}
	})

	t.Run("an invalid person is refused as invalid", func(t *testing.T) {
		v := open(t)
		for _, p := range []events.Person{{}, {Email: "not an address"}, {Phone: "call me"}, {Name: string([]byte{0xff})}} {
			if _, err := v.Put(ctx, p); events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Put(%+v) = %v, want an invalid error", p, err)
			}
		}
	})

	t.Run("a reference never handed out is not found", func(t *testing.T) {
		v := open(t)
		ref := events.SubjectRef("subj-00000000000000000000000000000000")
		if _, err := v.Get(ctx, ref); !errors.Is(err, events.ErrSubjectNotFound) || events.ErrorCode(err) != events.CodeNotFound {
			t.Fatalf("Get = %v, want ErrSubjectNotFound", err)
		}
		if err := v.Forget(ctx, ref); !errors.Is(err, events.ErrSubjectNotFound) {
			t.Fatalf("Forget = %v, want ErrSubjectNotFound", err)
		}
	})

	t.Run("a malformed reference is invalid", func(t *testing.T) {
		v := open(t)
		for _, ref := range []events.SubjectRef{"", "eleni@example.gr", "subj-XYZ", "subj-0000000000000000000000000000000G"} {
			if _, err := v.Get(ctx, ref); events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Get(%q) = %v, want invalid", ref, err)
			}
			if err := v.Forget(ctx, ref); events.ErrorCode(err) != events.CodeInvalid {
				t.Errorf("Forget(%q) = %v, want invalid", ref, err)
			}
		}
	})

	t.Run("a forgotten person is gone and the vault says so", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatalf("Forget: %v", err)
		}
		p, err := v.Get(ctx, ref)
		if !errors.Is(err, events.ErrForgotten) || events.ErrorCode(err) != events.CodeNotFound {
			t.Fatalf("Get after Forget = %v, want ErrForgotten", err)
		}
		if p != (events.Person{}) {
			t.Fatalf("Get after Forget returned data %+v", p)
		}
	})

	t.Run("forgetting twice succeeds and changes nothing", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		for i := range 2 {
			if err := v.Forget(ctx, ref); err != nil {
				t.Fatalf("Forget #%d: %v", i+1, err)
			}
		}
		if _, err := v.Get(ctx, ref); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Get = %v, want ErrForgotten", err)
		}
	})

	t.Run("forgetting one person leaves the others", func(t *testing.T) {
		v := open(t)
		nikos := events.Person{Name: "Νίκος Γεωργίου", DisplayName: "Νίκος"}
		a, b := mustPut(t, v, eleni), mustPut(t, v, nikos)
		if err := v.Forget(ctx, a); err != nil {
			t.Fatalf("Forget: %v", err)
		}
		if got, err := v.Get(ctx, b); err != nil || got != nikos {
			t.Fatalf("Get(other) = %+v, %v; want %+v", got, err, nikos)
		}
	})

	t.Run("concurrent puts, gets and forgets are safe", func(t *testing.T) {
		v := open(t)
		const n = 16
		refs := make([]events.SubjectRef, n)
		var wg sync.WaitGroup
		errs := make(chan error, 3*n)
		for i := range n {
			wg.Go(func() {
				p := events.Person{DisplayName: "δημότης " + string(rune('α'+i))}
				ref, err := v.Put(ctx, p)
				if err != nil {
					errs <- err
					return
				}
				refs[i] = ref
				got, err := v.Get(ctx, ref)
				if err != nil || got != p {
					errs <- errors.Join(err, errors.New("read back another person"))
					return
				}
				if i%2 == 0 {
					if err := v.Forget(ctx, ref); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		seen := map[events.SubjectRef]bool{}
		for i, ref := range refs {
			if seen[ref] {
				t.Fatalf("reference %s handed out twice", ref)
			}
			seen[ref] = true
			_, err := v.Get(ctx, ref)
			if forgotten := errors.Is(err, events.ErrForgotten); forgotten != (i%2 == 0) {
				t.Errorf("person %d: Get = %v", i, err)
			}
		}
	})
}

// runSealing checks authorship and sealed words.
func runSealing(t *testing.T, open func(t *testing.T) events.Vault) {
	ctx := context.Background()
	eleni := events.Person{Name: "Ελένη Παπαδοπούλου", DisplayName: "Ελένη Π."}
	c1, c2 := events.CommentEntity("item-1", "c-1"), events.CommentEntity("item-1", "c-2")

	t.Run("sealed words open for their entity, Greek text whole", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		author, sealed, err := v.Seal(ctx, ref, c1, "Προτείνω δέντρα στην πλατεία Αγίου Νικολάου.", "δεύτερο")
		if err != nil || len(sealed) != 2 || author.Validate() != nil {
			t.Fatalf("Seal = %q, %d texts, %v", author, len(sealed), err)
		}
		if bytes.Contains(sealed[0], []byte("πλατεία")) {
			t.Fatal("sealed text holds the clear text")
		}
		for i, want := range []string{"Προτείνω δέντρα στην πλατεία Αγίου Νικολάου.", "δεύτερο"} {
			if got, err := v.Open(ctx, author, c1, sealed[i]); err != nil || got != want {
				t.Fatalf("Open #%d = %q, %v", i, got, err)
			}
		}
		if f, err := v.Forgotten(ctx, author); err != nil || f {
			t.Fatalf("Forgotten = %v, %v", f, err)
		}
	})

	t.Run("one person has another author reference on every entity, and AuthorOf agrees with Seal", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		a1, _, err := v.Seal(ctx, ref, c1, "α")
		if err != nil {
			t.Fatal(err)
		}
		a2, _, err := v.Seal(ctx, ref, c2, "β")
		if err != nil {
			t.Fatal(err)
		}
		if a1 == a2 {
			t.Fatal("two entities of one person share an author reference")
		}
		if again, err := v.AuthorOf(ctx, ref, c1); err != nil || again != a1 {
			t.Fatalf("AuthorOf = %q, %v; want %q", again, err, a1)
		}
		other := mustPut(t, v, eleni)
		if b1, err := v.AuthorOf(ctx, other, c1); err != nil || b1 == a1 {
			t.Fatalf("another person's AuthorOf = %q, %v", b1, err)
		}
		mine, err := v.Authored(ctx, ref)
		if err != nil || len(mine) != 2 || mine[0] != (events.Authored{Entity: c1, Author: a1}) || mine[1] != (events.Authored{Entity: c2, Author: a2}) {
			t.Fatalf("Authored = %+v, %v", mine, err)
		}
	})

	t.Run("sealing the same words twice gives two ciphertexts", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		_, a, _ := v.Seal(ctx, ref, c1, "ίδιο")
		_, b, _ := v.Seal(ctx, ref, c1, "ίδιο")
		if bytes.Equal(a[0], b[0]) {
			t.Fatal("a nonce was reused")
		}
	})

	t.Run("sealed words do not open for another entity or when tampered with", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		author, sealed, err := v.Seal(ctx, ref, c1, "κείμενο")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Open(ctx, author, c2, sealed[0]); events.ErrorCode(err) != events.CodeInternal {
			t.Fatalf("Open for another entity = %v, want internal", err)
		}
		bad := bytes.Clone(sealed[0])
		bad[len(bad)-1] ^= 1
		if _, err := v.Open(ctx, author, c1, bad); events.ErrorCode(err) != events.CodeInternal {
			t.Fatalf("Open of tampered text = %v, want internal", err)
		}
		if _, err := v.Open(ctx, author, c1, sealed[0][:5]); events.ErrorCode(err) != events.CodeInternal {
			t.Fatalf("Open of short text = %v, want internal", err)
		}
	})

	t.Run("an author reference the vault never made is not found, a malformed one invalid", func(t *testing.T) {
		v := open(t)
		unknown := events.AuthorRef("auth-00000000000000000000000000000000")
		if _, err := v.Open(ctx, unknown, c1, make(events.Sealed, 40)); !errors.Is(err, events.ErrSubjectNotFound) {
			t.Fatalf("Open = %v, want ErrSubjectNotFound", err)
		}
		if _, err := v.Forgotten(ctx, unknown); !errors.Is(err, events.ErrSubjectNotFound) {
			t.Fatalf("Forgotten = %v, want ErrSubjectNotFound", err)
		}
		if _, err := v.Open(ctx, "subj-00000000000000000000000000000000", c1, nil); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Open with a subject reference = %v, want invalid", err)
		}
		if _, _, err := v.Seal(ctx, "eleni@example.gr", c1, "x"); events.ErrorCode(err) != events.CodeInvalid {
			t.Fatalf("Seal for an e-mail = %v, want invalid", err)
		}
		if _, _, err := v.Seal(ctx, "subj-00000000000000000000000000000000", c1, "x"); !errors.Is(err, events.ErrSubjectNotFound) {
			t.Fatalf("Seal for an unknown person = %v, want ErrSubjectNotFound", err)
		}
	})

	t.Run("forgetting makes every word of the person unreadable and their links gone", func(t *testing.T) {
		v := open(t)
		ref := mustPut(t, v, eleni)
		nikos := mustPut(t, v, events.Person{DisplayName: "Νίκος"})
		author, sealed, _ := v.Seal(ctx, ref, c1, "θα ξεχαστεί")
		kept, keptSealed, _ := v.Seal(ctx, nikos, c2, "μένει")
		if err := v.Forget(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Open(ctx, author, c1, sealed[0]); !errors.Is(err, events.ErrForgotten) {
			t.Fatalf("Open after Forget = %v, want ErrForgotten", err)
		}
		if f, err := v.Forgotten(ctx, author); err != nil || !f {
			t.Fatalf("Forgotten = %v, %v", f, err)
		}
		for _, err := range []error{
			func() error { _, err := v.AuthorOf(ctx, ref, c1); return err }(),
			func() error { _, _, err := v.Seal(ctx, ref, c1, "x"); return err }(),
			func() error { _, err := v.Authored(ctx, ref); return err }(),
		} {
			if !errors.Is(err, events.ErrForgotten) {
				t.Errorf("after Forget: %v, want ErrForgotten", err)
			}
		}
		if got, err := v.Open(ctx, kept, c2, keptSealed[0]); err != nil || got != "μένει" {
			t.Fatalf("another person's words after Forget = %q, %v", got, err)
		}
	})
}

func mustPut(t *testing.T, v events.Vault, p events.Person) events.SubjectRef {
	t.Helper()
	ref, err := v.Put(context.Background(), p)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return ref
}
