// Package vaulttest is the contract suite every events.Vault must pass:
// a vault is correct when Run passes, not when it looks like another.
package vaulttest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

// Run checks the contract of events.Vault on vaults made by open, which
// returns a new, empty vault for each call and cleans it up with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) events.Vault) {
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

func mustPut(t *testing.T, v events.Vault, p events.Person) events.SubjectRef {
	t.Helper()
	ref, err := v.Put(context.Background(), p)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return ref
}
