package filelock

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TryLock never waits: it fails while another holder (another open file, as
// another process has) holds the lock, and succeeds once it is released. The
// send lock's Ctrl-C (issue 21) polls it.
func TestTryLockDoesNotWait(t *testing.T) {
	if runtime.GOOS != "windows" && runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "freebsd" {
		t.Skip("no lock across processes on " + runtime.GOOS + ": TryLock always succeeds")
	}
	// Not t.TempDir: under Wine removing the folder fails ("Invalid function") after
	// a LockFileEx, which would fail the test for a reason that is not TryLock's.
	dir, err := os.MkdirTemp("", "trylock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	holder, waiter := open(), open()
	unlock, err := Lock(holder)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryLock(waiter); ok || err != nil {
		t.Fatalf("TryLock while held: ok %v err %v, want false, nil", ok, err)
	}
	unlock()
	release, ok, err := TryLock(waiter)
	if !ok || err != nil {
		t.Fatalf("TryLock once free: ok %v err %v", ok, err)
	}
	release()
}
