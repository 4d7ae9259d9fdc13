//go:build !windows

package instance

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// leaveStaleClaim leaves in dir what a copy killed with kill -9 leaves: its socket file,
// with no one listening.
func leaveStaleClaim(t *testing.T, dir string) {
	path := filepath.Join(dir, socketName)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, as after kill -9
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket file is gone: %v", err)
	}
}

// endRequest ends what the client sends: the socket's write side is shut.
func endRequest(t *testing.T, conn net.Conn) {
	if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
}
