package events

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSkips(t *testing.T) {
	bad := uuid.MustParse("01900000-0000-7000-8000-000000000017")
	skip := SkipEvent{EventID: bad, Position: 17, EventStream: "decision-7", EventVersion: 0, EventType: "decision.adopted",
		Reason: "γράφτηκε από παλιό εργαλείο εισαγωγής με αριθμό χωρίς έτος", SkippedBy: "tok-admin", At: psT0}
	skipped := psDecide(t, SkipDecider, nil, nil, skip)

	t.Run("a skip records the event, where it was seen, the reason and who", func(t *testing.T) {
		want := EventSkipped{EventID: bad, Position: 17, Stream: "decision-7", Type: "decision.adopted", Reason: skip.Reason, SkippedBy: "tok-admin"}
		if len(skipped) != 1 || skipped[0] != want {
			t.Fatalf("decided %+v, want %+v", skipped, want)
		}
		if s := SkipDecider.Fold(skipped...); !s.Skipped || s.Record != want {
			t.Fatalf("state %+v", s)
		}
		if skip.Stream() != "skip-"+bad.String() {
			t.Fatalf("stream %s", skip.Stream())
		}
		psRoundTrip(t, skipped...)
	})

	with := func(f func(*SkipEvent)) SkipEvent { c := skip; f(&c); return c }
	psCheckRefusals(t, SkipDecider, []psRefusal{
		{name: "skipping an event twice is a conflict", given: skipped, cmd: skip, code: CodeConflict},
		{name: "a skip without the event's id is invalid", cmd: with(func(c *SkipEvent) { c.EventID = uuid.Nil }), code: CodeInvalid},
		{name: "a skip without a position is invalid", cmd: with(func(c *SkipEvent) { c.Position = 0 }), code: CodeInvalid},
		{name: "a skip without the event's stream is invalid", cmd: with(func(c *SkipEvent) { c.EventStream = "" }), code: CodeInvalid},
		{name: "a skip with a negative version is invalid", cmd: with(func(c *SkipEvent) { c.EventVersion = -1 }), code: CodeInvalid},
		{name: "a skip without the event's type is invalid", cmd: with(func(c *SkipEvent) { c.EventType = "" }), code: CodeInvalid},
		{name: "a skip without a reason is invalid", cmd: with(func(c *SkipEvent) { c.Reason = " " }), code: CodeInvalid},
		{name: "a skip with a reason over the limit is invalid", cmd: with(func(c *SkipEvent) { c.Reason = strings.Repeat("α", MaxReasonRunes+1) }), code: CodeInvalid},
		{name: "a skip without who records it is invalid", cmd: with(func(c *SkipEvent) { c.SkippedBy = "" }), code: CodeInvalid},
		{name: "a skip without its time is invalid", cmd: with(func(c *SkipEvent) { c.At = time.Time{} }), code: CodeInvalid},
		{name: "a skip of a skip record is invalid", cmd: with(func(c *SkipEvent) { c.EventStream = "skip-" + bad.String() }), code: CodeInvalid},
		{name: "a command of another aggregate is invalid", cmd: CloseRequest{RequestID: "r1", At: psT0}, code: CodeInvalid},
	})

	t.Run("only admins may record a skip", func(t *testing.T) {
		for _, role := range AccessRoles {
			if Allowed(role, skip) != (role == AccessAdmin) {
				t.Errorf("role %s: Allowed = %v", role, Allowed(role, skip))
			}
		}
	})
}
