package readmodel

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTimeText(t *testing.T) {
	t.Run("every time is written as time.Format writes the read model's layout", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		athens := time.FixedZone("EET", 2*3600)
		cases := []time.Time{
			time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
			time.Date(999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
			time.Date(2026, 3, 3, 9, 0, 0, 0, athens),
			time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
			time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		}
		for range 10_000 {
			cases = append(cases, time.Unix(r.Int64N(400_000_000_000)-62_000_000_000, r.Int64N(1e9)).In(athens))
		}
		for _, c := range cases {
			if got, want := timeText(c), c.UTC().Format(timeLayout); got != want {
				t.Fatalf("timeText(%v) = %q, want %q", c, got, want)
			}
		}
	})
	t.Run("the zero time is NULL", func(t *testing.T) {
		if got := timeText(time.Time{}); got != nil {
			t.Errorf("timeText(zero) = %v, want nil", got)
		}
	})
}
