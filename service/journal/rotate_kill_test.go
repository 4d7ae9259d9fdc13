//go:build linux || darwin || freebsd

package journal

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	envRotateDir  = "OCARD_JOURNAL_ROTATE_DIR"
	envRotateStep = "OCARD_JOURNAL_ROTATE_STEP"
)

// rotateKillSteps are the steps of a rotation after which the child is killed.
var rotateKillSteps = []string{"archive half written", "archived", "temporary file written", "renamed"}

// TestRotateChild is the child of TestKillRotationAtEveryStep: it opens the
// journal on rotationDay, which rotates, and SIGKILLs itself at the step given.
func TestRotateChild(t *testing.T) {
	dir, at := os.Getenv(envRotateDir), os.Getenv(envRotateStep)
	if dir == "" {
		t.Skip("child of TestKillRotationAtEveryStep only")
	}
	rotateStep = func(s string) {
		if s == at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	if _, _, _, err := OpenWith(dir, Options{Now: func() time.Time { return rotationDay }}); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("rotation went past %q without stopping", at)
}

// TestKillRotationAtEveryStep kills a real process (SIGKILL) at every step of a
// rotation. After each kill, reading the journal (the journal command's ReadDir,
// and a window's Unresolved) gives exactly the lines there were, none lost, none
// twice; the next start finishes the rotation, after which every line is in
// exactly one file.
func TestKillRotationAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, at := range rotateKillSteps {
		t.Run(strings.ReplaceAll(at, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			_, oldUnknown, _, _ := writeHistory(t, dir)
			want, _, _ := ReadFile(filepath.Join(dir, FileName))
			cmd := exec.Command(os.Args[0], "-test.run=^TestRotateChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), envRotateDir+"="+dir, envRotateStep+"="+at)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("the child was not killed at %q: %v\n%s", at, err, out.String())
			}
			check := func(when string) {
				got, _, err := ReadDir(dir, time.Time{})
				if err != nil || !slices.Equal(lineKeys(got), lineKeys(want)) {
					t.Errorf("%s: read %d lines, want the %d there were (none lost, none twice): %v", when, len(got), len(want), err)
				}
				u, _, err := ReadUnresolved(dir)
				if err != nil || len(u) != 1 || u[0].OrderID != oldUnknown {
					t.Errorf("%s: unresolved %+v %v", when, u, err)
				}
			}
			check("after the kill")
			j, _, _, err := OpenWith(dir, Options{Now: func() time.Time { return rotationDay }})
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			check("after the next start")
			var n int
			for _, name := range []string{FileName, "redeem-journal-2026-11.jsonl", "redeem-journal-2026-12.jsonl"} {
				es, _, _ := ReadFile(filepath.Join(dir, name))
				n += len(es)
			}
			if n != len(want) {
				t.Errorf("after the next start the files hold %d lines, want %d (each once)", n, len(want))
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmps) > 1 {
				t.Errorf("temporary files left: %v", tmps)
			}
		})
	}
}
