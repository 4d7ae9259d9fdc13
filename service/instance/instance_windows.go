package instance

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// pipeFile is the file in the folder that names the pipe of the copy holding the claim
// in this logon session (desk.session-<id>.pipe). A pipe, unlike a socket, has no file
// of its own: it ends with its process, and a stuck copy keeps its name, so a copy
// taking over listens on a new name and writes it here. %AppData% is shared by the
// user's sessions (a desk signed in at the counter and over Remote Desktop), so each
// session has its own file. The folder is the user's: only the user can change it.
func pipeFile(dir string) (string, error) {
	session, err := sessionID()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, fmt.Sprintf("desk.session-%d.pipe", session)), nil
}

// sessionID is this process's logon session (Remote Desktop, fast user switching).
func sessionID() (uint32, error) {
	var session uint32
	if err := windows.ProcessIdToSessionId(windows.GetCurrentProcessId(), &session); err != nil {
		return 0, fmt.Errorf("session id: %w", err)
	}
	return session, nil
}

// claim is the pipe this copy listens on and the file that names it.
type claim struct {
	file, name string
}

// pipePrefix is the start of every pipe name of this user's claims on dir:
// \\.\pipe\ocard-desk.<SID>.<session>.<folder>. Pipe names are machine-wide, so the
// user's SID and logon session (a second sign-in of the same user, e.g. over Remote
// Desktop, is a desk of its own) are in the name; the folder's hash keeps a desk
// started with another config folder (and tests) apart.
func pipePrefix(dir string) (string, error) {
	sid, err := userSID()
	if err != nil {
		return "", err
	}
	session, err := sessionID()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(abs))) // Windows paths ignore case
	return fmt.Sprintf(`\\.\pipe\ocard-desk.%s.%d.%s`, sid, session, hex.EncodeToString(sum[:6])), nil
}

// userSID is the SID of the user this process runs as, e.g. "S-1-5-21-…-1001".
func userSID() (string, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("user SID: %w", err)
	}
	return user.User.Sid.String(), nil
}

// listen listens on a new pipe of this user and session (a protected DACL that allows
// only the user, so no other account, service or sandboxed app can connect), then names
// it in the folder's pipe file, replacing the name a killed or stuck copy left. The
// folder's lock is held.
func listen(dir string) (net.Listener, *claim, error) {
	prefix, err := pipePrefix(dir)
	if err != nil {
		return nil, nil, err
	}
	sid, err := userSID()
	if err != nil {
		return nil, nil, err
	}
	name := prefix + "." + rand.Text()[:12] // a new name for each claim: a stuck copy keeps its own
	ln, err := listenPipe(name, "D:P(A;;GA;;;"+sid+")")
	if err != nil {
		return nil, nil, err
	}
	file, err := pipeFile(dir)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	c := &claim{file: file, name: name}
	if err := writeName(c.file, name); err != nil {
		ln.Close()
		return nil, nil, err
	}
	return ln, c, nil
}

// writeName replaces path with name: a temporary file renamed over it, so a copy
// reading it meanwhile finds the old name or the new one, whole.
func writeName(path, name string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(name + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
	}
	return werr
}

// release removes the pipe file if it still names this copy's pipe (the pipe itself
// goes with the listener). The folder's lock is held.
func (c *claim) release() {
	if b, err := os.ReadFile(c.file); err == nil && strings.TrimSpace(string(b)) == c.name {
		_ = os.Remove(c.file)
	}
}

// dial connects to the pipe the folder's pipe file names; an error means no one is
// listening there (no file, or a pipe that ended with its process). A name that is not
// this user's and session's pipe for this folder is refused rather than dialled.
func dial(dir string) (net.Conn, error) {
	file, err := pipeFile(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	prefix, err := pipePrefix(dir)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, prefix+".") {
		return nil, errors.New("the pipe file names another user's, session's or folder's pipe")
	}
	return dialPipe(name, dialTimeout)
}
