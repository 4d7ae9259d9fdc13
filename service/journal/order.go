package journal

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// seqMu serialises sequence updates inside one process; filelock.Lock does it
// between processes.
var seqMu sync.Mutex

// sequence is the persisted per-desk counter.
type sequence struct {
	// Desk is four random digits chosen once per journal folder, so two desks of
	// one shop do not make the same order id on the same day.
	Desk string `json:"desk"`
	Day  string `json:"day"`  // yyMMdd of Next
	Next int    `json:"next"` // the next number to hand out on Day
}

// NextOrderID returns a new order id for shopID: shop id + yyMMdd (local date) +
// desk (4 digits) + sequence (5 digits), e.g. "000030" "261204" "4821" "00001".
// The counter is written and fsynced before the id is returned, so an id is
// never handed out twice, even across a crash; ids already in the journal for
// today are skipped too, in case the counter file was lost.
func (j *Journal) NextOrderID(shopID string) (string, error) {
	shop := strings.TrimSpace(shopID)
	if shop == "" || strings.IndexFunc(shop, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return "", errors.New("journal: order id: the shop id is empty or not printable ASCII")
	}
	seqMu.Lock()
	defer seqMu.Unlock()
	lf, err := os.OpenFile(filepath.Join(j.dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	defer lf.Close()
	unlock, err := filelock.Lock(lf)
	if err != nil {
		return "", fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	defer unlock()

	path := filepath.Join(j.dir, sequenceName)
	var s sequence
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &s) // a damaged counter is rebuilt from the journal below
	}
	if len(s.Desk) != 4 {
		n, _ := rand.Int(rand.Reader, big.NewInt(10000))
		s.Desk = fmt.Sprintf("%04d", n.Int64())
	}
	day := j.now().Format("060102")
	if s.Day != day {
		s.Day, s.Next = day, 1
	}
	prefix := shop + day + s.Desk
	if entries, _, err := j.Entries(j.now().AddDate(0, 0, -2)); err == nil {
		for _, e := range entries {
			var n int
			if rest, ok := strings.CutPrefix(e.OrderID, prefix); ok && len(rest) == 5 {
				if _, err := fmt.Sscanf(rest, "%05d", &n); err == nil && n >= s.Next {
					s.Next = n + 1
				}
			}
		}
	}
	if s.Next > 99999 {
		return "", errors.New("journal: order id: more than 99999 redemptions today at this desk")
	}
	id := fmt.Sprintf("%s%05d", prefix, s.Next)
	s.Next++
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	if err := writeFileSync(path, append(b, '\n')); err != nil {
		return "", fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	return id, nil
}

// lockSends takes the journal folder's send lock (see Redeemer.redeem).
func (j *Journal) lockSends() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(j.dir, sendLockName), os.O_RDWR|os.O_CREATE, 0o600)
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

// writeFileSync replaces path with b: a temporary file, fsynced, renamed over
// the old one, then the folder fsynced, so a crash leaves old or new, whole.
func writeFileSync(path string, b []byte) error {
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}
