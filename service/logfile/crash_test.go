package logfile

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// A run that does not End leaves the marker: the next start reports it, with the
// runtime's crash trace when it wrote one. A clean End leaves nothing to report.
// (Checked to fail: with End not removing the marker the last StartRun reports one.)
func TestUncleanEndIsReportedOnce(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, FileName)
	start := time.Date(2026, 12, 6, 9, 0, 0, 0, time.Local)
	r, u, err := StartRun(dir, logPath, start)
	if err != nil || u != nil {
		t.Fatalf("first start: %v, %v", u, err)
	}
	// The process dies: no End. The runtime wrote its trace into the crash file.
	if err := os.WriteFile(filepath.Join(dir, CrashName), []byte("panic: boom\n\ngoroutine 1 [running]:\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The process's handles die with it (here the test's process lives on, and Windows
	// cannot rename or remove a file that is open).
	_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
	r.crash.Close()
	r2, u, err := StartRun(dir, logPath, start.Add(time.Hour))
	if err != nil || u == nil {
		t.Fatalf("second start: %v, %v", u, err)
	}
	if !u.Panicked || !u.Started.Equal(start) || !strings.HasPrefix(filepath.Base(u.Details), "crash-") {
		t.Fatalf("unclean = %+v", u)
	}
	if b, _ := os.ReadFile(u.Details); !strings.Contains(string(b), "panic: boom") {
		t.Fatalf("kept crash file holds %q", b)
	}
	if !strings.Contains(u.String(), u.Details) {
		t.Errorf("String() = %q does not name the details", u.String())
	}
	if files := CrashFiles(dir); len(files) != 1 || files[0] != u.Details {
		t.Errorf("CrashFiles = %v", files)
	}
	r2.End()
	r3, u, err := StartRun(dir, logPath, start.Add(2*time.Hour))
	if err != nil || u != nil {
		t.Fatalf("after a clean exit: %+v, %v", u, err)
	}
	// A run ending with a panic keeps its marker through End (deferred cleanups run
	// while a panic unwinds).
	r3.MarkCrashed()
	r3.End()
	r4, u, _ := StartRun(dir, logPath, start.Add(3*time.Hour))
	if u == nil || u.Panicked {
		t.Fatalf("after MarkCrashed: %+v", u)
	}
	// What the crashed run's process would have let go by ending (Windows cannot remove
	// the folder while the files are open).
	r3.crash.Close()
	r4.End()
}

func TestOnlyTheNewestCrashFilesAreKept(t *testing.T) {
	dir := t.TempDir()
	for i := range keptCrashes + 3 {
		name := filepath.Join(dir, "crash-2026010"+string(rune('1'+i))+"-000000.txt")
		if err := os.WriteFile(name, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	(&Run{dir: dir}).pruneCrashes()
	files := CrashFiles(dir)
	if len(files) != keptCrashes || !strings.Contains(files[0], "20260108") {
		t.Fatalf("kept %v", files)
	}
}
