package gui

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// fakeLog is an in-memory RedemptionLog for the window's tests that need one exact
// journal answer (a failed write, a given unresolved order); the real journal's rules
// are tested with the real journal (redeem_journal_test.go).
type fakeLog struct {
	mu        sync.Mutex
	entries   []journal.Entry
	appendErr error
	appended  []journal.Entry
}

func (l *fakeLog) Entries(time.Time) ([]journal.Entry, []journal.Problem, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]journal.Entry(nil), l.entries...), nil, nil
}

func (l *fakeLog) Unresolved() ([]journal.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []journal.Entry
	for _, e := range journal.Latest(l.entries) {
		if e.State == journal.Pending || e.State == journal.Unknown {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *fakeLog) Resolve(orderID, resolution string) (journal.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.OrderID == orderID {
			e.State, e.Resolution = journal.Resolved, resolution
			l.entries = append(l.entries, e)
			return e, nil
		}
	}
	return journal.Entry{}, journal.ErrNoSuchOrder
}

func (l *fakeLog) Append(e journal.Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.appendErr != nil {
		return l.appendErr
	}
	l.entries = append(l.entries, e)
	l.appended = append(l.appended, e)
	return nil
}

func (l *fakeLog) MobileKey(mobile string) string { return "key-" + mobile }
func (l *fakeLog) Path() string                   { return "/journal/redeem-journal.jsonl" }

func (l *fakeLog) setAppendErr(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.appendErr = err
}

// redeemDesk is rewardsDesk with a log: the sample member's Rewards view, loaded.
func redeemDesk(t *testing.T, r Redeemer, log RedemptionLog) *harness {
	t.Helper()
	return redeemDeskIn(t, LangEnglish, r, log)
}

// redeemDeskIn is redeemDesk in language.
func redeemDeskIn(t *testing.T, language string, r Redeemer, log RedemptionLog) *harness {
	t.Helper()
	h := newHarness(t, language, Options{Redeemer: r, RedemptionLog: log})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.waitFor("rewards loaded", func() bool { return h.d.model.rewards.data != nil })
	return h
}

func esc(h *harness) { h.d.router.typedKey(fromWindow, nil, &fyne.KeyEvent{Name: fyne.KeyEscape}) }

// Esc while a redemption is on its way hides nothing, no second redemption can be
// asked, a scan is refused visibly, the idle clear waits, and the answer is shown on
// the panel when it comes.
func TestEscWhileSendingHidesNothingAndBlocksASecondRedemption(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}, gate: make(chan struct{})}
	h := redeemDesk(t, r, nil)
	h.d.opts.IdleClear = time.Minute
	gift := redeemButton(t, h)
	test.Tap(gift)
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("sent", func() bool { return len(r.sends()) == 1 })
	esc(h)
	if !h.d.ui.confirm.isOpen() || !h.d.ui.confirm.busy() || !h.d.model.rewards.open {
		t.Fatalf("Esc while sending: panel open %v, busy %v, rewards open %v", h.d.ui.confirm.isOpen(),
			h.d.ui.confirm.busy(), h.d.model.rewards.open)
	}
	if !strings.Contains(h.d.ui.confirm.notice.Text, tr("redeem.wait_for_answer")) {
		t.Errorf("Esc while sending says %q, not why nothing happened", h.d.ui.confirm.notice.Text)
	}
	test.Tap(gift) // the same gift again, behind the panel
	h.d.onRedeemPoints(10)
	h.d.closeOverlays()
	scanModes["Enter"](h, "0912345678")
	if !strings.Contains(h.d.ui.confirm.notice.Text, tr("redeem.scan_refused")) || h.lookup.callCount() != 1 {
		t.Errorf("a scan while sending: notice %q, %d lookups (want it refused, 1)", h.d.ui.confirm.notice.Text, h.lookup.callCount())
	}
	h.d.scheduleIdleClear()
	h.fireIdle()
	if h.d.model.state != stateFound || !h.d.ui.confirm.isOpen() {
		t.Fatal("the idle clear took the screen away while a redemption was on its way")
	}
	close(r.gate)
	h.waitFor("answered", func() bool { return h.d.sending == nil })
	if n := len(r.sends()); n != 1 {
		t.Fatalf("%d redemptions sent, want 1", n)
	}
	if !h.d.ui.confirm.isOpen() || !strings.HasPrefix(h.d.ui.confirm.status.Text, "Redeemed") || !h.d.ui.confirm.close.Visible() {
		t.Fatalf("the answer is not on the panel: %q", h.d.ui.confirm.status.Text)
	}
	esc(h) // now it closes
	if h.d.ui.confirm.isOpen() {
		t.Fatal("Esc after the answer did not close the panel")
	}
}

