package main

import (
	"context"
	"encoding/json"
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
	seedKurrentStream(t, srv.URL(), "meeting-after")

	dir := t.TempDir()
	run := func(args ...string) result {
		return pnyx(t, ctx, &cli{now: fixedClock()}, append(args, "--data-dir", dir, "--store", srv.URL(), "--log-format", "json")...)
	}
	if r := run("projections", "rebuild"); !strings.Contains(fmt.Sprint(r.err), fmt.Sprintf("event %d (decision.adopted)", bad)) {
		t.Fatalf("rebuild of the poisoned log: %v; want it stopped at event %d", r.err, bad)
	}
	// The first admin, recorded by the installer on the KurrentDB store.
	r := run("token", "create", "--role", "admin")
	var admin struct{ Secret string }
	if r.err != nil || json.Unmarshal([]byte(r.stdout), &admin) != nil || admin.Secret == "" {
		t.Fatalf("token create: %v %q", r.err, r.stdout)
	}
	r = run("projections", "skip", fmt.Sprint(bad), "--reason", "written by another tool", "--token", admin.Secret)
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
