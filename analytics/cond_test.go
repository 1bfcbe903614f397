package analytics_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/analytics"
)

func TestCond(t *testing.T) {
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	unix := func(t time.Time) any { return t.Unix() }
	for _, tc := range []struct {
		name  string
		build func(c *analytics.Cond)
		where string
		args  []any
	}{
		{"nothing", func(c *analytics.Cond) {}, "", nil},
		{"an empty value filters nothing", func(c *analytics.Cond) { c.Eq("body_id", "") }, "", nil},
		{"equality and a whole period, in text order", func(c *analytics.Cond) {
			c.Eq("body_id", "council")
			c.Period("at", analytics.Filter{From: from, To: to}, unix)
		}, " AND body_id = ? AND at >= ? AND at < ?", []any{"council", from.Unix(), to.Unix()}},
		{"a period open at its start", func(c *analytics.Cond) {
			c.Period("at", analytics.Filter{To: to}, unix)
			c.Add("kind IN (?, ?)", "yes", "no")
		}, " AND at < ? AND kind IN (?, ?)", []any{to.Unix(), "yes", "no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c analytics.Cond
			tc.build(&c)
			if got := c.Where(); got != tc.where {
				t.Errorf("Where() = %q, want %q", got, tc.where)
			}
			if got := c.Args(); !reflect.DeepEqual(got, tc.args) {
				t.Errorf("Args() = %v, want %v", got, tc.args)
			}
		})
	}
}
