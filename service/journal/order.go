package journal

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// randomDigits is the length of an order id's random part. With 10^16 values per
// shop and day, a 1,000-shop chain making 500 redemptions a shop a day for a year
// meets a collision with odds of about 1 in 200,000 (docs/REWARDS.md); no desk
// number, counter or lock is needed, so a copied profile cannot repeat ids.
const randomDigits = 16

var randomBound = new(big.Int).Exp(big.NewInt(10), big.NewInt(randomDigits), nil)

// NextOrderID returns a new order id for shopID: shop id + yyMMdd (local date) +
// 16 random digits from crypto/rand, e.g. "000030" "261204" "4821073956120488".
// Digits only, as in the API's example. An id the active journal already holds is
// never handed out. It takes no lock and writes nothing.
func (j *Journal) NextOrderID(shopID string) (string, error) {
	lines, err := j.activeLines()
	if err != nil {
		return "", err
	}
	used := make(map[string]bool, len(lines))
	for _, l := range lines {
		used[l.e.OrderID] = true
	}
	return newOrderID(shopID, j.now(), used)
}

func newOrderID(shopID string, now time.Time, used map[string]bool) (string, error) {
	shop := strings.TrimSpace(shopID)
	if shop == "" || strings.IndexFunc(shop, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return "", errors.New("journal: order id: the shop id is empty or not printable ASCII")
	}
	for {
		n, err := rand.Int(rand.Reader, randomBound)
		if err != nil {
			return "", fmt.Errorf("journal: order id: %w", err)
		}
		id := fmt.Sprintf("%s%s%0*d", shop, now.Format("060102"), randomDigits, n)
		if !used[id] {
			return id, nil
		}
	}
}

// lockPoll is how often a send waiting for another's lock looks again.
const lockPoll = 20 * time.Millisecond

// lockSends takes the journal folder's send lock (see Redeemer.redeem), waiting
// for another process's send to end, or for ctx: Ctrl-C ends the wait.
func (j *Journal) lockSends(ctx context.Context) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(j.dir, sendLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
	}
	for {
		release, ok, err := filelock.TryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("journal: %w: %w", ErrJournal, err)
		}
		if ok {
			return func() { release(); f.Close() }, nil
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("redeem: waiting for another redemption to end: %w", ctx.Err())
		case <-t.C:
		}
	}
}
