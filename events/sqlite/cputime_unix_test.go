//go:build unix

package sqlite

import (
	"syscall"
	"time"
)

// cpuTime is the processor time the process has used so far, user and
// system, on every core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
