//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

// Package filelock holds an exclusive advisory lock on a file across processes: the
// window and a command-line run of the same user share the journal's sequence and
// the secret store's file.
package filelock

import (
	"os"
	"syscall"
)

// Lock holds an exclusive advisory lock on f until unlock.
func Lock(f *os.File) (unlock func(), err error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
