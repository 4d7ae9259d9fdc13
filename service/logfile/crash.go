package logfile

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// A crash leaves a trace in three ways. The marker (MarkerName) says a window is
// running and is removed at a clean exit: found at the next start, the window closed
// without one (a panic, a kill, a power cut). The crash file (CrashName) is where the
// Go runtime writes its own trace of a fatal panic (debug.SetCrashOutput), whichever
// goroutine it was in: a GUI program on Windows has no stderr to read it from.
// And Recover logs a panic with its stack as a record of the log before the process
// ends.
const (
	MarkerName = "running"
	CrashName  = "crash.txt"
	// keptCrashes is how many earlier crash files are kept (crash-<time>.txt).
	keptCrashes = 5
)

// Unclean is an earlier run that ended without a clean exit.
type Unclean struct {
	// Started is when that run started; Ended is the best known time it ended: when
	// the runtime wrote its crash trace, else when it last wrote its log.
	Started, Ended time.Time
	// Details is the file with what is known: its crash trace, else its log.
	Details string
	// Panicked says the runtime wrote a crash trace (Details is that file).
	Panicked bool
}

// Run is the window's run: its marker and crash file.
type Run struct {
	dir     string
	crashed atomic.Bool
	crash   *os.File
}

type marker struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// StartRun marks a window as running in dir (the log folder), points the runtime's
// crash output at dir's crash file, and reports how the previous run ended (nil:
// cleanly, or never run). logFile is the log that run wrote, for Ended when there is
// no crash trace. The caller calls End at a clean exit.
func StartRun(dir, logFile string, now time.Time) (*Run, *Unclean, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	r := &Run{dir: dir}
	unclean := r.previous(logFile)
	m, _ := json.Marshal(marker{PID: os.Getpid(), Started: now})
	if err := os.WriteFile(filepath.Join(dir, MarkerName), m, 0o600); err != nil {
		return nil, unclean, err
	}
	f, err := os.OpenFile(filepath.Join(dir, CrashName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return r, unclean, err
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		f.Close()
		return r, unclean, err
	}
	r.crash = f
	return r, unclean, nil
}

// previous reads the marker and crash file an earlier run left, keeping its crash
// file under a name of its own (crash-<time>.txt) so that this run's is empty.
func (r *Run) previous(logFile string) *Unclean {
	b, err := os.ReadFile(filepath.Join(r.dir, MarkerName))
	if err != nil {
		return nil
	}
	var m marker
	_ = json.Unmarshal(b, &m) // a torn marker still means an unclean end
	u := &Unclean{Started: m.Started, Ended: m.Started, Details: logFile}
	if fi, err := os.Stat(logFile); err == nil && logFile != "" {
		u.Ended = fi.ModTime()
	}
	crash := filepath.Join(r.dir, CrashName)
	if fi, err := os.Stat(crash); err == nil && fi.Size() > 0 {
		kept := filepath.Join(r.dir, "crash-"+fi.ModTime().UTC().Format("20060102-150405")+".txt")
		if os.Rename(crash, kept) == nil {
			u.Details, u.Ended, u.Panicked = kept, fi.ModTime(), true
		}
		r.pruneCrashes()
	}
	return u
}

// pruneCrashes keeps the newest keptCrashes crash files: a desk that crashes at every
// start must not fill its disk.
func (r *Run) pruneCrashes() {
	old, _ := filepath.Glob(filepath.Join(r.dir, "crash-*.txt"))
	sort.Strings(old) // the names sort by time
	for len(old) > keptCrashes {
		_ = os.Remove(old[0])
		old = old[1:]
	}
}

// End is a clean exit: the marker goes, unless a panic is on its way to ending the
// process (MarkCrashed), whose trace the next start must report.
func (r *Run) End() {
	if r == nil || r.crashed.Load() {
		return
	}
	_ = os.Remove(filepath.Join(r.dir, MarkerName))
	if r.crash != nil {
		_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
		_ = r.crash.Close()
	}
}

// MarkCrashed keeps the marker through End: the process is ending with a panic.
func (r *Run) MarkCrashed() {
	if r != nil {
		r.crashed.Store(true)
	}
}

// CrashFiles lists the crash traces kept in dir (the latest run's first when it has one).
func CrashFiles(dir string) []string {
	var out []string
	if fi, err := os.Stat(filepath.Join(dir, CrashName)); err == nil && fi.Size() > 0 {
		out = append(out, filepath.Join(dir, CrashName))
	}
	old, _ := filepath.Glob(filepath.Join(dir, "crash-*.txt"))
	sort.Sort(sort.Reverse(sort.StringSlice(old)))
	return append(out, old...)
}

// Recover, deferred at the top of a goroutine of the app (and of main), logs a panic
// with its stack (see LogPanic) and panics again: the process still ends as it would
// have, with the runtime's trace on stderr and in the crash file.
func Recover(log *slog.Logger, file *File, run *Run) {
	if v := recover(); v != nil {
		LogPanic(v, log, file, run)
		panic(v)
	}
}

// LogPanic is what Recover does with a recovered value v: it marks run crashed (its
// marker stays for the next start), logs v with the stack, and waits for the log file
// to have the record. The caller panics again.
func LogPanic(v any, log *slog.Logger, file *File, run *Run) {
	run.MarkCrashed()
	if log != nil {
		log.Error("panic: the desk is closing", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
	file.Flush(2 * time.Second)
}

// Go runs f on a new goroutine that logs a panic before the process ends (Recover).
func Go(log *slog.Logger, file *File, run *Run, f func()) {
	go func() {
		defer Recover(log, file, run)
		f()
	}()
}

// String says u in English, for the log and diagnostics.
func (u *Unclean) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the desk closed unexpectedly around %s (started %s)", u.Ended.Format(time.DateTime), u.Started.Format(time.DateTime))
	if u.Panicked {
		b.WriteString(", with a crash trace")
	}
	if u.Details != "" {
		fmt.Fprintf(&b, "; details: %s", u.Details)
	}
	return b.String()
}
