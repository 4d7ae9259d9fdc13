// Package journal keeps the redemption journal: an append-only file of JSON lines
// in the user's config folder that records every redemption before it is sent and
// again with its outcome, so that nothing charged to a member is ever lost, even
// when the program is killed mid-request. It also hands out the order ids
// (shop + date + 16 random digits) and composes the journal with the client into a
// Redeemer that sends each order at most once.
//
// The journal never holds a full phone number: a masked one (0912***678) and a
// keyed hash whose salt is kept outside the journal's folder (see SaltStore).
// Settled orders older than a few days move into monthly archive files beside the
// journal (rotate.go), so what a confirm reads stays small.
package journal

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// File names inside the journal's folder.
const (
	FileName     = "redeem-journal.jsonl"
	fileLockName = "redeem-journal.lock"
	sendLockName = "redeem-send.lock"
)

// maxLine bounds one journal line; real ones are a few hundred bytes.
const maxLine = 1 << 20

// State is where a redemption stands.
type State string

// The states. A redemption is journaled Pending before it is sent and then Done,
// Failed or Unknown. A Pending with no later line means the program stopped
// during the request: it is reported as Unknown. Pending and Unknown orders are
// unresolved until a 2xx makes them Done or a person records a Resolved line.
const (
	Pending  State = "pending"
	Done     State = "done"     // the server answered 2xx
	Failed   State = "failed"   // nothing was charged (refused, or never sent); Message says why
	Unknown  State = "unknown"  // sent, but no answer says whether it was made
	Resolved State = "resolved" // a person settled an unresolved order; Resolution says how
)

// The resolutions a person records on a Resolved line.
const (
	ResolutionCharged    = "charged"
	ResolutionNotCharged = "not charged"
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
	// What is the gift's or coupon's title, or "N points": what people read.
	What string `json:"what,omitempty"`
	// Message is the server's message or a short, safe reason, for Failed and Unknown.
	Message string `json:"message,omitempty"`
	// Resolution is ResolutionCharged or ResolutionNotCharged, on a Resolved line.
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
	// pinned, when set (tests that swap f for /dev/full), keeps f as it is.
	pinned bool
}

// Options are OpenWith's choices; the zero value is Open's.
type Options struct {
	// Salt keeps the salt of the member keys; nil is the OS credential store with
	// a file outside the journal's folder where there is none.
	Salt SaltStore
	// Now is the clock (rotation, order ids, line times); nil is time.Now.
	Now func() time.Time
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

// Open is OpenWith(dir, Options{}).
func Open(dir string) (*Journal, []Problem, []Entry, error) { return OpenWith(dir, Options{}) }

// OpenWith opens (creating when needed) the journal in dir. It reads the active
// file once, moves settled orders older than a few days into the archives, and
// returns what a start must show: unreadable lines and the unresolved orders
// (Unresolved). A torn last line is closed with a newline so the next entry
// starts on a line of its own.
func OpenWith(dir string, o Options) (*Journal, []Problem, []Entry, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Salt == nil {
		o.Salt = defaultSalts()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	j := &Journal{dir: dir, now: o.Now}
	unlock, err := j.lockFile()
	if err != nil {
		return nil, nil, nil, err
	}
	defer unlock()
	if j.salt, err = loadSalt(dir, o.Salt); err != nil {
		return nil, nil, nil, fmt.Errorf("journal: salt: %w: %w", ErrJournal, err)
	}
	if err := j.reopen(); err != nil {
		return nil, nil, nil, err
	}
	lines, problems, err := readLines(j.Path()) // before closeTornLine, to report a torn line as such
	if err != nil {
		j.f.Close()
		return nil, nil, nil, err
	}
	if err := j.closeTornLine(); err != nil {
		j.f.Close()
		return nil, nil, nil, err
	}
	if lines, err = j.rotate(lines); err != nil {
		j.f.Close()
		return nil, nil, nil, err
	}
	return j, problems, unresolvedOf(entriesOf(lines)), nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return filepath.Join(j.dir, FileName) }

// Dir is the journal's folder (the demo says where its journal is).
func (j *Journal) Dir() string { return j.dir }

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

// Append writes e as one line (a single write on an O_APPEND file) and fsyncs
// it, under the folder's lock so that a rotation in another process cannot
// replace the file under it. Its error matches ErrJournal.
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
	unlock, err := j.lockFile()
	if err != nil {
		return err
	}
	defer unlock()
	if err := j.reopenIfReplaced(); err != nil {
		return err
	}
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

// lockFile takes the folder's journal lock: appends, reads and rotation hold it,
// so no append goes to a file a rotation is replacing.
func (j *Journal) lockFile() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(j.dir, fileLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	release, err := filelock.Lock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	return func() { release(); f.Close() }, nil
}

// reopen opens the active file (creating it), replacing j.f.
func (j *Journal) reopen() error {
	path := j.Path()
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(j.dir) // the new file's name must survive a crash too
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f = f
	return nil
}

// reopenIfReplaced reopens the active file when a rotation (in any process)
// renamed a new one over the one j.f holds. Called with the journal lock held.
func (j *Journal) reopenIfReplaced() error {
	if j.pinned {
		return nil
	}
	held, err1 := j.f.Stat()
	now, err2 := os.Stat(j.Path())
	if err1 == nil && err2 == nil && os.SameFile(held, now) {
		return nil
	}
	return j.reopen()
}

// Entries returns the entries at or after since (all of them for the zero time),
// skipping and reporting unreadable lines. It reads the archives too when since
// is older than what the active file is sure to hold.
func (j *Journal) Entries(since time.Time) ([]Entry, []Problem, error) {
	if !since.IsZero() && !since.Before(j.now().Add(-archiveAfter)) {
		// Nothing that recent has been archived: the active file alone.
		unlock, err := j.lockFile()
		if err != nil {
			return nil, nil, err
		}
		defer unlock()
		lines, problems, err := readLines(j.Path())
		var kept []Entry
		for _, e := range entriesOf(lines) {
			if !e.Time.Before(since) {
				kept = append(kept, e)
			}
		}
		return kept, problems, err
	}
	return ReadDir(j.dir, since)
}

// ReadFile reads a journal file. Unreadable lines are skipped and reported, never
// fatal; only a file that cannot be opened or read is an error.
func ReadFile(path string) ([]Entry, []Problem, error) {
	lines, problems, err := readLines(path)
	return entriesOf(lines), problems, err
}

// line is one readable journal line with its bytes (rotation copies them as they are).
type line struct {
	e   Entry
	raw []byte // without the newline
}

func entriesOf(lines []line) []Entry {
	out := make([]Entry, len(lines))
	for i, l := range lines {
		out[i] = l.e
	}
	return out
}

func readLines(path string) ([]line, []Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	return read(f)
}

func read(r io.Reader) ([]line, []Problem, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var lines []line
	var problems []Problem
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err == io.EOF {
			return lines, problems, nil
		}
		if err != nil && err != io.EOF {
			return lines, problems, fmt.Errorf("journal: reading line %d: %w", n, err)
		}
		torn := err == io.EOF // no newline: the last write did not finish
		text := bytes.TrimSpace(raw)
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
			lines = append(lines, line{e: e, raw: text})
		}
		if torn {
			return lines, problems, nil
		}
	}
}

func validState(s State) bool {
	return s == Pending || s == Done || s == Failed || s == Unknown || s == Resolved
}

// shortReason keeps a JSON error's text short and free of the line's content.
func shortReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("not JSON (at byte %d)", se.Offset)
	}
	return "not a journal entry"
}
