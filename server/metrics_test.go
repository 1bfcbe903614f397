package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pnyx-civic/pnyx/events"
)

func TestMetrics(t *testing.T) {
	w := newWorld(t, nil, Options{})
	store := w.srv.src.Log.(events.Store)
	ctx := context.Background()
	ev := events.Event{Type: "meeting.scheduled", Data: json.RawMessage(`{}`)}
	if _, err := store.Append(ctx, "meeting-1", events.NoStream, ev, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, "meeting-1", events.NoStream, ev); !errors.Is(err, events.ErrWrongExpectedVersion) {
		t.Fatalf("second append: %v, want a conflict", err)
	}
	w.get("/healthz")
	w.get("/v1/events?after=x")
	w.get("/v1/nothing")
	body := w.get("/metrics").Body.String()
	for _, want := range []string{
		`pnyx_store_appends_total{result="ok"} 1`,
		`pnyx_store_appends_total{result="conflict"} 1`,
		"pnyx_store_appended_events_total 2",
		"pnyx_store_head_position 2",
		`pnyx_http_requests_total{code="200",route="GET /healthz"} 1`,
		`pnyx_http_requests_total{code="400",route="GET /v1/events"} 1`,
		`pnyx_http_requests_total{code="404",route="unmatched"} 1`,
		`pnyx_http_request_duration_seconds_count{route="GET /v1/events"} 1`,
		`pnyx_projection_state{projection="readmodel"`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
