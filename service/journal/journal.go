// Package journal keeps the redemption journal: an append-only file of JSON lines
// in the user's config folder that records every redemption before it is sent and
// again with its outcome, so that nothing charged to a member is ever lost, even
// when the program is killed mid-request. It also hands out the order ids
// (shop + date + desk + sequence, persisted before use) and composes the journal
// with the client into a Redeemer that sends each order at most once.
//
// The journal never holds a full phone number: a masked one (0912***678) and a
// keyed hash, so one member's history can be found with the same salt.
package journal

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// File names inside the journal's folder.
const (
	FileName     = "redeem-journal.jsonl"
	saltName     = "redeem-journal.salt"
	sequenceName = "redeem-sequence.json"
	lockName     = "redeem-sequence.lock"
	sendLockName = "redeem-send.lock"
)

// maxLine bounds one journal line; real ones are a few hundred bytes.
const maxLine = 1 << 20

// State is where a redemption stands.
type State string

// The states. A redemption is journaled Pending before it is sent and then Done,
// Failed or Unknown. A Pending with no later line means the program stopped
// during the request: it is reported as Unknown.
const (
	Pending State = "pending"
	Done    State = "done"    // the server answered 2xx
	Failed  State = "failed"  // nothing was charged (refused, or never sent); Message says why
	Unknown State = "unknown" // sent, but no answer says whether it was made
)

// Entry is one line of the journal.
type Entry struct {
	Time    time.Time `json:"time"`
	OrderID string    `json:"order_id"`
	State   State     `json:"state"`
	ShopID  string    `json:"shop_id"`
	// Mobile is masked (0912***678); MobileKey is HMAC-SHA256(salt, number) in
	// hex, the same for every entry of one member in one journal.
	Mobile    string   `json:"mobile"`
	MobileKey string   `json:"mobile_key"`
	Points    int64    `json:"points"`
	TicketIDs []string `json:"ticket_ids,omitempty"`
	// Message is the server's message or a short, safe reason, for Failed and Unknown.
	Message string `json:"message,omitempty"`
	What       string `json:"what,omitempty"`
	Resolution string `json:"resolution,omitempty"`
}

// Problem is a journal line that could not be read and was skipped.
type Problem struct {
	Line   int
	Torn   bool // the last line, without its newline: a write cut short
	Reason string
}

func (p Problem) String() string {
	if p.Torn {
		return fmt.Sprintf("line %d: incomplete last line skipped (a write was cut short): %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d: unreadable line skipped: %s", p.Line, p.Reason)
}

// ErrJournal matches every failure to write the journal (errors.Is); a redemption
// that meets one is not sent.
var ErrJournal = errors.New("redemption journal cannot be written")

// Journal is an open journal. It is safe for concurrent use; other processes (the
// window and the command line) may append to the same file.
type Journal struct {
	dir  string
	salt []byte
	now  func() time.Time

	mu sync.Mutex
	f  *os.File
	// onWrite, when set (tests), is called with mu held just before a line is
	// written (written false) and just after it is written and synced (written
	// true): the kill tests stop or tear the process there.
	onWrite func(e Entry, line []byte, written bool)
}

// DefaultDir is the journal's folder: ocard-desk in the user's config folder
// (e.g. ~/.config/ocard-desk, %AppData%\ocard-desk).
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("journal: no config folder: %w", err)
	}
	return filepath.Join(base, "ocard-desk"), nil
}

// Open opens (creating when needed) the journal in dir, with its salt. It reads
// the journal once and returns what a start must show: unreadable lines and
// redemptions left pending (to be shown as unknown). A torn last line is closed
// with a newline so the next entry starts on a line of its own.
func Open(dir string) (*Journal, []Problem, []Entry, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	salt, err := loadSalt(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("journal: salt: %w: %w", ErrJournal, err)
	}
	path := filepath.Join(dir, FileName)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(dir) // the new file's name must survive a crash too
	}
	j := &Journal{dir: dir, salt: salt, now: time.Now, f: f}
	entries, problems, err := j.Entries(time.Time{}) // before closeTornLine, to report a torn line as such
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	if err := j.closeTornLine(); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	var pending []Entry
	for _, o := range Latest(entries) {
		if o.State == Pending {
			pending = append(pending, o)
		}
	}
	return j, problems, pending, nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return filepath.Join(j.dir, FileName) }

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// MobileKey returns the keyed hash of a number (normalised first when it can
// be), so one member's history can be found without storing the number.
func (j *Journal) MobileKey(mobile string) string {
	if n, err := service.NormaliseMobile(mobile); err == nil {
		mobile = n
	}
	m := hmac.New(sha256.New, j.salt)
	m.Write([]byte(mobile))
	return hex.EncodeToString(m.Sum(nil))
}

