package settings

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/childproc"
)

// The child processes of these tests read these.
const (
	envDeskFileChild = "OCARD_DESKFILE_CHILD" // "alternate" or a key prefix for the two writers
	envDeskFilePath  = "OCARD_DESKFILE_PATH"
	// envSettingsKills sets the number of kills of TestKilledWriterLeavesOldOrNewSettings
	// (default 20; .ci/soak-settings runs 200).
	envSettingsKills = "OCARD_SETTINGS_KILLS"
)

// settingsAB are two complete saves that differ in every key the desk writes: the
// settings and the desk's shop.
func settingsAB() [2]Settings {
	a, b := good(), good()
	a.BaseURL, a.ClientID, a.CurrentShop = "https://a.example.com", "desk-a", "000030"
	b.BaseURL, b.ClientID, b.CurrentShop = "https://b.example.com", "desk-b", "000031"
	b.Shops = append(b.Shops, Shop{"000032", "Desk B only"})
	return [2]Settings{a.Normalized(), b.Normalized()}
}

// whichSaved says which of settingsAB a fresh reader finds in the file at path: 0 or
// 1, or -1 and why when it is neither (the defaults, a mix, or a file that needed its
// backup: a killed process never leaves the file itself damaged).
func whichSaved(path string) (int, string) {
	f := ReadDeskFile(path, "")
	if f.Origin() != FromFile {
		return -1, fmt.Sprintf("the file was not usable (origin %s, %v)", f.Origin(), f.Warnings())
	}
	got, shop := LoadSaved(f), LoadDeskShop(f)
	for i, s := range settingsAB() {
		if reflect.DeepEqual(got, s) && shop == s.CurrentShop {
			return i, ""
		}
	}
	return -1, fmt.Sprintf("neither A nor B: settings %+v, desk shop %q", got, shop)
}

// TestKilledWriterLeavesOldOrNewSettings is issue 16 point 1: a process saving the
// settings (A, B, A, … each a complete save through SaveAsDesk) is killed with SIGKILL
// at a random moment, again and again; after every kill a fresh reader finds exactly
// A or B in the file itself: never the defaults, never half of each.
//
// SIGKILL stops the process but not the kernel: what was written stays in the page
// cache. This proves the write order (temporary file, rename) against a crash of the
// app; against a power cut it rests on the fsyncs, which no test here can cut.
func TestKilledWriterLeavesOldOrNewSettings(t *testing.T) {
	if os.Getenv(envDeskFileChild) == "alternate" {
		alternatingWriter(t, os.Getenv(envDeskFilePath))
		return
	}
	if testing.Short() {
		t.Skip("kills child processes")
	}
	kills := 20
	if n, err := strconv.Atoi(os.Getenv(envSettingsKills)); err == nil && n > 0 {
		kills = n
	}
	path := deskFileIn(t)
	if ps := SaveAsDesk(OpenDeskFile(path, ""), settingsAB()[0], goodSecret, nil); ps != nil {
		t.Fatal(ps)
	}
	seen := [2]int{}
	saves, failures := 0, 0
	start := time.Now()
	for i := range kills {
		var out io.ReadCloser
		cmd, err := childproc.Start(func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesOldOrNewSettings$", "-test.count=1")
			cmd.Env = append(os.Environ(), envDeskFileChild+"=alternate", envDeskFilePath+"="+path)
			cmd.Stderr = os.Stderr
			var err error
			if out, err = cmd.StdoutPipe(); err != nil {
				t.Fatal(err)
			}
			return cmd
		}, t.Logf)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		// The child says "saved" after each save. Kill it after its first and a random
		// number more (0–7), and a random 0–3 ms later, so kills land at every step of a
		// save (one takes about a millisecond or two here).
		lines := bufio.NewScanner(out)
		for range 1 + rand.IntN(8) {
			if !lines.Scan() {
				t.Fatalf("kill %d: the writer ended on its own", i)
			}
			saves++
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // where to kill, not synchronisation
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() {
			saves++
		}
		_ = cmd.Wait()
		which, why := whichSaved(path)
		if which < 0 {
			failures++
			t.Errorf("after kill %d: %s", i, why)
			continue
		}
		seen[which]++
	}
	t.Logf("%d kills in %s: %d failures; A found %d times, B %d times; about %d saves finished in between",
		kills, time.Since(start).Round(time.Millisecond), failures, seen[0], seen[1], saves)
	// The temporary files killed writers left are removed by the next save.
	if err := SaveDeskShop(OpenDeskFile(path, ""), "000032"); err != nil {
		t.Fatal(err)
	}
	if l := leftovers(t, path); len(l) != 0 {
		t.Errorf("files left after a save: %v", l)
	}
}

// alternatingWriter saves A and B by turns until it is killed, saying "saved" after each.
func alternatingWriter(t *testing.T, path string) {
	f := OpenDeskFile(path, "")
	ab := settingsAB()
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		if ps := SaveAsDesk(f, ab[i%2], goodSecret, nil); ps != nil {
			t.Fatalf("save %d: %v", i, ps)
		}
		fmt.Fprintln(w, "saved")
		w.Flush()
	}
}

