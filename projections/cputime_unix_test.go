//go:build unix

package projections_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) this process has used:
// unlike wall time, it does not grow while other processes hold the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