// Typed points are refused above the balance and above the desk's limit, saying which;
// the confirmation never shows a negative balance.
func TestTypedPointsAreCheckedAgainstBalanceAndLimit(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := redeemDesk(t, r, nil)
	v := h.d.ui.panels.rewards
	for _, c := range []struct {
		typed string
		says  string
	}{
		{"99999999999", tr("rewards.points_over_limit", map[string]any{"Max": "100,000"})},
		{"14519", tr("rewards.points_over_balance", map[string]any{"N": "14,518"})},
	} {
		v.points.SetText(c.typed)
		v.onPoints()
		if h.d.ui.confirm.isOpen() || v.status.Text != c.says || v.points.Text != c.typed {
			t.Errorf("%s points: panel open %v, status %q (want %q), field %q", c.typed, h.d.ui.confirm.isOpen(),
				v.status.Text, c.says, v.points.Text)
		}
	}
	v.points.SetText("14518")
	v.onPoints()
	if !h.d.ui.confirm.isOpen() || !strings.Contains(h.d.ui.confirm.after.Text, "→ 0") {
		t.Fatalf("all the points: panel open %v, %q", h.d.ui.confirm.isOpen(), h.d.ui.confirm.after.Text)
	}
}

// The focused button is the bright one; Enter presses it (Cancel), the panel says that
// nothing was redeemed and the log has it; Close gives the focus back to the Redeem
// button the cashier was at, not to the number entry.
func TestEnterCancelsVisiblyAndTheFocusGoesBackToRewards(t *testing.T) {
	var logs bytes.Buffer
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := newHarness(t, LangEnglish, Options{Redeemer: r, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.waitFor("rewards loaded", func() bool { return h.d.model.rewards.data != nil })
	gift := redeemButton(t, h)
	h.d.win.Canvas().Focus(gift)
	gift.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	p := h.d.ui.confirm
	focused := h.d.win.Canvas().Focused()
	if focused != p.cancel || p.cancel.Importance != widget.HighImportance || p.confirm.Importance == widget.HighImportance {
		t.Fatalf("asking: focus on %T, Cancel %v, Confirm %v: the focused button must be the only bright one",
			focused, p.cancel.Importance, p.confirm.Importance)
	}
	p.cancel.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if p.status.Text != tr("redeem.cancelled") || !p.close.Visible() || len(r.sends()) != 0 {
		t.Fatalf("Enter on Cancel: %q, close shown %v, %d sent", p.status.Text, p.close.Visible(), len(r.sends()))
	}
	if !strings.Contains(logs.String(), "redeem cancelled") {
		t.Error("the cancel is not in the log")
	}
	if h.d.win.Canvas().Focused() != p.close {
		t.Fatal("Close does not have the focus after Cancel")
	}
	h.d.refreshAll() // the lists are drawn anew meanwhile (a read of the journal)
	gift = redeemButton(t, h)
	p.close.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := h.d.win.Canvas().Focused(); got != gift {
		t.Fatalf("after Close the focus is on %T, want the Redeem button the cashier was at", got)
	}
	// Tab there moves on within the Rewards view; it never looks the member up again.
	calls := h.lookup.callCount()
	gift.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if h.lookup.callCount() != calls || !h.d.model.rewards.open {
		t.Fatal("Tab after Close looked the member up again")
	}
}

// A refusal says once, in the window's language, that nothing was redeemed, then the
// server's message quoted as the server's; no "balance after" under it.
func TestRefusalIsSaidOnceWithTheServersWordsQuoted(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Failed,
		Err: &service.Error{Kind: service.KindRejected, APIMessage: "票券狀態不允許銷售"}}}
	h := redeemDesk(t, r, nil)
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("refused", func() bool { return h.d.ui.notice.Visible() })
	p := h.d.ui.confirm
	want := "Nothing was redeemed. The member system said: “票券狀態不允許銷售”"
	if p.status.Text != want || p.after.Visible() || p.status.Importance != widget.DangerImportance {
		t.Fatalf("panel says %q (want %q), balance after shown %v", p.status.Text, want, p.after.Visible())
	}
	if n := strings.Count(strings.ToLower(h.d.ui.notice.Text), "not redeemed") + strings.Count(h.d.ui.notice.Text, "Nothing was redeemed"); n != 1 {
		t.Errorf("the notice says it %d times: %q", n, h.d.ui.notice.Text)
	}
	if !strings.Contains(h.d.ui.notice.Text, "0903***123") || h.d.ui.notice.Importance != widget.WarningImportance {
		t.Errorf("notice %q", h.d.ui.notice.Text)
	}
}

