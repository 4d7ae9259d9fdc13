package logfile

import (
	"encoding/json"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// queueLen is how many records may wait for the disk. A record is a few hundred
// bytes: 4096 of them hold well over a minute of the window's busiest logging (a
// lookup logs a handful), so only a disk that stalls for long loses records.
const queueLen = 4096

// asyncWriter hands each write to a goroutine of its own that writes it to out, so
// that the caller (the UI goroutine, a lookup) never waits for the disk. When the
// queue is full the record is dropped and counted, never waited for: a slow or stuck
// disk must not slow the window. The count is written to the file once it keeps up
// again.
type asyncWriter struct {
	out     io.Writer
	queue   chan item
	stop    chan struct{} // closed by close: later writes are dropped
	done    chan struct{} // closed when the goroutine has ended
	dropped atomic.Uint64
	// onError is told the first write error (a full disk, a folder that went away);
	// later ones are not repeated, and writing goes on in case the disk recovers.
	onError  func(error)
	errOnce  sync.Once
	stopOnce sync.Once
	now      func() time.Time
}

// item is one record to write, or (flushed set) a request to say when every record
// before it has been written.
type item struct {
	b       []byte
	flushed chan struct{}
}

func newAsyncWriter(out io.Writer, onError func(error)) *asyncWriter {
	w := &asyncWriter{out: out, queue: make(chan item, queueLen), stop: make(chan struct{}),
		done: make(chan struct{}), onError: onError, now: time.Now}
	go w.run()
	return w
}

// Write queues a copy of p (slog reuses its buffers) and returns at once.
func (w *asyncWriter) Write(p []byte) (int, error) {
	select {
	case <-w.stop:
		return len(p), nil // closing: nothing more is written
	default:
	}
	select {
	case w.queue <- item{b: append([]byte(nil), p...)}:
	default:
		w.dropped.Add(1)
	}
	return len(p), nil
}

// Dropped is how many records were dropped because the queue was full.
func (w *asyncWriter) Dropped() uint64 { return w.dropped.Load() }

// flush waits up to timeout for the records queued so far to be written, and
// reports whether they were. Unlike Write it may wait: it is for the end of the
// process (a clean exit, a panic being logged) and for reading the log back.
func (w *asyncWriter) flush(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	done := make(chan struct{})
	select {
	case w.queue <- item{flushed: done}:
	case <-w.done:
		return true
	case <-t.C:
		return false
	}
	select {
	case <-done:
		return true
	case <-w.done:
		return true
	case <-t.C:
		return false
	}
}

// close writes what is queued (waiting up to timeout) and ends the goroutine.
func (w *asyncWriter) close(timeout time.Duration) {
	w.flush(timeout)
	w.stopOnce.Do(func() { close(w.stop) })
	select { // the goroutine's last write ends before the file is closed
	case <-w.done:
	case <-time.After(timeout):
	}
}

func (w *asyncWriter) run() {
	defer close(w.done)
	var reported uint64
	for {
		var it item
		select {
		case it = <-w.queue:
		case <-w.stop:
			return
		}
		if it.flushed != nil {
			close(it.flushed)
			continue
		}
		w.write(it.b)
		if n := w.dropped.Load(); n > reported {
			// Said in the file itself, where the gap is: whoever reads it knows
			// records are missing there.
			line, _ := json.Marshal(map[string]any{"time": w.now().Format(time.RFC3339Nano), "level": "WARN",
				"msg": "log records dropped: the log file could not keep up", "dropped": n - reported})
			w.write(append(line, '\n'))
			reported = n
		}
	}
}

func (w *asyncWriter) write(b []byte) {
	if _, err := w.out.Write(b); err != nil && w.onError != nil {
		w.errOnce.Do(func() { w.onError(err) })
	}
}
