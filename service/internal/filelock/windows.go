//go:build windows

// Package filelock holds an exclusive lock on a file across processes: the window and
// a command-line run of the same user share the journal's sequence, the secret store's
// file, the settings file and the one-window claim.
package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// Lock takes an exclusive lock on the first byte of f (LockFileEx, which waits until
// the lock is free) and returns the function that releases it. Windows locks are
// mandatory for the locked range: only the lock files, never data files, are passed here.
func Lock(f *os.File) (unlock func(), err error) {
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		return nil, err
	}
	return func() { _ = windows.UnlockFileEx(h, 0, 1, 0, ol) }, nil
}

// TryLock takes the lock if it is free (LOCKFILE_FAIL_IMMEDIATELY) and reports
// whether it did; it never waits, so a caller can poll it and honour its context.
func TryLock(f *os.File) (unlock func(), ok bool, err error) {
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return func() { _ = windows.UnlockFileEx(h, 0, 1, 0, ol) }, true, nil
}
