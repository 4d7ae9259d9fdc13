package journal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// Issue 21 point 14: a redemption waiting for the send lock (another process is
// sending) ends when its context does (Ctrl-C), with nothing sent or journaled.
// Before, the wait was a blocking flock that no signal ended.
func TestWaitForTheSendLockEndsOnCancel(t *testing.T) {
	dir := t.TempDir()
	j := openTest(t, dir)
	// Another holder: a separate open file description, as another process has.
	f, err := os.OpenFile(filepath.Join(dir, sendLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unlock, err := filelock.Lock(f)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	r := NewRedeemer(j, &countingSender{})
	r.locking = cancel // Ctrl-C as the wait begins
	s := r.s.(*countingSender)
	res, err := r.Redeem(ctx, pointsReq("", 5))
	if !errors.Is(err, context.Canceled) || s.sends.Load() != 0 || res.State != "" {
		t.Fatalf("%+v %v (%d sends), want canceled, nothing sent", res, err, s.sends.Load())
	}
	if entries, _, _ := j.Entries(time.Time{}); len(entries) != 0 {
		t.Errorf("journaled %+v", entries)
	}
}
