//go:build unix

package aggregate_test

import "syscall"

// processCPU is the CPU time the process has used (user and system), in
// nanoseconds: on a machine shared with other work the wall clock of a
// benchmark measures the others too.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
