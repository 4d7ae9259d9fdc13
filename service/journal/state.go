package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNoSuchOrder: the journal has no line for that order id.
var ErrNoSuchOrder = errors.New("the journal has no such order")

// ErrNotUnresolved: the order is settled (done, failed or already resolved), so
// there is nothing to resolve.
var ErrNotUnresolved = errors.New("the order is not unresolved")

// Latest returns the last entry of every order, in order of first appearance,
// with Pending ones (no outcome recorded) left Pending for the caller to show as
// Unknown: another process may still be waiting for that answer.
func Latest(entries []Entry) []Entry {
	idx := map[string]int{}
	var out []Entry
	for _, e := range entries {
		if i, ok := idx[e.OrderID]; ok {
			if e.What == "" {
				e.What = out[i].What // an outcome line written without it keeps the order's
			}
			out[i] = e
			continue
		}
		idx[e.OrderID] = len(out)
		out = append(out, e)
	}
	return out
}

// Shown is how a state is reported: a Pending without outcome reads as Unknown;
// the others (Resolved included) as they are.
func Shown(s State) State {
	if s == Pending {
		return Unknown
	}
	return s
}

// Settled reports whether an order whose last state is s needs nobody any more:
// done, failed, or resolved by a person.
func Settled(s State) bool { return s == Done || s == Failed || s == Resolved }

// unresolvedOf is Latest's unresolved orders (last state pending or unknown),
// oldest first, each with What taken from its first line when its last has none.
func unresolvedOf(entries []Entry) []Entry {
	var out []Entry
	for _, e := range Latest(entries) {
		if !Settled(e.State) {
			out = append(out, e)
		}
	}
	return out
}

// Unresolved returns every order whose last state is pending or unknown, from any
// day, oldest first. It reads only the active file: rotation never moves an
// unresolved order's lines, so the cost is O(unresolved + recent days).
func (j *Journal) Unresolved() ([]Entry, error) {
	lines, err := j.activeLines()
	if err != nil {
		return nil, err
	}
	return unresolvedOf(entriesOf(lines)), nil
}

// activeLines reads the active file under the journal lock.
func (j *Journal) activeLines() ([]line, error) {
	unlock, err := j.lockFile()
	if err != nil {
		return nil, err
	}
	defer unlock()
	lines, _, err := readLines(j.Path())
	if err != nil {
		return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	return lines, nil
}

// dedupe drops lines seen before (byte for byte): a rotation killed between
// writing an archive and replacing the active file leaves them in both.
func dedupe(lines []line) []line {
	seen := make(map[string]struct{}, len(lines))
	out := lines[:0:0]
	for _, l := range lines {
		if _, dup := seen[string(l.raw)]; dup {
			continue
		}
		seen[string(l.raw)] = struct{}{}
		out = append(out, l)
	}
	return out
}

// endsWithNewline reports whether the file is empty or ends with a newline
// (true when that cannot be read: the write will fail on its own then).
func (j *Journal) endsWithNewline() bool {
	st, err := j.f.Stat()
	if err != nil || st.Size() == 0 {
		return true
	}
	last := make([]byte, 1)
	_, err = j.f.ReadAt(last, st.Size()-1)
	return err != nil || last[0] == '\n'
}

// closeTornLine ends a last line that lacks its newline, so the next entry is not
// glued to a torn fragment (which would then corrupt a good entry too).
func (j *Journal) closeTornLine() error {
	if j.endsWithNewline() {
		return nil
	}
	if _, err := j.f.Write([]byte("\n")); err != nil {
		return fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	return j.f.Sync()
}

// syncDir fsyncs a folder so a new file's name survives a crash. It is best
// effort: some systems (Windows) cannot open a folder for syncing.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// ReadDir reads the journal in dir for people (the `journal` command) without
// opening it for writing: the archives from since's month on (all for the zero
// time) and the active file, duplicates a killed rotation left dropped, entries
// before since left out. It needs no salt.
func ReadDir(dir string, since time.Time) ([]Entry, []Problem, error) {
	if unlock, err := (&Journal{dir: dir}).lockFile(); err == nil {
		defer unlock() // a rotation in progress finishes first
	}
	lines, problems, err := readArchives(dir, since)
	if err != nil {
		return nil, problems, err
	}
	active, p, err := readLines(filepath.Join(dir, FileName))
	problems = append(problems, p...)
	if err != nil {
		return nil, problems, err
	}
	var kept []Entry
	for _, e := range entriesOf(dedupe(append(lines, active...))) {
		if !e.Time.Before(since) {
			kept = append(kept, e)
		}
	}
	return kept, problems, nil
}

// ReadUnresolved is Unresolved for the journal in dir, read without opening it
// for writing.
func ReadUnresolved(dir string) ([]Entry, []Problem, error) {
	if unlock, err := (&Journal{dir: dir}).lockFile(); err == nil {
		defer unlock()
	}
	lines, problems, err := readLines(filepath.Join(dir, FileName))
	if err != nil {
		return nil, problems, err
	}
	return unresolvedOf(entriesOf(lines)), problems, nil
}
