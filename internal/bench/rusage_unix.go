//go:build unix

package bench

import (
	"syscall"
	"time"
)

// selfCPU returns the user+system CPU time this process has used (not its
// children: the started server is measured through /proc).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
