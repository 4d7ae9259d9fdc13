package gui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// blockingLog is a journal every call of which waits until release is closed: a window
// that touched the journal on its UI goroutine would stop there.
type blockingLog struct {
	fakeLog
	release chan struct{}
}

func (l *blockingLog) wait() { <-l.release }

func (l *blockingLog) Entries(t time.Time) ([]journal.Entry, []journal.Problem, error) {
	l.wait()
	return l.fakeLog.Entries(t)
}

func (l *blockingLog) Unresolved() ([]journal.Entry, error) {
	l.wait()
	return l.fakeLog.Unresolved()
}

func (l *blockingLog) Resolve(id, res string) (journal.Entry, error) {
	l.wait()
	return l.fakeLog.Resolve(id, res)
}

func (l *blockingLog) Append(e journal.Entry) error {
	l.wait()
	return l.fakeLog.Append(e)
}

// Asking, confirming, the answer, Esc and a settlement never wait for the journal on
// the UI goroutine (a lock, a read of the file, an fsync): with a journal that does not
// answer at all, every press still returns at once and the panel says it is on its way.
func TestNothingOnTheUIGoroutineWaitsForTheJournal(t *testing.T) {
	log := &blockingLog{release: make(chan struct{})}
	log.entries = []journal.Entry{{Time: fixedNow, OrderID: "000030261127000000000000000001", State: journal.Unknown,
		ShopID: "000030", Mobile: "0903***123", MobileKey: "key-0903123123", Points: 100, What: "Americano"}}
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := newHarness(t, LangEnglish, Options{Redeemer: r, RedemptionLog: log})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	done := make(chan struct{})
	go func() { // the UI goroutine of this test; it must never stop at the journal
		defer close(done)
		h.submit("0903123123")
		h.waitState(stateFound)
		h.d.router.typedKey(fromWindow, nil, &fyne.KeyEvent{Name: fyne.KeyF2})
		h.waitFor("rewards loaded", func() bool { return h.d.model.rewards.data != nil })
		test.Tap(redeemButton(t, h)) // the journal has not been read: no twin known yet, a plain ask
		test.Tap(h.d.ui.confirm.confirm)
		esc(h)
		if !h.d.ui.confirm.busy() {
			t.Error("the panel does not wait for the send")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // turns a UI goroutine stuck at the journal into a failure
		t.Fatal("the UI goroutine waited for the journal")
	}
	close(log.release)
	h.waitFor("answered", func() bool { return h.d.sending == nil && h.d.ui.confirm.close.Visible() })
	if len(h.d.unresolved) != 1 {
		t.Errorf("after the journal answered the window lists %d unresolved orders, want 1", len(h.d.unresolved))
	}
}

// BenchmarkConfirmOnTheUIGoroutine times what a Confirm press does on the UI goroutine
// (the panel to "Sending…", the send started on its own goroutine), with a real journal
// beside it: nothing there reads or writes the journal (TestNothingOnTheUIGoroutineWaits-
// ForTheJournal), so its history cannot show. The send waits on a gate outside the
// timer. ui-max-ns is the slowest press of the run (the goal: never over 16 ms, a frame);
// cpu-ns/op the process's CPU time per press (steadier than the wall time on shared cores).
func BenchmarkConfirmOnTheUIGoroutine(b *testing.B) {
	dir := b.TempDir()
	j, _, _, err := journal.OpenWith(dir, journal.Options{Salt: &memorySalts{salts: map[string][]byte{}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	d, queue := benchDesk(b, Options{Redeemer: r, RedemptionLog: j, Lookup: instantRewards{}})
	drain := func() { // the rewards, the journal's lists: whatever has arrived
		for {
			select {
			case f := <-queue:
				f()
			case <-time.After(50 * time.Millisecond):
				return
			}
		}
	}
	scan(d, "0903123123")
	(<-queue)()
	d.onOpenRewards()
	drain()
	var slowest, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r.mu.Lock()
		r.gate = make(chan struct{})
		gate := r.gate
		r.mu.Unlock()
		test.Tap(redeemButton(b, &harness{d: d}))
		confirm := d.ui.confirm.confirm
		start, before := time.Now(), processCPU()
		b.StartTimer()
		test.Tap(confirm)
		b.StopTimer()
		if el := time.Since(start); el > slowest {
			slowest = el
		}
		cpu += processCPU() - before
		close(gate)
		for d.sending != nil { // the answer
			(<-queue)()
		}
		d.ui.confirm.onClose()
	}
	b.ReportMetric(float64(slowest.Nanoseconds()), "ui-max-ns")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// instantRewards answers the sample member and rewards at once.
type instantRewards struct{}

func (instantRewards) LookupMember(context.Context, string, string) (service.Member, error) {
	return sampleMember(), nil
}

func (instantRewards) LookupRewards(context.Context, string, string) (service.Rewards, error) {
	return sampleRewards(), nil
}
