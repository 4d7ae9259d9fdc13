package gui

import (
	"context"
	"image"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service"
)

// fixedNow is the clock of every golden test, so "expires within 30 days" is stable.
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.Local)

// reply is what fakeLookup answers for one number.
type reply struct {
	member service.Member
	err    error
	// gate, when set, holds the reply back until it is closed (or the lookup is cancelled).
	gate chan struct{}
}

// fakeLookup stands in for the member API where a test needs exact control of timing
// or of an error kind; tests against the real demo server are in demo_test.go.
type fakeLookup struct {
	mu       sync.Mutex
	replies  map[string]reply
	calls    []string
	canceled []string
	// cancelNotify, when set, is told each number whose lookup was cancelled.
	cancelNotify chan string
	// rewardsPoints (0: the sample's) and usedCoupons are what LookupRewards answers.
	rewardsPoints int64
	usedCoupons   map[string]bool
}

func (f *fakeLookup) LookupMember(ctx context.Context, shopID, mobile string) (service.Member, error) {
	f.mu.Lock()
	f.calls = append(f.calls, mobile)
	r, ok := f.replies[mobile]
	f.mu.Unlock()
	if !ok {
		return service.Member{}, service.ErrNotMember
	}
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
		}
		// A cancelled lookup counts as cancelled even when its gate opened too: select
		// picks either when both are ready.
		if ctx.Err() != nil {
			f.mu.Lock()
			f.canceled = append(f.canceled, mobile)
			notify := f.cancelNotify
			f.mu.Unlock()
			if notify != nil {
				notify <- mobile
			}
			return service.Member{}, ctx.Err()
		}
	}
	return r.member, r.err
}

// set makes mobile answer r.
func (f *fakeLookup) set(mobile string, r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[mobile] = r
}

func (f *fakeLookup) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fakeAvatars answers every avatar with img after gate is closed (nil gate: at once).
type fakeAvatars struct {
	img  image.Image
	err  error
	gate chan struct{}
}

func (f *fakeAvatars) Fetch(ctx context.Context, url string) (image.Image, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.img, f.err
}

// sampleMember is the seed's first example as the service decodes it.
func sampleMember() service.Member {
	return service.Member{
		ID: "-JR04E188", Name: "Chien YH", Mobile: "0903515908", GroupID: "01", GroupName: "VIP_LV1 測試",
		AvatarURL: "http://127.0.0.1:1/avatar.png",
		Carrier:   service.Carrier{Code: "/XXX1XXX", Valid: true},
		Card: &service.PointCard{
			Points: 14518, Spent: 1579, Convert: "100", AvailableGifts: 10, Title: "電子集點", Content: "電子集點",
			Expiring: []service.ExpiringPoints{
				{Date: time.Date(2026, 12, 15, 0, 0, 0, 0, time.Local), DateText: "2026/12/15", Points: 300},
				{Date: time.Date(2027, 3, 31, 0, 0, 0, 0, time.Local), DateText: "2027/03/31", Points: 14188},
			},
		},
	}
}

// harness is a desk in Fyne's test app with a channel that reports every drawn state.
type harness struct {
	t      *testing.T
	d      *desk
	lookup *fakeLookup
	states chan deskState
	queue  chan func()
	// timers holds the timers the desk started with after (a scan without Enter, the
	// idle auto-clear); they fire only when a test calls fireQuiet or fireIdle.
	timers []pendingTimer
	// clock is the last time keysApart's clock gave out.
	clock time.Time
	// redemptionsRead is closed once the start's read of the journal (loadRedemptions,
	// on a goroutine of its own) has handed its lists to the queue; waitRedemptionsRead.
	redemptionsRead chan struct{}
}

