package instance

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A second Claim in the same folder raises the first and is told to stop; once the
// first has closed, the next Claim is the desk's copy again.
func TestSecondCopyRaisesTheFirst(t *testing.T) {
	dir := t.TempDir()
	first, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	var raised atomic.Int32
	first.OnRaise(func() bool { raised.Add(1); return true })

	if second, err := Claim(dir); !errors.Is(err, ErrRunning) || second != nil {
		t.Fatalf("second Claim = %v, %v; want ErrRunning", second, err)
	}
	if raised.Load() != 1 {
		t.Fatalf("the first copy was raised %d times, want 1", raised.Load())
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Claim(dir)
	if err != nil {
		t.Fatalf("Claim after the first closed: %v", err)
	}
	again.Close()
}

// A window that cannot come forward answers busy, and the later copy is told so (it
// may then open a window of its own rather than leave the cashier with none).
func TestStuckWindowIsNotAnswering(t *testing.T) {
	dir := t.TempDir()
	first, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	first.OnRaise(func() bool { return false })
	if _, err := Claim(dir); !errors.Is(err, ErrNotAnswering) {
		t.Fatalf("Claim = %v, want ErrNotAnswering", err)
	}
}

// A socket file left by a copy that was killed is not a running copy.
func TestStaleSocketIsTakenOver(t *testing.T) {
	dir := t.TempDir()
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
	l, err := Claim(dir)
	if err != nil {
		t.Fatalf("Claim over a stale socket: %v", err)
	}
	l.Close()
}

// Garbage, an endless line or silence on the socket neither stops the first copy nor
// raises its window.
func TestHostileRequestsAreIgnored(t *testing.T) {
	dir := t.TempDir()
	first, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	var raised atomic.Int32
	first.OnRaise(func() bool { raised.Add(1); return true })
	for _, req := range []string{"", "hello\n", strings.Repeat("r", 1<<16), "raise"} {
		conn, err := net.Dial("unix", filepath.Join(dir, socketName))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = conn.Write([]byte(req))
		conn.(*net.UnixConn).CloseWrite()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 8)
		n, _ := conn.Read(buf)
		conn.Close()
		if n != 0 {
			t.Errorf("request %.10q answered %q", req, buf[:n])
		}
	}
	if raised.Load() != 0 {
		t.Fatalf("raised %d times by requests that were not raise", raised.Load())
	}
	if _, err := Claim(dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("after the garbage, Claim = %v; want ErrRunning", err)
	}
}

// Copies started together: exactly one becomes the desk's copy, every other one
// raises it. Separate processes, as two double-clicks start them.
func TestCopiesStartedTogetherElectOne(t *testing.T) {
	if dir := os.Getenv("OCARD_INSTANCE_CHILD"); dir != "" {
		l, err := Claim(dir)
		switch {
		case err == nil:
			os.Stdout.WriteString("first\n")
			time.Sleep(2 * time.Second) // stay up while the others ask
			l.Close()
		case errors.Is(err, ErrRunning):
			os.Stdout.WriteString("raised\n")
		default:
			os.Stdout.WriteString("error " + err.Error() + "\n")
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	const copies = 6
	outs := make([]string, copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCopiesStartedTogetherElectOne$")
			cmd.Env = append(os.Environ(), "OCARD_INSTANCE_CHILD="+dir)
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("copy %d: %v", i, err)
			}
			outs[i] = strings.TrimSpace(string(out))
		}()
	}
	wg.Wait()
	firsts := 0
	for _, o := range outs {
		switch o {
		case "first":
			firsts++
		case "raised":
		default:
			t.Errorf("a copy said %q", o)
		}
	}
	if firsts != 1 {
		t.Fatalf("%d copies became the desk's copy, want 1: %q", firsts, outs)
	}
}
