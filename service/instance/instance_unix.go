//go:build !windows

package instance

import (
	"errors"
	"net"
	"os"
	"path/filepath"
)

// socketName is the socket's file in the folder.
const socketName = "desk.sock"

// claim is the socket file this copy made, to remove only its own.
type claim struct {
	path string
	file os.FileInfo
}

// listen replaces whatever socket file is in dir (a copy that was killed left it, or a
// stuck one is being taken over) with this copy's socket. The folder's lock is held.
func listen(dir string) (net.Listener, *claim, error) {
	path := filepath.Join(dir, socketName)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	ln, lerr := net.Listen("unix", path)
	if lerr != nil {
		return nil, nil, lerr
	}
	// bind(2) makes the socket with the umask's mode (0777 under umask 0): only this
	// user may ask the window to come forward, whatever the folder's mode. Changing
	// the umask itself would race every other file this process creates.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, nil, err
	}
	// Go removes the socket's name when the listener closes, whoever's file it is by
	// then: a copy whose claim was taken over would remove the newer copy's socket.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	file, serr := os.Stat(path)
	if serr != nil {
		ln.Close()
		return nil, nil, serr
	}
	return ln, &claim{path: path, file: file}, nil
}

// release removes the socket file if it is still this copy's. The folder's lock is held.
func (c *claim) release() {
	if now, serr := os.Stat(c.path); serr == nil && os.SameFile(now, c.file) {
		_ = os.Remove(c.path)
	}
}

// dial connects to the socket in dir; an error means no one is listening there.
func dial(dir string) (net.Conn, error) {
	return net.DialTimeout("unix", filepath.Join(dir, socketName), dialTimeout)
}