func newHarness(t *testing.T, language string, opts Options) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	test.ApplyTheme(t, Theme())
	SetLanguage(language)
	t.Cleanup(func() { SetLanguage(LangEnglish) })
	h := &harness{t: t, states: make(chan deskState, 64), queue: make(chan func(), 64)}
	if opts.Lookup == nil && opts.SetupProblem == nil {
		h.lookup = &fakeLookup{replies: map[string]reply{}}
		opts.Lookup = h.lookup
	}
	if opts.ShopID == "" {
		opts.ShopID = "000030"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.IdleClear == 0 {
		opts.IdleClear = -1 // tests that want the auto-clear set it
	}
	h.d = buildDesk(a, opts)
	h.d.now = func() time.Time { return fixedNow }
	h.d.stateObserver = func(s deskState) { h.states <- s }
	h.d.runOnUI = func(f func()) { h.queue <- f }
	h.d.after = func(dur time.Duration, f func()) { h.timers = append(h.timers, pendingTimer{dur, f}) }
	h.d.win.Resize(goldenWindowSize)
	t.Cleanup(h.d.win.Close)
	// As Build does, through the test's queue; the read's goroutine is followed, so
	// that a test can wait for what it hands the queue (waitRedemptionsRead).
	h.redemptionsRead = make(chan struct{})
	spawn := h.d.opts.Support.Go
	h.d.opts.Support.Go = func(f func()) {
		go func() {
			defer close(h.redemptionsRead)
			f()
		}()
	}
	h.d.loadRedemptions()
	h.d.opts.Support.Go = spawn
	if h.d.conn.log == nil {
		close(h.redemptionsRead) // nothing to read
	}
	return h
}

// waitRedemptionsRead waits until the start's read of the journal has handed the
// unresolved list to the queue, then drains the queue: the window then shows what the
// journal holds. (drain alone returns when the queue is empty, which it can be while the
// read is still under way on a slow machine.)
func (h *harness) waitRedemptionsRead() {
	h.t.Helper()
	select {
	case <-h.redemptionsRead:
	case <-time.After(10 * time.Second):
		h.t.Fatal("the start's read of the journal did not end in 10 s")
	}
	h.drain()
}

// submit types text into the entry the way a scanner does and presses Return.
func (h *harness) submit(text string) {
	h.d.ui.entry.clear()
	test.Type(h.d.ui.entry, text)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// waitState runs what the desk's goroutines hand to the UI goroutine, on this goroutine,
// until the desk draws want. The timeout only turns a hang into a failure.
func (h *harness) waitState(want deskState) {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-h.states:
			if got == want {
				return
			}
			continue
		default:
		}
		select {
		case got := <-h.states:
			if got == want {
				return
			}
		case f := <-h.queue:
			f()
		case <-deadline:
			h.t.Fatalf("state %s never drawn (now %s, entry %q)", want, h.d.model.state, h.d.ui.entry.Text)
		}
	}
}

// pendingTimer is a timer the desk started, waiting for the test to fire it.
type pendingTimer struct {
	dur time.Duration
	f   func()
}

// fireQuiet fires the quiet timers (a scan without Enter) started so far, oldest first,
// as if their time had come.
func (h *harness) fireQuiet() { h.fire(func(d time.Duration) bool { return d == scanQuiet }) }

// fireIdle fires the idle auto-clear timers started so far, as if their time had come.
func (h *harness) fireIdle() { h.fire(func(d time.Duration) bool { return d != scanQuiet }) }

func (h *harness) fire(which func(time.Duration) bool) {
	var due []func()
	kept := h.timers[:0:0]
	for _, t := range h.timers {
		if which(t.dur) {
			due = append(due, t.f)
		} else {
			kept = append(kept, t)
		}
	}
	h.timers = kept
	for _, f := range due {
		f()
	}
}

// quietTimers counts the quiet timers started and not fired yet.
func (h *harness) quietTimers() int {
	n := 0
	for _, t := range h.timers {
		if t.dur == scanQuiet {
			n++
		}
	}
	return n
}

// runNext runs the next function handed to the UI goroutine (e.g. an avatar arriving).
func (h *harness) runNext() {
	h.t.Helper()
	select {
	case f := <-h.queue:
		f()
	case <-time.After(5 * time.Second):
		h.t.Fatal("nothing reached the UI goroutine")
	}
}

// goldenWindowSize is the window size of the golden tests: the smallest common desk
// screen, where crowding shows first.
var goldenWindowSize = fyne.NewSize(1024, 720)
