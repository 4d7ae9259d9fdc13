//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

// Package filelock holds an exclusive advisory lock on a file across processes: the
// window and a command-line run of the same user share the journal's sequence and
// the secret store's file.
package filelock

import (
	"errors"
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

// TryLock takes the lock on f if it is free and reports whether it did; it never
// waits, so a caller can poll it and give up when its context ends.
func TryLock(f *os.File) (unlock func(), ok bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, true, nil
}
