package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

const testMobile = "0903515908"

func openTest(t *testing.T, dir string) *Journal {
	t.Helper()
	j, problems, pending, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 || len(pending) > 0 {
		t.Fatalf("fresh journal: problems %v pending %v", problems, pending)
	}
	t.Cleanup(func() { j.Close() })
	j.now = func() time.Time { return time.Date(2026, 12, 4, 13, 0, 0, 0, time.Local) }
	return j
}

func pointsReq(orderID string, points int64) Order {
	return Order{RedeemRequest: service.RedeemRequest{ShopID: "000030", OrderID: orderID, Mobile: testMobile, Points: points},
		What: fmt.Sprintf("%d points", points)}
}

// countingSender answers every send with err and counts them.
type countingSender struct {
	sends atomic.Int64
	err   error
}

func (s *countingSender) Redeem(context.Context, service.RedeemRequest) error {
	s.sends.Add(1)
	return s.err
}

func TestJournalFilesArePrivateAndHoldNoNumber(t *testing.T) {
	dir := t.TempDir()
	j := openTest(t, dir)
	if _, err := NewRedeemer(j, &countingSender{}).Redeem(context.Background(), pointsReq("", 10)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileName} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 { // Windows keeps permissions in ACLs
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if strings.Contains(string(b), testMobile) || strings.Contains(string(b), testMobile[1:]) {
			t.Errorf("%s holds the full number:\n%s", name, b)
		}
	}
	entries, _, _ := j.Entries(time.Time{})
	if len(entries) != 2 || entries[0].State != Pending || entries[1].State != Done {
		t.Fatalf("entries %+v", entries)
	}
	e := entries[0]
	if e.Mobile != "0903***908" || e.MobileKey != j.MobileKey("+886 903 515 908") || len(e.MobileKey) != 64 {
		t.Errorf("mobile %q key %q", e.Mobile, e.MobileKey)
	}
	if len(e.OrderID) != 28 || !strings.HasPrefix(e.OrderID, "000030261204") {
		t.Errorf("order id %q", e.OrderID)
	}
}

// TestOrderIDsAreRandomDigits: shop + yyMMdd + 16 random digits, all distinct;
// nothing is written to hand one out.
func TestOrderIDsAreRandomDigits(t *testing.T) {
	dir := t.TempDir()
	j := openTest(t, dir)
	seen := map[string]bool{}
	for range 1000 {
		id, err := j.NextOrderID("000030")
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := strings.CutPrefix(id, "000030261204")
		if !ok || len(rest) != 16 || strings.Trim(rest, "0123456789") != "" || seen[id] {
			t.Fatalf("order id %q", id)
		}
		seen[id] = true
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*sequence*")); len(names) > 0 {
		t.Errorf("an order id wrote %v", names)
	}
	if _, err := j.NextOrderID(" "); err == nil {
		t.Error("empty shop accepted")
	}
}

