package logfile

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDirPerOS(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		goos string
		env  map[string]string
		home string
		want string
	}{
		{"windows", map[string]string{"LocalAppData": `C:\Users\a\AppData\Local`}, `C:\Users\a`, filepath.Join(`C:\Users\a\AppData\Local`, "ocard-desk", "logs")},
		{"windows", nil, "/h", filepath.Join("/h", "AppData", "Local", "ocard-desk", "logs")},
		{"darwin", nil, "/Users/a", "/Users/a/Library/Logs/ocard-desk"},
		{"linux", map[string]string{"XDG_STATE_HOME": "/s"}, "/home/a", "/s/ocard-desk"},
		{"linux", map[string]string{"XDG_STATE_HOME": "relative"}, "/home/a", "/home/a/.local/state/ocard-desk"},
		{"linux", nil, "/home/a", "/home/a/.local/state/ocard-desk"},
		{"linux", nil, "", ""},
	} {
		if got := Dir(c.goos, env(c.env), c.home); got != c.want {
			t.Errorf("Dir(%s, %v, %q) = %q, want %q", c.goos, c.env, c.home, got, c.want)
		}
	}
}

func TestRecordsReachTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", FileName)
	f := Open(Options{Path: path})
	if err := f.Problem(); err != nil || !f.Enabled() {
		t.Fatalf("Open: enabled %v, problem %v", f.Enabled(), err)
	}
	slog.New(f.Handler(slog.LevelInfo)).Info("lookup", "mobile", "0912***678")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"msg":"lookup","mobile":"0912***678"`) {
		t.Fatalf("file holds %s", b)
	}
	if runtime.GOOS == "windows" {
		return // no mode bits there: the log folder is under the user's own profile
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode(), err, want)
		}
	}
}

// The folder holds at most (MaxBackups+1) × MaxSizeMB, however much is logged.
// (Checked to fail: with MaxBackups unset in Open the folder keeps every backup.)
func TestTotalStaysBounded(t *testing.T) {
	dir := t.TempDir()
	f := Open(Options{Path: filepath.Join(dir, FileName), MaxSizeMB: 1, MaxBackups: 2})
	log := slog.New(f.Handler(slog.LevelInfo))
	pad := strings.Repeat("x", 900)
	for i := range 8000 { // about 7.5 MB: seven rotations
		log.Info("filler", "i", i, "pad", pad)
		if i%1000 == 0 {
			f.Flush(10 * time.Second) // the queue must not drop what this test counts on
		}
	}
	f.Flush(10 * time.Second)
	const limit = 3 << 20
	// lumberjack removes old backups on a goroutine of its own after a rotation:
	// wait for it (bounded), then the bound must hold.
	deadline := time.Now().Add(10 * time.Second)
	var total int64
	var names []string
	for {
		total, names = 0, nil
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			fi, _ := e.Info()
			total += fi.Size()
			names = append(names, e.Name())
		}
		if (total <= limit && len(names) <= 3) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.Close()
	if total > limit || len(names) > 3 {
		t.Fatalf("%d bytes in %d files %v, want at most %d in 3", total, len(names), names, limit)
	}
	if f.Dropped() != 0 {
		t.Errorf("%d records dropped", f.Dropped())
	}
	if lines := Tail(filepath.Join(dir, FileName), 5); len(lines) != 5 || !strings.Contains(lines[4], `"i":7999`) {
		t.Errorf("Tail = %v", lines)
	}
}

// blockingWriter holds every write until release is closed.
type blockingWriter struct {
	release chan struct{}
	mu      sync.Mutex
	got     []string
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, string(p))
	return len(p), nil
}

// A disk that does not keep up never blocks the caller: records past the queue are
// dropped, counted, and the count is written once the disk keeps up again.
// (Checked to fail: a blocking send in Write hangs this test at the first full queue.)
func TestFullQueueDropsAndCounts(t *testing.T) {
	out := &blockingWriter{release: make(chan struct{})}
	w := newAsyncWriter(out, nil)
	done := make(chan struct{})
	go func() {
		for i := range queueLen + 50 {
			fmt.Fprintf(w, "record %d\n", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Write blocked on a stuck disk")
	}
	if n := w.Dropped(); n < 49 { // the goroutine may hold one record outside the queue
		t.Fatalf("dropped %d, want at least 49", n)
	}
	close(out.release)
	if !w.flush(10 * time.Second) {
		t.Fatal("not flushed")
	}
	w.close(time.Second)
	out.mu.Lock()
	defer out.mu.Unlock()
	if !strings.Contains(strings.Join(out.got, ""), `"msg":"log records dropped`) {
		t.Error("the drop was not written to the log")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestWriteErrorIsToldOnce(t *testing.T) {
	var mu sync.Mutex
	var told []error
	w := newAsyncWriter(failingWriter{}, func(err error) { mu.Lock(); told = append(told, err); mu.Unlock() })
	for range 3 {
		fmt.Fprintln(w, "x")
	}
	w.close(10 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 {
		t.Fatalf("told %d times: %v", len(told), told)
	}
}

// A folder that cannot be written (here its parent is a file, which fails even for
// root) leaves the window logging nowhere, with the reason, and writes returning at once.
func TestUnwritableFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f := Open(Options{Path: filepath.Join(file, "logs", FileName)})
	if !errors.Is(f.Problem(), ErrUnwritable) || f.Enabled() {
		t.Fatalf("problem %v, enabled %v", f.Problem(), f.Enabled())
	}
	if n, err := f.Write([]byte("x\n")); n != 2 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if d := Open(Options{Path: Disabled}); d.Enabled() || d.Problem() != nil || d.Path() != "" {
		t.Fatalf("disabled: %+v", d)
	}
}
