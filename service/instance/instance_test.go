package instance

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/childproc"
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

// A window that cannot come forward answers busy: the later copy is told so, opens its
// own window and takes the claim over, so that the next start raises the newer window;
// the stuck copy, when it finally ends, leaves the newer copy's socket alone.
func TestStuckWindowIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	stuck, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	stuck.OnRaise(func() bool { return false })
	newer, err := Claim(dir)
	if !errors.Is(err, ErrNotAnswering) || newer == nil {
		t.Fatalf("Claim = %v, %v; want a claim and ErrNotAnswering", newer, err)
	}
	defer newer.Close()
	var raised atomic.Int32
	newer.OnRaise(func() bool { raised.Add(1); return true })
	if err := stuck.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Claim(dir); !errors.Is(err, ErrRunning) || raised.Load() != 1 {
		t.Fatalf("after the takeover, Claim = %v and the newer window raised %d times; want ErrRunning, 1", err, raised.Load())
	}
}

// Close may run twice, and a copy started after it opens its own window at once.
func TestClosedCopyIsNotAsked(t *testing.T) {
	dir := t.TempDir()
	first, err := Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	first.OnRaise(func() bool { t.Error("a closed copy was asked to come forward"); return true })
	first.Close()
	first.Close()
	next, err := Claim(dir)
	if err != nil {
		t.Fatalf("Claim after Close: %v", err)
	}
	next.Close()
}

// What a copy that was killed left (a socket file; on Windows the file naming a pipe
// that ended with its process) is not a running copy.
func TestStaleSocketIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	leaveStaleClaim(t, dir)
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
	// A client that connects and says nothing holds no one up.
	silent, err := dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, req := range []string{"", "hello\n", strings.Repeat("r", 1<<16), "raise"} {
		conn, err := dial(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = conn.Write([]byte(req))
		endRequest(t, conn)
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
// raises it. Separate processes, as two double-clicks start them; the first stays up
// until the test has heard from all the others.
func TestCopiesStartedTogetherElectOne(t *testing.T) {
	if dir := os.Getenv("OCARD_INSTANCE_CHILD"); dir != "" {
		l, err := Claim(dir)
		switch {
		case err == nil:
			os.Stdout.WriteString("first\n")
			for i := 0; i < 600; i++ { // until released, at most a minute
				if _, err := os.Stat(filepath.Join(dir, "release")); err == nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			l.Close()
		case errors.Is(err, ErrRunning):
			os.Stdout.WriteString("raised\n")
		default:
			os.Stdout.WriteString("error " + err.Error() + "\n")
		}
		os.Exit(0)
	}
	const copies = 6
	for round := range 3 {
		dir := t.TempDir()
		outs := make(chan string, copies)
		for range copies {
			go func() {
				var out bytes.Buffer
				cmd, err := childproc.Start(func() *exec.Cmd {
					out.Reset()
					cmd := exec.Command(os.Args[0], "-test.run=^TestCopiesStartedTogetherElectOne$")
					cmd.Env = append(os.Environ(), "OCARD_INSTANCE_CHILD="+dir)
					cmd.Stdout = &out
					return cmd
				}, t.Logf)
				if err == nil {
					err = cmd.Wait()
				}
				if err != nil {
					outs <- "failed: " + err.Error()
					return
				}
				outs <- strings.TrimSpace(out.String())
			}()
		}
		var got []string
		deadline := time.After(time.Minute)
		for len(got) < copies {
			if len(got) == copies-1 { // all but the first have answered (or something is wrong)
				_ = os.WriteFile(filepath.Join(dir, "release"), nil, 0o600)
			}
			select {
			case o := <-outs:
				got = append(got, o)
			case <-time.After(10 * time.Second):
				_ = os.WriteFile(filepath.Join(dir, "release"), nil, 0o600)
			case <-deadline:
				t.Fatalf("round %d: copies did not end: %q", round, got)
			}
		}
		firsts := 0
		for _, o := range got {
			switch o {
			case "first":
				firsts++
			case "raised":
			default:
				t.Errorf("round %d: a copy said %q", round, o)
			}
		}
		if firsts != 1 {
			t.Fatalf("round %d: %d copies became the desk's copy, want 1: %q", round, firsts, got)
		}
	}
}