func TestTornLastLineIsReportedAndSkipped(t *testing.T) {
	dir := t.TempDir()
	j := openTest(t, dir)
	if err := j.Append(Entry{OrderID: "A", State: Done, ShopID: "000030"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-12-04T05:00:00Z","order_id":"B","sta`) // the crash cut this write
	f.Close()

	j2, problems, pending, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if len(problems) != 1 || !problems[0].Torn || problems[0].Line != 2 || len(pending) != 0 {
		t.Fatalf("problems %v pending %v", problems, pending)
	}
	// The next entry starts on a line of its own and is read back.
	if err := j2.Append(Entry{OrderID: "C", State: Done, ShopID: "000030"}); err != nil {
		t.Fatal(err)
	}
	entries, problems, err := j2.Entries(time.Time{})
	if err != nil || len(entries) != 2 || entries[1].OrderID != "C" || len(problems) != 1 || problems[0].Torn {
		t.Fatalf("entries %+v problems %v err %v", entries, problems, err)
	}
}

func TestFullDiskStopsTheRedeemBeforeSending(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here")
	}
	j := openTest(t, t.TempDir())
	j.f.Close()
	j.f = full // every write now fails with ENOSPC, as on a full disk
	j.pinned = true
	s := &countingSender{}
	_, err = NewRedeemer(j, s).Redeem(context.Background(), pointsReq("000030261204000100001", 5))
	if !errors.Is(err, ErrJournal) {
		t.Fatalf("err = %v, want ErrJournal", err)
	}
	if s.sends.Load() != 0 {
		t.Errorf("%d sends despite an unwritable journal", s.sends.Load())
	}
}

func TestRedeemerOutcomes(t *testing.T) {
	unknown := &service.Error{Kind: service.KindOutcomeUnknown, Op: "redeem", Detail: "no answer"}
	rejected := &service.Error{Kind: service.KindRejected, Op: "redeem", StatusCode: 400, APIMessage: "點數不足"}
	cases := []struct {
		err   error
		state State
		msg   string
	}{
		{nil, Done, ""},
		{unknown, Unknown, unknown.Error()},
		{rejected, Failed, "點數不足"},
		{context.Canceled, Failed, "not sent: context canceled"},
	}
	for _, tc := range cases {
		j := openTest(t, t.TempDir())
		res, err := NewRedeemer(j, &countingSender{err: tc.err}).Redeem(context.Background(), pointsReq("", 5))
		if err != nil || res.State != tc.state || res.Err != tc.err || res.JournalErr != nil {
			t.Errorf("%v: %+v %v", tc.err, res, err)
		}
		entries, _, _ := j.Entries(time.Time{})
		if len(entries) != 2 || entries[1].State != tc.state || entries[1].Message != tc.msg {
			t.Errorf("%v: journal %+v", tc.err, entries)
		}
	}
}

// TestRedeemerRetryAndReplay: after Unknown the same order may be sent again (the
// cashier's retry); once Done it is never sent again; the same id for another
// redemption is refused without a send.
func TestRedeemerRetryAndReplay(t *testing.T) {
	j := openTest(t, t.TempDir())
	s := &countingSender{err: &service.Error{Kind: service.KindOutcomeUnknown}}
	r := NewRedeemer(j, s)
	res, _ := r.Redeem(context.Background(), pointsReq("", 5))
	id := res.OrderID
	s.err = nil
	if res, err := r.Redeem(context.Background(), pointsReq(id, 5)); err != nil || res.State != Done || res.Replayed {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if res, err := r.Redeem(context.Background(), pointsReq(id, 5)); err != nil || res.State != Done || !res.Replayed {
		t.Fatalf("replay: %+v %v", res, err)
	}
	if _, err := r.Redeem(context.Background(), pointsReq(id, 6)); !errors.Is(err, ErrOrderReused) {
		t.Fatalf("reuse: %v", err)
	}
	if s.sends.Load() != 2 {
		t.Errorf("%d sends, want 2 (first try and the retry)", s.sends.Load())
	}
}

// TestRedeemerConcurrentConfirmsSendOnce: eight confirms of one order while the
// first is under way make one send and all get its answer.
func TestRedeemerConcurrentConfirmsSendOnce(t *testing.T) {
	j := openTest(t, t.TempDir())
	started, release, second := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var sends atomic.Int64
	r := NewRedeemer(j, SenderFunc(func(ctx context.Context, _ service.RedeemRequest) error {
		switch sends.Add(1) {
		case 1:
			close(started)
			<-release
		case 2:
			close(second)
		}
		return nil
	}))
	var joined sync.WaitGroup
	joined.Add(7)
	r.joined = joined.Done
	req := pointsReq("000030261204000100009", 5)
	results := make(chan Result, 8)
	go func() { res, _ := r.Redeem(context.Background(), req); results <- res }()
	<-started
	for range 7 {
		go func() { res, _ := r.Redeem(context.Background(), req); results <- res }()
	}
	allJoined := make(chan struct{})
	go func() { joined.Wait(); close(allJoined) }()
	select {
	case <-allJoined: // all seven wait on the first send
	case <-second:
		t.Error("a second send while the first was under way")
	}
	close(release)
	for range 8 {
		if res := <-results; res.State != Done || res.OrderID != req.OrderID {
			t.Errorf("result %+v", res)
		}
	}
	if sends.Load() != 1 {
		t.Errorf("%d sends, want 1", sends.Load())
	}
}

func TestLatestAndShown(t *testing.T) {
	in := []Entry{{OrderID: "A", State: Pending}, {OrderID: "B", State: Pending}, {OrderID: "A", State: Done}}
	want := []Entry{{OrderID: "A", State: Done}, {OrderID: "B", State: Pending}}
	if got := Latest(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Latest %+v", got)
	}
	if Shown(Pending) != Unknown || Shown(Failed) != Failed {
		t.Error("Shown")
	}
}

// TestTwoProcessesDoNotSendOneOrderTwice: two journals on one folder (as the window
// and a command line would have) redeem the same order; the second waits for the
// first's send lock, then finds the order done and sends nothing.
func TestTwoProcessesDoNotSendOneOrderTwice(t *testing.T) {
	dir := t.TempDir()
	ja, jb := openTest(t, dir), openTest(t, dir)
	var sends atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	sender := SenderFunc(func(context.Context, service.RedeemRequest) error {
		if sends.Add(1) == 1 {
			close(started)
			<-release
		}
		return nil
	})
	a, b := NewRedeemer(ja, sender), NewRedeemer(jb, sender)
	req := pointsReq("000030261204000100077", 5)
	done := make(chan Result, 1)
	go func() { res, _ := a.Redeem(context.Background(), req); done <- res }()
	<-started
	bLocking := make(chan struct{})
	b.locking = func() { close(bLocking) }
	bDone := make(chan Result, 1)
	go func() { res, _ := b.Redeem(context.Background(), req); bDone <- res }()
	<-bLocking
	close(release)
	if res := <-done; res.State != Done {
		t.Errorf("first: %+v", res)
	}
	if res := <-bDone; res.State != Done || !res.Replayed {
		t.Errorf("second: %+v", res)
	}
	if sends.Load() != 1 {
		t.Errorf("%d sends, want 1", sends.Load())
	}
}

// TestSaltCutShortIsNotFatal: the salt used to be made in place (create, write,
// fsync), so a kill or a power cut between the create and the write left an
// empty salt file and every later start failed ("salt file is damaged"): no
// journal, no redemptions at that desk. No key can have been made with an empty
// salt, so a start makes a new one; two first starts agree on one salt; a salt
// file with other content still stops the start (keys already made would change).
func TestSaltCutShortIsNotFatal(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, legacySaltName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	j := openTest(t, dir)
	key := j.MobileKey(testMobile)
	j.Close()
	if j2 := openTest(t, dir); j2.MobileKey(testMobile) != key {
		t.Error("the salt made after the empty file did not last")
	}

	for range 20 {
		dir := t.TempDir()
		keys := make([]string, 4)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				j, _, _, err := Open(dir)
				if err != nil {
					t.Error(err)
					return
				}
				keys[i] = j.MobileKey(testMobile)
				j.Close()
			})
		}
		wg.Wait()
		if keys[0] == "" || keys[1] != keys[0] || keys[2] != keys[0] || keys[3] != keys[0] {
			t.Fatalf("four first starts, keys %q", keys)
		}
	}

	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, legacySaltName), []byte("not hex\n"), 0o600)
	if _, _, _, err := Open(dir); !errors.Is(err, ErrJournal) {
		t.Errorf("a damaged salt: %v, want ErrJournal", err)
	}
}
