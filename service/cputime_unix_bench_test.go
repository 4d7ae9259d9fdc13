//go:build unix

package service_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used, all threads: the
// benchmarks report it per operation beside the wall time, because on a shared,
// loaded machine the wall time also counts the time other processes held the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
