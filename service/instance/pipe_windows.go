package instance

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// A named pipe as a net.Listener and net.Conn, on golang.org/x/sys/windows alone.
//
// Each end is an overlapped pipe handle handed to os.NewFile, which (Go 1.25 and later)
// puts it on the runtime's I/O completion port: reads and writes block no OS thread and
// honour deadlines, which the read deadline of a silent client needs. Only the wait for a
// client to connect (ConnectNamedPipe) is done here, with an event, before the handle
// goes to os.NewFile. (github.com/Microsoft/go-winio does the same on its own completion
// port, but under Wine 8 its Accept never saw a client connect.)

// Pipe modes (winbase.h), not all in golang.org/x/sys/windows v0.30.
const (
	fileFlagFirstPipeInstance = 0x00080000 // FILE_FLAG_FIRST_PIPE_INSTANCE
	pipeRejectRemoteClients   = 0x00000008 // PIPE_REJECT_REMOTE_CLIENTS
	pipeBufferSize            = 512
	securityIdentification    = 1 << 16 // SECURITY_IDENTIFICATION (SecurityIdentification << 16)
)

// pipeListener listens on one pipe name. There is always one instance of the pipe
// waiting for a client (next) while it listens, so a client never finds the name gone
// between two connections and takes that for a copy that ended.
type pipeListener struct {
	name string
	sa   *windows.SecurityAttributes

	mu        sync.Mutex
	next      windows.Handle // the instance Accept waits on
	stop      windows.Handle // an event Close sets: it ends Accept's wait for a client
	accepting bool           // Accept is waiting: it, not Close, closes the handles
	closed    bool
}

// listenPipe creates the first instance of the pipe name (failing if the name exists:
// FILE_FLAG_FIRST_PIPE_INSTANCE) with the security descriptor sddl, local clients only.
func listenPipe(name, sddl string) (net.Listener, error) {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return nil, err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	h, err := createPipe(name, sa, true)
	if err != nil {
		return nil, err
	}
	stop, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	return &pipeListener{name: name, sa: sa, stop: stop, next: h}, nil
}

func createPipe(name string, sa *windows.SecurityAttributes, first bool) (windows.Handle, error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return windows.InvalidHandle, err
	}
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	if first {
		flags |= fileFlagFirstPipeInstance
	}
	return windows.CreateNamedPipe(n, flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|pipeRejectRemoteClients,
		windows.PIPE_UNLIMITED_INSTANCES, pipeBufferSize, pipeBufferSize, 0, sa)
}

// Accept waits for a client on the waiting instance, makes the next instance, and
// returns the connected one. After Close it returns net.ErrClosed.
func (l *pipeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, net.ErrClosed
	}
	h, stop := l.next, l.stop
	l.accepting = true
	l.mu.Unlock()

	werr := waitForClient(h, stop)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepting = false
	if l.closed {
		l.shut()
		return nil, net.ErrClosed
	}
	next, err := createPipe(l.name, l.sa, false)
	if err != nil {
		next = windows.InvalidHandle // the next Accept fails, and the desk goes on without the claim
	}
	l.next = next
	if werr != nil {
		windows.CloseHandle(h)
		return nil, werr
	}
	return newPipeConn(h, l.name), nil
}

// waitForClient is ConnectNamedPipe on h, ended early when stop is set.
func waitForClient(h, stop windows.Handle) error {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(ev)
	ol := windows.Overlapped{HEvent: ev}
	switch err := windows.ConnectNamedPipe(h, &ol); err {
	case nil, windows.ERROR_PIPE_CONNECTED: // a client came before the call
		return nil
	case windows.ERROR_IO_PENDING:
	default:
		return err
	}
	which, err := windows.WaitForMultipleObjects([]windows.Handle{ev, stop}, false, windows.INFINITE)
	var n uint32
	if err != nil || which != windows.WAIT_OBJECT_0 {
		_ = windows.CancelIoEx(h, &ol)
		_ = windows.GetOverlappedResult(h, &ol, &n, true) // ol must outlive the I/O
		return net.ErrClosed
	}
	return windows.GetOverlappedResult(h, &ol, &n, false)
}

// Close ends Accept's wait and closes the waiting instance, so the name is gone once the
// connections already accepted (the caller's to close) are closed too.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	_ = windows.SetEvent(l.stop)
	if !l.accepting {
		l.shut()
	}
	return nil
}

// shut closes the waiting instance and the stop event. l.mu is held.
func (l *pipeListener) shut() {
	if l.next != windows.InvalidHandle {
		windows.CloseHandle(l.next)
		l.next = windows.InvalidHandle
	}
	if l.stop != 0 {
		windows.CloseHandle(l.stop)
		l.stop = 0
	}
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.name) }

// pipeAddr is a pipe's name as a net.Addr.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeConn is one end of a connected pipe.
type pipeConn struct {
	*os.File
	name string
}

func newPipeConn(h windows.Handle, name string) *pipeConn {
	return &pipeConn{File: os.NewFile(uintptr(h), name), name: name}
}

func (c *pipeConn) LocalAddr() net.Addr  { return pipeAddr(c.name) }
func (c *pipeConn) RemoteAddr() net.Addr { return pipeAddr(c.name) }

// dialPipe connects to the pipe name within timeout. It identifies itself only
// (SECURITY_IDENTIFICATION): whatever listens there cannot act as this user.
func dialPipe(name string, timeout time.Duration) (net.Conn, error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		h, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|securityIdentification, 0)
		if err == nil {
			return newPipeConn(h, name), nil
		}
		// Every instance busy: the listener makes the next one right after it accepts.
		if !errors.Is(err, windows.ERROR_PIPE_BUSY) || time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
