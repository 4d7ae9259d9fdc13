//go:build unix

package instance

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Issue 21 point 14: the one-window socket is 0600 whatever the umask (before,
// under umask 0 it was 0777). The umask is the process's: this test does not run
// in parallel with others.
func TestSocketIsPrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	l, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st, err := os.Stat(filepath.Join(dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", st.Mode().Perm())
	}
}