// An outcome the journal could not record is said in the warning colour, and the next
// confirm records it first, sending nothing while it cannot.
func TestJournalWriteFailedAfterTheSendBlocksTheNextConfirm(t *testing.T) {
	unwritten := journal.Entry{OrderID: "000030-order-1", State: journal.Done, ShopID: "000030", Points: 100}
	r := &fakeRedeemer{result: journal.Result{State: journal.Done, JournalErr: errors.New("disk full"), Unwritten: &unwritten}}
	log := &fakeLog{appendErr: errors.New("disk full")}
	h := redeemDesk(t, r, log)
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("answered", func() bool { return h.d.sending == nil && h.d.ui.confirm.close.Visible() })
	p := h.d.ui.confirm
	if p.status.Importance != widget.WarningImportance || !strings.Contains(p.status.Text, "disk full") {
		t.Fatalf("done but not journaled: %q (importance %v)", p.status.Text, p.status.Importance)
	}
	test.Tap(p.close)
	r.mu.Lock()
	r.result = journal.Result{State: journal.Done}
	r.mu.Unlock()
	test.Tap(redeemButton(t, h))
	if !strings.Contains(p.notice.Text, "disk full") {
		t.Errorf("the next confirmation does not say the journal is blocked: %q", p.notice.Text)
	}
	test.Tap(p.confirm)
	h.waitFor("refused", func() bool { return h.d.sending == nil && p.close.Visible() })
	if n := len(r.sends()); n != 1 || !strings.Contains(p.status.Text, "disk full") {
		t.Fatalf("%d sent (want only the first); panel says %q", n, p.status.Text)
	}
	log.setAppendErr(nil)
	test.Tap(p.close)
	test.Tap(redeemButton(t, h))
	test.Tap(p.confirm)
	h.waitFor("sent", func() bool { return h.d.sending == nil && p.close.Visible() })
	if n := len(r.sends()); n != 2 || len(log.appended) != 1 || log.appended[0].OrderID != unwritten.OrderID {
		t.Fatalf("once the journal works: %d sent (want 2), written first %+v", n, log.appended)
	}
	if h.d.unwritten != nil {
		t.Error("the desk still thinks an outcome is unwritten")
	}
}

// A second launch's raise does not postpone the idle clear; typing in the points field
// does.
func TestRaiseIsNotActivityButTypingInAFieldIs(t *testing.T) {
	h := redeemDesk(t, &fakeRedeemer{}, nil)
	h.d.opts.IdleClear = time.Minute
	h.d.scheduleIdleClear()
	seq := h.d.idleSeq
	raised := make(chan bool)
	go func() { raised <- h.d.raise() }()
	(<-h.queue)() // the raise, on the UI goroutine
	if !<-raised || h.d.idleSeq != seq {
		t.Fatal("a raise postponed the idle clear")
	}
	h.d.ui.panels.rewards.points.TypedRune('5')
	if h.d.idleSeq == seq {
		t.Fatal("typing in the points field did not postpone the idle clear")
	}
}

// Closing the window while a redemption is on its way waits for its answer, which is
// shown, then closes; the exit also waits for a send after the window has gone.
func TestCloseWhileSendingWaitsForTheAnswer(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}, gate: make(chan struct{})}
	h := redeemDesk(t, r, nil)
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	closed := 0
	if !h.d.holdCloseForSend(func() { closed++ }) || closed != 0 {
		t.Fatal("the window closed while a redemption was on its way")
	}
	if !strings.Contains(h.d.ui.confirm.notice.Text, tr("redeem.closing_after_answer")) {
		t.Errorf("the panel says %q, not why the window stays", h.d.ui.confirm.notice.Text)
	}
	if h.d.waitForSends(10 * time.Millisecond) {
		t.Fatal("waitForSends returned while the send was still on its way")
	}
	close(r.gate)
	if !h.d.waitForSends(5 * time.Second) {
		t.Fatal("waitForSends did not see the answer")
	}
	h.waitFor("closed", func() bool { return closed == 1 })
	if h.d.holdCloseForSend(func() { closed++ }) {
		t.Fatal("with nothing on its way the close is still held")
	}
}

// An unknown coupon redemption is judged by the coupon (now used or not), not by
// points, which a coupon never moves; every balance on screen is the re-read one.
func TestUnknownCouponShowsTheCouponsStateAndOneBalance(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Unknown,
		Err: &service.Error{Kind: service.KindOutcomeUnknown}}}
	h := redeemDesk(t, r, nil)
	var coupon *deskButton
	for _, o := range test.LaidOutObjects(h.d.ui.panels.rewards.lists) {
		if b, ok := o.(*deskButton); ok && b.Text == tr("rewards.redeem") {
			coupon = b
		}
	}
	test.Tap(coupon)
	h.lookup.setAccount(14400, "c-usable")
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("unknown", func() bool { return h.d.sending == nil && h.d.ui.confirm.retry.Visible() })
	p := h.d.ui.confirm
	if !strings.Contains(p.status.Text, tr("redeem.evidence_coupon_used", map[string]any{"ID": "c-usable"})) ||
		strings.Contains(p.status.Text, "this order takes") {
		t.Errorf("unknown coupon: %q", p.status.Text)
	}
	if !p.charged.Visible() || !p.notCharged.Visible() {
		t.Error("an unknown outcome offers no way to settle it")
	}
	if h.d.model.member.Card.Points != 14400 || !strings.Contains(h.d.ui.panels.rewards.title.Text, "14,400") {
		t.Errorf("two balances: card %d, Rewards title %q (want 14,400)", h.d.model.member.Card.Points,
			h.d.ui.panels.rewards.title.Text)
	}
}

