//go:build !unix

package sqlite

import "time"

// cpuTime is not measured here; benchmarks report zero processor time.
func cpuTime() time.Duration { return 0 }
