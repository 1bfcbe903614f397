package importtest

import (
	"context"
	"sync"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/internal/tokentest"
)

var admins sync.Map // events.Store → events.Actor

// Admin is an admin token of st's log, granted by the installer at Now on
// first use, so a test imports with a token the command service checks.
func Admin(t testing.TB, st events.ServiceStore) events.Actor {
	t.Helper()
	if a, ok := admins.Load(st); ok {
		return a.(events.Actor)
	}
	svc := events.NewService(st, events.ServiceOptions{Now: Clock})
	a := tokentest.New(context.Background(), t, svc, Now).Admin()
	admins.Store(st, a)
	t.Cleanup(func() { admins.Delete(st) })
	return a
}