// A twin the Redeemer finds (another process left it unresolved) opens that order.
func TestTwinFromTheJournalOpensTheUnresolvedOrder(t *testing.T) {
	twin := journal.Entry{OrderID: "000030261127000000001234", State: journal.Unknown, ShopID: "000030",
		Mobile: "0903***123", MobileKey: "key-0903123123", Points: 100, What: "Americano", Time: fixedNow}
	r := &fakeRedeemer{err: &journal.TwinError{Order: twin}}
	log := &fakeLog{}
	h := redeemDesk(t, r, log)
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("the twin shown", func() bool { return h.d.sending == nil && h.d.ui.confirm.mode == panelSettle })
	p := h.d.ui.confirm
	if p.r.orderID != twin.OrderID || !strings.Contains(p.status.Text, twin.OrderID) || !p.retry.Visible() {
		t.Fatalf("panel for %q says %q", p.r.orderID, p.status.Text)
	}
	if n := len(h.d.win.Canvas().Overlays().List()); n != 1 {
		t.Fatalf("%d panels on screen, want the twin's alone (the sending one must give way)", n)
	}
}

// Every state of a redemption's panel, and the Rewards view with unresolved orders and
// the header's badge, in both languages.
func TestGoldenRedeemStates(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			golden := func(h *harness, name string) {
				t.Helper()
				test.AssertRendersToMarkup(t, name+"_"+l+".xml", h.d.win.Canvas())
			}
			newDesk := func(r Redeemer, log RedemptionLog) *harness { return redeemDeskIn(t, l, r, log) }

			sending := &fakeRedeemer{result: journal.Result{State: journal.Done}, gate: make(chan struct{})}
			h := newDesk(sending, nil)
			test.Tap(redeemButton(t, h))
			test.Tap(h.d.ui.confirm.confirm)
			esc(h)
			golden(h, "redeem_sending")
			close(sending.gate)
			h.waitFor("answered", func() bool { return h.d.sending == nil })

			h = newDesk(&fakeRedeemer{result: journal.Result{State: journal.Unknown, Err: &service.Error{Kind: service.KindOutcomeUnknown}}}, nil)
			test.Tap(redeemButton(t, h))
			h.lookup.setAccount(14418)
			test.Tap(h.d.ui.confirm.confirm)
			h.waitFor("unknown", func() bool { return h.d.sending == nil })
			golden(h, "redeem_unknown")
			test.AssertImageMatches(t, "redeem_unknown_"+l+".png", h.d.win.Canvas().Capture())

			h = newDesk(&fakeRedeemer{result: journal.Result{State: journal.Failed,
				Err: &service.Error{Kind: service.KindRejected, APIMessage: "點數不足"}}}, nil)
			test.Tap(redeemButton(t, h))
			test.Tap(h.d.ui.confirm.confirm)
			h.waitFor("refused", func() bool { return h.d.sending == nil })
			golden(h, "redeem_refused")

			h = newDesk(&fakeRedeemer{}, nil)
			test.Tap(redeemButton(t, h))
			test.Tap(h.d.ui.confirm.cancel)
			golden(h, "redeem_cancelled")

			at := fixedNow.Add(-26 * time.Hour)
			log := &fakeLog{entries: []journal.Entry{
				{Time: at, OrderID: "000030261126482193017720", State: journal.Unknown, ShopID: "000030",
					Mobile: "0903***123", MobileKey: "key-0903123123", Points: 100, What: "Americano"},
				{Time: at.Add(time.Minute), OrderID: "000030261126000918273645", State: journal.Pending, ShopID: "000030",
					Mobile: "0912***678", MobileKey: "key-0912345678", TicketIDs: []string{"c-1"}, What: "NT$50 off"},
			}}
			h = newDesk(&fakeRedeemer{}, log)
			h.waitFor("the badge", func() bool { return len(h.d.unresolved) == 2 })
			golden(h, "rewards_unresolved")
			test.AssertImageMatches(t, "rewards_unresolved_"+l+".png", h.d.win.Canvas().Capture())
			test.Tap(redeemButton(t, h)) // the Americano again: the unresolved order, not a new one
			h.waitFor("evidence", func() bool { return !strings.Contains(h.d.ui.confirm.evidence.Text, "…") })
			golden(h, "redeem_twin")
		})
	}
}