// Append writes e as one line (a single write on an O_APPEND file, so lines from
// several processes do not interleave) and fsyncs it. Its error matches ErrJournal.
func (j *Journal) Append(e Entry) error {
	if e.Time.IsZero() {
		e.Time = j.now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.endsWithNewline() {
		// A write cut short (a full disk), here or in another process, left part of
		// a line: this one starts on a line of its own rather than being glued to it.
		line = append([]byte{'\n'}, line...)
	}
	if j.onWrite != nil {
		j.onWrite(e, line, false)
	}
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	if j.onWrite != nil {
		j.onWrite(e, line, true)
	}
	return nil
}

// Entries reads the whole journal and returns the entries at or after since (all
// of them for the zero time), skipping and reporting unreadable lines.
func (j *Journal) Entries(since time.Time) ([]Entry, []Problem, error) {
	entries, problems, err := ReadFile(j.Path())
	if err != nil || since.IsZero() {
		return entries, problems, err
	}
	kept := entries[:0]
	for _, e := range entries {
		if !e.Time.Before(since) {
			kept = append(kept, e)
		}
	}
	return kept, problems, nil
}

// ReadFile reads a journal file. Unreadable lines are skipped and reported, never
// fatal; only a file that cannot be opened or read is an error.
func ReadFile(path string) ([]Entry, []Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	return read(f)
}

func read(r io.Reader) ([]Entry, []Problem, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var entries []Entry
	var problems []Problem
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return entries, problems, nil
		}
		if err != nil && err != io.EOF {
			return entries, problems, fmt.Errorf("journal: reading line %d: %w", n, err)
		}
		torn := err == io.EOF // no newline: the last write did not finish
		text := bytes.TrimSpace(line)
		if len(text) == 0 {
			continue
		}
		var e Entry
		switch uerr := json.Unmarshal(text, &e); {
		case len(text) > maxLine:
			problems = append(problems, Problem{Line: n, Torn: torn, Reason: "line too long"})
		case uerr != nil:
			problems = append(problems, Problem{Line: n, Torn: torn, Reason: shortReason(uerr)})
		case e.OrderID == "" || !validState(e.State):
			problems = append(problems, Problem{Line: n, Torn: torn, Reason: "no order id or an unknown state"})
		default:
			entries = append(entries, e)
		}
		if torn {
			return entries, problems, nil
		}
	}
}

func validState(s State) bool { return s == Pending || s == Done || s == Failed || s == Unknown }

// shortReason keeps a JSON error's text short and free of the line's content.
func shortReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("not JSON (at byte %d)", se.Offset)
	}
	return "not a journal entry"
}

// Latest returns the last entry of every order, in order of first appearance,
// with Pending ones (no outcome recorded) left Pending for the caller to show as
// Unknown: another process may still be waiting for that answer.
func Latest(entries []Entry) []Entry {
	idx := map[string]int{}
	var out []Entry
	for _, e := range entries {
		if i, ok := idx[e.OrderID]; ok {
			out[i] = e
			continue
		}
		idx[e.OrderID] = len(out)
		out = append(out, e)
	}
	return out
}

// Shown is how a state is reported: a Pending without outcome reads as Unknown.
func Shown(s State) State {
	if s == Pending {
		return Unknown
	}
	return s
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

// errNoSalt: the salt file is missing, or empty.
var errNoSalt = errors.New("no salt yet")

// loadSalt reads the folder's salt, or makes one (32 random bytes, hex, 0600) on
// first use. It is made whole before it gets its name (a temporary file, fsynced,
// renamed), under the folder's lock, so that a kill or a power cut cannot leave
// a salt cut short and two first starts (window and command line) agree on one.
// An empty salt file, which the older in-place write left when cut short, counts
// as none: no key can have been made with it.
func loadSalt(dir string) ([]byte, error) {
	path := filepath.Join(dir, saltName)
	if salt, err := readSalt(path); !errors.Is(err, errNoSalt) {
		return salt, err
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	unlock, err := filelock.Lock(lf)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if salt, err := readSalt(path); !errors.Is(err, errNoSalt) {
		return salt, err // another process made it while this one waited
	}
	salt := make([]byte, 32)
	rand.Read(salt)
	if err := writeFileSync(path, []byte(hex.EncodeToString(salt)+"\n")); err != nil {
		return nil, err
	}
	return salt, nil
}

func readSalt(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	text := strings.TrimSpace(string(b))
	switch {
	case errors.Is(err, os.ErrNotExist), err == nil && text == "":
		return nil, errNoSalt
	case err != nil:
		return nil, err
	}
	salt, err := hex.DecodeString(text)
	if err != nil || len(salt) < 16 {
		return nil, errors.New("salt file is damaged; move it away only if the journal's member keys may change")
	}
	return salt, nil
}

// syncDir fsyncs a folder so a new file's name survives a crash. It is best
// effort: some systems (Windows) cannot open a folder for syncing.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
