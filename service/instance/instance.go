// Package instance keeps one desk window per user account: the first copy of the app
// listens, and a copy started after it asks that one to bring its window to the front
// instead of opening a second window (a cashier who double-clicks the icon again, or a
// shortcut in the Startup folder).
//
// Where it listens (instance_unix.go, instance_windows.go):
//   - Linux, macOS, BSD: a Unix-domain socket in the user's config folder, private to the
//     user through the folder's permissions.
//   - Windows: a named pipe whose name carries the user's SID and logon session, with a
//     security descriptor that lets only that user connect; a file per session in the
//     config folder names the pipe of the copy that holds the claim.
//
// Neither leaves a port open to the network. The protocol is one line each way:
// "raise\n", then "ok\n" once the window has come forward, or "busy\n" when it could
// not (a window that is stuck).
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// The folder's lock file, held while a claim changes hands (the same name on every
// system, so that a folder shared by two builds still has one lock).
const lockName = "desk.sock.lock"

// ErrRunning: another copy is running and has brought its window to the front.
var ErrRunning = errors.New("the desk is already running: its window was brought to the front")

// ErrNotAnswering: another copy holds the socket but did not bring its window forward
// in time (its window is stuck, or it is still starting). The caller may open a window
// of its own rather than leave the cashier with none.
var ErrNotAnswering = errors.New("another copy of Ocard Desk is running but did not answer")

// How long each side waits. A window that takes longer to come forward is stuck; a
// client that has not sent its one short line by readTimeout is not a copy of the app.
var (
	dialTimeout  = 2 * time.Second
	raiseTimeout = 3 * time.Second
	readTimeout  = 500 * time.Millisecond
)

// Listener is the first copy's end: it answers later copies.
type Listener struct {
	ln    net.Listener
	claim *claim // what this copy made to be found (claim.release removes only its own)
	lock  string // the folder's lock file, held while a claim changes hands

	mu      sync.Mutex
	onRaise func() bool
	conns   map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

// Claim makes this process the desk's one copy for the user whose config folder is
// dir. When another copy already runs, it asks that one to come to the front and
// returns ErrRunning (or ErrNotAnswering); the caller should then not open a window.
// Any other error (a folder that cannot be written, a path too long for a socket)
// means single-instance cannot be kept: the caller goes on without it.
func Claim(dir string) (*Listener, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	// Two copies started together (a double click that counts twice) must not both
	// find no one there and both listen: the check and the listen are one step.
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	defer lock.Close()
	unlock, err := filelock.Lock(lock)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	defer unlock()

	var takeover error
	switch err := ask(dir); {
	case err == nil:
		return nil, ErrRunning
	case errors.Is(err, ErrNotAnswering):
		// A copy that is stuck (or still quitting) keeps the socket but will never bring
		// a window forward: this copy opens its own and takes the claim over, so that the
		// next start raises this window rather than opening one more.
		takeover = err
	}
	// Otherwise no one answered: what a copy that was killed left behind is replaced.
	ln, c, err := listen(dir)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	l := &Listener{ln: ln, claim: c, lock: lock.Name(), conns: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.serve()
	return l, takeover // ErrNotAnswering: the caller opens a window, and now holds the claim
}

// OnRaise sets what a later copy's request does: bring the window to the front and
// report whether it did. Until it is set (the window is still being built), requests
// are answered "ok": the window is coming anyway.
func (l *Listener) OnRaise(f func() bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onRaise = f
}

// Close stops answering, ends the requests under way and gives up the claim (the
// socket file, or the file naming the pipe) if it is still this copy's. The desk calls
// it as soon as it starts to quit, so that a copy started meanwhile opens a window
// instead of asking one that is going away.
// It may be called more than once.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	err := l.ln.Close()
	l.wg.Wait()
	// Under the folder's lock: a copy claiming now has either not yet replaced the file
	// (this copy's, removed here) or has (not ours: kept).
	if lf, lerr := os.OpenFile(l.lock, os.O_RDWR|os.O_CREATE, 0o600); lerr == nil {
		if unlock, lerr := filelock.Lock(lf); lerr == nil {
			l.claim.release()
			unlock()
		}
		lf.Close()
	}
	return err
}

func (l *Listener) serve() {
	defer l.wg.Done()
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return // closed
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			conn.Close()
			return
		}
		l.conns[conn] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		// Each on its own: a client that connects and says nothing must not hold up a
		// cashier's second start behind it.
		go func() {
			defer l.wg.Done()
			l.answer(conn)
			l.mu.Lock()
			delete(l.conns, conn)
			l.mu.Unlock()
		}()
	}
}

// answer reads one request and answers it. Whatever connects is the same user (the
// folder is theirs), but the request is still read with a limit and a deadline.
func (l *Listener) answer(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
	line, err := bufio.NewReader(io.LimitReader(conn, 64)).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "raise" {
		return
	}
	l.mu.Lock()
	raise := l.onRaise
	l.mu.Unlock()
	reply := "ok\n"
	if raise != nil && !raise() {
		reply = "busy\n"
	}
	_ = conn.SetWriteDeadline(time.Now().Add(dialTimeout))
	_, _ = conn.Write([]byte(reply))
}

// ask asks the copy holding dir's claim to come forward: nil when it did,
// ErrNotAnswering when it is there but did not, any other error when no one is there.
func ask(dir string) error {
	conn, err := dial(dir)
	if err != nil {
		return err
	}
	defer conn.Close()
	allowForeground() // Windows: the running copy may then take the foreground
	_ = conn.SetDeadline(time.Now().Add(dialTimeout + raiseTimeout))
	if _, err := conn.Write([]byte("raise\n")); err != nil {
		return ErrNotAnswering
	}
	line, err := bufio.NewReader(io.LimitReader(conn, 64)).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ok" {
		return ErrNotAnswering
	}
	return nil
}
