package logfile

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Size limits: the current file is rotated at MaxSizeMB, and MaxBackups older files
// are kept, so the folder holds at most (MaxBackups+1) × MaxSizeMB of logs. 5 × 5 MB is
// weeks of a busy desk's records, and small enough to attach to a ticket.
const (
	MaxSizeMB  = 5
	MaxBackups = 4
)

// ErrUnwritable is a log folder or file that cannot be written (no permission, a
// full disk, a path that is a file): the window runs on without its log file.
var ErrUnwritable = errors.New("the log file cannot be written")

// Disabled is the --log-file value (or OCARD_LOG_FILE) that turns the file off.
const Disabled = "-"

// Options say where the log goes and how large it may grow.
type Options struct {
	// Path is the log file ("" for FileName in DefaultDir, Disabled for none).
	Path string
	// MaxSizeMB and MaxBackups override the limits above (0: the default); tests
	// make them small.
	MaxSizeMB, MaxBackups int
	// OnError is told, once, that writing failed after the file was opened (a disk
	// that filled up, a folder removed). It runs on the writer's goroutine.
	OnError func(error)
}

// File is the window's log file. Its zero value, and a File that could not be
// opened, discard what is written: a log that cannot be kept never stops the window.
type File struct {
	path    string
	rotator *lumberjack.Logger
	async   *asyncWriter

	mu      sync.Mutex
	problem error // why nothing is written (at open, or the first write error)
}

// Open opens the log file. It never fails: when the folder or the file cannot be
// written, the File discards records and Problem says why (an ErrUnwritable).
func Open(o Options) *File {
	f := &File{path: o.Path}
	if f.path == Disabled {
		return f
	}
	if f.path == "" {
		dir := DefaultDir()
		if dir == "" {
			f.problem = fmt.Errorf("%w: no home folder to keep it in", ErrUnwritable)
			return f
		}
		f.path = filepath.Join(dir, FileName)
	}
	// lumberjack opens the file at the first write and creates its folder 0755; the
	// log holds shop and order ids, so the folder is made 0700 here first, and the
	// file is opened once now so that a folder that cannot be written is known at
	// start (and said once) rather than at every record.
	if err := probe(f.path); err != nil {
		f.problem = fmt.Errorf("%w: %w", ErrUnwritable, err)
		return f
	}
	f.rotator = &lumberjack.Logger{Filename: f.path, MaxSize: orDefault(o.MaxSizeMB, MaxSizeMB),
		MaxBackups: orDefault(o.MaxBackups, MaxBackups)}
	f.async = newAsyncWriter(f.rotator, func(err error) {
		f.mu.Lock()
		f.problem = fmt.Errorf("%w: %w", ErrUnwritable, err)
		f.mu.Unlock()
		if o.OnError != nil {
			o.OnError(err)
		}
	})
	return f
}

// At names the log file at path without opening it: for commands that read the
// window's log (diagnose), never write it.
func At(path string) *File { return &File{path: path} }

func probe(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return fh.Close()
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Write queues p for the file and returns at once (see asyncWriter).
func (f *File) Write(p []byte) (int, error) {
	if f == nil || f.async == nil {
		return len(p), nil
	}
	return f.async.Write(p)
}

// Enabled reports whether records reach a file.
func (f *File) Enabled() bool { return f != nil && f.async != nil }

// Path is the log file's path ("" when disabled).
func (f *File) Path() string {
	if f == nil || f.path == Disabled {
		return ""
	}
	return f.path
}

// Dir is the log file's folder ("" when disabled).
func (f *File) Dir() string {
	if p := f.Path(); p != "" {
		return filepath.Dir(p)
	}
	return ""
}

// Problem says why records do not reach the file (nil: they do, or it is disabled).
func (f *File) Problem() error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.problem
}

// Dropped is how many records were dropped because the disk did not keep up.
func (f *File) Dropped() uint64 {
	if !f.Enabled() {
		return 0
	}
	return f.async.Dropped()
}

// Flush waits up to timeout for the records written so far to reach the file.
func (f *File) Flush(timeout time.Duration) bool {
	if !f.Enabled() {
		return true
	}
	return f.async.flush(timeout)
}

// Close writes what is queued (waiting a second at most: a stuck disk must not keep
// the process from ending) and closes the file.
func (f *File) Close() error {
	if !f.Enabled() {
		return nil
	}
	f.async.close(time.Second)
	return f.rotator.Close()
}

// Handler is the slog handler that writes JSON records to the file: the records of
// --log-json, at the given level.
func (f *File) Handler(level slog.Leveler) slog.Handler {
	return slog.NewJSONHandler(f, &slog.HandlerOptions{Level: level})
}