// TestTwoProcessesShareTheSettingsFile is issue 16 point 5 for the settings: two
// processes (the window and `lookup`, or two windows, on one user account) save 500
// keys each into the same file at the same time. Every key survives: each write
// re-reads the file under the lock. Each writer also reads the file after every save,
// and it always parses.
func TestTwoProcessesShareTheSettingsFile(t *testing.T) {
	if prefix := os.Getenv(envDeskFileChild); prefix == "a" || prefix == "b" {
		keyWriter(t, prefix, os.Getenv(envDeskFilePath))
		return
	}
	if testing.Short() {
		t.Skip("two child processes")
	}
	path := deskFileIn(t)
	start := func(prefix string) *exec.Cmd {
		cmd, err := childproc.Start(func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessesShareTheSettingsFile$", "-test.count=1")
			cmd.Env = append(os.Environ(), envDeskFileChild+"="+prefix, envDeskFilePath+"="+path)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd
		}, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	a, b := start("a"), start("b")
	for _, c := range []*exec.Cmd{a, b} {
		if err := c.Wait(); err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	got := fileValues(t, path)
	for _, prefix := range []string{"a", "b"} {
		for i := range 500 {
			if k := fmt.Sprintf("%s.%03d", prefix, i); got[k] != strconv.Itoa(i) {
				t.Errorf("%s = %q after both: lost", k, got[k])
			}
		}
	}
	if len(got) != 1000 {
		t.Errorf("%d keys, want 1000", len(got))
	}
}

// keyWriter saves prefix.000 … prefix.499, one write each, reading the file after each.
func keyWriter(t *testing.T, prefix, path string) {
	f := OpenDeskFile(path, "")
	for i := range 500 {
		k := fmt.Sprintf("%s.%03d", prefix, i)
		if err := f.SetStrings(map[string]string{k: strconv.Itoa(i)}); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		r := ReadDeskFile(path, "")
		if r.Origin() != FromFile || r.String(k) != strconv.Itoa(i) {
			t.Fatalf("round %d: read back %s (%v), %s = %q", i, r.Origin(), r.Warnings(), k, r.String(k))
		}
	}
}

// envCrashAt makes the child of TestKilledAtEveryStepOfASave kill itself at that step.
const envCrashAt = "OCARD_DESKFILE_CRASH_AT"

// TestKilledAtEveryStepOfASave kills the writer at each step of a save in turn (the
// backup's temporary file created, half written, written, synced, renamed, the folder
// synced; then the same for the file itself), where random kills would seldom land
// exactly. Until the file's own rename the next start finds A, from then on B.
func TestKilledAtEveryStepOfASave(t *testing.T) {
	if os.Getenv(envDeskFileChild) == "crash" {
		crashingWriter(t, os.Getenv(envDeskFilePath), os.Getenv(envCrashAt))
		return
	}
	if testing.Short() {
		t.Skip("kills child processes")
	}
	path := deskFileIn(t)
	const renameOfTheFile = 11 // the 6 steps of the backup, then 5 of the file
	for step := 1; ; step++ {
		if ps := SaveAsDesk(OpenDeskFile(path, ""), settingsAB()[0], goodSecret, nil); ps != nil {
			t.Fatal(ps)
		}
		var output bytes.Buffer
		cmd, err := childproc.Start(func() *exec.Cmd {
			output.Reset()
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledAtEveryStepOfASave$", "-test.count=1")
			cmd.Env = append(os.Environ(), envDeskFileChild+"=crash", envDeskFilePath+"="+path, envCrashAt+"="+strconv.Itoa(step))
			cmd.Stdout, cmd.Stderr = &output, &output
			return cmd
		}, t.Logf)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		err = cmd.Wait()
		out := output.Bytes()
		if err == nil { // the save finished before the step: every step was tried
			if step != 13 {
				t.Errorf("a save took %d steps, want 12: the test no longer stops where it says", step-1)
			}
			return
		}
		if !killedItself(err, out) {
			t.Fatalf("step %d: the writer was not killed: %v\n%s", step, err, out)
		}
		which, why := whichSaved(path)
		want := 0
		if step >= renameOfTheFile {
			want = 1
		}
		if which != want {
			t.Errorf("killed at step %d: found %d (%s), want %c", step, which, why, "AB"[want])
		}
	}
}

// killingMarker is what crashingWriter prints just before it kills itself: on Windows
// a kill and a failed test both exit with code 1 (killedItself).
const killingMarker = "crashingWriter: killing itself now"

// crashingWriter saves B over A and kills itself at step n of writeFileAtomic.
func crashingWriter(t *testing.T, path, n string) {
	at, err := strconv.Atoi(n)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	crashPoint = func(string) {
		if steps++; steps == at {
			fmt.Println(killingMarker)
			p, _ := os.FindProcess(os.Getpid())
			_ = p.Kill()
			select {} // the signal is on its way (on Windows, TerminateProcess of itself does not return)
		}
	}
	if ps := SaveAsDesk(OpenDeskFile(path, ""), settingsAB()[1], goodSecret, nil); ps != nil {
		t.Fatal(ps)
	}
}
