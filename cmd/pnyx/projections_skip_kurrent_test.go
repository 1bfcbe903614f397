package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	kdb "github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/kurrentdb"
)

// TestPoisonedKurrentLogRecovers is TestPoisonedLogRecovers on KurrentDB,
// whose positions have gaps: the poisoned event is written by another tool
// through the official client, below the store's checks, and a rebuild
// passes over it once pnyx projections skip has recorded its position.
func TestPoisonedKurrentLogRecovers(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	srv := kurrentServer(t)
	seedKurrent(t, srv.URL(), 2)

	cfg, err := kurrentdb.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = func(kdb.LogLevel, string, ...any) {}
	client, err := kdb.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := events.NewEventID()
	wr, err := client.AppendToStream(ctx, "decision-old-1", kdb.AppendToStreamOptions{StreamState: kdb.NoStream{}}, kdb.EventData{
		EventID: id, EventType: "decision.adopted", ContentType: kdb.ContentTypeJson,
		Data:     []byte(`{"number":12}`),
		Metadata: []byte(`{"pnyx":1,"schema":1,"occurred_at":"2020-01-01T00:00:00Z","recorded_at":"2020-01-01T00:00:00Z","actor":{}}`),
	})
	client.Close()
	if err != nil {
		t.Fatal(err)
	}
	bad := events.Position(wr.CommitPosition)
	// The first admin, written as the installer would: KurrentDB cannot
	// append a grant's facts atomically (events.ErrAtomicAppendUnsupported),
	// so a KurrentDB log receives its first grants from elsewhere (pnyx
	// migrate of a log begun on the embedded store).
	admin, err := events.NewAccessToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	if client, err = kdb.NewClient(cfg); err != nil {
		t.Fatal(err)
	}
	_, err = client.AppendToStream(ctx, events.AccessStream(admin.ID), kdb.AppendToStreamOptions{StreamState: kdb.NoStream{}}, kdb.EventData{
		EventID: events.NewEventID(), EventType: "access.granted", ContentType: kdb.ContentTypeJson,
		Data:     []byte(`{"token_id":"` + admin.ID + `","role":"admin","scope":"*","granted_by":"installer","expires_at":null,"label":"","secret_sha256":"` + admin.SecretSHA256 + `"}`),
		Metadata: []byte(`{"pnyx":1,"schema":2,"occurred_at":"2020-01-01T00:00:00Z","recorded_at":"2020-01-01T00:00:00Z","actor":{"token_id":"installer","role":"installer"}}`),
	})
	client.Close()
	if err != nil {
		t.Fatal(err)
	}
	seedKurrentStream(t, srv.URL(), "meeting-after")

	dir := t.TempDir()
	run := func(args ...string) result {
		return pnyx(t, ctx, &cli{now: fixedClock()}, append(args, "--data-dir", dir, "--store", srv.URL(), "--log-format", "json")...)
	}
	if r := run("projections", "rebuild"); !strings.Contains(fmt.Sprint(r.err), fmt.Sprintf("event %d (decision.adopted)", bad)) {
		t.Fatalf("rebuild of the poisoned log: %v; want it stopped at event %d", r.err, bad)
	}
	r := run("projections", "skip", fmt.Sprint(bad), "--reason", "written by another tool", "--token", admin.Secret)
	if r.err != nil || !strings.Contains(r.stdout, `"event_id":"`+id.String()+`"`) {
		t.Fatalf("skip: %v %s", r.err, r.stdout)
	}
	if r := run("projections", "rebuild"); r.err != nil {
		t.Fatalf("rebuild after the skip: %v\n%s", r.err, r.stderr)
	}
	r = run("projections", "status")
	if r.err != nil || !strings.Contains(r.stdout, fmt.Sprintf("readmodel passed over event %d (decision.adopted, %s)", bad, id)) {
		t.Fatalf("status: %v\n%s", r.err, r.stdout)
	}
}
