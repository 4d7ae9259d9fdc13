package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Rotation keeps the active file small, so that a confirm, the start and the
// unresolved list read O(unresolved + recent) lines, not the whole history: at
// Open, the lines of every settled order (last state done, failed or resolved)
// whose last line is older than archiveAfter move into monthly archive files
// beside the journal (redeem-journal-2026-11.jsonl, by each line's UTC month),
// which are never deleted. Unresolved orders stay in the active file whatever
// their age. Unreadable lines stay where they are.
//
// Crash safety, under the journal lock: first every archive gets the lines it
// lacks (appended, fsynced; a line already there is not written again), then the
// active file is replaced whole (temporary file, fsync, rename, folder fsync). A
// kill between the two leaves lines in both, which reading drops as duplicates
// and the next Open's rotation finishes.

// archiveAfter is how long a settled order stays in the active file.
const archiveAfter = 3 * 24 * time.Hour

const archivePrefix = "redeem-journal-"

// rotateStep, when set (tests), is called after each step of a rotation: the kill
// tests stop the process there.
var rotateStep func(step string)

func step(name string) {
	if rotateStep != nil {
		rotateStep(name)
	}
}

// archiveName is the archive file for lines of t's month (UTC).
func archiveName(t time.Time) string {
	return archivePrefix + t.UTC().Format("2006-01") + ".jsonl"
}

// rotate moves what is due into the archives and returns the active file's
// readable lines after it. Called by Open with the journal lock held.
func (j *Journal) rotate(lines []line) ([]line, error) {
	cutoff := j.now().Add(-archiveAfter)
	last := map[string]Entry{}
	for _, l := range lines {
		last[l.e.OrderID] = l.e
	}
	due := func(e Entry) bool {
		l := last[e.OrderID]
		return Settled(l.State) && l.Time.Before(cutoff)
	}
	var keep []line
	byMonth := map[string][]line{}
	moved := map[string]bool{} // by the line's bytes
	for _, l := range lines {
		if due(l.e) {
			name := archiveName(l.e.Time)
			byMonth[name] = append(byMonth[name], l)
			moved[string(l.raw)] = true
		} else {
			keep = append(keep, l)
		}
	}
	if len(byMonth) == 0 {
		return lines, nil
	}
	names := make([]string, 0, len(byMonth))
	for name := range byMonth {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := appendArchive(filepath.Join(j.dir, name), byMonth[name]); err != nil {
			return nil, fmt.Errorf("journal: archive %s: %w: %w", name, ErrJournal, err)
		}
	}
	step("archived")
	// The active file again, byte for byte, without the moved lines: unreadable
	// lines are kept, as is everything not due.
	raw, err := os.ReadFile(j.Path())
	if err != nil {
		return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	var kept bytes.Buffer
	for _, text := range bytes.Split(raw, []byte("\n")) {
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if moved[string(bytes.TrimSpace(text))] {
			continue
		}
		kept.Write(text)
		kept.WriteByte('\n')
	}
	// Windows cannot rename over a file that is open: this process's handle is
	// closed first; another process's (a window while the command line starts)
	// still blocks it. Then the active file stays as it was: its moved lines are in
	// the archives too, reading drops them as duplicates, and a later start tries
	// again. The journal works either way; only the saving waits.
	j.f.Close()
	j.f = nil
	if err := replaceFile(j.Path(), kept.Bytes()); err != nil {
		return lines, j.reopen()
	}
	step("replaced")
	return keep, j.reopen()
}

// appendArchive appends to path the lines it does not hold yet, in one write, and
// fsyncs it: a rotation run again after a kill writes nothing twice.
func appendArchive(path string, lines []line) error {
	have := map[string]bool{}
	old, _, err := readLines(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, l := range old {
		have[string(l.raw)] = true
	}
	var buf bytes.Buffer
	for _, l := range lines {
		if !have[string(l.raw)] {
			have[string(l.raw)] = true
			buf.Write(l.raw)
			buf.WriteByte('\n')
		}
	}
	if buf.Len() == 0 {
		return nil
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			buf = *bytes.NewBuffer(append([]byte{'\n'}, buf.Bytes()...)) // a fragment a kill left
		}
	}
	data := buf.Bytes()
	half := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
	// In two writes, so that a kill test can stop between them (half an archive).
	for i, part := range [][]byte{data[:half], data[half:]} {
		if _, err := f.Write(part); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if i == 0 {
			step("archive half written")
		}
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		syncDir(filepath.Dir(path))
	}
	return nil
}

// replaceFile replaces path with b: a temporary file, fsynced, renamed over the
// old one, then the folder fsynced, so a crash leaves old or new, whole.
func replaceFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		tmp.Close()
		return err
	}
	_, werr := tmp.Write(b)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return err
	}
	step("temporary file written")
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	step("renamed")
	syncDir(filepath.Dir(path))
	return nil
}

// readArchives reads the archives from since's month on (all for the zero time),
// oldest month first.
func readArchives(dir string, since time.Time) ([]line, []Problem, error) {
	names, err := filepath.Glob(filepath.Join(dir, archivePrefix+"[0-9][0-9][0-9][0-9]-[0-9][0-9].jsonl"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	var lines []line
	var problems []Problem
	for _, path := range names {
		if !since.IsZero() && filepath.Base(path) < archiveName(since) {
			continue
		}
		ls, ps, err := readLines(path)
		for _, p := range ps {
			p.Reason = filepath.Base(path) + ": " + p.Reason
			problems = append(problems, p)
		}
		if err != nil {
			return nil, problems, err
		}
		lines = append(lines, ls...)
	}
	return lines, problems, nil
}

// archivedEntries returns the archived lines of orderID. The id's date (after
// the shop id) names the months to read (from its own on); an id made within the
// rotation age reads none; without a date every archive is read.
func (j *Journal) archivedEntries(orderID, shopID string) ([]Entry, error) {
	since := time.Time{}
	if rest, ok := strings.CutPrefix(orderID, shopID); ok && len(rest) >= 6 {
		if t, err := time.ParseInLocation("060102", rest[:6], time.Local); err == nil {
			if !t.Before(j.now().Add(-archiveAfter)) {
				// Made since the cutoff: none of its lines can have been archived
				// (the usual case, a new id from NewOrderID), so no archive is read.
				return nil, nil
			}
			since = t.AddDate(0, 0, -1)
		}
	}
	lines, _, err := readArchives(j.dir, since)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, l := range dedupe(lines) {
		if l.e.OrderID == orderID {
			out = append(out, l.e)
		}
	}
	return out, nil
}
